"""The clinic's dashboard, drawn: tables and Altair charts from the aggregates in
:mod:`decision.records.metrics` (the counting, suppression and medians are there).

Every cell under 5 reads "fewer than 5" in the tables, and is left out of the
charts (no bar rather than a small one). Labels come from content/ui.yaml and the
content (question labels, option names), in the session's language.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import altair as alt
import pandas as pd

from decision.content import Content
from decision.contract import IMS, NEEDLES, OPTIONS, STEP1, STEP2
from decision.records import metrics as m
from ui.charts import OPTION_COLOURS
from ui.words import Words

FONT = 16  # readable on the tablet held at arm's length
BAR = 38  # px per bar
COUNT_AXIS = alt.Axis(format="d", tickMinStep=1)  # counts: whole numbers only
AnyChart = alt.Chart | alt.LayerChart | alt.FacetChart  # what the charts here return (alt.layer may facet)


class Labels:
    """The words for stages, screens, options, steps, strengths, buckets."""

    def __init__(self, content: Content, t: Words):
        self.content = content
        self.t = t
        self.fewer = t("dash_fewer")

    def cell(self, n: int) -> str:
        return self.fewer if m.hidden(n) else self.t.number(n)

    def stage(self, sid: str) -> str:
        if sid in ("started", "result", "shared"):
            return self.t(f"dash_stage_{sid}")
        return self.screen(sid)

    def screen(self, sid: str) -> str:
        if sid == "safety":
            safety = self.content.questions_of_kind("safety")
            return self.t.of(self.content.section_of[safety[0].id].title) if safety else sid
        if sid == m.RESULT_SCREEN:
            return self.t("dash_stage_result")
        q = self.content.questions.get(sid)
        return self.t.of(q.label) if q is not None else sid

    def option(self, oid: str) -> str:
        if oid in ("none", ""):
            return self.t("dash_no_lean")
        if oid == NEEDLES:
            return self.t("dash_needles")
        return self.t.option(oid) if oid in self.content.options else oid

    def strength(self, s: str) -> str:
        return self.t(f"dash_strength_{s}") if s in ("strong", "slight", "none") else s

    def bucket(self, b: str | None) -> str:
        return self.fewer if b is None else self.t(f"dash_bucket_{b}")


def _theme(chart: AnyChart, rows: int, legend: bool = False) -> AnyChart:
    # Streamlit fits the whole chart (axes and legend too) into this height.
    themed: AnyChart = (  # (altair's configure_* methods are untyped)
        chart.properties(height=max(2, rows) * BAR + (170 if legend else 80))
        .configure_axis(labelFontSize=FONT, titleFontSize=FONT, labelLimit=320)
        .configure_legend(labelFontSize=FONT, titleFontSize=FONT, orient="bottom", labelLimit=320)
    )
    return themed


def screens(content: Content) -> list[str]:
    """The patient's screens in order: the questions, then the safety check."""
    return [q.id for q in content.questions_of_kind("questions")] + ["safety"]


# --------------------------------------------------------------------------- funnel


def funnel_frames(rows: Sequence[m.CounterRow], content: Content, lab: Labels) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(chart data: only cells shown, table: every stage with its cell)."""
    stages = m.funnel(rows, screens(content))
    chart = pd.DataFrame(
        [{"stage": lab.stage(s.id), "order": i, "n": s.n} for i, s in enumerate(stages) if not m.hidden(s.n)],
        columns=["stage", "order", "n"],
    )
    table = pd.DataFrame(
        {
            lab.t("dash_col_stage"): [lab.stage(s.id) for s in stages],
            lab.t("dash_col_n"): [lab.cell(s.n) for s in stages],
        }
    )
    return chart, table


def funnel_chart(data: pd.DataFrame, lab: Labels, stages: int) -> AnyChart:
    base = alt.Chart(data).encode(
        y=alt.Y("stage:N", sort=alt.SortField("order"), title=None),
        x=alt.X("n:Q", title=lab.t("dash_axis_sessions"), axis=COUNT_AXIS),
        tooltip=[alt.Tooltip("stage:N", title=lab.t("dash_col_stage")), alt.Tooltip("n:Q", title=lab.t("dash_col_n"))],
    )
    bars = base.mark_bar(color=OPTION_COLOURS.get(IMS, "#2b6cb0"))
    text = base.mark_text(align="left", dx=4, fontSize=FONT).encode(text="n:Q")
    return _theme(alt.layer(bars, text), stages)


# --------------------------------------------------------------------------- screens


def screen_frames(rows: Sequence[m.CounterRow], content: Content, lab: Labels) -> tuple[pd.DataFrame, pd.DataFrame]:
    table_rows = m.screens_table(rows, screens(content))
    chart = pd.DataFrame(
        [
            {
                "screen": lab.screen(r.id),
                "order": i,
                "n": r.left_here,
                "median": lab.bucket(r.median),
                "label": lab.t("dash_left_label", n=r.left_here, median=lab.bucket(r.median)),
            }
            for i, r in enumerate(table_rows)
            if not m.hidden(r.left_here)
        ],
        columns=["screen", "order", "n", "median", "label"],
    )
    table = pd.DataFrame(
        {
            lab.t("dash_col_screen"): [lab.screen(r.id) for r in table_rows],
            lab.t("dash_col_reached"): [lab.cell(r.reached) for r in table_rows],
            lab.t("dash_col_left"): [lab.cell(r.left_here) for r in table_rows],
            lab.t("dash_col_median"): [lab.bucket(r.median) for r in table_rows],
        }
    )
    return chart, table


def screen_chart(data: pd.DataFrame, lab: Labels, n: int) -> AnyChart:
    top = max([int(v) for v in data["n"]] or [1])
    base = alt.Chart(data).encode(
        y=alt.Y("screen:N", sort=alt.SortField("order"), title=None),
        # room on the right for "6 · median 30 to 60 s"
        x=alt.X("n:Q", title=lab.t("dash_col_left"), axis=COUNT_AXIS, scale=alt.Scale(domain=[0, top * 2], nice=False)),
        tooltip=[
            alt.Tooltip("screen:N", title=lab.t("dash_col_screen")),
            alt.Tooltip("n:Q", title=lab.t("dash_col_left")),
            alt.Tooltip("median:N", title=lab.t("dash_col_median")),
        ],
    )
    return _theme(
        alt.layer(
            base.mark_bar(color="#b7791f"), base.mark_text(align="left", dx=4, fontSize=FONT).encode(text="label:N")
        ),
        n,
    )


# --------------------------------------------------------------------------- stacked bars (leans, SURE, chosen, flags)


def stacked_chart(
    data: pd.DataFrame, lab: Labels, colour_title: str, domain: list[str], colours: list[str]
) -> AnyChart:
    rows = data["row"].nunique() if len(data) else 1
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("row:N", sort=alt.SortField("order"), title=None),
            x=alt.X("n:Q", title=lab.t("dash_axis_sessions"), stack="zero", axis=COUNT_AXIS),
            color=alt.Color("part:N", title=colour_title, scale=alt.Scale(domain=domain, range=colours)),
            order=alt.Order("part_order:Q"),
            tooltip=[
                alt.Tooltip("row:N", title=" "),
                alt.Tooltip("part:N", title=colour_title),
                alt.Tooltip("n:Q", title=lab.t("dash_col_n")),
            ],
        )
    )
    return _theme(chart, rows, legend=True)


def _frames(
    cells: list[tuple[str, int, str, int, int]], lab: Labels, row_title: str, part_title: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """cells: (row label, row order, part label, part order, count)."""
    chart = pd.DataFrame(
        [{"row": r, "order": o, "part": p, "part_order": po, "n": n} for r, o, p, po, n in cells if not m.hidden(n)],
        columns=["row", "order", "part", "part_order", "n"],
    )
    table = pd.DataFrame(
        {
            row_title: [r for r, *_ in cells],
            part_title: [p for _, _, p, _, _ in cells],
            lab.t("dash_col_n"): [lab.cell(n) for *_, n in cells],
        }
    )
    return chart, table


STRENGTHS = ("strong", "slight", "none")
STRENGTH_COLOURS = ["#22543d", "#68d391", "#a0aec0"]
STEP_OPTIONS = {
    "step1": (*STEP1, "none"),
    "step2": (*STEP2, "none"),
    "final": (*OPTIONS, "none"),
}


def lean_frames(rows: Sequence[m.CounterRow], lab: Labels) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    found = m.leans(rows)
    cells = []
    order = 0
    for step in m.STEPS:
        counts = found.get(step, {})
        options = list(STEP_OPTIONS[step]) + sorted({o for o, _ in counts} - set(STEP_OPTIONS[step]))
        for option in options:
            row = lab.t("dash_step_option", step=lab.t(f"dash_{step}"), option=lab.option(option))
            strengths = ("none",) if option == "none" else ("strong", "slight")
            for j, s in enumerate(strengths):
                cells.append((row, order, lab.strength(s), j, counts.get((option, s), 0)))
            order += 1
    chart, table = _frames(cells, lab, lab.t("dash_col_lean"), lab.t("dash_col_strength"))
    return chart, table, [lab.strength(s) for s in STRENGTHS]


SURE_PARTS = ("sure", "not_yet_sure", "incomplete")
SURE_COLOURS = ["#2f855a", "#c05621", "#a0aec0"]


def sure_frames(rows: Sequence[m.CounterRow], lab: Labels) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    found = m.sure_totals(rows)
    cells = [
        (lab.t(f"dash_sure_{when}"), i, lab.t(f"dash_sure_{part}"), j, found[when][part])
        for i, when in enumerate(("before", "after"))
        for j, part in enumerate(SURE_PARTS)
    ]
    chart, table = _frames(cells, lab, lab.t("dash_col_when"), lab.t("dash_col_sure"))
    return chart, table, [lab.t(f"dash_sure_{p}") for p in SURE_PARTS]


MATCH_PARTS = ("matches", "differs", "no_lean")
MATCH_COLOURS = ["#2b6cb0", "#d69e2e", "#a0aec0"]


def chosen_frames(
    rows: Sequence[m.CounterRow], content: Content, lab: Labels
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    found = m.chosen_vs_lean(rows)
    options = list(content.options) + sorted(set(found) - set(content.options))
    cells = [
        (lab.option(o), i, lab.t(f"dash_match_{p}"), j, found.get(o, {}).get(p, 0))
        for i, o in enumerate(options)
        for j, p in enumerate(MATCH_PARTS)
    ]
    chart, table = _frames(cells, lab, lab.t("dash_col_chosen"), lab.t("dash_col_match"))
    return chart, table, [lab.t(f"dash_match_{p}") for p in MATCH_PARTS]


LEVELS = ("stop", "caution", "info", "none")
LEVEL_COLOURS = ["#c53030", "#dd6b20", "#3182ce", "#a0aec0"]


def flag_frames(rows: Sequence[m.CounterRow], lab: Labels) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    found = m.flags(rows)
    cells = [(lab.t(f"dash_flag_{lv}"), i, lab.t(f"dash_flag_{lv}"), i, found[lv]) for i, lv in enumerate(LEVELS)]
    chart, _ = _frames(cells, lab, lab.t("dash_col_level"), "_")
    table = pd.DataFrame(
        {lab.t("dash_col_level"): [c[0] for c in cells], lab.t("dash_col_n"): [lab.cell(c[4]) for c in cells]}
    )
    return chart, table, [lab.t(f"dash_flag_{lv}") for lv in LEVELS]


# --------------------------------------------------------------------------- by week


def week_frames(rows: Sequence[m.CounterRow], lab: Labels) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(chart data: long form, version markers, table)."""
    weeks = m.weekly(rows)
    series = [(k, lab.t(f"dash_stage_{k}")) for k in ("started", "result", "shared")]
    chart = pd.DataFrame(
        [
            {"week": w.start.isoformat(), "what": label, "n": getattr(w, k)}
            for w in weeks
            for k, label in series
            if not m.hidden(getattr(w, k))
        ],
        columns=["week", "what", "n"],
    )
    markers = pd.DataFrame(
        [{"week": w.start.isoformat(), "version": w.new_version} for w in weeks if w.new_version],
        columns=["week", "version"],
    )
    table = pd.DataFrame(
        {
            lab.t("dash_col_week"): [lab.t.date(w.start) for w in weeks],
            **{label: [lab.cell(getattr(w, k)) for w in weeks] for k, label in series},
            lab.t("dash_col_version"): [", ".join(w.versions) for w in weeks],
        }
    )
    return chart, markers, table


def week_chart(data: pd.DataFrame, markers: pd.DataFrame, lab: Labels) -> AnyChart:
    lines = (
        alt.Chart(data)
        .mark_line(point=True, strokeWidth=3)
        .encode(
            x=alt.X("week:O", title=lab.t("dash_col_week"), axis=alt.Axis(labelAngle=-45)),
            y=alt.Y("n:Q", title=lab.t("dash_axis_sessions"), axis=COUNT_AXIS),
            color=alt.Color("what:N", title=None),
            tooltip=[
                alt.Tooltip("week:O", title=lab.t("dash_col_week")),
                "what:N",
                alt.Tooltip("n:Q", title=lab.t("dash_col_n")),
            ],
        )
    )
    layers: list[Any] = [lines]
    if len(markers):
        rule = alt.Chart(markers).mark_rule(strokeDash=[6, 4], color="#4a5568", strokeWidth=2).encode(x="week:O")
        label = (
            alt.Chart(markers)
            .mark_text(align="left", dx=4, dy=-6, fontSize=13, color="#4a5568")
            .encode(x="week:O", y=alt.value(8), text=alt.Text("version:N"))
        )
        layers += [rule, label]
    themed: AnyChart = (  # (altair's configure_* methods are untyped)
        alt.layer(*layers)
        .properties(height=380)
        .configure_axis(labelFontSize=FONT, titleFontSize=FONT)
        .configure_legend(labelFontSize=FONT, orient="bottom")
    )
    return themed


def since_for(choice: str, today: date) -> date:
    """The first day of the chosen period: 4 weeks, 13 weeks, or all that is kept (13 months)."""
    from datetime import timedelta

    if choice == "4w":
        return today - timedelta(weeks=4)
    if choice == "13w":
        return today - timedelta(weeks=13)
    return m.keep_from(today)
