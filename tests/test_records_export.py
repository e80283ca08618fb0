"""decision/records/export.py: the PDF summary (read back with pypdf), FHIR QuestionnaireResponse, CSV."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from pypdf import PdfReader

from decision import contract, load_content, score
from decision.records.export import (
    CSV_HEADER,
    answers_csv,
    fhir_questionnaire_response,
    pdf_text,
    summary_pdf,
)
from decision.records.saved import parse_saved
from decision.records.store import HandoffRecord, HandoffStore
from decision.wording import Wording

CONTENT = load_content()
T0 = datetime(2025, 3, 1, 15, 30, tzinfo=UTC)

# Every question answered; caution, info and stop-free flags; the patient not yet sure.
FULL = {qid: codes[0] for qid, codes in contract.QUESTIONS.items()}
FULL.update(
    {
        "needle_feelings": "very_anxious",
        "duration": "under_6_weeks",
        **{qid: "no" for qid in contract.SAFETY_QUESTIONS},
        "blood_thinners": "yes",
        "pregnant": "not_sure",
        "sure_certain": "yes",
        "sure_informed": "no",
        "sure_values": "yes",
        "sure_support": "no",
    }
)
STOP = {"unwell_today": "yes", "problem_kind": "tight_knot", "lie_still": "no"}
FEW = {"problem_kind": "tight_knot", "goal": "loosen_muscle"}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = HandoffStore(f"sqlite:///{tmp_path_factory.mktemp('db') / 'handoffs.sqlite3'}")
    yield s
    s.close()


def make(store: HandoffStore, answers: dict[str, str], lang: str) -> HandoffRecord:
    saved = store.save(answers, lang, score(CONTENT, answers).to_json(lang), CONTENT.version, now=T0)
    return store.get(saved.code, now=T0 + timedelta(minutes=5))


def word(lang: str, key: str, **fields: object) -> str:
    return Wording(CONTENT, lang).t(key, **fields)


COLON = {"en": ": ", "fr": "\u00a0: "}


def flat(text: str) -> str:
    return " ".join(pdf_text(text).split())


def pdf_words(data: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(data))
    return len(reader.pages), flat(" ".join(page.extract_text() for page in reader.pages))


# --------------------------------------------------------------------------- PDF


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_pdf_is_one_page_with_code_answers_flags_scores_and_sure(store, lang):
    record = make(store, FULL, lang)
    data = summary_pdf(CONTENT, record, lang)
    assert data.startswith(b"%PDF-")
    pages, text = pdf_words(data)
    assert pages == 1
    colon = COLON[lang]
    assert flat(f"{word(lang, 'export_code')}{colon}{record.code}") in text
    assert record.content_version in text
    assert "2025-03-01 15:30 UTC" in text
    for section in CONTENT.sections:
        assert flat(section.title.get(lang)) in text
        for q in section.questions:
            answer = q.answer(FULL[q.id])
            assert flat(f"{q.label.get(lang)}{colon}{answer.text.get(lang)}") in text, q.id
    result = score(CONTENT, FULL)
    assert {f.level for f in result.flags} >= {"caution", "info"}
    for raised in result.flags:
        assert flat(raised.flag.clinician.get(lang)) in text, raised.flag.id
        assert flat(word(lang, f"export_level_{raised.flag.level}")) in text
    for option in result.options:
        for c in option.contributions:
            assert c.rule.id in text and flat(c.rule.reason.get(lang)) in text
    # Both steps, in the wording module's words.
    for title, sentence in Wording(CONTENT, lang).lean_lines(parse_saved(record.result)):
        assert flat(f"{title} {sentence}".strip()) in text
    assert flat(word(lang, "step1_title")) in text and flat(word(lang, "step2_title")) in text
    assert "much better" not in text and "beaucoup mieux" not in text
    assert flat(word(lang, "export_sure_unsure").split("{")[0]) in text
    assert flat(word(lang, "export_need_information")) in text and flat(word(lang, "export_need_support")) in text
    assert flat(word(lang, "export_need_values")) not in text
    assert flat(word(lang, "export_not_prescription")) in text


def test_pdf_in_french_keeps_accents_and_typographic_marks(store):
    text = pdf_words(summary_pdf(CONTENT, make(store, FULL, "fr"), "fr"))[1]
    assert "é" in text
    assert "réponses" in text.lower()
    # Characters a core font cannot show are mapped, never dropped silently as errors.
    assert pdf_text("l’œuvre « test » – 3 ≥ 2 … \u202f!") == "l’œuvre « test » – 3 >= 2 … \u00a0!"
    assert pdf_text("\u4e2d") == "?"


def test_pdf_of_a_stopped_record_says_needling_is_stopped(store):
    record = make(store, STOP, "en")
    pages, text = pdf_words(summary_pdf(CONTENT, record, "en"))
    assert pages == 1
    assert record.result["lean"]["option"] == "no_needling"
    assert flat(word("en", "stopped_unwell")) in text
    assert flat(word("en", "export_level_stop")) in text
    stop = next(f for f in record.result["flags"] if f["level"] == "stop")
    clinician = next(f.clinician.get("en") for f in CONTENT.flags if f.id == stop["id"])
    assert flat(clinician) in text


def test_pdf_can_be_written_in_another_language_than_the_patient_used(store):
    record = make(store, FEW, "fr")
    pages, text = pdf_words(summary_pdf(CONTENT, record, "en"))
    assert pages == 1
    for c in score(CONTENT, FEW).option("ims").contributions:
        assert flat(c.rule.reason.get("en")) in text
    assert flat(word("en", "export_not_answered")) in text and flat(word("en", "export_sure_none")) in text
    assert flat(f"{word('en', 'export_language')}: {word('en', 'export_lang_fr')}") in text


def test_pdf_lists_skipped_safety_questions_and_an_incomplete_sure(store):
    answers = {"problem_kind": "tight_knot", "pregnant": "yes", "main_area": "low_back", "sure_certain": "yes"}
    record = make(store, answers, "en")
    text = pdf_words(summary_pdf(CONTENT, record, "en"))[1]
    assert flat(word("en", "export_skipped")) in text
    assert flat(CONTENT.questions["lung_disease"].label.en) in text
    assert "pregnant_low_back" not in text  # ids stay out; the clinician's wording is in
    clinician = next(f.clinician.en for f in CONTENT.flags if f.id == "pregnant_low_back")
    assert flat(clinician) in text
    assert flat(word("en", "export_sure_incomplete").split("{")[0]) in text
    assert flat(word("en", "export_no_flags")) not in text


def test_pdf_of_a_record_from_an_older_content_version_still_renders():
    record = HandoffRecord(
        code="ABC234",
        created_at=T0,
        expires_at=T0 + timedelta(hours=12),
        language="en",
        answers={"problem_kind": "tight_knot", "retired_question": "maybe"},
        content_version="2024-01-01+00000000",
        result={
            "options": [
                {
                    "id": "ims",
                    "score": 3,
                    "contributions": [
                        {
                            "rule": "old_rule",
                            "question": "problem_kind",
                            "answer": "tight_knot",
                            "points": 3,
                            "reason": "Old reason.",
                        }
                    ],
                }
            ],
            "lean": {"option": "ims", "strength": "strong"},
            "flags": [
                {
                    "id": "old_flag",
                    "level": "caution",
                    "question": "retired_question",
                    "options": ["ims"],
                    "message": "An old caution.",
                }
            ],
            "unanswered": [],
        },
    )
    pages, text = pdf_words(summary_pdf(CONTENT, record, "en"))
    assert pages == 1
    for expected in (
        "ABC234",
        "2024-01-01+00000000",
        CONTENT.version,
        "retired_question",
        "maybe",
        "old_rule",
        "Old reason.",
        "An old caution.",
    ):
        assert expected in text


# --------------------------------------------------------------------------- FHIR


def answered_items(resource: dict) -> list[dict]:
    """The question items of a response, out of their section groups (the aid's result group left out)."""
    groups = [g for g in resource["item"] if g["linkId"] != "result"]
    return [item for group in groups for item in group.get("item", [group])]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_fhir_questionnaire_response_validates_and_links_question_ids(store, lang):
    record = make(store, FULL, lang)
    resource = fhir_questionnaire_response(CONTENT, record, lang)
    assert json.loads(json.dumps(resource)) == resource  # plain JSON
    model = QuestionnaireResponse.model_validate(resource)
    assert model.status == "completed"
    assert resource["resourceType"] == "QuestionnaireResponse"
    assert resource["identifier"]["value"] == record.code
    assert datetime.fromisoformat(resource["authored"]) == record.created_at.replace(microsecond=0)
    assert resource["language"] == {"en": "en-CA", "fr": "fr-CA"}[lang]
    assert [g["linkId"] for g in resource["item"]] == [s.id for s in CONTENT.sections] + ["result"]
    items = answered_items(resource)
    assert [i["linkId"] for i in items] == [q.id for s in CONTENT.sections for q in s.questions]
    for item in items:
        q = CONTENT.questions[item["linkId"]]
        assert item["text"] == q.text.get(lang)
        (answer,) = item["answer"]
        coding = answer["valueCoding"]
        assert coding["code"] == FULL[q.id]
        assert coding["display"] == q.answer(FULL[q.id]).text.get(lang)
        assert coding["system"].startswith("urn:")


def test_fhir_lists_only_answered_questions(store):
    record = make(store, FEW, "en")
    resource = fhir_questionnaire_response(CONTENT, record, "en")
    QuestionnaireResponse.model_validate(resource)
    assert [i["linkId"] for i in answered_items(resource)] == [qid for qid in CONTENT.questions if qid in FEW]


# --------------------------------------------------------------------------- CSV


def read_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_csv_has_a_row_per_question_including_unanswered(store, lang):
    record = make(store, FEW, lang)
    rows = read_csv(answers_csv(CONTENT, record, lang))
    assert tuple(rows[0]) == CSV_HEADER == ("section", "question_id", "question", "answer_code", "answer")
    n = len(CONTENT.questions)
    body, result = rows[1 : 1 + n], rows[1 + n :]
    assert [r[1] for r in body] == [q.id for s in CONTENT.sections for q in s.questions]
    # After the answers: both steps and the final lean, then every flag.
    saved = record.saved
    assert [r[1] for r in result[:3]] == ["step1", "step2", "lean"]
    assert result[0][3] == f"{saved.lean.step1.option or 'none'}:{saved.lean.step1.strength}"
    assert result[2][4] == Wording(CONTENT, lang).headline(saved)
    assert [r[1] for r in result[3:]] == [f.id for f in saved.flags]
    for section_title, qid, question, code, answer in body:
        q = CONTENT.questions[qid]
        assert section_title == CONTENT.section_of[qid].title.get(lang)
        assert question == q.text.get(lang)
        if qid in FEW:
            assert (code, answer) == (FEW[qid], q.answer(FEW[qid]).text.get(lang))
        else:
            assert (code, answer) == ("", "")


def test_csv_neutralises_spreadsheet_formulas():
    record = HandoffRecord(
        code="ABC234",
        created_at=T0,
        expires_at=T0 + timedelta(hours=12),
        language="en",
        answers={'=HYPERLINK("http://x")': "+cmd", "@sum": "-1"},
        content_version="old",
        result={},
    )
    rows = read_csv(answers_csv(CONTENT, record, "en"))
    extra = rows[1 + len(CONTENT.questions) : 3 + len(CONTENT.questions)]
    assert extra == [["", '\'=HYPERLINK("http://x")', "", "'+cmd", "'+cmd"], ["", "'@sum", "", "'-1", "'-1"]]
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@"))


def test_every_download_for_the_same_record_agrees(store):
    record = make(store, FULL, "en")
    csv_answers = {r[1]: r[3] for r in read_csv(answers_csv(CONTENT, record, "en"))[1 : 1 + len(CONTENT.questions)]}
    fhir_answers = {
        i["linkId"]: i["answer"][0]["valueCoding"]["code"]
        for i in answered_items(fhir_questionnaire_response(CONTENT, record, "en"))
    }
    assert csv_answers == fhir_answers == record.answers == FULL
