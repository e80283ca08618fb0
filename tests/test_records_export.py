"""decision/records/export.py: the PDF summary (read back with pypdf), FHIR QuestionnaireResponse, CSV."""

from __future__ import annotations

import csv
import io
import json
import statistics
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from pypdf import PdfReader
from shipped_content import CONTENT

from decision import contract, score
from decision.records.consent import ConsentRecord, RecordExtras, make_consent, make_sure_after
from decision.records.export import (
    CSV_HEADER,
    answers_csv,
    checklist,
    fhir_questionnaire_response,
    pdf_text,
    summary_parts,
    summary_pdf,
    take_home_pdf,
)
from decision.records.saved import parse_saved
from decision.records.store import HandoffRecord, HandoffStore
from decision.wording import Wording

RULES = {r.id: r for r in CONTENT.rules}
FLAGS = {f.id: f for f in CONTENT.flags}
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
def test_the_chart_pdf_has_code_summary_flags_checklist_answers_scores_and_sure_on_two_pages(store, lang):
    record = make(store, FULL, lang)
    data = summary_pdf(CONTENT, record, lang)
    assert data.startswith(b"%PDF-")
    pages, text = pdf_words(data)
    assert pages <= 2
    colon = COLON[lang]
    w = Wording(CONTENT, lang)
    assert flat(f"{word(lang, 'export_code')}{colon}{record.code}") in text
    assert record.content_version in text
    assert "2025-03-01 15:30 UTC" in text
    assert flat(word(lang, "export_chart_label")) in text
    # At a glance, then the questions by section, label and answer.
    for label, value in summary_parts(CONTENT, FULL, w):
        assert flat(f"{label}{colon}{value}" if label else value) in text
    for section in CONTENT.sections:
        if section.kind != "questions":
            continue
        assert flat(section.title.get(lang)) in text
        for q in section.questions:
            answer = q.answer(FULL[q.id])
            assert flat(f"{q.label.get(lang)}{colon}{answer.text.get(lang)}") in text, q.id
    # The checklist: every safety item with its answer, the absolute one marked, the unscreened ones to ask.
    for item in checklist(CONTENT, FULL):
        mark = f" [{word(lang, 'export_check_absolute')}]" if item.absolute else ""
        said = word(lang, "export_check_" + (item.answer or "skipped"))
        assert flat(f"{w.question_label(item.question)}{mark}{colon}{said}") in text, item.question
    for extra in CONTENT.unscreened:
        assert flat(f"{extra.label.get(lang)}{colon}{word(lang, 'export_check_ask')}") in text
    result = score(CONTENT, FULL)
    assert {f.level for f in result.flags} >= {"caution", "info"}
    for raised in result.flags:
        assert flat(FLAGS[raised.id].clinician.get(lang)) in text, raised.id
        assert flat(word(lang, f"export_level_{raised.level}")) in text
    for option in result.options:
        for c in option.contributions:
            assert c.rule in text and flat(RULES[c.rule].reason.get(lang)) in text
    # Both steps, in the wording module's words.
    for title, sentence in Wording(CONTENT, lang).lean_lines(parse_saved(record.result)):
        assert flat(f"{title} {sentence}".strip()) in text
    assert "much better" not in text and "beaucoup mieux" not in text
    assert flat(word(lang, "export_sure_unsure").split("{")[0]) in text
    assert flat(word(lang, "export_need_information")) in text and flat(word(lang, "export_need_support")) in text
    assert flat(word(lang, "export_need_values")) not in text
    # No consent yet: the block is there, blank, to fill in by hand.
    assert flat(word(lang, "export_consent_title")) in text and "[x]" not in text
    assert flat(word(lang, "export_not_prescription")) in text


def consent_for(**changes: object) -> ConsentRecord:
    fields: dict[str, object] = {
        "options_discussed": ["ims", "acupuncture", "no_needling"],
        "option_chosen": "acupuncture",
        "covered_benefits": True,
        "covered_risks": True,
        "covered_alternatives": True,
        "covered_nothing": False,
        "questions_answered": True,
        "decision": "given",
        "physio_name": "Dana Lévesque",
        "physio_registration": "PT-4821",
        "recorded_at": T0 + timedelta(minutes=20),
        "zone": "America/Toronto",
    }
    fields.update(changes)
    return make_consent(**fields)


SURE_AFTER = {"sure_certain": "yes", "sure_informed": "yes", "sure_values": "yes", "sure_support": "no"}


# Several flags: cautions in context, a skipped item, new pain, very anxious, not yet sure.
SEVERAL_FLAGS = {
    "main_area": "neck_shoulders",
    "problem_kind": "tight_knot",
    "duration": "under_6_weeks",
    "wants_needles": "not_sure",
    "needle_feelings": "very_anxious",
    "strong_sensation": "no",
    "soreness_after": "big_problem",
    "visit_time": "short",
    "past_ims": "helped",
    "unwell_today": "no",
    "blood_thinners": "yes",
    "pregnant": "not_sure",
    "lung_disease": "yes",
    "fainted_before": "yes",
    "sure_certain": "no",
    "sure_informed": "no",
}
# The most a patient can raise: every safety item yes but "unwell" (which would stop needling).
EVERY_CAUTION = {**FULL, **{q: "yes" for q in contract.SAFETY_QUESTIONS if q != "unwell_today"}}


def font_sizes(data: bytes) -> list[float]:
    """The size of every character drawn on every page, read back from the PDF."""
    sizes: list[float] = []
    for page in PdfReader(io.BytesIO(data)).pages:

        def visit(text, cm, tm, font, size):
            if text.strip():
                sizes.extend([size * abs(tm[0] or 1)] * len(text.strip()))

        page.extract_text(visitor_text=visit)
    return sizes


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("answers", [SEVERAL_FLAGS, FULL, EVERY_CAUTION], ids=["several flags", "all answered",
                                                                              "every safety item yes"])  # fmt: skip
def test_the_chart_pdf_is_at_most_two_pages_with_body_text_of_9_pt_or_more(store, answers, lang):
    record = make(store, answers, lang)
    extras = RecordExtras(consent_for(), make_sure_after(CONTENT, SURE_AFTER, T0))
    data = summary_pdf(CONTENT, record, lang, extras=extras)
    pages, text = pdf_words(data)
    assert pages <= 2
    sizes = font_sizes(data)
    assert statistics.median(sizes) >= 9, statistics.median(sizes)
    assert flat(word(lang, "export_consent_title")) in text


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_consent_block_and_sure_before_and_after_are_in_the_chart_pdf(store, lang):
    record = make(store, SEVERAL_FLAGS, lang)
    extras = RecordExtras(consent_for(), make_sure_after(CONTENT, SURE_AFTER, T0))
    text = pdf_words(summary_pdf(CONTENT, record, lang, extras=extras, tz=ZoneInfo("America/Toronto")))[1]
    colon = COLON[lang]
    w = Wording(CONTENT, lang)
    assert flat(word(lang, "export_consent_title")) in text
    assert flat(f"[x] {w.option_name('acupuncture')}") in text  # chosen (and discussed)
    assert flat(f"[x] {word(lang, 'export_consent_covered_risks')}") in text
    assert flat(f"[ ] {word(lang, 'export_consent_covered_nothing')}") in text
    assert flat(f"[x] {word(lang, 'export_consent_given')}") in text
    assert flat(f"[ ] {word(lang, 'export_consent_declined')}") in text
    assert "Dana Lévesque" in text and "PT-4821" in text  # accents kept
    assert "2025-03-01 10:50 EST" in text  # 15:50 UTC, in the clinic's zone
    # SURE: before (2 of 4 answered yes) and after the talk (3 of 4).
    assert flat(word(lang, "export_sure_score", score=0, answered=2)) in text
    assert (
        flat(f"{word(lang, 'export_sure_after')}{colon}{word(lang, 'export_sure_score', score=3, answered=4)}") in text
    )
    assert flat(word(lang, "export_need_support")) in text


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_take_home_summary_is_in_the_patient_s_language_with_steps_grid_questions_and_help(store, lang):
    other = "fr" if lang == "en" else "en"
    record = make(store, SEVERAL_FLAGS, lang)
    data = take_home_pdf(CONTENT, record, extras=RecordExtras(consent_for()))
    pages, text = pdf_words(data)
    assert pages <= 2
    w = Wording(CONTENT, lang)
    assert flat(word(lang, "takehome_title")) in text
    assert flat(w.option_name("acupuncture")) in text  # the option chosen
    for title, sentence in w.lean_lines(record.saved):
        assert flat(f"{title} {sentence}".strip()) in text
    for row in CONTENT.comparison[:3]:
        assert flat(row.question.get(lang)) in text
        for cell in row.cells.values():
            assert flat(cell.short.get(lang)) in text
    take = CONTENT.take_home
    for item in (*take.questions, *take.watch_for, *take.get_help):
        assert flat(item.get(lang)) in text
        assert flat(item.get(other)) not in text
    assert record.code not in text  # nothing on it identifies the patient
    if lang == "fr":
        assert "é" in text and "à" in text
    undecided = pdf_words(take_home_pdf(CONTENT, record))[1]
    assert flat(word(lang, "takehome_not_decided")) in undecided


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
    assert pages <= 2
    assert record.result["lean"]["option"] == "no_needling"
    assert flat(word("en", "stopped_unwell")) in text
    assert flat(word("en", "export_level_stop")) in text
    stop = next(f for f in record.result["flags"] if f["level"] == "stop")
    clinician = next(f.clinician.get("en") for f in CONTENT.flags if f.id == stop["id"])
    assert flat(clinician) in text


def test_pdf_can_be_written_in_another_language_than_the_patient_used(store):
    record = make(store, FEW, "fr")
    pages, text = pdf_words(summary_pdf(CONTENT, record, "en"))
    assert pages <= 2
    for c in score(CONTENT, FEW).option("ims").contributions:
        assert flat(RULES[c.rule].reason.get("en")) in text
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
    assert pages <= 2
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


def test_a_version_one_record_reads_into_the_engines_own_parts_with_the_words_it_was_saved_with():
    from decision.engine import Contribution, RaisedFlag, Result
    from decision.records.export import flag_text, reason_text

    v1 = {
        "content_version": "2025-01-01+abcd1234",
        "language": "fr",
        "options": [{"id": "ims", "score": 3, "contributions": [
            {"rule": "old_rule", "question": "problem_kind", "answer": "tight_knot", "points": 3, "reason": "Un nœud."},
            {"rule": "problem_kind_tight_knot", "question": "problem_kind", "answer": "tight_knot", "points": 3,
             "reason": "Les mots d'alors."},
        ]}],
        "lean": {"option": "ims", "strength": "strong"},
        "flags": [{"id": "old_flag", "level": "caution", "question": "pregnant", "answer": "yes", "options": ["ims"],
                   "message": "Une ancienne mise en garde."}],
        "unanswered": [],
        "sure": {"score": 2, "answered": 4, "unsure": True, "needs": ["values"]},
    }  # fmt: skip
    saved = parse_saved(v1, answers={"problem_kind": "tight_knot"})
    assert type(saved) is Result and saved.answers == {"problem_kind": "tight_knot"}
    gone, kept = saved.option("ims").contributions
    assert gone == Contribution("old_rule", "problem_kind", "tight_knot", "", 3, 3, {"fr": "Un nœud."})
    assert not gone.capped
    [flag] = saved.flags
    assert flag == RaisedFlag(
        "old_flag", "caution", "pregnant", (), "yes", ("ims",), {"fr": "Une ancienne mise en garde."}, False
    )
    assert saved.patient_flags == saved.flags and not flag.skipped
    # In its own language a record says what the patient saw; in another, the content's
    # words while the content still has the rule or flag, else the words it was saved with.
    assert reason_text(CONTENT, kept, "fr") == "Les mots d'alors."
    assert reason_text(CONTENT, kept, "en") == RULES["problem_kind_tight_knot"].reason.en
    assert reason_text(CONTENT, gone, "en") == reason_text(CONTENT, gone, "fr") == "Un nœud."
    assert flag_text(CONTENT, flag, "en") == "Une ancienne mise en garde."
    assert Wording(CONTENT, "en").flag_message(flag) == "Une ancienne mise en garde."
    contribution = saved.to_json("fr")["options"][0]["contributions"][0]
    assert contribution == {**v1["options"][0]["contributions"][0], "topic": "", "capped": False, "full_points": 3}


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


def test_the_csv_adds_the_sure_after_the_talk_and_the_consent_after_the_result(store):
    record = make(store, SEVERAL_FLAGS, "fr")
    extras = RecordExtras(consent_for(covered_nothing=True), make_sure_after(CONTENT, SURE_AFTER, T0))
    rows = read_csv(answers_csv(CONTENT, record, "fr", extras=extras))
    plain = read_csv(answers_csv(CONTENT, record, "fr"))
    assert rows[: len(plain)] == plain  # the answers and the result, unchanged, first
    added = {r[1]: r for r in rows[len(plain) :]}
    for qid, code in SURE_AFTER.items():
        assert added[f"{qid}_after"][3] == code
    assert added["sure_after_score"][3] == "3"
    assert added["consent_option_chosen"][3:] == ["acupuncture", Wording(CONTENT, "fr").option_name("acupuncture")]
    assert added["consent_options_discussed"][3] == "ims+acupuncture+no_needling"
    assert added["consent_decision"][3] == "given"
    assert {added[f"consent_covered_{k}"][3] for k in ("benefits", "risks", "alternatives", "nothing")} == {"true"}
    assert added["consent_physio_name"][4] == "Dana Lévesque"
    assert added["consent_recorded_at"][3] == "2025-03-01T15:50:00+00:00"
    assert "linked_code" not in added
