"""The engine must never import Qt: it runs headless (CLI, tests) and in a worker thread."""

from __future__ import annotations

import ast
import pathlib
import subprocess
import sys

import nnstudio.engine

ENGINE = pathlib.Path(nnstudio.engine.__file__).parent
QT_MODULES = ("PySide6", "PyQt5", "PyQt6", "pyqtgraph", "shiboken6", "nnstudio.gui")


def _imported_modules(path: pathlib.Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_engine_sources_import_no_qt():
    offenders = {}
    for path in sorted(ENGINE.rglob("*.py")):
        bad = [m for m in _imported_modules(path) if m.split(".")[0] in QT_MODULES or m.startswith("nnstudio.gui")]
        if bad:
            offenders[str(path.relative_to(ENGINE))] = bad
    assert not offenders, f"the engine imports Qt: {offenders}"


def test_importing_the_engine_loads_no_qt():
    code = ("import sys, nnstudio.engine, nnstudio.engine.training; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'PyQt5', 'PyQt6', 'pyqtgraph')]; "
            "print(bad); sys.exit(1 if bad else 0)")
    root = pathlib.Path(nnstudio.engine.__file__).parents[2]
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
