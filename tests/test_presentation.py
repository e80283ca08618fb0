"""decision/presentation.py: what the patient's result screen shows, without Streamlit."""

from __future__ import annotations

import re

import pytest
from shipped_content import CONTENT

from decision import contract, score
from decision.presentation import DEFAULT_ROWS, grid_rows, present, reasons
from decision.wording import Wording

ORDER = tuple(q.id for q in CONTENT.questions_of_kind("questions"))
ALL_NO = {q.id: "no" for q in CONTENT.questions_of_kind("safety")}
EN = Wording(CONTENT, "en")
TYPICAL = {q.id: q.codes[0] for q in CONTENT.questions_of_kind("questions")} | ALL_NO


def every_text(view) -> str:
    parts = [p.title for p in view.panels] + [m for p in view.panels for m in p.messages]
    parts += [line.text for line in view.lines] + [view.worry]
    for step in (*view.steps, *([view.later] if view.later else [])):
        parts += [step.title, step.sentence, step.empty, *step.notes]
        parts += [s.heading for s in step.sides] + [r.said for s in step.sides for r in s.reasons]
    return "\n".join(parts)


def test_the_answers_behind_each_step_are_words_from_the_contributions_in_question_order():
    answers = {"wants_needles": "yes", "lie_still": "no", "problem_kind": "tight_knot", "strong_sensation": "no"}
    result = score(CONTENT, answers)
    step2 = reasons(result, "step2", EN, ORDER)
    assert [(r.question, r.toward) for r in step2] == [
        ("problem_kind", "ims"),
        ("strong_sensation", "acupuncture"),
        ("lie_still", "ims"),
    ]
    assert step2[0].said == EN.t(
        "why_answer", question=EN.question_label("problem_kind"), answer=EN.answer_text("problem_kind", "tight_knot")
    )
    rule = next(c.rule for o in result.options for c in o.contributions if c.question == "lie_still")
    assert step2[2].why == next(r for r in CONTENT.rules if r.id == rule).reason.en
    step1 = reasons(result, "step1", EN, ORDER)
    assert [(r.question, r.toward) for r in step1] == [("wants_needles", "needles")]


def test_both_steps_list_their_answers_the_same_way_under_your_answers_that_point_toward():
    view = present(CONTENT, score(CONTENT, TYPICAL), "en", ORDER)
    assert [s.key for s in view.steps] == ["step1", "step2"]
    for step in view.steps:
        assert step.sides, step.key
        for side in step.sides:
            assert side.heading == EN.t("why_toward", option=EN.option_in_text(side.target))
            assert side.target in (contract.STEP1 if step.key == "step1" else contract.STEP2)


@pytest.mark.parametrize(
    ("lang", "want"),
    [("en", "Your answers that point toward acupuncture"), ("fr", "Vos réponses qui vont vers l'acupuncture")],
)
def test_the_heading_of_the_answers_names_the_option_in_running_text(lang, want):
    view = present(CONTENT, score(CONTENT, TYPICAL), lang, ORDER)
    headings = [side.heading for step in view.steps for side in step.sides]
    assert want in headings, headings


def test_a_capped_answer_is_still_listed_once():
    result = score(CONTENT, {"past_ims": "helped", "past_acupuncture": "did_not_help"})
    step2 = reasons(result, "step2", EN)
    assert [r.question for r in step2].count("past_acupuncture") == 1


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_no_points_anywhere_the_patient_reads(lang):
    w = Wording(CONTENT, lang)
    for answers in (TYPICAL, {}, {**TYPICAL, "wants_needles": "no"}, {**TYPICAL, "needle_feelings": "panic_faint"}):
        shown = every_text(present(CONTENT, score(CONTENT, answers), lang, ORDER))
        assert not re.search(r"\d+\s*points?\b", shown), shown
        assert w.t("capped_note") not in shown


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_stop_hides_step_2_and_never_says_you_decide(lang):
    w = Wording(CONTENT, lang)
    result = score(CONTENT, {**TYPICAL, "needle_feelings": "panic_faint"})
    assert result.lean.stopped
    view = present(CONTENT, result, lang, ORDER)
    assert [s.key for s in view.steps] == ["step1"]
    assert view.later is None  # never after panic or fainting
    assert w.t("you_decide") not in every_text(view)
    assert w.t("step2_title") not in every_text(view)
    assert view.fold_needles and view.stopped


def test_unwell_today_is_a_stop_that_passes_step_2_waits_for_another_day_when_the_engine_gives_it():
    result = score(CONTENT, {**TYPICAL, "unwell_today": "yes"})
    view = present(CONTENT, result, "en", ORDER)
    assert [s.key for s in view.steps] == ["step1"]
    later = getattr(result.lean, "step2_later", None)
    if later is None or later.option is None:
        assert view.later is None
    else:
        assert view.later is not None and view.later.title == EN.t("step2_later_title")
        assert EN.option_name(later.option) in view.later.sentence


def test_not_wanting_needles_folds_the_needle_detail():
    view = present(CONTENT, score(CONTENT, {**TYPICAL, "wants_needles": "no"}), "en", ORDER)
    assert view.fold_needles and not view.stopped
    assert [s.key for s in view.steps] == ["step1", "step2"]  # a wish, not a stop: step 2 stays, "if needles"


def test_the_worry_is_said_once():
    answers = {**TYPICAL, "needle_feelings": "very_anxious"}
    view = present(CONTENT, score(CONTENT, answers), "en", ORDER)
    shown = every_text(view)
    assert shown.count("very anxious") == 1, shown
    assert view.worry == ""  # the amber panel says it


def test_skipped_safety_questions_are_a_caution_and_skipped_questions_are_counted():
    answers = {"problem_kind": "tight_knot", "blood_thinners": "no"}
    result = score(CONTENT, answers)
    view = present(CONTENT, result, "en", ORDER)
    caution = [line for line in view.lines if line.level == "caution"]
    n_safety = len(ALL_NO) - 1
    assert caution and caution[0].text == EN.plural("safety_skipped", n_safety)
    assert len(caution[0].details) == n_safety  # each one named, one tap away
    assert view.skipped_questions == len(ORDER) - 1
    assert EN.plural("questions_skipped", len(ORDER) - 1) in [line.text for line in view.lines]
    assert EN.t("no_flags") not in every_text(view)


def test_all_answered_with_nothing_raised_says_no_flags():
    answers = {**TYPICAL, "main_area": "arm_hand", "duration": "over_3_months"}  # no note for these
    result = score(CONTENT, answers)
    assert not result.flags
    view = present(CONTENT, result, "en", ORDER)
    assert EN.t("no_flags") in every_text(view)


def test_panels_one_caution_per_message_stops_first():
    result = score(
        CONTENT, {"unwell_today": "yes", "blood_thinners": "yes", "pregnant": "yes", "main_area": "low_back"}
    )
    view = present(CONTENT, result, "en", ORDER)
    assert [p.level for p in view.panels] == ["stop", "caution"]
    for panel in view.panels:
        assert len(panel.messages) == len(set(panel.messages))
    assert view.panels[0].title == EN.t("stop_title_all")


def test_the_grid_shows_the_rows_patients_ask_first_and_keeps_the_rest_one_tap_away():
    default, more = grid_rows(CONTENT)
    ids = [r.id for r in CONTENT.comparison]
    assert set(default) | set(more) == set(ids) and not set(default) & set(more)
    assert list(default) == [i for i in ids if i in default]  # content order
    if not any(getattr(r, "shown", None) for r in CONTENT.comparison):
        assert set(default) == set(DEFAULT_ROWS) & set(ids)
    assert 4 <= len(default) <= 7
