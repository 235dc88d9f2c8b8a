"""The three layers stay apart: core knows neither torch nor Qt, engine knows no Qt."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _imported_modules(folder: Path) -> set[tuple[str, str]]:
    found = set()
    for path in folder.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found.update((path.name, alias.name.split(".")[0]) for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add((path.name, node.module.split(".")[0]))
    return found


@pytest.mark.parametrize("folder, forbidden", [
    ("nnstudio/core", {"torch", "PySide6", "pyqtgraph", "shiboken6"}),
    ("nnstudio/engine", {"PySide6", "pyqtgraph", "shiboken6"}),
])
def test_layer_imports_stay_in_their_lane(folder, forbidden):
    bad = sorted(f"{file} imports {module}" for file, module in _imported_modules(ROOT / folder)
                 if module in forbidden)
    assert not bad, bad


def test_importing_core_loads_neither_torch_nor_qt():
    code = ("import sys, nnstudio.core.graph, nnstudio.core.analysis, nnstudio.core.project, "
            "nnstudio.core.examples, nnstudio.core.data; "
            "print(sorted(m for m in ('torch', 'PySide6', 'pyqtgraph') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"


def test_importing_engine_loads_no_qt():
    code = ("import sys, nnstudio.engine.compiler, nnstudio.engine.training; "
            "print(sorted(m for m in ('PySide6', 'pyqtgraph') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"
