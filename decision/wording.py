"""Every sentence the core builds from a result, in one place, from ``content/ui.yaml``.

The app, the exports and the CLI call this module; no Python module keeps a table
of words. Plurals follow each language's rule (French uses the singular for 0 and 1).
A fresh result and a record read back are the same :class:`~decision.engine.Result`,
so every method takes either.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from decision.content import Content
from decision.engine import Lean, RaisedFlag, Result, Step, text_in

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
        """The option named inside a sentence: lower case, with its French article."""
        return self.t(f"option_in_text_{target}")

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
    # The only place a lean is put into words (contract version 3): every surface (the
    # result screen, what-if, the clinician view, PDF, CSV, FHIR, the CLI) calls these
    # on the engine's one Lean, where every cap is already applied.

    def step1(self, lean: Lean) -> str:
        if lean.stopped:
            return self.stopped(lean)
        if lean.wish:
            return self.t("step1_wish")
        if not lean.enough_answers and lean.step1.option is None:
            return self.t("lean_not_enough")
        return self._step1_sentence(lean.step1, lean.very_anxious)

    def _step1_sentence(self, step: Step, very_anxious: bool = False) -> str:
        if step.option is None:
            return self.t("step1_none")
        if very_anxious and step == ("no_needling", "slight"):  # the worry is what tips step 1
            return self.t("step1_very_anxious")
        return self.t(f"step1_{step.option}_{step.strength}")

    def _step2_sentence(self, step: Step, enough: bool = True) -> str:
        if not enough:
            return self.t("lean_not_enough")
        if step.option is None:
            return self.t("lean_none")
        return self.t(f"step2_{step.option}_{step.strength}")

    def step2(self, lean: Lean) -> str:
        """Step 2 as the lean holds it ("" when needling is stopped: step 2 is not shown).
        When a cap took the lean away from an option, that is said, never "no clear
        difference" (the see-saw may tip far to that option)."""
        if lean.stopped:
            return ""
        if lean.step2_removed is not None and lean.step2.option is None:
            return self._removed(lean)
        return self._step2_sentence(lean.step2, lean.enough_answers)

    def step2_later(self, lean: Lean) -> str:
        """Step 2 "for another day", after a stop that passes, always as "if you choose
        needles" (another day, and only if needles are chosen); "" when there is none."""
        later = lean.step2_later
        if later is None:
            return ""
        if lean.step2_removed is not None and later.option is None:
            return self._removed(lean)
        return self._if_needles("step2_if_needles", self._step2_sentence(later, lean.enough_answers))

    def _removed(self, lean: Lean) -> str:
        why = "anxious" if lean.very_anxious else "safety"
        return self.t(f"step2_removed_{lean.step2_removed}_{why}")

    def stopped(self, lean: Lean, flags: Iterable[RaisedFlag] = ()) -> str:
        unwell = any(f.level == "stop" and f.question == "unwell_today" for f in flags)
        return self.t("stopped_unwell" if unwell else "stopped_other")

    def _if_needles(self, key: str, sentence: str) -> str:
        """ "If you choose needles: your answers ..." (lower case after the colon)."""
        return f"{self.t(key)} {sentence[:1].lower()}{sentence[1:]}"

    def final(self, result: Result) -> str:
        """The final lean in one sentence, without "you decide"."""
        lean = result.lean
        if lean.stopped:
            return self.stopped(lean, result.flags)
        if lean.option == "no_needling":
            return self.t("step1_wish") if lean.wish else self._step1_sentence(lean.step1, lean.very_anxious)
        if lean.option is None:
            if lean.step2_removed is not None:
                return self.step2(lean)
            return self.t("lean_none" if lean.enough_answers else "lean_not_enough")
        sentence = self._step2_sentence(Step(lean.option, lean.strength))
        return self._if_needles("if_you_choose_needles", sentence) if lean.conditional else sentence

    def headline(self, result: Result) -> str:
        """The final lean in one sentence, followed by "you decide" (never after a stop:
        a safety stop is not a choice)."""
        first = self.final(result)
        return first if result.lean.stopped else f"{first} {self.t('you_decide')}"

    def cap_lines(self, result: Result) -> list[str]:
        """The plain lines that go right under step 2: why safety in context limits it."""
        if result.lean.stopped:
            return []
        caps = {c.id: c for c in self.content.caps}
        out = []
        for applied in result.context_caps:
            cap = caps.get(applied.id)
            if cap is not None:
                out.append(cap.line.get(self.lang))
            else:  # a saved record whose cap is no longer in the content: its saved words
                out.append(text_in(applied.line, self.lang))
        return [line for line in out if line]

    def lean_lines(self, result: Result) -> list[tuple[str, str]]:
        """(title, sentence) for each step, in the order the patient reads them.

        Step 1 always comes first; when it leans to no needles, step 2 is offered as
        "if you choose needles". After a stop only the stop is said (no step 2, no "you
        decide"). A very anxious patient reads that the worry comes first.
        """
        lean = result.lean
        if lean.stopped:
            lines = [(self.t("step1_title"), self.stopped(lean, result.flags))]
        else:
            lines = [(self.t("step1_title"), f"{self.step1(lean)} {self.t('you_decide')}")]
            step2 = self.step2(lean)
            if lean.option == "no_needling" and lean.step2.option is not None:
                step2 = self._if_needles("step2_if_needles", step2)
            lines.append((self.t("step2_title"), f"{step2} {self.t('you_decide')}"))
        if lean.very_anxious:
            lines.append(("", self.t("very_anxious_first")))
        return lines

    # ------------------------------------------------------------ flags

    def flag_message(self, flag: RaisedFlag) -> str:
        return text_in(flag.message, self.lang)

    def safety_summary(self, result: Result) -> list[str]:
        """The patient's lines about what is not in the flag panels: skipped safety
        questions and the count of notes for the physiotherapist. "No flags" only
        when every safety item was answered and nothing was raised. Notes said again by
        another flag (``patient_flags``) are not counted twice."""
        skipped = len(result.skipped_safety)
        notes = sum(1 for f in result.patient_flags if f.level == "info" and not f.skipped)
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
