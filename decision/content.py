"""The usable content: loaded (:mod:`decision.loader`), checked (:mod:`decision.checks`)
and compiled once into the lookup tables scoring needs.

Layout (the folder is the namespace)::

    content/index.yaml          what the aid is, its date, lean settings, topics
    content/options.yaml        ims, acupuncture, no_needling
    content/sources.yaml        the bibliography (facts cite ids)
    content/questions/*.yaml    one section of the questionnaire per file
    content/rules/*.yaml        scoring rules (each with a topic)
    content/flags/*.yaml        safety and information flags
    content/comparison.yaml     the side-by-side grid
    content/context_caps.yaml   safety in context that caps step 2
    content/ui.yaml             the app's own words
    content/prompts.yaml        talk prompts, items not screened, the take-home summary

:func:`load_content` returns a frozen :class:`Content` or raises
:class:`~decision.errors.ContentError` listing every problem as
``path:line: where: message``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import types
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import NamedTuple

from decision import contract
from decision.checks import run_checks
from decision.conditions import Matcher, compile_condition, index_by_answer
from decision.errors import ContentError, Problem
from decision.loader import Tree, did_you_mean, read_tree
from decision.models import (
    Condition,
    ContextCap,
    Flag,
    IndexFile,
    LocalizedText,
    Option,
    Question,
    Row,
    Rule,
    SectionFile,
    Source,
    TakeHome,
    TalkPrompt,
    UnscreenedItem,
)
from decision.result import RaisedFlag, Texts
from decision.settings import load_settings

__all__ = ["Content", "ContentError", "collect", "did_you_mean", "load_content"]

DEFAULT_CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"
LEVEL_ORDER = {"stop": 0, "caution": 1, "info": 2}


def content_dir_from_env() -> Path:
    """``DECISION_CONTENT_DIR`` if set, else the shipped ``content/``."""
    return load_settings().content_dir or DEFAULT_CONTENT_DIR


def texts(text: LocalizedText) -> Texts:
    """The words in every language, read only: what a fresh result carries
    (:data:`decision.result.Texts`), built once here and shared by every result."""
    return types.MappingProxyType({"en": text.en, "fr": text.fr})


class CompiledRule(NamedTuple):
    rule: Rule
    match: Matcher
    points: tuple[tuple[str, int], ...]
    first_question: str
    reason: Texts  # texts(rule.reason)


Gate = tuple[str, frozenset[str]] | None


class CompiledFlag(NamedTuple):
    flag: Flag
    match: Matcher
    questions: tuple[str, ...]
    order: int  # level first, then content position
    message: Texts  # texts(flag.message)
    gate: Gate = None  # (question, codes) the condition cannot hold without: a cheap test first

    def raised(self, question: str, answer: str | None) -> RaisedFlag:
        """The flag as a result holds it, raised by this answer (None: left unanswered)."""
        flag = self.flag
        return RaisedFlag(
            flag.id, flag.level, question, self.questions, answer, flag.options, self.message, flag.for_patient
        )


class CompiledCap(NamedTuple):
    cap: ContextCap
    match: Matcher
    at_most: tuple[tuple[str, str], ...]  # (step-2 option, the strongest lean allowed toward it)
    line: Texts  # texts(cap.line)
    gate: Gate = None


# A raised flag with its place among the flags (level first, then content position).
Placed = tuple[int, RaisedFlag]


class Compiled(NamedTuple):
    """Lookup tables built once at load: a plain answer maps straight to the rules it
    fires and the flags it raises (each flag made once here, the same for every result);
    a skipped safety item to its note; compound conditions are matched on their own.
    (Plain dicts, read only by the engine: faster to look up.)"""

    rules: tuple[CompiledRule, ...]
    flags: tuple[CompiledFlag, ...]
    rules_by_answer: dict[tuple[str, str], tuple[int, ...]]
    other_rules: tuple[int, ...]
    flags_by_answer: dict[tuple[str, str], tuple[Placed, ...]]
    skipped_flags: tuple[tuple[str, Placed], ...]  # (question, the note raised when it is not answered)
    other_flags: tuple[int, ...]
    caps: tuple[CompiledCap, ...] = ()
    # flag id -> the final leans it needs; flag id -> the flag ids it replaces for the patient
    lean_gated: Mapping[str, frozenset[str]] = types.MappingProxyType({})
    replaces: Mapping[str, frozenset[str]] = types.MappingProxyType({})
    # A leaf each of those flags needs: when no answer passes one, none of them is raised
    # (None: one of them has no such leaf, so always look).
    lean_gates: tuple[tuple[str, frozenset[str]], ...] | None = None
    replaces_gates: tuple[tuple[str, frozenset[str]], ...] | None = None
    passing: frozenset[str] = frozenset()  # the stop flags that pass (unwell today): step 2 "for another day"


@dataclass(frozen=True, eq=False)
class Content:
    """Everything in ``content/``, validated, cross-checked and compiled. Immutable."""

    root: Path
    meta: IndexFile
    options: Mapping[str, Option]
    sections: tuple[SectionFile, ...]
    questions: Mapping[str, Question]
    section_of: Mapping[str, SectionFile]
    rules: tuple[Rule, ...]
    flags: tuple[Flag, ...]
    comparison: tuple[Row, ...]
    caps: tuple[ContextCap, ...]
    sources: Mapping[str, Source]
    ui: Mapping[str, LocalizedText]
    version: str
    compiled: Compiled = field(repr=False)
    prompts: tuple[TalkPrompt, ...] = ()  # content/prompts.yaml
    unscreened: tuple[UnscreenedItem, ...] = ()
    take_home: TakeHome | None = None

    @cached_property
    def sure_needs(self) -> tuple[tuple[str, str], ...]:
        """(SURE question id, the decisional need a "no" points to)."""
        return tuple((q.id, q.measures or q.id) for q in self.questions_of_kind("sure"))

    @cached_property
    def codes(self) -> Mapping[str, frozenset[str]]:
        """Valid answer codes per question id."""
        return types.MappingProxyType({q.id: frozenset(q.codes) for q in self.questions.values()})

    def t(self, key: str, lang: str) -> str:
        """The app's own words for ``key`` in ``lang`` (see content/ui.yaml)."""
        return self.ui[key].get(lang)

    def questions_of_kind(self, *kinds: str) -> tuple[Question, ...]:
        return tuple(q for s in self.sections if s.kind in kinds for q in s.questions)

    @cached_property
    def questionnaire_ids(self) -> tuple[str, ...]:
        """Questions asked before the result (everything but SURE)."""
        return tuple(q.id for q in self.questions_of_kind("questions", "safety"))

    @cached_property
    def asked_ids(self) -> frozenset[str]:
        """Questions of sections 1 to 4: the ones that count toward ``min_answered``."""
        return frozenset(q.id for q in self.questions_of_kind("questions"))

    @cached_property
    def safety_ids(self) -> tuple[str, ...]:
        return tuple(q.id for q in self.questions_of_kind("safety"))

    @cached_property
    def sure_ids(self) -> tuple[str, ...]:
        return tuple(q.id for q in self.questions_of_kind("sure"))

    def topic_name(self, topic: str, lang: str) -> str:
        text = self.meta.topics.get(topic)
        return text.get(lang) if text is not None else topic


# ------------------------------------------------------------------ building


def skipped_flags(sections: tuple[SectionFile, ...]) -> tuple[Flag, ...]:
    """One info flag per safety item, raised when it is left unanswered (``<id>_unanswered``)."""
    out = []
    for s in sections:
        if s.kind != "safety" or s.skipped is None:
            continue
        note = s.skipped
        for q in s.questions:

            def fill(text: LocalizedText, q: Question = q) -> LocalizedText:
                return LocalizedText(
                    en=text.en.replace("{question}", q.label.en), fr=text.fr.replace("{question}", q.label.fr)
                )

            out.append(
                Flag(
                    id=f"{q.id}_unanswered",
                    level="info",
                    when=Condition(question=q.id, skipped=True),
                    options=contract.NEEDLE_OPTIONS,
                    message=fill(note.message),
                    clinician=fill(note.clinician),
                    source=note.source,
                    reviewed_on=note.reviewed_on,
                )
            )
    return tuple(out)


def gate_of(when: Condition) -> Gate:
    """A (question, codes) leaf the condition needs (a plain leaf, or one child of an
    ``all:``): when the answer is not among the codes, the condition cannot hold."""
    parts = when.all if when.all is not None else (when,)
    leaves = [(p.question, frozenset(p.codes)) for p in parts if p.question is not None and not p.skipped]
    if not leaves:
        return None
    return min(leaves, key=lambda leaf: len(leaf[1]))


def _questions_of(when: Condition) -> tuple[str, ...]:
    return tuple(dict.fromkeys(q for q, _ in when.leaves()))


def compile_content(rules: tuple[Rule, ...], flags: tuple[Flag, ...], caps: tuple[ContextCap, ...] = ()) -> Compiled:
    """The lookup tables scoring needs (see :class:`Compiled`), built once at load."""
    rules_by_answer, other_rules = index_by_answer([r.when for r in rules])
    compiled_flags = _compile_flags(flags)
    flags_by_answer, skipped, other_flags = _index_flags(flags, compiled_flags)
    return Compiled(
        _compile_rules(rules),
        compiled_flags,
        rules_by_answer,
        other_rules,
        flags_by_answer,
        skipped,
        other_flags,
        _compile_caps(caps),
        {fl.id: frozenset(fl.lean) for fl in flags if fl.lean is not None},
        {fl.id: frozenset(fl.replaces) for fl in flags if fl.replaces},
        _gates([fl for fl in flags if fl.lean is not None]),
        _gates([fl for fl in flags if fl.replaces]),
        frozenset(fl.id for fl in flags if fl.level == "stop" and fl.passes),
    )


def _compile_rules(rules: tuple[Rule, ...]) -> tuple[CompiledRule, ...]:
    return tuple(
        CompiledRule(r, compile_condition(r.when), tuple(r.points.items()), r.when.leaves()[0][0], texts(r.reason))
        for r in rules
    )


def _compile_flags(flags: tuple[Flag, ...]) -> tuple[CompiledFlag, ...]:
    """Each flag with its order: by level (stop, caution, info), then by position in the content."""
    n = len(flags) + 1
    return tuple(
        CompiledFlag(
            fl,
            compile_condition(fl.when),
            _questions_of(fl.when),
            LEVEL_ORDER[fl.level] * n + i,
            texts(fl.message),
            gate_of(fl.when),
        )
        for i, fl in enumerate(flags)
    )


def _compile_caps(caps: tuple[ContextCap, ...]) -> tuple[CompiledCap, ...]:
    return tuple(
        CompiledCap(c, compile_condition(c.when), tuple(c.at_most.items()), texts(c.line), gate_of(c.when))
        for c in caps
    )


def _index_flags(
    flags: tuple[Flag, ...], compiled: tuple[CompiledFlag, ...]
) -> tuple[dict[tuple[str, str], tuple[Placed, ...]], tuple[tuple[str, Placed], ...], tuple[int, ...]]:
    """The flags each answer raises, made once here (with their place among the flags); the
    note raised when a question is left unanswered; the positions of all other flags."""
    by_answer, others = index_by_answer([fl.when for fl in flags])
    raised = {
        (q, a): tuple((compiled[i].order, compiled[i].raised(q, a)) for i in found)
        for (q, a), found in by_answer.items()
    }
    skipped = tuple(
        (q, (compiled[i].order, compiled[i].raised(q, None)))
        for i in others
        if flags[i].when.skipped
        for q in (flags[i].when.question or "",)
    )
    other_flags = tuple(i for i in others if not flags[i].when.skipped)
    return raised, skipped, other_flags


def _gates(flags: list[Flag]) -> tuple[tuple[str, frozenset[str]], ...] | None:
    gates = [gate_of(fl.when) for fl in flags]
    return None if any(g is None for g in gates) else tuple(g for g in gates if g is not None)


def _version(root: Path, paths: list[Path], date: dt.date) -> str:
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(p.relative_to(root).as_posix().encode())
        h.update(b"\0")
        h.update(p.read_bytes())
        h.update(b"\0")
    return f"{date.isoformat()}+{h.hexdigest()[:8]}"


def build(tree: Tree) -> Content:
    """The :class:`Content` of a tree that passed every check."""

    def model(name: str):  # type: ignore[no-untyped-def]
        f = tree.single(name)
        if f is None:  # never: run_checks found no problem, so every file was read
            raise RuntimeError(f"build() needs a checked tree, but {name} was not read")
        return f.model

    sections = tuple(f.model for f in sorted(tree.folders["questions"], key=lambda f: (f.model.order, f.model.id)))
    rules = tuple(r for _, _, r in tree.items("rules", "rules"))
    flags = tuple(fl for _, _, fl in tree.items("flags", "flags")) + skipped_flags(sections)
    ui = model("ui.yaml")
    index = model("index.yaml")
    caps = model("context_caps.yaml").caps
    return Content(
        root=tree.root,
        meta=index,
        options=types.MappingProxyType({oid: tree.options[oid] for oid in contract.OPTIONS}),
        sections=sections,
        questions=types.MappingProxyType({q.id: q for s in sections for q in s.questions}),
        section_of=types.MappingProxyType(dict(tree.section_of)),
        rules=rules,
        flags=flags,
        comparison=model("comparison.yaml").rows,
        caps=caps,
        sources=types.MappingProxyType(dict(tree.sources)),
        ui=types.MappingProxyType({**ui.clinician, **ui.strings}),
        version=_version(tree.root, tree.paths, index.content_date),
        compiled=compile_content(rules, flags, caps),
        prompts=model("prompts.yaml").prompts,
        unscreened=model("prompts.yaml").unscreened,
        take_home=model("prompts.yaml").take_home,
    )


def collect(root: Path | str | None = None) -> tuple[Content | None, list[Problem]]:
    """Load, check and build; return the content (or None) and every problem found."""
    root = Path(root) if root is not None else content_dir_from_env()
    if not root.is_dir():
        raise FileNotFoundError(f"content folder not found: {root}")
    tree = read_tree(root)
    problems = tree.problems + run_checks(tree)
    if problems:
        return None, problems
    return build(tree), []


def load_content(root: Path | str | None = None) -> Content:
    """Load ``content/`` (or ``root``); raise :class:`ContentError` listing every problem."""
    content, problems = collect(root)
    if content is None:
        raise ContentError(problems)
    return content
