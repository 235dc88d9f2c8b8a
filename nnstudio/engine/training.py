"""Train, evaluate and run a GraphModule: Keras-style fit with callbacks, stop/pause and a NaN guard."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Optional, Protocol, Sequence, Union

import numpy as np
import torch
from torch import nn

from nnstudio.core.layers import NO_GRADIENT_ACTIVATIONS
from nnstudio.core.settings import TrainingSettings

from .callbacks import BestCheckpoint, Callback, EarlyStopping, overrides
from .compiler import GraphModule
from .losses import OutputLoss, make_output_loss
from .metrics import OutputScorer

STOP_REASONS = ("completed", "early_stopping", "stopped", "diverged")
DIVERGENCE_LOSSES = 10   # how many batch losses before a NaN the divergence details keep


class PartLike(Protocol):
    """What the data preparation hands over: arrays per Input id and per Output id."""

    inputs: Mapping[str, np.ndarray]
    targets: Mapping[str, np.ndarray]


@dataclass
class History:
    """What happened during fit, in Keras' shape: one list per logged number, one entry per epoch."""

    epochs: list[int] = field(default_factory=list)           # epoch numbers, starting at 1
    logs: dict[str, list[float]] = field(default_factory=dict)
    stop_reason: str = "completed"
    message: str = ""
    best_epoch: Optional[int] = None
    batch_losses: list[float] = field(default_factory=list)   # every training batch, in order
    samples_per_second: float = 0.0
    # Where a run diverged, for its details: epoch, batch, learning_rate, bad_loss and last_losses (finite ones).
    divergence: dict = field(default_factory=dict)

    def record(self, epoch: int, logs: Mapping[str, float]) -> None:
        self.epochs.append(epoch)
        for key, value in logs.items():
            self.logs.setdefault(key, []).append(value)


@dataclass
class _Tensors:
    """One data part as tensors on the training device, in the model's input and output order."""

    inputs: list[torch.Tensor]
    targets: list[torch.Tensor]       # as given (class codes or values), for the metrics
    loss_targets: list[torch.Tensor]  # converted once into what each loss function expects
    size: int


@dataclass
class _EpochResult:
    batch_losses: list[torch.Tensor]
    output_losses: list[list[torch.Tensor]]
    decisions: list[torch.Tensor]
    processed: int
    seconds: float
    interrupted: bool = False


def make_optimizer(settings: TrainingSettings, parameters: Iterable[nn.Parameter]) -> torch.optim.Optimizer:
    """The optimizer named in the settings, fused into one kernel per step where torch allows it."""
    parameters = list(parameters)
    name, learning_rate, decay = settings.optimizer, settings.learning_rate, settings.weight_decay
    choices: dict[str, tuple[type, dict[str, Any]]] = {
        "sgd": (torch.optim.SGD, {"weight_decay": decay}),
        "momentum": (torch.optim.SGD, {"momentum": settings.momentum, "weight_decay": decay}),
        "nesterov": (torch.optim.SGD, {"momentum": settings.momentum, "nesterov": True, "weight_decay": decay}),
        "adagrad": (torch.optim.Adagrad, {"eps": settings.epsilon, "weight_decay": decay}),
        # Keras' RMSprop has no momentum by default; the settings' momentum belongs to the SGD variants.
        "rmsprop": (torch.optim.RMSprop, {"alpha": settings.rho, "eps": settings.epsilon, "weight_decay": decay}),
        "adam": (torch.optim.Adam, {"betas": (settings.beta1, settings.beta2), "eps": settings.epsilon,
                                    "weight_decay": decay}),
        "adamw": (torch.optim.AdamW, {"betas": (settings.beta1, settings.beta2), "eps": settings.epsilon,
                                      "weight_decay": decay}),
    }
    if name not in choices:
        raise ValueError(f"unknown optimizer {name!r}")
    if name == "nesterov" and settings.momentum <= 0:
        raise ValueError("Nesterov momentum needs a momentum above 0: raise the momentum or choose SGD")
    optimizer_class, options = choices[name]
    try:
        # One fused kernel per step instead of several per parameter: about twice as fast on the CPU.
        return optimizer_class(parameters, lr=learning_rate, fused=True, **options)
    except (TypeError, RuntimeError, ValueError):
        # This optimizer (e.g. RMSprop) or device has no fused version; the plain one gives the same numbers.
        return optimizer_class(parameters, lr=learning_rate, **options)


# Below this much work per batch (rows × parameters) a second thread only costs: the threads meet at a
# barrier for every tiny operation, and on a busy 2-core machine one waiting thread made a 4-row XOR
# batch 20× slower (binary cross-entropy took 20 ms instead of 1 ms). Measured on the 2-core CPU here.
SMALL_BATCH_WORK = 4_000_000


def no_slope_problem(model: GraphModule, method: str) -> str:
    """Why gradient descent cannot train this network (an Output with a step or sign activation), or ""."""
    if method != "gradient_descent":
        return ""
    for output_id in model.output_ids:
        activation = model.output_configs[output_id].activation
        if activation in NO_GRADIENT_ACTIVATIONS:
            # Said before the first batch: otherwise torch stops with "element 0 of tensors does not require grad".
            start = (f"The Output '{model.node_names[output_id]}' uses the {activation} activation, which has no "
                     "slope, so gradient descent cannot learn through it: ")
            weighted = [name for name, layer in model.layers.items() if any(True for _ in layer.parameters())]
            if len(weighted) > 1:  # the perceptron rule trains one layer: naming it here would lead nowhere
                return start + ("give the Output a sigmoid (or tanh) activation to train with gradient descent "
                                "(the perceptron rule trains networks without hidden layers only).")
            return start + ("choose the perceptron rule as the training method, or give the Output a sigmoid (or "
                            "tanh) activation to train with gradient descent.")
    return ""


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


def _as_tensor(array: Any, dtype: torch.dtype) -> torch.Tensor:
    if isinstance(array, torch.Tensor):
        return array.to(dtype)
    values = np.asarray(array)
    if not values.flags.writeable or not values.flags.c_contiguous:
        values = np.ascontiguousarray(values).copy()  # torch wants memory it may write to
    return torch.from_numpy(values).to(dtype)


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
        self._has_batchnorm = any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in model.modules())
        self._has_dropout = any(isinstance(m, nn.modules.dropout._DropoutNd) for m in model.modules())
        # Training methods by settings.method.
        self._fit_methods: dict[str, Callable[..., History]] = {"gradient_descent": self._fit_gradient_descent,
                                                                 "perceptron": self._fit_perceptron}

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

    # ------------------------------------------------------------ fit
    def fit(self, train: PartLike, validation: Optional[PartLike] = None, callbacks: Sequence[Callback] = (),
            stop_event: Optional[threading.Event] = None) -> History:
        """Train for settings.epochs epochs (or until stopped) and return the History."""
        method = self.settings.method
        if method not in self._fit_methods:
            raise ValueError(f"The training method {method!r} is not available yet: choose gradient descent.")
        problem = no_slope_problem(self.model, method)
        if problem:
            raise ValueError(problem)
        threads = torch.get_num_threads()
        small = small_network_threads(self.model, self.settings.batch_size)
        if small is not None and small < threads:
            torch.set_num_threads(small)
        try:
            return self._fit_methods[method](train, validation, callbacks, stop_event)
        finally:
            if torch.get_num_threads() != threads:
                torch.set_num_threads(threads)

    def _fit_gradient_descent(self, train: PartLike, validation: Optional[PartLike],
                              callbacks: Sequence[Callback], stop_event: Optional[threading.Event]) -> History:
        settings = self.settings
        stop = stop_event if stop_event is not None else self._own_stop_event
        self._active_stop_event = stop
        self.stop_training, self._stop_reason = False, None

        train_data = self._tensors(train)
        if validation is not None:
            validation_data: Optional[_Tensors] = self._tensors(validation)
        elif settings.validation_split > 0:
            train_data, validation_data = self._split(train_data, settings.validation_split)
        else:
            validation_data = None
        if train_data.size == 0:
            raise ValueError("There are no training rows: choose more data or a smaller validation share.")

        all_callbacks = self._standard_callbacks() + list(callbacks)
        for callback in all_callbacks:
            callback.set_trainer(self)
        batch_begin = [c for c in all_callbacks if overrides(c, "on_batch_begin")]
        batch_end = [c for c in all_callbacks if overrides(c, "on_batch_end")]
        wants_batch_loss = any(c.wants_batch_loss for c in batch_end)

        history = History()
        self.history = history
        if self._has_dropout:
            torch.manual_seed(settings.seed)  # dropout masks come from torch's global generator
        shuffle_generator = torch.Generator().manual_seed(settings.seed)
        samples, seconds = 0, 0.0
        logs: dict[str, float] = {}
        for callback in all_callbacks:
            callback.on_train_begin({})
        try:
            for epoch in range(1, settings.epochs + 1):
                if stop.is_set():
                    self._stop_reason = "stopped"
                    break
                for callback in all_callbacks:
                    callback.on_epoch_begin(epoch, {})
                order = torch.randperm(train_data.size, generator=shuffle_generator) if settings.shuffle else None
                if order is not None and order.device != self.device:
                    order = order.to(self.device)
                if not self.model.training:
                    self.model.train()
                result = self._train_epoch(train_data, order, stop, batch_begin, batch_end, wants_batch_loss)
                samples += result.processed
                seconds += result.seconds
                losses = torch.stack(result.batch_losses) if result.batch_losses else torch.empty(0)
                values = losses.tolist()
                bad = next((i for i, v in enumerate(values) if not math.isfinite(v)), None)
                history.batch_losses.extend(values if bad is None else values[:bad])
                if bad is not None:
                    self._diverged(history, epoch, bad + 1, values[bad])
                    break
                if result.interrupted:
                    self._stop_reason = self._stop_reason or "stopped"
                    history.message = f"Training was stopped during epoch {epoch}."
                    break
                logs = self._epoch_logs(train_data, order, result, losses)
                if validation_data is not None:
                    logs.update({"val_" + k: v for k, v in self._evaluate_logs(validation_data).items()})
                history.record(epoch, logs)
                for callback in all_callbacks:
                    callback.on_epoch_end(epoch, logs)
                if self.stop_training or stop.is_set():
                    self._stop_reason = self._stop_reason or "stopped"
                    break
        finally:
            self.model.eval()
            if stop is self._own_stop_event:
                self._own_stop_event.clear()  # so the next fit starts afresh
            self._active_stop_event = self._own_stop_event
        for callback in all_callbacks:
            callback.on_train_end(dict(logs))

        history.samples_per_second = samples / seconds if seconds > 0 else 0.0
        if history.stop_reason != "diverged":
            history.stop_reason = self._stop_reason or "completed"
        history.best_epoch = self._best_epoch(history)
        history.message = self._final_message(history) if history.stop_reason != "diverged" else history.message
        return history

    def _fit_perceptron(self, train: PartLike, validation: Optional[PartLike],
                        callbacks: Sequence[Callback], stop_event: Optional[threading.Event]) -> History:
        """Rosenblatt's rule for a single-layer step/sign network (the numbers live in core.teaching.perceptron)."""
        from .perceptron_method import fit_perceptron  # teaching code, loaded only when this method is chosen
        return fit_perceptron(self, train, validation, callbacks, stop_event)

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

    def _train_epoch(self, data: _Tensors, order: Optional[torch.Tensor], stop: threading.Event,
                     batch_begin: list[Callback], batch_end: list[Callback], wants_batch_loss: bool) -> _EpochResult:
        """One pass over the training data. Kept lean: no .item() and no Python metric work per batch."""
        model, optimizer = self.model, self.optimizer
        forward, zero_grad, step = model.forward_logits, optimizer.zero_grad, optimizer.step
        inputs, targets = data.inputs, data.loss_targets
        loss_functions = [loss.function for loss in self.losses]
        weights = self.loss_weights
        decisions = [scorer.empty_buffer(data.size, self.device) for scorer in self.scorers]
        # Logits of recent batches, turned into class codes or values in one go every few batches: one
        # bulk operation instead of one small one per batch.
        pending: list[list[torch.Tensor]] = [[] for _ in self.scorers]
        pending_start = 0
        several_outputs = len(loss_functions) > 1
        first_loss, first_weight = loss_functions[0], weights[0]
        batch_losses: list[torch.Tensor] = []
        output_losses: list[list[torch.Tensor]] = [[] for _ in loss_functions]
        running = self._running
        batch_size = self.settings.batch_size
        size = data.size
        if self._has_batchnorm and size % batch_size == 1 and size > 1:
            size -= 1  # BatchNorm cannot normalise a batch of one sample: skip that last lone row
        check_every = self.divergence_check_every
        interrupted = False
        started = time.perf_counter()
        end = 0
        for batch, start in enumerate(range(0, size, batch_size)):
            if stop.is_set() or self.stop_training:
                interrupted = True
                break
            if not running.is_set() and not self._wait_while_paused(stop):
                interrupted = True
                break
            end = min(start + batch_size, size)
            for callback in batch_begin:
                callback.on_batch_begin(batch, {"batch": batch, "size": end - start})
            if order is None:
                xs = [x[start:end] for x in inputs]
                ys = [y[start:end] for y in targets]
            else:
                index = order[start:end]
                xs = [x.index_select(0, index) for x in inputs]
                ys = [y.index_select(0, index) for y in targets]
            zero_grad(set_to_none=True)
            outputs = forward(*xs)
            if several_outputs:
                parts = [function(o, y) for function, o, y in zip(loss_functions, outputs, ys)]
                loss = sum(w * part for w, part in zip(weights, parts))
                for collected, part in zip(output_losses, parts):
                    collected.append(part.detach())
            else:
                loss = first_loss(outputs[0], ys[0])
                if first_weight != 1.0:
                    loss = loss * first_weight
            loss.backward()
            step()
            loss = loss.detach()
            batch_losses.append(loss)
            for collected, output in zip(pending, outputs):
                collected.append(output.detach())
            if batch_end:
                logs: dict[str, float] = {"batch": batch, "size": end - start}
                if wants_batch_loss:
                    logs["loss"] = loss.item()
                for callback in batch_end:
                    callback.on_batch_end(batch, logs)
            if batch % check_every == check_every - 1:
                pending_start = self._decide_pending(pending, decisions, pending_start, end)
                if not bool(torch.isfinite(loss)):
                    break  # the epoch-end code finds the first bad batch and reports it
        processed = end if batch_losses else 0
        self._decide_pending(pending, decisions, pending_start, processed)
        seconds = time.perf_counter() - started
        return _EpochResult(batch_losses, output_losses, decisions, processed, seconds, interrupted)

    def _decide_pending(self, pending: list[list[torch.Tensor]], decisions: list[torch.Tensor], start: int,
                        end: int) -> int:
        """Store the decisions for the collected logits of rows start..end; return where the next ones go."""
        for collected, buffer, scorer in zip(pending, decisions, self.scorers):
            if collected:
                buffer[start:end] = scorer.decide(torch.cat(collected))
                collected.clear()
        return end

    def _wait_while_paused(self, stop: threading.Event) -> bool:
        """Block (without spinning) until resumed; False when stopped meanwhile."""
        while not self._running.wait(0.1):
            if stop.is_set() or self.stop_training:
                return False
        return not (stop.is_set() or self.stop_training)

    def _epoch_logs(self, data: _Tensors, order: Optional[torch.Tensor], result: _EpochResult,
                    losses: torch.Tensor) -> dict[str, float]:
        """Loss (mean over samples) and metrics of the epoch just trained, in Keras' key names."""
        batch_size = self.settings.batch_size
        sizes = torch.full((len(result.batch_losses),), float(batch_size), dtype=torch.float64)
        sizes[-1] = result.processed - batch_size * (len(result.batch_losses) - 1)

        def mean(values: torch.Tensor) -> float:
            return float((values.to("cpu", torch.float64) * sizes).sum() / result.processed)

        positions = order[:result.processed] if order is not None else None
        per_output = []
        for k, scorer in enumerate(self.scorers):
            target = data.targets[k][:result.processed] if positions is None else \
                data.targets[k].index_select(0, positions)
            scores = scorer.scores(target, result.decisions[k][:result.processed])
            output_loss = mean(torch.stack(result.output_losses[k])) if result.output_losses[k] else None
            per_output.append((output_loss, scores))
        return self._named_logs(mean(losses), per_output)

    def _named_logs(self, total_loss: float, per_output: list[tuple[Optional[float], dict]]) -> dict[str, float]:
        logs = {"loss": total_loss}
        if len(per_output) == 1:
            logs.update(per_output[0][1])
            return logs
        for name, (output_loss, scores) in zip(self.model.output_names, per_output):
            if output_loss is not None:
                logs[f"{name}_loss"] = output_loss
            logs.update({f"{name}_{metric}": value for metric, value in scores.items()})
        return logs

    def _diverged(self, history: History, epoch: int, batch: int, bad_loss: float = math.nan) -> None:
        history.stop_reason = "diverged"
        history.divergence = {"epoch": epoch, "batch": batch, "learning_rate": self.settings.learning_rate,
                              "bad_loss": bad_loss, "last_losses": history.batch_losses[-DIVERGENCE_LOSSES:]}
        history.message = (
            f"The loss became NaN at epoch {epoch}, batch {batch}: the learning rate "
            f"({self.settings.learning_rate:g}) is probably too high, or the inputs are not scaled. "
            "Try a learning rate 10× smaller or turn on standardisation.")

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
            text = (f"Stopped early after epoch {stopping.stopped_epoch}: {stopping.monitor_used} did not improve "
                    f"for {stopping.patience} epoch(s).")
            if stopping.restored:
                text += f" The weights of epoch {stopping.best_epoch} (the best) were restored."
            return text
        if history.stop_reason == "stopped":
            return history.message or f"Training was stopped after {done} epoch(s)."
        return f"Training finished: {done} epoch(s)."

    # ------------------------------------------------------------ evaluate and predict
    def evaluate(self, part: PartLike) -> dict[str, dict[str, Union[float, list]]]:
        """Loss, metrics and (for classes) the confusion matrix of every Output, keyed by output name."""
        data = self._tensors(part)
        _, per_output = self._evaluate_tensors(data, with_confusion_matrix=True)
        results = {}
        for name, (output_loss, scores) in zip(self.model.output_names, per_output):
            results[name] = {"loss": output_loss, **scores}
        return results

    def _evaluate_logs(self, data: _Tensors) -> dict[str, float]:
        total, per_output = self._evaluate_tensors(data)
        return self._named_logs(total, per_output)

    def _evaluate_tensors(self, data: _Tensors, with_confusion_matrix: bool = False
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
        if isinstance(inputs, Mapping):
            tensors = self._input_tensors(inputs)
        else:
            arrays = list(inputs)
            if len(arrays) != len(self.model.input_ids):
                raise ValueError(f"The network has {len(self.model.input_ids)} input(s) but got {len(arrays)}.")
            tensors = self._input_tensors(dict(zip(self.model.input_ids, arrays)))
        size = tensors[0].shape[0] if tensors else 0
        collected: list[list[torch.Tensor]] = [[] for _ in self.model.output_ids]
        model = self.model
        was_training = model.training
        model.eval()
        try:
            with torch.inference_mode():
                for start in range(0, size, batch_size):
                    outputs = model(*[x[start:start + batch_size] for x in tensors])
                    for bucket, output in zip(collected, outputs):
                        bucket.append(output.to("cpu"))
        finally:
            model.train(was_training)
        results = {}
        for output_id, bucket in zip(self.model.output_ids, collected):
            config = self.model.output_configs[output_id]
            results[output_id] = torch.cat(bucket).numpy() if bucket else np.zeros((0, config.units), np.float32)
        return results

    # ------------------------------------------------------------ data
    def _lookup(self, arrays: Mapping[str, Any], node_id: str, what: str) -> Any:
        if node_id in arrays:
            return arrays[node_id]
        name = self.model.node_names[node_id]
        if name in arrays:
            return arrays[name]
        raise ValueError(f"The data has no {what} for '{name}'.")

    def _input_tensors(self, arrays: Mapping[str, Any]) -> list[torch.Tensor]:
        tensors = []
        for input_id in self.model.input_ids:
            tensor = _as_tensor(self._lookup(arrays, input_id, "values"), torch.float32)
            shape = self.model.input_shapes[input_id]
            if tensor.ndim == 0 or math.prod(tensor.shape[1:]) != math.prod(shape):
                raise ValueError(f"Input '{self.model.node_names[input_id]}' expects {math.prod(shape)} values "
                                 f"per row but the data has shape {tuple(tensor.shape)}.")
            tensors.append(tensor.reshape((tensor.shape[0],) + tuple(shape)).to(self.device))
        return tensors

    def _tensors(self, part: PartLike) -> _Tensors:
        inputs = self._input_tensors(part.inputs)
        targets, loss_targets = [], []
        for output_id, loss in zip(self.model.output_ids, self.losses):
            config = self.model.output_configs[output_id]
            name = self.model.node_names[output_id]
            raw = self._lookup(part.targets, output_id, "targets")
            if config.task in ("multiclass", "binary"):
                target = self._class_targets(raw, config.task, config.units, name)
            else:
                target = _as_tensor(raw, torch.float32)
                target = target.reshape(target.shape[0], -1)
                if target.shape[1] != config.units:
                    raise ValueError(f"Output '{name}' has {config.units} unit(s) but its targets have "
                                     f"{target.shape[1]} column(s).")
            target = target.to(self.device)
            targets.append(target)
            loss_targets.append(loss.prepare_target(target))
        sizes = {t.shape[0] for t in inputs + targets}
        if len(sizes) > 1:
            raise ValueError(f"The inputs and targets have different numbers of rows: {sorted(sizes)}.")
        return _Tensors(inputs, targets, loss_targets, sizes.pop() if sizes else 0)

    @staticmethod
    def _class_targets(raw: Any, task: str, units: int, name: str) -> torch.Tensor:
        values = raw if isinstance(raw, torch.Tensor) else torch.from_numpy(np.array(raw))
        if task == "multiclass" and values.is_floating_point() and values.ndim == 2 and values.shape[1] == units:
            return values.float()  # class probabilities (soft or one-hot labels)
        values = values.reshape(-1)
        if values.is_floating_point():
            if not bool(torch.all(values == values.round())):
                raise ValueError(f"Output '{name}' predicts classes, but its targets are not whole numbers.")
        values = values.long()
        classes = 2 if task == "binary" else units
        if values.numel() and (int(values.min()) < 0 or int(values.max()) >= classes):
            raise ValueError(f"Output '{name}' has {classes} classes (codes 0 to {classes - 1}) but its targets "
                             f"go from {int(values.min())} to {int(values.max())}.")
        return values

    def _split(self, data: _Tensors, fraction: float) -> tuple[_Tensors, Optional[_Tensors]]:
        """Keep the last `fraction` of the rows (after a seeded shuffle) for validation, like Keras."""
        keep = int(data.size * (1.0 - fraction))
        if keep <= 0 or keep >= data.size:
            return data, None
        order = torch.randperm(data.size, generator=torch.Generator().manual_seed(self.settings.seed))
        order = order.to(self.device)
        first, rest = order[:keep], order[keep:]

        def take(index: torch.Tensor) -> _Tensors:
            return _Tensors([x.index_select(0, index) for x in data.inputs],
                            [y.index_select(0, index) for y in data.targets],
                            [y.index_select(0, index) for y in data.loss_targets], int(index.numel()))

        return take(first), take(rest)
