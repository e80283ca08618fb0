"""The patient flow: welcome → one question a screen → safety check → result.

State (all in ``st.session_state``, wiped by Start over and the idle check):
``step`` (0 welcome, 1..N questions, N+1 safety check, N+2 result),
``answers`` ({question id: answer code}, the only input to ``decision.score``),
``lang``. Widgets are keyed by question id: ``q_<id>__<code>`` for the answer
buttons, ``q_<id>`` for the safety and SURE rows.
"""

from __future__ import annotations

import functools
import html
import logging

import streamlit as st

import ui
from decision import score
from decision.contract import NO_NEEDLING
from decision.engine import Result
from decision.models import Question
from decision.presentation import present
from decision.wording import Wording
from ui import keys, kiosk, metrics, panels, reading_time, topbar
from ui.words import Words, other_language

e = html.escape
log = logging.getLogger("decision_aid")

content = ui.get_content()
state = st.session_state
state.setdefault(keys.STEP, 0)
state.setdefault(keys.ANSWERS, {})
t = Words(content, state[keys.LANG])
w = Wording(content, t.lang)

QUESTIONS: tuple[Question, ...] = content.questions_of_kind("questions")
SAFETY: tuple[Question, ...] = content.questions_of_kind("safety")
SURE: tuple[Question, ...] = content.questions_of_kind("sure")
N = len(QUESTIONS)
SAFETY_STEP = N + 1
RESULT_STEP = N + 2
OPTION_IDS = tuple(content.options)
ORDER = tuple(q.id for q in QUESTIONS)


# ------------------------------------------------------------------ callbacks


def _go(step: int) -> None:
    state[keys.STEP] = max(0, min(RESULT_STEP, step))
    state[keys.CONFIRM_START_OVER] = None


def _answer(qid: str, code: str, step: int) -> None:
    state[keys.ANSWERS][qid] = code
    _go(step + 1)


def _store(qid: str) -> None:
    """A safety or SURE row changed: copy the widget's value into the answers."""
    value = state.get(keys.row_answer_key(qid))
    if value is None:
        state[keys.ANSWERS].pop(qid, None)
    else:
        state[keys.ANSWERS][qid] = value


def _set_language(lang: str) -> None:
    state[keys.LANG] = lang
    state[keys.LANG_CHOSEN] = True


def _picked_language() -> None:
    if state.get(keys.LANG_PICKER):
        _set_language(state[keys.LANG_PICKER])


def _ask_start_over(where: str) -> None:
    state[keys.CONFIRM_START_OVER] = where


def _start_over() -> None:
    kiosk.wipe(state)


def _keep() -> None:
    """Called in: save what was answered (marked incomplete), then wipe; only the code stays."""
    code = kiosk.keep(state, ui.get_store, content, t.lang, incomplete=True)
    if not code:  # nothing was saved: the answers stay, and the patient is told
        state[keys.KEEP_FAILED] = True
        return
    metrics.called_in()
    lang = state[keys.LANG]
    kiosk.wipe(state)
    state[keys.LANG] = lang
    state[keys.KEPT] = {"code": code}


def _cancel_start_over() -> None:
    state[keys.CONFIRM_START_OVER] = None


def _new_whatif_question() -> None:
    state.pop(keys.WHATIF_ANSWER, None)


# ------------------------------------------------------------------ pieces


def _answer_text(q: Question, code: str) -> str:
    """An answer's words (every code shown is one of the question's own)."""
    answer = q.answer(code)
    return t.of(answer.text) if answer is not None else code


def _spaced(code: str) -> str:
    return f"{code[:3]} {code[3:]}"


@st.dialog(t("start_over"), dismissible=False, width="small")
def _confirm_dialog(where: str) -> None:
    """Start over asks once, in a dialog in the middle of the screen (always in view),
    and asks whether the code was noted when there is one."""
    code = (state.get(keys.SHARED) or {}).get("code")
    st.html(f'<p class="confirm" role="alert">{e(t("confirm_start_over"))}</p>')
    if code:
        st.html(
            f'<p class="kept-code-note">{e(t("confirm_code_noted"))}</p>'
            f'<p class="handoff-code" aria-label="{e(" ".join(code))}">{e(_spaced(code))}</p>'
        )
    yes, no = st.columns(2)
    if yes.button(t("yes_start_over"), key=keys.yes_start_over_key(where), type="primary", width="stretch"):
        kiosk.wipe(state)
        st.rerun()
    if no.button(t("keep_going"), key=keys.keep_going_key(where), width="stretch"):
        state[keys.CONFIRM_START_OVER] = None
        st.rerun()


def confirm_start_over(where: str) -> None:
    """Start over asks once; the dialog opens from the flag its button set."""
    if state.get(keys.CONFIRM_START_OVER) == where:
        _confirm_dialog(where)


def top_bar(back_to: int) -> None:
    """Back, the other language, Keep my answers (once something is answered), Start over:
    always the same place, at the top. The bar itself is HTML in the page's script block
    (app.py, ui/topbar.py); here is what each of its buttons does (through the hidden relay)."""
    topbar.add_actions(
        {
            keys.BACK: functools.partial(_go, back_to),
            keys.SWITCH_LANG: functools.partial(_set_language, other_language(state[keys.LANG])),
            keys.KEEP_ANSWERS: _keep,
            keys.START_OVER: functools.partial(_ask_start_over, "top"),
        },
    )
    if state.pop(keys.KEEP_FAILED, None):
        st.html(f'<p class="share-failed" role="alert">{e(t("kept_failed"))}</p>')
    confirm_start_over("top")


def help_line(text: str) -> None:
    st.html(f'<p class="help">{e(text)}</p>')


# ------------------------------------------------------------------ screens


def welcome() -> None:
    metrics.screen("welcome")
    st.title(t.of(content.meta.title), anchor=False)
    minutes, reading = reading_time.welcome_minutes(content, t.lang)
    st.html(
        f'<p class="lead">{e(t.of(content.meta.decision))}</p>'
        f'<p class="condition">{e(t.of(content.meta.condition))}</p><ul class="welcome-list">'
        f"<li>{e(t('welcome_purpose'))}</li>"
        f'<li data-minutes="{minutes}" data-result-minutes="{reading}">'
        f"{e(t('welcome_time_split', minutes=minutes, reading=reading))}</li>"
        f"<li><strong>{e(t('welcome_not_decide'))}</strong></li>"
        f"<li>{e(t('welcome_privacy'))}</li></ul>"
    )
    st.segmented_control(
        t("language"),
        ["en", "fr"],
        format_func=lambda code: t("lang_en") if code == "en" else t("lang_fr"),
        key=keys.LANG_PICKER,
        default=state[keys.LANG],
        required=True,
        on_change=_picked_language,
        width="stretch",
    )
    st.button(t("start"), key=keys.START, type="primary", width="stretch", on_click=_go, args=(1,))
    with st.expander(t("about_aid")):
        st.html(f"<p>{e(t.of(content.meta.disclaimer))}</p><p>{e(t.of(content.meta.about))}</p>")
    # A discreet way in for staff; the PIN is the protection, not the link.
    if st.button(t("for_staff"), key=keys.TO_CLINICIAN, type="tertiary", icon=":material/lock:"):
        st.switch_page("app_pages/clinician.py")


def question_screen(step: int) -> None:
    q = QUESTIONS[step - 1]
    metrics.screen(q.id)
    top_bar(back_to=step - 1)  # the progress line is drawn with the bar (app.py, ui/topbar.py)
    current = state[keys.ANSWERS].get(q.id)
    st.html(question_block(q, step, current))
    for a in q.answers:
        st.button(
            t.of(a.text),
            key=keys.answer_button_key(q.id, a.code),
            type="primary" if a.code == current else "secondary",
            icon=":material/check:" if a.code == current else None,
            width="stretch",
            on_click=_answer,
            args=(q.id, a.code, step),
        )
    st.button(t("skip"), key=keys.SKIP, type="tertiary", on_click=_go, args=(step + 1,))


def question_block(q: Question, step: int, current: str | None) -> str:
    """The question and its lines, as one block (one element a tap, where a title and a
    block were two): the section's introduction on its first question, the question as the
    screen's heading, its helper line, then the answer given or, on the first question,
    how to answer."""
    section = content.section_of[q.id]
    first_in_section = step == 1 or content.section_of[QUESTIONS[step - 2].id].id != section.id
    block = f'<p class="help">{e(t.of(section.intro))}</p>' if first_in_section and section.intro else ""
    block += f'<h1 class="question">{e(t.of(q.text))}</h1>'
    if q.help:
        block += f'<p class="help">{e(t.of(q.help))}</p>'
    chosen = q.answer(current) if current else None
    if chosen is not None:
        block += f'<p class="chosen">{e(t("your_answer", answer=t.of(chosen.text)))}</p>'
    elif step == 1:
        block += f'<p class="help">{e(t("tap_to_answer"))}</p>'
    return block


def choice_row(q: Question) -> None:
    """One question with its answers side by side (safety check, SURE)."""
    help_html = f'<p class="help">{e(t.of(q.help))}</p>' if q.help else ""
    st.html(f'<p class="row-q">{e(t.of(q.text))}</p>{help_html}')
    st.segmented_control(
        t.of(q.text),
        list(q.codes),
        label_visibility="collapsed",
        format_func=functools.partial(_answer_text, q),
        key=keys.row_answer_key(q.id),
        default=state[keys.ANSWERS].get(q.id),
        on_change=_store,
        args=(q.id,),
        width="stretch",
    )


def safety_screen() -> None:
    metrics.screen("safety")
    section = content.section_of[SAFETY[0].id]
    top_bar(back_to=N)  # the progress line is drawn with the bar
    st.title(t.of(section.title), anchor=False)
    help_line(t.of(section.intro) if section.intro else t("safety_why"))
    for q in SAFETY:
        with st.container(border=True, key=keys.row_box_key(q.id)):
            choice_row(q)
    left = sum(1 for q in SAFETY if q.id not in state[keys.ANSWERS])
    if left:
        help_line(t("safety_left", n=left))
    st.button(
        t("see_result"),
        key=keys.SEE_RESULT,
        type="primary",
        width="stretch",
        icon=":material/arrow_forward:",
        on_click=_go,
        args=(RESULT_STEP,),
    )


def result_screen() -> None:
    answers = state[keys.ANSWERS]
    result = score(content, answers)
    metrics.result(result)
    view = present(content, result, t.lang, ORDER)
    top_bar(back_to=SAFETY_STEP)
    st.title(t("result_title"), anchor=False)

    # Flags first: red for stop, amber for caution and skipped safety questions; notes one quiet line.
    first = panels.flag_panels(view) + panels.note_lines(view)
    if first:
        st.html(first)
    # The decision in two steps (one after a stop), the answers behind each in words.
    st.html(panels.steps_html(view, t))
    # Share first: right under the steps.
    share_block()
    if view.stopped:
        st.html(panels.option_card(content, NO_NEEDLING, t, heading=t("instead_title")) + panels.later_html(view, t))
    elif view.fold_needles:
        st.html(panels.option_card(content, NO_NEEDLING, t, heading=t("your_wish_title")))

    # The Option Grid (the rows patients ask first, the rest one tap away), then side effects.
    # Not wanting needles, or stopped: the needle detail is one tap away.
    grid = panels.option_grid(content, OPTION_IDS, view.grid_rows, t)
    if view.more_rows:
        grid += (
            f'<details class="rows-more"><summary>{e(t("grid_more_rows"))}</summary>'
            f"{panels.option_grid(content, OPTION_IDS, view.more_rows, t)}</details>"
        )
    effects = panels.side_effects(content, OPTION_IDS, t)
    if effects:  # the pictures one tap away: the grid's side-effect row says the numbers in words
        effects = f'<details class="rows-more effects-more"><summary>{e(t("icons_show"))}</summary>{effects}</details>'
    if view.fold_needles:
        st.html(
            f'<details class="needles-later"><summary>{e(t("needles_later"))}</summary>'
            f'<p class="help">{e(t("comparison_intro"))}</p>{grid}{effects}</details>'
        )
    else:
        st.header(t("comparison_title"), anchor=False)
        help_line(t("comparison_intro"))
        st.html(grid + effects)

    with st.expander(t("whatif_title"), icon=":material/tune:"):
        what_if(result)
    sure_block(result)
    share_block(end=True)

    st.header(t("finish_title"), anchor=False)
    help_line(t("finish_text"))
    st.button(
        t("start_over"),
        key=keys.RESTART_END,
        type="secondary",  # Share, just above, is the one primary action here
        width="stretch",
        icon=":material/restart_alt:",
        on_click=_ask_start_over,
        args=("end",),
    )
    confirm_start_over("end")
    st.html(f'<p class="version">{e(t("content_version", version=content.version))}</p>')


def kept_screen() -> None:
    """After "Keep my answers": the code, and nothing else of the patient's."""
    code = (state.get(keys.KEPT) or {}).get("code", "")
    st.title(t("kept_title"), anchor=False)
    st.html(
        f'<p class="handoff-intro">{e(t("kept_show"))}</p>'
        f'<p class="handoff-code" data-code="{e(code)}" aria-label="{e(" ".join(code))}">{e(_spaced(code))}</p>'
        f'<p class="help">{e(t("kept_text", hours=_ttl_hours()))}</p>'
    )
    st.button(t("kept_done"), key=keys.KEPT_DONE, type="primary", width="stretch", on_click=_start_over)


def _steps(result: Result) -> tuple[object, ...]:
    lean = result.lean
    return lean.option, lean.strength, lean.stopped, lean.step1, lean.step2, lean.enough_answers


def what_if(result: Result) -> None:
    """Try another answer and see the two steps move. Nothing here touches the answers."""
    help_line(t("whatif_intro"))
    answers = state[keys.ANSWERS]
    qid = st.pills(
        t("whatif_pick_question"),
        list(ORDER),
        format_func=lambda i: t.of(content.questions[i].label),
        key=keys.WHATIF_QUESTION,
        on_change=_new_whatif_question,
    )
    if not qid:
        return
    q = content.questions[qid]
    current = answers.get(qid)
    said = q.answer(current) if current else None
    help_line(t("whatif_you_said", answer=t.of(said.text)) if said else t("whatif_not_answered"))
    code = st.pills(
        t("whatif_pick_answer"),
        [c for c in q.codes if c != current],
        format_func=functools.partial(_answer_text, q),
        key=keys.WHATIF_ANSWER,
    )
    if not code:
        return
    other = score(content, {**answers, qid: code})
    changed = _steps(other) != _steps(result)
    shown = panels.steps_html(present(content, other, t.lang, ORDER), t, behind=False)
    st.html(
        f'<div class="whatif"><p class="card-kicker">{e(t("whatif_then"))}</p>{shown}'
        f'<p class="chosen">{e(t("whatif_changed") if changed else t("whatif_same"))}</p></div>'
    )


def sure_block(result: Result) -> None:
    if not SURE:
        return
    section = content.section_of[SURE[0].id]
    st.header(t.of(section.title), anchor=False)
    if section.intro:
        help_line(t.of(section.intro))
    for q in SURE:
        with st.container(border=True, key=keys.row_box_key(q.id)):
            choice_row(q)
    if result.sure is not None and result.sure.answered == len(SURE):
        note = t("sure_some_no") if result.sure.unsure else t("sure_all_yes")
        st.html(f'<p class="chosen">{e(note)}</p>')


def _share() -> None:
    """Save a handoff record (kiosk.keep, the one way out); keep only its code (and what was shared)."""
    answers = dict(state[keys.ANSWERS])
    code = kiosk.keep(state, ui.get_store, content, t.lang, incomplete=False)
    state[keys.SHARED] = (
        {"code": code, "answers": answers} if code else {"failed": True, **(state.get(keys.SHARED) or {})}
    )
    if code:
        metrics.shared()


def share_block(*, end: bool = False) -> None:
    """Share first, right under the steps: one tap, and the code stays until Start over is confirmed.

    ``end``: again after the SURE questions, where the patient is when they finish: Share,
    the code once shared, or "add my new answers" when they answered more since (the new
    answers go to the same code).
    """
    shared = state.get(keys.SHARED) or {}
    code = shared.get("code")
    current = bool(code) and shared.get("answers") == state[keys.ANSWERS]
    with st.container(key=keys.SHARE_BOX_END if end else keys.SHARE_BOX):
        if code:
            data = f' data-code="{e(code)}"' if current else ""  # the code of these answers
            st.html(
                f'<div class="share-first"><p class="handoff-intro">{e(t("share_done"))}</p>'
                f'<p class="handoff-code"{data} aria-label="{e(" ".join(code))}">{e(_spaced(code))}</p>'
                f'<p class="help">{e(t("share_kept_short", hours=_ttl_hours()))}</p></div>'
            )
            if not current:
                help_line(t("share_changed", code=_spaced(code)))
            else:
                return
        else:
            st.html(f'<p class="help share-line">{e(t("share_nothing_unless"))}</p>')
        if shared.get("failed"):
            st.html(f'<p class="share-failed" role="alert">{e(t("share_failed"))}</p>')
        st.button(
            t("share_again") if code else t("share_button"),
            key=keys.SHARE_END if end else keys.SHARE,
            type="primary",
            width="stretch",
            icon=":material/send:",
            on_click=_share,
        )


def _ttl_hours() -> int:
    """How long a shared code lives, from the settings read once (not parsed on each rerun)."""
    from decision.records.db import ttl_of
    from decision.records.store import StoreError

    try:
        return max(1, round(ttl_of(ui.get_settings()).total_seconds() / 3600))
    except StoreError:
        return 12


# ------------------------------------------------------------------ main

step = int(state[keys.STEP])
if state.get(keys.KEPT):
    kept_screen()
elif step <= 0:
    welcome()
elif step <= N:
    question_screen(step)
elif step == SAFETY_STEP:
    safety_screen()
else:
    result_screen()
