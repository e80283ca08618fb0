"""Checks across content files, one small named function per concern.

Each check takes the :class:`~decision.loader.Tree` and yields
:class:`~decision.errors.Problem` s; :data:`CHECKS` lists them in the order they
run. Every check has a broken fixture under ``tests/fixtures/invalid/<name>/``
with the message it must print beside it (``expected.txt``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from decision import contract
from decision.errors import Problem
from decision.loader import File, Tree, did_you_mean
from decision.markup import find_markup
from decision.models import LEVELS, Cell, Condition, ContextCap, Denominator, Flag, Row
from decision.readability import localized_texts
from decision.yamlio import Loc

Check = Callable[[Tree], Iterable[Problem]]
# A plain flag or cap condition: its (question, answer codes) leaves, all of which must hold.
Shape = frozenset[tuple[str, frozenset[str]]]

# ui.yaml keys the core itself needs (decision.wording).
REQUIRED_UI_KEYS = (
    "lean_strong",
    "lean_slight",
    "lean_none",
    "lean_not_enough",
    "step1_title",
    "step2_title",
    "step2_if_needles",
    "step1_needles_strong",
    "step1_needles_slight",
    "step1_no_needling_strong",
    "step1_no_needling_slight",
    "step1_none",
    "step1_wish",
    "stopped_unwell",
    "stopped_other",
    "very_anxious_first",
    "you_decide",
    "target_needles",
    "points_one",
    "points_many",
    "capped_note",
    "safety_skipped_one",
    "safety_skipped_many",
    "info_notes_one",
    "info_notes_many",
    "no_flags",
    # version 3: step 2 in its own sentences (option names in lower case in running text)
    "step2_ims_strong",
    "step2_ims_slight",
    "step2_acupuncture_strong",
    "step2_acupuncture_slight",
    "if_you_choose_needles",
    "step1_very_anxious",
    "step2_removed_ims_safety",
    "step2_removed_ims_anxious",
    "step2_removed_acupuncture_safety",
    "step2_removed_acupuncture_anxious",
)
# ui.yaml keys whose text must hold a placeholder.
UI_PLACEHOLDERS = {
    "lean_strong": "{option}",
    "lean_slight": "{option}",
    "points_one": "{n}",
    "points_many": "{n}",
    "safety_skipped_one": "{n}",
    "safety_skipped_many": "{n}",
    "info_notes_one": "{n}",
    "info_notes_many": "{n}",
}


def walk_condition(cond: Condition, loc: Loc) -> Iterator[tuple[Condition, Loc]]:
    """The condition and every condition inside it, each with its key path."""
    yield cond, loc
    for key, children in (("all", cond.all), ("any", cond.any)):
        for i, child in enumerate(children or ()):
            yield from walk_condition(child, (*loc, key, i))
    if cond.not_ is not None:
        yield from walk_condition(cond.not_, (*loc, "not"))


def _leaves(cond: Condition) -> list[tuple[str, str]]:
    """Every (question, answer code) a condition can fire on."""
    return [(q, c) for q, codes in cond.leaves() for c in codes]


def _duplicates(entries: Iterable[tuple[File, Loc, str]], what: str) -> Iterator[Problem]:
    seen: dict[str, tuple[File, Loc]] = {}
    for f, loc, ident in entries:
        if ident in seen:
            first_f, first_loc = seen[ident]
            line = first_f.located.line_of(first_loc)
            where = f"line {line}" if first_f is f else f"{first_f.path.parent.name}/{first_f.path.name}, line {line}"
            yield f.problem(loc, f"duplicate {what} '{ident}' (first at {where})")
        else:
            seen[ident] = (f, loc)


def _cited(tree: Tree) -> Iterator[tuple[File, Loc, tuple[str, ...], bool]]:
    """Every ``source:`` list in the content: (file, path, ids, shown to patients)."""
    for f, i, r in tree.items("rules", "rules"):
        yield f, ("rules", i, "source"), r.source, True
    for f, i, fl in tree.items("flags", "flags"):
        yield f, ("flags", i, "source"), fl.source, True
    for f in tree.folders.get("questions", ()):
        if f.model.skipped is not None:
            yield f, ("skipped", "source"), f.model.skipped.source, True
    comparison = tree.single("comparison.yaml")
    if comparison:
        for i, row in enumerate(comparison.model.rows):
            for oid, cell in row.cells.items():
                yield comparison, ("rows", i, "cells", oid, "source"), cell.source, True
    caps = tree.single("context_caps.yaml")
    if caps:
        for i, cap in enumerate(caps.model.caps):
            yield caps, ("caps", i, "source"), cap.source, True
    prompts = tree.single("prompts.yaml")
    if prompts:  # prompts and the items not screened are for staff; the take-home sheet is for patients
        for key in ("prompts", "unscreened"):
            for i, item in enumerate(getattr(prompts.model, key)):
                yield prompts, (key, i, "source"), item.source, False
        yield prompts, ("take_home", "source"), prompts.model.take_home.source, True


def _answer_problems(tree: Tree, qid: str, code: str, message: str) -> Iterator[Problem]:
    """A problem pinned to an answer in the questions file (where an editor looks); none
    when the question is not in the questions files."""
    found = tree.question_where.get(qid)
    if found is None:
        return
    f, loc = found
    codes = tree.questions[qid].codes
    where = (*loc, "answers", codes.index(code)) if code in codes else loc
    yield f.problem(where, message)


# ------------------------------------------------------------------ ids and files


def unique_ids(tree: Tree) -> Iterator[Problem]:
    """Each option, source, section, question, rule, flag and grid row has one id, given
    once; each answer code is given once per question."""
    options = tree.single("options.yaml")
    if options:
        yield from _duplicates(((options, ("options", i), o.id) for i, o in enumerate(options.model.options)), "option")
    sources = tree.single("sources.yaml")
    if sources:
        yield from _duplicates(((sources, ("sources", i), s.id) for i, s in enumerate(sources.model.sources)), "source")
    sections = tree.folders.get("questions", [])
    yield from _duplicates(((f, ("id",), f.model.id) for f in sections), "section")
    yield from _duplicates(
        ((f, ("questions", i), q.id) for f, i, q in tree.items("questions", "questions")), "question"
    )
    for f, i, q in tree.items("questions", "questions"):
        answers = ((f, ("questions", i, "answers", j), a.code) for j, a in enumerate(q.answers))
        yield from _duplicates(answers, "answer code")
    yield from _duplicates(((f, ("rules", i), r.id) for f, i, r in tree.items("rules", "rules")), "rule")
    yield from _duplicates(((f, ("flags", i), fl.id) for f, i, fl in tree.items("flags", "flags")), "flag")
    comparison = tree.single("comparison.yaml")
    if comparison:
        rows = ((comparison, ("rows", i), r.id) for i, r in enumerate(comparison.model.rows))
        yield from _duplicates(rows, "row")


def section_file_names(tree: Tree) -> Iterator[Problem]:
    """A section's id is its file name: questions/needles.yaml holds the section 'needles'."""
    for f in tree.folders.get("questions", ()):
        if f.path.stem != f.model.id:
            yield f.problem(("id",), f"section id '{f.model.id}' should match its file name '{f.path.stem}'")


def ui_words(tree: Tree) -> Iterator[Problem]:
    """ui.yaml has every text the core's wording needs, with its placeholders in both
    languages, and no key in both strings and clinician."""
    ui = tree.single("ui.yaml")
    if not ui:
        return
    strings = ui.model.strings
    for key in REQUIRED_UI_KEYS:
        if key not in strings:
            yield ui.problem(
                ("strings",), f"missing text '{key}' (the core's wording needs it){did_you_mean(key, strings)}"
            )
    for key, mark in UI_PLACEHOLDERS.items():
        text = strings.get(key)
        if text is not None and any(mark not in t for t in (text.en, text.fr)):
            yield ui.problem(("strings", key), f"must contain {mark} in both languages")
    for key in ui.model.clinician:
        if key in strings:
            yield ui.problem(("clinician", key), f"'{key}' is also in strings: use one name for one text")


# ------------------------------------------------------------------ the contract


def contract_options(tree: Tree) -> Iterator[Problem]:
    """options.yaml holds exactly the three options the aid compares: ims, acupuncture,
    no_needling."""
    f = tree.single("options.yaml")
    if not f:
        return
    for oid in contract.OPTIONS:
        if oid not in tree.options:
            yield f.problem(
                ("options",), f"option '{oid}' is missing (the aid always compares {', '.join(contract.OPTIONS)})"
            )
    for i, o in enumerate(f.model.options):
        if o.id not in contract.OPTIONS:
            choices = ", ".join(contract.OPTIONS)
            yield f.problem(
                ("options", i, "id"),
                f"unknown option '{o.id}'{did_you_mean(o.id, contract.OPTIONS)}; options are {choices}",
            )


def contract_questions(tree: Tree) -> Iterator[Problem]:
    """Every question of the questionnaire contract is asked, in its kind of section, with
    exactly its answer codes."""
    sections = tree.folders.get("questions", [])
    for qid, codes in contract.QUESTIONS.items():
        if qid in tree.questions:
            yield from _contract_answers(tree, qid, codes)
            yield from _contract_kind(tree, qid)
        elif tree.complete.get("questions") and sections:
            yield sections[0].problem(("questions",), f"question '{qid}' from the questionnaire contract is missing")
    for f in sections:
        if f.model.kind == "safety" and f.model.skipped is None:
            yield f.problem(("kind",), "a safety section needs 'skipped': the note for an item left unanswered")


def _contract_answers(tree: Tree, qid: str, codes: tuple[str, ...]) -> Iterator[Problem]:
    """A question has every answer code of the contract, and no other."""
    f, loc = tree.question_where[qid]
    q = tree.questions[qid]
    missing = [c for c in codes if c not in q.codes]
    if missing:
        need = ", ".join(codes)
        yield f.problem(
            (*loc, "answers"), f"answer codes missing for {qid}: {', '.join(missing)} (the contract needs {need})"
        )
    for j, a in enumerate(q.answers):
        if a.code not in codes:
            msg = f"'{a.code}' is not an answer code of {qid} in the contract{did_you_mean(a.code, codes)}"
            yield f.problem((*loc, "answers", j, "code"), f"{msg}; choices: {', '.join(codes)}")


def _contract_kind(tree: Tree, qid: str) -> Iterator[Problem]:
    """A question is in the kind of section the contract gives it; a SURE item measures its need."""
    f, loc = tree.question_where[qid]
    kind = tree.section_of[qid].kind
    want = "safety" if qid in contract.SAFETY_QUESTIONS else "sure" if qid in contract.SURE_QUESTIONS else "questions"
    if kind != want:
        yield f.problem(loc, f"{qid} belongs in a section of kind '{want}', not '{kind}'")
    if want == "sure" and tree.questions[qid].measures != contract.SURE_NEEDS[qid]:
        yield f.problem(loc, f"{qid} must have measures: {contract.SURE_NEEDS[qid]}")


def lean_settings(tree: Tree) -> Iterator[Problem]:
    """The lean can be reached: min_answered is at most the questions asked, and index.yaml
    gives every topic of the contract."""
    index = tree.single("index.yaml")
    if not index:
        return
    asked = sum(1 for q in tree.questions if tree.section_of[q].kind == "questions")
    if tree.complete.get("questions") and index.model.lean.min_answered > asked:
        msg = f"min_answered ({index.model.lean.min_answered}) is more than the {asked} questions asked"
        yield index.problem(("lean", "min_answered"), msg)
    for topic in contract.TOPICS:
        if topic not in index.model.topics:
            yield index.problem(("topics",), f"topic '{topic}' from the questionnaire contract is missing")


# ------------------------------------------------------------------ sources


def sources_cited(tree: Tree) -> Iterator[Problem]:
    """Every cited id is in sources.yaml; internal documents and unverified figures
    are never shown to patients as evidence."""
    if not tree.single("sources.yaml"):
        return
    known = tree.sources
    for f, loc, ids, patient in _cited(tree):
        for j, sid in enumerate(ids):
            src = known.get(sid)
            if src is None:
                yield f.problem((*loc, j), f"unknown source '{sid}'{did_you_mean(sid, known)}: add it to sources.yaml")
            elif src.kind == "internal":
                yield f.problem((*loc, j), f"'{sid}' is an internal document, not evidence: cite the published source")
            elif src.unverified and patient:
                yield f.problem((*loc, j), f"'{sid}' is marked unverified: verify it or leave the fact out")


def sources_findable(tree: Tree) -> Iterator[Problem]:
    """Every published source gives a reader a way to find it: a link, a DOI or where it
    was published."""
    f = tree.single("sources.yaml")
    if not f:
        return
    for i, s in enumerate(f.model.sources):
        if s.kind != "internal" and not (s.link or s.doi or s.published_in):
            yield f.problem(("sources", i), f"'{s.id}' cannot be found by a reader: give link, doi or published_in")


# ------------------------------------------------------------------ rules


def _condition_references(f: File, cond: Condition, loc: Loc, tree: Tree) -> Iterator[Problem]:
    questions = tree.questions
    for c, cloc in walk_condition(cond, loc):
        if c.question is None:
            continue
        q = questions.get(c.question)
        if q is None:
            yield f.problem(
                (*cloc, "question"), f"unknown question '{c.question}'{did_you_mean(c.question, questions)}"
            )
            continue
        codes = (
            [(("answer",), c.answer)] if c.answer is not None else [(("in", j), a) for j, a in enumerate(c.in_ or ())]
        )
        for sub, code in codes:
            if q.answer(code) is None:
                msg = f"'{code}' is not an answer to {q.id}{did_you_mean(code, q.codes)}; choices: {', '.join(q.codes)}"
                yield f.problem((*cloc, *sub), msg)


def rule_references(tree: Tree) -> Iterator[Problem]:
    """Every rule names a question and answer codes that exist (with a did-you-mean for a
    typo)."""
    if not tree.complete.get("questions"):
        return
    for f, i, r in tree.items("rules", "rules"):
        yield from _condition_references(f, r.when, ("rules", i, "when"), tree)


def rule_answers_only(tree: Tree) -> Iterator[Problem]:
    """Rules read answers: safety and SURE answers never score, and 'skipped' is for flags."""
    for f, i, r in tree.items("rules", "rules"):
        for c, cloc in walk_condition(r.when, ("rules", i, "when")):
            section = tree.section_of.get(c.question or "")
            if section is not None and section.kind != "questions":
                msg = f"{c.question} is a {section.kind} question: its answers never change scores (use a flag)"
                yield f.problem((*cloc, "question"), msg)
            if c.skipped:
                yield f.problem((*cloc, "skipped"), "a rule cannot score a question left unanswered")
            if c.not_ is not None or c.any is not None:
                key = "not" if c.not_ is not None else "any"
                yield f.problem(
                    (*cloc, key), f"rules use single answers or all: (every leaf is checked); '{key}' is for flags"
                )


def rule_targets(tree: Tree) -> Iterator[Problem]:
    """A rule gives points only to a known target: ims, acupuncture, no_needling or
    needles."""
    for f, i, r in tree.items("rules", "rules"):
        for target in r.points:
            if target not in contract.TARGETS:
                choices = ", ".join(contract.TARGETS)
                yield f.problem(
                    ("rules", i, "points", target),
                    f"unknown target '{target}'{did_you_mean(target, contract.TARGETS)}; targets: {choices}",
                )


def rule_topics(tree: Tree) -> Iterator[Problem]:
    """A rule's topic is one of index.yaml's topics, and the topic the questionnaire gives
    its answer."""
    index = tree.single("index.yaml")
    topics = index.model.topics if index else {}
    for f, i, r in tree.items("rules", "rules"):
        if index and r.topic not in topics:
            yield f.problem(
                ("rules", i, "topic"),
                f"unknown topic '{r.topic}'{did_you_mean(r.topic, topics)}; topics: {', '.join(topics)}",
            )
            continue
        direction = _direction_of(r.when)
        if direction is not None and direction[0] != r.topic:
            yield f.problem(
                ("rules", i, "topic"),
                f"{_describe(r.when)} is about topic '{direction[0]}' in the questionnaire, not '{r.topic}'",
            )


def _direction_of(cond: Condition) -> contract.Direction | None:
    """The questionnaire's direction for a condition: its compound entry, or the one
    shared by every leaf (None when the leaves disagree or are neutral)."""
    leaves = _leaves(cond)
    compound = contract.COMPOUND_DIRECTIONS.get(frozenset(leaves))
    if compound is not None and cond.all is not None:
        return compound
    found = {contract.DIRECTIONS.get(leaf) for leaf in leaves}
    return found.pop() if len(found) == 1 else None


def _describe(cond: Condition) -> str:
    return " and ".join(f"{q}={c}" for q, c in _leaves(cond))


def rule_directions(tree: Tree) -> Iterator[Problem]:
    """Every leaf of every rule, compound or not, must move each target the way the
    questionnaire says, with the points of its strength (strong 3, normal 2, slight 1)."""
    for f, i, r in tree.items("rules", "rules"):
        leaves = _leaves(r.when)
        compound = contract.COMPOUND_DIRECTIONS.get(frozenset(leaves)) if r.when.all is not None else None
        if compound is not None:
            yield from _points_match(f, ("rules", i, "points"), r.points, dict(compound[1]), _describe(r.when))
            continue
        for q, code in leaves:
            section = tree.section_of.get(q)
            if q not in contract.QUESTIONS or section is None or section.kind != "questions":
                continue
            if code not in tree.questions[q].codes:
                continue  # rule_references names it
            direction = contract.DIRECTIONS.get((q, code))
            if direction is None:
                yield f.problem(
                    ("rules", i, "points"), f"{q}={code} is neutral in the questionnaire: it must not move the scores"
                )
                continue
            yield from _points_match(f, ("rules", i, "points"), r.points, dict(direction[1]), f"{q}={code}")


def _points_match(f: File, loc: Loc, points: Any, want: dict[str, str], what: str) -> Iterator[Problem]:
    for target, given in points.items():
        if target not in contract.TARGETS:
            continue  # rule_targets names it
        strength = want.get(target)
        if strength is None:
            towards = ", ".join(f"{t} ({s})" for t, s in want.items())
            yield f.problem((*loc, target), f"{what} favours {towards} in the questionnaire, not {target}")
        elif given != contract.STRENGTH_POINTS[strength]:
            need = contract.STRENGTH_POINTS[strength]
            yield f.problem(
                (*loc, target),
                f"{what} moves {target} with strength {strength}: {need} point{'s' if need != 1 else ''}, not {given}",
            )


def direction_coverage(tree: Tree) -> Iterator[Problem]:
    """Every answer the questionnaire gives a direction has a rule that scores it."""
    if not tree.complete.get("rules") or not tree.folders.get("rules"):
        return
    scored = _scored(tree)
    for (q, code), (_, moves) in contract.DIRECTIONS.items():
        if q not in tree.questions:
            continue
        for target, strength in moves:
            if (q, code, target) not in scored:
                msg = f"no rule scores {q}={code}, which favours {target} ({strength}) in the questionnaire"
                yield from _answer_problems(tree, q, code, msg)
    for compound, (_, moves) in contract.COMPOUND_DIRECTIONS.items():
        for target, strength in moves:
            if (_compound_key(compound), "", target) not in scored:
                both = " and ".join(sorted(f"{q}={c}" for q, c in compound))
                first_q, first_code = sorted(compound)[0]
                msg = f"no all: rule scores {both}, which favours {target} ({strength}) in the questionnaire"
                yield from _answer_problems(tree, first_q, first_code, msg)


def _compound_key(leaves: Iterable[tuple[str, str]]) -> str:
    """One name for a joined condition, whatever the order of its leaves: ``q1=a+q2=b``."""
    return "+".join(sorted(f"{q}={c}" for q, c in leaves))


def _scored(tree: Tree) -> set[tuple[str, str, str]]:
    """(question, answer code, target) for each answer a rule scores; a compound rule
    as (its :func:`_compound_key`, "", target)."""
    scored: set[tuple[str, str, str]] = set()
    for _, _, r in tree.items("rules", "rules"):
        leaves = _leaves(r.when)
        if r.when.all is not None and frozenset(leaves) in contract.COMPOUND_DIRECTIONS:
            scored.update((_compound_key(leaves), "", t) for t in r.points)
        else:
            scored.update((q, c, t) for q, c in leaves for t in r.points)
    return scored


# ------------------------------------------------------------------ flags


def flag_references(tree: Tree) -> Iterator[Problem]:
    """Every flag names questions and answer codes that exist, and applies to needling
    options only."""
    for f, i, fl in tree.items("flags", "flags"):
        if tree.complete.get("questions"):
            yield from _condition_references(f, fl.when, ("flags", i, "when"), tree)
        for j, oid in enumerate(fl.options):
            if tree.single("options.yaml") and oid not in contract.NEEDLE_OPTIONS:
                choices = ", ".join(contract.NEEDLE_OPTIONS)
                hint = did_you_mean(oid, contract.NEEDLE_OPTIONS)
                yield f.problem(
                    ("flags", i, "options", j), f"a flag applies to a needling option ({choices}), not '{oid}'{hint}"
                )


def required_flags(tree: Tree) -> Iterator[Problem]:
    """Each answer the questionnaire says must raise a flag (stop or caution) has a flag of
    that level or higher."""
    flag_files = tree.folders.get("flags", [])
    if not tree.complete.get("flags") or not flag_files:
        return
    raised: dict[tuple[str, str], set[str]] = {}
    for _, _, fl in tree.items("flags", "flags"):
        if fl.when.question is not None:
            for code in fl.when.codes:
                raised.setdefault((fl.when.question, code), set()).add(fl.level)
    for (qid, code), level in contract.REQUIRED_FLAGS.items():
        if qid in tree.questions and not raised.get((qid, code), set()) & set(LEVELS[: LEVELS.index(level) + 1]):
            yield from _answer_problems(tree, qid, code, f"{qid}={code} must raise a flag of level {level} or higher")


def _flag_shape(cond: Condition) -> Shape | None:
    """A flag condition as its set of (question, codes) leaves, when it is a plain leaf
    or an all: of plain leaves."""
    parts = cond.all if cond.all is not None else (cond,)
    if any(p.question is None or p.skipped for p in parts):
        return None
    return frozenset((p.question or "", frozenset(p.codes)) for p in parts)


def _shape_text(shape: Shape) -> str:
    """A plain condition in words: ``q1 in [a, b] and q2 in [c]``."""
    return " and ".join(f"{q} in [{', '.join(sorted(c))}]" for q, c in sorted(shape))


def compound_flags(tree: Tree) -> Iterator[Problem]:
    """Safety in context: each joined condition of the questionnaire has its flag."""
    flag_files = tree.folders.get("flags", [])
    if not tree.complete.get("flags") or not flag_files:
        return
    shapes: dict[Shape, set[str]] = {}
    for _, _, fl in tree.items("flags", "flags"):
        shape = _flag_shape(fl.when)
        if shape is not None:
            shapes.setdefault(shape, set()).add(fl.level)
    for name, (shape, level) in contract.REQUIRED_COMPOUND_FLAGS.items():
        if any(q not in tree.questions for q, _ in shape):
            continue
        if not shapes.get(shape, set()) & set(LEVELS[: LEVELS.index(level) + 1]):
            q, codes = sorted(shape)[-1]
            msg = f"safety in context '{name}': {_shape_text(shape)} must raise a flag of level {level} or higher"
            yield from _answer_problems(tree, q, sorted(codes)[0], msg)


# ------------------------------------------------------------------ version 3: caps and flag links


def context_cap_sources(tree: Tree) -> Iterator[Problem]:
    """Every row of context_caps.yaml cites its evidence: a cap changes what the patient reads."""
    f = tree.single("context_caps.yaml")
    if not f:
        return
    for i, cap in enumerate(f.model.caps):
        if not cap.source:
            yield f.problem(("caps", i), f"context cap '{cap.id}' has no source: cite an id from sources.yaml")


def context_cap_references(tree: Tree) -> Iterator[Problem]:
    """A cap reads real answers and caps a step-2 option; the contract's caps are all there,
    each at least as strict as the contract says."""
    f = tree.single("context_caps.yaml")
    if not f:
        return
    yield from _duplicates(((f, ("caps", i), c.id) for i, c in enumerate(f.model.caps)), "context cap")
    for i, cap in enumerate(f.model.caps):
        if tree.complete.get("questions"):
            yield from _condition_references(f, cap.when, ("caps", i, "when"), tree)
        for oid in cap.at_most:
            if oid not in contract.STEP2:
                hint = did_you_mean(oid, contract.STEP2)
                msg = f"a context cap limits a step-2 option ({', '.join(contract.STEP2)}), not '{oid}'{hint}"
                yield f.problem(("caps", i, "at_most", oid), msg)
    yield from _required_caps(tree, f)


def _cap_limits(caps: Iterable[ContextCap]) -> dict[Shape, dict[str, str]]:
    """The strongest lean each step-2 option may reach, for each plain condition of the caps."""
    limits: dict[Shape, dict[str, str]] = {}
    for cap in caps:
        shape = _flag_shape(cap.when)
        if shape is not None:
            limits.setdefault(shape, {}).update(cap.at_most)
    return limits


def _required_caps(tree: Tree, f: File) -> Iterator[Problem]:
    """Each cap of the contract whose questions are asked is given, at least as strict."""
    found = _cap_limits(f.model.caps)
    rank = {name: j for j, name in enumerate(contract.STRENGTH_ORDER)}
    for name, (shape, limits) in contract.REQUIRED_CONTEXT_CAPS.items():
        if any(q not in tree.questions for q, _ in shape):
            continue
        given = found.get(shape, {})
        for oid, limit in limits.items():
            if oid not in given or rank[given[oid]] > rank[limit]:
                most = "never lean to it" if limit == "none" else f"lean to it at most '{limit}'"
                yield f.problem(
                    ("caps",), f"context cap '{name}': with {_shape_text(shape)}, step 2 must {most} ({oid})"
                )


def _implies(shape: Shape, other: Shape) -> bool:
    """Whenever ``shape`` holds, ``other`` holds too (every leaf of other is as loose)."""
    return all(any(q == oq and codes <= ocodes for q, codes in shape) for oq, ocodes in other)


def flag_links(tree: Tree) -> Iterator[Problem]:
    """Version 3 flag fields: a stop that passes is a stop; a note about a lean names
    options and is not a stop; a flag replaces only flags raised whenever it is; a note
    for the patient is an info note; the contract's notes exist."""
    flags = {fl.id: fl for _, _, fl in tree.items("flags", "flags")}
    for f, i, fl in tree.items("flags", "flags"):
        yield from _flag_fields(f, ("flags", i), fl)
        yield from _flag_replaces(f, ("flags", i), fl, flags)
    files = tree.folders.get("flags", [])
    if tree.complete.get("flags") and files and tree.complete.get("questions"):
        for fid, when in contract.REQUIRED_NOTES.items():
            if fid not in flags:
                yield files[0].problem(("flags",), f"note '{fid}' from the questionnaire contract is missing ({when})")


def _flag_fields(f: File, loc: Loc, fl: Flag) -> Iterator[Problem]:
    """passes is for a stop, for_patient for an info note; lean names options and is not for a stop."""
    if fl.passes and fl.level != "stop":
        yield f.problem((*loc, "passes"), f"only a stop can pass ('{fl.id}' is a {fl.level})")
    if fl.for_patient and fl.level != "info":
        yield f.problem((*loc, "for_patient"), f"the patient reads every {fl.level} in full: for_patient is for info")
    if fl.lean is None:
        return
    if fl.level == "stop":
        yield f.problem((*loc, "lean"), "a stop cannot depend on the lean it decides")
    for j, oid in enumerate(fl.lean):
        if oid not in contract.OPTIONS:
            hint = did_you_mean(oid, contract.OPTIONS)
            yield f.problem((*loc, "lean", j), f"unknown option '{oid}'{hint}; options: {', '.join(contract.OPTIONS)}")


def _flag_replaces(f: File, loc: Loc, fl: Flag, flags: dict[str, Flag]) -> Iterator[Problem]:
    """Each flag a flag replaces exists and is raised whenever the replacing flag is."""
    shape = _flag_shape(fl.when)
    for j, rid in enumerate(fl.replaces):
        other = flags.get(rid)
        if other is None:
            yield f.problem((*loc, "replaces", j), f"unknown flag '{rid}'{did_you_mean(rid, flags)}")
            continue
        other_shape = _flag_shape(other.when)
        if shape is None or other_shape is None or not _implies(shape, other_shape):
            yield f.problem(
                (*loc, "replaces", j), f"'{fl.id}' can replace '{rid}' only if '{rid}' is raised whenever it is"
            )


# ------------------------------------------------------------------ comparison and dates


def comparison_cells(tree: Tree) -> Iterator[Problem]:
    """Every grid row has one cell for each option, no unknown option, and one denominator
    for its side effects."""
    f = tree.single("comparison.yaml")
    if not f:
        return
    options = contract.OPTIONS
    for i, row in enumerate(f.model.rows):
        loc = ("rows", i)
        for oid in options:
            if oid not in row.cells:
                yield f.problem((*loc, "cells"), f"no cell for option '{oid}': every row needs {', '.join(options)}")
        for oid in row.cells:
            if oid not in options:
                yield f.problem(
                    (*loc, "cells", oid),
                    f"unknown option '{oid}'{did_you_mean(oid, options)}; options: {', '.join(options)}",
                )
        pers = {fr.per for c in row.cells.values() for fr in c.frequencies}
        if len(pers) > 1:
            yield f.problem(loc, f"side effects must use one denominator per row, got {' and '.join(sorted(pers))}")


MAX_SHORT_WORDS = 25
_GRID_WORD = re.compile(r"[^\W_]+(?:['’.,\u202f-][^\W_]+)*")


def grid_words(text: str) -> int:
    """Words as a reader counts them: a number like 7 629 or 1,000 is one word."""
    return len(_GRID_WORD.findall(text))


def comparison_short(tree: Tree) -> Iterator[Problem]:
    """The grid read across (Option Grid): every row has a short answer for each of
    the three options, at most MAX_SHORT_WORDS words in each language."""
    f = tree.single("comparison.yaml")
    if not f:
        return
    for i, row in enumerate(f.model.rows):
        for oid in contract.OPTIONS:
            cell = row.cells.get(oid)
            if cell is None:
                if oid not in tree.options:  # comparison_cells names the missing cell
                    yield f.problem(("rows", i, "cells"), f"no cell for option '{oid}': the grid needs all three")
                continue
            for lang in ("en", "fr"):
                n = grid_words(cell.short.get(lang))
                if n > MAX_SHORT_WORDS:
                    yield f.problem(
                        ("rows", i, "cells", oid, "short", lang),
                        f"short answer has {n} words, {MAX_SHORT_WORDS} at most: move the rest to text",
                    )


def review_dates(tree: Tree, today: dt.date | None = None) -> Iterator[Problem]:
    """No fact is marked reviewed on a date still to come."""
    today = today or dt.date.today()
    comparison = tree.single("comparison.yaml")
    if comparison:
        for i, row in enumerate(comparison.model.rows):
            for oid, cell in row.cells.items():
                if cell.reviewed_on > today:
                    loc = ("rows", i, "cells", oid, "reviewed_on")
                    yield comparison.problem(loc, f"reviewed_on {cell.reviewed_on} is in the future")
    for f, i, fl in tree.items("flags", "flags"):
        if fl.reviewed_on > today:
            yield f.problem(("flags", i, "reviewed_on"), f"reviewed_on {fl.reviewed_on} is in the future")


def no_markup(tree: Tree) -> Iterator[Problem]:
    """Text is shown as text: no Markdown images or links and no raw HTML (an image
    would load from an outside address on the patient's tablet)."""
    files = [f for f in tree.singles.values() if f] + [f for fs in tree.folders.values() for f in fs]
    for f in files:
        for loc, text in localized_texts(f.located.data, staff_too=True):
            for lang in ("en", "fr"):
                reason = find_markup(text[lang])
                if reason:
                    yield f.problem((*loc, lang), f"{reason}: write plain text")


# ------------------------------------------------------------------ one denominator per row

# "N in 1,000 treatments" (English) and "N traitements sur 1 000" or "sur 1 000
# personnes" (French): a base that is a power of ten makes a natural frequency.
_EN_FREQUENCY = re.compile(
    r"\b(?:in|of)\s+(?P<base>10(?:0|,000|\u202f000|,000,000)?|1,000|1\u202f000)\b(?:\s+(?P<after>[^\W\d_]+))?"
)
_FR_FREQUENCY = re.compile(
    r"(?:(?P<before>[^\W\d_]+)\s+)?\bsur\s+(?P<base>10(?:0|\u202f000)?|1\u202f000)\b(?:\s+(?P<after>[^\W\d_]+))?",
    re.IGNORECASE,
)
_UNITS = {
    "treatments": {"treatment", "treatments", "session", "sessions", "consultation", "consultations"}
    | {"traitement", "traitements", "séance", "séances"},
    "people": {"people", "person", "persons", "patient", "patients"}
    | {"personne", "personnes", "patiente", "patientes"},
}
_PER_UNIT = {"treatments": "treatments", "patients": "people"}


def _unit_of(word: str | None) -> str | None:
    w = (word or "").lower()
    return next((unit for unit, words in _UNITS.items() if w in words), None)


def _frequencies(text: str, lang: str) -> Iterator[tuple[str, int, str | None]]:
    """Each natural frequency in a text: (as written, base, unit or None when not named)."""
    pattern = _FR_FREQUENCY if lang == "fr" else _EN_FREQUENCY
    for m in pattern.finditer(text):
        base = int(re.sub(r"[,\u202f]", "", m.group("base")))
        words = [m.groupdict().get("before"), m.group("after")]
        unit = next((u for u in map(_unit_of, words) if u), None)
        yield m.group(0).strip(), base, unit


def comparison_denominators(tree: Tree) -> Iterator[Problem]:
    """IPDAS: one denominator per row. A row whose short answers or texts give
    natural frequencies declares ``denominator: {of, unit}``; each frequency names
    that unit and uses that base, and the side-effect pictures count the same unit.
    Caveats may give a figure in another unit when they name it."""
    f = tree.single("comparison.yaml")
    if not f:
        return
    for i, row in enumerate(f.model.rows):
        den = row.denominator
        if den is None:
            if _gives_numbers(row):
                yield f.problem(("rows", i), "this row gives numbers: declare its denominator: {of: ..., unit: ...}")
            continue
        for oid, cell in row.cells.items():
            yield from _text_denominators(f, ("rows", i, "cells", oid), cell, den)
            yield from _picture_denominators(f, ("rows", i, "cells", oid), cell, den)


def _cell_frequencies(cell: Cell) -> Iterator[tuple[Loc, str, int, str | None]]:
    """Each natural frequency in a cell's short answer and text: (part and language, as
    written, base, unit or None)."""
    for part in ("short", "text"):
        for lang in ("en", "fr"):
            for written, base, unit in _frequencies(getattr(cell, part).get(lang), lang):
                yield (part, lang), written, base, unit


def _gives_numbers(row: Row) -> bool:
    """Some cell of the row gives a natural frequency in its words, or side-effect pictures."""
    return any(cell.frequencies or next(_cell_frequencies(cell), None) for cell in row.cells.values())


def _text_denominators(f: File, loc: Loc, cell: Cell, den: Denominator) -> Iterator[Problem]:
    """Each natural frequency in the cell's words names the row's unit and uses its base."""
    want = f"{den.of:,} {den.unit}"
    for sub, written, base, unit in _cell_frequencies(cell):
        if unit is None:
            yield f.problem((*loc, *sub), f"'{written}' does not name its unit: this row counts in {want}")
        elif unit != den.unit or base != den.of:
            got = f"{base:,} {unit}"
            yield f.problem(
                (*loc, *sub), f"'{written}' counts in {got}, but this row counts in {want}: one denominator per row"
            )


def _picture_denominators(f: File, loc: Loc, cell: Cell, den: Denominator) -> Iterator[Problem]:
    """The cell's side-effect pictures count out of 1,000 of the row's unit."""
    for j, fr in enumerate(cell.frequencies):
        if _PER_UNIT[fr.per] != den.unit or den.of != 1000:
            got = f"1,000 {_PER_UNIT[fr.per]}"
            yield f.problem(
                (*loc, "frequencies", j, "per"),
                f"the picture counts in {got}, but this row counts in {den.of:,} {den.unit}",
            )


# ------------------------------------------------------------------ talk prompts (issue 17)


def prompt_references(tree: Tree) -> Iterator[Problem]:
    """Talk prompts name questions, answers and flags that exist; ids are unique."""
    f = tree.single("prompts.yaml")
    if not f:
        return
    for key, what in (("prompts", "prompt"), ("unscreened", "unscreened item")):
        items = getattr(f.model, key)
        yield from _duplicates(((f, (key, i), item.id) for i, item in enumerate(items)), what)
    flag_ids = _raised_flag_ids(tree)
    for i, prompt in enumerate(f.model.prompts):
        if prompt.when is not None and tree.complete.get("questions"):
            yield from _condition_references(f, prompt.when, ("prompts", i, "when"), tree)
        if tree.complete.get("flags"):
            for j, fid in enumerate(prompt.flags):
                if fid not in flag_ids:
                    yield f.problem(("prompts", i, "flags", j), f"unknown flag '{fid}'{did_you_mean(fid, flag_ids)}")
    yield from _prompts_reviewed(f)


def _raised_flag_ids(tree: Tree) -> set[str]:
    """The id of every flag that can be raised: the content's, and one note per safety item
    left unanswered (``<id>_unanswered``)."""
    flag_ids = {fl.id for _, _, fl in tree.items("flags", "flags")}
    for section in (f.model for f in tree.folders.get("questions", ())):
        if section.kind == "safety":
            flag_ids.update(f"{q.id}_unanswered" for q in section.questions)
    return flag_ids


def _prompts_reviewed(f: File) -> Iterator[Problem]:
    """No talk prompt or item not screened is marked reviewed on a date still to come."""
    today = dt.date.today()
    for key in ("prompts", "unscreened"):
        for i, item in enumerate(getattr(f.model, key)):
            if item.reviewed_on > today:
                yield f.problem((key, i, "reviewed_on"), f"reviewed_on {item.reviewed_on} is in the future")


CHECKS: tuple[Check, ...] = (
    unique_ids,
    section_file_names,
    ui_words,
    contract_options,
    contract_questions,
    lean_settings,
    sources_cited,
    sources_findable,
    rule_references,
    rule_answers_only,
    rule_targets,
    rule_topics,
    rule_directions,
    direction_coverage,
    flag_references,
    required_flags,
    compound_flags,
    context_cap_sources,
    context_cap_references,
    flag_links,
    comparison_cells,
    comparison_short,
    review_dates,
    no_markup,
    comparison_denominators,
    prompt_references,
)


def run_checks(tree: Tree, checks: Iterable[Check] = CHECKS) -> list[Problem]:
    return [p for check in checks for p in check(tree)]
