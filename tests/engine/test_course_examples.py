"""The course's example projects: the settings of the notes, and with (tiny, fake) cached data they load, compile
and train; without it they say the data is not downloaded yet."""

from __future__ import annotations

import pytest

from nnstudio.core.data import downloads
from nnstudio.core.examples import build_example, example_path
from nnstudio.core.project import load_project
from nnstudio.engine.pipeline import (
    RunError,
    build_model,
    effective_settings,
    load_project_data,
    train_project,
)
from tests.core.dataset_server import fake_dataset, fake_mnist_files, serving

COURSE = {"fashion_1_sigmoid": "fashion-mnist", "fashion_2_relu_adam": "fashion-mnist",
          "fashion_3_dropout": "fashion-mnist", "mnist_first_network": "mnist"}


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv(downloads.DATA_DIR_VARIABLE, str(tmp_path / "cache"))
    monkeypatch.delenv(downloads.MIRRORS_VARIABLE, raising=False)
    return tmp_path / "cache"


def test_the_notes_settings():
    sigmoid, relu, dropout, mnist = (build_example(name) for name in COURSE)
    for project in (sigmoid, relu, dropout, mnist):
        assert project.data.scaling == "pixels"   # train_input / 255.0
        assert project.data.source["kind"] == "dataset"
        assert [n.type for n in project.graph.nodes.values()][:2] == ["Input", "Flatten"]
    for project in (sigmoid, relu, dropout):      # train_test_split(test_size=0.2, random_state=42)
        assert (project.data.validation_fraction, project.data.split_seed) == (0.2, 42)
    hidden = {name: next(n.params for n in build_example(name).graph.nodes.values() if n.type == "Dense")
              for name in COURSE}
    assert (hidden["fashion_1_sigmoid"]["units"], hidden["fashion_1_sigmoid"]["activation"]) == (100, "sigmoid")
    assert (hidden["fashion_2_relu_adam"]["units"], hidden["fashion_2_relu_adam"]["activation"]) == (100, "relu")
    assert (hidden["mnist_first_network"]["units"], hidden["mnist_first_network"]["activation"]) == (512, "relu")
    assert (sigmoid.training.optimizer, sigmoid.training.epochs) == ("rmsprop", 5)
    assert (relu.training.optimizer, relu.training.epochs) == ("adam", 5)
    assert [n.params["rate"] for n in dropout.graph.nodes.values() if n.type == "Dropout"] == [0.3]
    stopping = dropout.training.early_stopping
    assert (stopping.enabled, stopping.monitor, stopping.patience, stopping.restore_best) == \
        (True, "val_loss", 2, True)
    assert (mnist.training.optimizer, mnist.training.batch_size, mnist.training.epochs) == ("rmsprop", 128, 5)
    assert mnist.data.validation_fraction == 0.0 and mnist.training.validation_split == 0.0   # all 60,000 train
    for project in (sigmoid, relu, dropout, mnist):   # each names its chapter and the result the notes report
        assert "chapter" in project.notes and ("about 0.8" in project.notes or "about 0.978" in project.notes)


@pytest.mark.parametrize("name", list(COURSE))
def test_without_the_data_the_example_says_it_is_not_downloaded(cache, name):
    project = load_project(example_path(name))
    with pytest.raises(RunError, match="not downloaded yet"):
        load_project_data(project)


def test_with_cached_data_each_example_loads_compiles_and_trains(cache, monkeypatch):
    files = fake_mnist_files(train=60, test=20, size=28)
    with serving(files) as server:
        for key in ("fashion-mnist", "mnist"):
            monkeypatch.setitem(downloads.DATASETS, key, fake_dataset(key, files, (server.mirror("ok"),)))
            downloads.download(key)
    for name in COURSE:
        project = load_project(example_path(name))
        data = load_project_data(project)
        assert build_model(project, data.context) is not None
        _, result = train_project(project, effective_settings(project, epochs=1), data)
        assert len(result.history.logs["loss"]) == 1
        output = next(n.name for n in project.graph.nodes.values() if n.type == "Output")
        assert 0.0 <= result.test[output]["accuracy"] <= 1.0
        assert len(data.prepared.test) == 20   # the standard test files are the test set
