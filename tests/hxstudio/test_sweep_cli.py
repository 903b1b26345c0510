"""``hxstudio sweep``: a CSV table with real values; bad input gives one line and status 2."""

import pandas as pd
import pytest

from hxstudio.cli import main


def test_sweep_writes_a_tidy_csv(tmp_path, capsys):
    project = tmp_path / "psp.json"
    assert main(["example", "psp", "-o", str(project)]) == 0
    out = tmp_path / "table.csv"
    status = main(["sweep", str(project), "--param", "neuron.threshold=100:104:4", "--param",
                   "excitatory→neuron.scale=1,0.8", "--metric", "latency:neuron", "--executor", "threads",
                   "-o", str(out)])
    assert status == 0
    table = pd.read_csv(out, keep_default_na=False, na_values=[""])
    assert list(table.columns) == ["point", "neuron.threshold", "excitatory→neuron.scale", "seed", "value", "error",
                                   "wall_time"]
    assert table[["neuron.threshold", "excitatory→neuron.scale"]].values.tolist() == [
        [100.0, 1.0], [100.0, 0.8], [104.0, 1.0], [104.0, 0.8]]
    # 100: first EPSP (16 µs); 104: above the single-EPSP peak (103.25), so the summed EPSPs (75 µs)
    assert table["value"].tolist() == pytest.approx([16e-6, 75e-6, 75e-6, 75e-6])
    assert table["error"].isna().all()
    assert "wrote" in capsys.readouterr().err


def test_sweep_prints_the_table_and_lists_paths(capsys):
    assert main(["sweep", "--example", "psp", "--param", "neuron.threshold=100,300", "--metric", "rate:neuron",
                 "--executor", "threads"]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines[0].split() == ["point", "neuron.threshold", "seed", "value", "error"]
    assert lines[1].split()[:4] == ["0", "100.0", "0", "41666.666667"]  # 5 spikes in 120 µs
    assert "1 of 2 points failed; first: point 1: population 'neuron': threshold = 300 CADC LSB" in captured.err
    assert main(["sweep", "--example", "psp", "--list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[:3] == ["neuron.leak", "neuron.reset", "neuron.threshold"]
    assert "inhibitory→neuron.init.value" in listed


@pytest.mark.parametrize("args, message", [
    (["--param", "neuron.thresh=1:2:1", "--metric", "rate:neuron"],
     "error: sweep: unknown parameter 'neuron.thresh'; valid: neuron.leak, neuron.reset, neuron.threshold,"),
    (["--param", "neuron.threshold=140:100:5", "--metric", "rate:neuron"],
     "error: sweep: neuron.threshold: empty range: no values to sweep"),
    (["--param", "neuron.threshold", "--metric", "rate:neuron"],
     "error: sweep: --param 'neuron.threshold' must be PATH=VALUES"),
    (["--param", "neuron.threshold=100"], "error: sweep: give --metric"),
    (["--param", "neuron.threshold=100", "--metric", "rate:neuron", "--executor", "cloud"],
     "error: sweep: unknown executor 'cloud'"),
])
def test_bad_input_gives_one_line_and_status_2(capsys, args, message):
    assert main(["sweep", "--example", "psp", *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(message)
