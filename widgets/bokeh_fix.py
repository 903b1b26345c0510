"""Three BokehJS workarounds that cut the browser's share of a plot update.

1. BokehJS 3.9 re-writes the ``<style>`` element that positions each renderer on every paint,
   even when its text is unchanged. Every write invalidates the page's styles.
2. For each colour, width, dash and font it paints, BokehJS reads ``getComputedStyle`` to
   honour ``--bk-*`` CSS variables (bokeh/bokeh#15286); after an invalidation such a read
   recalculates the page's styles first. Together: a style recalculation per renderer and paint.
3. It positions a glyph renderer's (empty) element on the screen box of the glyph's data, so
   new data (every re-run of a tuned network) changes the trace renderers' position styles:
   the next style read in the paint recalculates the page's styles (measured with one renderer
   per trace: ≈ 7 ms of a ≈ 20 ms trace repaint, before the browser's own style pass).

Measured in headless chromium on the studio page (``benchmarks/bench_ui.py``): the
recalculations of (1) and (2) took about half of a re-run's repaint (forced style reads 144 of
316 ms of repaint in a 6-change CPU profile); with (3) the trace plot's repaint after a re-run
went from ≈ 20 to ≈ 9 ms. :func:`bokeh_fix` returns an invisible pane whose script (1) makes the
write a no-op when the text is unchanged (same result), (2) answers the variable reads with "not
set" without asking the cascade and (3) positions a glyph renderer's element on the plot frame
instead (nothing is drawn into that element; the glyph is painted on the canvas either way).
(2) is exact as long as the page defines no ``--bk-<visual>`` variables: Panel's and Bokeh's
style sheets define none and neither does the studio; a page that wants them must not load this
pane. The script patches ``core/dom``'s ``InlineStyleSheet``, ``core/visuals/visual``'s
``VisualProperties`` and ``models/renderers/glyph_renderer``'s ``GlyphRendererView`` once per
page; if BokehJS changes shape it logs a warning and does nothing.
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
    var glyphs = need && need("models/renderers/glyph_renderer");
    var sheet = dom && dom.InlineStyleSheet && dom.InlineStyleSheet.prototype;
    var props = visual && visual.VisualProperties && visual.VisualProperties.prototype;
    var renderer = glyphs && glyphs.GlyphRendererView && glyphs.GlyphRendererView.prototype;
    if (!sheet || typeof sheet._update !== "function" || !props || typeof props._get_css_value !== "function" ||
        !renderer || typeof renderer.update_position !== "function") {
      console.warn("hxstudio: BokehJS internals changed; style fix not applied");
      return;
    }
    if (sheet.MARK) return;
    var update = sheet._update;
    sheet._update = function (css) {
      if (this.el.textContent !== css) update.call(this, css);
    };
    props._get_css_value = function () { return ""; };
    var position = renderer.update_position;
    renderer.update_position = function () {
      var frame = this.parent && this.parent.frame && this.parent.frame.bbox;
      if (!frame || !frame.is_valid || !this.position) return position.call(this);
      this.position.replace(":host { position: absolute; left: " + frame.left + "px; top: " + frame.top +
                            "px; width: " + frame.width + "px; height: " + frame.height + "px; }");
    };
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
