"""HTML for the physiotherapist's view of one set of answers (a handoff record or a
live assessment). Pure functions returning strings, like ui/panels.py.

Everything is drawn from the saved result JSON (``Result.to_json``), the answers
and the content, so what the physiotherapist sees is what the patient saw and
what the PDF says. Words for the lean and SURE come from ``decision.records.export`` so
the screen and the chart summary never disagree.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from datetime import datetime, tzinfo

from decision.content import Content
from decision.records import export
from decision.records.saved import HandoffRecord, SavedContribution, SavedFlag, SavedResult
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
.clin-meta { display: flex; flex-wrap: wrap; gap: 0.3rem 1.4rem; margin: 0 0 0.6rem; font-size: 0.95rem; }
.clin-meta b { font-weight: 800; }
.clin-note { background: #fff4d9; border: 2px solid #a86400; border-radius: 0.4rem; padding: 0.4rem 0.8rem;
  color: #3d2600; margin: 0 0 0.6rem; }
.clin-flag { border-radius: 0.5rem; padding: 0.5rem 0.9rem; margin: 0 0 0.5rem; border: 3px solid; }
.clin-flag p { margin: 0.1rem 0; }
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
.clin-prompts li { margin: 0.3rem 0; }
.lean { border-left: 8px solid; border-radius: 0.5rem; background: #f6f8fa; padding: 0.6rem 1rem; margin: 0 0 0.6rem; }
.lean .lean-text { font-weight: 700; font-size: 1.05rem; margin: 0.2rem 0 0.5rem; }
.lean .lean-note { font-size: 0.92rem; color: #2b3340; margin: 0.2rem 0; }
.clin-cite { color: #3b4452; font-size: 0.85rem; }
@media print {
  .st-key-clin_actions, .st-key-clin_topbar, .st-key-code_form, .st-key-clin_mode_box,
  [data-testid="stDownloadButton"], [data-testid="stExpander"] summary { display: none !important; }
}
</style>
"""


def _when(value: datetime, zone: tzinfo) -> str:
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z").strip()


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


def _behind(flag: SavedFlag, answers: Mapping[str, str], w: Wording) -> str:
    """Every question in the flag's condition with the patient's answer."""
    questions = flag.questions or (flag.question,)
    return "; ".join(
        f"{w.question_label(q)}: {w.answer_text(q, answers.get(q)) or w.t('clin_not_answered')}" for q in questions
    )


def _flag_box(content: Content, flag: SavedFlag, answers: Mapping[str, str], w: Wording, tag: str) -> str:
    options = ", ".join(w.option_name(o) for o in flag.options)
    return (
        f'<div class="clin-flag clin-flag-{e(flag.level)}"><p><span class="clin-tag">{e(tag)}'
        f'</span><span class="clin-behind">{e(_behind(flag, answers, w))}</span></p>'
        f"<p>{e(export.flag_text(content, flag, w.lang))}</p>"
        f'<p class="clin-cite">{e(w.t("clin_applies_to", options=options))} · <code>{e(flag.id)}</code></p>'
        "</div>"
    )


def flags_html(content: Content, saved: SavedResult, answers: Mapping[str, str], t: Words) -> str:
    """Flags first: stop, caution, then the notes; safety questions left unanswered grouped
    in one box, each named. "No flags" only when nothing at all was raised."""
    w = Wording(content, t.lang)
    if not saved.flags:
        return f'<p class="clin-missing">{e(t("clin_no_flags"))}</p>'
    tags = {"stop": t("clin_level_stop"), "caution": t("clin_level_caution"), "info": t("clin_level_info")}
    out = []
    for level in LEVEL_ORDER:
        for flag in saved.flags:
            if flag.level == level and not flag.skipped:
                out.append(_flag_box(content, flag, answers, w, tags[level]))
    skipped = saved.skipped_safety
    if skipped:
        items = "".join(f"<li>{e(w.question_label(q))}</li>" for q in skipped)
        out.append(
            f'<div class="clin-flag clin-flag-info"><p><span class="clin-tag">{e(tags["info"])}</span>'
            f'<span class="clin-behind">{e(w.t("export_skipped"))}</span></p><ul>{items}</ul></div>'
        )
    return "".join(out)


def lean_html(content: Content, saved: SavedResult, t: Words) -> str:
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
    scores = f"{pts('needles')} · {pts('no_needling')} | {pts('ims')} · {pts('acupuncture')}"
    stopped = ""
    if lean.stopped_options and not lean.stopped:
        names = ", ".join(w.option_name(o) for o in lean.stopped_options)
        stopped = f'<p class="lean-note">{e(t("clin_stopped_one", options=names))}</p>'
    return (
        f'<div class="lean" style="border-color:{colour}">{steps}'
        f'<p class="lean-note">{e(scores)}</p>{stopped}'
        f'<p class="lean-note">{e(t("clin_not_prescription"))}</p></div>'
    )


def sure_html(content: Content, saved: SavedResult, answers: Mapping[str, str], t: Words) -> str:
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
    verdict = ""
    if sure.not_answered:
        items = ", ".join(w.question_label(q) for q in sure.not_answered)
        verdict += f'<p class="clin-note" role="status">{e(w.t("export_sure_incomplete", items=items))}</p>'
    if sure.needs:
        needs = ", ".join(w.t(f"export_need_{n}") for n in sure.needs)
        verdict += f'<p class="clin-sure-unsure" role="alert">{e(w.t("export_sure_unsure", needs=needs))}</p>'
    elif not sure.unsure:
        verdict += f'<p class="clin-sure-ok">{e(w.t("export_sure_sure"))}</p>'
    return f'{verdict}{score}<table class="clin-table clin-answers"><tbody>{rows}</tbody></table>{cite}'


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


def scores_html(content: Content, saved: SavedResult, saved_lang: str, t: Words) -> str:
    """Each target's score (step 1: needles, no needling; step 2: IMS, acupuncture), then
    every contribution: points (capped ones say so), rule id, topic, answer, reason."""
    w = Wording(content, t.lang)
    parts = [f'<p class="clin-cite">{e(w.t("export_scores", cap=content.meta.lean.topic_cap))}</p>']
    order = ("needles", "no_needling", "ims", "acupuncture")
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
        rows = "".join(_contribution_row(content, c, saved_lang, w) for c in target.contributions)
        parts.append(
            f'<table class="clin-table clin-scores"><thead><tr><th>{e(t("clin_col_points"))}</th>'
            f"<th>{e(t('clin_col_rule'))}</th><th>{e(t('clin_col_answer'))}</th><th>{e(t('clin_col_reason'))}</th>"
            f"</tr></thead><tbody>{rows}</tbody></table>"
        )
    return "".join(parts)


def _contribution_row(content: Content, c: SavedContribution, saved_lang: str, w: Wording) -> str:
    capped = (
        f'<br><span class="clin-missing">{e(w.t("export_capped", full=c.written_points))}</span>' if c.capped else ""
    )
    topic = f'<br><span class="clin-cite">{e(w.topic_name(c.topic))}</span>' if c.topic else ""
    return (
        f'<tr><td class="num">{c.points:+d}{capped}</td><td><code>{e(c.rule)}</code>{topic}</td>'
        f"<td>{e(w.question_label(c.question))}: {e(w.answer_text(c.question, c.answer))}</td>"
        f"<td>{e(export.reason_text(content, c, w.lang, saved_lang))}</td></tr>"
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
