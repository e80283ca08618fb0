"""Every sentence the core builds from a result, in one place, from ``content/ui.yaml``.

The app, the exports and the CLI call this module; no Python module keeps a table
of words. Plurals follow each language's rule (French uses the singular for 0 and 1).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from decision.content import Content
from decision.engine import RaisedFlag


class StepLike(Protocol):
    @property
    def option(self) -> str | None: ...
    @property
    def strength(self) -> str: ...


class LeanLike(StepLike, Protocol):
    @property
    def stopped(self) -> bool: ...
    @property
    def enough_answers(self) -> bool: ...
    @property
    def wish(self) -> bool: ...
    @property
    def very_anxious(self) -> bool: ...
    @property
    def step1(self) -> StepLike: ...
    @property
    def step2(self) -> StepLike: ...


class FlagLike(Protocol):
    @property
    def level(self) -> str: ...
    @property
    def question(self) -> str: ...
    @property
    def skipped(self) -> bool: ...


class ResultLike(Protocol):
    """A fresh :class:`~decision.engine.Result` or a record's :class:`~decision.records.saved.SavedResult`."""

    @property
    def lean(self) -> LeanLike: ...
    @property
    def flags(self) -> Sequence[FlagLike]: ...
    @property
    def skipped_safety(self) -> tuple[str, ...]: ...


LANGS = ("en", "fr")


def singular(n: int, lang: str) -> bool:
    """English: only 1 is singular. French: 0 and 1 are."""
    return n in (0, 1) if lang == "fr" else n == 1


@dataclass(frozen=True)
class Wording:
    """The words for one content and one language."""

    content: Content
    lang: str

    def t(self, key: str, **fields: object) -> str:
        text = self.content.t(key, self.lang)
        for name, value in fields.items():
            text = text.replace("{" + name + "}", str(value))
        return text

    def plural(self, key: str, n: int) -> str:
        """``<key>_one`` or ``<key>_many`` (with ``{n}``) by the language's rule."""
        return self.t(f"{key}_one" if singular(n, self.lang) else f"{key}_many", n=n)

    def points(self, n: int) -> str:
        return self.plural("points", n)

    # ------------------------------------------------------------ names

    def option_name(self, target: str) -> str:
        if target == "needles":
            return self.t("target_needles")
        option = self.content.options.get(target)
        return option.name.get(self.lang) if option is not None else target

    def option_in_text(self, target: str) -> str:
        """The option's name inside a sentence (``option_in_text_<id>`` in ui.yaml:
        lower case, with its article in French); its heading name when there is none."""
        key = f"option_in_text_{target}"
        return self.t(key) if key in self.content.ui else self.option_name(target)

    def question_label(self, qid: str) -> str:
        q = self.content.questions.get(qid)
        return q.label.get(self.lang) if q is not None else qid

    def question_text(self, qid: str) -> str:
        q = self.content.questions.get(qid)
        return q.text.get(self.lang) if q is not None else qid

    def answer_text(self, qid: str, code: str | None) -> str:
        """The answer as the patient read it; the code itself when the content no longer has it."""
        if code is None:
            return ""
        q = self.content.questions.get(qid)
        answer = q.answer(code) if q is not None else None
        return answer.text.get(self.lang) if answer is not None else code

    def topic_name(self, topic: str) -> str:
        return self.content.topic_name(topic, self.lang)

    # ------------------------------------------------------------ the two steps

    def step1(self, lean: LeanLike) -> str:
        if lean.stopped:
            return self.stopped(lean)
        if lean.wish:
            return self.t("step1_wish")
        if not lean.enough_answers and lean.step1.option is None:
            return self.t("lean_not_enough")
        return self._step1_sentence(lean.step1)

    def _step1_sentence(self, step: StepLike) -> str:
        if step.option is None:
            return self.t("step1_none")
        return self.t(f"step1_{step.option}_{step.strength}")

    def step2(self, lean: LeanLike) -> str:
        if not lean.enough_answers:
            return self.t("lean_not_enough")
        step = lean.step2
        if step.option is None:
            return self.t("lean_none")
        return self.t(f"lean_{step.strength}", option=self.option_in_text(step.option))

    def stopped(self, lean: LeanLike, flags: Iterable[FlagLike] = ()) -> str:
        unwell = any(f.level == "stop" and f.question == "unwell_today" for f in flags)
        return self.t("stopped_unwell" if unwell else "stopped_other")

    def headline(self, result: ResultLike) -> str:
        """The final lean in one sentence, followed by "you decide"."""
        lean = result.lean
        if lean.stopped:
            first = self.stopped(lean, result.flags)
        elif lean.option == "no_needling":
            first = self.t("step1_wish") if lean.wish else self._step1_sentence(lean.step1)
        elif lean.option is None:
            first = self.t("lean_none" if lean.enough_answers else "lean_not_enough")
        else:
            first = self.t(f"lean_{lean.strength}", option=self.option_in_text(lean.option))
        return f"{first} {self.t('you_decide')}"

    def lean_lines(self, result: ResultLike) -> list[tuple[str, str]]:
        """(title, sentence) for each step, in the order the patient reads them.

        Step 1 always comes first; when it leans to no needles, step 2 is offered as
        "if you choose needles". A very anxious patient reads that the worry comes first.
        """
        lean = result.lean
        step1 = self.stopped(lean, result.flags) if lean.stopped else self.step1(lean)
        lines = [(self.t("step1_title"), f"{step1} {self.t('you_decide')}")]
        step2 = self.step2(lean)
        if lean.option == "no_needling" and lean.step2.option is not None:
            step2 = f"{self.t('step2_if_needles')} {step2[:1].lower()}{step2[1:]}"
        if not lean.stopped:
            lines.append((self.t("step2_title"), f"{step2} {self.t('you_decide')}"))
        if lean.very_anxious:
            lines.append(("", self.t("very_anxious_first")))
        return lines

    # ------------------------------------------------------------ flags

    def flag_message(self, flag: RaisedFlag) -> str:
        return flag.flag.message.get(self.lang)

    def flag_clinician(self, flag: RaisedFlag) -> str:
        return flag.flag.clinician.get(self.lang)

    def safety_summary(self, result: ResultLike) -> list[str]:
        """The patient's lines about what is not in the flag panels: skipped safety
        questions and the count of notes for the physiotherapist. "No flags" only
        when every safety item was answered and nothing was raised."""
        skipped = len(result.skipped_safety)
        notes = sum(1 for f in result.flags if f.level == "info" and not f.skipped)
        lines = []
        if skipped:
            lines.append(self.plural("safety_skipped", skipped))
        if notes:
            lines.append(self.plural("info_notes", notes))
        if not result.flags:
            lines.append(self.t("no_flags"))
        return lines

    def contribution_points(self, points: int, full_points: int) -> str:
        text = self.points(points)
        if points < full_points:
            text += f" ({self.t('capped_note')})"
        return text
