"""Train, evaluate and run a GraphModule: Keras-style fit with callbacks, stop/pause and a NaN guard.

The Trainer owns what every run shares (data, callbacks, stop and pause, evaluation); how the weights change is a
TrainingMethod (gradient_descent.py, perceptron_method.py) chosen by settings.method.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Callable, Mapping, Optional, Sequence, Union

import numpy as np
import torch
from torch import nn

from nnstudio.core.i18n import tr
from nnstudio.core.settings import TrainingSettings

from .callbacks import BestCheckpoint, Callback, EarlyStopping
from .compiler import GraphModule
from .forward import forward
from .gradient_descent import GradientDescent, no_slope_problem
from .history import DIVERGENCE_LOSSES, STOP_REASONS, History, PartLike, RunPosition
from .losses import OutputLoss, make_output_loss
from .metrics import OutputScorer
from .optimizers import make_optimizer
from .training_data import PreparedPart, prepare_part, split_part
from .training_method import TrainingMethod, TrainingRun

if TYPE_CHECKING:
    from .optimizer_state import ResumeState


def _perceptron_rule() -> TrainingMethod:
    from .perceptron_method import PerceptronRule  # teaching code, loaded only when this method is chosen
    return PerceptronRule()


# Training methods by settings.method: each call gives a fresh method for one fit.
TRAINING_METHODS: dict[str, Callable[[], TrainingMethod]] = {
    "gradient_descent": GradientDescent,
    "perceptron": _perceptron_rule,
}


def training_method(name: str) -> TrainingMethod:
    """The method for settings.method; ValueError in plain words for one the app does not have."""
    if not isinstance(name, str) or name not in TRAINING_METHODS:
        raise ValueError(tr("The training method {name!r} is not available yet: choose gradient descent.", name=name))
    return TRAINING_METHODS[name]()


# Below this much work per batch (rows × parameters) a second thread only costs: the threads meet at a
# barrier for every tiny operation, and on a busy 2-core machine one waiting thread made a 4-row XOR
# batch 20× slower (binary cross-entropy took 20 ms instead of 1 ms). Measured on the 2-core CPU here.
SMALL_BATCH_WORK = 4_000_000


def small_network_threads(model: nn.Module, batch_size: int) -> Optional[int]:
    """One CPU thread for small networks and batches, None (leave torch's choice) otherwise."""
    work = batch_size * sum(p.numel() for p in model.parameters())
    device_types = {p.device.type for p in model.parameters()}
    return 1 if work < SMALL_BATCH_WORK and device_types <= {"cpu"} else None


def choose_device(requested: str) -> torch.device:
    """The device asked for, or the CPU when CUDA is not available."""
    if requested.startswith("cuda") and torch.cuda.is_available():
        return torch.device(requested)
    return torch.device("cpu")


class Trainer:
    """Trains a compiled network with the chosen settings; fit can be paused or stopped from another thread."""

    # How often (in batches) fit looks for a NaN loss; the epoch-end check catches anything in between.
    divergence_check_every = 50
    evaluation_batch_size = 4096

    def __init__(self, model: GraphModule, settings: TrainingSettings) -> None:
        settings.validate()
        self.model = model
        self.settings = settings
        self.device = choose_device(settings.device)
        self.model.to(self.device)
        self.optimizer = make_optimizer(settings, model.parameters())
        self.losses: list[OutputLoss] = [
            make_output_loss(model.output_configs[i], model.output_activation(i)) for i in model.output_ids]
        self.scorers = [OutputScorer(model.output_configs[i], model.output_activation(i)) for i in model.output_ids]
        self.loss_weights = [model.output_configs[i].loss_weight for i in model.output_ids]
        self.history: Optional[History] = None
        self.checkpoint: Optional[BestCheckpoint] = None
        self.early_stopping: Optional[EarlyStopping] = None
        self.stop_training = False
        self._stop_reason: Optional[str] = None
        self._own_stop_event = threading.Event()
        self._active_stop_event = self._own_stop_event
        self._running = threading.Event()  # set while not paused
        self._running.set()
        self.has_batchnorm = any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in model.modules())
        self.has_dropout = any(isinstance(m, nn.modules.dropout._DropoutNd) for m in model.modules())
        # Where the run stands after its last whole epoch (saved in bundles), and where the next fit starts.
        self.position = RunPosition()
        self._go_on_from: Optional[tuple[RunPosition, Optional[History]]] = None

    # ------------------------------------------------------------ going on with a saved run
    def continue_from(self, state: "ResumeState") -> str:
        """Make the next fit go on with a saved run: its optimizer memory, epoch count, generators and curves.

        Returns "" or a plain note when the optimizer cannot go on (an older file without it, or another
        optimizer chosen since): the weights and the curves still go on, with a fresh optimizer."""
        note = ""
        chosen = type(self.optimizer).__name__
        if state.optimizer_state is None:
            note = tr("This model was saved without its optimizer's state (by an older NN Studio), so training "
                      "goes on from its weights with a fresh optimizer.")
        elif state.optimizer_class != chosen:
            note = tr("This model was trained with the {saved} optimizer and {chosen} is chosen now, so training "
                      "goes on from its weights with a fresh {chosen} optimizer.", saved=state.optimizer_class,
                      chosen=chosen)
        else:
            # The saved memory (moments, momentum) with today's settings: a changed learning rate applies.
            # Copies: torch keeps tensors of the right kind as they are, and training would change the saved state.
            groups = self.optimizer.state_dict()["param_groups"]
            saved = {index: {key: value.clone() if torch.is_tensor(value) else value for key, value in values.items()}
                     for index, values in state.optimizer_state["state"].items()}
            self.optimizer.load_state_dict({"state": saved, "param_groups": groups})
        self.position = state.position
        self._go_on_from = (state.position, state.history)
        return note

    def note_position(self, epoch: int, shuffle_generator: Optional[torch.Generator]) -> None:
        """Called at each epoch's end (before the callbacks): remember where the run stands."""
        # torch's global generator matters only to dropout's masks: without Dropout its state is not copied (one
        # copy per epoch is felt on teaching-size networks, where an epoch is a single step).
        self.position = RunPosition(epoch, shuffle_generator.get_state() if shuffle_generator is not None else None,
                                    torch.get_rng_state() if self.has_dropout else None)

    # ------------------------------------------------------------ control from other threads
    def stop(self) -> None:
        """Ask fit to end before its next batch (thread-safe)."""
        self._own_stop_event.set()
        self._active_stop_event.set()

    def pause(self) -> None:
        """Hold fit between two batches until resume() or stop()."""
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    def request_stop(self, reason: str = "stopped") -> None:
        """For callbacks: end training after the current batch or epoch with this reason."""
        self.stop_training = True
        self._stop_reason = reason

    @property
    def stop_reason(self) -> Optional[str]:
        """Why this fit is ending early (early_stopping, stopped), or None while it runs on."""
        return self._stop_reason

    # ------------------------------------------------------------ fit
    def fit(self, train: PartLike, validation: Optional[PartLike] = None, callbacks: Sequence[Callback] = (),
            stop_event: Optional[threading.Event] = None) -> History:
        """Train for settings.epochs epochs (or until stopped) and return the History."""
        method = training_method(self.settings.method)
        method.check(self)
        threads = torch.get_num_threads()
        small = small_network_threads(self.model, self.settings.batch_size)
        if small is not None and small < threads:
            torch.set_num_threads(small)
        try:
            return self._run(method, train, validation, callbacks, stop_event)
        finally:
            if torch.get_num_threads() != threads:
                torch.set_num_threads(threads)

    def _run(self, method: TrainingMethod, train: PartLike, validation: Optional[PartLike],
             callbacks: Sequence[Callback], stop_event: Optional[threading.Event]) -> History:
        """What every training method shares: data, callbacks, the stop event, and the closing words."""
        stop = stop_event if stop_event is not None else self._own_stop_event
        self._active_stop_event = stop
        self.stop_training, self._stop_reason = False, None
        try:
            train_data = self.prepare(train)
            if validation is not None:
                validation_data: Optional[PreparedPart] = self.prepare(validation)
            elif self.settings.validation_split > 0:
                train_data, validation_data = self.split(train_data, self.settings.validation_split)
            else:
                validation_data = None
            if train_data.size == 0:
                raise ValueError(tr("There are no training rows: choose more data or a smaller validation share."))
            start, earlier = self._go_on_from or (RunPosition(), None)
            self._go_on_from = None  # going on applies to one fit
            run = TrainingRun(self, train_data, validation_data, self._standard_callbacks() + list(callbacks),
                              stop, earlier.continued() if earlier is not None else History(), start)
            self.history = run.history
            for callback in run.callbacks:
                callback.set_trainer(self)
            for callback in run.callbacks:
                callback.on_train_begin({})
            logs = method.run(run)
        finally:
            self.model.eval()
            if stop is self._own_stop_event:
                self._own_stop_event.clear()  # so the next fit starts afresh
            self._active_stop_event = self._own_stop_event
        for callback in run.callbacks:
            callback.on_train_end(dict(logs))
        history = run.history
        if history.stop_reason != "diverged":  # a divergence has its own reason and message
            history.stop_reason = self._stop_reason or "completed"
        history.best_epoch = self._best_epoch(history)
        if history.stop_reason != "diverged":
            history.message = method.message(run) or self._final_message(history)
        return history

    def _standard_callbacks(self) -> list[Callback]:
        """Early stopping and the best checkpoint, as the settings ask."""
        standard: list[Callback] = []
        self.early_stopping = self.checkpoint = None
        options = self.settings.early_stopping
        if options.enabled:
            self.early_stopping = EarlyStopping(options.monitor, options.patience, options.min_delta,
                                                options.restore_best)
            standard.append(self.early_stopping)
        if self.settings.checkpoint_best:
            self.checkpoint = BestCheckpoint(options.monitor)
            standard.append(self.checkpoint)
        return standard

    def wait_while_paused(self, stop: threading.Event) -> bool:
        """Block (without spinning) until resumed; False when stopped meanwhile."""
        while not self._running.wait(0.1):
            if stop.is_set() or self.stop_training:
                return False
        return not (stop.is_set() or self.stop_training)

    def named_logs(self, total_loss: float, per_output: list[tuple[Optional[float], dict]]) -> dict[str, float]:
        logs = {"loss": total_loss}
        if len(per_output) == 1:
            logs.update(per_output[0][1])
            return logs
        for name, (output_loss, scores) in zip(self.model.output_names, per_output):
            if output_loss is not None:
                logs[f"{name}_loss"] = output_loss
            logs.update({f"{name}_{metric}": value for metric, value in scores.items()})
        return logs

    def _best_epoch(self, history: History) -> Optional[int]:
        for tracker in (self.checkpoint, self.early_stopping):
            if tracker is not None and tracker.best_epoch is not None:
                return tracker.best_epoch
        key = "val_loss" if "val_loss" in history.logs else "loss"
        values = history.logs.get(key, [])
        if not values:
            return None
        return history.epochs[min(range(len(values)), key=values.__getitem__)]

    def _final_message(self, history: History) -> str:
        done = len(history.epochs)
        if history.stop_reason == "early_stopping" and self.early_stopping is not None:
            stopping = self.early_stopping
            text = tr("Stopped early after epoch {epoch}: {monitor} did not improve for {patience} epoch(s).",
                      epoch=stopping.stopped_epoch, monitor=stopping.monitor_used, patience=stopping.patience)
            if stopping.restored:
                text += " " + tr("The weights of epoch {epoch} (the best) were restored.", epoch=stopping.best_epoch)
            return text
        if history.stop_reason == "stopped":
            return history.message or tr("Training was stopped after {epochs} epoch(s).", epochs=done)
        return tr("Training finished: {epochs} epoch(s).", epochs=done)

    # ------------------------------------------------------------ evaluate and predict
    def evaluate(self, part: PartLike) -> dict[str, dict[str, Union[float, list]]]:
        """Loss, metrics and (for classes) the confusion matrix of every Output, keyed by output name."""
        data = self.prepare(part)
        _, per_output = self._evaluate_tensors(data, with_confusion_matrix=True)
        results = {}
        for name, (output_loss, scores) in zip(self.model.output_names, per_output):
            results[name] = {"loss": output_loss, **scores}
        return results

    def evaluate_logs(self, data: PreparedPart) -> dict[str, float]:
        """Loss and metrics of prepared rows in Keras' key names (the validation numbers of each epoch)."""
        total, per_output = self._evaluate_tensors(data)
        return self.named_logs(total, per_output)

    def _evaluate_tensors(self, data: PreparedPart, with_confusion_matrix: bool = False
                          ) -> tuple[float, list[tuple[float, dict]]]:
        model = self.model
        was_training = model.training
        model.eval()
        sums = [torch.zeros((), dtype=torch.float64, device=self.device) for _ in self.losses]
        decisions = [scorer.empty_buffer(data.size, self.device) for scorer in self.scorers]
        try:
            with torch.inference_mode():
                for start in range(0, data.size, self.evaluation_batch_size):
                    end = min(start + self.evaluation_batch_size, data.size)
                    outputs = model.forward_logits(*[x[start:end] for x in data.inputs])
                    for k, (loss, scorer, output) in enumerate(zip(self.losses, self.scorers, outputs)):
                        target = data.loss_targets[k][start:end]
                        sums[k] += loss.function(output, target).double() * (end - start)
                        decisions[k][start:end] = scorer.decide(output)
        finally:
            model.train(was_training)
        per_output = []
        total = 0.0
        for k, scorer in enumerate(self.scorers):
            output_loss = float(sums[k]) / max(data.size, 1)
            total += self.loss_weights[k] * output_loss
            per_output.append((output_loss, scorer.scores(data.targets[k], decisions[k], with_confusion_matrix)))
        return total, per_output

    def predict(self, inputs: Union[Mapping[str, np.ndarray], Sequence[np.ndarray], PartLike],
                batch_size: int = 1024) -> dict[str, np.ndarray]:
        """What the drawing outputs (after each Output's activation, e.g. probabilities), keyed by output id."""
        if hasattr(inputs, "inputs"):
            inputs = inputs.inputs
        if not isinstance(inputs, Mapping):
            arrays = list(inputs)
            if len(arrays) != len(self.model.input_ids):
                raise ValueError(tr("The network has {inputs} input(s) but got {got}.",
                                    inputs=len(self.model.input_ids), got=len(arrays)))
            inputs = dict(zip(self.model.input_ids, arrays))
        return forward(self.model, inputs, self.device, batch_size)

    # ------------------------------------------------------------ data
    def prepare(self, part: PartLike) -> PreparedPart:
        """A data part as tensors on this trainer's device, targets ready for each loss."""
        return prepare_part(self.model, self.losses, part, self.device)

    def split(self, data: PreparedPart, fraction: float) -> tuple[PreparedPart, Optional[PreparedPart]]:
        """Keep the last `fraction` of the rows (after a shuffle seeded by the settings) for validation."""
        return split_part(data, fraction, self.settings.seed, self.device)


# Names others import from here, wherever they now live.
__all__ = ["DIVERGENCE_LOSSES", "SMALL_BATCH_WORK", "STOP_REASONS", "TRAINING_METHODS", "History", "PartLike",
           "PreparedPart", "Trainer", "choose_device", "make_optimizer", "no_slope_problem", "small_network_threads",
           "training_method"]
