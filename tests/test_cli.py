"""decision/cli.py through a real subprocess: exit codes, output, and bad input."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from decision import contract
from decision.content import DEFAULT_CONTENT_DIR

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "invalid"


def run(*args: str, stdin: str | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DECISION_CONTENT_DIR"}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "decision", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=60,
    )


def assert_bad_input(proc: subprocess.CompletedProcess, *fragments: str) -> None:
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_check_passes_on_the_shipped_content():
    proc = run("check")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "content OK" in proc.stderr
    assert not [line for line in proc.stdout.splitlines() if "warning:" not in line]


IGNORE = shutil.ignore_patterns("expected.txt", "edits.yaml")

SAFE = "".join(f"{q}: no\n" for q in contract.SAFETY_QUESTIONS)


@pytest.mark.parametrize(
    ("answers", "lean", "step1", "flags_include", "text_has"),
    [
        (
            "needle_feelings: very_anxious\n",
            "no_needling",
            "no_needling",
            ["needle_feelings_very_anxious"],
            "talk about this worry",
        ),
        (
            "wants_needles: 'no'\nproblem_kind: tight_knot\nstrong_sensation: ok_if_helps\nlie_still: 'no'\n"
            "goal: loosen_muscle\n" + SAFE,
            "no_needling",
            "no_needling",
            [],
            "rather not have needles",
        ),
        (
            "pregnant: 'yes'\nmain_area: low_back\nproblem_kind: tight_knot\nstrong_sensation: ok_if_helps\n",
            None,
            None,
            ["pregnant_low_back", "pregnant_yes"],
            "not put deep in the low back",
        ),
        (
            "{}\n",
            None,
            None,
            [f"{q}_unanswered" for q in ("unwell_today", "fainted_before", "lung_disease")],
            "Not enough answers to compare",
        ),
    ],
    ids=["very anxious alone", "does not want needles", "pregnant with low back pain", "nothing answered"],
)
def test_the_cases_of_the_clinical_review_score_as_version_2_promises(
    tmp_path, answers, lean, step1, flags_include, text_has
):
    path = write(tmp_path, "a.yaml", answers)
    data = json.loads(run("score", path).stdout)
    if lean is not None:
        assert data["lean"]["option"] == lean
    assert data["lean"]["step1"]["option"] == step1
    assert set(flags_include) <= {f["id"] for f in data["flags"]}
    text = run("score", path, "--format", "text").stdout
    assert text_has in text
    if data["flags"]:
        assert "No safety answer needs attention" not in text
    assert "much better" not in text


def test_every_safety_item_skipped_gives_one_note_each_and_never_no_flags(tmp_path):
    path = write(
        tmp_path, "a.yaml", "main_area: low_back\nproblem_kind: stiff_movement\nduration: over_3_months\ngoal: both\n"
    )
    data = json.loads(run("score", path).stdout)
    skipped = sorted(f["id"] for f in data["flags"] if f["id"].endswith("_unanswered"))
    from decision import contract

    assert skipped == sorted(f"{q}_unanswered" for q in contract.SAFETY_QUESTIONS)
    assert all(f["level"] == "info" for f in data["flags"])
    text = run("score", path, "--format", "text").stdout
    assert f"You skipped {len(contract.SAFETY_QUESTIONS)} safety questions" in text
    assert "No safety answer needs attention" not in text
    assert "Pas de différence" in run("score", path, "--format", "text", "--lang", "fr").stdout


def test_check_reports_every_problem_with_file_and_line(tmp_path):
    root = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, root)
    shutil.copytree(FIXTURES / "rule_unknown_question", root, dirs_exist_ok=True, ignore=IGNORE)
    shutil.copytree(FIXTURES / "flag_unknown_option", root, dirs_exist_ok=True, ignore=IGNORE)
    proc = run("check", str(root))
    assert proc.returncode == 1
    out = proc.stdout
    assert (
        f"{root / 'rules' / 'extra.yaml'}:4: rules.extra_rule.when.question: unknown question 'needle_feeling'" in out
    )
    assert (
        f"{root / 'flags' / 'extra.yaml'}:5: flags.extra_flag.options.[1]: a flag applies to a needling option" in out
    )
    assert "content is NOT valid: 2 problems" in proc.stderr
    assert "Traceback" not in out + proc.stderr


def test_check_of_a_missing_folder_is_bad_input(tmp_path):
    assert_bad_input(run("check", str(tmp_path / "nope")), "content folder not found")


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_score_json_has_the_interface_fields(tmp_path):
    answers = write(tmp_path, "a.yaml", "lie_still: no\nvisit_time: short\nblood_thinners: yes\nsure_certain: yes\n")
    proc = run("score", answers, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert set(data) >= {"content_version", "language", "options", "lean", "flags", "sure", "unanswered"}
    assert data["lean"]["option"] is None and data["lean"]["enough_answers"] is False  # 2 answers: too few
    assert data["lean"]["step1"] == {"option": None, "strength": "none"}
    assert [f["question"] for f in data["flags"] if not f["id"].endswith("_unanswered")] == ["blood_thinners"]
    assert data["sure"]["score"] == 1 and data["sure"]["unsure"] is True
    assert "needle_feelings" in data["unanswered"] and "lie_still" not in data["unanswered"]


def test_json_is_the_default_format_for_machines():
    for args in (("score", "-"), ("questions",)):
        proc = run(*args, stdin='{"lie_still": "no"}')
        assert proc.returncode == 0, proc.stderr
        json.loads(proc.stdout)
    text = run("score", "-", "--format", "text", stdin='{"lie_still": "no"}')
    assert text.returncode == 0 and "lean:" in text.stdout


def test_score_reads_json_from_standard_input_in_french():
    proc = run("score", "-", "--lang", "fr", "--format", "json", stdin='{"needle_feelings": "very_anxious"}')
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["language"] == "fr"
    reason = data["options"][1]["contributions"][0]["reason"]
    from decision import load_content

    content = load_content()
    rule = next(r for r in content.rules if r.id == data["options"][1]["contributions"][0]["rule"])
    assert reason == rule.reason.fr != rule.reason.en


def test_score_text_explains_in_words(tmp_path):
    answers = write(tmp_path, "a.json", '{"problem_kind": "tight_knot", "unwell_today": "yes"}')
    proc = run("score", answers, "--format", "text")
    assert proc.returncode == 0, proc.stderr
    assert "[STOP]" in proc.stdout
    assert "lean: no_needling" in proc.stdout
    assert "problem_kind=tight_knot" in proc.stdout


@pytest.mark.parametrize(
    ("name", "text", "fragments"),
    [
        (
            "unknown_id.yaml",
            "needle_feeling: fine\n",
            ["unknown question id 'needle_feeling'", "did you mean 'needle_feelings'?", "valid ids:"],
        ),
        (
            "unknown_code.yaml",
            "lie_still: maybe\n",
            ["unknown answer code 'maybe' for 'lie_still'", "valid codes: yes, not_sure, no"],
        ),
        (
            "wrong_type.yaml",
            "lie_still: [yes, no]\n",
            ["answer to 'lie_still' must be one of the answer codes (yes, not_sure, no)"],
        ),
        ("number.json", '{"duration": 6}', ["answer to 'duration' must be one of the answer codes"]),
        ("empty.yaml", "   \n", ["are empty", "question_id: answer_code"]),
        ("list.yaml", "- lie_still\n- no\n", ["must be a mapping of question_id: answer_code, got a list"]),
        ("scalar.yaml", "hello\n", ["must be a mapping of question_id: answer_code, got a single value"]),
        ("broken.yaml", "lie_still: [yes\n", ["not valid YAML or JSON", "line"]),
        ("broken.json", '{"lie_still": "yes",}', ["not valid JSON", "line 1"]),
        ("duplicate.yaml", "lie_still: yes\nlie_still: no\n", ["duplicate key 'lie_still'"]),
    ],
)
def test_bad_answer_files_exit_2_with_one_clear_line(tmp_path, name, text, fragments):
    assert_bad_input(run("score", write(tmp_path, name, text)), *fragments)


def test_unreadable_answer_paths_exit_2(tmp_path):
    assert_bad_input(run("score", str(tmp_path / "missing.yaml")), "no such file")
    assert_bad_input(run("score", str(tmp_path)), "it is a folder")
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    assert_bad_input(run("score", str(binary)), "not UTF-8")


def test_bad_options_exit_2_with_one_line():
    assert_bad_input(run("score", "-", "--lang", "de", stdin="{}"), "invalid choice: 'de'")
    assert_bad_input(run("frobnicate"), "invalid choice: 'frobnicate'")


def test_score_with_invalid_content_exits_1(tmp_path):
    root = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, root)
    shutil.copytree(FIXTURES / "rule_unknown_target", root, dirs_exist_ok=True, ignore=IGNORE)
    proc = run("score", "-", "--content", str(root), stdin="{}")
    assert proc.returncode == 1
    assert "unknown target 'acupunture'" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_questions_lists_every_id_and_code(lang):
    from decision import contract

    proc = run("questions", "--lang", lang, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    got = {q["id"]: tuple(a["code"] for a in q["answers"]) for q in data["questions"]}
    assert {k: set(v) for k, v in got.items()} == {k: set(v) for k, v in contract.QUESTIONS.items()}
    text = run("questions", "--lang", lang, "--format", "text")
    assert text.returncode == 0
    assert "needle_feelings:" in text.stdout and "    panic_faint:" in text.stdout


# ------------------------------------------------------------------ version 3 promises, in-process


def score_cli(capsys, tmp_path: Path, answers: str, *options: str) -> str:
    """``python -m decision score`` through cli.main (in-process): its standard output."""
    from decision import cli

    path = write(tmp_path, "v3.yaml", answers)
    assert cli.main(["score", path, *options]) == 0
    return capsys.readouterr().out


IMS_STRONG = "problem_kind: tight_knot\nstrong_sensation: ok_if_helps\nlie_still: 'no'\ngoal: loosen_muscle\n"


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_v3_a_very_anxious_patient_never_reads_an_ims_lean_or_a_strong_needle_lean(capsys, tmp_path, lang):
    answers = "needle_feelings: very_anxious\nwants_needles: 'yes'\nmain_area: hip_leg\n" + IMS_STRONG + SAFE
    data = json.loads(score_cli(capsys, tmp_path, answers, "--lang", lang))
    lean = data["lean"]
    assert lean["step2"]["option"] is None and lean["option"] == "no_needling"
    assert lean["step1"] == {"option": "no_needling", "strength": "slight"}  # the worry outweighs the wish
    assert {o["id"]: o["score"] for o in data["options"]}["ims"] >= 6  # the points stay for the clinician
    text = score_cli(capsys, tmp_path, answers, "--format", "text", "--lang", lang)
    assert ("fit IMS" if lang == "en" else "à la SIM") not in text


@pytest.mark.parametrize(
    ("answers", "cap", "step2", "line"),
    [
        (
            "pregnant: 'yes'\nmain_area: low_back\n",
            "pregnant_low_back",
            {"option": None, "strength": "none"},
            "In pregnancy",
        ),
        (
            "lung_disease: 'yes'\nmain_area: upper_back\n",
            "lung_chest_area",
            {"option": "ims", "strength": "slight"},
            "lungs",
        ),
        (
            "blood_thinners: 'yes'\nmain_area: hip_leg\n",
            "blood_thinners",
            {"option": "ims", "strength": "slight"},
            "bruise",
        ),
        ("lymph: 'yes'\nmain_area: arm_hand\n", "lymph_limb", {"option": "ims", "strength": "slight"}, "swelling"),
    ],
    ids=["pregnant low back", "lung disease upper back", "blood thinners", "lymphedema in the arm"],
)
def test_v3_safety_in_context_caps_step_2_with_a_line_under_it(capsys, tmp_path, answers, cap, step2, line):
    data = json.loads(score_cli(capsys, tmp_path, answers + IMS_STRONG + "wants_needles: 'yes'\n"))
    assert data["lean"]["step2"] == step2
    assert [c["id"] for c in data["context_caps"]] == [cap]
    assert data["context_caps"][0]["cut"] is True
    text = score_cli(capsys, tmp_path, answers + IMS_STRONG, "--format", "text")
    lines = text.splitlines()
    at = next(i for i, t in enumerate(lines) if t.strip().startswith("Step 2:"))
    assert line in lines[at + 1]


def test_v3_a_stop_hides_step_2_and_unwell_today_keeps_it_for_another_day(capsys, tmp_path):
    data = json.loads(score_cli(capsys, tmp_path, "unwell_today: 'yes'\nmain_area: hip_leg\n" + IMS_STRONG))
    lean = data["lean"]
    assert lean["stopped"] is True and lean["step2"] == {"option": None, "strength": "none"}
    assert lean["step2_later"] == {"option": "ims", "strength": "strong"}
    text = score_cli(capsys, tmp_path, "unwell_today: 'yes'\nmain_area: hip_leg\n" + IMS_STRONG, "--format", "text")
    assert "Step 2:" not in text and "For another day" in text
    assert "You decide" not in text.split("flags:")[0]  # a safety stop is not a choice
    panic = "needle_feelings: panic_faint\nunwell_today: 'yes'\nmain_area: hip_leg\n" + IMS_STRONG
    data = json.loads(score_cli(capsys, tmp_path, panic))
    assert data["lean"]["step2_later"] is None and data["lean"]["step2"]["option"] is None
    assert "For another day" not in score_cli(capsys, tmp_path, panic, "--format", "text")


@pytest.mark.parametrize("item", ["under_18", "cancer_site", "numb_area"])
def test_v3_the_three_new_safety_items_raise_a_caution_a_note_or_a_skipped_note(capsys, tmp_path, item):
    others = "".join(f"{q}: 'no'\n" for q in contract.SAFETY_QUESTIONS if q != item)
    for answer, flag, level in (("'yes'", f"{item}_yes", "caution"), ("not_sure", f"{item}_not_sure", "info")):
        data = json.loads(score_cli(capsys, tmp_path, f"{item}: {answer}\n" + others))
        assert [(f["id"], f["level"]) for f in data["flags"]] == [(flag, level)]
        assert data["lean"]["stopped"] is False
    data = json.loads(score_cli(capsys, tmp_path, others))
    assert [f["id"] for f in data["flags"]] == [f"{item}_unanswered"]


def test_v3_notes_for_new_pain_low_back_guidelines_and_osteoarthritis(capsys, tmp_path):
    acu = "wants_needles: 'yes'\nproblem_kind: headaches\nstrong_sensation: 'no'\nsoreness_after: big_problem\n"
    data = json.loads(score_cli(capsys, tmp_path, "main_area: low_back\nduration: under_6_weeks\n" + acu + SAFE))
    assert data["lean"]["option"] == "acupuncture"
    notes = {f["id"]: f for f in data["flags"]}
    assert set(notes) == {"new_pain", "low_back_guidelines"}
    assert all(f["level"] == "info" and f["for_patient"] for f in notes.values())
    text = score_cli(capsys, tmp_path, "main_area: low_back\n" + acu + SAFE, "--format", "text")
    assert "NICE" in text and "ACP" in text
    no_needles = "main_area: low_back\nwants_needles: 'no'\nproblem_kind: headaches\n" + SAFE
    assert json.loads(score_cli(capsys, tmp_path, no_needles))["flags"] == []
    knee = "main_area: hip_leg\nduration: over_3_months\n" + IMS_STRONG + SAFE
    assert [f["id"] for f in json.loads(score_cli(capsys, tmp_path, knee))["flags"]] == ["osteoarthritis_guidelines"]


@pytest.mark.parametrize(
    ("lang", "start"),
    [
        ("en", "If you choose needles: your answers fit acupuncture"),
        ("fr", "Si vous choisissez les aiguilles\u00a0: vos réponses correspondent davantage à l'acupuncture"),
    ],
)
def test_v3_a_needle_final_after_no_step_1_lean_is_worded_if_you_choose_needles(capsys, tmp_path, lang, start):
    answers = "main_area: arm_hand\nwants_needles: not_sure\nproblem_kind: headaches\nstrong_sensation: 'no'\nsoreness_after: big_problem\n"
    data = json.loads(score_cli(capsys, tmp_path, answers))
    assert data["lean"]["conditional"] is True and data["lean"]["step1"]["option"] is None
    assert start in score_cli(capsys, tmp_path, answers, "--format", "text", "--lang", lang)
