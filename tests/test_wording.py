"""decision/wording.py: every sentence built from a result, in both languages."""

from __future__ import annotations

import pytest
from shipped_content import CONTENT

from decision import score
from decision.records.saved import parse_saved
from decision.wording import Wording, singular


@pytest.mark.parametrize(
    ("lang", "n", "want"),
    [
        ("en", 0, "0 points"),
        ("en", 1, "1 point"),
        ("en", 2, "2 points"),
        ("fr", 0, "0 point"),
        ("fr", 1, "1 point"),
        ("fr", 2, "2 points"),
    ],
)
def test_points_follow_each_languages_plural_rule(lang, n, want):
    assert Wording(CONTENT, lang).points(n) == want
    assert singular(n, lang) == (want.split()[1] == "point")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_both_steps_are_said_and_every_line_ends_with_you_decide(lang):
    w = Wording(CONTENT, lang)
    answers = {
        "main_area": "hip_leg",
        "problem_kind": "tight_knot",
        "strong_sensation": "ok_if_helps",
        "lie_still": "no",
        "wants_needles": "yes",
    }
    lines = w.lean_lines(score(CONTENT, answers))
    assert [t for t, _ in lines] == [w.t("step1_title"), w.t("step2_title")]
    assert all(sentence.endswith(w.t("you_decide")) for _, sentence in lines)
    assert w.option_name("ims") in lines[1][1]


def test_a_lean_to_no_needles_comes_first_and_step_two_is_offered_if_needles():
    w = Wording(CONTENT, "en")
    answers = {
        "wants_needles": "no",
        "main_area": "hip_leg",
        "problem_kind": "tight_knot",
        "strong_sensation": "ok_if_helps",
        "lie_still": "no",
    }
    (_, first), (_, second) = w.lean_lines(score(CONTENT, answers))
    assert w.t("step1_wish") in first
    assert second.startswith(w.t("step2_if_needles"))
    assert w.headline(score(CONTENT, answers)).startswith(w.t("step1_wish"))


def test_a_stop_for_being_unwell_says_not_today_and_a_panic_says_may_not_be_right():
    w = Wording(CONTENT, "en")
    unwell = w.lean_lines(score(CONTENT, {"unwell_today": "yes"}))
    panic = w.lean_lines(score(CONTENT, {"needle_feelings": "panic_faint"}))
    assert len(unwell) == 1 and w.t("stopped_unwell") in unwell[0][1]
    assert w.t("stopped_other") in panic[0][1]


def test_the_very_anxious_line_comes_after_the_steps():
    w = Wording(CONTENT, "fr")
    lines = w.lean_lines(score(CONTENT, {"needle_feelings": "very_anxious"}))
    assert lines[-1] == ("", w.t("very_anxious_first"))


def test_too_few_answers_say_not_enough_never_about_the_same():
    w = Wording(CONTENT, "en")
    result = score(CONTENT, {"problem_kind": "tight_knot"})
    text = " ".join(s for _, s in w.lean_lines(result)) + w.headline(result)
    assert w.t("lean_not_enough") in text
    assert w.t("lean_none") not in text


def test_safety_summary_counts_skipped_items_and_notes_and_says_no_flags_only_when_nothing_was_raised():
    w = Wording(CONTENT, "en")
    all_no = {q: "no" for q in CONTENT.safety_ids}
    assert w.safety_summary(score(CONTENT, all_no)) == [w.t("no_flags")]
    two_skipped = {**all_no, "pregnant": None, "lymph": None, "seizures": "not_sure"}
    lines = w.safety_summary(score(CONTENT, two_skipped))
    assert lines == [w.plural("safety_skipped", 2), w.plural("info_notes", 1)]
    assert "2" in lines[0]


def test_a_saved_result_reads_the_same_as_the_fresh_one():
    w = Wording(CONTENT, "fr")
    answers = {"needle_feelings": "very_anxious", "main_area": "low_back", "pregnant": "yes"}
    result = score(CONTENT, answers)
    saved = parse_saved(result.to_json("fr"))
    assert w.lean_lines(saved) == w.lean_lines(result)
    assert w.headline(saved) == w.headline(result)
    assert w.safety_summary(saved) == w.safety_summary(result)


def test_a_version_one_record_still_parses_with_defaults():
    saved = parse_saved(
        {
            "options": [{"id": "ims", "score": 3, "contributions": []}],
            "lean": {"option": "ims", "strength": "strong"},
            "flags": [],
            "unanswered": [],
        }
    )
    assert saved.lean.step2.option is None and saved.lean.enough_answers
    assert Wording(CONTENT, "en").headline(saved)


# ------------------------------------------------------------------ version 3: the one lean, worded once

IMS_STRONG = {
    "problem_kind": "tight_knot",
    "strong_sensation": "ok_if_helps",
    "lie_still": "no",
    "goal": "loosen_muscle",
}


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_after_a_stop_only_the_stop_is_said_with_no_step_two_and_no_you_decide(lang):
    w = Wording(CONTENT, lang)
    for stop in ({"unwell_today": "yes"}, {"needle_feelings": "panic_faint"}):
        result = score(CONTENT, {**IMS_STRONG, "main_area": "hip_leg", **stop})
        lines = w.lean_lines(result)
        assert [title for title, _ in lines] == [w.t("step1_title")]
        assert w.t("you_decide") not in " ".join(s for _, s in lines) + w.headline(result)
        assert w.step2(result.lean) == ""
    unwell = score(CONTENT, {**IMS_STRONG, "main_area": "hip_leg", "unwell_today": "yes"})
    assert w.step2_later(unwell.lean).startswith(w.t("step2_if_needles"))
    panic = score(CONTENT, {**IMS_STRONG, "main_area": "hip_leg", "needle_feelings": "panic_faint"})
    assert w.step2_later(panic.lean) == ""


@pytest.mark.parametrize(
    ("lang", "want"),
    [("en", "Your answers fit acupuncture more."), ("fr", "Vos réponses correspondent davantage à l'acupuncture.")],
)
def test_option_names_are_lower_case_in_running_text_and_after_the_colon(lang, want):
    w = Wording(CONTENT, lang)
    answers = {
        "main_area": "arm_hand",
        "problem_kind": "headaches",
        "strong_sensation": "no",
        "soreness_after": "big_problem",
    }
    result = score(CONTENT, answers)
    assert result.lean.conditional
    assert w.step2(result.lean) == want
    final = w.final(result)
    assert final.startswith(w.t("if_you_choose_needles") + " ")
    assert final.endswith(want[0].lower() + want[1:])
    wish = score(CONTENT, {**answers, "wants_needles": "no"})
    step2 = dict(w.lean_lines(wish))[w.t("step2_title")]
    assert step2.startswith(f"{w.t('step2_if_needles')} {want[0].lower()}")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_cap_lines_come_from_the_content_on_fresh_and_saved_results(lang):
    w = Wording(CONTENT, lang)
    result = score(CONTENT, {**IMS_STRONG, "main_area": "low_back", "pregnant": "yes", "blood_thinners": "yes"})
    caps = {c.id: c for c in CONTENT.caps}
    want = [caps[c.id].line.get(lang) for c in result.context_caps]
    assert len(want) == 2
    assert w.cap_lines(result) == want
    assert w.cap_lines(parse_saved(result.to_json(lang))) == want


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_very_anxious_patient_who_wants_needles_reads_that_the_worry_tips_step_one(lang):
    w = Wording(CONTENT, lang)
    result = score(CONTENT, {"needle_feelings": "very_anxious", "wants_needles": "yes", **IMS_STRONG})
    assert result.lean.step1 == ("no_needling", "slight")
    assert w.step1(result.lean) == w.t("step1_very_anxious")
    assert w.final(result) == w.t("step1_very_anxious")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_step_two_lean_a_cap_removed_says_so_and_never_no_clear_difference(lang):
    w = Wording(CONTENT, lang)
    pregnant = score(CONTENT, {**IMS_STRONG, "main_area": "low_back", "pregnant": "yes"})
    assert pregnant.lean.step2_removed == "ims"
    assert w.step2(pregnant.lean) == w.t("step2_removed_ims_safety") != w.t("lean_none")
    assert w.final(pregnant) == w.t("step2_removed_ims_safety")
    anxious = score(CONTENT, {**IMS_STRONG, "main_area": "arm_hand", "needle_feelings": "very_anxious"})
    assert w.step2(anxious.lean) == w.t("step2_removed_ims_anxious")
    assert w.step2(parse_saved(anxious.to_json(lang)).lean) == w.t("step2_removed_ims_anxious")


def test_for_another_day_says_a_removed_lean_too():
    w = Wording(CONTENT, "en")
    result = score(CONTENT, {**IMS_STRONG, "main_area": "low_back", "pregnant": "yes", "unwell_today": "yes"})
    assert result.lean.stopped and result.lean.step2_later == (None, "none")
    assert result.lean.step2_removed == "ims"
    assert w.step2_later(result.lean) == w.t("step2_removed_ims_safety")


ACUPUNCTURE_ANSWERS = {
    "wants_needles": "yes",
    "soreness_after": "big_problem",
    "strong_sensation": "rather_not",
    "lie_still": "yes",
    "visit_time": "flexible",
    "main_area": "neck_shoulders",
}


@pytest.mark.parametrize(
    ("lang", "want"),
    [("en", "Your answers fit acupuncture more."), ("fr", "Vos réponses correspondent davantage à l'acupuncture.")],
)
def test_an_option_named_inside_a_sentence_is_in_lower_case_with_its_french_article(lang, want):
    w = Wording(CONTENT, lang)
    result = score(CONTENT, ACUPUNCTURE_ANSWERS)
    assert result.lean.step2.option == "acupuncture"
    (_, step2) = w.lean_lines(result)[1]
    assert step2.startswith(want)
    assert w.option_name("acupuncture") == "Acupuncture"  # the heading keeps its capital


@pytest.mark.parametrize(
    ("lang", "want"),
    [
        ("en", "If you and your physiotherapist choose needles, your answers fit acupuncture more."),
        ("fr", "Si vous choisissez les aiguilles avec votre physiothérapeute, vos réponses correspondent davantage"),
    ],
)
def test_after_if_you_choose_needles_the_sentence_goes_on_in_lower_case(lang, want):
    w = Wording(CONTENT, lang)
    (_, step2) = w.lean_lines(score(CONTENT, {**ACUPUNCTURE_ANSWERS, "wants_needles": "no"}))[1]
    assert step2.startswith(want)
