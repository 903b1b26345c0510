"""A BokehJS workaround that halves the browser's share of a plot update.

BokehJS 3.9 re-writes the ``<style>`` element that positions each renderer on every paint, even
when its text is unchanged. Every write invalidates the page's styles, so the next read of a
visual property (BokehJS reads ``getComputedStyle`` for each colour, width and font, to honour
``--bk-*`` CSS variables) recalculates styles again: once per renderer and paint. Measured in
headless chromium on the studio page (benchmarks/bench_ui.py): the recalculations took more
than half of a re-run's ~50 ms repaint. :func:`bokeh_fix` returns an invisible pane whose
script makes that write a no-op when the text is unchanged (same result, no invalidation).
It patches ``InlineStyleSheet`` of ``core/dom`` once per page and does nothing if BokehJS
changes (it then logs a warning); the upstream report on the style reads is bokeh/bokeh#15286.
"""

from __future__ import annotations

import panel as pn

__all__ = ["FIX_MARK", "bokeh_fix"]

#: Property set on the patched prototype (browser tests check it).
FIX_MARK = "_hx_skips_unchanged"

_SCRIPT = """<script>
(function () {
  try {
    var dom = window.Bokeh && window.Bokeh.require && window.Bokeh.require("core/dom");
    var proto = dom && dom.InlineStyleSheet && dom.InlineStyleSheet.prototype;
    if (!proto || typeof proto._update !== "function") {
      console.warn("hxstudio: BokehJS has no InlineStyleSheet._update; style fix not applied");
      return;
    }
    if (proto.MARK) return;
    var update = proto._update;
    proto._update = function (css) {
      if (this.el.textContent !== css) update.call(this, css);
    };
    proto.MARK = true;
  } catch (error) {
    console.warn("hxstudio: BokehJS style fix not applied", error);
  }
})();
</script>""".replace("MARK", FIX_MARK)


def bokeh_fix() -> pn.pane.HTML:
    """An empty, zero-size pane that installs the fix when the page renders it (server and
    notebook alike; Panel's HTML pane runs the scripts it contains)."""
    return pn.pane.HTML(_SCRIPT, width=0, height=0, margin=0, sizing_mode="fixed",
                        css_classes=["hx-bokeh-fix"])
