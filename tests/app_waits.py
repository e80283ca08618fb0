"""Waiting for the real app in the browser tests: a tap is done when the rerun it asked for is.

Streamlit's page only says whether a script is running (``data-test-script-state``).
Right after a tap that attribute still reads ``notRunning`` from the run before,
until the server has received the rerun request and started the run: a few
milliseconds on a quiet machine, a second or more on a busy one. A wait that
looks only at the attribute (after a fixed pause) can return before the rerun
has started; the test then reads, or taps into, the old screen while the new
one is drawn over it.

So :func:`tap` follows Streamlit's own protocol on the page's websocket (the
messages are protobufs; only their top-level field numbers are read here): the
rerun requests the page sends (``BackMsg.rerun_script``) and the ends of runs
the server reports (``ForwardMsg.script_finished``, ``session_status_changed``).
The server answers every rerun request with a run that ends normally (a run it
interrupts for a newer request ends "early for rerun", and the newer one
follows). So the app has done all it was asked when, since the page's latest
rerun request, a run has ended normally and the server says nothing runs.

A tap first waits until the app has done all it was asked (an idle ping or the
watchdog fragment may be running), then taps, then waits until the page has
sent a rerun request since, the app has done it, and the page shows the result
(not running, no skeletons). A tap that should rerun but sends nothing fails,
instead of the test going on with a screen that never changed. A tap the
browser handles alone (an expander, a ``<details>``, a tab) says so:
``tap(page, locator, rerun=False)``; for a ``<details>`` it waits until the box
has opened (or closed) and an expander's animation of its height has ended.

The listener is installed on first use on each page: ``WebSocket.prototype.send``
is wrapped, so the app's socket is found on its next send (the tap's own rerun
request, at the latest) and its messages from then on are read. When the page
loads again meanwhile (the PIN screen reloads once to bring the device key), the
new page has no listener: its first run has ended when it shows ``notRunning``
(it reads ``initial`` until that run starts), and the listener is installed again.
"""

from __future__ import annotations

import time

from playwright.sync_api import Error as PlaywrightError

WAIT_MS = 30_000  # Playwright's own default: a bound for something gone wrong, never a pause

# The page's side. fields(): the top-level (field number, value) pairs of one protobuf
# message: a number for a varint, the bytes for a length-delimited field.
_RUNS_JS = """
() => {
  if (!window.__appRuns) {
    const R = window.__appRuns = {requests: 0, done: 0, doneAtRequest: 0, running: false};
    const fields = (bytes) => {
      const out = [];
      let i = 0;
      const varint = () => {
        let value = 0, scale = 1, b;
        do { b = bytes[i++]; value += (b & 0x7f) * scale; scale *= 128; } while (b & 0x80);
        return value;
      };
      while (i < bytes.length) {
        const tag = varint(), field = Math.floor(tag / 8), wire = tag % 8;
        if (wire === 0) out.push([field, varint()]);
        else if (wire === 2) { const n = varint(); out.push([field, bytes.subarray(i, i + n)]); i += n; }
        else if (wire === 1) i += 8;
        else if (wire === 5) i += 4;
        else break;
      }
      return out;
    };
    const asBytes = (data) => data instanceof ArrayBuffer ? new Uint8Array(data)
      : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : null;
    const SCRIPT_FINISHED = 6, FINISHED_EARLY_FOR_RERUN = 2, STATUS_CHANGED = 9, IS_RUNNING = 2, RERUN_SCRIPT = 11;
    const received = (event) => {
      const bytes = asBytes(event.data);
      if (!bytes) return;
      for (const [field, value] of fields(bytes)) {
        if (field === SCRIPT_FINISHED && value !== FINISHED_EARLY_FOR_RERUN) R.done += 1;
        if (field === STATUS_CHANGED) R.running = fields(value).some(([f, v]) => f === IS_RUNNING && v === 1);
      }
    };
    const watched = new WeakSet();
    const send = WebSocket.prototype.send;
    WebSocket.prototype.send = function (data) {
      if (!watched.has(this)) { watched.add(this); this.addEventListener('message', received); }
      const bytes = asBytes(data);
      if (bytes && fields(bytes).some(([f]) => f === RERUN_SCRIPT)) {
        R.requests += 1;
        R.doneAtRequest = R.done;
      }
      return send.call(this, data);
    };
  }
  return window.__appRuns.requests;
}
"""

# Settled: the page shows a finished run (connected, not running, no skeletons) and, unless
# it is a new page since (no listener), it has sent more rerun requests than ``asked``
# (-1: any number), a run has ended normally since the latest one, and nothing runs.
_SETTLED_JS = """
(asked) => {
  const app = document.querySelector('[data-testid="stApp"]');
  const shown = app !== null && app.dataset.testConnectionState === 'CONNECTED'
    && app.dataset.testScriptState === 'notRunning'
    && document.querySelectorAll('[data-testid="stSkeleton"]').length === 0;
  const R = window.__appRuns;
  if (!R) return shown;
  return shown && R.requests > asked && (R.requests === 0 || R.done > R.doneAtRequest) && !R.running;
}
"""

# A tap on the summary of a <details> (an expander, a fold) is done when the box has opened
# (or closed) and its animation, if any (an expander's height), has ended.
_OPEN_JS = "(el) => { const box = el.closest('details'); return box ? box.open : null; }"
_TOGGLED_JS = """
([el, wasOpen]) => { const box = el.closest('details');
  return !box || (box.open !== wasOpen && box.getAnimations().every(a => a.playState !== 'running')); }
"""


def wait_for_app(page) -> None:
    """The page is connected, no rerun it asked for is still to come, nothing is drawn half.

    After ``page.goto`` the page reads ``initial`` until its first run starts, so this
    waits for that run. After a tap, :func:`tap` knows which rerun to wait for.
    """
    _settle(page, -1, "the app")


def tap(page, locator, *, rerun: bool = True) -> None:
    """Tap ``locator`` (scrolled into view); with ``rerun`` (the default), wait until the rerun it
    asked for has finished and is shown. ``rerun=False``: a tap the browser handles alone."""
    if not rerun:
        _scroll_to(locator)
        target = locator.element_handle()
        was_open = target.evaluate(_OPEN_JS)
        locator.tap()
        page.wait_for_function(_TOGGLED_JS, arg=[target, was_open], timeout=WAIT_MS)
        return
    wait_for_app(page)  # a watchdog or ping run may be under way
    asked = _listen(page)
    _scroll_to(locator)
    locator.tap()
    _settle(page, asked, f"the tap on {locator}")


def _scroll_to(locator) -> None:
    """Scroll ``locator`` into view. Unlike a tap, Playwright's scrolling does not look again
    when the element it found is replaced meanwhile (the top bar is drawn anew with each new
    screen, not on a rerun of the same one: seen once on a busy machine, on its language
    button found while the screen changed): look again, as a tap would."""
    for _ in range(10):
        try:
            locator.scroll_into_view_if_needed()
            return
        except PlaywrightError as exc:
            if "not attached to the DOM" not in str(exc):
                raise
    locator.scroll_into_view_if_needed()


def _listen(page) -> int:
    """Install the listener (once per page); the number of rerun requests sent so far."""
    return _retry_on_navigation(page, lambda: page.evaluate(_RUNS_JS))


def _settle(page, asked: int, what: str) -> None:
    deadline = time.monotonic() + WAIT_MS / 1000
    while True:
        try:
            page.wait_for_function(_SETTLED_JS, arg=asked, timeout=WAIT_MS)
            _listen(page)  # a page loaded again meanwhile: listen there too
            return
        except PlaywrightError as exc:
            if _navigated(exc) and time.monotonic() < deadline:
                continue  # the page loaded again while it was being read: read the new one
            seen = _retry_on_navigation(page, lambda: page.evaluate("window.__appRuns"))
            raise AssertionError(
                f"{what}: no finished rerun shown within {WAIT_MS // 1000} s "
                f"(rerun requests before: {asked}; on the page now: {seen})"
            ) from exc


def _navigated(exc: PlaywrightError) -> bool:
    return "Execution context was destroyed" in str(exc)


def _retry_on_navigation(page, read):
    for _ in range(20):
        try:
            return read()
        except PlaywrightError as exc:
            if not _navigated(exc):
                raise
            page.wait_for_load_state()
    return read()
