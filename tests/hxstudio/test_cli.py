"""The hxstudio command line: run writes arrays, bad projects give one line and status 2."""

import json
import subprocess
import sys

import numpy as np

from hxstudio.cli import main


def test_run_yinyang_writes_time_major_arrays(tmp_path, capsys):
    project = tmp_path / "yy.json"
    assert main(["example", "yinyang", "-o", str(project)]) == 0
    out = tmp_path / "result.npz"
    assert main(["run", str(project), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "hidden" in text and "spikes" in text and "kHz" in text
    data = np.load(out)
    assert data["hidden/spikes"].shape == (38, 1, 120)
    assert data["hidden/membrane_cadc"].shape == (38, 1, 120)
    assert data["readout/membrane_cadc"].shape == (38, 1, 3)
    assert data["input/spikes"].shape == (38, 1, 5) and data["input/spikes"].sum() == 5
    assert np.allclose(data["time"], np.arange(38) * 1e-6)


def test_bad_project_gives_one_line_and_status_2(tmp_path):
    project = tmp_path / "bad.json"
    data = json.loads(subprocess.run([sys.executable, "-m", "hxstudio.cli", "example", "psp"],
                                     capture_output=True, text=True, check=True).stdout)
    data["populations"][2]["params"]["tau_mem"] = 1.0
    project.write_text(json.dumps(data))
    proc = subprocess.run([sys.executable, "-m", "hxstudio.cli", "run", str(project)],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        f"error: {project}: population 'neuron': tau_mem = 1 s is outside the calibrated range [0.5 µs, 60 µs] "
        "and the hard limits [0.1 µs, 100 µs]"
    )
