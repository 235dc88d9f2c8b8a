"""The three layers stay apart (core knows neither torch nor Qt, engine no Qt, gui reaches torch only through
engine), and no module imports itself in a circle."""

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
    # The window asks the engine for predictions, weights and models; only the engine speaks torch.
    ("nnstudio/gui", {"torch", "safetensors"}),
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


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports_of(path: Path, module: str, known: set[str]) -> set[str]:
    """Every nnstudio module this file imports, at the top or inside functions (not under TYPE_CHECKING)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = {id(node) for branch in ast.walk(tree)
               if isinstance(branch, ast.If) and "TYPE_CHECKING" in ast.unparse(branch.test)
               for node in ast.walk(branch)}
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    found = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package[:len(package) - (node.level - 1)]
                base = ".".join(parent + ([node.module] if node.module else []))
            found.update(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names)
    return {name for name in found if name in known and name != module}


def import_cycles(folder: Path) -> list[list[str]]:
    """Groups of modules that import each other in a circle (Tarjan's strongly connected components)."""
    paths = {_module_name(path, folder.parent): path for path in folder.rglob("*.py")}
    graph = {module: _imports_of(path, module, set(paths)) for module, path in paths.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for other in graph[module]:
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = []
            while True:
                other = stack.pop()
                group.append(other)
                if other == module:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for module in graph:
        if module not in index:
            visit(module)
    return cycles


def test_no_module_imports_itself_in_a_circle():
    assert import_cycles(ROOT / "nnstudio") == []


def test_the_cycle_finder_finds_a_cycle(tmp_path):
    package = tmp_path / "nnstudio"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from . import b\n")
    (package / "b.py").write_text("def later():\n    from .a import thing\n")
    (package / "c.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .a import x\n")
    assert import_cycles(package) == [["nnstudio.a", "nnstudio.b"]]
