"""Export a network: export_model(model, format, path) writes safetensors, TorchScript, ONNX or Python code."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Optional, Union

from safetensors.torch import save as save_safetensors_bytes

from ...core.analysis import DataContext
from ...core.data import DataError, load_source
from ...core.files import atomic_write_bytes, atomic_write_text
from ...core.i18n import N_, tr
from ...core.layers import OutputTarget
from ...core.project import Project
from ..compiler import GraphModule, compile_graph
from .codegen import class_name_for, model_source, project_name, state_for_code, train_source
from .formats import ExportError, export_onnx, export_safetensors, export_torchscript

# The descriptions are marked for the catalogue; show them with tr(FORMATS[fmt]).
FORMATS: dict[str, str] = {
    "safetensors": N_("weights with readable layer names (.safetensors)"),
    "torchscript": N_("a TorchScript module for torch.jit.load (.pt)"),
    "onnx": N_("an ONNX model for onnxruntime and other runtimes (.onnx)"),
    "python": N_("a folder with model.py, train.py and the weights"),
}
EXTENSIONS = {"safetensors": ".safetensors", "torchscript": ".pt", "onnx": ".onnx", "python": ""}
# How the message after an export names each format (its key, "python", is for programs, not people).
FORMAT_NAMES: dict[str, str] = {
    "safetensors": N_("safetensors (.safetensors)"),
    "torchscript": N_("TorchScript (.pt)"),
    "onnx": N_("ONNX (.onnx)"),
    "python": N_("Python code (model.py, train.py)"),
}


def compiled_context(model: GraphModule) -> DataContext:
    """The data context that rebuilds this network with the same shapes (no data needed)."""
    return DataContext(dict(model.input_shapes),
                       {i: OutputTarget(c.task, c.units) for i, c in model.output_configs.items()})


def _order_text(model: GraphModule) -> str:
    inputs = ", ".join(model.node_names[i] for i in model.input_ids)
    return tr("Inputs in this order: {inputs}; outputs in this order: {outputs}.", inputs=inputs,
              outputs=", ".join(model.output_names))


def export_python(model: GraphModule, folder: Union[str, Path], project: Project, trained: bool) -> list[str]:
    """Write model.py, weights.safetensors, initial_weights.safetensors and train.py (plus data.csv, or copies
    of the MNIST-format files, when the data does not come from scikit-learn) into `folder`; return notes."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    graph = project.graph.to_dict()
    atomic_write_text(folder / "model.py", model_source(model, graph, project_name(project)))
    atomic_write_bytes(folder / "weights.safetensors", save_safetensors_bytes(state_for_code(model)))
    # The run's seeded start, so `train.py --init-weights initial_weights.safetensors` repeats the run.
    initial = compile_graph(graph, compiled_context(model), seed=project.training.seed)
    atomic_write_bytes(folder / "initial_weights.safetensors", save_safetensors_bytes(state_for_code(initial)))
    notes = [tr("The network is the class {name} in model.py", name=class_name_for(project_name(project)))]
    if not project.data.source:
        return notes + [tr("The training script train.py was not written: the project has no data yet")]
    try:
        table = load_source(project.data.source, project.base_dir)
        script = train_source(model, project, table)
    except DataError as exc:
        return notes + [tr("The training script train.py was not written: {reason}", reason=exc)]
    atomic_write_text(folder / "train.py", script.text)
    if script.data_csv is not None:
        atomic_write_text(folder / "data.csv", script.data_csv)
        notes.append(tr("The training script train.py reads the project's data from data.csv"))
    for name, source in script.copied_files.items():
        shutil.copyfile(source, folder / name)
    if script.copied_files:
        notes.append(tr("The training script train.py reads the project's data from copies of its MNIST-format "
                        "files: {files}", files=", ".join(script.copied_files)))
    return notes


def export_model(model: GraphModule, fmt: str, path: Union[str, Path], *, trained: bool,
                 project: Optional[Project] = None) -> str:
    """Write the network in format `fmt` to `path` (a folder for "python"); return a plain-words message.

    Inputs are taken in the order of the project's Input nodes (model.input_ids) and outputs come back in
    the order of its Output nodes. Raises ExportError with a message for the user."""
    if fmt not in FORMATS:
        raise ExportError(tr("unknown export format {format!r}; choose one of {choices}", format=fmt,
                             choices=", ".join(FORMATS)))
    path = Path(path)
    if fmt != "python" and not path.parent.is_dir():
        raise ExportError(tr("the folder '{folder}' does not exist", folder=path.parent))
    if fmt == "python" and project is None:
        raise ExportError(tr("exporting Python code needs the project (its title, data and training settings)"))
    was_training = model.training
    model.eval()  # Dropout off and BatchNorm's running averages: what predictions use
    try:
        if fmt == "safetensors":
            export_safetensors(model, path, trained, project.title if project else "")
            notes: list[str] = []
        elif fmt == "torchscript":
            export_torchscript(model, path)
            notes = []
        elif fmt == "onnx":
            export_onnx(model, path)
            notes = []
        else:
            notes = export_python(model, path, project, trained)
    except OSError as exc:
        raise ExportError(tr("could not write '{path}': {reason}", path=path, reason=exc.strerror or exc)) from None
    except ImportError as exc:
        raise ExportError(tr("the {format} export needs a package that is not installed ({package})", format=fmt,
                             package=exc.name)) from None
    finally:
        model.train(was_training)
    if trained:
        done = tr("Exported the trained weights as {format} to {path}.", format=tr(FORMAT_NAMES[fmt]), path=path)
    else:
        done = tr("Exported the seeded initial weights (the project has not been trained yet) as {format} to {path}.",
                  format=tr(FORMAT_NAMES[fmt]), path=path)
    extra = "".join(f" {note}." for note in notes)  # whole sentences: a file name (train.py) keeps its case
    return f"{done} {_order_text(model)}{extra}"


__all__ = ["EXTENSIONS", "ExportError", "FORMATS", "compiled_context", "export_model", "export_python"]
