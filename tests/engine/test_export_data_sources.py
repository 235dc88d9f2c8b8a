"""train.py reads the data as the app does: MNIST's t10k files are its test set, text columns are one-hot."""

import csv
import gzip
import io
import re

import numpy as np
import pytest
from export_helpers import run_python

from nnstudio.core.data import load_source
from nnstudio.core.data.binding import settings_for_new_data
from nnstudio.core.examples import digits
from nnstudio.core.graph import Graph
from nnstudio.core.project import Project
from nnstudio.engine.export import export_model
from nnstudio.engine.pipeline import effective_settings, load_project_data, train_project
from tests.core.test_mnist_test_files import idx_bytes

EPOCH_LINE = re.compile(r"epoch (\d+)/\d+  (.*)")
ROWS_LINE = re.compile(r"rows: (\d+) training, (\d+) validation, (\d+) test")


def printed(stdout: str) -> tuple[tuple[int, int, int], list[int], dict[str, float], dict[str, float]]:
    """What train.py said: its rows per part, its input widths, epoch 1's numbers and the test numbers."""
    rows = tuple(int(n) for n in ROWS_LINE.search(stdout).groups())
    widths = [int(w) for w in re.search(r"input widths: (.*)", stdout).group(1).split(", ")]
    epoch = next(EPOCH_LINE.fullmatch(line.strip()).group(2) for line in stdout.splitlines()
                 if EPOCH_LINE.fullmatch(line.strip()))
    test = next(line[len("test  "):] for line in stdout.splitlines() if line.startswith("test  "))

    def numbers(text):
        words = text.split()
        return {name: float(value) for name, value in zip(words[::2], words[1::2])}
    return rows, widths, numbers(epoch), numbers(test)


def train_and_export(project: Project, folder):
    """Train one epoch in the app, export the trained network with train.py, and run train.py from the same
    seeded start for one epoch."""
    data = load_project_data(project)
    trainer, result = train_project(project, effective_settings(project, epochs=1), data)
    export_model(trainer.model, "python", folder, trained=True, project=project)
    done = run_python("", folder, timeout=180, args=("train.py", "--epochs", "1", "--init-weights",
                                                     "initial_weights.safetensors"))
    assert done.returncode == 0, done.stderr[-3000:]
    return data, result, done.stdout


def write_mnist_files(folder, train=60, test=20, size=4):
    """The four standard files with random pixels and labels; the test files gzip-compressed, as downloaded."""
    folder.mkdir(parents=True)
    rng = np.random.default_rng(5)
    arrays = {"images": rng.integers(0, 256, (train, size, size)), "labels": rng.integers(0, 10, train),
              "test_images": rng.integers(0, 256, (test, size, size)), "test_labels": rng.integers(0, 10, test)}
    names = {"images": "train-images-idx3-ubyte", "labels": "train-labels-idx1-ubyte",
             "test_images": "t10k-images-idx3-ubyte.gz", "test_labels": "t10k-labels-idx1-ubyte.gz"}
    paths = {}
    for key, array in arrays.items():
        data = idx_bytes(np.asarray(array))
        paths[key] = folder / names[key]
        paths[key].write_bytes(gzip.compress(data) if names[key].endswith(".gz") else data)
    return paths


@pytest.fixture
def mnist_project(tmp_path):
    paths = write_mnist_files(tmp_path / "mnist")
    project = digits()  # the lecture's MLP, its Input made 4×4 for these small images
    next(node for node in project.graph.nodes.values() if node.type == "Input").params["shape"] = [4, 4]
    project.data.source = {"kind": "idx", **{key: str(path) for key, path in paths.items()}}
    project.data.scaling = "pixels"
    project.data.validation_fraction, project.data.test_fraction = 0.2, 0.3
    return project


def test_train_py_tests_on_the_t10k_rows_as_the_app_does(tmp_path, mnist_project):
    data, result, stdout = train_and_export(mnist_project, tmp_path / "code")
    prepared = data.prepared
    assert (len(prepared.train), len(prepared.validation), len(prepared.test)) == (48, 12, 20)
    rows, widths, epoch, test = printed(stdout)
    # Exactly the 20 t10k rows are the test set, and validation is split from the 60 training rows only.
    assert rows == (48, 12, 20) and "(the test files' rows)" in stdout
    assert widths == [16]
    for name in ("loss", "accuracy", "val_loss", "val_accuracy"):
        assert epoch[name] == pytest.approx(result.history.logs[name][0], abs=1e-4), name
    (app_test,) = result.test.values()  # the app's test scores of its one output
    assert test["accuracy"] == pytest.approx(app_test["accuracy"], abs=1e-4)
    # The script reads its own copies of the four files (the test files still compressed), not a data.csv.
    copies = sorted(p.name for p in (tmp_path / "code").iterdir() if "ubyte" in p.name)
    assert copies == ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", "train-images-idx3-ubyte",
                      "train-labels-idx1-ubyte"]
    assert not (tmp_path / "code" / "data.csv").exists()


def test_train_py_splits_the_training_files_when_the_test_files_are_not_the_test_set(tmp_path, mnist_project):
    mnist_project.data.source["test_from_files"] = False  # the student unticked "use the standard test files"
    data, result, stdout = train_and_export(mnist_project, tmp_path / "code")
    prepared = data.prepared
    rows, _, epoch, _ = printed(stdout)
    assert rows == (len(prepared.train), len(prepared.validation), len(prepared.test)) == (30, 12, 18)
    assert "(the test files' rows)" not in stdout
    assert epoch["val_loss"] == pytest.approx(result.history.logs["val_loss"][0], abs=1e-4)
    assert not list((tmp_path / "code").glob("t10k*"))


COLOURS = ["red", "blue", "green"]


def colour_project(folder, colours=COLOURS, column="colour") -> Project:
    """A CSV with a text input column (colour) and a number column; the label follows the colour. The saved
    category order (the alphabet's, reversed) is not the file's nor the alphabet's, so only the saved order can make
    the numbers agree."""
    folder.mkdir()
    rng = np.random.default_rng(3)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([column, "size", "label"])
    for k in range(20 * len(colours)):
        colour = colours[k % len(colours)]
        writer.writerow([colour, f"{rng.normal():.4f}", "yes" if colour == colours[0] else "no"])
    path = folder / "shapes.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    project = Project()
    source = {"kind": "csv", "path": str(path)}
    table = load_source(source)
    column = table.columns[0]  # as the app reads it (a line break in a name does not survive its reader)
    project.data = settings_for_new_data(project.data, source, table)
    names = list(table.class_names[column])
    project.data.source["categories"][column] = names[::-1]
    project.data.scaling = "standardize"
    project.graph = Graph()
    inputs = {"shape": [len(names) + 1], "columns": [column, "size"]}
    nodes = [project.graph.add_node("Input", "features", inputs),
             project.graph.add_node("Dense", "hidden", {"units": 5, "activation": "relu"}),
             project.graph.add_node("Output", "answer", {"task": "auto"})]
    for source, target in zip(nodes, nodes[1:]):
        project.graph.connect(source.id, source.output_ports()[0], target.id, target.input_ports()[0])
    return project


def nodes_id(project: Project, kind: str) -> str:
    return next(node.id for node in project.graph.nodes.values() if node.type == kind)


def test_train_py_encodes_a_text_column_one_hot_as_the_app_does(tmp_path):
    project = colour_project(tmp_path / "data")
    data, result, stdout = train_and_export(project, tmp_path / "code")
    assert data.table.class_names["colour"] == ("red", "green", "blue")  # not the file's order
    _, widths, epoch, test = printed(stdout)
    assert widths == [data.prepared.train.inputs[nodes_id(project, "Input")].shape[1]] == [4]
    # The same encoding, order and scaling (one-hot flags kept 0/1): the same numbers from the same start.
    for name in ("loss", "accuracy", "val_loss", "val_accuracy"):
        assert epoch[name] == pytest.approx(result.history.logs[name][0], abs=1e-4), name
    (app_test,) = result.test.values()
    assert test["accuracy"] == pytest.approx(app_test["accuracy"], abs=1e-4)
    # data.csv holds the colours as text, so a student can read it (and add rows of their own).
    assert (tmp_path / "code" / "data.csv").read_text(encoding="utf-8").splitlines()[1].startswith("red,")


def test_an_unseen_category_is_refused_with_its_row_column_and_value(tmp_path):
    project = colour_project(tmp_path / "data")
    data = load_project_data(project)
    export_model(train_project(project, effective_settings(project, epochs=1), data)[0].model, "python",
                 tmp_path / "code", trained=True, project=project)
    csv_path = tmp_path / "code" / "data.csv"
    lines = csv_path.read_text(encoding="utf-8").splitlines()
    csv_path.write_text("\n".join(lines[:4] + ["purple,0.5,yes"] + lines[4:]) + "\n", encoding="utf-8")
    done = run_python("", tmp_path / "code", timeout=120, args=("train.py", "--epochs", "1"))
    assert done.returncode != 0
    assert ("data.csv, row 5, column 'colour': 'purple' is not one of the 3 categories NN Studio trained with "
            "('red', 'green', 'blue')") in done.stderr
    assert "Traceback" not in done.stderr
