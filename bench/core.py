"""Scoring and content-load benchmarks for the decision core.

    python -m bench.core

score(): median per call over a fixed set of realistic answer sets, against a
baseline measured in the same run: a hand-written lookup table that adds the same
points with no validation, flags or explanation (the fastest this can be in
Python). load_content(): cold load and validation of the shipped content, against
a baseline of parsing the same files with the same YAML parser.
"""

from __future__ import annotations

import random
import subprocess
import sys
import time
from pathlib import Path

from bench.common import fmt_row, header, stats
from decision import load_content, score
from decision.content import DEFAULT_CONTENT_DIR

SCORE_TARGET_US = 20.0
LOAD_TARGET_MS = 200.0


def answer_sets(content, n: int = 200, seed: int = 20261124) -> list[dict[str, str]]:
    """Realistic answer sets: complete questionnaires, some half-done, a few with SURE."""
    rnd = random.Random(seed)
    out = []
    questions = [content.questions[q] for q in content.questionnaire_ids]
    for i in range(n):
        answered = questions if i % 4 else rnd.sample(questions, k=len(questions) // 2)
        answers = {q.id: rnd.choice(q.codes) for q in answered}
        if i % 3 == 0:
            answers.update({q: rnd.choice(("yes", "no")) for q in content.sure_ids})
        out.append(answers)
    return out


def baseline_scorer(content):
    """The same totals the plainest way: a table from each answer to its rules, the
    compound rules checked leaf by leaf, topic caps applied in rule order."""
    cap = content.meta.lean.topic_cap
    position = {r.id: i for i, r in enumerate(content.rules)}
    table: dict[tuple[str, str], list] = {}
    compound = []
    for r in content.rules:
        if r.when.question is not None:
            for c in r.when.codes:
                table.setdefault((r.when.question, c), []).append(r)
        else:
            compound.append((r, [(q, set(codes)) for q, codes in r.when.leaves()]))

    def scorer(answers):
        fired = [r for item in answers.items() for r in table.get(item, ())]
        fired += [r for r, leaves in compound if all(answers.get(q) in codes for q, codes in leaves)]
        fired.sort(key=lambda r: position[r.id])
        totals = {"ims": 0, "acupuncture": 0, "no_needling": 0, "needles": 0}
        used: dict[tuple[str, str], int] = {}
        for r in fired:
            for target, points in r.points.items():
                counted = min(points, max(0, cap - used.get((r.topic, target), 0)))
                used[(r.topic, target)] = used.get((r.topic, target), 0) + counted
                totals[target] += counted
        return totals

    return scorer


def per_call_us(fn, sets, repeats: int = 7, loops: int = 20) -> list[float]:
    runs = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(loops):
            for answers in sets:
                fn(answers)
        runs.append((time.perf_counter() - t0) / (loops * len(sets)) * 1e6)
    return runs


def bench_score(repeats: int = 7) -> None:
    content = load_content()
    sets = answer_sets(content)
    base = baseline_scorer(content)
    for answers in sets:  # the baseline adds the same points
        result = score(content, answers)
        assert base(answers) == {o.target: o.score for o in result.options}
    header(f"score(): per call over {len(sets)} answer sets ({repeats} repeats)")
    ours = per_call_us(lambda a: score(content, a), sets, repeats)
    theirs = per_call_us(base, sets, repeats)
    print(fmt_row("score()", ours, "us"))
    print(fmt_row("baseline: lookup-table sum", theirs, "us"))
    med, bmed = stats(ours)[1], stats(theirs)[1]
    verdict = "met" if med < SCORE_TARGET_US else "MISSED"
    print(f"  ratio score()/baseline (median): {med / bmed:.1f}x; target median < {SCORE_TARGET_US:.0f} us: {verdict}")


_COLD = """
import sys, time
{setup}
t0 = time.perf_counter()
{body}
print((time.perf_counter() - t0) * 1000)
"""
_PARSE = "import yaml\nLOADER = getattr(yaml, 'CSafeLoader', yaml.SafeLoader)"


def _cold(body: str, setup: str = "") -> float:
    """Milliseconds for ``body`` in a new Python process; ``setup`` runs first, untimed."""
    code = _COLD.format(setup=setup, body=body)
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    return float(out.stdout.strip().splitlines()[-1])


def bench_load(repeats: int = 7) -> None:
    """Cold = the first load_content() in a new process: nothing read, parsed or cached yet.

    The target row times the call itself (the libraries it needs imported first, as in the
    app, where Streamlit has imported them long before); the row with imports is beside it.
    Baseline: parsing the same files with the same YAML parser, no validation.
    """
    header(f"load_content(): cold, a new process each time ({repeats} repeats)")
    files = sorted(str(p) for p in DEFAULT_CONTENT_DIR.rglob("*.yaml"))
    parse_all = f"for p in {files!r}:\n    yaml.load(open(p, encoding='utf-8'), Loader=LOADER)"
    ours = [_cold("load_content()", setup="from decision import load_content") for _ in range(repeats)]
    with_imports = [_cold("from decision import load_content\nload_content()") for _ in range(repeats)]
    theirs = [_cold(parse_all, setup=_PARSE) for _ in range(repeats)]
    warm = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        load_content()
        warm.append((time.perf_counter() - t0) * 1000)
    print(fmt_row("load_content() cold call", ours, "ms"))
    print(fmt_row("  same, with its imports", with_imports, "ms"))
    print(fmt_row("load_content() warm (in process)", warm, "ms"))
    print(fmt_row("baseline: yaml parse only, cold", theirs, "ms"))
    med = stats(ours)[1]
    verdict = "met" if med < LOAD_TARGET_MS else "MISSED"
    print(
        f"  ratio cold call/baseline (median): {med / stats(theirs)[1]:.1f}x; target < {LOAD_TARGET_MS:.0f} ms: {verdict}"
    )


def main_with(repeats: int = 7) -> None:
    bench_score(repeats)
    bench_load(repeats)


def main() -> None:
    main_with()


if __name__ == "__main__":
    main()
