"""StimulusEditor: SI dicts in and out, µs/kHz display, spike-time parsing errors inline."""

import pytest

from hxstudio.widgets import StimulusEditor, format_spike_times, parse_spike_times


@pytest.fixture
def editor():
    e = StimulusEditor()
    e.calls = []
    e.on_change = e.calls.append
    return e


def test_parse_good():
    assert parse_spike_times("10, 20.5,5\n\n 1 ,", 4) == [[5e-6, 10e-6, 20.5e-6], [], [1e-6], []]
    assert parse_spike_times("", 2) == [[], []]
    assert format_spike_times([[5e-6, 10e-6], [], [1e-6], []]) == "5, 10\n\n1"


@pytest.mark.parametrize("text, message", [
    ("10, abc", "line 1: 'abc' is not a number"),
    ("1\n-5", "line 2: '-5' is not a time"),
    ("1\n2\n3", "3 lines, but the population has 2 neurons"),
    ("inf", "not a time"),
])
def test_parse_bad(text, message):
    with pytest.raises(ValueError, match=message):
        parse_spike_times(text, 2)


def test_show_spike_times_and_edit(editor):
    editor.show("in", 2, {"kind": "spike_times", "times": [[1e-5, 2e-5], [3e-5]]})
    assert editor._kind.value == "spike_times" and editor._times.value == "10, 20\n30"
    assert editor.calls == [] and editor._section.objects == [editor._times]
    editor._times.value = "5, 15\n25, 35"
    assert editor.calls == [{"kind": "spike_times", "times": [[5e-6, 15e-6], [25e-6, 35e-6]]}]
    assert editor.stimulus == editor.calls[-1]


def test_bad_text_shows_error_and_does_not_call(editor):
    editor.show("in", 2, {"kind": "spike_times", "times": [[1e-5], []]})
    editor._times.value = "5, x"
    assert editor.calls == []
    assert editor._error.visible and "line 1: 'x' is not a number" in editor._error.object
    assert editor.error.startswith("line 1") and editor.stimulus["times"] == [[1e-5], []]
    editor._times.value = "5"
    assert not editor._error.visible and editor.error == ""
    assert editor.calls == [{"kind": "spike_times", "times": [[5e-6], []]}]


def test_regular_in_khz_and_us(editor):
    editor.show("in", 3, {"kind": "regular", "rate": 25e3, "start": 5e-6})
    assert editor._rate.value == 25.0 and editor._start.value == 5.0
    assert "25 Hz biological" in editor._bio.object and "5 ms biological" in editor._bio.object
    editor._rate.value = 40.0
    assert editor.calls == [{"kind": "regular", "rate": 40e3, "start": 5e-6}]
    editor._rate.value = 0.0
    assert len(editor.calls) == 1 and editor._error.visible


def test_poisson(editor):
    editor.show("in", 3, {"kind": "poisson", "rate": 1e4, "seed": 3})
    assert (editor._rate.value, editor._seed.value) == (10.0, 3)
    editor._seed.value = 4
    assert editor.calls == [{"kind": "poisson", "rate": 1e4, "seed": 4}]


def test_dataset(editor):
    editor.show("in", 5, {"kind": "dataset", "dataset": "yinyang", "index": 7, "split": "test"})
    assert (editor._index.value, editor._split.value, editor._dataset.value) == (7, "test", "yinyang")
    editor._index.value = 8
    editor._split.value = "train"
    assert editor.calls == [{"kind": "dataset", "dataset": "yinyang", "index": 8, "split": "test"},
                            {"kind": "dataset", "dataset": "yinyang", "index": 8, "split": "train"}]


def test_switching_kind_emits_new_stimulus(editor):
    editor.show("in", 2, {"kind": "spike_times", "times": [[], []]})
    editor._kind.value = "poisson"
    assert editor.calls == [{"kind": "poisson", "rate": 2e4, "seed": 0}]
    assert editor._section.objects[0] is editor._rate


def test_unknown_kind(editor):
    with pytest.raises(ValueError, match="burst"):
        editor.show("in", 2, {"kind": "burst"})
