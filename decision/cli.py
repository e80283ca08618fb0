"""``python -m decision``: check content, score an answer file, list questions, set the PIN.

Exit codes (docs/interfaces.md): 0 success, 1 invalid content, 2 bad input,
70 an internal error (a bug).
Bad input prints one line on standard error naming the problem and the valid
choices; no command ever prints a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, TextIO

from decision.content import Content, collect, content_dir_from_env
from decision.engine import Result, score, text_in
from decision.errors import AnswerError, ContentError, DecisionError
from decision.wording import Wording
from decision.yamlio import CLIP, ReadError, YamlError, clip, parse_yaml, read_text_file, read_text_stream

EXIT_OK, EXIT_INVALID_CONTENT, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 70
MAX_LINE = 2000  # longest error line printed
LANGS = ("en", "fr")


class BadInput(DecisionError):
    """A user error: one line, exit 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise BadInput(f"{message} (see '{self.prog} --help')")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="python -m decision", description="IMS / acupuncture decision aid: content check, scoring, questions."
    )
    sub = p.add_subparsers(
        dest="command", metavar="{check,score,questions,fhir-questionnaire,set-pin,purge}", parser_class=_Parser
    )
    sub.required = True

    c = sub.add_parser("check", help="validate content; print every problem as path:line: where: message")
    c.add_argument("content_dir", nargs="?", type=Path, help="content folder (default: the shipped content/)")
    c.add_argument("--quiet", action="store_true", help="print problems only, no warnings")

    s = sub.add_parser("score", help="score one answer file (YAML or JSON; '-' reads standard input)")
    s.add_argument("answers", help="answer file: a mapping question_id: answer_code, or - for standard input")
    s.add_argument("--lang", choices=LANGS, default="en")
    s.add_argument("--format", choices=("json", "text"), default="json")
    s.add_argument("--content", type=Path, help="content folder (default: the shipped content/)")

    q = sub.add_parser("questions", help="list questions and answer codes with their text")
    q.add_argument("--lang", choices=LANGS, default="en")
    q.add_argument("--format", choices=("json", "text"), default="json")
    q.add_argument("--content", type=Path, help="content folder (default: the shipped content/)")

    fq = sub.add_parser("fhir-questionnaire", help="print the FHIR R4 Questionnaire generated from the content (JSON)")
    fq.add_argument("--lang", choices=LANGS, default="en", help="language of the texts (the other one as translations)")
    fq.add_argument("--content", type=Path, help="content folder (default: the shipped content/)")

    pin = sub.add_parser("set-pin", help="read a clinician PIN from standard input and store its salted hash")
    pin.add_argument(
        "--secrets",
        type=Path,
        default=Path(".streamlit/secrets.toml"),
        help="secrets file to write clinician_pin_hash into (default: .streamlit/secrets.toml)",
    )

    sub.add_parser("purge", help="delete expired handoff records now (for cron); prints how many")
    return p


def _load(content_dir: Path | None) -> Content:
    root = content_dir if content_dir is not None else content_dir_from_env()
    if not root.is_dir():
        raise BadInput(f"content folder not found: {root}")
    content, problems = collect(root)
    if content is None:
        raise ContentError(problems)
    return content


class _DuplicateKey(DecisionError, ValueError):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def _refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """JSON objects like YAML mappings: a key given twice is refused, not silently the last one."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def read_answers(source: str, stdin: TextIO) -> Any:
    """Read an answer file (or standard input) as plain data. Raises BadInput."""
    name = "standard input" if source == "-" else f"'{clip(source)}'"
    text = _answers_text(source, stdin, name)
    if not text.strip():
        raise BadInput(f"answers in {name} are empty: expected a mapping of question_id: answer_code")
    data = _json_answers(text, name) if source.endswith(".json") else _yaml_answers(text, name)
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"a single value ({clip(repr(data))})"
        raise BadInput(f"answers in {name} must be a mapping of question_id: answer_code, got {kind}")
    return data


def _answers_text(source: str, stdin: TextIO, name: str) -> str:
    """The text of the answer file ``source`` (``-``: standard input), ``name`` as messages say it."""
    try:
        return read_text_stream(stdin) if source == "-" else read_text_file(Path(source))
    except ReadError as exc:
        raise BadInput(f"cannot read answers from {name}: {exc.message}") from None
    except FileNotFoundError:
        raise BadInput(f"cannot read answers from {name}: no such file") from None
    except PermissionError:
        raise BadInput(f"cannot read answers from {name}: permission denied") from None
    except OSError as exc:
        raise BadInput(f"cannot read answers from {name}: {exc.strerror or exc}") from None


def _json_answers(text: str, name: str) -> Any:
    try:
        return json.loads(text, object_pairs_hook=_refuse_duplicate_keys)
    except _DuplicateKey as exc:
        raise BadInput(f"answers in {name} are not valid JSON here: duplicate key '{clip(exc.key)}'") from None
    except json.JSONDecodeError as exc:
        raise BadInput(f"answers in {name} are not valid JSON: line {exc.lineno}: {exc.msg}") from None
    except RecursionError:
        raise BadInput(f"answers in {name} are not valid here: nested too deeply") from None


def _yaml_answers(text: str, name: str) -> Any:
    try:
        return parse_yaml(text).data  # YAML is a superset of JSON here
    except YamlError as exc:
        raise BadInput(f"answers in {name} are not valid YAML or JSON: line {exc.line}: {exc.message}") from None


def _clip_echoes(message: str, answers: Any) -> str:
    """``message`` with every long id or answer from ``answers`` cut short, so a huge value is never echoed."""
    if not isinstance(answers, dict):
        return message
    shown = [v if isinstance(v, str) else repr(v) for item in answers.items() for v in item]
    long = {s for s in shown if len(s) > CLIP}
    for s in sorted(long, key=len, reverse=True):
        message = message.replace(s, clip(s))
    return message


def _score_text(content: Content, result: Result, lang: str) -> str:
    """The result for people: the lean, what the patient reads, flags, points, SURE."""
    w = Wording(content, lang)
    lines = [f"content version: {result.content_version}", _lean_line(result)]
    lines += _read_lines(result, w) + _flag_lines(result, w) + _point_lines(result, w, lang) + _sure_lines(result)
    if result.unanswered:
        lines.append(f"unanswered: {', '.join(result.unanswered)}")
    return "\n".join(lines)


def _lean_line(result: Result) -> str:
    lean = result.lean
    return (
        f"lean: {lean.option or '-'} ({lean.strength}); step 1: {lean.step1.option or '-'} ({lean.step1.strength}); "
        f"step 2: {lean.step2.option or '-'} ({lean.step2.strength})"
        + ("; stopped" if lean.stopped else "")
        + ("" if lean.enough_answers else "; not enough answers")
    )


def _read_lines(result: Result, w: Wording) -> list[str]:
    """The steps as the patient reads them, each cap's line right under step 2."""
    lines = []
    for title, text in w.lean_lines(result):
        lines.append(f"  {title + ' ' if title else ''}{text}")
        if title == w.t("step2_title"):
            lines.extend(f"    {line}" for line in w.cap_lines(result))
    later = w.step2_later(result.lean)
    if later:
        lines.append(f"  {w.t('why_title_later')}. {later}")
    if result.lean.conditional:
        lines.append(f"  final: {w.final(result)}")
    return lines


def _flag_lines(result: Result, w: Wording) -> list[str]:
    lines = ["flags:"] if result.flags else []
    shown = {f.id for f in result.patient_flags}
    for f in result.flags:
        given = ", ".join(f"{q}={result.answers.get(q, '(not answered)')}" for q in f.questions)
        hidden = "" if f.id in shown else " (clinician only: said by another flag)"
        lines.append(f"  [{f.level.upper()}] {f.id} ({given}){hidden}: {w.flag_message(f)}")
    return lines + [f"  {line}" for line in w.safety_summary(result)]


def _point_lines(result: Result, w: Wording, lang: str) -> list[str]:
    lines = []
    for o in result.options:
        lines.append(f"{w.option_name(o.target)}: {w.points(o.score)}")
        for c in o.contributions:
            capped = f" (capped from {c.full_points}: topic {c.topic})" if c.capped else ""
            lines.append(f"  {c.points:+d}{capped} {c.rule} ({c.question}={c.answer}): {text_in(c.reason, lang)}")
    return lines


def _sure_lines(result: Result) -> list[str]:
    s = result.sure
    if s is None:
        return []
    state = "incomplete" if s.incomplete else "not yet sure" if s.unsure else "sure"
    needs = f"; needs: {', '.join(s.needs)}" if s.needs else ""
    missing = f"; not answered: {', '.join(s.not_answered)}" if s.not_answered else ""
    return [f"SURE: {s.score}/4 ({s.answered} answered) - {state}{needs}{missing}"]


def _questions(content: Content, lang: str) -> list[dict[str, Any]]:
    return [
        {
            "id": q.id,
            "section": section.id,
            "section_title": section.title.get(lang),
            "kind": section.kind,
            "text": q.text.get(lang),
            "answers": [{"code": a.code, "text": a.text.get(lang)} for a in q.answers],
        }
        for section in content.sections
        for q in section.questions
    ]


def _questions_text(items: list[dict[str, Any]]) -> str:
    lines: list[str] = []
    section = None
    for q in items:
        if q["section"] != section:
            section = q["section"]
            lines.append(f"{'' if not lines else chr(10)}# {q['section_title']} ({section})")
        lines.append(f"{q['id']}: {q['text']}")
        lines.extend(f"    {a['code']}: {a['text']}" for a in q["answers"])
    return "\n".join(lines)


def _set_pin(secrets: Path, stdin: TextIO, out: TextIO) -> int:
    from decision.records import pin as pins

    if stdin.isatty():
        import getpass

        first = getpass.getpass("New clinician PIN: ")
        if getpass.getpass("Same PIN again: ") != first:
            raise BadInput("the two PINs differ; nothing was changed")
    else:
        first = stdin.readline().strip()
    problem = pins.check_new_pin(first)
    if problem:
        raise BadInput(f"{problem}; nothing was changed")
    try:
        pins.write_pin_hash(secrets, pins.hash_pin(first))
    except ValueError as exc:  # the file does not parse, or holds the key in an unusual way
        raise BadInput(str(exc)) from None
    except OSError as exc:
        raise BadInput(f"cannot write {secrets}: {exc.strerror or exc}") from None
    print(f"PIN hash written to {secrets} (clinician_pin_hash). Restart the app to use it.", file=out)
    return EXIT_OK


@dataclass(frozen=True)
class _IO:
    stdin: TextIO
    stdout: TextIO
    stderr: TextIO


def _check(args: argparse.Namespace, io: _IO) -> int:
    from decision.check import check

    root = args.content_dir if args.content_dir is not None else content_dir_from_env()
    if not root.is_dir():
        raise BadInput(f"content folder not found: {root}")
    report = check(root)
    for p in report.problems:
        print(clip(p, MAX_LINE), file=io.stdout)
    if not args.quiet:
        for w in report.warnings:
            print(f"{w.path}:{w.line}: {w.where}: warning: {w.message}", file=io.stdout)
    if not report.ok or report.content is None:
        n = len(report.problems)
        print(f"content is NOT valid: {n} problem{'s' if n != 1 else ''}", file=io.stderr)
        return EXIT_INVALID_CONTENT
    c = report.content
    print(
        f"content OK: version {c.version}; {len(c.questions)} questions, {len(c.rules)} rules, "
        f"{len(c.flags)} flags, {len(c.comparison)} comparison rows; {len(report.warnings)} warnings",
        file=io.stderr,
    )
    return EXIT_OK


def _purge(args: argparse.Namespace, io: _IO) -> int:
    from decision.records.store import StoreError, open_store, purge, read_secrets_file

    try:
        store = open_store(read_secrets_file())
        try:
            removed = purge(store)
        finally:
            store.close()
    except StoreError as exc:
        raise BadInput(str(exc)) from None
    print(f"{removed} expired handoff record{'' if removed == 1 else 's'} deleted", file=io.stdout)
    return EXIT_OK


def _print_json(data: Any, out: TextIO) -> None:
    json.dump(data, out, ensure_ascii=False, indent=2)
    out.write("\n")


def _list_questions(args: argparse.Namespace, io: _IO) -> int:
    content = _load(args.content)
    items = _questions(content, args.lang)
    if args.format == "json":
        _print_json({"content_version": content.version, "language": args.lang, "questions": items}, io.stdout)
    else:
        print(_questions_text(items), file=io.stdout)
    return EXIT_OK


def _fhir_questionnaire(args: argparse.Namespace, io: _IO) -> int:
    from decision.records.fhir import CANONICAL_ENV, canonical_url, fhir_questionnaire

    content = _load(args.content)
    try:
        canonical = canonical_url()
    except ValueError as exc:
        raise BadInput(f"{CANONICAL_ENV}: {exc}") from None
    _print_json(fhir_questionnaire(content, lang=args.lang, canonical=canonical), io.stdout)
    return EXIT_OK


def _score(args: argparse.Namespace, io: _IO) -> int:
    content = _load(args.content)
    answers = read_answers(args.answers, io.stdin)
    try:
        result = score(content, answers)
    except AnswerError as exc:
        raise BadInput(_clip_echoes(str(exc), answers)) from None
    if args.format == "json":
        _print_json(result.to_json(args.lang), io.stdout)
    else:
        print(_score_text(content, result, args.lang), file=io.stdout)
    return EXIT_OK


COMMANDS: dict[str, Callable[[argparse.Namespace, _IO], int]] = {
    "check": _check,
    "score": _score,
    "questions": _list_questions,
    "fhir-questionnaire": _fhir_questionnaire,
    "set-pin": lambda args, io: _set_pin(args.secrets, io.stdin, io.stdout),
    "purge": _purge,
}


def _settings_file_readable(args: argparse.Namespace) -> None:
    """Every command stops (exit 2) on a settings file that does not parse: never a silent default."""
    from decision.settings import SettingsError, read_secrets_file

    try:
        read_secrets_file(args.secrets if args.command == "set-pin" else None)
    except SettingsError as exc:
        raise BadInput(f"{exc}; fix it, then run the command again") from None


def run(argv: Sequence[str] | None, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    args = _parser().parse_args(argv)
    _settings_file_readable(args)
    return COMMANDS[args.command](args, _IO(stdin, stdout, stderr))


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return run(argv, sys.stdin, sys.stdout, sys.stderr)
    except BadInput as exc:
        print(f"error: {clip(exc, MAX_LINE)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except ContentError as exc:
        for p in exc.problems:
            print(clip(p, MAX_LINE), file=sys.stderr)
        print(f"content is NOT valid: {len(exc.problems)} problem(s); run 'python -m decision check'", file=sys.stderr)
        return EXIT_INVALID_CONTENT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:
        detail = clip(" ".join(str(exc).split()), 200)
        print(f"error: internal error ({type(exc).__name__}: {detail}); please report it", file=sys.stderr)
        return EXIT_INTERNAL
