"""The browser's acknowledgement of a drawn plot update, for back-pressure while a run streams.

A server that sends partial plot updates faster than the browser draws them fills the page's
queue: a page showing a 512-neuron run took seconds to react to a click, and a Stop click
reached the server only after the run had ended (measured with ``hxstudio serve`` and headless
chromium, 100 000 steps). :class:`DrawAck` lets the server wait for the page instead.
"""

from __future__ import annotations

from bokeh.core.properties import Int
from bokeh.model import DataModel
from bokeh.models import CustomJS

__all__ = ["DrawAck", "draw_ack"]

# two frames after the message that set `sent`: the plots repainted in the first (their
# requests came earlier in the same message), the page was shown before the second
_ACK_JS = """
const sent = ack.sent
requestAnimationFrame(() => requestAnimationFrame(() => { if (ack.drawn < sent) ack.drawn = sent }))
"""


class DrawAck(DataModel):
    """``sent``: the number of the latest update; the server sets it in the update's own message.
    ``drawn``: the browser sets it to ``sent`` once it has drawn that update (the frame after
    its repaint). A page that is not open never answers."""

    sent = Int(0, help="Number of the latest update sent (server).")
    drawn = Int(0, help="Number of the latest update drawn (browser).")


def draw_ack() -> DrawAck:
    """A :class:`DrawAck` with its browser side attached."""
    ack = DrawAck()
    ack.js_on_change("sent", CustomJS(args=dict(ack=ack), code=_ACK_JS))
    return ack
