"""RunRecord: one format for a finished run, written by the session and the CLI, read by the runs and curves panels."""

from __future__ import annotations

import json
import math
from types import SimpleNamespace

from nnstudio.core.runs import FIELDS, RunRecord


def finished_run():
    history = SimpleNamespace(logs={"loss": [0.9, 0.5, math.nan], "val_loss": [1.0, 0.7, math.inf]},
                              epochs=[1, 2, 3], stop_reason="diverged", best_epoch=2, message="The loss became NaN.")
    test = {"xor": {"loss": 0.4, "accuracy": 1.0, "confusion_matrix": [[2, 0], [0, 2]], "note": "text"}}
    return SimpleNamespace(history=history, test=test, seconds=1.23456)


def test_a_finished_run_becomes_plain_json_in_the_saved_order():
    record = RunRecord.from_result(finished_run(), {"optimizer": "adam"}, when="2026-12-05T10:00:00")
    saved = record.to_dict()
    assert tuple(saved) == FIELDS
    assert saved["history"] == {"loss": [0.9, 0.5, None], "val_loss": [1.0, 0.7, None]}   # JSON has no NaN
    assert saved["test"] == {"xor": {"loss": 0.4, "accuracy": 1.0}}   # no confusion matrix in the history
    assert saved["epochs_run"] == 3 and saved["best_epoch"] == 2 and saved["seconds"] == 1.235
    assert saved["settings"] == {"optimizer": "adam"} and saved["stop_reason"] == "diverged"
    json.dumps(saved, allow_nan=False)
    assert RunRecord.from_dict(saved) == record


def test_older_and_damaged_runs_still_read_and_keep_unknown_keys():
    old = {"when": "2025-01-01T09:00:00", "history": {"loss": [1.0, 0.5]}, "settings": {"seed": 3},
           "colour": "blue"}   # before epochs, epochs_run, seconds; a key a newer version wrote
    record = RunRecord.from_dict(old)
    assert record.epochs_run == 2 and record.epoch_numbers() == [1, 2]
    assert record.seconds is None and record.best_epoch is None and record.stop_reason == "" and record.test == {}
    assert record.setting("seed") == 3 and record.to_dict()["colour"] == "blue"
    damaged = RunRecord.from_dict({"history": "not a table", "epochs_run": "many", "test": [1, 2],
                                   "best_epoch": True, "seconds": "slow"})
    assert damaged.history == {} and damaged.epochs_run == 0 and damaged.test == {}
    assert damaged.best_epoch is None and damaged.seconds is None
    assert RunRecord.from_dict("not a run") == RunRecord()
