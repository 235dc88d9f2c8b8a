"""`nnstudio evaluate` scores a project with the standard MNIST test files on exactly those (t10k) rows."""

import json

from nnstudio import cli
from nnstudio.core.examples import digits
from nnstudio.core.project import save_project
from tests.core.test_mnist_test_files import write_mnist


def evaluated_rows(capsys, project_path) -> int:
    assert cli.main(["evaluate", str(project_path), "--json"]) == 0
    metrics = json.loads(capsys.readouterr().out.strip().splitlines()[-1])["test"]
    (output,) = metrics.values()
    return sum(map(sum, output["confusion_matrix"]))


def test_evaluate_uses_the_t10k_rows_as_the_test_set(tmp_path, capsys):
    paths = write_mnist(tmp_path / "mnist", train=60, test=10, zipped=True)
    project = digits()
    next(node for node in project.graph.nodes.values() if node.type == "Input").params["shape"] = [4, 4]
    project.data.source = {"kind": "idx", **{role: str(path) for role, path in paths.items()}}
    project.data.scaling, project.data.test_fraction = "pixels", 0.5
    save_project(project, tmp_path / "mnist.nnstudio")
    assert evaluated_rows(capsys, tmp_path / "mnist.nnstudio") == 10

    project.data.source["test_from_files"] = False   # the student unticked "use the standard test files"
    save_project(project, tmp_path / "split.nnstudio")
    assert evaluated_rows(capsys, tmp_path / "split.nnstudio") == 30  # half of the 60 training rows
