"""Two BokehJS workarounds that cut the browser's share of a plot update.

1. BokehJS 3.9 re-writes the ``<style>`` element that positions each renderer on every paint,
   even when its text is unchanged. Every write invalidates the page's styles.
2. For each colour, width, dash and font it paints, BokehJS reads ``getComputedStyle`` to
   honour ``--bk-*`` CSS variables (bokeh/bokeh#15286); after an invalidation such a read
   recalculates the page's styles first. Together: a style recalculation per renderer and paint.

Measured in headless chromium on the studio page (``benchmarks/bench_ui.py``): the
recalculations took about half of a re-run's repaint (forced style reads 144 of 316 ms
of repaint in a 6-change CPU profile). :func:`bokeh_fix` returns an
invisible pane whose script (1) makes the write a no-op when the text is unchanged (same
result) and (2) answers the variable reads with "not set" without asking the cascade. (2) is
exact as long as the page defines no ``--bk-<visual>`` variables: Panel's and Bokeh's style
sheets define none and neither does the studio; a page that wants them must not load this pane.
The script patches ``core/dom``'s ``InlineStyleSheet`` and ``core/visuals/visual``'s
``VisualProperties`` once per page; if BokehJS changes shape it logs a warning and does nothing.
"""

from __future__ import annotations

import panel as pn

__all__ = ["FIX_MARK", "bokeh_fix"]

#: Property set on the patched prototype (browser tests check it).
FIX_MARK = "_hx_skips_unchanged"

_SCRIPT = """<script>
(function () {
  try {
    var need = window.Bokeh && window.Bokeh.require;
    var dom = need && need("core/dom");
    var visual = need && need("core/visuals/visual");
    var sheet = dom && dom.InlineStyleSheet && dom.InlineStyleSheet.prototype;
    var props = visual && visual.VisualProperties && visual.VisualProperties.prototype;
    if (!sheet || typeof sheet._update !== "function" || !props || typeof props._get_css_value !== "function") {
      console.warn("hxstudio: BokehJS internals changed; style fix not applied");
      return;
    }
    if (sheet.MARK) return;
    var update = sheet._update;
    sheet._update = function (css) {
      if (this.el.textContent !== css) update.call(this, css);
    };
    props._get_css_value = function () { return ""; };
    sheet.MARK = true;
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
