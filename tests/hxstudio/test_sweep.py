"""Sweeps on one machine: metric values against real runs, per-point errors, bad input, streaming."""

import math

import numpy as np
import pytest

from hxstudio.errors import HXStudioWarning, ParameterRangeError, ValidationError
from hxstudio.examples import psp, yinyang
from hxstudio.network import Network, PoissonRate
from hxstudio.runner import run
from hxstudio.stimuli import yinyang_sample
from hxstudio.sweep import Sweep, parameter_names, parse_param, parse_values, uniform
from hxstudio.sweep.metrics import final_membrane, first_spike_latency, isi_cv, mean_rate, metric_choices


def _psp_with(threshold):
    net = psp()
    net.set_param("neuron", "threshold", float(threshold))
    return net


def test_latency_follows_threshold():
    # The first EPSP peaks at 103.25 CADC LSB at 19 µs (membrane 102.96 at 18 µs); a threshold just
    # above that peak moves the first spike to the three summed EPSPs (70/72/74 µs input).
    table = Sweep(psp(), {"neuron.threshold": [100, 103, 104, 125, 135]}, "latency:neuron").run("threads")
    assert table.attrs == {"metric": "latency:neuron", "unit": "s"}
    assert list(table.columns) == ["point", "neuron.threshold", "seed", "value", "error", "wall_time"]
    assert table["value"].tolist() == pytest.approx([16e-6, 19e-6, 75e-6, 77e-6, 78e-6])
    assert (table["error"] == "").all() and (table["wall_time"] > 0).all()
    for threshold, value in zip(table["neuron.threshold"], table["value"]):  # against plain runs
        assert value == first_spike_latency(run(_psp_with(threshold)), "neuron")


def test_rate_is_spikes_over_duration_and_membrane_is_the_last_sample():
    sweep = Sweep(psp(), {"neuron.threshold": [100.0, 125.0]}, "rate:neuron")
    table = sweep.run("threads")
    spikes = [run(_psp_with(t))["neuron"].spikes.sum() for t in (100.0, 125.0)]
    assert spikes == [5, 1]
    assert table["value"].tolist() == pytest.approx([5 / 120e-6, 1 / 120e-6])  # 41.7 kHz, 8.3 kHz
    membrane = Sweep(psp(), {"neuron.threshold": [125.0]}, "membrane:neuron").run("threads")["value"][0]
    assert membrane == pytest.approx(85.8197, abs=1e-3)
    assert membrane == final_membrane(run(psp()), "neuron")


def test_projection_paths_and_two_axes():
    net = psp()
    table = Sweep(net, {"excitatory→neuron.scale": [0.8, 1.2], "excitatory→neuron.init.value": [60.0, 80.0]},
                  "rate:neuron").run("threads")
    assert table[["excitatory→neuron.scale", "excitatory→neuron.init.value"]].values.tolist() == [
        [0.8, 60.0], [0.8, 80.0], [1.2, 60.0], [1.2, 80.0]]
    for row in table.itertuples():
        edited = psp()
        edited.update_projection("excitatory→neuron", scale=row[2], init={"kind": "constant", "value": row[3]})
        assert row.value == mean_rate(run(edited), "neuron")
    assert table["value"].iloc[0] < table["value"].iloc[3]  # more drive, more spikes


def test_out_of_range_value_records_the_document_error_and_the_rest_completes():
    table = Sweep(psp(), {"neuron.threshold": [100.0, 300.0, 125.0]}, "rate:neuron").run("threads")
    with pytest.raises(ParameterRangeError) as refused:
        psp().set_param("neuron", "threshold", 300.0)
    assert table["error"].tolist() == ["", str(refused.value), ""]
    assert str(refused.value).startswith("population 'neuron': threshold = 300 CADC LSB is outside")
    assert math.isnan(table["value"][1])
    assert table["value"][[0, 2]].tolist() == pytest.approx([5 / 120e-6, 1 / 120e-6])


def test_failing_user_metric_is_recorded_for_its_point_only():
    def spikes_unless_120(result, network):
        if network.population("neuron").params["threshold"] == 120.0:
            raise ValueError("no metric at 120")
        return float(result["neuron"].spikes.sum())

    table = Sweep(psp(), {"neuron.threshold": [100.0, 120.0, 130.0]}, spikes_unless_120).run("threads")
    assert table.attrs["metric"] == "spikes_unless_120"
    assert table["error"].tolist() == ["", "ValueError: no metric at 120", ""]
    assert table["value"][0] == 5.0 and table["value"][2] == 1.0 and math.isnan(table["value"][1])


def test_metric_returning_text_is_an_error():
    table = Sweep(psp(), {"neuron.threshold": [100.0]}, lambda r, n: "many").run("threads")
    assert table["error"][0] == "TypeError: metric '<lambda>' returned 'many', not a number"


def _poisson_network():
    net = Network(name="poisson", duration=200e-6)
    net.add_population("noise", "input", 20, stimulus=PoissonRate(rate=100e3, seed=5))
    net.add_population("n", "LIF", 4)
    net.add_projection("noise", "n", init={"kind": "normal", "mean": 12.0, "std": 4.0, "seed": 3})
    return net


def test_seed_axis_shifts_every_stochastic_seed():
    table = Sweep(_poisson_network(), {"n.threshold": [110.0]}, "rate:noise", seeds=3).run("threads")
    assert table["seed"].tolist() == [0, 1, 2]
    for seed, value in zip(table["seed"], table["value"]):
        net = _poisson_network()
        net.update_population("noise", stimulus={"kind": "poisson", "rate": 100e3, "seed": 5 + seed})
        spikes = run(net)["noise"].spikes
        assert value == pytest.approx(float(spikes.sum()) / (20 * 200e-6), rel=1e-12)
    assert len(set(table["value"])) == 3  # three different spike trains
    assert abs(table["value"].mean() - 100e3) < 10e3  # Bernoulli(0.1) per step → 100 kHz
    # the weights are re-drawn too: output rates under seeds 0 and 1 use init seeds 3 and 4
    out = Sweep(_poisson_network(), {"n.threshold": [110.0]}, "rate:n", seeds=[0, 1]).run("threads")
    for seed, value in zip(out["seed"], out["value"]):
        net = _poisson_network()
        net.update_population("noise", stimulus={"kind": "poisson", "rate": 100e3, "seed": 5 + seed})
        net.update_projection("noise→n", init={"kind": "normal", "mean": 12.0, "std": 4.0, "seed": 3 + seed})
        net.set_param("n", "threshold", 110.0)
        assert value == mean_rate(run(net), "n")


def test_seeds_without_stochastic_parts_warn():
    with pytest.warns(HXStudioWarning, match="every seed gives the same result"):
        Sweep(psp(), {"neuron.threshold": [100.0]}, "rate:neuron", seeds=2)


def test_accuracy_equals_sample_by_sample_argmax():
    net = yinyang()
    table = Sweep(net, {"hidden→readout.scale": [45.0, 90.0]}, "accuracy:readout:8").run("threads")
    for scale, value in zip(table["hidden→readout.scale"], table["value"]):
        correct = 0
        for i in range(8):
            one = yinyang()
            one.update_projection("hidden→readout", scale=scale)
            one.update_population("input", stimulus={"kind": "dataset", "split": "test", "index": i})
            predicted = run(one)["readout"].membrane_cadc[:, 0, :].max(axis=0).argmax()
            correct += int(predicted == yinyang_sample("test", i)[1])
        assert value == correct / 8
    assert table["error"].tolist() == ["", ""]


def test_cv_of_a_nearly_regular_spike_train():
    # a 100 kHz input clock from 5 µs with weight 80: the neuron fires once per input spike, at
    # 18, 28, 38, 48, 57, 67, 77, 87, 97 µs: intervals 10, 10, 10, 9, 10, 10, 10, 10 µs
    net = Network(name="regular", duration=100e-6)
    net.add_population("clock", "input", 1, stimulus={"kind": "regular", "rate": 100e3, "start": 5e-6})
    net.add_population("n", "LIF", 1)
    net.add_projection("clock", "n", init={"kind": "constant", "value": 80.0})
    table = Sweep(net, {"n.threshold": [125.0]}, "cv:n").run("threads")
    result = run(net)
    assert np.nonzero(result["n"].spikes[:, 0, 0])[0].tolist() == [18, 28, 38, 48, 57, 67, 77, 87, 97]
    isi = np.array([10, 10, 10, 9, 10, 10, 10, 10.0])
    assert table["value"][0] == pytest.approx(isi.std() / isi.mean()) == pytest.approx(0.03349, abs=1e-5)
    assert table["value"][0] == isi_cv(result, "n")


def test_bad_input_is_refused_with_the_valid_names():
    with pytest.raises(ValidationError) as exc:
        Sweep(psp(), {"neuron.thresh": [100.0]}, "rate:neuron")
    text = str(exc.value)
    assert "\n" not in text
    assert text == "sweep: unknown parameter 'neuron.thresh'; valid: " + ", ".join(parameter_names(psp()))
    assert "neuron.threshold" in text and "excitatory→neuron.init.value" in text
    for empty in ("140:100:5", [], "0:1/0"):
        with pytest.raises(ValidationError, match="empty range"):
            Sweep(psp(), {"neuron.threshold": empty}, "rate:neuron")
    with pytest.raises(ValidationError, match=r"^sweep: unknown metric 'speed:neuron'; valid: rate:POPULATION"):
        Sweep(psp(), {"neuron.threshold": [100.0]}, "speed:neuron")
    with pytest.raises(ValidationError, match="population 'nope' does not exist; existing: excitatory, inhibitory"):
        Sweep(psp(), {"neuron.threshold": [100.0]}, "rate:nope")
    with pytest.raises(ValidationError, match="this metric needs one of LI"):
        Sweep(psp(), {"neuron.threshold": [100.0]}, "accuracy:neuron")
    with pytest.raises(ValidationError, match="^sweep: no parameters to sweep; valid: neuron.leak"):
        Sweep(psp(), {}, "rate:neuron")
    with pytest.raises(ValidationError, match="random axes need samples"):
        Sweep(psp(), {"neuron.threshold": uniform(100, 140)}, "rate:neuron")
    with pytest.raises(ValidationError, match="seeds = 0 must be at least 1"):
        Sweep(psp(), {"neuron.threshold": [100.0]}, "rate:neuron", seeds=0)
    with pytest.raises(ValidationError, match="unknown executor 'cloud'; valid: local, threads, dask"):
        Sweep(psp(), {"neuron.threshold": [100.0]}, "rate:neuron").run("cloud")


def test_value_syntax():
    assert parse_values("100:140:10") == (100.0, 110.0, 120.0, 130.0, 140.0)
    assert parse_values("1e-6:5e-6:1e-6") == (1e-6, 2e-6, 3e-6, 4e-6, 5e-6)
    assert parse_values("0:1/5") == (0.0, 0.25, 0.5, 0.75, 1.0)
    assert parse_values("100, 110,125") == (100.0, 110.0, 125.0)
    assert parse_values("~1:2").low == 1.0 and parse_values("~log:1e-6:1e-4").log
    assert parse_param("input→hidden.init.mean=0.5:1:0.25") == ("input→hidden.init.mean", (0.5, 0.75, 1.0))
    with pytest.raises(ValidationError, match="'abc' is not a number"):
        parse_values("abc")


def test_random_axes_are_reproducible_and_in_range():
    sweep = Sweep(psp(), {"neuron.threshold": uniform(100, 140), "excitatory→neuron.scale": [1.0, 1.2]},
                  "latency:neuron", samples=4, random_seed=7)
    again = Sweep(psp(), {"neuron.threshold": uniform(100, 140), "excitatory→neuron.scale": [1.0, 1.2]},
                  "latency:neuron", samples=4, random_seed=7)
    assert len(sweep) == 8
    draws = [sweep.point(i)["values"]["neuron.threshold"] for i in range(8)]
    assert draws == [again.point(i)["values"]["neuron.threshold"] for i in range(8)]
    assert all(100 <= d <= 140 for d in draws) and len(set(draws)) == 8
    table = sweep.run("threads")
    assert table["sample"].tolist() == [0, 1, 2, 3, 0, 1, 2, 3]
    assert table["value"][0] == first_spike_latency(run(_psp_with(draws[0])), "neuron")


def test_streaming_iterator_callback_and_raw_results():
    sweep = Sweep(psp(), {"neuron.threshold": [100.0, 110.0, 120.0, 130.0]}, "rate:neuron")
    seen = []
    job = sweep.start("threads", chunk_size=1, keep_results=True, on_point=seen.append)
    streamed = list(job)  # ends when the job ends
    assert job.done and job.chunk_size == 1 and job.progress == (4, 4)
    assert sorted(r.index for r in streamed) == [0, 1, 2, 3] and len(seen) == 4
    assert set(job.results) == {0, 1, 2, 3}
    direct = run(_psp_with(110.0))
    assert np.array_equal(job.results[1]["neuron"].spikes, direct["neuron"].spikes)
    assert np.array_equal(sweep.result(1)["neuron"].spikes, direct["neuron"].spikes)
    assert sweep.network_at(3).population("neuron").params["threshold"] == 130.0
    assert job.table()["value"].tolist() == [r.value for r in sorted(streamed, key=lambda r: r.index)]


def test_the_sweep_keeps_its_own_copy_and_choices_fit_the_network():
    net = psp()
    sweep = Sweep(net, {"neuron.threshold": [110.0]}, "rate:neuron")
    net.set_param("neuron", "leak", 100.0)
    assert sweep.network.population("neuron").params["leak"] == 80.0
    assert metric_choices(psp())[:4] == ["rate:neuron", "latency:neuron", "cv:neuron", "membrane:neuron"]
    assert "accuracy:readout" in metric_choices(yinyang())
