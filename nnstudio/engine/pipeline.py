"""From a project to a trained model: load its data, compile its graph, train, evaluate (CLI and GUI share it)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional, Sequence

from ..core.analysis import DataContext, analyze
from ..core.data import DataError
# Defined in core (no torch) so the GUI can load data before torch is imported; the same class as ever.
from ..core.data.project_data import ProjectData
from ..core.data.project_data import load_project_data as read_project_data
from ..core.i18n import tr
from ..core.project import Project
from ..core.settings import TrainingSettings
from .callbacks import Callback
from .compiler import CompileError, GraphModule, compile_graph
from .run_files import run_files
from .training import History, Trainer, no_slope_problem

if TYPE_CHECKING:
    from .optimizer_state import ResumeState


class RunError(Exception):
    """Training could not start (no data, a broken graph...); the message says why in plain words."""


class NoSlopeError(RunError):
    """Gradient descent was asked to train a step or sign Output; the perceptron rule is the way to train it."""


@dataclass
class RunResult:
    """What one training run produced."""

    history: History
    test: dict = field(default_factory=dict)
    samples_per_second: float = 0.0
    total_params: int = 0
    seconds: float = 0.0
    used_validation: bool = False
    probes: Any = None   # engine.probes.Probes of the trained model, when measured (see measure_probes)
    probes_tried: bool = False   # measured already (probes None then means they could not be): not again
    note: str = ""   # said beside the result: e.g. a saved run that went on with a fresh optimizer
    epochs_before: int = 0   # a run that went on from a saved one: the epochs it already had (seconds are this part's)


def load_project_data(project: Project) -> ProjectData:
    """Load and prepare the project's data; raises RunError with the loader's message."""
    try:
        return read_project_data(project)
    except DataError as exc:
        raise RunError(str(exc)) from None


def build_model(project: Project, context: Optional[DataContext], seed: Optional[int] = None) -> GraphModule:
    """Compile the project's graph; raises RunError listing the graph's problems."""
    try:
        return compile_graph(project.graph.to_dict(), context,
                             seed=project.training.seed if seed is None else seed)
    except CompileError as exc:
        raise RunError(tr("The network has problems to fix first:\n{problems}", problems=exc)) from None


def effective_settings(project: Project, epochs: Optional[int] = None, seed: Optional[int] = None,
                       device: Optional[str] = None) -> TrainingSettings:
    settings = TrainingSettings.from_dict(project.training.to_dict())
    if epochs is not None:
        settings.epochs = epochs
    if seed is not None:
        settings.seed = seed
    if device is not None:
        settings.device = device
    settings.validate()
    return settings


def check_ready(project: Project, context: Optional[DataContext]) -> None:
    """Refuse to train a graph with errors, with the same messages the canvas shows."""
    analysis = analyze(project.graph, context)
    if analysis.errors:
        lines = "\n".join(f"• {issue.message}" for issue in analysis.errors)
        raise RunError(tr("The network has problems to fix first:\n{problems}", problems=lines))


def train_project(project: Project, settings: TrainingSettings, data: ProjectData,
                  callbacks: Sequence[Callback] = (), stop_event: Optional[threading.Event] = None,
                  trainer_ready=None, model: Optional[GraphModule] = None,
                  resume: Optional["ResumeState"] = None, evaluate_test: bool = True) -> tuple[Trainer, RunResult]:
    """Compile and train; `trainer_ready(trainer)` lets a caller keep the trainer to pause or stop it.

    evaluate_test=False leaves the test set alone (a hyperparameter search chooses on validation numbers only).

    To go on with a saved run, pass its `model` (with the saved weights) and its `resume` state: the epochs,
    curves, shuffling and optimizer memory go on from where it stopped."""
    check_ready(project, data.context)
    if model is None:
        model = build_model(project, data.context, settings.seed)
    elif not _fits(model, data.context):
        raise RunError(tr("The saved network does not fit the project's data any more (its inputs or outputs "
                          "changed): train it afresh."))
    problem = no_slope_problem(model, settings.method)
    if problem:
        raise NoSlopeError(problem)
    trainer = Trainer(model, settings)
    note = trainer.continue_from(resume) if resume is not None else ""
    if settings.method == "perceptron":
        # The rule's own conditions (one layer, a step/sign Output, classes), said before the run as a
        # plain RunError, not as an error from inside fit.
        from .perceptron_method import perceptron_layer
        try:
            perceptron_layer(trainer)
        except ValueError as exc:
            raise RunError(str(exc)) from None
    if trainer_ready is not None:
        trainer_ready(trainer)
    files = run_files(project, settings, data)  # checkpoint and TensorBoard files, as the settings ask
    started = time.perf_counter()
    history = trainer.fit(data.prepared.train, data.prepared.validation, callbacks=[*callbacks, *files.callbacks],
                          stop_event=stop_event)
    files.add_to_message(history)  # a disk problem never stopped the run: its closing words say it
    seconds = time.perf_counter() - started
    test = {}
    if evaluate_test and data.prepared.test is not None and len(data.prepared.test) \
            and history.stop_reason != "diverged":
        test = trainer.evaluate(data.prepared.test)
        files.add_test_results(test)
    total = sum(p.numel() for p in model.parameters())
    total += sum(b.numel() for name, b in model.named_buffers() if "running_" in name)
    return trainer, RunResult(history, test, history.samples_per_second, total, seconds,
                              data.prepared.validation is not None, note=note,
                              epochs_before=resume.position.epochs_done if resume is not None else 0)


def _fits(model: GraphModule, context: Optional[DataContext]) -> bool:
    """Whether a saved network takes the data's input shapes and gives its outputs' sizes."""
    if context is None:
        return False
    shapes = {node_id: tuple(shape) for node_id, shape in context.input_shapes.items()}
    sizes = {node_id: target.units for node_id, target in context.output_targets.items()}
    return ({i: tuple(model.input_shapes[i]) for i in model.input_ids} == shapes
            and {i: model.output_configs[i].units for i in model.output_ids} == sizes)
