"""Exported code from a hostile project file: its strings stay data in model.py and train.py, never code."""

import ast
import io
import json
import keyword
import re
import tokenize
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from export_helpers import ROOT, run_python

from nnstudio.core.project import ProjectError, load_project, loads_project
from nnstudio.engine.export import export_model
from nnstudio.engine.export.codegen import class_name_for, code_names, model_source, train_source
from nnstudio.core.data import load_source
from nnstudio.engine.pipeline import build_model, load_project_data

EXAMPLES = ROOT / "resources" / "examples"
# Each payload, run as code, leaves a file called PWNED in the folder the script runs in.
PAYLOADS = [
    "__import__('os').system('touch PWNED')",
    '"); import os; os.system("touch PWNED"); ("',
    'x"""\n__import__(\'os\').system(\'touch PWNED\')\n"""',
    "x'''\nopen('PWNED', 'w')\n'''",
    "a\\N{b} \\x \\ \"\"\"\nopen('PWNED', 'w')  # %%LOSSES%% %%CLASS%%",
    "ok\r\nopen('PWNED', 'w')\n#",
]
# Layer names must also be module names (no dots) for the network to compile at all.
NAME_PAYLOADS = ["x\nopen('PWNED', 'w')\n#", "y\"\"\"\ngetattr(__import__('os'), 'system')('touch PWNED')\n#",
                 "__debug__", "None", "__mangled"]
MARKERS = ("PWNED", "system", "__import__", "open(")


def code_outside_literals(source: str) -> str:
    """The source's code tokens only: strings and comments left out (what would run)."""
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return " ".join(t.string for t in tokens if t.type not in (tokenize.STRING, tokenize.COMMENT))


def assert_only_data(folder: Path) -> dict[str, ast.Module]:
    """Every .py file parses, and no payload marker is anywhere but in a string or a comment."""
    trees = {}
    for file in sorted(folder.glob("*.py")):
        source = file.read_text(encoding="utf-8")
        trees[file.name] = ast.parse(source, file.name)  # a SyntaxError fails the test here
        code = code_outside_literals(source)
        for marker in MARKERS:
            assert marker not in code, (file.name, marker)
        for node in ast.walk(trees[file.name]):
            for name in _names(node):
                assert name.isascii() and name.isidentifier(), (file.name, name)
    assert "model.py" in trees
    return trees


def _names(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, ast.Attribute):
        return [node.attr]
    if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
        return [node.name]
    if isinstance(node, ast.alias):
        return [node.asname or node.name.split(".")[0]]
    return []


def constants(tree: ast.Module) -> dict[str, object]:
    """Top-level NAME = <literal> assignments of a module."""
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            try:
                found[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                pass
    return found


def export_and_run(project, folder: Path) -> dict[str, ast.Module]:
    data = load_project_data(project)
    model = build_model(project, data.context)
    model.eval()
    export_model(model, "python", folder, trained=False, project=project)
    trees = assert_only_data(folder)
    assert "train.py" in trees
    done = run_python("import model", folder, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    done = run_python("", folder, timeout=180, args=("train.py", "--epochs", "1", "--init-weights",
                                                         "initial_weights.safetensors"))
    assert done.returncode == 0, done.stderr[-2000:]
    assert "epoch 1/1" in done.stdout
    assert not list(folder.rglob("PWNED")) and not list(folder.parent.rglob("PWNED"))
    return trees


def hostile_file(tmp_path: Path, example: str, change) -> Path:
    """A copy of an example project file with `change(raw_json)` applied, next to the test's folders."""
    raw = json.loads((EXAMPLES / f"{example}.nnstudio").read_text(encoding="utf-8"))
    change(raw)
    path = tmp_path / f"{example}.nnstudio"
    path.write_text(json.dumps(raw), encoding="utf-8")
    return path


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_hostile_title_and_monitor_from_a_file_stay_text(tmp_path, payload):
    def change(raw):
        raw["title"] = payload
        raw["training"]["early_stopping"] = {"enabled": True, "monitor": payload, "patience": 3}
    project = load_project(hostile_file(tmp_path, "xor", change))
    assert project.title == payload and project.training.early_stopping.monitor == payload
    trees = export_and_run(project, tmp_path / "code")
    assert constants(trees["train.py"])["MONITOR"] == "val_loss"  # not a loss the script measures
    model_doc = ast.get_docstring(trees["model.py"], clean=False)
    assert " ".join(payload.split()) in " ".join(model_doc.split())  # the docstring reads back as the title


def test_a_monitor_with_a_trailing_newline_is_not_taken_as_a_loss_name(tmp_path):
    def change(raw):
        raw["training"]["early_stopping"] = {"enabled": True, "monitor": "loss\n", "patience": 3}
    trees = export_and_run(load_project(hostile_file(tmp_path, "xor", change)), tmp_path / "code")
    assert constants(trees["train.py"])["MONITOR"] == "val_loss"


@pytest.mark.parametrize("example", ["xor", "wide_deep"])
def test_layer_names_the_file_allows_but_python_does_not(tmp_path, example):
    """Keywords, `__debug__` and `__x` (name-mangled inside a class) pass the file's name rule."""
    def change(raw):
        raw["title"] = PAYLOADS[2]
        for node, name in zip(raw["graph"]["nodes"], ["None", "__debug__", "__mangled", "class", "lambda"]):
            node["name"] = name
    export_and_run(load_project(hostile_file(tmp_path, example, change)), tmp_path / "code")


def test_layer_names_like_code_are_refused_by_the_file_and_renamed_by_the_exporter(tmp_path):
    def change(raw):
        raw["graph"]["nodes"][0]["name"] = NAME_PAYLOADS[0]
    with pytest.raises(ProjectError):
        load_project(hostile_file(tmp_path, "xor", change))
    # The exporter does not count on that check: a graph changed in memory could skip it.
    hostile = NAME_PAYLOADS + ["layer_x_open__PWNED____w____", "", "9lives", "ﬁ", "fi", "self", "train"]
    names = code_names(SimpleNamespace(node_names={str(k): name for k, name in enumerate(hostile)}))
    assert len(set(names.values())) == len(hostile)
    for code in names.values():
        assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", code) and not keyword.iskeyword(code), code
        assert not code.startswith("__") and code not in ("__debug__", "self", "train")


def test_hostile_csv_file_name_and_column_names(tmp_path):
    """A data file named like code, with long column names holding spaces, quotes and commas."""
    folder = tmp_path / "data"
    folder.mkdir()
    columns = [f"{payload} with some words to make the list wrap over lines, {k}"
               for k, payload in enumerate(["x'); open('PWNED', 'w'); ('", '"); open("PWNED", "w"); ("',
                                            "y ''' \"\"\" \\ \\N{z}"])]
    rows = ["0,0,0", "0,1,1", "1,0,1", "1,1,0"] * 3
    header = ",".join('"' + c.replace('"', '""') + '"' for c in columns)
    csv_path = folder / 'd"""\nopen(\'PWNED\', \'w\')\n""".csv'
    csv_path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    project = load_project(EXAMPLES / "xor.nnstudio")
    project.data.source = {"kind": "csv", "path": str(csv_path)}
    assert load_source(project.data.source).columns == columns
    trees = export_and_run(project, tmp_path / "code")
    found = constants(trees["train.py"])
    assert found["INPUT_COLUMNS"] == [columns[:2]] and found["TARGET_COLUMNS"] == [[columns[2]]]


@pytest.mark.parametrize("title, expected", [("None", "Model"), ("true", "Model"), ("F", "Model"),
                                             ("Distributed Sampler", "Model"), ("SEED", "Model"),
                                             ("\\N{x} ' \" \n", "NX")])
def test_class_names_are_never_keywords_or_names_the_code_uses(title, expected):
    assert class_name_for(title) == expected


TEXT = st.lists(st.one_of(st.sampled_from(list("\\'\"\n\r\t\x00 #%{}N") + ['"""', "'''", "%%LOSSES%%"]),
                          st.characters()), max_size=30).map("".join)


@pytest.fixture(scope="module")
def xor_export():
    project = load_project(EXAMPLES / "xor.nnstudio")
    data = load_project_data(project)
    model = build_model(project, data.context)
    return project, model, load_source(project.data.source)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=TEXT, monitor=st.one_of(TEXT, TEXT.map(lambda s: f"val_{s}_loss")))
def test_random_titles_and_monitors_parse_and_read_back(xor_export, title, monitor):
    project, model, table = xor_export
    project.title = title
    project.training.early_stopping.monitor = monitor
    model_tree = ast.parse(model_source(model, project.graph.to_dict(), title))
    train_tree = ast.parse(train_source(model, project, table).text)
    for tree in (model_tree, train_tree):
        assert " ".join(title.split()) in " ".join(ast.get_docstring(tree, clean=False).split())
    watched = monitor if re.fullmatch(r"(val_)?([A-Za-z0-9_]+_)?loss", monitor) else "val_loss"
    assert constants(train_tree)["MONITOR"] == watched
    class_name = next(node.name for node in model_tree.body if isinstance(node, ast.ClassDef))
    assert class_name == class_name_for(title) and class_name.isidentifier()
