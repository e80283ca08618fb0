"""FHIR R4: the Questionnaire generated from the content, and the QuestionnaireResponse of a hand-off.

Both are plain JSON dicts, checked with fhir.resources' R4B models (R4B is the R4
line, 4.3; its Questionnaire and QuestionnaireResponse have R4's shape).

* Questionnaire (SDC style): ``url`` = a canonical URL (:data:`DEFAULT_CANONICAL`,
  or ``DECISION_FHIR_CANONICAL``, or the ``canonical`` argument), ``version`` = the
  content version; one ``group`` item per section (``linkId`` = section id) holding
  one ``choice`` item per question (``linkId`` = question id) whose ``answerOption``
  codings use :func:`answer_system`. Texts in one language, the other one through
  the ``translation`` extension on ``_text`` / ``_display`` / ``_title``. The content
  has no conditional questions, so there is no ``enableWhen``.
* QuestionnaireResponse: ``questionnaire`` = ``<canonical>|<content version of the
  record>``; items nested in the same section groups, answers coded with the same
  systems as the Questionnaire's answer options.
"""

from __future__ import annotations

import re
from datetime import UTC, tzinfo
from typing import TYPE_CHECKING, Any

from decision.content import Content
from decision.models import LocalizedText
from decision.records.saved import HandoffRecord
from decision.settings import load_settings
from decision.wording import Wording

if TYPE_CHECKING:
    from decision.records.consent import ConsentRecord

DEFAULT_CANONICAL = "http://needling-decision-aid.example/fhir/Questionnaire/needling-decision-aid"
CANONICAL_ENV = "DECISION_FHIR_CANONICAL"
# Answer codes (yes, no, ...) repeat across questions, so each question is its own code
# system. The value is the one exported since the first version: codes already in charts stay comparable.
ANSWER_SYSTEM = "urn:x-needling-decision-aid:questionnaire"
HANDOFF_CODE_SYSTEM = "urn:x-needling-decision-aid:handoff-code"
LANG_TAGS = {"en": "en-CA", "fr": "fr-CA"}
TRANSLATION = "http://hl7.org/fhir/StructureDefinition/translation"
NAME = "NeedlingDecisionAid"

_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s|]+$")


def _lang(lang: str) -> str:
    return lang if lang in LANG_TAGS else "en"


def canonical_url(canonical: str | None = None) -> str:
    """The Questionnaire's canonical URL: ``canonical``, else ``$DECISION_FHIR_CANONICAL``, else the default.

    Raises ``ValueError`` if it is not an absolute URI (or holds a ``|``).
    """
    url = canonical or load_settings().fhir_canonical or DEFAULT_CANONICAL
    if not _URI.match(url):
        raise ValueError(f"not an absolute URI without '|' for the FHIR Questionnaire: {url[:80]!r}")
    return url


def questionnaire_reference(version: str, canonical: str | None = None) -> str:
    """``<canonical>|<version>``: what a QuestionnaireResponse's ``questionnaire`` points at."""
    return f"{canonical_url(canonical)}|{version}"


def answer_system(question_id: str) -> str:
    """The code system of one question's answer codes (the same in the Questionnaire and the response)."""
    return f"{ANSWER_SYSTEM}:{question_id}"


def _model(name: str) -> Any:
    # fhir.resources' top-level package is R5; R4B is the R4 line. There is no R4 package.
    if name == "Questionnaire":
        from fhir.resources.R4B.questionnaire import Questionnaire

        return Questionnaire
    if name == "Consent":
        from fhir.resources.R4B.consent import Consent

        return Consent
    from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

    return QuestionnaireResponse


def _translated(text: LocalizedText, lang: str) -> tuple[str, dict[str, Any]]:
    """The text in ``lang`` and a ``_text``-style element giving it in the other language."""
    other = "fr" if lang == "en" else "en"
    extension = {
        "url": TRANSLATION,
        "extension": [
            {"url": "lang", "valueCode": LANG_TAGS[other]},
            {"url": "content", "valueString": text.get(other)},
        ],
    }
    return text.get(lang), {"extension": [extension]}


def _with_text(element: dict[str, Any], key: str, text: LocalizedText, lang: str) -> dict[str, Any]:
    element[key], element[f"_{key}"] = _translated(text, lang)
    return element


# ------------------------------------------------------------------ the result, as items


RESULT_GROUP = "result"
RESULT_SYSTEM = "urn:x-needling-decision-aid:result"
STRENGTHS = ("strong", "slight", "none")
# (linkId, title key in ui.yaml, the codes it can take)
RESULT_ITEMS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("step1", "step1_title", ("needles", "no_needling", "none")),
    ("step1_strength", "strength_label", STRENGTHS),
    ("step2", "step2_title", ("ims", "acupuncture", "none")),
    ("step2_strength", "strength_label", STRENGTHS),
    ("lean", "export_lean_final", ("ims", "acupuncture", "no_needling", "none")),
    ("lean_strength", "strength_label", STRENGTHS),
)


def _ui(content: Content, key: str) -> LocalizedText:
    return LocalizedText(en=content.t(key, "en"), fr=content.t(key, "fr"))


def _code_text(content: Content, code: str) -> LocalizedText:
    if code in STRENGTHS:
        return _ui(content, f"strength_{code}")
    if code == "none":
        return _ui(content, "strength_none")
    if code == "needles":
        return _ui(content, "target_needles")
    return content.options[code].name


def _result_group(content: Content, lang: str) -> dict[str, Any]:
    """The aid's own result as read-only items: both steps, the final lean, the flags raised."""
    items = []
    for link_id, key, codes in RESULT_ITEMS:
        options = [
            {"valueCoding": _with_text({"system": RESULT_SYSTEM, "code": c}, "display", _code_text(content, c), lang)}
            for c in codes
        ]
        item = {"linkId": link_id, **_with_text({}, "text", _ui(content, key), lang), "type": "choice"}
        items.append({**item, "readOnly": True, "answerOption": options})
    flags = [
        {"valueCoding": _with_text({"system": RESULT_SYSTEM, "code": f.id}, "display", f.clinician, lang)}
        for f in content.flags
    ]
    flag_item = {"linkId": "flags", **_with_text({}, "text", _ui(content, "export_flags"), lang), "type": "choice"}
    items.append({**flag_item, "readOnly": True, "repeats": True, "answerOption": flags})
    return {"linkId": RESULT_GROUP, **_with_text({}, "text", _ui(content, "export_lean"), lang), "type": "group",
            "item": items}  # fmt: skip


def _result_answers(content: Content, record: HandoffRecord, lang: str) -> dict[str, Any]:
    lean = record.saved.lean
    given = {
        "step1": lean.step1.option or "none",
        "step1_strength": lean.step1.strength,
        "step2": lean.step2.option or "none",
        "step2_strength": lean.step2.strength,
        "lean": lean.option or "none",
        "lean_strength": lean.strength,
    }
    items = []
    for link_id, key, codes in RESULT_ITEMS:
        code = given[link_id]
        if code not in codes:
            continue
        coding = {"system": RESULT_SYSTEM, "code": code, "display": _code_text(content, code).get(lang)}
        items.append({"linkId": link_id, "text": content.t(key, lang), "answer": [{"valueCoding": coding}]})
    known = {f.id: f for f in content.flags}
    raised = [
        {"valueCoding": {"system": RESULT_SYSTEM, "code": f.id, "display": known[f.id].clinician.get(lang)}}
        for f in record.saved.flags
        if f.id in known
    ]
    if raised:
        items.append({"linkId": "flags", "text": content.t("export_flags", lang), "answer": raised})
    return {"linkId": RESULT_GROUP, "text": content.t("export_lean", lang), "item": items}


def fhir_questionnaire(content: Content, *, lang: str = "en", canonical: str | None = None) -> dict[str, Any]:
    """The FHIR R4 Questionnaire of ``content`` (plain JSON dict), checked with fhir.resources' R4B model.

    Texts are in ``lang`` (``en`` by default), the other language in translation extensions.
    """
    lang = _lang(lang)
    groups: list[dict[str, Any]] = []
    for section in content.sections:
        items = []
        for q in section.questions:
            options = [
                {"valueCoding": _with_text({"system": answer_system(q.id), "code": a.code}, "display", a.text, lang)}
                for a in q.answers
            ]
            item = {"linkId": q.id, **_with_text({}, "text", q.text, lang), "type": "choice", "required": False}
            item["answerOption"] = options
            items.append(item)
        group = {"linkId": section.id, **_with_text({}, "text", section.title, lang), "type": "group"}
        group["item"] = items
        groups.append(group)
    groups.append(_result_group(content, lang))
    resource: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "language": LANG_TAGS[lang],
        "url": canonical_url(canonical),
        "version": content.version,
        "name": NAME,
        **_with_text({}, "title", content.meta.title, lang),
        "status": "active",
        "subjectType": ["Patient"],
        "date": content.meta.content_date.isoformat(),
        **_with_text({}, "description", content.meta.decision, lang),
        "item": groups,
    }
    _model("Questionnaire").model_validate(resource)  # raises if the resource is not valid R4
    return resource


def fhir_questionnaire_response(
    content: Content, record: HandoffRecord, lang: str, *, canonical: str | None = None
) -> dict[str, Any]:
    """A FHIR R4 QuestionnaireResponse (plain JSON dict), checked with fhir.resources' R4B model.

    One item per answered question, ``linkId`` = question id, nested in its section's
    group (``linkId`` = section id) as in :func:`fhir_questionnaire`; the answer is a
    Coding whose system names the question. Answers to questions gone from the content
    (a record from an older version) follow at the top level.
    """
    lang = _lang(lang)
    w = Wording(content, lang)
    groups: list[dict[str, Any]] = []
    for section in content.sections:
        items = []
        for q in section.questions:
            code = record.answers.get(q.id)
            if code is None:
                continue
            coding = {
                "system": answer_system(q.id),
                "code": code,
                "display": w.answer_text(q.id, code),
            }
            items.append({"linkId": q.id, "text": q.text.get(lang), "answer": [{"valueCoding": coding}]})
        if items:
            groups.append({"linkId": section.id, "text": section.title.get(lang), "item": items})
    for qid, code in record.answers.items():  # from an older content version
        if qid not in content.questions:
            groups.append({"linkId": qid, "answer": [{"valueCoding": {"system": answer_system(qid), "code": code}}]})
    if record.content_version == content.version:  # the result's codes are those of this Questionnaire
        groups.append(_result_answers(content, record, lang))
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": response_id(record.code),
        "language": LANG_TAGS[lang],
        "identifier": {"system": HANDOFF_CODE_SYSTEM, "value": record.code},
        "questionnaire": questionnaire_reference(record.content_version, canonical),
        "status": "completed",
        "authored": record.created_at.astimezone(UTC).isoformat(timespec="seconds"),
    }
    if groups:
        resource["item"] = groups
    _model("QuestionnaireResponse").model_validate(resource)  # raises if the resource is not valid R4
    return resource


# ------------------------------------------------------------------ informed consent (issue 17)

CONSENT_SYSTEM = "urn:x-needling-decision-aid:consent"
REGISTRATION_SYSTEM = "urn:x-needling-decision-aid:physiotherapist-registration"
SCOPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/consentscope"
CATEGORY_SYSTEM = "http://loinc.org"
CONSENT_STATUS = {"given": "active", "declined": "rejected", "deferred": "proposed"}


def response_id(code: str) -> str:
    """The QuestionnaireResponse's id for a handoff code (what a Consent references)."""
    return f"handoff-{code}"


def fhir_consent(
    content: Content, record: HandoffRecord, consent: ConsentRecord, lang: str, *, zone: tzinfo | None = None
) -> dict[str, Any]:
    """A FHIR R4 ``Consent`` (treatment scope) for the consent documented in the clinician view.

    ``status``: given = active, declined = rejected, deferred = proposed. ``sourceReference``
    points at the record's QuestionnaireResponse (``QuestionnaireResponse/handoff-<code>``,
    with the handoff code as identifier). The physiotherapist (name, registration number) is
    a contained Practitioner named as performer; the options discussed and chosen, and the
    benefits / risks / alternatives / doing nothing covered and the questions answered, are
    coded with :data:`CONSENT_SYSTEM`. ``provision`` permits (given) or denies (declined)
    the option chosen. Checked with fhir.resources' R4B model.
    """
    lang = _lang(lang)
    w = Wording(content, lang)

    def name(option: str) -> str:
        return w.t("export_consent_decide_later") if option == "decide_later" else w.option_name(option)

    def coding(code: str, display: str) -> dict[str, Any]:
        return {"system": CONSENT_SYSTEM, "code": code, "display": display}

    when = consent.recorded_at.astimezone(zone or UTC)
    facts = [
        *({"code": coding(f"discussed-{o}", f"{w.t('export_consent_discussed')}: {name(o)}")}
          for o in consent.options_discussed),
        {"code": coding(f"chosen-{consent.option_chosen}", f"{w.t('export_consent_chosen')}: "
                        f"{name(consent.option_chosen)}")},
        *({"code": coding(f"covered-{k}", w.t(f"export_consent_covered_{k}"))} for k in consent.covered),
    ]  # fmt: skip
    if consent.questions_answered:
        facts.append({"code": coding("questions-answered", w.t("export_consent_questions"))})
    resource: dict[str, Any] = {
        "resourceType": "Consent",
        "id": f"consent-{record.code}",
        "language": LANG_TAGS[lang],
        "contained": [
            {
                "resourceType": "Practitioner",
                "id": "physiotherapist",
                "identifier": [{"system": REGISTRATION_SYSTEM, "value": consent.physio_registration}],
                "name": [{"text": consent.physio_name}],
            }
        ],
        "status": CONSENT_STATUS[consent.decision],
        "scope": {"coding": [{"system": SCOPE_SYSTEM, "code": "treatment", "display": "Treatment"}]},
        "category": [{"coding": [{"system": CATEGORY_SYSTEM, "code": "59284-0", "display": "Patient Consent"}]}],
        "dateTime": when.isoformat(timespec="seconds"),
        "performer": [{"reference": "#physiotherapist"}],
        "policyRule": {"text": w.t("export_consent_title")},
        "sourceReference": {
            "reference": f"QuestionnaireResponse/{response_id(record.code)}",
            "identifier": {"system": HANDOFF_CODE_SYSTEM, "value": record.code},
        },
        "extension": [
            {
                "url": f"{CONSENT_SYSTEM}:discussion",
                "valueCodeableConcept": {"coding": [f["code"]], "text": f["code"]["display"]},
            }
            for f in facts
        ],
    }
    if consent.decision in ("given", "declined") and consent.option_chosen != "decide_later":
        resource["provision"] = {
            "type": "permit" if consent.decision == "given" else "deny",
            "code": [{"coding": [coding(f"option-{consent.option_chosen}", name(consent.option_chosen))]}],
        }
    _model("Consent").model_validate(resource)  # raises if the resource is not valid R4
    return resource
