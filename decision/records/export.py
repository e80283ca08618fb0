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
import unicodedata
from collections.abc import Iterator
from datetime import UTC, tzinfo

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from decision.content import Content

# The FHIR resources live in decision/fhir.py; fhir_questionnaire_response is re-exported so nothing breaks.
from decision.records.fhir import ANSWER_SYSTEM as QUESTIONNAIRE_URN  # noqa: F401
from decision.records.fhir import HANDOFF_CODE_SYSTEM, LANG_TAGS, fhir_questionnaire_response  # noqa: F401
from decision.records.saved import HandoffRecord, SavedContribution, SavedFlag, SavedResult, parse_saved
from decision.wording import Wording

CSV_HEADER = ("section", "question_id", "question", "answer_code", "answer")

LANGS = ("en", "fr")


def _lang(lang: str) -> str:
    return lang if lang in LANGS else "en"


def flag_text(content: Content, flag: SavedFlag, lang: str) -> str:
    """The clinician's wording of a saved flag, in ``lang``; the saved message if the flag is gone."""
    found = next((f for f in content.flags if f.id == flag.id), None)
    return found.clinician.get(lang) if found is not None else flag.message


def reason_text(content: Content, c: SavedContribution, lang: str, saved_lang: str) -> str:
    """A contribution's reason in ``lang`` (saved in ``saved_lang``); the saved words if the rule is gone."""
    if lang == saved_lang:
        return c.reason
    rule = next((r for r in content.rules if r.id == c.rule), None)
    return rule.reason.get(lang) if rule is not None else c.reason


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

    def columns(self, rows: list[tuple[str, str]]) -> None:
        """Rows of (style, text) in two balanced columns."""
        gutter = 6
        w = (self.epw - gutter) / 2
        self.font()
        heights = []
        for style, text in rows:
            self.font(style)
            lines = self.multi_cell(w, self.lh, pdf_text(text), align="L", dry_run=True, output="LINES")
            assert isinstance(lines, list)  # output="LINES" gives the wrapped lines
            heights.append(len(lines) * self.lh)
        half = sum(heights) / 2
        split, total = len(rows), 0.0
        for i, h in enumerate(heights):
            if total >= half and rows[i - 1][0] != "B":  # never leave a section title alone at the bottom
                split = i
                break
            total += h
        top = self.get_y()
        bottom = top
        for part, x in ((rows[:split], self.l_margin), (rows[split:], self.l_margin + w + gutter)):
            self.set_y(top)
            for style, text in part:
                self.font(style)
                self.set_x(x)
                self.multi_cell(w, self.lh, pdf_text(text), align="L", new_x=XPos.LEFT, new_y=YPos.NEXT)
            bottom = max(bottom, self.get_y())
        self.set_y(bottom)


def _colon(lang: str) -> str:
    return "\u00a0: " if lang == "fr" else ": "


def _flag_lines(pdf: _Summary, content: Content, record: HandoffRecord, saved: SavedResult, w: Wording) -> None:
    """Flags first, stop then caution then info; skipped safety items in one line."""
    c = _colon(w.lang)
    shown = [f for f in saved.flags if not f.skipped]
    if not saved.flags:
        pdf.para(w.t("export_no_flags"))
    for flag in shown:
        behind = "; ".join(
            f"{w.question_label(q)}{c}{w.answer_text(q, record.answers.get(q)) or w.t('export_not_answered')}"
            for q in (flag.questions or (flag.question,))
        )
        pdf.tagged(
            w.t(f"export_level_{flag.level}"),
            LEVEL_COLOURS.get(flag.level, (0, 0, 0)),
            f"{behind} \u2014 {flag_text(content, flag, w.lang)}",
        )
    skipped = saved.skipped_safety
    if skipped:
        names = ", ".join(w.question_label(q) for q in skipped)
        pdf.tagged(w.t("export_level_info"), LEVEL_COLOURS["info"], f"{w.t('export_skipped')}{c}{names}")


def _score_lines(pdf: _Summary, content: Content, record: HandoffRecord, saved: SavedResult, w: Wording) -> None:
    c = _colon(w.lang)
    for target in saved.options:
        pdf.para(f"{w.option_name(target.target)}{c}{w.points(target.score)}", "B")
        if not target.contributions:
            pdf.para(w.t("export_no_points"), indent=4)
        for contribution in target.contributions:
            capped = f" ({w.t('export_capped', full=contribution.written_points)})" if contribution.capped else ""
            answer = w.answer_text(contribution.question, contribution.answer)
            pdf.para(
                f"{contribution.points:+d}{capped}  [{contribution.rule}]  "
                f"{w.question_label(contribution.question)}{c}{answer} \u2014 "
                f"{reason_text(content, contribution, w.lang, record.language)}",
                indent=4,
            )


def _sure_lines(pdf: _Summary, saved: SavedResult, w: Wording) -> None:
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


def _render(content: Content, record: HandoffRecord, lang: str, size: float, zone: tzinfo) -> _Summary:
    w = Wording(content, lang)
    saved = parse_saved(record.result)
    pdf = _Summary(size)
    pdf.set_title(pdf_text(f"{content.meta.title.get(lang)} - {record.code}"))
    pdf.set_lang(LANG_TAGS[lang])
    pdf.set_creation_date(record.created_at)

    c = _colon(lang)
    pdf.para(f"{content.meta.title.get(lang)} \u2014 {w.t('export_summary')}", "B", 1.6)
    when = record.created_at.astimezone(zone)
    zone_name = when.tzname() or "UTC"
    language = w.t(f"export_lang_{record.language}") if record.language in LANGS else record.language
    pdf.para(
        f"{w.t('export_code')}{c}{record.code}    {w.t('export_date')}{c}{when:%Y-%m-%d %H:%M} {zone_name}    "
        f"{w.t('export_version')}{c}{record.content_version}    {w.t('export_language')}{c}{language}",
        "",
        1.05,
    )
    if record.content_version != content.version:
        pdf.para(w.t("export_older_version", saved=record.content_version, current=content.version), "I")

    pdf.heading(w.t("export_flags"))
    _flag_lines(pdf, content, record, saved, w)

    pdf.heading(w.t("export_lean"))
    for title, sentence in w.lean_lines(saved):
        pdf.para(f"{title} {sentence}".strip(), "B" if title else "I")

    pdf.heading(w.t("export_answers"))
    rows: list[tuple[str, str]] = []
    for section in content.sections:
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
    _score_lines(pdf, content, record, saved, w)

    pdf.heading(w.t("export_sure"))
    _sure_lines(pdf, saved, w)

    pdf.ln(pdf.lh * 0.5)
    pdf.para(w.t("export_not_prescription"), "B", 1.0)
    return pdf


def summary_pdf(content: Content, record: HandoffRecord, lang: str, *, tz: tzinfo | None = None) -> bytes:
    """One Letter page for the chart: flags first, answers, scores with reasons, lean, SURE.

    Times are shown in ``tz`` (UTC by default). The type gets smaller until it fits one page.
    """
    lang = _lang(lang)
    pdf = None
    for size in (9.5, 9, 8.5, 8, 7.5, 7, 6.5, 6):
        pdf = _render(content, record, lang, size, tz or UTC)
        if pdf.page_no() == 1:
            break
    assert pdf is not None
    return bytes(pdf.output())


# --------------------------------------------------------------------------- CSV

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def _cell(value: str) -> str:
    """Spreadsheets run cells that start like a formula: make them plain text."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def answers_csv(content: Content, record: HandoffRecord, lang: str) -> str:
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
    return buf.getvalue()


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
