"""decision/fhir.py: the Questionnaire from the content, and responses that match it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from shipped_content import CONTENT

from decision import cli, contract, score
from decision.records.fhir import (
    CANONICAL_ENV,
    DEFAULT_CANONICAL,
    RESULT_GROUP,
    TRANSLATION,
    answer_system,
    canonical_url,
    fhir_questionnaire,
    fhir_questionnaire_response,
)
from decision.records.store import HandoffRecord

ROOT = Path(__file__).resolve().parent.parent
T0 = datetime(2025, 3, 1, 15, 30, tzinfo=UTC)
FULL = {qid: codes[-1] for qid, codes in contract.QUESTIONS.items()}
FEW = {"problem_kind": "tight_knot", "goal": "loosen_muscle", "blood_thinners": "yes"}


def record(answers: dict[str, str], lang: str = "en", version: str = CONTENT.version) -> HandoffRecord:
    return HandoffRecord(
        code="ABC234",
        created_at=T0,
        expires_at=T0 + timedelta(hours=12),
        language=lang,
        answers=answers,
        content_version=version,
        result=score(CONTENT, answers).to_json(lang),
    )


def translations(element: dict[str, Any]) -> dict[str, str]:
    out = {}
    for ext in element["extension"]:
        assert ext["url"] == TRANSLATION
        parts = {e["url"]: e for e in ext["extension"]}
        out[parts["lang"]["valueCode"]] = parts["content"]["valueString"]
    return out


@pytest.fixture(autouse=True)
def _default_canonical(monkeypatch):
    monkeypatch.delenv(CANONICAL_ENV, raising=False)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_questionnaire_is_valid_r4_with_a_canonical_and_the_content_version(lang):
    q = fhir_questionnaire(CONTENT, lang=lang)
    assert json.loads(json.dumps(q)) == q
    Questionnaire.model_validate(q)
    assert q["url"] == DEFAULT_CANONICAL
    assert q["version"] == CONTENT.version
    assert q["language"] == {"en": "en-CA", "fr": "fr-CA"}[lang]
    other = "fr" if lang == "en" else "en"
    assert q["title"] == CONTENT.meta.title.get(lang)
    assert translations(q["_title"]) == {f"{other}-CA": CONTENT.meta.title.get(other)}


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_questionnaire_has_a_group_per_section_and_a_choice_per_question(lang):
    q = fhir_questionnaire(CONTENT, lang=lang)
    other = "fr" if lang == "en" else "en"
    assert [g["linkId"] for g in q["item"]] == [s.id for s in CONTENT.sections] + [RESULT_GROUP]
    link_ids = []
    for group, section in zip(q["item"][:-1], CONTENT.sections, strict=True):
        assert group["type"] == "group"
        assert group["text"] == section.title.get(lang)
        assert translations(group["_text"]) == {f"{other}-CA": section.title.get(other)}
        link_ids.append(group["linkId"])
        assert [i["linkId"] for i in group["item"]] == [question.id for question in section.questions]
        for item, question in zip(group["item"], section.questions, strict=True):
            link_ids.append(item["linkId"])
            assert item["type"] == "choice"
            assert "enableWhen" not in item  # no conditional questions in the content
            assert item["text"] == question.text.get(lang)
            assert translations(item["_text"]) == {f"{other}-CA": question.text.get(other)}
            codings = [option["valueCoding"] for option in item["answerOption"]]
            assert [c["code"] for c in codings] == list(question.codes)
            assert {c["system"] for c in codings} == {answer_system(question.id)}
            for coding, answer in zip(codings, question.answers, strict=True):
                assert coding["display"] == answer.text.get(lang)
                assert translations(coding["_display"]) == {f"{other}-CA": answer.text.get(other)}
    result = q["item"][-1]
    link_ids += [RESULT_GROUP] + [i["linkId"] for i in result["item"]]
    assert all(i.get("readOnly") for i in result["item"])  # worked out by the aid, not asked
    assert len(link_ids) == len(set(link_ids))  # linkIds are unique across the questionnaire


def check_against(response: dict[str, Any], questionnaire: dict[str, Any]) -> dict[str, int]:
    """Every response item exists at the same place in the questionnaire, with an allowed coding.

    Returns how many answers each group has."""
    assert response["questionnaire"] == f"{questionnaire['url']}|{questionnaire['version']}"
    groups = {g["linkId"]: {i["linkId"]: i for i in g["item"]} for g in questionnaire["item"]}
    seen: dict[str, int] = {}
    for group in response.get("item", []):
        assert group["linkId"] in groups, group["linkId"]
        assert "answer" not in group
        for item in group["item"]:
            assert item["linkId"] in groups[group["linkId"]], item["linkId"]
            allowed = {
                (o["valueCoding"]["system"], o["valueCoding"]["code"])
                for o in groups[group["linkId"]][item["linkId"]]["answerOption"]
            }
            for answer in item["answer"]:
                coding = answer["valueCoding"]
                assert (coding["system"], coding["code"]) in allowed
                seen[group["linkId"]] = seen.get(group["linkId"], 0) + 1
    return seen


@pytest.mark.parametrize("answers", [FULL, FEW, {}], ids=["full", "few", "none"])
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_response_item_matches_the_questionnaire(answers, lang):
    questionnaire = fhir_questionnaire(CONTENT, lang=lang)
    response = fhir_questionnaire_response(CONTENT, record(answers, lang), lang)
    QuestionnaireResponse.model_validate(response)
    seen = check_against(response, questionnaire)
    assert sum(n for group, n in seen.items() if group != RESULT_GROUP) == len(answers)
    # Both steps, the final lean with their strengths, and every flag raised.
    assert seen[RESULT_GROUP] == 6 + len(score(CONTENT, answers).flags)
    result = next(g for g in response["item"] if g["linkId"] == RESULT_GROUP)
    given = {i["linkId"]: [a["valueCoding"]["code"] for a in i["answer"]] for i in result["item"]}
    lean = score(CONTENT, answers).lean
    assert given["step1"] == [lean.step1.option or "none"] and given["step2"] == [lean.step2.option or "none"]
    assert given["lean"] == [lean.option or "none"] and given["lean_strength"] == [lean.strength]


def test_an_older_record_points_at_its_own_version():
    response = fhir_questionnaire_response(CONTENT, record(FEW, version="2024-01-01+00000000"), "en")
    assert response["questionnaire"] == f"{DEFAULT_CANONICAL}|2024-01-01+00000000"


def test_the_canonical_can_be_configured(monkeypatch):
    url = "https://clinic.example.org/fhir/Questionnaire/needling"
    assert fhir_questionnaire(CONTENT, canonical=url)["url"] == url
    monkeypatch.setenv(CANONICAL_ENV, url)
    assert canonical_url() == url
    response = fhir_questionnaire_response(CONTENT, record(FEW), "en")
    assert response["questionnaire"] == f"{url}|{CONTENT.version}"
    for bad in ("not a url", "http://x.example/q|1", "/relative/path"):
        with pytest.raises(ValueError):
            canonical_url(bad)


def test_the_export_module_still_offers_the_response():
    from decision.records import export

    assert export.fhir_questionnaire_response is fhir_questionnaire_response


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    """``run("fhir-questionnaire", ...)``: ``cli.main(argv)`` in this process, from the project folder,
    with ``env`` set (the real ``python -m decision`` process is proven in tests/test_cli.py)."""
    monkeypatch.delenv("DECISION_CONTENT_DIR", raising=False)
    monkeypatch.chdir(ROOT)

    def run_main(*args: str, **env: str) -> tuple[int, str, str]:
        with monkeypatch.context() as m:
            m.delenv(CANONICAL_ENV, raising=False)
            for name, value in env.items():
                m.setenv(name, value)
            capsys.readouterr()
            code = cli.main(list(args))
            out, err = capsys.readouterr()
        return code, out, err

    return run_main


def test_the_cli_prints_the_questionnaire(run):
    code, out, err = run("fhir-questionnaire")
    assert code == 0, err
    assert json.loads(out) == fhir_questionnaire(CONTENT)
    code, out, _ = run("fhir-questionnaire", "--lang", "fr", "--content", str(ROOT / "content"))
    assert code == 0 and json.loads(out)["language"] == "fr-CA"


def test_the_cli_refuses_a_bad_canonical_or_content_folder(run, tmp_path):
    code, _, err = run("fhir-questionnaire", **{CANONICAL_ENV: "not a url"})
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and CANONICAL_ENV in err
    code, _, err = run("fhir-questionnaire", "--content", str(tmp_path / "missing"))
    assert code == 2 and "content folder not found" in err


# ------------------------------------------------------------------ informed consent (issue 17)


def consent(**changes: object):
    from decision.records.consent import make_consent

    fields: dict[str, object] = {
        "options_discussed": ["ims", "no_needling"],
        "option_chosen": "ims",
        "covered_benefits": True,
        "covered_risks": True,
        "covered_alternatives": False,
        "covered_nothing": True,
        "questions_answered": True,
        "decision": "given",
        "physio_name": "Dana Lévesque",
        "physio_registration": "PT-4821",
        "recorded_at": T0 + timedelta(minutes=20),
    }
    fields.update(changes)
    return make_consent(**fields)


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize(
    ("decision", "option", "status", "provision"),
    [
        ("given", "ims", "active", "permit"),
        ("declined", "acupuncture", "rejected", "deny"),
        ("deferred", "decide_later", "proposed", None),
    ],
    ids=["consent given to IMS", "acupuncture declined", "deciding later"],
)
def test_the_consent_is_a_valid_r4_treatment_consent_that_references_the_response(
    lang, decision, option, status, provision
):
    from fhir.resources.R4B.consent import Consent

    from decision.records.fhir import CONSENT_SYSTEM, REGISTRATION_SYSTEM, fhir_consent

    rec = record(FEW, lang)
    resource = fhir_consent(CONTENT, rec, consent(decision=decision, option_chosen=option), lang)
    Consent.model_validate(resource)  # valid R4 (R4B) on its own, after a JSON round trip too
    Consent.model_validate(json.loads(json.dumps(resource)))
    assert resource["status"] == status
    assert resource["scope"]["coding"][0]["code"] == "treatment"
    response = fhir_questionnaire_response(CONTENT, rec, lang)
    assert resource["sourceReference"]["reference"] == f"QuestionnaireResponse/{response['id']}"
    assert resource["sourceReference"]["identifier"] == response["identifier"]
    physio = resource["contained"][0]
    assert resource["performer"] == [{"reference": f"#{physio['id']}"}]
    assert physio["name"][0]["text"] == "Dana Lévesque"
    assert physio["identifier"] == [{"system": REGISTRATION_SYSTEM, "value": "PT-4821"}]
    codes = {e["valueCodeableConcept"]["coding"][0]["code"] for e in resource["extension"]}
    assert codes == {"discussed-ims", "discussed-no_needling", f"chosen-{option}", "covered-benefits",
                     "covered-risks", "covered-nothing", "questions-answered"}  # fmt: skip
    assert all(e["valueCodeableConcept"]["coding"][0]["system"] == CONSENT_SYSTEM for e in resource["extension"])
    assert resource["dateTime"] == "2025-03-01T15:50:00+00:00"
    if provision is None:
        assert "provision" not in resource
    else:
        assert resource["provision"]["type"] == provision
        assert resource["provision"]["code"][0]["coding"][0]["code"] == f"option-{option}"


def test_the_consent_time_is_written_in_the_clinic_s_zone():
    from zoneinfo import ZoneInfo

    from decision.records.fhir import fhir_consent

    resource = fhir_consent(CONTENT, record(FEW), consent(), "en", zone=ZoneInfo("America/Toronto"))
    assert resource["dateTime"] == "2025-03-01T10:50:00-05:00"
