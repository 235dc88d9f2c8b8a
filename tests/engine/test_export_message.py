"""The message after a Python export reads as sentences, and file names in it keep their own spelling."""

from __future__ import annotations

from export_helpers import seeded_model

from nnstudio.engine.export import export_model


def test_the_export_message_names_train_py_in_lower_case(tmp_path):
    project, _, model = seeded_model("wide_deep")
    message = export_model(model, "python", tmp_path / "code", trained=False, project=project)
    assert "The network is the class WideAndDeep in model.py." in message
    assert "Train.py" not in message and "Class " not in message
