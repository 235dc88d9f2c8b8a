"""Save a trained model as one bundle file and open it again: the torch side of nnstudio.core.bundle."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, Union

from ..core.analysis import DataContext, analyze
from ..core.bundle import BundleError, read_bundle, write_bundle
from ..core.data.table import TASKS
from ..core.i18n import tr
from ..core.layers import OutputTarget
from ..core.project import Project, ProjectError, dumps_project
from .compiler import CompileError, GraphModule, compile_graph
from .history import RunPosition
from .optimizer_state import ResumeState, resume_from_parts, resume_state_of, run_state_parts
from .training import History
from .weights import WeightsError, apply_state, state_from_bytes, state_to_bytes

if TYPE_CHECKING:
    from .training import Trainer

MAX_DIMENSIONS = 8
MAX_SIZE = 10_000_000  # the largest number of values along one axis, or output units, a bundle may declare


@dataclass
class LoadedBundle:
    """A reopened bundle: the project, the network with its saved weights, the run's history, and what going on
    with that run needs (`resume`: its position and optimizer memory; an older file has only the epochs done)."""

    project: Project
    model: GraphModule
    history: Optional[History]
    trained: bool
    description: dict
    resume: Optional[ResumeState] = None


def describe_model(model: GraphModule, trained: bool, seed: int,
                   class_names: Optional[dict[str, tuple[str, ...]]] = None) -> dict:
    """What the network was compiled for (shapes, output sizes) so it can be rebuilt without its data."""
    class_names = class_names or {}
    return {
        "trained": bool(trained),
        "seed": int(seed),
        "inputs": [{"id": node_id, "name": model.node_names[node_id], "shape": list(model.input_shapes[node_id])}
                   for node_id in model.input_ids],
        "outputs": [{"id": node_id, "name": model.node_names[node_id], "task": model.output_configs[node_id].task,
                     "units": model.output_configs[node_id].units,
                     "class_names": list(class_names.get(node_id, ()))}
                    for node_id in model.output_ids],
    }


def history_to_dict(history: Optional[History]) -> dict:
    if history is None:
        return {"last_run": None}
    return {"last_run": asdict(history)}


def history_from_dict(data: dict) -> Optional[History]:
    last = data.get("last_run")
    if not isinstance(last, dict):
        return None
    best = last.get("best_epoch")
    speed = last.get("samples_per_second", 0.0)
    batch_losses = last.get("batch_losses", [])
    return History(
        epochs=list(last.get("epochs", [])),
        # NaN was stored as null (JSON has no NaN): give the curves their NaN back.
        logs={str(k): [math.nan if v is None else float(v) for v in values]
              for k, values in last.get("logs", {}).items()},
        stop_reason=str(last.get("stop_reason", "completed")),
        message=str(last.get("message", "")),
        best_epoch=best if isinstance(best, int) and not isinstance(best, bool) else None,
        batch_losses=[math.nan if v is None else float(v) for v in batch_losses
                      if v is None or isinstance(v, (int, float))] if isinstance(batch_losses, list) else [],
        samples_per_second=float(speed) if isinstance(speed, (int, float)) and abs(speed) <= 1e300 else 0.0,
    )


def save_bundle(path: Union[str, Path], project: Project, model: GraphModule, history: Optional[History] = None,
                *, trained: bool = True, class_names: Optional[dict[str, tuple[str, ...]]] = None,
                resume: Optional[ResumeState] = None) -> None:
    """Write project + weights + history as one .nnzip file, atomically; raises BundleError.

    With the state of the run that trained `model` (see resume_state_of), the bundle also keeps its optimizer
    memory and run position, so that training can go on later exactly where it stopped."""
    path = Path(path).resolve()
    try:
        project_text = dumps_project(project, path.parent)
    except (ValueError, RecursionError) as exc:
        raise BundleError(tr("the project holds a value that cannot be saved ({reason})",
                                reason=str(exc)[:120])) from None
    description = describe_model(model, trained, project.training.seed, class_names)
    run_state = run_state_parts(resume) if resume is not None else None
    write_bundle(path, project_text, description, state_to_bytes(model), history_to_dict(history), run_state)


def save_trainer_bundle(path: Union[str, Path], project: Project, trainer: "Trainer",
                        history: Optional[History] = None,
                        class_names: Optional[dict[str, tuple[str, ...]]] = None) -> None:
    """Write the trainer's model, optimizer memory, run position and history (default: the trainer's) atomically.

    Safe from a callback's on_epoch_end in the training thread (the position is already that epoch's): that is
    how checkpoints are written during long runs. Raises BundleError."""
    save_bundle(path, project, trainer.model, history if history is not None else trainer.history,
                trained=True, class_names=class_names, resume=resume_state_of(trainer, copy=False))


def _fail(message: str) -> None:
    raise BundleError(message)


def _whole(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def context_from_description(description: dict, project: Project) -> tuple[DataContext, int]:
    """The data context the network was compiled with, checked against the project's graph."""
    inputs, outputs, seed = description.get("inputs"), description.get("outputs"), description.get("seed", 0)
    if not isinstance(inputs, list) or not isinstance(outputs, list):
        _fail(tr("its model description has no list of inputs and outputs"))
    if not _whole(seed, 0, 2**63 - 1):
        _fail(tr("its model description has an invalid seed"))
    types = {node.id: node.type for node in project.graph.nodes.values()}
    input_shapes: dict[str, tuple[int, ...]] = {}
    for entry in inputs:
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            _fail(tr("an input in its model description is damaged"))
        shape = entry.get("shape")
        if (not isinstance(shape, list) or not 1 <= len(shape) <= MAX_DIMENSIONS
                or not all(_whole(size, 1, MAX_SIZE) for size in shape)):
            _fail(tr("the input '{name}' has an invalid shape", name=str(entry.get("name"))[:40]))
        input_shapes[entry["id"]] = tuple(shape)
    output_targets: dict[str, OutputTarget] = {}
    for entry in outputs:
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            _fail(tr("an output in its model description is damaged"))
        task, units, names = entry.get("task"), entry.get("units"), entry.get("class_names", [])
        if task not in TASKS or not _whole(units, 1, MAX_SIZE):
            _fail(tr("the output '{name}' has an invalid task or size", name=str(entry.get("name"))[:40]))
        if not isinstance(names, list) or len(names) > MAX_SIZE or not all(isinstance(n, str) for n in names):
            _fail(tr("the output '{name}' has damaged class names", name=str(entry.get("name"))[:40]))
        output_targets[entry["id"]] = OutputTarget(task, units, tuple(names))
    wanted_inputs = {i for i, t in types.items() if t == "Input"}
    wanted_outputs = {i for i, t in types.items() if t == "Output"}
    if set(input_shapes) != wanted_inputs or set(output_targets) != wanted_outputs:
        _fail(tr("its model description does not match the project's Input and Output layers"))
    return DataContext(input_shapes, output_targets), seed


def _check_before_building(graph: dict, context: DataContext, weights_bytes: int, name: str) -> None:
    """Refuse, from the shapes alone, a network that cannot be built or whose weights the file cannot hold.

    A 2 KB file may declare Input 50,000 -> Dense 100,000: building that first would allocate gigabytes just to
    find out that its weights part is nearly empty. Every stored value takes at least one byte."""
    analysis = analyze(graph, context)
    if analysis.errors:
        _fail(tr("'{name}' could not be opened: its network cannot be built ({reason})", name=name,
                 reason=analysis.errors[0].message))
    if weights_bytes < analysis.total_params:
        _fail(tr("'{name}' could not be opened: its network has {weights:,} weights but its weights part holds only "
                 "{size:,} bytes", name=name, weights=analysis.total_params, size=weights_bytes))


def load_bundle(path: Union[str, Path]) -> LoadedBundle:
    """Open a .nnzip file: rebuild the network, load its weights (checked), and its history.

    Every problem, from a damaged zip to a weight of the wrong shape or a NaN, raises BundleError."""
    contents = read_bundle(path)
    name = Path(path).name
    context, seed = context_from_description(contents.model, contents.project)
    graph = contents.project.graph.to_dict()
    _check_before_building(graph, context, len(contents.weights), name)
    try:
        model = compile_graph(graph, context, seed=seed)
    except CompileError as exc:
        raise BundleError(tr("'{name}' could not be opened: its network cannot be built ({reason})", name=name,
                             reason=exc.messages[0])) from None
    except (ValueError, KeyError, TypeError, OverflowError, RuntimeError, MemoryError) as exc:
        # Only reachable with a hand-made description whose sizes torch refuses to allocate.
        raise BundleError(tr("'{name}' could not be opened: its network cannot be built ({reason})", name=name,
                             reason=str(exc)[:80])) from None
    try:
        apply_state(model, state_from_bytes(contents.weights))
    except WeightsError as exc:
        raise BundleError(tr("'{name}' could not be opened: its weights do not fit the network: {reason}",
                             name=name, reason=exc)) from None
    model.eval()
    trained = contents.model.get("trained", True)
    history = history_from_dict(contents.history)
    if contents.run_state is not None:
        try:
            resume = resume_from_parts(contents.run_state, contents.optimizer or b"", model, history)
        except BundleError as exc:
            raise BundleError(tr("'{name}' could not be opened: {reason}", name=name, reason=exc)) from None
    elif history is not None and history.epochs:
        # An older bundle: the curves and the epoch count go on, the optimizer starts afresh.
        resume = ResumeState(RunPosition(history.epochs[-1]), history=history)
    else:
        resume = None
    return LoadedBundle(contents.project, model, history, trained if isinstance(trained, bool) else True,
                        contents.model, resume)


__all__ = ["BundleError", "LoadedBundle", "ProjectError", "ResumeState", "describe_model", "load_bundle",
           "resume_state_of", "save_bundle", "save_trainer_bundle"]
