"""Import hygiene of hxstudio.widgets: no torch, no backend, no network at import; documented params."""

import ast
import inspect
import pathlib
import subprocess
import sys

import param
import pytest
from panel.viewable import Viewer

import hxstudio.widgets as widgets

WIDGETS_DIR = pathlib.Path(widgets.__file__).parent
SOURCES = sorted(WIDGETS_DIR.rglob("*.py"))


def _forbidden(module: str) -> bool:
    if module == "torch" or module.startswith("torch."):
        return True
    if module == "hxstudio" or module.startswith("hxstudio."):
        return not (module == "hxstudio.widgets" or module.startswith("hxstudio.widgets."))
    return False


def _imported_modules(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level >= 2:  # from .. import x: leaves hxstudio.widgets
                yield node.lineno, "hxstudio." + "." * (node.level - 2) + (node.module or "")
            elif node.level == 0:
                yield node.lineno, node.module or ""
        elif isinstance(node, ast.Call):
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            if name in ("import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant):
                yield node.lineno, str(node.args[0].value)


def test_sources_found():
    assert {p.name for p in SOURCES} >= {"__init__.py", "network_editor.py", "parameter_panel.py",
                                         "stimulus_editor.py", "plots.py", "run_controls.py",
                                         "sweep_panel.py", "resource_meter.py"}


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_no_torch_or_backend_imports(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    bad = [f"{path.name}:{line}: {module}" for line, module in _imported_modules(tree) if _forbidden(module)]
    assert bad == []


def test_forbidden_detector():
    tree = ast.parse("import torch.nn\nfrom hxstudio.backend import x\nfrom .. import network\n"
                     "from hxstudio.widgets import plots\nimport importlib\nimportlib.import_module('torch')\n")
    assert [m for _, m in _imported_modules(tree) if _forbidden(m)] == [
        "torch.nn", "hxstudio.backend", "hxstudio.", "torch"]


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_no_external_urls_or_extension_calls(path):
    text = path.read_text(encoding="utf-8")
    assert "http://" not in text and "https://" not in text
    tree = ast.parse(text)
    calls = [getattr(n.func, "attr", "") for n in ast.walk(tree) if isinstance(n, ast.Call)]
    assert "extension" not in calls  # the app calls pn.extension(..., inline=True), never a widget module


def test_import_loads_neither_torch_nor_backend():
    code = ("import sys, hxstudio.widgets; "
            "bad = [m for m in sys.modules if m == 'torch' or m.startswith(('torch.', 'hxstudio.backend'))]; "
            "print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


VIEWERS = [obj for _, obj in inspect.getmembers(widgets, inspect.isclass) if issubclass(obj, Viewer)]


def test_exports():
    assert {v.__name__ for v in VIEWERS} == {"NetworkEditor", "ParameterPanel", "StimulusEditor", "TracePlot",
                                             "RasterPlot", "RunControls", "SweepPanel", "ResourceMeter",
                                             "PopulationHeatmap", "RateSummary", "ResultsView", "DataDownloads"}


@pytest.mark.parametrize("cls", VIEWERS, ids=lambda c: c.__name__)
def test_public_params_documented(cls):
    own = set(cls.param) - set(Viewer.param)
    missing = [name for name in own if not name.startswith("_") and not (cls.param[name].doc or "").strip()]
    assert missing == []
    assert cls.__doc__ and cls.__panel__ is not Viewer.__panel__
    assert isinstance(cls().__panel__(), param.Parameterized)
