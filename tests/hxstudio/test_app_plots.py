"""The studio's plots area: `_show_result` feeds traces, heatmap, raster and rates from a Result;
partial results of a growing run are streamed, the final call completes them exactly."""

import numpy as np
import pytest
from bokeh.document import Document
from bokeh.document.events import ColumnDataChangedEvent, ColumnsStreamedEvent

from hxstudio.app import Studio
from hxstudio.examples import yinyang
from hxstudio.widgets.plots import joined_traces


@pytest.fixture(scope="module")
def studio():
    return Studio(yinyang())


def test_plots_show_the_result(studio):
    result = studio.result
    hidden = result["hidden"]
    traces = studio._plots.traces
    assert traces.population == "hidden" and traces.shown_neurons == list(range(32))
    np.testing.assert_array_equal(joined_traces(traces.trace_source.data)[5][1], hidden.membrane_cadc[:, 0, 5])
    assert traces.spans["reset"].visible and traces.spans["threshold"].visible
    assert traces.param.observable.objects == ["membrane", "current"]
    image = studio._plots.heatmap.heatmap_source.data["image"][0]
    np.testing.assert_array_equal(image[:, :38], hidden.membrane_cadc[:, 0, :].T)  # all 120 neurons, 38 steps
    assert np.isnan(image[:, 38:]).all()  # spare columns of a streamed run, if any, stay empty
    rates = studio._plots.rates.rate_source.data
    assert rates["population"] == ["input", "hidden"]
    assert rates["spikes"] == [result.spike_counts()["input"], result.spike_counts()["hidden"]]
    assert rates["rate_khz"][1] == pytest.approx(result.mean_rates()["hidden"] / 1e3)
    assert len(studio._raster.raster_source.data["x"]) == sum(result.spike_counts().values())


def test_a_streamed_run_ends_equal_to_a_one_shot_run(studio):
    result = studio.result
    doc = Document()
    doc.add_root(studio._traces.figure)
    log = []
    doc.callbacks.on_change(log.append)
    for steps in (10, 25):
        studio._show_result(result.head(steps), partial=True)
    studio._show_result(result)
    source = studio._traces.trace_source
    kinds = [type(e) for e in log if getattr(e, "model", None) is source
             and isinstance(e, (ColumnDataChangedEvent, ColumnsStreamedEvent))]
    assert kinds == [ColumnDataChangedEvent, ColumnsStreamedEvent, ColumnsStreamedEvent]
    time, membrane = joined_traces(source.data)[31]
    np.testing.assert_array_equal(time, result.time * 1e6)
    np.testing.assert_array_equal(membrane, result["hidden"].membrane_cadc[:, 0, 31])
    raster = studio._raster.raster_source.data
    assert len(raster["x"]) == sum(result.spike_counts().values())
    np.testing.assert_array_equal(studio._plots.heatmap.heatmap_source.data["image"][0][:, :38],
                                  result["hidden"].membrane_cadc[:, 0, :].T)
