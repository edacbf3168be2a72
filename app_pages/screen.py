"""The app at every screen width: the shared CSS, the sideways-scroll cue and the first-visit note.

One place for the page styling that every page shares (``app.py`` injects it on every run):

* the main block's margins (tighter on a phone);
* Plotly's toolbar sits in a strip of its own above each chart, so it never covers the title;
* on a phone a chart keeps a readable width (``CHART_MIN_WIDTH``) and scrolls sideways inside its
  own box instead of squeezing its labels together; a heatmap gets the width its columns need
  (``charts.min_width``) on every screen;
* every box that scrolls sideways (tables, charts, the summary table, tab bars) shows a cue while
  more lies to its right: a fade and "scroll →" (a small script marks such boxes; CSS draws it).
"""

from __future__ import annotations

import streamlit as st

from analysis.present import charts

CHART_MIN_WIDTH = charts.CHART_MIN_WIDTH  # px: on a phone a chart scrolls sideways below this
PHONE_WIDTH = 640  # px: the media query for phone layouts
TOOLBAR_STRIP = 34  # px above each chart for Plotly's toolbar (its buttons are 22-26 px tall)

PAGE_CSS = f"""<style>
[data-testid='stMainBlockContainer'] {{padding-top: 4.2rem; padding-bottom: 3rem;
  padding-left: 2rem; padding-right: 2rem;}}
@media (max-width: {PHONE_WIDTH}px) {{
  [data-testid='stMainBlockContainer'] {{padding-left: 1rem; padding-right: 1rem;}}
}}
[class*='st-key-xs-'] {{overflow-x: auto; overflow-y: hidden;}}
@media (max-width: {PHONE_WIDTH}px) {{  /* wider screens: a chart in a narrow column keeps its width */
  [class*='st-key-xs-'] > * {{min-width: {CHART_MIN_WIDTH}px;}}
}}
.stElementContainer:has([data-testid='stPlotlyChart']) {{padding-top: {TOOLBAR_STRIP}px;
  box-sizing: content-box;}}
[data-testid='stPlotlyChart'] > .js-plotly-plot {{overflow: visible !important;}}
[data-testid='stPlotlyChart'] .modebar-container {{top: -{TOOLBAR_STRIP}px !important;}}
[data-xcue] {{position: relative;}}
[data-xcue='more']::after {{content: 'scroll →'; position: absolute; top: 0; right: 0; bottom: 0;
  width: 5.2rem; display: flex; align-items: center; justify-content: flex-end; padding-right: 4px;
  font-size: 0.75rem; font-weight: 600; color: #31333f; pointer-events: none; z-index: 3;
  background: linear-gradient(to right, rgba(255,255,255,0), rgba(255,255,255,0.95) 65%);}}
[data-xcue='more'][data-xcue-kind='fade']::after {{content: ''; width: 2.5rem; bottom: auto;
  top: var(--xcue-top, 0); height: var(--xcue-height, 2.6rem);}}
</style>"""

# Marks every sideways-scrolling box in the main block that has more to its right: its host (the
# box around it that does not scroll) gets data-xcue="more" (CSS above draws the cue), "end" once
# scrolled to the end.  Runs when the page has stopped changing, on resize and after scrolling.
CUE_JS = """<script>
(() => {
  if (window.__xcue) return;
  window.__xcue = true;
  const SCROLLERS = ".dvn-scroller, [class*='st-key-xs-'], .xscroll";
  const host = el => el.closest("[data-testid='stDataFrame']") || el.parentElement;
  const scrollers = tabs => {  // the boxes around a tab bar that may scroll it
    const out = [];
    for (let e = tabs; e && !e.matches("[data-testid='stTabs']"); e = e.parentElement) {
      const ox = getComputedStyle(e).overflowX;
      if (ox === "auto" || ox === "scroll") out.push(e);
    }
    return out;
  };
  const update = () => {
    const root = document.querySelector("[data-testid='stMainBlockContainer']");
    if (!root) return;
    const tabBars = [...root.querySelectorAll("[role='tablist']")].flatMap(scrollers);
    for (const el of [...root.querySelectorAll(SCROLLERS), ...tabBars]) {
      const h = host(el);
      if (!h) continue;
      const over = el.scrollWidth > el.clientWidth + 1;
      const state = !over ? null : el.scrollLeft + el.clientWidth >= el.scrollWidth - 2 ? "end" : "more";
      if (state === null) { if (h.hasAttribute("data-xcue")) h.removeAttribute("data-xcue"); }
      else if (h.getAttribute("data-xcue") !== state) h.setAttribute("data-xcue", state);
      if (tabBars.includes(el)) {  // a fade over the tab bar only, not over the open tab below it
        h.setAttribute("data-xcue-kind", "fade");
        const top = el.getBoundingClientRect().top - h.getBoundingClientRect().top;
        const set = (name, value) => {
          if (h.style.getPropertyValue(name) !== value) h.style.setProperty(name, value);
        };
        set("--xcue-top", `${Math.round(top)}px`);  // changed only when it changes: no mutation loop
        set("--xcue-height", `${el.offsetHeight}px`);
      }
    }
  };
  // Debounced: runs once the page has stopped changing for QUIET ms (reading scroll widths makes
  // the browser lay the page out, which must not happen on every change while a page is drawn).
  // A page that never stops changing (a spinner) still gets an update every MAX_WAIT ms.
  const QUIET = 150, MAX_WAIT = 600;
  let timer = null, since = 0;
  const run = () => { timer = null; update(); };
  const soon = () => {
    const now = performance.now();
    if (timer === null) since = now;
    clearTimeout(timer);
    timer = setTimeout(run, now - since > MAX_WAIT ? 0 : QUIET);
  };
  // Charts resize by changing attributes only, so those changes count too.
  const watched = {childList: true, subtree: true, attributes: true};
  watched.attributeFilter = ["style", "width", "class"];
  new MutationObserver(soon).observe(document.body, watched);
  window.addEventListener("resize", soon);
  document.addEventListener("scroll", soon, true);
  soon();
})();
</script>"""


def inject() -> None:
    """The shared CSS and the scroll-cue script (call once per run, from ``app.py``)."""
    st.html(PAGE_CSS + CUE_JS, unsafe_allow_javascript=True)


INTRO_KEY = "media-bias-intro-dismissed"  # sessionStorage: dismissed for this browser session (tab)
INTRO_HTML = f"""<div id="intro" class="intro" role="note" style="display: none;">
<div><b>Compare how outlets cover the same event:</b> who was more negative, who used more loaded
language, and the words behind each score.<br>
Scores describe wording, not truth: Method &amp; limits says how good they are.</div>
<button type="button" class="intro-close" aria-label="Dismiss the introduction">✕</button>
</div>
<style>
.intro {{display: flex; gap: 0.8rem; align-items: flex-start; background: #f0f4fa;
  border: 1px solid #d5deeb; border-radius: 0.5rem; padding: 0.6rem 0.8rem; font-size: 0.92rem;
  line-height: 1.45;}}
.stElementContainer:has(#intro[style*="display: none"]) {{display: none;}}
.intro-close {{margin-left: auto; border: none; background: none; cursor: pointer; font-size: 1rem;
  color: #31333f; padding: 0 0.2rem;}}
</style>
<script>
(() => {{
  const box = document.getElementById("intro");
  if (!box) return;
  let seen = false;
  try {{ seen = sessionStorage.getItem("{INTRO_KEY}") === "1"; }} catch (e) {{}}
  if (seen) return;
  box.style.display = "flex";
  box.querySelector(".intro-close").addEventListener("click", () => {{
    try {{ sessionStorage.setItem("{INTRO_KEY}", "1"); }} catch (e) {{}}
    box.style.display = "none";
  }});
}})();
</script>"""


def intro() -> None:
    """A two-line introduction at the top of the first page a browser session opens; its ✕ hides it
    for the rest of that session (kept in the browser's sessionStorage, so page changes and reloads
    do not bring it back)."""
    st.html(INTRO_HTML, unsafe_allow_javascript=True)
