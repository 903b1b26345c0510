"""The studio driven from Python (no browser): edits go through the document, errors lose nothing."""

import json

import numpy as np
import pytest

from hxstudio.app import Studio
from hxstudio.examples import psp
from hxstudio.widgets.plots import joined_traces


@pytest.fixture
def studio():
    return Studio(psp())


def test_opens_and_runs_the_document(studio):
    assert studio.result is not None
    nodes, edges = studio._editor.graph
    assert sorted(n["id"] for n in nodes) == ["excitatory", "inhibitory", "neuron"]
    assert sorted(e["id"] for e in edges) == ["excitatory→neuron", "inhibitory→neuron"]
    time, membrane = joined_traces(studio._traces.trace_source.data)[0]
    assert np.array_equal(membrane, studio.result["neuron"].membrane_cadc[:, 0, 0])
    assert np.array_equal(time, studio.result.time * 1e6)
    assert "ran 120 steps on the mock" in studio.message


def test_parameter_edit_and_run_updates_the_trace(studio):
    studio._editor.on_select("node", "neuron")
    assert studio._params.values["threshold"] == 125.0
    studio._params.on_change("leak", 90.0)
    assert studio.network.population("neuron").params["leak"] == 90.0
    studio._controls.click()
    assert studio._traces.trace_source.data["ys"][0][0] == pytest.approx(90.0)


def test_a_value_across_the_calibrated_range_changes_only_the_note(studio):
    studio._editor.on_select("node", "neuron")
    panel = studio._params
    rows, leak = list(panel._body.objects), panel.widget("leak")
    studio._on_param("leak", 200.0)  # calibrated: 50 … 160 CADC LSB; the mock runs it
    assert studio.network.population("neuron").params["leak"] == 200.0
    assert panel.note("leak") == "⚠ outside the calibrated range [50 CADC LSB, 160 CADC LSB]: runs in the mock only"
    studio._on_param("leak", 100.0)
    assert panel.note("leak") == "" and studio.network.population("neuron").params["leak"] == 100.0
    assert list(panel._body.objects) == rows and panel.widget("leak") is leak  # the panel was not rebuilt


def test_refused_edit_shows_message_and_keeps_document(studio):
    studio._editor.on_select("node", "neuron")
    before = studio.network.to_json()
    studio._params.on_change("tau_mem", 1.0)
    assert studio.network.to_json() == before
    assert studio._controls.error.startswith("population 'neuron': tau_mem = 1 s is outside the calibrated range")


def test_canvas_edits(studio):
    studio._editor.on_add("LIF")
    assert studio.network.population("lif").size == 10
    studio._editor.on_connect("neuron", "lif")
    assert studio.network.projection("neuron→lif").target == "lif"
    studio._editor.on_connect("lif", "excitatory")          # an input cannot receive: refused
    assert "a target must be one of AELIF, LI, LIF" in studio._controls.error
    assert len(studio.network.projections) == 3
    studio._editor.on_delete_edge("neuron→lif")
    studio._editor.on_delete_node("lif")
    assert [p.name for p in studio.network.populations] == ["excitatory", "inhibitory", "neuron"]
    studio._editor.on_move("neuron", (1.0, 2.0))
    assert studio.network.population("neuron").position == (1.0, 2.0)


def test_edge_and_stimulus_editing(studio):
    studio._editor.on_select("edge", "excitatory→neuron")
    studio._params.on_change("value", 120.0)
    assert studio.network.projection("excitatory→neuron").init.value == 120.0
    studio._params.on_change("init", "normal")
    assert studio.network.projection("excitatory→neuron").init.kind == "normal"
    studio._editor.on_select("node", "excitatory")
    studio._stimulus.on_change({"kind": "regular", "rate": 50e3, "start": 0.0})
    studio.run()
    assert studio.result["excitatory"].spikes[:, 0, 0].nonzero()[0].tolist() == [0, 20, 40, 60, 80, 100]


def test_bad_upload_keeps_the_project(studio):
    before = studio.network.to_json()
    data = json.loads(before)
    data["projections"][0]["target"] = "ghost"
    studio._upload.filename = "bad.json"
    studio._upload.value = json.dumps(data).encode()
    assert studio.network.to_json() == before
    assert studio._controls.error == (
        "bad.json: projection 'excitatory→neuron': target 'ghost' is not a population; "
        "existing: excitatory, inhibitory, neuron"
    )


def test_good_upload_replaces_and_runs(studio):
    from hxstudio.examples import yinyang

    studio._upload.filename = "yy.json"
    studio._upload.value = yinyang().to_json().encode()
    assert studio.network.name.startswith("Yin-Yang")
    assert studio.result["hidden"].spikes.shape == (38, 1, 120)


def test_failed_run_keeps_the_last_results(studio, monkeypatch):
    shown = {k: list(v) for k, v in studio._traces.trace_source.data.items()}
    result = studio.result

    def broken(self, steps):
        raise FloatingPointError("weights are NaN")

    monkeypatch.setattr("hxstudio.backend.stream.ChunkedRun.advance", broken)
    studio.run()
    assert studio.result is result
    assert {k: list(v) for k, v in studio._traces.trace_source.data.items()} == shown
    assert studio._controls.error == "run failed: weights are NaN"
    assert not studio._controls.busy


def test_save_gives_the_document(studio):
    assert json.loads(studio._project_file().read()) == json.loads(studio.network.to_json())


def test_new_nodes_do_not_overlap(studio):
    studio._editor.on_add("LIF")
    studio._editor.on_add("LI")
    positions = [tuple(p.position) for p in studio.network.populations]
    ys = sorted(y for _, y in positions)
    assert len(set(positions)) == len(positions)
    assert ys[-1] - ys[-2] >= 100 and ys[-2] > 260   # both below the lowest example node (y = 260)


def test_names_are_escaped_in_status_and_errors(studio):
    studio.network.update_population("neuron", position=(0.0, 0.0))
    studio.network.add_population("<img src=x onerror=alert(1)>", "LIF", 1)
    studio.run()
    assert "<img" not in studio._controls._status.object
    assert "&lt;img src=x onerror=alert(1)&gt;" in studio._controls._status.object


def test_successful_edit_clears_the_error(studio):
    studio._editor.on_select("node", "neuron")
    studio._params.on_change("threshold", 500.0)
    assert studio._controls.error
    studio._params.on_change("threshold", 110.0)
    assert studio._controls.error == ""


def test_example_menu_opens_and_resets(studio):
    studio._example.clicked = "yinyang"
    assert studio.network.population("hidden").size == 120
    studio.network.set_param("hidden", "threshold", 100.0)
    studio._example.clicked = "psp"
    studio._example.clicked = "yinyang"
    assert studio.network.population("hidden").params["threshold"] == 125.0
