"""Hostile files through the real CLI: bounded time and memory, exit 1 (content) or 2 (answers), one line each.

Each run is a subprocess with its address space capped (RLIMIT_AS) and a timeout,
so a regression shows as a failed assertion, not as a machine out of memory.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from decision import cli
from decision.content import DEFAULT_CONTENT_DIR

ROOT = Path(__file__).resolve().parent.parent
MEMORY = 512 * 1024 * 1024
# CPU seconds the command may use (user + system, the child's own): a bound that a busy
# machine does not move, where wall-clock time did (5.1 s at a load average of 10). A
# command that hangs uses no CPU: the wall-clock timeout of 30 s catches that instead.
SECONDS = 5

try:
    import resource
except ImportError:  # not on POSIX
    resource = None  # type: ignore[assignment]


def _limit_memory() -> None:
    if resource is not None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def _children_cpu() -> float:
    if resource is None:
        return time.process_time()
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def run(*args: str, stdin: bytes | None = None) -> tuple[subprocess.CompletedProcess, float]:
    """The command's result and the CPU seconds it used (a hang fails on the 30 s timeout)."""
    env = {k: v for k, v in os.environ.items() if k != "DECISION_CONTENT_DIR"}
    env["PYTHONPATH"] = str(ROOT)
    start = _children_cpu()
    proc = subprocess.run(
        [sys.executable, "-m", "decision", *args],
        input=stdin,
        check=False,
        capture_output=True,
        cwd=ROOT,
        env=env,
        timeout=30,
        preexec_fn=_limit_memory if resource is not None else None,
    )
    return proc, _children_cpu() - start


def billion_laughs() -> str:
    text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for prev, name in zip("abcdefgh", "bcdefghi", strict=False):
        text += f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]\n"
    return text


HOSTILE = {
    "bomb": (billion_laughs(), "anchors and aliases"),
    "deep-flow": ("[" * 50_000 + "]" * 50_000, "nested more than"),
    "deep-block": ("".join(" " * i + f"k{i}:\n" for i in range(1_000)), "nested more than"),
    "too-big": ("a: " + "x" * (3 * 1024 * 1024) + "\n", "too big"),
}


def one_line(proc: subprocess.CompletedProcess, stream: bytes) -> str:
    text = stream.decode("utf-8")
    assert "Traceback" not in proc.stdout.decode("utf-8", "replace") + proc.stderr.decode("utf-8", "replace")
    lines = text.strip().splitlines()
    assert len(lines) == 1, text[:2000]
    return lines[0]


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_answer_files_exit_2_fast_in_bounded_memory(tmp_path, name):
    text, fragment = HOSTILE[name]
    path = tmp_path / "answers.yaml"
    path.write_text(text, encoding="utf-8")
    proc, seconds = run("score", str(path))
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert fragment in one_line(proc, proc.stderr)
    assert seconds < SECONDS


@pytest.mark.parametrize("name", ["bomb", "deep-flow"])
def test_hostile_answers_on_standard_input_exit_2(name):
    text, fragment = HOSTILE[name]
    proc, seconds = run("score", "-", stdin=text.encode("utf-8"))
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert fragment in one_line(proc, proc.stderr)
    assert seconds < SECONDS


def test_deep_json_answers_exit_2(tmp_path):
    path = tmp_path / "answers.json"
    path.write_text('{"a": ' + "[" * 50_000 + "]" * 50_000 + "}", encoding="utf-8")
    proc, _ = run("score", str(path))
    assert proc.returncode == 2
    assert "nested too deeply" in one_line(proc, proc.stderr)


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_content_files_are_content_problems(tmp_path, name):
    text, fragment = HOSTILE[name]
    root = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, root)
    (root / "rules" / "hostile.yaml").write_text(text, encoding="utf-8")
    proc, seconds = run("check", str(root))
    assert proc.returncode == 1, proc.stderr[-2000:]
    line = one_line(proc, proc.stdout)
    assert re.match(rf"{re.escape(str(root / 'rules' / 'hostile.yaml'))}:\d+: \(file\): ", line), line
    assert fragment in line
    assert seconds < SECONDS
    proc, _ = run("score", "-", "--content", str(root), stdin=b"{}")
    assert proc.returncode == 1
    assert fragment in proc.stderr.decode("utf-8")


def test_non_utf8_answers_exit_2_naming_the_line(tmp_path):
    path = tmp_path / "latin.yaml"
    path.write_bytes("lie_still: no\nvisit_time: é\n".encode("latin-1"))
    for args, stdin in (((str(path),), None), (("-",), path.read_bytes())):
        proc, _ = run("score", *args, stdin=stdin)
        assert proc.returncode == 2
        line = one_line(proc, proc.stderr)
        assert "not UTF-8" in line and "line 2" in line


def test_non_utf8_content_is_a_content_problem(tmp_path):
    root = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, root)
    (root / "rules" / "latin.yaml").write_bytes("rules: é\n".encode("latin-1"))
    proc, _ = run("check", str(root))
    assert proc.returncode == 1
    assert f"{root / 'rules' / 'latin.yaml'}:1: (file): not UTF-8" in one_line(proc, proc.stdout)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_is_refused_promptly(tmp_path):
    fifo = tmp_path / "answers.yaml"
    os.mkfifo(fifo)  # nobody writes to it: opening it for reading would wait forever
    proc, seconds = run("score", str(fifo))
    assert proc.returncode == 2
    assert "named pipe" in one_line(proc, proc.stderr)
    assert seconds < SECONDS


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero here")
def test_a_device_is_refused():
    proc, _ = run("score", "/dev/zero")
    assert proc.returncode == 2
    assert "device" in one_line(proc, proc.stderr)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("value.yaml", "lie_still: " + "x" * 1_000_000 + "\n"),
        ("key.json", '{"' + "k" * 1_000_000 + '": "yes"}'),
        ("list.json", '{"lie_still": ["' + "x" * 1_000_000 + '"]}'),
        ("scalar.yaml", "x" * 1_000_000 + "\n"),
    ],
)
def test_a_huge_value_is_not_echoed_whole(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    proc, _ = run("score", str(path))
    assert proc.returncode == 2
    line = one_line(proc, proc.stderr)
    assert len(line) < 1000 and "\u2026" in line


def test_an_internal_error_exits_70_with_one_line(monkeypatch, capsys, tmp_path):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug\nover two lines")

    path = tmp_path / "a.yaml"
    path.write_text("lie_still: no\n", encoding="utf-8")
    monkeypatch.setattr(cli, "score", broken)
    assert cli.main(["score", str(path)]) == 70
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("error: internal error (ZeroDivisionError: a bug over two lines)")


# --------------------------------------------------------------------------- issue 18


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("answers.json", '{"main_area": "low_back", "lie_still": "yes", "main_area": "neck_shoulders"}'),
        ("answers.yaml", "main_area: low_back\nmain_area: neck_shoulders\n"),
    ],
    ids=["json", "yaml"],
)
def test_a_key_given_twice_is_refused_in_json_as_in_yaml(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    proc, _ = run("score", str(path))
    assert proc.returncode == 2, proc.stderr[-2000:]
    line = one_line(proc, proc.stderr)
    assert "duplicate key 'main_area'" in line and "neck_shoulders" not in line


COMMANDS = {
    "check": ["check"],
    "score": ["score", "-"],
    "questions": ["questions"],
    "fhir-questionnaire": ["fhir-questionnaire"],
    "purge": ["purge"],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_exits_2_on_a_settings_file_that_does_not_parse(monkeypatch, capsys, tmp_path, command):
    from decision import settings

    broken = tmp_path / "secrets.toml"
    broken.write_text('db_url = "postgresql://u:secret@db/decision"\ntimezone = = "UTC"\n', encoding="utf-8")
    monkeypatch.setattr(settings, "SECRETS_FILE", broken)  # where the commands look (the project's)
    monkeypatch.setenv("DECISION_DB_PATH", str(tmp_path / "fallback.sqlite3"))
    monkeypatch.setattr(sys, "stdin", __import__("io").StringIO('{"main_area": "low_back"}'))
    assert cli.main(COMMANDS[command]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"error: the settings file is broken: line 2 of {broken}")
    assert "secret" not in err[0].replace("secrets.toml", "")
    assert not (tmp_path / "fallback.sqlite3").exists()


def test_set_pin_exits_2_on_a_settings_file_that_does_not_parse(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text("timezone = = 1\n", encoding="utf-8")
    proc, _ = run("set-pin", "--secrets", str(secrets), stdin=b"482916\n")
    assert proc.returncode == 2, proc.stderr  # it was 70 (an internal error) before issue 18
    assert "the settings file is broken: line 1" in one_line(proc, proc.stderr)
    assert secrets.read_text(encoding="utf-8") == "timezone = = 1\n"  # untouched
