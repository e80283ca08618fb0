"""The patient flow: welcome → one question a screen → safety check → result.

State (all in ``st.session_state``, wiped by Start over and the idle check):
``step`` (0 welcome, 1..N questions, N+1 safety check, N+2 result),
``answers`` ({question id: answer code}, the only input to ``decision.score``),
``lang``. Widgets are keyed by question id: ``q_<id>__<code>`` for the answer
buttons, ``q_<id>`` for the safety and SURE rows.
"""

from __future__ import annotations

import html
import logging

import streamlit as st

import ui
from decision import score
from decision.engine import Result
from decision.models import Question
from decision.wording import Wording
from ui import kiosk, metrics, panels, reading_time
from ui.words import Words, other_language

e = html.escape
log = logging.getLogger("decision_aid")
SHARED = "shared"

content = ui.get_content()
state = st.session_state
state.setdefault(kiosk.STEP, 0)
state.setdefault(kiosk.ANSWERS, {})
t = Words(content, state[kiosk.LANG])
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
    state[kiosk.STEP] = max(0, min(RESULT_STEP, step))
    state[kiosk.CONFIRM_START_OVER] = None


def _answer(qid: str, code: str, step: int) -> None:
    state[kiosk.ANSWERS][qid] = code
    _go(step + 1)


def _store(qid: str) -> None:
    """A safety or SURE row changed: copy the widget's value into the answers."""
    value = state.get(f"q_{qid}")
    if value is None:
        state[kiosk.ANSWERS].pop(qid, None)
    else:
        state[kiosk.ANSWERS][qid] = value


def _set_language(lang: str) -> None:
    state[kiosk.LANG] = lang
    state[kiosk.LANG_CHOSEN] = True


def _picked_language() -> None:
    if state.get("lang_picker"):
        _set_language(state["lang_picker"])


def _ask_start_over(where: str) -> None:
    state[kiosk.CONFIRM_START_OVER] = where


def _start_over() -> None:
    kiosk.wipe(state)


def _cancel_start_over() -> None:
    state[kiosk.CONFIRM_START_OVER] = None


def _new_whatif_question() -> None:
    state.pop("whatif_a", None)


# ------------------------------------------------------------------ pieces


def confirm_start_over(where: str) -> None:
    """Start over asks once, right where it was tapped."""
    if state.get(kiosk.CONFIRM_START_OVER) != where:
        return
    st.html(f'<p class="confirm" role="alert">{e(t("confirm_start_over"))}</p>')
    with st.container(key=f"confirm_{where}"):
        yes, no = st.columns(2)
        yes.button(
            t("yes_start_over"), key=f"yes_start_over_{where}", type="primary", width="stretch", on_click=_start_over
        )
        no.button(t("keep_going"), key=f"keep_going_{where}", width="stretch", on_click=_cancel_start_over)


def top_bar(back_to: int) -> None:
    """Back, the other language, Start over: always the same place, at the top."""
    lang = state[kiosk.LANG]
    with st.container(key="topbar"):
        back, switch, over = st.columns(3)
        back.button(t("back"), key="back", icon=":material/arrow_back:", width="stretch", on_click=_go, args=(back_to,))
        other = other_language(lang)
        switch.button(
            t("lang_fr") if other == "fr" else t("lang_en"),
            key="switch_lang",
            width="stretch",
            on_click=_set_language,
            args=(other,),
        )
        over.button(
            t("start_over"),
            key="start_over",
            icon=":material/restart_alt:",
            width="stretch",
            on_click=_ask_start_over,
            args=("top",),
        )
    confirm_start_over("top")


def progress(text: str, done: int, total: int) -> None:
    """Where the patient is: "Needles and comfort · 5 of 14" and a bar."""
    width = round(100 * min(1.0, max(0.0, done / total)))
    st.html(
        f'<p class="progress-text">{e(text)}</p><div class="progress-bar" role="progressbar" '
        f'aria-label="{e(text)}" aria-valuemin="0" aria-valuemax="{total}" aria-valuenow="{done}">'
        f'<span style="width:{width}%"></span></div>'
    )


def help_line(text: str) -> None:
    st.html(f'<p class="help">{e(text)}</p>')


# ------------------------------------------------------------------ screens


@st.cache_data(show_spinner=False, max_entries=16)
def _minutes(version: str, lang: str) -> int:
    """The welcome screen's time, worked out once per content version and language."""
    return reading_time.minutes(content, lang)


def welcome() -> None:
    metrics.screen("welcome")
    st.title(t.of(content.meta.title), anchor=False)
    minutes = _minutes(content.version, t.lang)
    st.html(
        f'<p class="lead">{e(t.of(content.meta.decision))}</p>'
        f'<p class="condition">{e(t.of(content.meta.condition))}</p><ul class="welcome-list">'
        f"<li>{e(t('welcome_purpose'))}</li>"
        f'<li data-minutes="{minutes}">{e(t("welcome_time", minutes=minutes))}</li>'
        f"<li><strong>{e(t('welcome_not_decide'))}</strong></li>"
        f"<li>{e(t('welcome_privacy'))}</li></ul>"
    )
    st.segmented_control(
        t("language"),
        ["en", "fr"],
        format_func=lambda code: t("lang_en") if code == "en" else t("lang_fr"),
        key="lang_picker",
        default=state[kiosk.LANG],
        required=True,
        on_change=_picked_language,
        width="stretch",
    )
    st.button(t("start"), key="start", type="primary", width="stretch", on_click=_go, args=(1,))
    with st.expander(t("about_aid")):
        st.html(f"<p>{e(t.of(content.meta.disclaimer))}</p><p>{e(t.of(content.meta.about))}</p>")
    # A discreet way in for staff; the PIN is the protection, not the link.
    if st.button(t("for_staff"), key="to_clinician", type="tertiary", icon=":material/lock:"):
        st.switch_page("app_pages/clinician.py")


def question_screen(step: int) -> None:
    q = QUESTIONS[step - 1]
    metrics.screen(q.id)
    section = content.section_of[q.id]
    top_bar(back_to=step - 1)
    progress(t("progress", section=t.of(section.title), n=step, total=N), step, N + 1)
    first_in_section = step == 1 or content.section_of[QUESTIONS[step - 2].id].id != section.id
    if first_in_section and section.intro:
        help_line(t.of(section.intro))
    st.title(t.of(q.text), anchor=False)
    if q.help:
        help_line(t.of(q.help))
    current = state[kiosk.ANSWERS].get(q.id)
    chosen = q.answer(current) if current else None
    if chosen is not None:
        st.html(f'<p class="chosen">{e(t("your_answer", answer=t.of(chosen.text)))}</p>')
    elif step == 1:
        help_line(t("tap_to_answer"))
    with st.container(key="answers"):
        for a in q.answers:
            st.button(
                t.of(a.text),
                key=f"q_{q.id}__{a.code}",
                type="primary" if a.code == current else "secondary",
                icon=":material/check:" if a.code == current else None,
                width="stretch",
                on_click=_answer,
                args=(q.id, a.code, step),
            )
    st.button(t("skip"), key="skip", type="tertiary", on_click=_go, args=(step + 1,))


def choice_row(q: Question) -> None:
    """One question with its answers side by side (safety check, SURE)."""
    help_html = f'<p class="help">{e(t.of(q.help))}</p>' if q.help else ""
    st.html(f'<p class="row-q">{e(t.of(q.text))}</p>{help_html}')
    st.segmented_control(
        t.of(q.text),
        list(q.codes),
        label_visibility="collapsed",
        format_func=lambda code, q=q: t.of(q.answer(code).text),
        key=f"q_{q.id}",
        default=state[kiosk.ANSWERS].get(q.id),
        on_change=_store,
        args=(q.id,),
        width="stretch",
    )


def safety_screen() -> None:
    metrics.screen("safety")
    section = content.section_of[SAFETY[0].id]
    top_bar(back_to=N)
    progress(t("progress_last", section=t.of(section.title)), N + 1, N + 1)
    st.title(t.of(section.title), anchor=False)
    help_line(t.of(section.intro) if section.intro else t("safety_why"))
    for q in SAFETY:
        with st.container(border=True, key=f"row_{q.id}"):
            choice_row(q)
    left = sum(1 for q in SAFETY if q.id not in state[kiosk.ANSWERS])
    if left:
        help_line(t("safety_left", n=left))
    st.button(
        t("see_result"),
        key="see_result",
        type="primary",
        width="stretch",
        icon=":material/arrow_forward:",
        on_click=_go,
        args=(RESULT_STEP,),
    )


def result_screen() -> None:
    answers = state[kiosk.ANSWERS]
    result = score(content, answers)
    metrics.result(result)
    top_bar(back_to=SAFETY_STEP)
    st.title(t("result_title"), anchor=False)

    # Flags first: red for stop, amber for caution; the rest is one quiet line each.
    first = panels.flag_panels(result, t) + panels.safety_lines(result, t)
    if first:
        st.html(first)
    # The decision in two steps, in the patient's words.
    st.html(panels.steps_html(result, t))
    if result.lean.stopped:
        st.html(panels.option_card(content, "no_needling", t, heading=t("instead_title")))

    # A picture of why: the answers behind step 1, the see-saw for step 2.
    st.header(t("why_title"), anchor=False)
    st.html(f'<div class="why">{panels.step1_why(result, t, ORDER)}{panels.step2_why(result, t, ORDER)}</div>')

    # The Option Grid, then side effects: content only, built once per content and language.
    st.header(t("comparison_title"), anchor=False)
    help_line(t("comparison_intro"))
    st.html(panels.option_grid(content, OPTION_IDS, t))
    effects = panels.side_effects(content, OPTION_IDS, t)
    if effects:
        st.header(t("side_effects_title"), anchor=False)
        st.html(effects)

    with st.expander(t("whatif_title"), icon=":material/tune:"):
        what_if(result)
    sure_block(result)
    share_block()

    st.header(t("finish_title"), anchor=False)
    help_line(t("finish_text"))
    st.button(
        t("start_over"),
        key="restart_end",
        type="primary",
        width="stretch",
        icon=":material/restart_alt:",
        on_click=_ask_start_over,
        args=("end",),
    )
    confirm_start_over("end")
    st.html(f'<p class="version">{e(t("content_version", version=content.version))}</p>')


def _steps(result: Result) -> tuple:
    lean = result.lean
    return lean.option, lean.strength, lean.stopped, lean.step1, lean.step2, lean.enough_answers


def what_if(result: Result) -> None:
    """Try another answer and see the two steps move. Nothing here touches the answers."""
    help_line(t("whatif_intro"))
    answers = state[kiosk.ANSWERS]
    qid = st.pills(
        t("whatif_pick_question"),
        list(ORDER),
        format_func=lambda i: t.of(content.questions[i].label),
        key="whatif_q",
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
        format_func=lambda c: t.of(q.answer(c).text),
        key="whatif_a",
    )
    if not code:
        return
    other = score(content, {**answers, qid: code})
    changed = _steps(other) != _steps(result)
    st.html(
        f'<div class="whatif"><p class="card-kicker">{e(t("whatif_then"))}</p>{panels.steps_html(other, t)}'
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
        with st.container(border=True, key=f"row_{q.id}"):
            choice_row(q)
    if result.sure is not None and result.sure.answered == len(SURE):
        note = t("sure_some_no") if result.sure.unsure else t("sure_all_yes")
        st.html(f'<p class="chosen">{e(note)}</p>')


def _share() -> None:
    """Save a handoff record; keep only its code (and what was shared) in the session."""
    from decision.records.store import StoreError

    answers = dict(state[kiosk.ANSWERS])
    try:
        result = score(content, answers)
        record = ui.get_store().save(
            answers, t.lang, result.to_json(t.lang), content.version, share_key=ui.share_key(state, answers, t.lang)
        )
    except StoreError as exc:
        # The message names the database, never the answers.
        log.warning("sharing failed: %s", exc)
        state[SHARED] = {"failed": True}
        return
    state[SHARED] = {"code": record.code, "answers": answers}
    metrics.shared()


def share_block() -> None:
    """ "Share with my physiotherapist": a short code in large type, no name."""
    st.header(t("share_title"), anchor=False)
    shared = state.get(SHARED) or {}
    code = shared.get("code")
    if code and shared.get("answers") == state[kiosk.ANSWERS]:
        spaced = f"{code[:3]} {code[3:]}"
        st.html(
            f'<p class="handoff-intro">{e(t("share_done"))}</p>'
            f'<p class="handoff-code" data-code="{e(code)}" aria-label="{e(" ".join(code))}">{e(spaced)}</p>'
            f'<p class="help">{e(t("share_kept", hours=_ttl_hours()))}</p>'
        )
        return
    help_line(t("share_intro", hours=_ttl_hours()))
    if code:  # answers changed since the code was made
        help_line(t("share_changed", code=f"{code[:3]} {code[3:]}"))
    if shared.get("failed"):
        st.html(f'<p class="share-failed" role="alert">{e(t("share_failed"))}</p>')
    st.button(
        t("share_again") if code else t("share_button"),
        key="share",
        type="primary",
        width="stretch",
        icon=":material/send:",
        on_click=_share,
    )


def _ttl_hours() -> int:
    from decision.records.store import StoreError, resolve_ttl

    try:
        return max(1, round(resolve_ttl(st.secrets).total_seconds() / 3600))
    except StoreError:
        return 12


# ------------------------------------------------------------------ main

step = int(state[kiosk.STEP])
if step <= 0:
    welcome()
elif step <= N:
    question_screen(step)
elif step == SAFETY_STEP:
    safety_screen()
else:
    result_screen()
