"""TensorBoard logs read back with TensorBoard's own reader: scalars, histograms and HParams of live and past runs."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path

import pytest
# TensorBoard is in the test extra: a missing install must fail these tests, not skip them.
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.plugins.hparams import plugin_data_pb2

from nnstudio.core.examples import example_path
from nnstudio.core.project import load_project
from nnstudio.core.runs import RunRecord
from nnstudio.engine import tensorboard_log
from nnstudio.engine.pipeline import effective_settings, load_project_data, train_project
from nnstudio.engine.tensorboard_log import (
    TensorBoardLog,
    export_runs,
    run_folder_name,
    tensorboard_command,
)

EVERYTHING = {kind: 0 for kind in ("scalars", "histograms", "tensors", "compressedHistograms", "images", "audio")}


def read(folder: Path) -> EventAccumulator:
    events = EventAccumulator(str(folder), size_guidance=EVERYTHING)
    events.Reload()
    return events


def scalar_series(folder: Path, tag: str) -> tuple[list[int], list[float]]:
    found = read(folder).Scalars(tag)
    return [event.step for event in found], [event.value for event in found]


def session_hparams(run_folder: Path) -> dict:
    """The hyperparameters in the run's HParams session start, as TensorBoard's plugin reads them."""
    content = read(run_folder).PluginTagToContent("hparams")
    data = plugin_data_pb2.HParamsPluginData.FromString(content["_hparams_/session_start_info"])
    assert "_hparams_/session_end_info" in content
    return {key: value.WhichOneof("kind") and getattr(value, value.WhichOneof("kind"))
            for key, value in data.session_start_info.hparams.items()}


def train_xor(log_root: Path, epochs: int = 4, callbacks=()):
    project = load_project(example_path("xor"))
    settings = effective_settings(project, epochs=epochs)
    settings.early_stopping.enabled = False
    log = TensorBoardLog(log_root, project, settings)
    trainer, result = train_project(project, settings, load_project_data(project), callbacks=[log, *callbacks])
    return project, settings, log, trainer, result


def test_a_live_run_has_every_number_each_epoch_the_weights_and_its_hyperparameters(tmp_path):
    _, settings, log, trainer, result = train_xor(tmp_path / "my_logs", epochs=4)
    history = result.history
    assert log.problem is None
    assert log.run_folder.parent == tmp_path / "my_logs"
    assert log.run_folder.name.startswith("run_")
    # Keras' layout: train/ and validation/ hold the same tags, so TensorBoard draws them on one chart.
    for key, values in history.logs.items():
        part, tag = ("validation", key[4:]) if key.startswith("val_") else ("train", key)
        steps, numbers = scalar_series(log.run_folder / part, f"epoch_{tag}")
        assert steps == history.epochs == [1, 2, 3, 4]
        assert numbers == pytest.approx(values, rel=1e-6)
    assert {"loss", "val_loss", "accuracy", "val_accuracy"} <= set(history.logs)
    # A histogram of each weighted layer's weights and bias every epoch, named as the layer is drawn.
    weighted = [name for name, module in trainer.model.layers.items() if list(module.parameters())]
    assert sorted(weighted) == ["hidden", "xor"]
    train = read(log.run_folder / "train")
    for layer in weighted:
        for part in ("weights", "bias"):
            assert [event.step for event in train.Histograms(f"{layer}/{part}")] == [1, 2, 3, 4]
    last = train.Histograms("hidden/weights")[-1].histogram_value
    assert last.num == trainer.model.layers["hidden"].weight.numel()
    assert last.max == pytest.approx(float(trainer.model.layers["hidden"].weight.detach().max()), rel=1e-6)
    hparams = session_hparams(log.run_folder)
    assert hparams["optimizer"] == settings.optimizer
    assert hparams["learning_rate"] == pytest.approx(settings.learning_rate)
    assert hparams["batch_size"] == settings.batch_size and hparams["epochs"] == 4
    assert hparams["hidden.units"] == 8 and hparams["hidden.activation"] == "tanh"
    assert "The TensorBoard log of this run is in" in log.closing_note()


def test_test_numbers_join_the_run_after_training(tmp_path):
    _, _, log, _, result = train_xor(tmp_path, epochs=2)
    log.add_test_results(result.test)
    steps, numbers = scalar_series(log.run_folder, "test_accuracy")
    assert steps == [2] and numbers == pytest.approx([result.test["xor"]["accuracy"]])


def test_run_folders_are_named_as_the_notes_do_and_never_shared(tmp_path):
    when = datetime(2026, 3, 7, 9, 5, 2)
    assert run_folder_name(when) == "run_2026_03_07-09_05_02"
    assert run_folder_name(when, tmp_path) == "run_2026_03_07-09_05_02"
    (tmp_path / "run_2026_03_07-09_05_02").mkdir()
    assert run_folder_name(when, tmp_path) == "run_2026_03_07-09_05_02-2"
    (tmp_path / "run_2026_03_07-09_05_02-2").mkdir()
    assert run_folder_name(when, tmp_path) == "run_2026_03_07-09_05_02-3"
    assert tensorboard_log.new_run_folder(tmp_path, when).name == "run_2026_03_07-09_05_02-3"
    assert tensorboard_log.new_run_folder(tmp_path, when).name == "run_2026_03_07-09_05_02-4"
    if sys.platform != "win32":   # a link to nothing is a name taken too (mkdir would refuse it for ever)
        (tmp_path / "run_2026_03_07-09_05_02-5").symlink_to(tmp_path / "gone")
        assert tensorboard_log.new_run_folder(tmp_path, when).name == "run_2026_03_07-09_05_02-6"


def test_past_runs_export_scalars_and_hyperparameters_without_histograms(tmp_path):
    project, settings, _, _, result = train_xor(tmp_path / "live", epochs=3)
    first = RunRecord.from_result(result, settings.to_dict(), when="2026-03-07T09:05:02")
    second = RunRecord.from_dict({**first.to_dict(), "settings": {**first.settings, "learning_rate": 0.05}})
    folders = export_runs([first, second], tmp_path / "exported", project)
    assert [folder.name for folder in folders] == ["run_2026_03_07-09_05_02", "run_2026_03_07-09_05_02-2"]
    for folder, record in zip(folders, (first, second)):
        steps, numbers = scalar_series(folder / "train", "epoch_loss")
        assert steps == record.epochs and numbers == pytest.approx(record.history["loss"], rel=1e-6)
        steps, numbers = scalar_series(folder / "validation", "epoch_accuracy")
        assert numbers == pytest.approx(record.history["val_accuracy"], rel=1e-6)
        assert read(folder / "train").Tags()["histograms"] == []   # past epochs' weights are not kept
        assert session_hparams(folder)["learning_rate"] == pytest.approx(record.settings["learning_rate"])
    assert session_hparams(folders[0])["hidden.units"] == 8


def test_a_disk_that_refuses_never_stops_training(tmp_path):
    blocked = tmp_path / "not_a_folder"
    blocked.write_text("a file where the log folder should be")
    _, _, log, _, result = train_xor(blocked, epochs=3)
    assert result.history.epochs == [1, 2, 3]
    assert log.problem and "TensorBoard" in log.problem
    assert log.closing_note().startswith("Training went on")


def test_a_disk_that_fills_up_mid_run_is_remembered_and_training_goes_on(tmp_path, monkeypatch):
    calls = []

    def full_disk(self, epoch, model):
        calls.append(epoch)
        if epoch == 2:
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(tensorboard_log.RunLog, "histograms", full_disk)
    _, _, log, _, result = train_xor(tmp_path, epochs=4)
    assert result.history.epochs == [1, 2, 3, 4]
    assert calls == [1, 2]   # writing stopped at the first problem
    assert "No space left on device" in log.problem
    steps, _ = scalar_series(log.run_folder / "train", "epoch_loss")
    assert steps[0] == 1   # what was written before the problem is still readable


def test_the_command_is_quoted_for_the_shell(tmp_path):
    folder = tmp_path / "my logs"
    command = tensorboard_command(folder)
    if sys.platform == "win32":
        assert command == f'tensorboard --logdir "{folder.resolve()}"'
    else:
        assert command == f'tensorboard --logdir "{folder.resolve()}"'
        assert tensorboard_command(Path('/tmp/a "b" $HOME')) == 'tensorboard --logdir "/tmp/a \\"b\\" \\$HOME"'
    assert 'pip install "nnstudio[tensorboard]"' in tensorboard_log.install_hint()


def test_cli_train_writes_the_run_live_and_prints_the_command(tmp_path, capsys):
    from nnstudio import cli
    logs = tmp_path / "my logs"
    assert cli.main(["train", str(example_path("xor")), "--epochs", "3", "--tensorboard", str(logs)]) == 0
    printed = capsys.readouterr().out
    assert f'tensorboard --logdir "{logs.resolve()}"' in printed
    (run,) = logs.iterdir()
    assert run.name.startswith("run_") and str(run) in printed
    steps, _ = scalar_series(run / "train", "epoch_loss")
    assert steps == [1, 2, 3]
    assert [event.step for event in read(run / "train").Histograms("hidden/weights")] == [1, 2, 3]
    assert "learning_rate" in session_hparams(run)
    assert read(run).Tags()["scalars"] and "test_accuracy" in read(run).Tags()["scalars"]

    assert cli.main(["train", str(example_path("xor")), "--epochs", "2", "--tensorboard", str(logs), "--json"]) == 0
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])["tensorboard"]
    assert report["command"] == f'tensorboard --logdir "{logs.resolve()}"' and report["problem"] is None
    assert len(list(logs.iterdir())) == 2 and Path(report["run"]).parent == logs


def test_cli_refuses_a_file_as_the_log_folder_before_training(tmp_path, capsys):
    from nnstudio import cli
    blocked = tmp_path / "logs"
    blocked.write_text("a file")
    assert cli.main(["train", str(example_path("xor")), "--tensorboard", str(blocked)]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err


def test_a_run_that_diverges_is_marked_failed_in_hparams(tmp_path):
    project = load_project(example_path("regression"))
    settings = effective_settings(project, epochs=5)
    settings.early_stopping.enabled, settings.learning_rate = False, 1e6
    log = TensorBoardLog(tmp_path, project, settings)
    _, result = train_project(project, settings, load_project_data(project), callbacks=[log])
    assert result.history.stop_reason == "diverged"
    content = read(log.run_folder).PluginTagToContent("hparams")["_hparams_/session_end_info"]
    status = plugin_data_pb2.HParamsPluginData.FromString(content).session_end_info.status
    assert status == 2   # STATUS_FAILURE: the dashboard shows the run as failed
    assert log.problem is None   # a diverged layer has no histogram, which is not a disk problem
