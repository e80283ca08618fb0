"""Downloads for the clinician: a one-page PDF summary, a FHIR R4 QuestionnaireResponse, a CSV.

Each takes the loaded content, a :class:`~decision.records.store.HandoffRecord` and the
language to write in. Scores, flags and the lean are the ones saved in the record
(what the patient saw); the content only gives the words, so a record made with an
older content version still exports, with its answer codes where a text is gone.
No name is ever written: the record has none.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import TypeVar

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from decision.conditions import compile_condition
from decision.content import Content
from decision.engine import Contribution, RaisedFlag, Result, Step, text_in
from decision.errors import DecisionError
from decision.models import TalkPrompt
from decision.records.consent import (
    CHOSEN_OPTIONS,
    COVERED,
    DECISIONS,
    DISCUSSED_OPTIONS,
    ConsentRecord,
    RecordExtras,
    sure_score,
)

# The FHIR resources live in decision/fhir.py; fhir_questionnaire_response is re-exported so nothing breaks.
from decision.records.fhir import ANSWER_SYSTEM as QUESTIONNAIRE_URN  # noqa: F401
from decision.records.fhir import HANDOFF_CODE_SYSTEM, LANG_TAGS, fhir_questionnaire_response  # noqa: F401
from decision.records.saved import HandoffRecord
from decision.wording import Wording

CSV_HEADER = ("section", "question_id", "question", "answer_code", "answer")

LANGS = ("en", "fr")

_T = TypeVar("_T")


class ExportError(DecisionError):
    """A download cannot be made: the PDF library did not give what it was asked for."""


def _lang(lang: str) -> str:
    return lang if lang in LANGS else "en"


def flag_text(content: Content, flag: RaisedFlag, lang: str) -> str:
    """The clinician's wording of a flag, in ``lang``; the saved message if the flag is gone."""
    found = next((f for f in content.flags if f.id == flag.id), None)
    return found.clinician.get(lang) if found is not None else text_in(flag.message, lang)


def reason_text(content: Content, c: Contribution, lang: str) -> str:
    """A contribution's reason in ``lang``: its own words when it has them in ``lang`` (a
    record's are the ones it was saved with), else the rule's, else the saved words if the
    rule is gone."""
    if lang in c.reason:
        return c.reason[lang]
    rule = next((r for r in content.rules if r.id == c.rule), None)
    return rule.reason.get(lang) if rule is not None else text_in(c.reason, lang)


# --------------------------------------------------------------------------- what the physiotherapist reads first

# The answers a physiotherapist wants at a glance, in this order (question ids of the contract).
SUMMARY_QUESTIONS = (
    ("main_area", "duration"),
    ("wants_needles",),
    ("needle_feelings",),
    ("strong_sensation",),
    ("soreness_after",),
    ("visit_time", "lie_still"),
    ("past_ims", "past_acupuncture"),
)


def summary_parts(content: Content, answers: Mapping[str, str], w: Wording) -> list[tuple[str, str]]:
    """(label, answer) for the one-line summary: area and duration first (without labels), then
    wants needles, anxiety, twitch, soreness, time, tried before; an unanswered first question
    of each says so, a second one (lying still, acupuncture before) is left out."""
    out: list[tuple[str, str]] = []
    c = _colon(w.lang)
    for group in SUMMARY_QUESTIONS:
        present = [q for q in group if q in content.questions]
        if not present:
            continue
        if group[0] == "main_area":
            given = [w.answer_text(q, answers[q]) for q in present if q in answers]
            out.append(
                ("", ", ".join(given) if given else f"{w.question_label('main_area')}{c}{w.t('clin_not_answered')}")
            )
            continue
        for i, q in enumerate(present):
            if i and q not in answers:
                continue  # a second question (lying still, acupuncture before) only when answered
            out.append((w.question_label(q), w.answer_text(q, answers.get(q)) or w.t("clin_not_answered")))
    return out


@dataclass(frozen=True, slots=True)
class CheckItem:
    """One screened safety item: the answer (yes, no, not_sure; None = skipped), and whether
    a yes is an absolute contraindication (its flag stops needling)."""

    question: str
    answer: str | None
    absolute: bool
    level: str | None  # the level of the flag this answer raised, if any


def checklist(content: Content, answers: Mapping[str, str]) -> list[CheckItem]:
    """Every safety item of the content, in order, with the patient's answer; built from the
    safety questions and their flags, so a new safety item appears here by itself."""
    items = []
    for q in content.questions_of_kind("safety"):
        yes_levels = {f.level for f in content.flags if f.when.question == q.id and "yes" in f.when.codes}
        answer = answers.get(q.id)
        raised = {f.level for f in content.flags if f.when.question == q.id and answer in f.when.codes}
        level = next((lv for lv in ("stop", "caution", "info") if lv in raised), None)
        items.append(CheckItem(q.id, answer, "stop" in yes_levels, level))
    return items


def talk_prompts(content: Content, answers: Mapping[str, str], flag_ids: Iterable[str]) -> list[TalkPrompt]:
    """The content's talk prompts that fit this patient: its condition holds or one of its flags was raised."""
    raised = set(flag_ids)
    return [
        p
        for p in content.prompts
        if (p.when is not None and compile_condition(p.when)(answers) is not None) or raised.intersection(p.flags)
    ]


def clinician_lean(saved: Result, w: Wording) -> list[str]:
    """Both steps in the physiotherapist's words ("Step 1: ...: Needles (Big)"), never "you decide"."""
    lean = saved.lean

    def step(title_key: str, got: Step, extra: str | None) -> str:
        title = w.t(title_key)
        if extra is not None or got.option is None:
            return w.t("clin_lean_plain", step=title, text=extra or w.t("clin_lean_no_lean"))
        strength = w.t(f"clin_lean_{got.strength}")
        return w.t("clin_lean_step", step=title, option=w.option_name(got.option), strength=strength)

    first = (
        w.t("clin_lean_stopped")
        if lean.stopped
        else w.t("clin_lean_wish")
        if lean.wish
        else w.t("clin_lean_few")
        if not lean.enough_answers and lean.step1.option is None
        else None
    )
    lines = [step("clin_lean_step1", lean.step1, first)]
    if not lean.stopped:
        lines.append(step("clin_lean_step2", lean.step2, None if lean.enough_answers else w.t("clin_lean_few")))
    if lean.very_anxious:
        lines.append(w.t("clin_lean_anxious"))
    return lines


def consent_option_name(w: Wording) -> Callable[[str], str]:
    """The words for an option discussed or chosen (decide_later included)."""
    return lambda o: w.t("export_consent_decide_later") if o == "decide_later" else w.option_name(o)


def date_text(when: datetime, lang: str) -> str:
    """A date a patient reads: "March 2, 2026" / "2 mars 2026"."""
    months_fr = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
                 "novembre", "décembre")  # fmt: skip
    if lang == "fr":
        return f"{'1er' if when.day == 1 else when.day} {months_fr[when.month - 1]} {when.year}"
    return f"{when:%B} {when.day}, {when.year}"


# --------------------------------------------------------------------------- PDF

# Helvetica (a PDF core font, nothing to ship) with Windows-1252 covers French,
# including ’ “ ” « » – — … œ. Anything else is mapped to a close equivalent.
PDF_ENCODING = "windows-1252"
_PDF_MAP = str.maketrans(
    {
        "\u202f": "\u00a0",
        "\u2009": " ",
        "\u200b": "",
        "\u2010": "-",
        "\u2011": "-",
        "\u2212": "-",
        "\u2264": "<=",
        "\u2265": ">=",
        "\u2192": "->",
        "\u2190": "<-",
        "\u2713": "v",
        "\u2717": "x",
    }
)
LEVEL_COLOURS = {"stop": (176, 0, 32), "caution": (150, 85, 0), "info": (40, 70, 120)}


def pdf_text(text: str) -> str:
    """``text`` made printable with a core font: unchanged when it can be, else its nearest letters."""
    text = text.translate(_PDF_MAP)
    try:
        text.encode(PDF_ENCODING)
        return text
    except UnicodeEncodeError:
        pass
    out = []
    for ch in text:
        try:
            ch.encode(PDF_ENCODING)
            out.append(ch)
        except UnicodeEncodeError:
            plain = unicodedata.normalize("NFKD", ch).encode(PDF_ENCODING, "ignore").decode(PDF_ENCODING)
            out.append(plain or "?")
    return "".join(out)


class _Summary(FPDF):
    def __init__(self, size: float):
        super().__init__(format="Letter", unit="mm")
        self.core_fonts_encoding = PDF_ENCODING
        self.size = size
        self.lh = size * 0.45  # mm per line of text
        self.set_margins(14, 12, 14)
        self.set_auto_page_break(True, margin=12)
        self.add_page()

    def font(self, style: str = "", scale: float = 1.0) -> None:
        self.set_font("Helvetica", style, self.size * scale)

    def para(
        self,
        text: str,
        style: str = "",
        scale: float = 1.0,
        colour: tuple[int, int, int] = (0, 0, 0),
        indent: float = 0,
        w: float = 0,
    ) -> None:
        self.font(style, scale)
        self.set_text_color(*colour)
        self.set_x(self.l_margin + indent)
        self.multi_cell(
            w or self.epw - indent, self.lh * scale, pdf_text(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        self.set_text_color(0, 0, 0)

    def tagged(self, tag: str, colour: tuple[int, int, int], text: str, indent: float = 0) -> None:
        """A bold coloured tag, then the text wrapping on under it."""
        self.set_x(self.l_margin + indent)
        self.font("B")
        self.set_text_color(*colour)
        self.write(self.lh, pdf_text(tag + " "))
        self.font()
        self.set_text_color(0, 0, 0)
        self.write(self.lh, pdf_text(text))
        self.ln(self.lh)

    def heading(self, text: str) -> None:
        self.ln(self.lh * 0.5)
        self.para(text, "B", 1.15)
        y = self.get_y()
        self.set_draw_color(160, 160, 160)
        self.line_at(y)

    def line_at(self, y: float) -> None:
        super().line(self.l_margin, y, self.l_margin + self.epw, y)
        self.set_y(y + 0.8)

    def wrapped_height(self, w: float, style: str, text: str) -> float:
        """The height ``text`` takes in ``style``, wrapped to the width ``w`` (measured, not written)."""
        self.font(style)
        lines = self.multi_cell(w, self.lh, pdf_text(text), align="L", dry_run=True, output="LINES")
        if not isinstance(lines, list):  # output="LINES" gives the wrapped lines alone
            raise ExportError(f"fpdf gave {type(lines).__name__} for the wrapped lines of a text")
        return len(lines) * self.lh

    def columns(self, rows: list[tuple[str, str]], *, keep_titles: bool = True) -> None:
        """Rows of (style, text) in two balanced columns (a bold row is a title, kept with what follows)."""
        gutter = 6
        w = (self.epw - gutter) / 2
        self.font()
        heights = [self.wrapped_height(w, style, text) for style, text in rows]
        start = 0
        while start < len(rows):
            top = self.get_y()
            room = self.page_break_trigger - top
            limits = (min(room, sum(heights[start:]) / 2), room)  # balanced when it fits, else fill the page
            spans = []
            for limit in limits:
                end, used = start, 0.0
                while end < len(rows) and (end == start or used + heights[end] <= limit + 0.01):
                    used += heights[end]
                    end += 1
                if keep_titles and end - start > 1 and end < len(rows) and rows[end - 1][0] == "B":
                    end -= 1  # never leave a section title alone at the bottom of a column
                spans.append((start, end))
                start = end
            bottom = top
            for (a, b), x in zip(spans, (self.l_margin, self.l_margin + w + gutter), strict=True):
                self.set_y(top)
                for style, text in rows[a:b]:
                    self.font(style)
                    self.set_x(x)
                    self.multi_cell(w, self.lh, pdf_text(text), align="L", new_x=XPos.LEFT, new_y=YPos.NEXT)
                bottom = max(bottom, self.get_y())
            self.set_y(bottom)
            if start < len(rows):
                self.add_page()


def _colon(lang: str) -> str:
    return "\u00a0: " if lang == "fr" else ": "


def _flag_lines(
    pdf: _Summary,
    content: Content,
    record: HandoffRecord,
    saved: Result,
    w: Wording,
    *,
    compact: bool = False,
    brief: bool = False,
) -> None:
    """Flags first, stop then caution then info; skipped safety items in one line. ``compact``:
    info notes name only the answers behind them (their words are on screen); ``brief``:
    cautions keep their first sentence (a record with very many flags)."""
    c = _colon(w.lang)
    shown = [f for f in saved.flags if not f.skipped]
    if not saved.flags:
        pdf.para(w.t("export_no_flags"))
    for flag in shown:
        behind = "; ".join(
            f"{w.question_label(q)}{c}{w.answer_text(q, record.answers.get(q)) or w.t('export_not_answered')}"
            for q in (flag.questions or (flag.question,))
        )
        said = flag_text(content, flag, w.lang)
        if brief and flag.level == "caution":
            said = _first_sentence(said)
        words = "" if compact and flag.level == "info" else f" \u2014 {said}"
        pdf.tagged(w.t(f"export_level_{flag.level}"), LEVEL_COLOURS.get(flag.level, (0, 0, 0)), f"{behind}{words}")
    skipped = saved.skipped_safety
    if skipped:
        names = ", ".join(w.question_label(q) for q in skipped)
        pdf.tagged(w.t("export_level_info"), LEVEL_COLOURS["info"], f"{w.t('export_skipped')}{c}{names}")


def _first_sentence(text: str) -> str:
    end = re.search(r"[.!?](?:\s|$)", text)
    return text[: end.end()].strip() if end else text


def _score_lines(
    pdf: _Summary,
    content: Content,
    record: HandoffRecord,
    saved: Result,
    w: Wording,
    *,
    reasons: bool = True,
    ids_only: bool = False,
) -> None:
    """Each target's points, then each contribution with its rule id; without ``reasons``
    (to fit two pages) the reasons are left out and the lines go in two columns."""
    c = _colon(w.lang)
    rows: list[tuple[str, str]] = []
    for target in saved.options:
        rows.append(("B", f"{w.option_name(target.target)}{c}{w.points(target.score)}"))
        if not target.contributions:
            rows.append(("", w.t("export_no_points")))
        for contribution in target.contributions:
            capped = f" ({w.t('export_capped', full=contribution.full_points)})" if contribution.capped else ""
            answer = w.answer_text(contribution.question, contribution.answer)
            reason = f" \u2014 {reason_text(content, contribution, w.lang)}" if reasons else ""
            said = "" if ids_only else f"  {w.question_label(contribution.question)}{c}{answer}{reason}"
            rows.append(("", f"{contribution.points:+d}{capped}  [{contribution.rule}]{said}"))
    if not reasons:
        pdf.columns(rows)
        return
    for style, text in rows:
        pdf.para(text, style, indent=0 if style else 4)


def _sure_lines(pdf: _Summary, saved: Result, w: Wording) -> None:
    sure = saved.sure
    if sure is None:
        pdf.para(w.t("export_sure_none"))
    else:
        pdf.para(w.t("export_sure_score", score=sure.score, answered=sure.answered))
        if sure.not_answered:
            items = ", ".join(w.question_label(q) for q in sure.not_answered)
            pdf.tagged("!", LEVEL_COLOURS["caution"], w.t("export_sure_incomplete", items=items))
        if sure.needs:
            named = ", ".join(w.t(f"export_need_{n}") for n in sure.needs)
            pdf.tagged("!", LEVEL_COLOURS["stop"], w.t("export_sure_unsure", needs=named))
        elif not sure.unsure:
            pdf.para(w.t("export_sure_sure"))
    pdf.para(w.t("export_sure_cite"), "I", 0.9, colour=(90, 90, 90))


def _meta_line(pdf: _Summary, content: Content, record: HandoffRecord, w: Wording, zone: tzinfo) -> None:
    c = _colon(w.lang)
    when = record.created_at.astimezone(zone)
    zone_name = when.tzname() or "UTC"
    language = w.t(f"export_lang_{record.language}") if record.language in LANGS else record.language
    pdf.para(
        f"{w.t('export_code')}{c}{record.code}    {w.t('export_date')}{c}{when:%Y-%m-%d %H:%M} {zone_name}    "
        f"{w.t('export_version')}{c}{record.content_version}    {w.t('export_language')}{c}{language}",
        w=pdf.epw - LABEL_BOX[0] - 4,
    )


LABEL_BOX = (72.0, 24.0)  # mm: the chart label the physiotherapist sticks or writes on


def _label_box(pdf: _Summary, w: Wording) -> None:
    """An empty box, top right, for the patient's chart label (no name is ever printed)."""
    x = pdf.l_margin + pdf.epw - LABEL_BOX[0]
    y = pdf.t_margin
    pdf.set_draw_color(90, 90, 90)
    pdf.rect(x, y, *LABEL_BOX)
    pdf.set_xy(x + 1.5, y + 1.2)
    pdf.font("I", 0.9)
    pdf.set_text_color(90, 90, 90)
    pdf.cell(LABEL_BOX[0] - 3, pdf.lh, pdf_text(w.t("export_chart_label")))
    pdf.set_text_color(0, 0, 0)
    pdf.set_xy(pdf.l_margin, y)


def _summary_lines(pdf: _Summary, content: Content, record: HandoffRecord, w: Wording) -> None:
    c = _colon(w.lang)
    parts = [f"{label}{c}{value}" if label else value for label, value in summary_parts(content, record.answers, w)]
    pdf.para(" · ".join(parts), "B")


def _checklist_lines(pdf: _Summary, content: Content, record: HandoffRecord, w: Wording) -> None:
    c = _colon(w.lang)
    rows: list[tuple[str, str]] = []
    for item in checklist(content, record.answers):
        mark = f" [{w.t('export_check_absolute')}]" if item.absolute else ""
        said = w.t(f"export_check_{item.answer or 'skipped'}")
        rows.append(("B" if item.answer in ("yes", None) else "", f"{w.question_label(item.question)}{mark}{c}{said}"))
    for extra in content.unscreened:
        rows.append(("", f"{extra.label.get(w.lang)}{c}{w.t('export_check_ask')}"))
    pdf.columns(rows, keep_titles=False)


def _sure_compare(pdf: _Summary, content: Content, record: HandoffRecord, w: Wording, extras: RecordExtras) -> None:
    """SURE before (the patient's answers) and after the talk (when asked again)."""
    c = _colon(w.lang)
    _sure_lines(pdf, record.saved, w)
    after = extras.sure_after
    if after is None:
        pdf.para(f"{w.t('export_sure_after')}{c}{w.t('export_sure_after_none')}", "I")
        return
    got = sure_score(content, after.answers)
    items = ", ".join(
        f"{w.question_label(q)}{c}{w.answer_text(q, after.answers.get(q)) or w.t('export_not_answered')}"
        for q in content.sure_ids
    )
    pdf.para(f"{w.t('export_sure_after')}{c}{w.t('export_sure_score', score=got.score, answered=got.answered)} {items}")
    if got.needs:
        named = ", ".join(w.t(f"export_need_{n}") for n in got.needs)
        pdf.tagged("!", LEVEL_COLOURS["stop"], w.t("export_sure_unsure", needs=named))


def _consent_block(pdf: _Summary, content: Content, w: Wording, consent: ConsentRecord | None, zone: tzinfo) -> None:
    """The consent, as recorded in the view; without one, the same block to fill in by hand."""
    c = _colon(w.lang)
    top = pdf.get_y()
    pdf.ln(pdf.lh * 0.3)
    pdf.para(w.t("export_consent_title"), "B", 1.1, indent=2)
    box = "[x]" if consent is not None else "[ ]"
    empty = "[ ]"

    def ticks(options: tuple[str, ...], chosen: tuple[str, ...], name: Callable[[str], str]) -> str:
        return "   ".join(f"{box if o in chosen else empty} {name(o)}" for o in options)

    option = consent_option_name(w)
    discussed = consent.options_discussed if consent else ()
    chosen = (consent.option_chosen,) if consent else ()
    covered = consent.covered if consent else ()
    decision = (consent.decision,) if consent else ()
    asked = ("yes",) if consent and consent.questions_answered else ()
    lines = [
        f"{w.t('export_consent_discussed')}{c}{ticks(DISCUSSED_OPTIONS, discussed, option)}",
        f"{w.t('export_consent_chosen')}{c}{ticks(CHOSEN_OPTIONS, chosen, option)}",
        f"{w.t('export_consent_covered')}{c}{ticks(COVERED, covered, lambda k: w.t(f'export_consent_covered_{k}'))}",
        f"{w.t('export_consent_questions')}{c}{ticks(('yes',), asked, lambda _: w.t('export_consent_yes'))}",
        f"{w.t('export_consent_decision')}{c}{ticks(DECISIONS, decision, lambda k: w.t(f'export_consent_{k}'))}",
    ]
    for line in lines:
        pdf.para(line, indent=2)
    blank = "_" * 28
    if consent is not None:
        when = consent.recorded_at.astimezone(zone)
        who = f"{consent.physio_name}    {w.t('export_consent_registration')}{c}{consent.physio_registration}"
        stamp = f"{when:%Y-%m-%d %H:%M} {when.tzname() or 'UTC'}"
    else:
        who = f"{blank}    {w.t('export_consent_registration')}{c}{blank[:14]}"
        stamp = blank
    pdf.para(f"{w.t('export_consent_physio')}{c}{who}", "B" if consent else "", indent=2)
    pdf.para(f"{w.t('export_consent_when')}{c}{stamp}    {w.t('export_consent_signature')}{c}{blank}", indent=2)
    pdf.ln(pdf.lh * 0.3)
    pdf.set_draw_color(60, 60, 60)
    pdf.rect(pdf.l_margin, top, pdf.epw, pdf.get_y() - top)


def _render(
    content: Content,
    record: HandoffRecord,
    lang: str,
    size: float,
    zone: tzinfo,
    extras: RecordExtras,
    *,
    reasons: bool = True,
    compact: bool = False,
    brief: bool = False,
) -> _Summary:
    w = Wording(content, lang)
    saved = record.saved
    pdf = _Summary(size)
    pdf.set_title(pdf_text(f"{content.meta.title.get(lang)} - {record.code}"))
    pdf.set_lang(LANG_TAGS[lang])
    pdf.set_creation_date(record.created_at)

    _label_box(pdf, w)
    pdf.para(f"{content.meta.title.get(lang)}", "B", 1.3, w=pdf.epw - LABEL_BOX[0] - 4)
    pdf.para(w.t("export_summary"), "B", 1.1, w=pdf.epw - LABEL_BOX[0] - 4)
    _meta_line(pdf, content, record, w, zone)
    if extras.linked_code:
        pdf.para(w.t("export_linked", code=extras.linked_code), "I", w=pdf.epw - LABEL_BOX[0] - 4)
    if record.content_version != content.version:
        pdf.para(w.t("export_older_version", saved=record.content_version, current=content.version), "I")
    pdf.set_y(max(pdf.get_y(), pdf.t_margin + LABEL_BOX[1] + 1))

    pdf.heading(w.t("export_at_a_glance"))
    _summary_lines(pdf, content, record, w)

    pdf.heading(w.t("export_flags"))
    _flag_lines(pdf, content, record, saved, w, compact=compact, brief=brief)

    pdf.heading(w.t("export_lean"))
    for title, sentence in w.lean_lines(saved):
        pdf.para(f"{title} {sentence}".strip(), "B" if title else "I")

    pdf.heading(w.t("export_sure"))
    _sure_compare(pdf, content, record, w, extras)

    pdf.ln(pdf.lh * 0.6)
    _consent_block(pdf, content, w, extras.consent, zone)

    pdf.heading(w.t("export_checklist"))
    _checklist_lines(pdf, content, record, w)

    pdf.heading(w.t("export_answers"))
    rows: list[tuple[str, str]] = []
    c = _colon(lang)
    for section in content.sections:
        if section.kind != "questions":
            continue  # safety answers are in the checklist, SURE answers above
        rows.append(("B", section.title.get(lang)))
        for q in section.questions:
            code = record.answers.get(q.id)
            rows.append(
                ("", f"{q.label.get(lang)}{c}{w.answer_text(q.id, code) if code else w.t('export_not_answered')}")
            )
    extra = [qid for qid in record.answers if qid not in content.questions]
    if extra:
        rows.append(("B", w.t("export_other")))
        rows.extend(("", f"{qid}{c}{record.answers[qid]}") for qid in extra)
    pdf.columns(rows)

    pdf.heading(w.t("export_scores", cap=content.meta.lean.topic_cap))
    _score_lines(pdf, content, record, saved, w, reasons=reasons, ids_only=compact)

    pdf.ln(pdf.lh * 0.5)
    pdf.para(w.t("export_not_prescription"), "B", 1.0)
    return pdf


# (body size in pt, with the rules' reasons, info notes compact, cautions in one sentence):
# tried in order until it fits.
PDF_SIZES = ((10.0, True, False, False), (9.5, True, False, False), (9.0, True, False, False),
             (9.5, False, False, False), (9.0, False, False, False), (9.0, False, True, False),
             (9.0, False, True, True))  # fmt: skip
MAX_PAGES = 2


def summary_pdf(
    content: Content,
    record: HandoffRecord,
    lang: str,
    *,
    tz: tzinfo | None = None,
    extras: RecordExtras | None = None,
) -> bytes:
    """The chart summary, at most two Letter pages at 9 pt or more.

    First the chart-label box and the record's code and time, the answers that matter
    at a glance, flags, both steps, SURE before and after the talk, the consent block
    (filled in from ``extras.consent``, else blank to fill in by hand), the
    contraindication checklist, then every answer and every point with its rule id
    for audit. Times are shown in ``tz`` (UTC by default). When two pages are not
    enough, the rules' reasons are left out (their ids stay) before the type gets
    any smaller, and never below 9 pt.
    """
    lang = _lang(lang)
    extras = extras or RecordExtras()

    def render(sizes: tuple[float, bool, bool, bool]) -> _Summary:
        size, reasons, compact, brief = sizes
        return _render(content, record, lang, size, tz or UTC, extras, reasons=reasons, compact=compact, brief=brief)

    pdf = _first_that_fits(PDF_SIZES, render, MAX_PAGES)
    return bytes(pdf.output())


def _first_that_fits(tries: Sequence[_T], render: Callable[[_T], _Summary], max_pages: int) -> _Summary:
    """The PDF rendered with the first of ``tries`` that takes at most ``max_pages`` pages,
    else with the last one."""
    for attempt in tries[:-1]:
        pdf = render(attempt)
        if pdf.page_no() <= max_pages:
            return pdf
    return render(tries[-1])


# --------------------------------------------------------------------------- the take-home summary


def _take_home(
    content: Content, record: HandoffRecord, lang: str, extras: RecordExtras, zone: tzinfo, rows: int, size: float
) -> _Summary:
    w = Wording(content, lang)
    pdf = _Summary(size)
    pdf.set_title(pdf_text(content.meta.title.get(lang)))
    pdf.set_lang(LANG_TAGS[lang])
    pdf.set_creation_date(record.created_at)
    when = (extras.consent.recorded_at if extras.consent else record.created_at).astimezone(zone)
    pdf.para(content.meta.title.get(lang), "B", 1.4)
    pdf.para(f"{w.t('takehome_title')} \u2014 {date_text(when, lang)}", "B", 1.05)

    pdf.heading(w.t("takehome_chosen"))
    consent = extras.consent
    if consent is not None and consent.option_chosen != "decide_later":
        pdf.para(consent_option_name(w)(consent.option_chosen), "B", 1.1)
    else:
        pdf.para(w.t("takehome_not_decided"))
    take = content.take_home
    if take is not None:  # when to get help comes first: it is what must not be missed
        pdf.heading(w.t("takehome_get_help"))
        for item in take.get_help:
            pdf.para(f"\u2022 {item.get(lang)}", "B", colour=LEVEL_COLOURS["stop"], indent=2)

    pdf.heading(w.t("takehome_steps"))
    for title, sentence in w.lean_lines(record.saved):
        pdf.para(f"{title} {sentence}".strip(), "B" if title else "I")

    for row in content.comparison[:rows]:
        pdf.heading(row.question.get(lang))
        for oid in content.options:
            cell = row.cells.get(oid)
            if cell is not None:
                pdf.tagged(f"{w.option_name(oid)}{_colon(lang)}", OPTION_PDF_COLOURS.get(oid, (0, 0, 0)),
                           cell.short.get(lang))  # fmt: skip
    if take is not None:
        for key, items in (("questions", take.questions), ("watch_for", take.watch_for)):
            pdf.heading(w.t(f"takehome_{key}"))
            for item in items:
                pdf.para(f"\u2022 {item.get(lang)}", indent=2)
    pdf.ln(pdf.lh)
    pdf.para(content.meta.disclaimer.get(lang), "I", 0.95)
    return pdf


def take_home_pdf(
    content: Content,
    record: HandoffRecord,
    *,
    lang: str | None = None,
    extras: RecordExtras | None = None,
    tz: tzinfo | None = None,
    rows: int = 3,
) -> bytes:
    """The patient's own page, in their language (the record's, unless ``lang``): the option
    chosen (from the consent, if recorded), when to get help, the two steps, the grid's first
    ``rows`` rows, questions to ask and what is common after needling. One Letter page when it
    fits at 10 pt or more. No name, no code: nothing on it identifies the patient."""
    lang = _lang(lang or record.language)

    def render(size: float) -> _Summary:
        return _take_home(content, record, lang, extras or RecordExtras(), tz or UTC, rows, size)

    pdf = _first_that_fits((11.0, 10.5, 10.0), render, 1)
    return bytes(pdf.output())


OPTION_PDF_COLOURS = {"ims": (20, 90, 160), "acupuncture": (120, 60, 150), "no_needling": (40, 110, 60)}


# --------------------------------------------------------------------------- CSV

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def _cell(value: str) -> str:
    """Spreadsheets run cells that start like a formula: make them plain text."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def answers_csv(content: Content, record: HandoffRecord, lang: str, *, extras: RecordExtras | None = None) -> str:
    """Every question in the questionnaire, one row each, unanswered ones with an empty answer.

    Columns: section, question_id, question, answer_code, answer. Encode as
    ``utf-8-sig`` when saving so that spreadsheet programs show French accents.
    """
    lang = _lang(lang)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    w = Wording(content, lang)
    for section in content.sections:
        for q in section.questions:
            code = record.answers.get(q.id, "")
            answer = w.answer_text(q.id, code) if code else ""
            writer.writerow([_cell(v) for v in (section.title.get(lang), q.id, q.text.get(lang), code, answer)])
    for qid, code in record.answers.items():  # from an older content version
        if qid not in content.questions:
            writer.writerow([_cell(v) for v in ("", qid, "", code, code)])
    for row in result_rows(content, record, lang):
        writer.writerow([_cell(v) for v in row])
    for row in extras_rows(content, extras or RecordExtras(), lang):
        writer.writerow([_cell(v) for v in row])
    return buf.getvalue()


def extras_rows(content: Content, extras: RecordExtras, lang: str) -> Iterator[tuple[str, str, str, str, str]]:
    """After the result: the SURE items asked again after the talk (``<id>_after``), the consent
    (``consent_*``: the code in answer_code, its words in answer) and, for an assessment, the
    patient's code it started from. Nothing when none was recorded."""
    w = Wording(content, lang)
    after = extras.sure_after
    if after is not None:
        section = w.t("export_sure_after")
        for q in content.sure_ids:
            code = after.answers.get(q, "")
            yield section, f"{q}_after", w.question_text(q), code, w.answer_text(q, code) if code else ""
        got = sure_score(content, after.answers)
        yield section, "sure_after_score", w.t("export_sure"), str(got.score), f"{got.score}/4"
        yield section, "sure_after_recorded_at", w.t("export_consent_when"), after.recorded_at.isoformat(), ""
    consent = extras.consent
    if consent is not None:
        section = w.t("export_consent_title")
        name = consent_option_name(w)
        yes_no = {True: w.t("export_consent_yes"), False: w.t("export_consent_no")}
        rows = [
            ("consent_options_discussed", w.t("export_consent_discussed"), "+".join(consent.options_discussed),
             ", ".join(name(o) for o in consent.options_discussed)),
            ("consent_option_chosen", w.t("export_consent_chosen"), consent.option_chosen, name(consent.option_chosen)),
            *((f"consent_covered_{k}", w.t(f"export_consent_covered_{k}"), str(k in consent.covered).lower(),
               yes_no[k in consent.covered]) for k in COVERED),
            ("consent_questions_answered", w.t("export_consent_questions"), str(consent.questions_answered).lower(),
             yes_no[consent.questions_answered]),
            ("consent_decision", w.t("export_consent_decision"), consent.decision,
             w.t(f"export_consent_{consent.decision}")),
            ("consent_physio_name", w.t("export_consent_physio"), "", consent.physio_name),
            ("consent_physio_registration", w.t("export_consent_registration"), "", consent.physio_registration),
            ("consent_recorded_at", w.t("export_consent_when"), consent.recorded_at.isoformat(), consent.zone),
        ]  # fmt: skip
        for key, label, code, text in rows:
            yield section, key, label, code, text
    if extras.linked_code:
        yield w.t("export_lean"), "linked_code", w.t("export_linked", code=""), extras.linked_code, extras.linked_code


def result_rows(content: Content, record: HandoffRecord, lang: str) -> Iterator[tuple[str, str, str, str, str]]:
    """What the patient saw, after the answers: both steps and the final lean (code
    ``option:strength``, the sentence), then every flag (id, level, the questions behind
    it, the clinician's wording). Same columns as the answers."""
    w = Wording(content, lang)
    saved = record.saved
    lean = saved.lean
    section = w.t("export_lean")
    steps = (
        ("step1", w.t("step1_title"), lean.step1.option, lean.step1.strength, w.step1(lean)),
        ("step2", w.t("step2_title"), lean.step2.option, lean.step2.strength, w.step2(lean)),
        ("lean", w.t("export_lean_final"), lean.option, lean.strength, w.headline(saved)),
    )
    for key, title, option, strength, sentence in steps:
        yield section, key, title, f"{option or 'none'}:{strength}", sentence
    flags = w.t("export_flags")
    for flag in saved.flags:
        behind = "+".join(flag.questions or (flag.question,))
        yield flags, flag.id, w.t(f"export_level_{flag.level}"), behind, flag_text(content, flag, lang)
