"""decision/engine.py: scenario cases (data) and properties (hypothesis)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from decision import AnswerError, load_content, score
from decision import contract
from decision.yamlio import load_yaml_file

CONTENT = load_content()
SCENARIO_DIR = Path(__file__).parent / "scenarios"
SCENARIOS = [case for path in sorted(SCENARIO_DIR.glob("*.yaml")) for case in load_yaml_file(path).data]


@pytest.mark.parametrize("case", SCENARIOS, ids=[c["name"] for c in SCENARIOS])
def test_scenario(case):
    result = score(CONTENT, case["answers"])
    expect = case["expect"]
    if "scores" in expect:
        assert {o.option: o.score for o in result.options} == expect["scores"]
    if "lean" in expect:
        assert {"option": result.lean.option, "strength": result.lean.strength} == expect["lean"]
    if "stopped" in expect:
        assert sorted(result.lean.stopped) == sorted(expect["stopped"])
    if "flags" in expect:
        got = sorted((f.question, f.level) for f in result.flags)
        assert got == sorted((f["question"], f["level"]) for f in expect["flags"])
    if "sure" in expect:
        assert result.sure is not None
        assert result.sure.score == expect["sure"]["score"]
        assert result.sure.unsure == expect["sure"]["unsure"]
        assert list(result.sure.needs) == expect["sure"]["needs"]
    for qid in expect.get("unanswered_includes", []):
        assert qid in result.unanswered


def test_scenarios_cover_every_lean_and_every_flag_level():
    leans, levels = set(), set()
    for case in SCENARIOS:
        result = score(CONTENT, case["answers"])
        leans.add((result.lean.option, result.lean.strength))
        levels.update(f.level for f in result.flags)
    assert {s for _, s in leans} == {"strong", "slight", "none"}
    assert {o for o, _ in leans} == {"ims", "acupuncture", "no_needling", None}
    assert levels == {"stop", "caution", "info"}
    assert len(SCENARIOS) >= 12


def test_contributions_are_the_explanation():
    result = score(CONTENT, {"problem_kind": "tight_knot", "lie_still": "no", "soreness_after": "big_problem"})
    for option in result.options:
        assert option.score == sum(c.points for c in option.contributions)
    ims = result.option("ims")
    assert {(c.question, c.answer) for c in ims.contributions} == {("problem_kind", "tight_knot"), ("lie_still", "no")}
    for c in ims.contributions:
        assert c.rule.reason.en and c.rule.reason.fr and c.rule.source


def test_json_output_matches_the_interface():
    data = score(CONTENT, {"needle_feelings": "very_anxious", "sure_certain": "no"}).to_json("fr")
    assert data["language"] == "fr"
    assert data["content_version"] == CONTENT.version
    assert [o["id"] for o in data["options"]] == ["ims", "acupuncture"]
    contribution = data["options"][1]["contributions"][0]
    assert set(contribution) == {"rule", "question", "answer", "points", "reason"}
    flag = data["flags"][0]
    assert {"id", "level", "question", "options", "message"} <= set(flag)
    assert flag["message"] == next(f for f in CONTENT.flags if f.id == flag["id"]).message.fr
    assert data["sure"] == {"score": 0, "answered": 1, "unsure": True, "needs": ["certainty", "information", "values", "support"]}
    assert data["lean"]["option"] is None or data["lean"]["strength"] != "none"
    json.dumps(data)  # serialisable as is


def test_sure_is_absent_until_a_sure_item_is_answered():
    assert "sure" not in score(CONTENT, {"goal": "both"}).to_json()


@pytest.mark.parametrize(
    ("answers", "fragment"),
    [
        ({"needle_feeling": "fine"}, "unknown question id 'needle_feeling' (did you mean 'needle_feelings'?)"),
        ({"needle_feelings": "panic"}, "unknown answer code 'panic' for 'needle_feelings' (did you mean 'panic_faint'?)"),
        ({"needle_feelings": 3}, "must be one of the answer codes (fine, bit_nervous, very_anxious, panic_faint)"),
        ({"unwell_today": False}, "must be one of the answer codes (yes, no, not_sure)"),
        (["fine"], "answers must be a mapping"),
    ],
)
def test_bad_answers_name_the_problem_and_the_choices(answers, fragment):
    with pytest.raises(AnswerError) as info:
        score(CONTENT, answers)
    assert fragment in str(info.value)


def test_none_counts_as_unanswered():
    result = score(CONTENT, {"goal": None})
    assert "goal" in result.unanswered


# --------------------------------------------------------------------------- properties

QUESTIONS = list(CONTENT.questions.values())


@st.composite
def answer_sets(draw, complete: bool = False):
    answers = {}
    for q in QUESTIONS:
        if complete or draw(st.booleans()):
            answers[q.id] = draw(st.sampled_from(q.codes))
    return answers


ANY_ANSWERS = st.one_of(answer_sets(), answer_sets(complete=True))
SAFETY = set(CONTENT.safety_ids)


@settings(max_examples=300, deadline=None)
@given(ANY_ANSWERS)
def test_scoring_never_fails_and_is_deterministic(answers):
    first = score(CONTENT, answers).to_json()
    assert score(CONTENT, dict(answers)).to_json() == first


@settings(max_examples=200, deadline=None)
@given(ANY_ANSWERS, st.randoms(use_true_random=False))
def test_scoring_is_order_independent(answers, rnd: random.Random):
    items = list(answers.items())
    rnd.shuffle(items)
    assert score(CONTENT, dict(items)).to_json() == score(CONTENT, answers).to_json()


@settings(max_examples=300, deadline=None)
@given(ANY_ANSWERS)
def test_safety_answers_never_change_scores(answers):
    without = {q: a for q, a in answers.items() if q not in SAFETY}
    got = score(CONTENT, answers)
    base = score(CONTENT, without)
    assert [(o.option, o.score) for o in got.options] == [(o.option, o.score) for o in base.options]


@settings(max_examples=300, deadline=None)
@given(ANY_ANSWERS)
def test_an_option_with_a_stop_flag_is_never_the_lean(answers):
    result = score(CONTENT, answers)
    stopped = {o for f in result.flags if f.level == "stop" for o in f.flag.options}
    assert result.lean.option not in stopped
    assert (result.lean.option is None) == (result.lean.strength == "none")
    if {"ims", "acupuncture"} <= stopped:
        assert result.lean.option == "no_needling"


@settings(max_examples=300, deadline=None)
@given(ANY_ANSWERS)
def test_every_caution_or_stop_answer_yields_its_flag(answers):
    result = score(CONTENT, answers)
    raised = {(f.question, f.level) for f in result.flags}
    for (qid, code), level in contract.REQUIRED_FLAGS.items():
        if answers.get(qid) == code:
            if level == "info":
                assert any(q == qid for q, _ in raised)
            else:
                assert (qid, level) in raised or (qid, "stop") in raised


@settings(max_examples=200, deadline=None)
@given(ANY_ANSWERS)
def test_each_score_is_the_sum_of_its_contributions(answers):
    for option in score(CONTENT, answers).options:
        assert option.score == sum(c.points for c in option.contributions)
        assert all(c.points != 0 for c in option.contributions)
