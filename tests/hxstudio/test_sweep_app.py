"""The studio's sweep card: runs in the background, fills the heatmap, a click loads the point."""

import numpy as np
import pytest

from hxstudio.app import Studio
from hxstudio.examples import psp
from hxstudio.sweep import Sweep


@pytest.fixture
def studio():
    return Studio(psp(), run=False)


def _setup(panel, executor="threads"):
    a, b = panel._axis
    a["name"].value, a["start"].value, a["stop"].value, a["count"].value = "neuron.threshold", 100.0, 140.0, 3
    b["name"].value, b["start"].value, b["stop"].value, b["count"].value = "excitatory→neuron.scale", 0.8, 1.2, 3
    panel._metric.value = "latency:neuron"
    panel._executor.value = executor


def test_card_offers_the_documents_parameters_and_metrics(studio):
    sweeper = studio._sweeper
    assert sweeper.card in studio.__panel__()[0].objects and sweeper.card.collapsed
    names = [o["name"] for o in sweeper.panel.options]
    assert names[:3] == ["neuron.leak", "neuron.reset", "neuron.threshold"]
    assert sweeper.panel.metrics[0] == "rate:neuron"
    studio._editor.on_add("LIF")  # a new population refreshes the choices
    assert "lif.threshold" in [o["name"] for o in sweeper.panel.options]
    assert "rate:lif" in sweeper.panel.metrics
    studio._editor.on_select("node", "neuron")
    studio._params.on_change("threshold", 130.0)
    # a changed value alone reaches a collapsed card when it is opened
    assert next(o for o in sweeper.panel.options if o["name"] == "neuron.threshold")["value"] == 125.0
    sweeper.card.collapsed = False
    assert next(o for o in sweeper.panel.options if o["name"] == "neuron.threshold")["value"] == 130.0


def test_sweep_fills_the_heatmap_and_a_click_loads_the_point(studio):
    sweeper, panel = studio._sweeper, studio._sweeper.panel
    _setup(panel)
    panel.run()
    assert sweeper.job.wait(30)
    expected = Sweep(psp(), {"neuron.threshold": [100.0, 120.0, 140.0], "excitatory→neuron.scale": [0.8, 1.0, 1.2]},
                     "latency:neuron").run("threads")
    # 140 CADC LSB with 0.8× weights is never reached: NaN (grey), no error
    assert np.array_equal(panel.values, expected["value"].to_numpy().reshape(3, 3), equal_nan=True)
    assert panel.values[0, 1] == pytest.approx(16e-6) and np.isnan(panel.values[2, 0])
    assert not panel.running and panel.done == 9 and panel.status.startswith("swept 9 points in")
    panel.pick(7)  # threshold 140, scale 1.0
    net = studio.network
    assert net.population("neuron").params["threshold"] == 140.0
    assert net.projection("excitatory→neuron").scale == 1.0
    assert studio.result["neuron"].spikes.sum() == 1  # re-run with the loaded point
    assert studio.message == "loaded from the sweep: neuron.threshold = 140, excitatory→neuron.scale = 1"


def test_a_refused_point_is_not_loaded(studio):
    before = studio.network.to_json()
    studio._sweeper.pick({"neuron.leak": 90.0, "neuron.threshold": 300.0})
    assert studio.network.to_json() == before  # all or nothing: the leak is not changed either
    assert studio._controls.error.startswith("sweep point not loaded: population 'neuron': threshold = 300")


def test_cancel_from_the_panel(studio):
    sweeper, panel = studio._sweeper, studio._sweeper.panel
    _setup(panel)
    panel._axis[0]["count"].value = 40
    panel._seeds.value = 1
    started = []
    original = sweeper._point

    def slow_point(record):  # cancel as soon as the first point arrives
        original(record)
        if not started:
            started.append(record)
            panel.cancel()

    sweeper._point = slow_point
    panel.run()
    assert sweeper.job.wait(30)
    assert sweeper.job.cancelled and not panel.running
    assert panel.status.startswith("cancelled after") and panel.done < 120
