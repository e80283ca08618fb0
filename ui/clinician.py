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
from typing import Any

from decision.records import export
from decision.content import Content
from decision.records.store import HandoffRecord
from ui.charts import OPTION_COLOURS
from ui.words import Words

e = html.escape
LEVEL_ORDER = ("stop", "caution", "info")

# Staff-only messages about the app itself (not content): shown before or around the
# clinician's work, never with a path, a database name or an error's text.
STAFF_WORDS = {
    "pin_unavailable": {
        "en": "The PIN cannot be checked just now. Try again in a moment; if this keeps happening, "
        "tell the person who looks after the app.",
        "fr": "Le NIP ne peut pas être vérifié pour l'instant. Réessayez dans un moment; si cela se répète, "
        "avertissez la personne qui s'occupe de l'application.",
    },
    "export_failed": {
        "en": "This file could not be made just now. The answers on the screen are complete; "
        "try again, or print this page.",
        "fr": "Ce fichier n'a pas pu être créé pour l'instant. Les réponses à l'écran sont complètes; "
        "réessayez, ou imprimez cette page.",
    },
}


def staff_words(key: str, lang: str) -> str:
    words = STAFF_WORDS[key]
    return words.get(lang, words["en"])


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
        note = f'<p class="clin-note">{e(t("clin_older_version", saved=record.content_version, current=content.version))}</p>'
    return f'<div class="clin-meta">{meta}</div>{note}'


def flags_html(content: Content, result: Mapping[str, Any], answers: Mapping[str, str], t: Words) -> str:
    """Flags first: stop, caution, info; each with the question and answer behind it."""
    flags = sorted(result.get("flags") or [], key=lambda f: LEVEL_ORDER.index(f.get("level", "info")))
    if not flags:
        return f'<p class="clin-missing">{e(t("clin_no_flags"))}</p>'
    tags = {"stop": t("clin_level_stop"), "caution": t("clin_level_caution"), "info": t("clin_level_info")}
    out = []
    for flag in flags:
        level = flag.get("level", "info")
        qid = str(flag.get("question", ""))
        code = str(flag.get("answer") or answers.get(qid, ""))
        behind = (
            f"{export.question_label(content, qid, t.lang)}: "
            f"{export.answer_text(content.questions.get(qid), code, t.lang)}"
        )
        options = ", ".join(export.option_name(content, o, t.lang) for o in flag.get("options") or [])
        out.append(
            f'<div class="clin-flag clin-flag-{e(level)}"><p><span class="clin-tag">{e(tags.get(level, level))}'
            f'</span><span class="clin-behind">{e(behind)}</span></p>'
            f"<p>{e(export.flag_text(content, flag, t.lang))}</p>"
            f'<p class="clin-cite">{e(t("clin_applies_to", options=options))} · <code>{e(flag.get("id", ""))}</code></p>'
            "</div>"
        )
    return "".join(out)


def lean_html(content: Content, result: Mapping[str, Any], t: Words) -> str:
    lean = result.get("lean") or {}
    colour = OPTION_COLOURS.get(lean.get("option") or "", "#3b4452")
    text = export.lean_sentence(content, dict(result), t.lang)
    strengths = {"strong": t("strength_strong"), "slight": t("strength_slight"), "none": t("strength_none")}
    strength = strengths.get(lean.get("strength", "none"), "") if lean.get("option") != "no_needling" else ""
    scores = " · ".join(
        f"{export.option_name(content, o.get('id', ''), t.lang)} {o.get('score', 0)}"
        for o in result.get("options") or []
    )
    extra = f'<p class="lean-note">{e(t("strength_label"))} <strong>{e(strength)}</strong> · {e(scores)}</p>' if strength else ""
    return (
        f'<div class="lean" style="border-color:{colour}"><p class="lean-text">{e(text)}</p>{extra}'
        f'<p class="lean-note">{e(t("clin_not_prescription"))}</p></div>'
    )


def sure_html(content: Content, result: Mapping[str, Any], answers: Mapping[str, str], t: Words) -> str:
    """SURE score; a clear note, and which needs a "no" points to, when the patient is not yet sure."""
    sure = result.get("sure")
    words = export.WORDS[t.lang]
    cite = f'<p class="clin-cite">{e(words["sure_cite"])}</p>'
    if not sure:
        return f'<p class="clin-missing">{e(words["sure_none"])}</p>{cite}'
    rows = "".join(
        f"<tr><td>{e(q.text.get(t.lang))}</td><td>"
        f"{e(export.answer_text(q, answers[q.id], t.lang)) if q.id in answers else '<span class=clin-missing>—</span>'}"
        "</td></tr>"
        for q in content.questions_of_kind("sure")
    )
    score = f'<p>{e(words["sure_score"].format(score=sure.get("score", 0), answered=sure.get("answered", 0)))}</p>'
    if sure.get("unsure"):
        needs = ", ".join(words.get(f"need_{n}", n) for n in sure.get("needs") or []) or words["need_certainty"]
        verdict = f'<p class="clin-sure-unsure" role="alert">{e(words["sure_unsure"].format(needs=needs))}</p>'
    else:
        verdict = f'<p class="clin-sure-ok">{e(words["sure_sure"])}</p>'
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
                e(export.answer_text(q, code, t.lang))
                if code
                else f'<span class="clin-missing">{e(t("clin_not_answered"))}</span>'
            )
            rows.append(f"<tr><td>{e(q.label.get(t.lang))}</td><td>{shown}</td></tr>")
        parts.append(
            f'<table class="clin-table clin-answers"><thead><tr><th colspan="2">{e(section.title.get(t.lang))}</th></tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>'
        )
    return "".join(parts)


def scores_html(content: Content, result: Mapping[str, Any], saved_lang: str, t: Words) -> str:
    """Each option's score, then every contribution: rule id, question, answer, points, reason."""
    parts = []
    for option in result.get("options") or []:
        oid = option.get("id", "")
        colour = OPTION_COLOURS.get(oid, "#333")
        parts.append(
            f'<p class="clin-option" style="color:{colour}">{e(export.option_name(content, oid, t.lang))}: '
            f'{e(t("points", n=option.get("score", 0)))}</p>'
        )
        contributions = option.get("contributions") or []
        if not contributions:
            parts.append(f'<p class="clin-missing">{e(t("clin_no_points"))}</p>')
            continue
        rows = "".join(
            f'<tr><td class="num">{int(c.get("points", 0)):+d}</td><td><code>{e(str(c.get("rule", "")))}</code></td>'
            f'<td>{e(export.question_label(content, str(c.get("question", "")), t.lang))}: '
            f'{e(export.answer_text(content.questions.get(str(c.get("question", ""))), str(c.get("answer", "")), t.lang))}</td>'
            f"<td>{e(export.reason_text(content, c, t.lang, saved_lang))}</td></tr>"
            for c in contributions
        )
        parts.append(
            f'<table class="clin-table clin-scores"><thead><tr><th>{e(t("clin_col_points"))}</th><th>{e(t("clin_col_rule"))}</th>'
            f'<th>{e(t("clin_col_answer"))}</th><th>{e(t("clin_col_reason"))}</th></tr></thead><tbody>{rows}</tbody></table>'
        )
    return "".join(parts)


def talk_prompts_html(t: Words) -> str:
    """BRAN: benefits, risks, alternatives, and what if I do nothing."""
    items = "".join(f"<li>{e(t(key))}</li>" for key in ("clin_talk_benefits", "clin_talk_risks",
                                                          "clin_talk_alternatives", "clin_talk_nothing",
                                                          "clin_talk_values"))
    return f'<ul class="clin-prompts">{items}</ul>'
