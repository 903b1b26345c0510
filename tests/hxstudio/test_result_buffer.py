"""ResultBuffer: chunks written into arrays allocated once equal the one-shot result; views,
trimming a stopped run, refused parts."""

import numpy as np
import pytest

from hxstudio.examples import psp
from hxstudio.result import PopulationResult, Result, ResultBuffer
from hxstudio.runner import run


@pytest.fixture(scope="module")
def whole():
    return run(psp())  # 120 steps


def _part(result: Result, start: int, stop: int) -> Result:
    """Steps [start, stop) of ``result`` as a chunk of its own (copies, like a run's chunk)."""
    head = result.head(stop)
    out = Result(time=head.time[start:].copy(), dt=result.dt, target=result.target)
    for name, pop in head.populations.items():
        out.populations[name] = PopulationResult(name=name, kind=pop.kind, **{
            obs: None if getattr(pop, obs) is None else getattr(pop, obs)[start:].copy()
            for obs in ("spikes", "membrane_cadc", "current", "adaptation_cadc")})
    return out


def test_chunks_join_to_the_one_shot_result(whole):
    buffer = ResultBuffer(120)
    assert buffer.result() is None
    for start, stop in ((0, 64), (64, 100), (100, 120)):
        buffer.add(_part(whole, start, stop))
        shown = buffer.result()
        assert len(shown.time) == buffer.done == stop
        np.testing.assert_array_equal(shown["neuron"].membrane_cadc, whole["neuron"].membrane_cadc[:stop])
    joined = buffer.result()
    np.testing.assert_array_equal(joined.time, whole.time)
    for name, pop in whole.populations.items():
        for obs in ("spikes", "membrane_cadc", "current"):
            expected = getattr(pop, obs)
            if expected is None:
                assert getattr(joined[name], obs) is None
            else:
                np.testing.assert_array_equal(getattr(joined[name], obs), expected)


def test_a_view_handed_out_is_not_changed_by_later_chunks(whole):
    buffer = ResultBuffer(120)
    buffer.add(_part(whole, 0, 50))
    early = buffer.result()
    before = early["neuron"].membrane_cadc.copy()
    buffer.add(_part(whole, 50, 120))
    assert early["neuron"].membrane_cadc.shape[0] == 50
    np.testing.assert_array_equal(early["neuron"].membrane_cadc, before)


def test_trim_keeps_only_the_steps_added(whole):
    buffer = ResultBuffer(120)
    buffer.add(_part(whole, 0, 30))
    buffer.trim()
    kept = buffer.result()
    membrane = kept["neuron"].membrane_cadc
    assert membrane.base is None or membrane.base.shape[0] == 30  # no 120-step array behind it
    np.testing.assert_array_equal(membrane, whole["neuron"].membrane_cadc[:30])


def test_parts_of_another_run_or_past_the_end_are_refused(whole):
    buffer = ResultBuffer(120)
    buffer.add(_part(whole, 0, 100))
    other = _part(whole, 100, 120)
    other.dt = 2 * whole.dt
    with pytest.raises(ValueError, match="another run"):
        buffer.add(other)
    with pytest.raises(ValueError, match="go past the run's 120 steps"):
        buffer.add(_part(whole, 0, 30))
    assert buffer.done == 100


def test_madc_fields_come_from_the_last_part_that_has_them(whole):
    buffer = ResultBuffer(120)
    first, second = _part(whole, 0, 60), _part(whole, 60, 120)
    samples = np.arange(10.0).reshape(10, 1)
    second.populations["neuron"].membrane_madc = samples
    second.populations["neuron"].madc_time = samples * 1e-7
    second.populations["neuron"].madc_neuron = 0
    buffer.add(first)
    assert buffer.result()["neuron"].membrane_madc is None
    buffer.add(second)
    neuron = buffer.result()["neuron"]
    assert neuron.membrane_madc is samples and neuron.madc_neuron == 0
