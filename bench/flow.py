"""The patient flow as data, for the protocol client; and the baseline page's shape.

``app_plans(n)`` gives ``n`` patients, each with their own answers (half in
English, half in French): welcome → Start → every question (a few skipped) →
the safety check → "See my result". After every tap the next screen's title is
checked (in that patient's language), question screens must show no answer
chosen yet, and the result must be the one this patient's own answers give:
the lean sentence, the see-saw with both scores, and exactly the reasons that
moved the scores. So a session that saw another session's answers would fail.
Answer sets are drawn until each patient's expected result is unique (bounded).

``screen_spec()`` walks the app once in AppTest and counts the widgets on each
screen; ``bench/baseline_page.py`` draws the same number of widgets per screen,
and ``baseline_plans`` taps it the same number of times.
"""

from __future__ import annotations

import html
import json
import os
import random
import tempfile
from functools import lru_cache
from pathlib import Path

from bench.protocol import Plan, Screen, Step
from decision import load_content, score
from decision.content import Content

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ("en-CA", "fr-CA")
SPEC_ENV = "BENCH_BASELINE_SPEC"


@lru_cache(maxsize=1)
def content() -> Content:
    return load_content()


def _words(lang: str):
    from ui.words import Words  # the app's own wording, so checks follow the content

    return Words(content(), lang)


# -------------------------------------------------------------------- app plans


def _draw_answers(rnd: random.Random) -> dict[str, str]:
    c = content()
    answers: dict[str, str] = {}
    for q in c.questions_of_kind("questions"):
        if rnd.random() >= 0.1:  # about one question in ten is skipped
            answers[q.id] = rnd.choice(q.codes)
    for q in c.questions_of_kind("safety"):
        # Mostly "no" (as in clinic), sometimes anything, so flags are raised too.
        answers[q.id] = rnd.choice(q.codes) if rnd.random() < 0.25 else ("no" if "no" in q.codes else q.codes[-1])
    return answers


def _signature(answers: dict[str, str], lang: str) -> tuple:
    from decision.presentation import reasons
    from decision.wording import Wording

    c = content()
    result = score(c, answers)
    order = [q.id for q in c.questions_of_kind("questions")]
    return (
        lang,
        result.lean.option,
        result.lean.strength,
        tuple(o.score for o in result.options),
        tuple(reasons(result, "step2", Wording(c, lang), order)),
    )


def _no_answer_chosen(qid: str):
    def check(screen: Screen) -> list[str]:
        chosen = [b for b in screen.buttons(f"q_{qid}__") if b.type == "primary"]
        return ["an answer was already chosen on a new question"] if chosen else []

    return check


def _title_is(expected: str, then=None):
    def check(screen: Screen) -> list[str]:
        problems = [] if screen.title == expected else ["unexpected screen title"]
        return problems + (then(screen) if then else [])

    return check


def _result_is(answers: dict[str, str], lang: str):
    from decision.presentation import present
    from ui.panels import steps_html

    c = content()
    t = _words(lang)
    result = score(c, answers)
    view = present(c, result, lang, [q.id for q in c.questions_of_kind("questions")])
    all_reasons = {r.reason.get(lang) for r in c.rules}
    shown_steps = (*view.steps, *([view.later] if view.later else []))
    own = {r.why for step in shown_steps for side in step.sides for r in side.reasons}

    def check(screen: Screen) -> list[str]:
        if screen.title != t("result_title"):
            return ["not the result screen"]
        shown = "\n".join(screen.html)
        problems = []
        if steps_html(view, t) not in shown:
            problems.append("lean or reasons differ from this session's answers")
        if any(html.escape(r) not in shown for r in own):
            problems.append("reasons differ from this session's answers")
        if any(html.escape(r) in shown for r in all_reasons - own):
            problems.append("a reason from answers this session did not give")
        return problems

    return check


def app_plan(answers: dict[str, str], locale: str) -> Plan:
    c = content()
    lang = locale.split("-", maxsplit=1)[0]
    t = _words(lang)
    questions = c.questions_of_kind("questions")
    safety = c.questions_of_kind("safety")
    safety_title = t.of(c.section_of[safety[0].id].title)
    titles = [t.of(q.text) for q in questions] + [safety_title]
    steps = [Step("start", check=_title_is(titles[0], _no_answer_chosen(questions[0].id)))]
    for i, q in enumerate(questions):
        key = f"q_{q.id}__{answers[q.id]}" if q.id in answers else "skip"
        then = _no_answer_chosen(questions[i + 1].id) if i + 1 < len(questions) else None
        steps.append(Step(key, check=_title_is(titles[i + 1], then)))
    for q in safety:
        if q.id in answers:
            steps.append(Step(f"q_{q.id}", index=q.codes.index(answers[q.id]), check=_title_is(safety_title)))
    steps.append(Step("see_result"))
    return Plan(locale, steps, first=_title_is(t.of(c.meta.title)), last=_result_is(answers, lang))


def app_answer_sets(n: int, seed: int = 20261125, tries: int = 50) -> list[tuple[dict[str, str], str]]:
    """``n`` (answers, locale) pairs; each expected result unique where ``tries`` allows."""
    rnd = random.Random(seed)
    seen: set[tuple] = set()
    out = []
    for i in range(n):
        locale = LOCALES[i % len(LOCALES)]
        for _ in range(tries):
            answers = _draw_answers(rnd)
            sig = _signature(answers, locale[:2])
            if sig not in seen:
                break
        seen.add(sig)
        out.append((answers, locale))
    return out


def unique_results(sets: list[tuple[dict[str, str], str]]) -> bool:
    return len({_signature(a, loc[:2]) for a, loc in sets}) == len(sets)


def app_plans(n: int, seed: int = 20261125) -> list[Plan]:
    return [app_plan(a, loc) for a, loc in app_answer_sets(n, seed)]


# -------------------------------------------------------------------- baseline


def quiet_apptest() -> None:
    """AppTest warns "missing ScriptRunContext" when a test sets session state: not news."""
    import logging

    class _Quiet(logging.Filter):
        def filter(self, record: logging.LogRecord) -> bool:
            return "missing ScriptRunContext" not in record.getMessage()

    # A filter, not a level: Streamlit resets its loggers' levels when it loads its config.
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(_Quiet())


def screen_spec() -> list[dict[str, int]]:
    """Widgets per screen of the app (welcome, each question, safety, result), via AppTest."""
    from streamlit.testing.v1 import AppTest

    quiet_apptest()
    c = content()
    old = os.environ.get("DECISION_DB_PATH")
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        os.environ["DECISION_DB_PATH"] = str(Path(tmp) / "handoffs.sqlite3")
        try:
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
            at.context["locale"] = "en-CA"
            at.run()
            spec = []

            def count() -> None:
                if at.exception:
                    raise RuntimeError(f"the app failed in AppTest: {at.exception}")
                spec.append({"buttons": len(at.button), "segmented": len(at.segmented_control), "pills": len(at.pills)})

            count()
            at.button(key="start").click().run()
            for q in c.questions_of_kind("questions"):
                count()
                at.button(key=f"q_{q.id}__{q.codes[0]}").click().run()
            count()
            for q in c.questions_of_kind("safety"):
                at.segmented_control(key=f"q_{q.id}").set_value("no" if "no" in q.codes else q.codes[-1]).run()
            at.button(key="see_result").click().run()
            count()
            return spec
        finally:
            if old is None:
                os.environ.pop("DECISION_DB_PATH", None)
            else:
                os.environ["DECISION_DB_PATH"] = old


def baseline_env(spec: list[dict[str, int]]) -> dict[str, str]:
    return {SPEC_ENV: json.dumps(spec)}


def baseline_plan(app: Plan, spec: list[dict[str, int]]) -> Plan:
    """The same taps as ``app`` on the baseline page: "b0" moves on, "s<i>" is a choice."""
    screen, chosen, steps = 0, 0, []
    for step in app.steps:
        if step.index is None:
            screen, chosen = screen + 1, 0
            steps.append(Step("b0", check=_title_is(f"Screen {screen}")))
        else:
            if chosen >= spec[screen]["segmented"]:
                raise ValueError("the baseline spec has fewer choices than the plan taps")
            steps.append(Step(f"s{chosen}", index=0, check=_title_is(f"Screen {screen}")))
            chosen += 1
    return Plan(app.locale, steps, first=_title_is("Screen 0"), last=_title_is(f"Screen {screen}"))
