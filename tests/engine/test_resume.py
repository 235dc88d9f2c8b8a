"""Training goes on where it stopped: 10 epochs, save, reopen, 10 more equals 20 epochs in one go."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
import torch

from nnstudio.core.bundle import BundleError, bundle_bytes
from nnstudio.core.examples import build_example
from nnstudio.engine.bundle_io import load_bundle, save_bundle, save_trainer_bundle
from nnstudio.engine.callbacks import Callback
from nnstudio.engine.pipeline import build_model, effective_settings, load_project_data
from nnstudio.engine.training import Trainer


def iris_with_dropout(optimizer: str):
    """Iris with Dropout between two Dense layers: shuffling and dropout masks both matter."""
    project = build_example("iris")
    graph = project.graph
    edge = next(e for e in graph.edges.values() if e.source == "n2")
    graph.disconnect(edge.id)
    dropout = graph.add_node("Dropout", "drop", {"rate": 0.3})
    second = graph.add_node("Dense", "second", {"units": 8, "activation": "relu"})
    graph.connect("n2", "out", dropout.id, "in")
    graph.connect(dropout.id, "out", second.id, "in")
    graph.connect(second.id, "out", "n3", "in")
    project.training.optimizer = optimizer
    project.training.batch_size = 16
    project.training.shuffle = True
    return project


@pytest.fixture(scope="module")
def data():
    return load_project_data(iris_with_dropout("adam"))


def train(project, data, epochs: int, model=None, resume=None):
    settings = effective_settings(project, epochs=epochs)
    trainer = Trainer(model if model is not None else build_model(project, data.context), settings)
    note = trainer.continue_from(resume) if resume is not None else ""
    history = trainer.fit(data.prepared.train, data.prepared.validation)
    return trainer, history, note


def optimizer_tensors(trainer) -> list[torch.Tensor]:
    return [value for entry in trainer.optimizer.state_dict()["state"].values() for value in entry.values()
            if torch.is_tensor(value)]


@pytest.mark.parametrize("optimizer", ["adam", "momentum"])
def test_ten_epochs_saved_reopened_and_ten_more_equal_twenty_in_one_go(optimizer, data, tmp_path):
    project = iris_with_dropout(optimizer)
    whole, whole_history, _ = train(project, data, 20)

    first, _, _ = train(project, data, 10)
    save_trainer_bundle(tmp_path / "half.nnzip", project, first)
    reopened = load_bundle(tmp_path / "half.nnzip")
    assert reopened.resume is not None and reopened.resume.position.epochs_done == 10
    second, history, note = train(reopened.project, data, 10, reopened.model, reopened.resume)

    assert note == ""
    assert history.epochs == list(range(1, 21))
    for key, values in whole_history.logs.items():
        assert torch.allclose(torch.tensor(history.logs[key]), torch.tensor(values), atol=1e-6), key
    for a, b in zip(whole.model.state_dict().values(), second.model.state_dict().values()):
        assert torch.allclose(a, b, atol=1e-6)
    for a, b in zip(optimizer_tensors(whole), optimizer_tensors(second)):
        assert torch.allclose(a.float(), b.float(), atol=1e-6)
    assert second.position.epochs_done == 20


def test_without_its_training_state_the_model_goes_on_with_a_fresh_optimizer(data, tmp_path):
    """A bundle saved before training states existed: the curves and epoch count go on, Adam starts afresh."""
    project = iris_with_dropout("adam")
    first, history, _ = train(project, data, 3)
    save_bundle(tmp_path / "old.nnzip", project, first.model, history)   # no trainer: no training state
    with zipfile.ZipFile(tmp_path / "old.nnzip") as archive:
        assert json.loads(archive.read("manifest.json"))["version"] == 1
        assert "optimizer.safetensors" not in archive.namelist()
    reopened = load_bundle(tmp_path / "old.nnzip")
    assert reopened.resume.optimizer_state is None and reopened.resume.position.epochs_done == 3
    _, more, note = train(reopened.project, data, 2, reopened.model, reopened.resume)
    assert "fresh optimizer" in note
    assert more.epochs == [1, 2, 3, 4, 5]
    assert more.logs["loss"][:3] == history.logs["loss"]


def test_a_checkpoint_written_at_an_epoch_end_goes_on_from_that_epoch(data, tmp_path):
    """save_trainer_bundle from on_epoch_end (as checkpoint files are written) keeps that epoch's position."""
    project = iris_with_dropout("adam")
    whole, whole_history, _ = train(project, data, 6)

    class SaveAtFour(Callback):
        def on_epoch_end(self, epoch, logs):
            if epoch == 4:
                save_trainer_bundle(tmp_path / "at4.nnzip", project, self.trainer)

    trainer = Trainer(build_model(project, data.context), effective_settings(project, epochs=6))
    trainer.fit(data.prepared.train, data.prepared.validation, callbacks=[SaveAtFour()])
    reopened = load_bundle(tmp_path / "at4.nnzip")
    assert reopened.history.epochs == [1, 2, 3, 4]
    _, history, _ = train(reopened.project, data, 2, reopened.model, reopened.resume)
    assert torch.allclose(torch.tensor(history.logs["loss"]), torch.tensor(whole_history.logs["loss"]), atol=1e-6)


def members(path) -> dict:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def repacked(path, members_now: dict, out) -> None:
    """The bundle again with changed members and a manifest that matches them (only the change counts)."""
    out.write_bytes(bundle_bytes(members_now["project.json"].decode(), json.loads(members_now["model.json"]),
                                 members_now["weights.safetensors"], json.loads(members_now["history.json"]),
                                 (json.loads(members_now["training_state.json"]),
                                  members_now["optimizer.safetensors"])))


@pytest.fixture(scope="module")
def saved(data, tmp_path_factory):
    folder = tmp_path_factory.mktemp("resume")
    project = iris_with_dropout("adam")
    trainer, _, _ = train(project, data, 2)
    save_trainer_bundle(folder / "model.nnzip", project, trainer)
    return folder / "model.nnzip"


def wrong_shape(found: dict) -> None:
    from safetensors.torch import load, save
    tensors = load(found["optimizer.safetensors"])
    tensors["optimizer.0.exp_avg"] = torch.zeros(3, 3)
    found["optimizer.safetensors"] = save(tensors)


def nan_moment(found: dict) -> None:
    from safetensors.torch import load, save
    tensors = load(found["optimizer.safetensors"])
    tensors["optimizer.1.exp_avg_sq"] = torch.full_like(tensors["optimizer.1.exp_avg_sq"], float("nan"))
    found["optimizer.safetensors"] = save(tensors)


def extra_tensor(found: dict) -> None:
    from safetensors.torch import load, save
    tensors = load(found["optimizer.safetensors"])
    tensors["__reduce__"] = torch.zeros(1)
    found["optimizer.safetensors"] = save(tensors)


def edit_state(change):
    def apply(found: dict) -> None:
        table = json.loads(found["training_state.json"])
        change(table)
        found["training_state.json"] = json.dumps(table).encode()
    return apply


@pytest.mark.parametrize("damage, message", [
    (wrong_shape, r"has the shape \[3, 3\]"),
    (nan_moment, "NaN or infinite"),
    (extra_tensor, "unexpected tensor"),
    (lambda found: found.update({"optimizer.safetensors": b"\x80\x04pickle"}), "not a readable safetensors"),
    (edit_state(lambda t: t["optimizer"].update({"class": "os.system"})), "not one NN Studio knows"),
    (edit_state(lambda t: t["optimizer"]["param_groups"][0].update({"params": [0, 1, 99]})),
     "parameters the network does not have"),
    (edit_state(lambda t: t.update({"epochs_done": 7})), "does not match its run history"),
    (edit_state(lambda t: t.update({"version": 9})), "newer NN Studio"),
])
def test_a_tampered_training_state_is_refused_plainly(saved, tmp_path, damage, message):
    found = members(saved)
    damage(found)
    repacked(saved, found, tmp_path / "bad.nnzip")
    with pytest.raises(BundleError, match=message) as caught:
        load_bundle(tmp_path / "bad.nnzip")
    assert str(caught.value).startswith("'bad.nnzip' could not be opened")


def test_a_changed_optimizer_member_fails_its_checksum(saved, tmp_path):
    found = members(saved)
    data = bytearray(found["optimizer.safetensors"])
    data[-3] ^= 0xFF  # one byte of a stored number changed
    found["optimizer.safetensors"] = bytes(data)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, value in found.items():
            archive.writestr(name, value)
    (tmp_path / "changed.nnzip").write_bytes(buffer.getvalue())
    with pytest.raises(BundleError, match="does not match its checksum"):
        load_bundle(tmp_path / "changed.nnzip")


def test_the_training_state_is_documented_and_versioned(saved):
    with zipfile.ZipFile(saved) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        state = json.loads(archive.read("training_state.json"))
    assert manifest["version"] == 2
    assert set(manifest["members"]) == {"project.json", "model.json", "weights.safetensors", "history.json",
                                        "training_state.json", "optimizer.safetensors"}
    assert state["epochs_done"] == 2 and state["optimizer"]["class"] == "Adam"
    assert state["generators"] == ["run.dropout_generator", "run.shuffle_generator"]
