"""Gradient descent as a training method: shuffled mini-batches, backpropagation, one optimizer step each."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

import torch

from nnstudio.core.i18n import tr
from nnstudio.core.layers import NO_GRADIENT_ACTIVATIONS

from .callbacks import Callback, overrides
from .compiler import GraphModule
from .history import DIVERGENCE_LOSSES, History
from .training_data import PreparedPart
from .training_method import TrainingMethod, TrainingRun

if TYPE_CHECKING:
    from .training import Trainer


def no_slope_problem(model: GraphModule, method: str) -> str:
    """Why gradient descent cannot train this network (an Output with a step or sign activation), or ""."""
    if method != "gradient_descent":
        return ""
    for output_id in model.output_ids:
        activation = model.output_configs[output_id].activation
        if activation in NO_GRADIENT_ACTIVATIONS:
            # Said before the first batch: otherwise torch stops with "element 0 of tensors does not require grad".
            output = model.node_names[output_id]
            weighted = [name for name, layer in model.layers.items() if any(True for _ in layer.parameters())]
            if len(weighted) > 1:  # the perceptron rule trains one layer: naming it here would lead nowhere
                return tr("The Output '{output}' uses the {activation} activation, which has no slope, so gradient "
                          "descent cannot learn through it: give the Output a sigmoid (or tanh) activation to train "
                          "with gradient descent (the perceptron rule trains networks without hidden layers only).",
                          output=output, activation=activation)
            return tr("The Output '{output}' uses the {activation} activation, which has no slope, so gradient "
                      "descent cannot learn through it: choose the perceptron rule as the training method, or give "
                      "the Output a sigmoid (or tanh) activation to train with gradient descent.",
                      output=output, activation=activation)
    return ""


@dataclass
class _EpochResult:
    batch_losses: list[torch.Tensor]
    output_losses: list[list[torch.Tensor]]
    decisions: list[list[torch.Tensor]]  # per Output, the decided rows in pieces, in training order
    processed: int
    seconds: float
    interrupted: bool = False


class GradientDescent(TrainingMethod):
    """Keras-style fit: per epoch, shuffle, train batch by batch, then score the epoch and the validation rows."""

    name = "gradient_descent"

    def check(self, trainer: "Trainer") -> None:
        problem = no_slope_problem(trainer.model, self.name)
        if problem:
            raise ValueError(problem)

    def run(self, run: TrainingRun) -> dict[str, float]:
        trainer, history = run.trainer, run.history
        settings, device = trainer.settings, trainer.device
        batch_begin = [c for c in run.callbacks if overrides(c, "on_batch_begin")]
        batch_end = [c for c in run.callbacks if overrides(c, "on_batch_end")]
        wants_batch_loss = any(c.wants_batch_loss for c in batch_end)
        if trainer.has_dropout:
            torch.manual_seed(settings.seed)  # dropout masks come from torch's global generator
        shuffle_generator = torch.Generator().manual_seed(settings.seed)
        # A run that goes on (a reopened bundle) draws the same orders and masks it would have drawn unbroken.
        if run.start.shuffle_state is not None:
            shuffle_generator.set_state(run.start.shuffle_state)
        if trainer.has_dropout and run.start.dropout_state is not None:
            torch.set_rng_state(run.start.dropout_state)
        run.shuffle_generator = shuffle_generator
        samples, seconds = 0, 0.0
        logs: dict[str, float] = {}
        for epoch in run.epochs():
            order = torch.randperm(run.train.size, generator=shuffle_generator) if settings.shuffle else None
            if order is not None and order.device != device:
                order = order.to(device)
            if not trainer.model.training:
                trainer.model.train()
            result = self._train_epoch(run, order, batch_begin, batch_end, wants_batch_loss)
            samples += result.processed
            seconds += result.seconds
            if len(result.batch_losses) == 1:
                # One batch per epoch (a teaching data set in one go): no stacking for a single number
                losses, values = None, [result.batch_losses[0].item()]
            else:
                losses = torch.stack(result.batch_losses) if result.batch_losses else torch.empty(0)
                values = losses.tolist()
            bad = next((i for i, v in enumerate(values) if not math.isfinite(v)), None)
            history.batch_losses.extend(values if bad is None else values[:bad])
            if bad is not None:
                self._diverged(trainer, history, epoch, bad + 1, values[bad])
                break
            if result.interrupted:
                run.note_stopped()
                history.message = tr("Training was stopped during epoch {epoch}.", epoch=epoch)
                break
            logs = self._epoch_logs(trainer, run.train, order, result, losses, values)
            if run.validation is not None:
                logs.update({"val_" + k: v for k, v in trainer.evaluate_logs(run.validation).items()})
            run.epoch_end(epoch, logs)
            if run.should_stop():
                run.note_stopped()
                break
        history.samples_per_second = samples / seconds if seconds > 0 else 0.0
        return logs

    def _train_epoch(self, run: TrainingRun, order: Optional[torch.Tensor], batch_begin: list[Callback],
                     batch_end: list[Callback], wants_batch_loss: bool) -> _EpochResult:
        """One pass over the training data. Kept lean: no .item() and no Python metric work per batch."""
        trainer, data, stop = run.trainer, run.train, run.stop_event
        model, optimizer = trainer.model, trainer.optimizer
        forward, step = model.forward_logits, optimizer.step
        # What optimizer.zero_grad(set_to_none=True) does, without its profiler record and hook checks: about 30 µs
        # a call, a tenth of a step of a teaching-size network (a 2-8-1 XOR step is about 300 µs).
        weights_to_clear = [weight for group in optimizer.param_groups for weight in group["params"]]
        inputs, targets = data.inputs, data.loss_targets
        loss_functions = [loss.function for loss in trainer.losses]
        weights = trainer.loss_weights
        # Logits of recent batches, turned into class codes or values in one go every few batches: one
        # bulk operation instead of one small one per batch.
        pending: list[list[torch.Tensor]] = [[] for _ in trainer.scorers]
        decisions: list[list[torch.Tensor]] = [[] for _ in trainer.scorers]
        several_outputs = len(loss_functions) > 1
        first_loss, first_weight = loss_functions[0], weights[0]
        batch_losses: list[torch.Tensor] = []
        output_losses: list[list[torch.Tensor]] = [[] for _ in loss_functions]
        batch_size = trainer.settings.batch_size
        size = data.size
        if trainer.has_batchnorm and size % batch_size == 1 and size > 1:
            size -= 1  # BatchNorm cannot normalise a batch of one sample: skip that last lone row
        check_every = trainer.divergence_check_every
        whole_order = size <= batch_size and size == data.size  # one batch takes every row: no slice of order
        interrupted = False
        started = time.perf_counter()
        end = 0
        for batch, start in enumerate(range(0, size, batch_size)):
            if stop.is_set() or trainer.stop_training:
                interrupted = True
                break
            if trainer.paused and not trainer.wait_while_paused(stop):
                interrupted = True
                break
            end = min(start + batch_size, size)
            for callback in batch_begin:
                callback.on_batch_begin(batch, {"batch": batch, "size": end - start})
            if order is None:
                xs = [x[start:end] for x in inputs]
                ys = [y[start:end] for y in targets]
            else:
                index = order if whole_order else order[start:end]
                xs = [x.index_select(0, index) for x in inputs]
                ys = [y.index_select(0, index) for y in targets]
            for weight in weights_to_clear:
                weight.grad = None
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
                self._decide_pending(trainer, pending, decisions)
                if not bool(torch.isfinite(loss)):
                    break  # the epoch-end code finds the first bad batch and reports it
        processed = end if batch_losses else 0
        self._decide_pending(trainer, pending, decisions)
        seconds = time.perf_counter() - started
        return _EpochResult(batch_losses, output_losses, decisions, processed, seconds, interrupted)

    @staticmethod
    def _decide_pending(trainer: "Trainer", pending: list[list[torch.Tensor]],
                        decisions: list[list[torch.Tensor]]) -> None:
        """Decide the collected logits in one go and add them to each Output's decisions of this epoch."""
        for collected, decided, scorer in zip(pending, decisions, trainer.scorers):
            if collected:
                decided.append(scorer.decide(collected[0] if len(collected) == 1 else torch.cat(collected)))
                collected.clear()

    @staticmethod
    def _epoch_logs(trainer: "Trainer", data: PreparedPart, order: Optional[torch.Tensor], result: _EpochResult,
                    losses: Optional[torch.Tensor], values: list[float]) -> dict[str, float]:
        """Loss (mean over samples) and metrics of the epoch just trained, in Keras' key names.

        `losses` holds the batch losses as a tensor (None for a single batch), `values` the same as numbers."""
        batch_size = trainer.settings.batch_size
        processed = result.processed

        def mean(batch_values: torch.Tensor) -> float:
            sizes = torch.full((len(result.batch_losses),), float(batch_size), dtype=torch.float64)
            sizes[-1] = processed - batch_size * (len(result.batch_losses) - 1)
            return float((batch_values.to("cpu", torch.float64) * sizes).sum() / processed)

        if order is not None:
            positions = order if processed == data.size else order[:processed]
        per_output = []
        for k, scorer in enumerate(trainer.scorers):
            if order is not None:
                target = data.targets[k].index_select(0, positions)
            else:
                target = data.targets[k] if processed == data.size else data.targets[k][:processed]
            decided = result.decisions[k]
            scores = scorer.scores(target, decided[0] if len(decided) == 1 else torch.cat(decided))
            output_loss = mean(torch.stack(result.output_losses[k])) if result.output_losses[k] else None
            per_output.append((output_loss, scores))
        # One batch: its loss is the epoch's mean (loss × rows / rows in float64 is exactly that number again)
        return trainer.named_logs(values[0] if losses is None else mean(losses), per_output)

    @staticmethod
    def _diverged(trainer: "Trainer", history: History, epoch: int, batch: int, bad_loss: float = math.nan) -> None:
        history.stop_reason = "diverged"
        learning_rate = trainer.settings.learning_rate
        history.divergence = {"epoch": epoch, "batch": batch, "learning_rate": learning_rate,
                              "bad_loss": bad_loss, "last_losses": history.batch_losses[-DIVERGENCE_LOSSES:]}
        history.message = tr(
            "The loss became NaN at epoch {epoch}, batch {batch}: the learning rate ({rate:g}) is probably too high, "
            "or the inputs are not scaled. Try a learning rate 10× smaller or turn on standardisation.",
            epoch=epoch, batch=batch, rate=learning_rate)


__all__ = ["GradientDescent", "no_slope_problem"]
