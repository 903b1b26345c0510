"""Every notebook executes top to bottom (nbclient) and prints the values it teaches."""

from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).parents[2] / "notebooks").glob("*.ipynb"))


def _execute(path, require):
    try:
        import nbformat
        from nbclient import NotebookClient
        from jupyter_client.kernelspec import KernelSpecManager
    except ImportError as exc:
        require(False, f"notebook tools missing: {exc}")
    require("python3" in KernelSpecManager().find_kernel_specs(), "no python3 Jupyter kernel (pip install ipykernel)")
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    return nb


def _text(nb) -> str:
    out = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            if o.get("output_type") == "error":
                raise AssertionError(f"{o['ename']}: {o['evalue']}")
            out.append(o.get("text", ""))
    return "".join(out)


@pytest.mark.notebook
def test_there_are_notebooks():
    assert [p.name for p in NOTEBOOKS][:1] == ["01_getting_started.ipynb"]


@pytest.mark.notebook
def test_01_getting_started(require):
    nb = _execute(NOTEBOOKS[0], require)
    text = _text(nb)
    assert "before run: None" in text
    assert "after run: (120, 1, 1)" in text
    assert "EPSP peak: 103.245 CADC LSB" in text
    assert "spike steps: [" in text and "spike steps: []" not in text
    assert "spike counts: {'excitatory': 4, 'inhibitory': 1, 'neuron':" in text
    # the studio rendered: the last cell's output is a Panel/Bokeh view
    studio_cell = next(c for c in nb.cells if "hxstudio.Studio(" in c.source)
    assert any("application/vnd.holoviews_exec.v0+json" in o.get("data", {}) or
               "text/html" in o.get("data", {}) for o in studio_cell.outputs)
