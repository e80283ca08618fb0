"""HTML for the physiotherapist's view of one set of answers (a handoff record or a
live assessment). Pure functions returning strings, like ui/panels.py.

Everything is drawn from the engine's :class:`~decision.engine.Result` (a record's
saved result read back, or a live assessment's fresh one), the answers and the
content, so what the physiotherapist sees is what the patient saw and what the PDF
says. Words for the lean and SURE come from ``decision.records.export`` so
the screen and the chart summary never disagree.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from datetime import datetime, tzinfo

from decision.content import Content
from decision.contract import NEEDLE_OPTIONS, STEP1, STEP2
from decision.engine import Contribution, RaisedFlag, Result
from decision.records import export
from decision.records.consent import ConsentRecord, RecordExtras, sure_score
from decision.records.db_errors import StoreError
from decision.records.saved import HandoffRecord
from decision.wording import Wording
from ui.charts import OPTION_COLOURS
from ui.words import Words

e = html.escape
LEVEL_ORDER = ("stop", "caution", "info")

_MD_SPECIAL = set("\\`*_{}[]()<>#+-.!|~:\"'&=$")


def md_escape(text: str) -> str:
    """Typed text inside a Markdown message (st.error): every punctuation sign escaped, so
    what a person typed can never become a link, an image or formatting."""
    return "".join(f"\\{ch}" if ch in _MD_SPECIAL else ch for ch in str(text))


CSS = """
<style>
.st-key-pin button { min-height: 2.2rem; min-width: 2.2rem; }  /* show/hide PIN: a full touch target */
.clin-meta { display: flex; flex-wrap: wrap; gap: 0.1rem 1.2rem; margin: 0 0 0.4rem; font-size: 0.88rem; }
.clin-meta b { font-weight: 800; }
.clin-note { background: #fff4d9; border: 2px solid #a86400; border-radius: 0.4rem; padding: 0.4rem 0.8rem;
  color: #3d2600; margin: 0 0 0.6rem; }
.clin-flag { border-radius: 0.5rem; padding: 0.35rem 0.8rem; margin: 0 0 0.4rem; border: 3px solid;
  font-size: 0.9rem; line-height: 1.35; }
.clin-flag p { margin: 0.1rem 0; }
.clin-flag .clin-id { font-size: 0.75rem; color: #5b6472; background: none; padding: 0; }
.clin-flag-info { font-size: 0.88rem; }
.clin-tag { display: inline-block; font-weight: 800; font-size: 0.8rem; letter-spacing: 0.06em; color: #fff;
  border-radius: 0.25rem; padding: 0.05rem 0.45rem; margin-right: 0.4rem; }
.clin-flag-stop { background: #fdeceb; border-color: #b3261e; color: #4d0d08; }
.clin-flag-stop .clin-tag { background: #b3261e; }
.clin-flag-caution { background: #fff4d9; border-color: #a86400; color: #3d2600; }
.clin-flag-caution .clin-tag { background: #8a5200; }
.clin-flag-info { background: #f3f6f9; border-color: #c9d2dc; border-width: 1px; color: #1f2a37; }
.clin-flag-info .clin-tag { background: #4a5566; }
.clin-behind { font-weight: 700; }
.clin-table { width: 100%; border-collapse: collapse; font-size: 0.92rem; margin: 0 0 0.8rem; table-layout: fixed; }
.clin-answers td:first-child { width: 45%; }
.clin-scores th:nth-child(1) { width: 4.2rem; } .clin-scores th:nth-child(2) { width: 30%; }
.clin-scores code { overflow-wrap: anywhere; }
.clin-table th, .clin-table td { text-align: left; vertical-align: top; padding: 0.3rem 0.4rem;
  border-bottom: 1px solid #dde2e8; }
.clin-table th { background: #f3f6f9; font-weight: 800; }
.clin-table td.num { text-align: right; white-space: nowrap; font-weight: 700; }
.clin-table code { font-size: 0.85rem; }
.clin-missing { color: #5b6472; font-style: italic; }
.clin-option { font-weight: 800; font-size: 1.05rem; margin: 0.6rem 0 0.2rem; }
.clin-sure-unsure { background: #fdeceb; border: 3px solid #b3261e; border-radius: 0.5rem; padding: 0.5rem 0.9rem;
  color: #4d0d08; font-weight: 700; }
.clin-sure-ok { background: #eaf5ec; border: 2px solid #2e7d32; border-radius: 0.5rem; padding: 0.5rem 0.9rem;
  color: #123d17; }
.clin-prompts { font-size: 0.9rem; line-height: 1.35; margin: 0 0 0.4rem; }
.clin-prompts li { margin: 0.15rem 0; }
.lean { border-left: 8px solid; border-radius: 0.5rem; background: #f6f8fa; padding: 0.6rem 1rem; margin: 0 0 0.6rem; }
.lean .lean-text { font-weight: 700; font-size: 1rem; line-height: 1.4; margin: 0.15rem 0 0.35rem; }
.lean .lean-note { font-size: 0.92rem; color: #2b3340; margin: 0.2rem 0; }
.clin-cite { color: #3b4452; font-size: 0.85rem; }
.clin-glance { font-size: 0.98rem; line-height: 1.4; margin: 0 0 0.6rem; padding: 0.5rem 0.8rem;
  background: #f3f6f9; border-radius: 0.4rem; }
.clin-glance b { font-weight: 800; }
.clin-glance .sep { color: #8a94a3; padding: 0 0.25rem; }
.clin-check { columns: 2; column-gap: 1.2rem; list-style: none; padding: 0; margin: 0 0 0.4rem; font-size: 0.92rem; }
.clin-check li { break-inside: avoid; padding: 0.1rem 0; }
.clin-check .yes { color: #8a1c14; font-weight: 800; }
.clin-check .skipped { color: #7a4a00; font-weight: 800; }
.clin-check .abs { font-size: 0.75rem; font-weight: 800; color: #fff; background: #b3261e; border-radius: 0.2rem;
  padding: 0 0.3rem; margin-left: 0.3rem; }
.clin-sure-cmp td:nth-child(2), .clin-sure-cmp td:nth-child(3),
.clin-sure-cmp th:nth-child(2), .clin-sure-cmp th:nth-child(3) { width: 30%; }
.clin-sure-cmp td, .clin-sure-cmp th { padding: 0.15rem 0.4rem; }
.clin-sure-cmp .no { color: #8a1c14; font-weight: 800; }
.clin-live { border: 2px solid #3b4452; border-radius: 0.5rem; background: #ffffff; padding: 0.4rem 0.8rem;
  margin: 0 0 0.4rem; font-size: 0.95rem; }
.clin-live p { margin: 0.1rem 0; font-weight: 700; }
.clin-live .lean-note { font-weight: 400; font-size: 0.85rem; }
.st-key-clin_record_box { gap: 0.4rem; }
[data-testid="stMainBlockContainer"] h1 { font-size: 1.8rem; padding-top: 0.4rem; padding-bottom: 0.4rem; }
.st-key-clin_record_box .clin-sure-unsure, .st-key-clin_record_box .clin-sure-ok { padding: 0.3rem 0.8rem;
  margin: 0 0 0.3rem; }
.st-key-clin_record_box h3 { font-size: 1.2rem; line-height: 1.3; padding: 0.55rem 0 0.5rem 0; }
.st-key-clin_record_box [data-testid="stExpander"] summary { padding-top: 0.35rem; padding-bottom: 0.35rem; }
/* Streamlit wraps a keyed container in a wrapper of its own height: that wrapper is what sticks. */
[data-testid="stLayoutWrapper"]:has(> .st-key-clin_live_lean), .st-key-clin_live_lean { position: sticky; top: 0;
  z-index: 50; background: #fff; }
@media print {
  .st-key-clin_actions, .st-key-clin_topbar, .st-key-code_form, .st-key-clin_mode_box,
  [data-testid="stDownloadButton"], [data-testid="stExpander"] summary { display: none !important; }
}
</style>
"""


def store_words(t: Words, exc: StoreError) -> str:
    """A database failure in the staff's words and language (its key's words in ui.yaml; the English is for logs)."""
    return t(exc.key, **{name: md_escape(value) for name, value in exc.fields.items()})


def _when(value: datetime, zone: tzinfo) -> str:
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z").strip()


when_text = _when


def record_meta(record: HandoffRecord, content: Content, t: Words, zone: tzinfo) -> str:
    """Code, when it was made and when it expires, the patient's language, content version."""
    origin = t("clin_origin_clinician") if record.origin == "clinician" else t("clin_origin_patient")
    items = [
        (t("clin_created"), e(_when(record.created_at, zone))),
        (t("clin_expires"), e(_when(record.expires_at, zone))),
        (t("clin_patient_language"), e(t("lang_en") if record.language == "en" else t("lang_fr"))),
        (t("clin_origin"), e(origin)),
        (t("clin_version"), e(record.content_version)),
    ]
    meta = "".join(f"<span><b>{e(k)}:</b> {v}</span>" for k, v in items)
    note = ""
    if record.content_version != content.version:
        older = t("clin_older_version", saved=record.content_version, current=content.version)
        note = f'<p class="clin-note">{e(older)}</p>'
    return f'<div class="clin-meta">{meta}</div>{note}'


def _behind(flag: RaisedFlag, answers: Mapping[str, str], w: Wording) -> str:
    """Every question in the flag's condition with the patient's answer."""
    questions = flag.questions or (flag.question,)
    return "; ".join(
        f"{w.question_label(q)}: {w.answer_text(q, answers.get(q)) or w.t('clin_not_answered')}" for q in questions
    )


def _flag_box(content: Content, flag: RaisedFlag, answers: Mapping[str, str], w: Wording, tag: str) -> str:
    """One flag: its level, the answers behind it, the clinician's wording and its id; which
    options it applies to only when that is not both needling options (every safety flag is)."""
    applies = ""
    if set(flag.options) != set(NEEDLE_OPTIONS):
        options = ", ".join(w.option_name(o) for o in flag.options)
        applies = f' <span class="clin-cite">{e(w.t("clin_applies_to", options=options))}</span>'
    return (
        f'<div class="clin-flag clin-flag-{e(flag.level)}"><p><span class="clin-tag">{e(tag)}'
        f'</span><span class="clin-behind">{e(_behind(flag, answers, w))}.</span> '
        f'{e(export.flag_text(content, flag, w.lang))}{applies} <code class="clin-id">{e(flag.id)}</code></p>'
        "</div>"
    )


def _parts_in_context(content: Content, saved: Result) -> dict[str, list[RaisedFlag]]:
    """A flag in context (lung disease with neck pain) says what its parts say, for this
    area: its parts are named on one line under it instead of a box each (the PDF keeps
    every word). Each raised flag's raised parts."""
    raised = {f.id: f for f in saved.flags}
    replaces = {f.id: f.replaces for f in content.flags}
    return {f.id: [raised[r] for r in replaces.get(f.id, ()) if r in raised] for f in saved.flags}


def flags_html(content: Content, saved: Result, answers: Mapping[str, str], t: Words) -> str:
    """Flags first: stop, caution, then the notes; safety questions left unanswered grouped
    in one box, each named. "No flags" only when nothing at all was raised."""
    w = Wording(content, t.lang)
    if not saved.flags:
        return f'<p class="clin-missing">{e(t("clin_no_flags"))}</p>'
    tags = {"stop": t("clin_level_stop"), "caution": t("clin_level_caution"), "info": t("clin_level_info")}
    parts = _parts_in_context(content, saved)
    folded = {p.id for found in parts.values() for p in found}
    out = []
    for level in LEVEL_ORDER:
        for flag in saved.flags:
            if flag.level == level and not flag.skipped and flag.id not in folded:
                box = _flag_box(content, flag, answers, w, tags[level])
                if parts[flag.id]:
                    also = "; ".join(f"{_behind(p, answers, w)} ({p.id})" for p in parts[flag.id])
                    box = box.replace(
                        "</p></div>", f'</p><p class="clin-cite">{e(t("clin_also_raised"))}: {e(also)}</p></div>'
                    )
                out.append(box)
    skipped = saved.skipped_safety
    if skipped:
        items = ", ".join(w.question_label(q) for q in skipped)
        out.append(
            f'<div class="clin-flag clin-flag-info"><p><span class="clin-tag">{e(tags["info"])}</span>'
            f'<span class="clin-behind">{e(w.t("export_skipped"))}:</span> {e(items)}</p></div>'
        )
    return "".join(out)


def lean_html(content: Content, saved: Result, t: Words) -> str:
    """Both steps in the patient's words, with the points behind each step."""
    w = Wording(content, t.lang)
    lean = saved.lean
    colour = OPTION_COLOURS.get(lean.option or "", "#3b4452")

    def pts(target: str) -> str:
        found = saved.target(target)
        return f"{w.option_name(target)} {w.points(found.score if found else 0)}"

    steps = "".join(
        f'<p class="lean-text">{e(f"{title} {sentence}".strip())}</p>' for title, sentence in w.lean_lines(saved)
    )
    scores = " | ".join(" · ".join(pts(o) for o in step) for step in (STEP1, STEP2))
    stopped = ""
    if lean.stopped_options and not lean.stopped:
        names = ", ".join(w.option_name(o) for o in lean.stopped_options)
        stopped = f'<p class="lean-note">{e(t("clin_stopped_one", options=names))}</p>'
    return (
        f'<div class="lean" style="border-color:{colour}">{steps}'
        f'<p class="lean-note">{e(scores)}</p>{stopped}'
        f'<p class="lean-note">{e(t("clin_not_prescription"))}</p></div>'
    )


def sure_html(content: Content, saved: Result, answers: Mapping[str, str], t: Words) -> str:
    """SURE score; "incomplete" with fewer than 4 answered; the needs behind each "no"
    (never behind an unanswered item)."""
    w = Wording(content, t.lang)
    sure = saved.sure
    cite = f'<p class="clin-cite">{e(w.t("export_sure_cite"))}</p>'
    if sure is None:
        return f'<p class="clin-missing">{e(w.t("export_sure_none"))}</p>{cite}'
    missing = f'<span class="clin-missing">{e(t("clin_not_answered"))}</span>'
    rows = "".join(
        f"<tr><td>{e(q.text.get(t.lang))}</td><td>"
        f"{e(w.answer_text(q.id, answers[q.id])) if q.id in answers else missing}</td></tr>"
        for q in content.questions_of_kind("sure")
    )
    score = f"<p>{e(w.t('export_sure_score', score=sure.score, answered=sure.answered))}</p>"
    table = f'<table class="clin-table clin-answers"><tbody>{rows}</tbody></table>'
    return f"{sure_verdict(content, saved, t)}{score}{table}{cite}"


def sure_verdict(content: Content, saved: Result, t: Words) -> str:
    """The first SURE's verdict: incomplete, "not yet sure: talk about ...", or sure."""
    w = Wording(content, t.lang)
    sure = saved.sure
    if sure is None:
        return f'<p class="clin-missing">{e(w.t("export_sure_none"))}</p>'
    verdict = ""
    if sure.not_answered:
        items = ", ".join(w.question_label(q) for q in sure.not_answered)
        verdict += f'<p class="clin-note" role="status">{e(w.t("export_sure_incomplete", items=items))}</p>'
    if sure.needs:
        needs = ", ".join(w.t(f"export_need_{n}") for n in sure.needs)
        verdict += f'<p class="clin-sure-unsure" role="alert">{e(w.t("export_sure_unsure", needs=needs))}</p>'
    elif not sure.unsure:
        verdict += f'<p class="clin-sure-ok">{e(w.t("export_sure_sure"))}</p>'
    return verdict


def answers_html(content: Content, answers: Mapping[str, str], t: Words) -> str:
    """Every question by section, in the clinician's words; unanswered ones said so."""
    parts = []
    for section in content.sections:
        if section.kind == "sure":
            continue
        rows = []
        for q in section.questions:
            code = answers.get(q.id)
            shown = (
                e(Wording(content, t.lang).answer_text(q.id, code))
                if code
                else f'<span class="clin-missing">{e(t("clin_not_answered"))}</span>'
            )
            rows.append(f"<tr><td>{e(q.label.get(t.lang))}</td><td>{shown}</td></tr>")
        parts.append(
            f'<table class="clin-table clin-answers"><thead><tr><th colspan="2">'
            f"{e(section.title.get(t.lang))}</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>"
        )
    return "".join(parts)


def scores_html(content: Content, saved: Result, t: Words) -> str:
    """Each target's score (step 1: needles, no needling; step 2: IMS, acupuncture), then
    every contribution: points (capped ones say so), rule id, topic, answer, reason."""
    w = Wording(content, t.lang)
    parts = [f'<p class="clin-cite">{e(w.t("export_scores", cap=content.meta.lean.topic_cap))}</p>']
    order = (*STEP1, *STEP2)
    targets = sorted(saved.options, key=lambda o: order.index(o.target) if o.target in order else len(order))
    for target in targets:
        colour = OPTION_COLOURS.get(target.target, "#333")
        parts.append(
            f'<p class="clin-option" style="color:{colour}">{e(w.option_name(target.target))}: '
            f"{e(w.points(target.score))}</p>"
        )
        if not target.contributions:
            parts.append(f'<p class="clin-missing">{e(t("clin_no_points"))}</p>')
            continue
        rows = "".join(_contribution_row(content, c, w) for c in target.contributions)
        parts.append(
            f'<table class="clin-table clin-scores"><thead><tr><th>{e(t("clin_col_points"))}</th>'
            f"<th>{e(t('clin_col_rule'))}</th><th>{e(t('clin_col_answer'))}</th><th>{e(t('clin_col_reason'))}</th>"
            f"</tr></thead><tbody>{rows}</tbody></table>"
        )
    return "".join(parts)


def _contribution_row(content: Content, c: Contribution, w: Wording) -> str:
    capped = f'<br><span class="clin-missing">{e(w.t("export_capped", full=c.full_points))}</span>' if c.capped else ""
    topic = f'<br><span class="clin-cite">{e(w.topic_name(c.topic))}</span>' if c.topic else ""
    return (
        f'<tr><td class="num">{c.points:+d}{capped}</td><td><code>{e(c.rule)}</code>{topic}</td>'
        f"<td>{e(w.question_label(c.question))}: {e(w.answer_text(c.question, c.answer))}</td>"
        f"<td>{e(export.reason_text(content, c, w.lang))}</td></tr>"
    )


def talk_prompts_html(t: Words) -> str:
    """BRAN: benefits, risks, alternatives, and what if I do nothing."""
    items = "".join(
        f"<li>{e(t(key))}</li>"
        for key in (
            "clin_talk_benefits",
            "clin_talk_risks",
            "clin_talk_alternatives",
            "clin_talk_nothing",
            "clin_talk_values",
        )
    )
    return f'<ul class="clin-prompts">{items}</ul>'


# ------------------------------------------------------------------ issue 17: the three minutes


def glance_html(content: Content, answers: Mapping[str, str], t: Words) -> str:
    """The one-line summary the physiotherapist reads first (area and duration, wants
    needles, anxiety, twitch, soreness, time, tried before), from the same function as the PDF."""
    w = Wording(content, t.lang)
    parts = []
    for label, value in export.summary_parts(content, answers, w):
        missing = value == t("clin_not_answered")
        shown = f'<span class="clin-missing">{e(value)}</span>' if missing else e(value)
        parts.append(f"<b>{e(label)}:</b> {shown}" if label else f"<b>{shown}</b>")
    return f'<p class="clin-glance">{"<span class=sep> · </span>".join(parts)}</p>'


def clinician_lean_html(content: Content, saved: Result, t: Words, *, live: bool = False) -> str:
    """Both steps in the physiotherapist's words (no "you decide"), with the points behind each step."""
    w = Wording(content, t.lang)

    def pts(target: str) -> str:
        found = saved.target(target)
        return f"{w.option_name(target)} {w.points(found.score if found else 0)}"

    lines = "".join(f"<p>{e(line)}</p>" for line in export.clinician_lean(saved, w))
    scores = " | ".join(" · ".join(pts(o) for o in step) for step in (STEP1, STEP2))
    title = f"<p class='clin-cite'>{e(t('clin_live_lean'))}</p>" if live else ""
    note = f'<p class="lean-note">{e(scores)}</p>'
    return f'<div class="clin-live" role="status" aria-live="polite">{title}{lines}{note}</div>'


def checklist_html(content: Content, answers: Mapping[str, str], t: Words) -> str:
    """Every screened safety item with yes / no / not sure / skipped (absolute ones marked),
    then the items the tablet does not screen, to ask."""
    w = Wording(content, t.lang)
    items = []
    for item in export.checklist(content, answers):
        said = w.t(f"export_check_{item.answer or 'skipped'}")
        kind = "yes" if item.answer == "yes" else "skipped" if item.answer is None else ""
        mark = f'<span class="abs">{e(w.t("export_check_absolute"))}</span>' if item.absolute else ""
        items.append(f'<li>{e(w.question_label(item.question))}{mark}: <span class="{kind}">{e(said)}</span></li>')
    asks = "".join(
        f"<li><b>{e(x.label.get(t.lang))}</b>: {e(x.clinician.get(t.lang))}</li>" for x in content.unscreened
    )
    unscreened = (
        f'<p class="clin-behind">{e(t("clin_unscreened"))}</p><ul class="clin-prompts">{asks}</ul>' if asks else ""
    )
    return f'<ul class="clin-check">{"".join(items)}</ul>{unscreened}'


def checklist_label(content: Content, answers: Mapping[str, str], t: Words) -> str:
    """The checklist's expander label with its counts: "Contraindication checklist: 2 YES, 3 SKIPPED: ask"."""
    w = Wording(content, t.lang)
    found = export.checklist(content, answers)
    counts = []
    for key, hit in (("yes", "yes"), ("not_sure", "not_sure"), ("skipped", None)):
        n = sum(1 for i in found if i.answer == hit)
        if n:
            counts.append(f"{n} {w.t(f'export_check_{key}')}")
    return f"{t('export_checklist')}: {', '.join(counts)}" if counts else t("export_checklist")


def prompts_html(content: Content, saved: Result, answers: Mapping[str, str], t: Words, *, generic: bool = True) -> str:
    """Prompts that fit this patient (content/prompts.yaml), then (``generic``) the BRAN ones."""
    fits = export.talk_prompts(content, answers, [f.id for f in saved.flags])
    own = "".join(f"<li>{e(p.clinician.get(t.lang))}</li>" for p in fits)
    if not generic:
        return f'<ul class="clin-prompts">{own}</ul>' if own else ""
    head = f'<p class="clin-behind">{e(t("clin_talk_fits"))}</p><ul class="clin-prompts">{own}</ul>' if own else ""
    return f'{head}<p class="clin-behind">{e(t("clin_talk_always"))}</p>{talk_prompts_html(t)}'


def sure_compare_html(
    content: Content, saved: Result, answers: Mapping[str, str], extras: RecordExtras, t: Words
) -> str:
    """SURE before (the tablet) and after the talk, side by side, with the score and needs of each."""
    w = Wording(content, t.lang)
    after = extras.sure_after.answers if extras.sure_after else {}
    missing = f'<span class="clin-missing">{e(t("clin_not_answered"))}</span>'

    def cell(qid: str, given: Mapping[str, str]) -> str:
        code = given.get(qid)
        if code is None:
            return missing
        return f'<span class="{"no" if code == "no" else ""}">{e(w.answer_text(qid, code))}</span>'

    rows = "".join(
        f"<tr><td>{e(q.label.get(t.lang))}</td><td>{cell(q.id, answers)}</td><td>{cell(q.id, after)}</td></tr>"
        for q in content.questions_of_kind("sure")
    )
    before_score = sure_score(content, answers)
    after_cell = (
        e(
            w.t(
                "export_sure_score",
                score=sure_score(content, after).score,
                answered=sure_score(content, after).answered,
            )
        )
        if after
        else f'<span class="clin-missing">{e(w.t("export_sure_after_none"))}</span>'
    )
    foot = (
        f"<tr><th></th><th>{e(w.t('export_sure_score', score=before_score.score, answered=before_score.answered))}</th>"
        f"<th>{after_cell}</th></tr>"
    )
    head = f"<tr><th></th><th>{e(t('clin_sure_before'))}</th><th>{e(t('clin_sure_after'))}</th></tr>"
    verdict = sure_verdict(content, saved, t)
    if after:
        got = sure_score(content, after)
        if got.needs:
            needs = ", ".join(w.t(f"export_need_{n}") for n in got.needs)
            said = f"{t('clin_sure_after')}: {w.t('export_sure_unsure', needs=needs)}"
            verdict += f'<p class="clin-sure-unsure">{e(said)}</p>'
        elif got.answered == len(content.sure_ids):
            verdict += f'<p class="clin-sure-ok">{e(t("clin_sure_after"))}: {e(w.t("export_sure_sure"))}</p>'
    table = (
        f'<table class="clin-table clin-sure-cmp"><thead>{head}</thead><tbody>{rows}</tbody>'
        f"<tfoot>{foot}</tfoot></table>"
    )
    return f"{verdict}{table}"


def consent_line(content: Content, consent: ConsentRecord | None, t: Words, zone: tzinfo) -> str:
    """One line: what was recorded (decision, option, who, when), or that nothing was yet."""
    if consent is None:
        return t("clin_consent_none")
    w = Wording(content, t.lang)
    return t(
        "clin_consent_recorded",
        decision=w.t(f"export_consent_{consent.decision}"),
        option=export.consent_option_name(w)(consent.option_chosen),
        name=consent.physio_name,
        registration=consent.physio_registration,
        when=_when(consent.recorded_at, zone),
    )
