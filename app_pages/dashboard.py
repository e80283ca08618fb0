"""The clinic's dashboard: is the aid helping, and where do patients stop? Behind the clinician PIN.

Locked, the page shows only the way to unlock (the same PIN, the same lockout as
the clinician view; unlocking here unlocks both). Unlocked: the funnel from start
to share, drop-off and median time per screen, leans by step, SURE "not yet sure"
before and after the talk, chosen against lean, flags by level, and the weeks with
where the content changed; each chart with its table one tap away, and a CSV of the
aggregates. Only counters are read (decision/records/metrics.py); any cell under 5
reads "fewer than 5" and a day with fewer than 5 sessions is merged into its week.
"""

from __future__ import annotations

import html
import logging
from datetime import UTC, datetime

import pandas as pd
import streamlit as st

import ui
from decision.records import metrics as m
from decision.records.pin import configured_pin_hash, valid_pin_hash
from decision.records.store import StoreError
from ui import clinician as clin
from ui import dashboard as dash
from ui import gate, keys, kiosk
from ui.words import Words, other_language

log = logging.getLogger("decision_aid")
e = html.escape

MESSAGE, PERIOD = keys.DASH_MESSAGE, keys.DASH_PERIOD  # this page's session keys (ui/keys.py)

content = ui.get_content()
state = st.session_state
t = Words(content, state.get(keys.LANG, "en"))
st.html(clin.CSS)
ZONE = ui.clinic_zone()


def _set_language(lang: str) -> None:
    state[keys.LANG] = lang


def top_bar() -> None:
    with st.container(key=keys.DASH_TOPBAR):
        left, middle, right = st.columns(3)
        if left.button(
            t("dash_to_clinician"), key=keys.DASH_TO_CLINICIAN, icon=":material/arrow_back:", width="stretch"
        ):
            st.switch_page("app_pages/clinician.py")
        other = other_language(t.lang)
        middle.button(
            t("lang_fr") if other == "fr" else t("lang_en"),
            key=keys.DASH_LANG,
            width="stretch",
            on_click=_set_language,
            args=(other,),
        )
        if state.get(keys.UNLOCKED):
            right.button(
                t("clin_lock"),
                key=keys.LOCK,
                icon=":material/lock:",
                width="stretch",
                on_click=kiosk.wipe,
                args=(state,),
            )


def section(key: str, title: str, intro: str, chart: dash.AnyChart | None, table: pd.DataFrame) -> None:
    """A heading, one line of what it shows, then the chart and its table one tap apart."""
    with st.container(key=keys.dash_section_key(key)):
        st.subheader(title, anchor=False)
        st.html(f'<p class="help">{e(intro)}</p>')
        as_chart, as_table = st.tabs([t("dash_tab_chart"), t("dash_tab_table")])
        with as_chart:
            if chart is None:
                st.html(f'<p class="help">{e(t("dash_all_hidden"))}</p>')
            else:
                st.altair_chart(chart, width="stretch", alt=title)
        with as_table:
            st.table(table, hide_index=True)


def board() -> None:
    settings = ui.get_settings()
    if not settings.metrics_on:
        st.info(t("dash_off"))
    with st.container(key=keys.DASH_PERIOD_BOX):
        choice = st.segmented_control(
            t("dash_period"),
            ["4w", "13w", "all"],
            key=PERIOD,
            default="13w",
            required=True,
            width="stretch",
            format_func=lambda c: t(f"dash_period_{c}"),
        )
    today = datetime.now(UTC).astimezone(ZONE).date()
    try:
        rows = m.read_counts(ui.get_store(), dash.since_for(choice or "13w", today))
    except StoreError as exc:
        st.error(clin.store_words(t, exc))
        return
    lab = dash.Labels(content, t)
    sessions = m.total(rows, "event", "started")
    st.html(
        f'<p class="lead" data-sessions="{e(lab.cell(sessions))}">{e(t("dash_summary", n=lab.cell(sessions)))}</p>'
        f'<p class="help">{e(t("dash_privacy"))}</p>'
    )
    if not rows:
        st.info(t("dash_empty"))
        return

    chart, table = dash.funnel_frames(rows, content, lab)
    section("funnel", t("dash_funnel"), t("dash_funnel_intro"),
            dash.funnel_chart(chart, lab, len(table)) if len(chart) else None, table)  # fmt: skip
    chart, table = dash.screen_frames(rows, content, lab)
    section("screens", t("dash_screens"), t("dash_screens_intro"),
            dash.screen_chart(chart, lab, len(chart)) if len(chart) else None, table)  # fmt: skip
    chart, table, domain = dash.lean_frames(rows, lab)
    section("leans", t("dash_leans"), t("dash_leans_intro"),
            dash.stacked_chart(chart, lab, t("dash_col_strength"), domain, dash.STRENGTH_COLOURS)
            if len(chart) else None, table)  # fmt: skip
    chart, table, domain = dash.sure_frames(rows, lab)
    section("sure", t("dash_sure"), t("dash_sure_intro"),
            dash.stacked_chart(chart, lab, t("dash_col_sure"), domain, dash.SURE_COLOURS)
            if len(chart) else None, table)  # fmt: skip
    chart, table, domain = dash.chosen_frames(rows, content, lab)
    section("chosen", t("dash_chosen"), t("dash_chosen_intro"),
            dash.stacked_chart(chart, lab, t("dash_col_match"), domain, dash.MATCH_COLOURS)
            if len(chart) else None, table)  # fmt: skip
    chart, table, domain = dash.flag_frames(rows, lab)
    section("flags", t("dash_flags"), t("dash_flags_intro"),
            dash.stacked_chart(chart, lab, t("dash_col_level"), domain, dash.LEVEL_COLOURS)
            if len(chart) else None, table)  # fmt: skip
    chart, markers, table = dash.week_frames(rows, lab)
    section("weeks", t("dash_weeks"), t("dash_weeks_intro"),
            dash.week_chart(chart, markers, lab) if len(chart) else None, table)  # fmt: skip

    st.subheader(t("dash_export"), anchor=False)
    st.download_button(
        t("dash_export_csv"),
        key=keys.DASH_CSV,
        icon=":material/table:",
        width="stretch",
        data=m.aggregates_csv(rows, fewer=t("dash_fewer")).encode("utf-8-sig"),
        file_name=f"decision-aid-counts-{today.isoformat()}.csv",
        mime="text/csv; charset=utf-8",
        on_click="ignore",
    )


# ------------------------------------------------------------------ main

top_bar()
st.title(t("dash_title"), anchor=False)
PIN_HASH = configured_pin_hash(st.secrets)
if not PIN_HASH:
    st.info(t("clin_no_pin_help"))
elif not valid_pin_hash(PIN_HASH):
    st.error(t("clin_pin_hash_invalid"))
elif not state.get(keys.UNLOCKED):
    gate.pin_screen(PIN_HASH, t, ZONE, intro=t("dash_pin_intro"), message_key=MESSAGE)
else:
    board()
