"""Downloads for the clinician: a one-page PDF summary, a FHIR R4 QuestionnaireResponse, a CSV.

Each takes the loaded content, a :class:`~decision.store.HandoffRecord` and the
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
from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from decision.content import Content

# The FHIR resources live in decision/fhir.py; fhir_questionnaire_response is re-exported so nothing breaks.
from decision.fhir import ANSWER_SYSTEM as QUESTIONNAIRE_URN  # noqa: F401
from decision.fhir import HANDOFF_CODE_SYSTEM, LANG_TAGS, fhir_questionnaire_response  # noqa: F401
from decision.models import Question, SectionFile
from decision.store import HandoffRecord

CSV_HEADER = ("section", "question_id", "question", "answer_code", "answer")

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "summary": "summary for the chart",
        "colon": ": ",
        "code": "Code",
        "date": "Date",
        "version": "Content version",
        "language": "Patient's language",
        "lang_en": "English",
        "lang_fr": "French",
        "flags": "Flags",
        "no_flags": "No flags.",
        "stop": "STOP",
        "caution": "CAUTION",
        "info": "INFO",
        "answers": "Answers",
        "not_answered": "(not answered)",
        "other": "Other answers",
        "scores": "Scores (points per answer; rule id in brackets)",
        "points": "points",
        "no_points": "No answer moved this score.",
        "lean": "Lean",
        "lean_strong": "The answers fit {option} much better.",
        "lean_slight": "The answers fit {option} a little better.",
        "lean_none": "The answers fit both about the same.",
        "lean_no_needling": "Needling stopped by a safety answer: physiotherapy without needles for now.",
        "stopped": "Stopped by a safety answer: {options}.",
        "sure": "SURE test",
        "sure_none": "The patient did not answer the SURE test.",
        "sure_score": "{score} of 4 answered 'yes' ({answered} of 4 answered).",
        "sure_unsure": "NOT YET SURE: talk about {needs} before deciding.",
        "sure_sure": "The patient feels sure about the choice.",
        "sure_cite": "SURE test: Légaré F et al., Can Fam Physician 2010;56:e308-14.",
        "need_certainty": "certainty (not sure what is best)",
        "need_information": "information (benefits and risks of each option)",
        "need_values": "values (which benefits and risks matter most)",
        "need_support": "support (enough support and advice to choose)",
        "older_version": "Scored with content version {saved}; words from version {current}.",
        "not_prescription": "A decision aid, not a prescription: the patient decides with the physiotherapist. "
        "No name is stored with these answers.",
    },
    "fr": {
        "summary": "résumé pour le dossier",
        "colon": "\u00a0: ",
        "code": "Code",
        "date": "Date",
        "version": "Version du contenu",
        "language": "Langue du patient",
        "lang_en": "anglais",
        "lang_fr": "français",
        "flags": "Alertes",
        "no_flags": "Aucune alerte.",
        "stop": "ARRÊT",
        "caution": "PRUDENCE",
        "info": "INFO",
        "answers": "Réponses",
        "not_answered": "(sans réponse)",
        "other": "Autres réponses",
        "scores": "Pointage (points par réponse; identifiant de la règle entre crochets)",
        "points": "points",
        "no_points": "Aucune réponse n'a changé ce pointage.",
        "lean": "Tendance",
        "lean_strong": "Les réponses correspondent beaucoup mieux à\u00a0: {option}.",
        "lean_slight": "Les réponses correspondent un peu mieux à\u00a0: {option}.",
        "lean_none": "Les réponses correspondent autant aux deux options.",
        "lean_no_needling": "Aiguilles arrêtées par une réponse de sécurité\u00a0: "
        "physiothérapie sans aiguilles pour l'instant.",
        "stopped": "Arrêté par une réponse de sécurité\u00a0: {options}.",
        "sure": "Test SURE",
        "sure_none": "Le patient n'a pas répondu au test SURE.",
        "sure_score": "{score} « oui » sur 4 ({answered} réponses sur 4).",
        "sure_unsure": "PAS ENCORE SÛR\u00a0: parler de {needs} avant de décider.",
        "sure_sure": "Le patient se sent sûr de son choix.",
        "sure_cite": "Test SURE\u00a0: Légaré F et al., Can Fam Physician 2010;56:e308-14.",
        "need_certainty": "certitude (pas sûr de ce qui est le mieux)",
        "need_information": "information (avantages et risques de chaque option)",
        "need_values": "valeurs (quels avantages et risques comptent le plus)",
        "need_support": "soutien (assez de soutien et de conseils pour choisir)",
        "older_version": "Pointage fait avec la version {saved} du contenu; textes de la version {current}.",
        "not_prescription": "Un outil d'aide à la décision, pas une prescription\u00a0: le patient décide avec le "
        "physiothérapeute. Aucun nom n'est enregistré avec ces réponses.",
    },
}


def _lang(lang: str) -> str:
    return lang if lang in WORDS else "en"


def _questions(content: Content) -> Iterator[tuple[SectionFile, Question]]:
    for section in content.sections:
        for q in section.questions:
            yield section, q


def answer_text(q: Question | None, code: str, lang: str) -> str:
    answer = q.answer(code) if q is not None else None
    return answer.text.get(lang) if answer is not None else code


def option_name(content: Content, option_id: str, lang: str) -> str:
    option = content.options.get(option_id)
    return option.name.get(lang) if option is not None else option_id


def question_label(content: Content, qid: str, lang: str) -> str:
    q = content.questions.get(qid)
    return q.label.get(lang) if q is not None else qid


def flag_text(content: Content, flag: dict[str, Any], lang: str) -> str:
    """The clinician's wording of a saved flag, in ``lang``; the saved message if the flag is gone."""
    found = next((f for f in content.flags if f.id == flag.get("id")), None)
    return found.clinician.get(lang) if found is not None else str(flag.get("message", ""))


def reason_text(content: Content, c: dict[str, Any], lang: str, saved_lang: str) -> str:
    """A contribution's reason in ``lang`` (saved in ``saved_lang``); the saved words if the rule is gone."""
    if lang == saved_lang:
        return str(c.get("reason", ""))
    rule = next((r for r in content.rules if r.id == c.get("rule")), None)
    return rule.reason.get(lang) if rule is not None else str(c.get("reason", ""))


def lean_sentence(content: Content, result: dict[str, Any], lang: str) -> str:
    """The lean in non-directive words, for the chart."""
    w = WORDS[_lang(lang)]
    lean = result.get("lean") or {}
    option, strength = lean.get("option"), lean.get("strength", "none")
    if option == "no_needling":
        return w["lean_no_needling"]
    if option is None or strength == "none":
        return w["lean_none"]
    key = "lean_strong" if strength == "strong" else "lean_slight"
    return w[key].format(option=option_name(content, option, lang))


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
        self.line = size * 0.45  # mm per line
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
            w or self.epw - indent, self.line * scale, pdf_text(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        self.set_text_color(0, 0, 0)

    def tagged(self, tag: str, colour: tuple[int, int, int], text: str, indent: float = 0) -> None:
        """A bold coloured tag, then the text wrapping on under it."""
        self.set_x(self.l_margin + indent)
        self.font("B")
        self.set_text_color(*colour)
        self.write(self.line, pdf_text(tag + " "))
        self.font()
        self.set_text_color(0, 0, 0)
        self.write(self.line, pdf_text(text))
        self.ln(self.line)

    def heading(self, text: str) -> None:
        self.ln(self.line * 0.5)
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
            lines = self.multi_cell(w, self.line, pdf_text(text), align="L", dry_run=True, output="LINES")
            heights.append(len(lines) * self.line)
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
                self.multi_cell(w, self.line, pdf_text(text), align="L", new_x=XPos.LEFT, new_y=YPos.NEXT)
            bottom = max(bottom, self.get_y())
        self.set_y(bottom)


def _render(content: Content, record: HandoffRecord, lang: str, size: float, zone: tzinfo) -> _Summary:
    w = WORDS[lang]
    result = record.result
    pdf = _Summary(size)
    pdf.set_title(pdf_text(f"{content.meta.title.get(lang)} - {record.code}"))
    pdf.set_lang(LANG_TAGS[lang])
    pdf.set_creation_date(record.created_at)

    c = w["colon"]
    pdf.para(f"{content.meta.title.get(lang)} \u2014 {w['summary']}", "B", 1.6)
    when = record.created_at.astimezone(zone)
    zone_name = when.tzname() or "UTC"
    pdf.para(
        f"{w['code']}{c}{record.code}    {w['date']}{c}{when:%Y-%m-%d %H:%M} {zone_name}    "
        f"{w['version']}{c}{record.content_version}    "
        f"{w['language']}{c}{w.get('lang_' + record.language, record.language)}",
        "",
        1.05,
    )
    if record.content_version != content.version:
        pdf.para(w["older_version"].format(saved=record.content_version, current=content.version), "I")

    pdf.heading(w["flags"])
    flags = result.get("flags") or []
    if not flags:
        pdf.para(w["no_flags"])
    for flag in flags:
        level = flag.get("level", "info")
        qid = flag.get("question", "")
        code = flag.get("answer") or record.answers.get(qid, "")
        behind = f"{question_label(content, qid, lang)}{c}{answer_text(content.questions.get(qid), code, lang)}"
        pdf.tagged(
            w.get(level, level.upper()),
            LEVEL_COLOURS.get(level, (0, 0, 0)),
            f"{behind} \u2014 {flag_text(content, flag, lang)}",
        )

    pdf.heading(w["answers"])
    rows: list[tuple[str, str]] = []
    for section in content.sections:
        rows.append(("B", section.title.get(lang)))
        for q in section.questions:
            code = record.answers.get(q.id)
            rows.append(("", f"{q.label.get(lang)}{c}{answer_text(q, code, lang) if code else w['not_answered']}"))
    extra = [qid for qid in record.answers if qid not in content.questions]
    if extra:
        rows.append(("B", w["other"]))
        rows.extend(("", f"{qid}{c}{record.answers[qid]}") for qid in extra)
    pdf.columns(rows)

    pdf.heading(w["scores"])
    for option in result.get("options") or []:
        pdf.para(f"{option_name(content, option['id'], lang)}{c}{option.get('score', 0)} {w['points']}", "B")
        contributions = option.get("contributions") or []
        if not contributions:
            pdf.para(w["no_points"], indent=4)
        for contribution in contributions:
            qid = contribution.get("question", "")
            answer = answer_text(content.questions.get(qid), contribution.get("answer", ""), lang)
            pdf.para(
                f"{contribution.get('points', 0):+d}  [{contribution.get('rule', '')}]  "
                f"{question_label(content, qid, lang)}{c}{answer} \u2014 {reason_text(content, contribution, lang, record.language)}",
                indent=4,
            )

    pdf.heading(w["lean"])
    pdf.para(lean_sentence(content, result, lang), "B")
    stopped = sorted(
        {
            o
            for f in flags
            if f.get("level") == "stop"
            for o in f.get("options", [])
            if o in {opt.get("id") for opt in result.get("options") or []}
        }
    )
    if stopped and (result.get("lean") or {}).get("option") != "no_needling":
        pdf.para(w["stopped"].format(options=", ".join(option_name(content, o, lang) for o in stopped)))

    pdf.heading(w["sure"])
    sure = result.get("sure")
    if not sure:
        pdf.para(w["sure_none"])
    else:
        pdf.para(w["sure_score"].format(score=sure.get("score", 0), answered=sure.get("answered", 0)))
        if sure.get("unsure"):
            needs = sure.get("needs") or []
            named = ", ".join(w.get(f"need_{n}", n) for n in needs) or w["need_certainty"]
            pdf.tagged("!", LEVEL_COLOURS["stop"], w["sure_unsure"].format(needs=named))
        else:
            pdf.para(w["sure_sure"])
    pdf.para(w["sure_cite"], "I", 0.9, colour=(90, 90, 90))

    pdf.ln(pdf.line * 0.5)
    pdf.para(w["not_prescription"], "B", 1.0)
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
    for section, q in _questions(content):
        code = record.answers.get(q.id, "")
        answer = answer_text(q, code, lang) if code else ""
        writer.writerow([_cell(v) for v in (section.title.get(lang), q.id, q.text.get(lang), code, answer)])
    for qid, code in record.answers.items():  # from an older content version
        if qid not in content.questions:
            writer.writerow([_cell(v) for v in ("", qid, "", code, code)])
    return buf.getvalue()
