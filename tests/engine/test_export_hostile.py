"""Exported code from a hostile project file: its strings stay data in model.py and train.py, never code."""

import ast
import dataclasses
import io
import json
import keyword
import math
import re
import tokenize
import unicodedata
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from export_helpers import ROOT, run_python

from nnstudio.core.project import ProjectError, load_project
from nnstudio.engine.export import ExportError, export_model
from nnstudio.engine.export.code_literals import comment_text, docstring_text
from nnstudio.engine.export.codegen import class_name_for, code_names, model_source, python_list, train_source
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


def assert_only_data(folder: Path, example: str = "xor") -> dict[str, ast.Module]:
    """Every .py file parses, and no payload marker is anywhere but in a string or a comment."""
    sources = {file.name: file.read_bytes() for file in sorted(folder.glob("*.py"))}
    assert "model.py" in sources
    return assert_sources_only_data(sources, example)


def assert_sources_only_data(sources: dict, example: str) -> dict[str, ast.Module]:
    """The checks of assert_only_data on generated texts: parse (as bytes, the way Python reads a file, coding
    line included), no marker in code, plain names, and no call the clean example's code does not make."""
    trees = {}
    for name, source in sources.items():
        data = source.encode("utf-8") if isinstance(source, str) else source
        trees[name] = ast.parse(data, name)  # a SyntaxError fails the test here
        code = code_outside_literals(data.decode("utf-8"))
        for marker in MARKERS:
            assert marker not in code, (name, marker)
        for node in ast.walk(trees[name]):
            for identifier in _names(node):
                assert identifier.isascii() and identifier.isidentifier(), (name, identifier)
        unexpected = call_names(trees[name]) - clean_calls(example)[name]
        assert not unexpected, (name, unexpected)
    return trees


def call_names(tree: ast.Module) -> set[str]:
    """The dotted names of every function a module calls; `self.<layer>(...)` counts as one name."""
    layers = {target.attr for node in ast.walk(tree) if isinstance(node, ast.Assign)
              for target in node.targets if isinstance(target, ast.Attribute)
              and isinstance(target.value, ast.Name) and target.value.id == "self"}
    # The network's class is named after the title: model.py defines it, train.py imports it from model.
    classes = {node.name for node in ast.walk(tree) if isinstance(node, ast.ClassDef)}
    classes |= {alias.asname or alias.name for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom) and node.module == "model" for alias in node.names}
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            parts, func = [], node.func
            while isinstance(func, ast.Attribute):
                parts.insert(0, func.attr)
                func = func.value
            parts.insert(0, func.id if isinstance(func, ast.Name) else "<expression>")
            if parts[0] == "self" and len(parts) == 2 and parts[1] in layers:
                parts[1] = "<layer>"
            if len(parts) == 1 and parts[0] in classes:
                parts[0] = "<network class>"
            found.add(".".join(parts))
    return found


@lru_cache(maxsize=None)
def clean_calls(example: str) -> dict[str, set[str]]:
    """The allow-list: what the unchanged example's model.py and train.py call."""
    project = load_project(EXAMPLES / f"{example}.nnstudio")
    model = build_model(project, load_project_data(project).context)
    table = load_source(project.data.source, project.base_dir)
    return {"model.py": call_names(ast.parse(model_source(model, project.graph.to_dict(), project.title))),
            "train.py": call_names(ast.parse(train_source(model, project, table).text))}


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


def export_and_run(project, folder: Path, example: str = "xor") -> dict[str, ast.Module]:
    data = load_project_data(project)
    model = build_model(project, data.context)
    model.eval()
    export_model(model, "python", folder, trained=False, project=project)
    trees = assert_only_data(folder, example)
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
    assert watched_note((tmp_path / "code" / "train.py").read_text(encoding="utf-8")) == payload
    for tree in trees.values():  # the docstrings read back as the title
        assert " ".join(payload.split()) in " ".join(ast.get_docstring(tree, clean=False).split())


def watched_note(source: str) -> str:
    """The monitor NN Studio watched, read back from the comment after MONITOR = ..."""
    line = next(line for line in source.splitlines() if line.startswith("MONITOR = "))
    comment = next(t.string for t in tokenize.generate_tokens(io.StringIO(line).readline)
                   if t.type == tokenize.COMMENT)
    return ast.literal_eval(re.fullmatch(r"# NN Studio watched (.*); this script does not measure it",
                                         comment).group(1))


def test_wide_and_deep_with_a_hostile_title_monitor_and_layer_names(tmp_path):
    title = "50% %(prog)s " + PAYLOADS[4]  # argparse %-formats a description that holds %(prog)
    def change(raw):
        raw["title"] = title
        raw["training"]["early_stopping"] = {"enabled": True, "monitor": PAYLOADS[1], "patience": 3}
        for node, name in zip(raw["graph"]["nodes"], ["__debug__", "print", "exec"]):
            node["name"] = name
    trees = export_and_run(load_project(hostile_file(tmp_path, "wide_deep", change)), tmp_path / "code",
                           "wide_deep")
    done = run_python("", tmp_path / "code", timeout=60, args=("train.py", "--help"))
    assert done.returncode == 0 and "50% %(prog)s" in " ".join(done.stdout.split()), done.stderr[-2000:]
    assert constants(trees["train.py"])["MONITOR"] == "val_loss"
    # Layers named like builtins get a suffix: forward() never binds `print` or `exec` as a variable.
    assert not {"print", "exec"} & {node.id for node in ast.walk(trees["model.py"]) if isinstance(node, ast.Name)}


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
    export_and_run(load_project(hostile_file(tmp_path, example, change)), tmp_path / "code", example)


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
        # Letters of any script are fine (Python reads '은닉층'), as long as Python reads the name back unchanged.
        assert code.isidentifier() and unicodedata.normalize("NFKC", code) == code, code
        assert not keyword.iskeyword(code), code
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
    # A loss, or a score the XOR output measures (it measures accuracy), is watched as it is; anything else is not.
    measured = re.fullmatch(r"(val_)?([A-Za-z0-9_]+_)?loss", monitor) or re.fullmatch(r"(val_)?accuracy", monitor)
    watched = monitor if measured else "val_loss"
    assert constants(train_tree)["MONITOR"] == watched
    class_name = next(node.name for node in model_tree.body if isinstance(node, ast.ClassDef))
    assert class_name == class_name_for(title) and class_name.isidentifier()


# Spliced between double quotes this is code that runs: "x" + open('PWNED', 'w').name + ""
HOSTILE = "x\" + open('PWNED', 'w').name + \""


def _set(obj, key, value):
    object.__setattr__(obj, key, value)  # settings objects may be frozen: this is a change made in memory


def _first_output(model, **changes):
    output_id = model.output_ids[0]
    model.output_configs[output_id] = dataclasses.replace(model.output_configs[output_id], **changes)


def _first_dense(model, name):
    _set(next(m for m in model.layers.values() if hasattr(m, "activation_name")), "activation_name", name)


# Values the project file would refuse, set on the objects in memory (a future loader, a plugin, a bug):
# the exporter must refuse them or write them as data, never splice them in.
REFUSED = {
    "optimizer": lambda p, m: _set(p.training, "optimizer", HOSTILE),
    "learning rate as text": lambda p, m: _set(p.training, "learning_rate", "0.1); open('PWNED', 'w'); (1"),
    "learning rate nan": lambda p, m: _set(p.training, "learning_rate", math.nan),
    "momentum infinite": lambda p, m: _set(p.training, "momentum", math.inf),
    "epochs a float": lambda p, m: _set(p.training, "epochs", 1.5),
    "epochs a bool": lambda p, m: _set(p.training, "epochs", True),
    "seed as text": lambda p, m: _set(p.training, "seed", "1; open('PWNED', 'w')"),
    "patience as text": lambda p, m: _set(p.training.early_stopping, "patience", "3\nopen('PWNED', 'w')"),
    "min delta as text": lambda p, m: _set(p.training.early_stopping, "min_delta", HOSTILE),
    "loss weight as text": lambda p, m: _first_output(m, loss_weight=HOSTILE),
    "loss name": lambda p, m: _first_output(m, loss=HOSTILE),
    "dense activation": lambda p, m: _first_dense(m, HOSTILE),
    "dense activation a list": lambda p, m: _first_dense(m, ["relu"]),
}
WRITTEN_AS_DATA = {
    "title a number": lambda p, m: _set(p, "title", 5),
    "title None": lambda p, m: _set(p, "title", None),
    "scaling": lambda p, m: _set(p.data, "scaling", HOSTILE),
    "device": lambda p, m: _set(p.training, "device", "cuda" + HOSTILE),
    "monitor a list": lambda p, m: _set(p.training.early_stopping, "monitor", [HOSTILE]),
    "dataset name": lambda p, m: _set(p.data, "source", {"kind": "builtin", "name": 'x"""\n' + HOSTILE}),
    "dataset name a list": lambda p, m: _set(p.data, "source", {"kind": "builtin", "name": [HOSTILE]}),
    "data path": lambda p, m: _set(p.data, "source", {"kind": "csv", "path": 'd"""\n' + HOSTILE + ".csv"}),
    "output activation": lambda p, m: _first_output(m, activation=HOSTILE),
}


def _fresh(example="xor"):
    project = load_project(EXAMPLES / f"{example}.nnstudio")
    model = build_model(project, load_project_data(project).context)
    return project, model, load_source(project.data.source, project.base_dir)


def _sources(project, model, table) -> dict[str, str]:
    return {"model.py": model_source(model, project.graph.to_dict(), project.title),
            "train.py": train_source(model, project, table).text}


@pytest.mark.parametrize("change", list(REFUSED), ids=list(REFUSED))
def test_values_changed_in_memory_that_cannot_be_written_are_refused_in_words(change):
    project, model, table = _fresh()
    REFUSED[change](project, model)
    with pytest.raises(ExportError):
        _sources(project, model, table)


@pytest.mark.parametrize("change", list(WRITTEN_AS_DATA), ids=list(WRITTEN_AS_DATA))
def test_text_changed_in_memory_is_written_as_data(change):
    project, model, table = _fresh()
    WRITTEN_AS_DATA[change](project, model)
    trees = assert_sources_only_data(_sources(project, model, table), "xor")
    if change == "scaling":
        assert constants(trees["train.py"])["SCALING"] == HOSTILE
    if change in ("dataset name", "data path"):
        doc = ast.get_docstring(trees["train.py"], clean=False)
        assert HOSTILE in doc and '"""\n' in doc  # read back as the text it was, quotes and line break too


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(scaling=TEXT, dataset=TEXT, path=TEXT)
def test_random_data_texts_parse_and_read_back(xor_export, scaling, dataset, path):
    project, model, table = xor_export
    for source in ({"kind": "builtin", "name": dataset}, {"kind": "csv", "path": path}):
        project.data.source = source
        project.data.scaling = scaling
        tree = ast.parse(train_source(model, project, table).text.encode("utf-8"))
        assert constants(tree)["SCALING"] == scaling
        shown = dataset if source["kind"] == "builtin" else Path(path).name
        assert " ".join(shown.split()) in " ".join(ast.get_docstring(tree, clean=False).split())


@settings(max_examples=200, deadline=None)
@given(text=TEXT)
def test_docstring_and_comment_text_read_back_exactly(text):
    assert ast.literal_eval('"""' + docstring_text(text) + '"""') == text
    comment = "# " + comment_text(text) + "\n"
    tokens = [t for t in tokenize.generate_tokens(io.StringIO(comment).readline)
              if t.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.ENDMARKER)]
    assert [t.type for t in tokens] == [tokenize.COMMENT]  # the whole text stays one comment on one line
    assert ast.literal_eval(tokens[0].string[2:]) == text


@settings(max_examples=100, deadline=None)
@given(values=st.lists(st.one_of(TEXT, st.floats(allow_nan=False, allow_infinity=False)), max_size=12),
       indent=st.integers(0, 8))
def test_column_and_class_lists_read_back_exactly(values, indent):
    assert ast.literal_eval(python_list(values, indent)) == values


@settings(max_examples=100, deadline=None)
@given(names=st.lists(TEXT, unique=True, min_size=1, max_size=8))
def test_random_layer_names_become_distinct_plain_identifiers(names):
    codes = code_names(SimpleNamespace(node_names={str(k): name for k, name in enumerate(names)}))
    assert len(set(codes.values())) == len(names)
    for code in codes.values():
        # Letters of any script are fine (Python reads '은닉층'), as long as Python reads the name back unchanged.
        assert code.isidentifier() and unicodedata.normalize("NFKC", code) == code, code
        assert not keyword.iskeyword(code), code
        assert not code.startswith("__") and code != "self", code
