"""The kiosk look: calm, high contrast, large touch targets, no Streamlit chrome.

Sizes are in rem; theme.baseFontSize = 22 in .streamlit/config.toml makes
1rem = 22 px, so 2rem targets are 44 px.
"""

from __future__ import annotations

import re

import streamlit as st

CSS = """
<style>
/* No toolbar, header, sidebar or status widget for patients. */
header[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
[data-testid="stStatusWidget"], [data-testid="stAppDeployButton"], [data-testid="stMainMenu"],
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"] { display: none !important; }
[data-testid="stMainBlockContainer"] { padding: 1.2rem 1.4rem 4rem; max-width: 46rem; }
html { -webkit-text-size-adjust: 100%; }
[data-testid="stMain"] { overflow-anchor: none; }
/* Script-only and style-only blocks take no room. */
[data-testid="stElementContainer"]:has(> [data-testid="stHtml"] > script:only-child),
[data-testid="stElementContainer"]:has(> [data-testid="stHtml"] > style:only-child) { display: none; }

/* Selected answers (segmented controls, pills): filled, not just tinted. */
button[role="radio"][aria-checked="true"] { background-color: #1c5a9e !important; border-color: #1c5a9e !important;
  color: #ffffff !important; }
button[role="radio"][aria-checked="true"] p,
button[role="radio"][aria-checked="true"] span { color: #ffffff !important; }
button[role="radio"] p { font-size: 1rem; }
button[data-variant="segmented_control"] { min-height: 2.4rem; }
.st-key-to_clinician button { min-height: 2.2rem; color: #3b4452; }
.st-key-to_clinician { margin-top: 2.5rem; }
.st-key-skip button { text-decoration: underline; text-underline-offset: 0.2em; min-height: 2.2rem; }
.changes { margin: 0.2rem 0 0.4rem; }
p, li { line-height: 1.45; }
[data-testid="stHtml"] { overflow-wrap: break-word; }

/* Top bar: Back, language, Keep my answers, Start over, always in the same place. Plain HTML
   buttons (ui/topbar.py) that look like the app's secondary buttons; their relays are hidden. */
.kiosk-topbar { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 1rem; }
.kiosk-topbar.with-keep { grid-template-columns: 0.9fr 0.9fr 1.6fr 1.3fr; }
.kb { display: flex; align-items: center; justify-content: center; gap: 0.45rem; min-height: 2.2rem;
  padding: 0.25rem 0.6rem; font: inherit; font-size: 1rem; line-height: 1.2; text-align: center;
  color: #111827; background: #ffffff; border: 1px solid #8a94a3; border-radius: 0.5rem;
  cursor: pointer; touch-action: manipulation; }
@media (hover: hover) { .kb:hover { border-color: #1c5a9e; color: #1c5a9e; } }  /* no sticky hover after a touch */
.kb:active { background: #eef3f9; }
.kb:focus-visible { outline: 3px solid #1c5a9e; outline-offset: 2px; }
.kb-icon { font-family: "Material Symbols Rounded"; font-weight: 400; font-style: normal; font-size: 1.1rem;
  line-height: 1; letter-spacing: normal; text-transform: none; white-space: nowrap; flex: none;
  font-feature-settings: "liga"; -webkit-font-smoothing: antialiased; user-select: none; }
.st-key-kiosk_relay { display: none !important; }

/* Answer buttons (keys q_<question>__<answer>, ui/keys.py): full width, big, left aligned. */
[class*="st-key-q_"][class*="__"] button { min-height: 3.1rem; justify-content: flex-start; text-align: left;
  padding: 0.55rem 1rem; border-width: 2px; }
[class*="st-key-q_"][class*="__"] button p { font-size: 1.05rem; text-align: left; }
/* Streamlit centres the label inside the button's own inner box: start it at the left too. */
[class*="st-key-q_"][class*="__"] button > div { justify-content: flex-start; }
.st-key-next button, .st-key-start button, .st-key-see_result button, .st-key-restart_end button
  { min-height: 2.8rem; }
.st-key-next button p, .st-key-start button p, .st-key-see_result button p { font-size: 1.1rem; font-weight: 700; }

.progress-text { font-weight: 700; margin: 0.2rem 0 0.35rem; color: #2b3340; }
.kiosk-topbar + .progress-text { margin-top: 1rem; }  /* the same block: the gap the column used to give */
.progress-bar { height: 0.55rem; background: #dfe4ea; border-radius: 0.3rem; overflow: hidden; }
.progress-bar span { display: block; height: 100%; background: #1c5a9e; border-radius: 0.3rem; }
.row-q { font-weight: 700; margin: 0; line-height: 1.35; }
[class*="st-key-row_"] { padding: 0.55rem 0.8rem !important; gap: 0.45rem !important; }
.row-q + .help { margin-top: 0.15rem; }
.help { color: #3b4452; margin: 0.2rem 0 0.4rem; }
/* The question is the screen's heading, drawn in its block (app_pages/patient.py), as st.title draws one. */
h1.question { font-size: 1.5rem; font-weight: 800; line-height: 1.2; padding: 1.25rem 0 1rem; margin: 0;
  color: inherit; text-wrap: pretty; overflow-wrap: break-word; }
p + h1.question { margin-top: 1.4rem; }  /* under the section's introduction: its margin and the gap of two blocks */
h1.question:last-child { padding-bottom: 0; }  /* nothing under it: the answers at a heading's distance */
.chosen { color: #1c5a9e; font-weight: 700; margin: 0.2rem 0; }
.lead { font-size: 1.05rem; }
.condition { font-size: 0.95rem; color: #2b3340; margin: 0 0 0.4rem; }
.welcome-list { padding-left: 1.2rem; margin: 0.4rem 0 0.8rem; }
.welcome-list li { margin: 0.35rem 0; }
.confirm { background: #fff3d6; border: 3px solid #9a5b00; border-radius: 0.5rem; padding: 0.6rem 1rem;
  margin: 0.4rem 0; font-weight: 700; color: #3d2600; }
.sr-only { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden;
  clip: rect(0, 0, 0, 0); white-space: nowrap; border: 0; }

/* Idle warning: the browser's own bar (ui/kiosk.py), shown only in the countdown's last
   seconds, fixed at the bottom so it shows wherever the patient scrolled. */
.kiosk-warning { display: none; }
html.kiosk-warn .kiosk-warning { display: flex; flex-direction: column; gap: 0.5rem; position: fixed; left: 0;
  right: 0; bottom: 0; z-index: 1000000; background: #fff4d9; border-top: 4px solid #a86400;
  padding: 0.8rem 1.4rem 1rem; box-shadow: 0 -4px 16px rgba(0,0,0,0.18); font-size: 22px; }
.idle-count { font-variant-numeric: tabular-nums; }
.keep-idle { display: block; width: 100%; min-height: 2.6rem; border: 2px solid #1c5a9e; border-radius: 0.5rem;
  background: #fff; color: #1c5a9e; font: inherit; font-weight: 700; cursor: pointer; }
.idle-title { font-size: 1.25rem; font-weight: 800; margin: 0; color: #3d2600; }
.idle-text { margin: 0.2rem 0 0.4rem; color: #3d2600; }
.still-here { display: block; width: 100%; min-height: 2.6rem; border: 0; border-radius: 0.5rem; background: #1c5a9e;
  color: #fff; font: inherit; font-weight: 700; cursor: pointer; }
.still-here:focus-visible { outline: 3px solid #10233d; outline-offset: 2px; }

/* The handoff code: large, spaced, easy to read out. */
.handoff-code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 2.6rem; font-weight: 800;
  letter-spacing: 0.18em; text-align: center; margin: 0.3rem 0; padding: 0.5rem 0; color: #10233d;
  background: #eef3f9; border: 3px solid #1c5a9e; border-radius: 0.6rem; }
.handoff-intro { font-weight: 700; margin: 0.2rem 0; }
.share-first { border: 3px solid #1c5a9e; border-radius: 0.6rem; padding: 0.5rem 1rem 0.6rem; margin: 0 0 0.4rem;
  background: #f4f8fc; }
.share-first .help { margin: 0.1rem 0 0.3rem; }
.st-key-share button, .st-key-keep_answers_end button { min-height: 2.8rem; }
.kept-code-note { font-weight: 700; }
.share-failed { background: #fff4d9; border: 3px solid #a86400; border-radius: 0.5rem; padding: 0.6rem 1rem;
  color: #3d2600; font-weight: 700; }

.version { color: #3b4452; font-size: 0.85rem; margin-top: 1.2rem; }
.staff-problems { font-family: monospace; font-size: 0.8rem; white-space: pre-wrap; }
</style>
"""

# What only the result screen and the staff pages show: flags, the steps, the Option Grid,
# icon arrays, the clinician's rows. Sent only there, so a question screen (the tap a
# patient makes most) sends and hashes about a third of the whole stylesheet.
CSS_MORE = """
<style>
/* Flags: stop and caution impossible to miss; info quiet. */
.flag { border-radius: 0.6rem; padding: 0.7rem 1rem; margin: 0 0 0.7rem; border: 3px solid; }
.flag-title { margin: 0 0 0.3rem; padding: 0; font-size: 1.2rem; line-height: 1.3; display: flex;
  align-items: center; gap: 0.5rem; }
.flag-mark { display: inline-flex; align-items: center; justify-content: center; flex: none;
  width: 1.5rem; height: 1.5rem; border-radius: 50%; color: #fff; font-weight: 800; font-size: 1rem; }
.flag-list { margin: 0; padding-left: 1.2rem; }
.flag-list li { margin: 0.25rem 0; }
.flag-foot { margin: 0.4rem 0 0; font-weight: 700; }
.flag-stop { background: #fdeceb; border-color: #b3261e; border-width: 4px; color: #4d0d08; }
.flag-stop .flag-title { color: #8c1d16; }
.flag-stop .flag-mark { background: #b3261e; }
.flag-caution { background: #fff4d9; border-color: #a86400; color: #3d2600; }
.flag-caution .flag-title { color: #6b3f00; }
.flag-caution .flag-mark { background: #a86400; }
.flag-info { background: #f3f6f9; border-color: #c9d2dc; border-width: 1px; color: #1f2a37; }
.flag-info .flag-title { font-size: 1rem; color: #1f2a37; }
.flag-info .flag-mark { background: #4a5566; font-style: italic; font-family: serif; }

/* Quiet lines under the flags: skipped safety questions, notes for the physiotherapist. */
.notes { margin: 0 0 0.6rem; }
.note-line { margin: 0 0 0.3rem; color: #1f2a37; }
.note-line.plain { padding: 0.3rem 0; }
.note-mark { display: inline-flex; align-items: center; justify-content: center; flex: none; width: 1.3rem;
  height: 1.3rem; border-radius: 50%; background: #4a5566; color: #fff; font: italic 800 0.85rem serif;
  margin-right: 0.5rem; }
.note-list { margin: 0.2rem 0 0.4rem; padding-left: 2.4rem; }
.note-caution { background: #fff4d9; border: 2px solid #a86400; border-radius: 0.4rem; padding: 0.25rem 0.7rem;
  color: #3d2600; font-weight: 700; }
.note-caution .note-mark { background: #a86400; font-style: normal; font-family: inherit; }
[data-testid="stHtml"] details.note-line > summary { min-height: 44px; display: flex; align-items: center; }

/* One-tap details (<details>): the summary is a full touch target. */
[data-testid="stHtml"] details > summary { cursor: pointer; min-height: 2rem; display: block; list-style: none;
  padding: 0.3rem 0 0.2rem 1.1rem; position: relative; }
[data-testid="stHtml"] details > summary::-webkit-details-marker { display: none; }
[data-testid="stHtml"] details > summary::before { content: ""; position: absolute; left: 0.1rem; top: 0.72em;
  border-left: 0.45em solid #1c5a9e; border-top: 0.3em solid transparent; border-bottom: 0.3em solid transparent;
  transition: transform 0.1s; }
[data-testid="stHtml"] details[open] > summary::before { transform: rotate(90deg); }
[data-testid="stHtml"] details > summary:focus-visible { outline: 3px solid #1c5a9e; outline-offset: 2px; }
details > summary:focus-visible { outline: 3px solid #1c5a9e; outline-offset: 2px; }

/* The two steps. */
.steps { margin: 0.2rem 0 0.4rem; }
.step { border-left: 0.5rem solid; background: #f5f7fa; border-radius: 0.4rem; padding: 0.55rem 1rem;
  margin: 0 0 0.55rem; }
.step-title { font-size: 1rem; font-weight: 800; margin: 0 0 0.15rem; padding: 0; color: #2b3340;
  line-height: 1.3; }
.step-text { font-size: 1.15rem; font-weight: 700; line-height: 1.35; margin: 0; color: #111827; }
.step-note { background: #fff4d9; border: 2px solid #a86400; border-radius: 0.4rem; padding: 0.45rem 0.9rem;
  color: #3d2600; font-weight: 700; margin: 0 0 0.55rem; }

.step-cap { margin: 0.3rem 0 0; font-weight: 700; color: #3d2600; }
.step .why-cols { margin-top: 0.4rem; }
.step .why-more > summary { font-size: 0.9rem; }
.why-reasons { margin: 0.1rem 0 0.3rem; padding-left: 1.2rem; font-size: 0.9rem; }
.later, .needles-later, .rows-more { margin: 0 0 0.6rem; }
[data-testid="stHtml"] .later > summary, [data-testid="stHtml"] .needles-later > summary,
[data-testid="stHtml"] .rows-more > summary { min-height: 44px; display: flex; align-items: center; font-weight: 700;
  color: #1c5a9e; border: 2px solid #1c5a9e; border-radius: 0.4rem; padding-left: 1.6rem; }
[data-testid="stHtml"] .later > summary::before, [data-testid="stHtml"] .needles-later > summary::before,
[data-testid="stHtml"] .rows-more > summary::before { left: 0.6rem; top: 50%; margin-top: -0.3em; }
.later .step { margin-top: 0.4rem; }

/* Option cards. */
.opt-card { border: 3px solid; border-radius: 0.6rem; padding: 0.6rem 1rem; margin: 0 0 0.6rem; background: #fff; }
.opt-name { font-weight: 800; font-size: 1.1rem; margin: 0 0 0.2rem; }
.opt-summary { margin: 0; }
.card-kicker { margin: 0 0 0.2rem; font-weight: 700; color: #2b3340; }

/* Why: the answers behind each step, and the see-saw for step 2. */
.why-title { font-size: 1.05rem; margin: 0.5rem 0 0.3rem; padding: 0; }
.why-cols { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 0.6rem; margin: 0 0 0.3rem; }
.why-cols.one { grid-template-columns: 1fr; }
.why-more > summary { min-height: 44px; display: flex; align-items: center; font-weight: 700; cursor: pointer; }
.why-empty { margin: 0 0 0.4rem; font-size: 0.9rem; color: #2b3340; }
.why-col { border-top: 0.35rem solid; background: #f7f8fa; border-radius: 0.3rem; padding: 0.35rem 0.6rem; }
.why-head { font-weight: 800; margin: 0 0 0.2rem; font-size: 0.95rem; }
.why-list { list-style: none; margin: 0 !important; padding: 0 !important; font-size: 0.9rem; }
.why-list li { margin: 0 !important; padding: 0 !important; }
.why-list .s1-item { padding: 0.3rem 0 !important; }
.why-said { font-weight: 600; }
.why-pts { color: #2b3340; white-space: nowrap; }
.why-reason { margin: 0.1rem 0 0.4rem 1.2rem; color: #1f2a37; }
.why-none { color: #3b4452; padding: 0.2rem 0 !important; }
.seesaw { margin: 0 0 0.3rem; }
.seesaw-img { width: 100%; max-width: 20rem; display: block; margin: 0 auto; }
.seesaw-labels { display: flex; justify-content: space-between; max-width: 22rem; margin: 0 auto; gap: 1rem;
  font-size: 0.9rem; line-height: 1.3; }
.seesaw-labels .right { text-align: right; }

/* The Option Grid: three columns read across, on a portrait tablet too. */
.og { margin: 0 0 0.6rem; }
.og-head, .og-cells { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 0.4rem; }
.og-head { position: sticky; top: 0; z-index: 2; background: #fff; padding: 0.2rem 0 0.3rem; }
.og-h { color: #fff; font-weight: 800; font-size: 0.9rem; line-height: 1.25; padding: 0.35rem 0.5rem;
  border-radius: 0.35rem; display: flex; align-items: center; }
.og-row { margin: 0 0 0.55rem; }
.og-q { font-size: 1rem; line-height: 1.3; margin: 0.3rem 0 0.25rem; padding: 0; }
.og-cell { border-top: 0.3rem solid; border-radius: 0.3rem; padding: 0.3rem 0.5rem 0.1rem; font-size: 0.85rem;
  line-height: 1.35; min-width: 0; overflow-wrap: break-word; hyphens: auto; }
.og-opt { position: absolute; width: 1px; height: 1px; margin: -1px; overflow: hidden; clip: rect(0, 0, 0, 0);
  white-space: nowrap; }
.og-short { color: #111827; margin: 0 0 0.2rem; }
/* "More" on a row: opens under the row, across the full width, in the cells' font size. */
[data-testid="stHtml"] .og-more > summary { font-size: 0.85rem; font-weight: 700; color: #1c5a9e;
  text-decoration: underline; text-underline-offset: 0.15em; min-height: 44px; display: flex; align-items: center; }
[data-testid="stHtml"] .og-more > summary::before { top: 50%; margin-top: -0.3em; }
.og-more-body { font-size: 0.85rem; line-height: 1.35; display: grid; gap: 0.4rem; }
.og-detail { border-left: 0.3rem solid; padding: 0.1rem 0 0.1rem 0.6rem; }
.og-detail .og-opt { position: static; width: auto; height: auto; margin: 0; clip: auto; white-space: normal;
  font-weight: 800; }
.og-more[open] { margin-bottom: 0.3rem; }
.og-full, .og-caveat, .og-date, .og-src-title { margin: 0.25rem 0; }
.og-caveat { background: #f6f1e4; border-radius: 0.3rem; padding: 0.25rem 0.45rem; color: #2f2410; }
.og-src-title { font-weight: 700; }
.og-src { margin: 0; padding-left: 1rem; }
.og-date { color: #2b3340; }
@media (max-width: 599px) {
  .og-head { display: none; }
  .og-cells { grid-template-columns: 1fr; }
  .og-opt { position: static; width: auto; height: auto; margin: 0 0 0.1rem; clip: auto; white-space: normal;
    font-weight: 800; }
  .og-cell { font-size: 0.95rem; }
}

/* The clinician's comparison rows (one per question). */
.cmp-q { font-size: 1.15rem; margin: 0 0 0.4rem; padding: 0; line-height: 1.3; }
.cmp-cells { display: grid; grid-template-columns: 1fr; gap: 0.7rem; }
@media (min-width: 1100px) { .cmp-cells { grid-template-columns: repeat(3, minmax(0, 1fr)); } }
.cmp-cell { border-left: 0.35rem solid; padding: 0.1rem 0 0.1rem 0.8rem; }
.cmp-opt { font-weight: 800; margin: 0 0 0.1rem; }
.cmp-text { margin: 0; }
.cmp-caveat { margin: 0.35rem 0 0; background: #f6f1e4; border-radius: 0.3rem; padding: 0.3rem 0.6rem;
  color: #2f2410; font-size: 0.92rem; }
.sources { font-size: 0.9rem; }
.src-opt { font-weight: 800; margin: 0.3rem 0 0; }
.src-list { margin: 0.1rem 0; padding-left: 1.2rem; }
.src-date { margin: 0 0 0.4rem; color: #2b3340; }

/* Icon arrays: squares large enough to count, words beside (above on a portrait tablet). */
.icons-intro { margin: 0 0 0.3rem; font-size: 0.95rem; }
.icons-label { font-size: 1.1rem; margin: 0.5rem 0 0.2rem; padding: 0; }
.icons-grid { display: grid; grid-template-columns: 1fr; gap: 0.5rem; }
.icons-fig { margin: 0; display: flex; flex-wrap: wrap; align-items: center; gap: 0.2rem 1rem; }
.icons-fig figcaption { flex: 1 1 12rem; line-height: 1.3; font-size: 0.95rem; }
.icons-opt { font-weight: 800; display: block; }
.icons-had { display: block; font-weight: 700; }
.icons-not { display: block; }
.icon-array { flex: 1 1 24rem; width: 100%; max-width: 28rem; height: auto; display: block; }
.icon-array.icons-100 { max-width: 14rem; }
.icons-note { margin: 0.4rem 0; background: #f6f1e4; border-radius: 0.3rem; padding: 0.3rem 0.6rem;
  color: #2f2410; font-size: 0.92rem; }
.icons-more > summary { font-weight: 700; color: #1c5a9e; }
.icons-none { margin: 0.4rem 0 0; }
.whatif .steps { margin-top: 0.2rem; }
</style>
"""


def minify(css: str) -> str:
    """The same rules without comments, line breaks and spaces around punctuation.

    The stylesheet is sent on every rerun of every session, so a smaller one costs
    less to hash, serialize and send (about 30 % smaller here).
    """
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    css = re.sub(r"\s+", " ", css)
    css = re.sub(r"\s*([{};,>])\s*", r"\1", css)  # not ":" (it matters in selectors like "a :hover")
    return css.replace(";}", "}").strip()


class Html(str):
    """HTML that ``st.html`` takes as it is: Streamlit dedents a plain string body (a regular
    expression over all of it, on every run: about 8 % of a question screen's run for the
    stylesheet and the page script), but uses an object's ``_repr_html_`` unchanged."""

    def _repr_html_(self) -> str:
        return str(self)


STYLE = Html(minify(CSS))  # built once per process, not on every rerun
STYLE_MORE = Html(minify(CSS_MORE))


def apply() -> None:
    """Add the kiosk stylesheet to the page as an element of this run (a style-only st.html
    adds no visible block): for the screens that stop before the page's script block
    (invalid content, a broken settings file). Every other run has it from that block."""
    st.html(STYLE)


def css_text() -> str:
    """The kiosk stylesheet's rules, for the page script to install (ui/kiosk.py)."""
    return STYLE.removeprefix("<style>").removesuffix("</style>")


def apply_more() -> None:
    """Add the result's and the staff pages' rules (flags, steps, grid, icon arrays), once a
    run however many parts of it ask (a page and its error screen both may)."""
    import ui  # ui imports this module

    ui.per_run("style_more", lambda: st.html(STYLE_MORE))
