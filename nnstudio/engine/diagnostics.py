"""Notice what went wrong in a training run and explain it in plain words, from the run's own numbers."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Mapping, Optional, Sequence

import numpy as np

from ..core.i18n import N_, tr
from .probes import FeatureStats, LayerGradient, Probes, UnitActivity, probe
from .verdicts import SEVERITIES, Diagnosis, resolve

if TYPE_CHECKING:
    from .training import History, PartLike, Trainer

KINDS = ("overfitting", "underfitting", "learning_rate", "dead_relu", "vanishing_gradients", "unscaled_inputs",
         "needs_validation")
# The advice lines that turn a setting, so that verdicts.resolve never lets two findings pull it both ways.
# Marked here, translated where a Diagnosis is made (tr(SMALLER_NETWORK)): the language is chosen after import.
SMALLER_NETWORK = N_("Use a smaller network (fewer units or layers) or more training data.")
RAISE_RATE = N_("Train for more epochs, or raise the learning rate a little if the loss falls slowly.")
MORE_CAPACITY = N_("Give the network more capacity: more units, or a hidden layer with a non-linear activation "
                   "(relu).")
MORE_UNITS = N_("Add a hidden layer or more units.")
LOWER_RATE_DEAD = N_("Lower the learning rate: one big step can push a unit's bias far below zero.")


@dataclass(frozen=True)
class Thresholds:
    """Where each diagnostic starts to speak; one place to tune them."""

    overfit_rising_epochs: int = 3          # epochs since the best validation loss
    overfit_rise: float = 0.10              # validation loss at least 10% above its best...
    overfit_train_fall: float = 0.05        # ...while training loss fell at least 5% more since then
    underfit_margin: float = 0.25           # accuracy must beat the baseline by a quarter of what is left
    underfit_loss_ratio: float = 0.7        # or a loss still above 70% of guessing the class frequencies
    underfit_r2: float = 0.2
    oscillation_share: float = 0.4          # share of epochs where the loss went up
    oscillation_progress: float = 0.8       # ...and the best loss is still above 80% of the first
    explosion_factor: float = 3.0           # a loss 3× above the first epoch's
    dead_share: float = 0.5                 # a layer with half its ReLU units dead
    vanishing_ratio: float = 1e-3           # first layer's gradient RMS below 1/1000 of the last layer's
    unscaled_std: float = 100.0
    unscaled_mean_over_std: float = 5.0
    unscaled_spread_ratio: float = 100.0


DEFAULT = Thresholds()


def _loss_series(history: "History", key: str) -> list[float]:
    return [float(v) for v in history.logs.get(key, [])]


def _fmt(value: float) -> str:
    return f"{value:.4g}"


# ---------------------------------------------------------------- from the curves

def check_overfitting(history: "History", limits: Thresholds = DEFAULT) -> Optional[Diagnosis]:
    """Validation loss rising for several epochs after its best while the training loss keeps falling."""
    val, train = _loss_series(history, "val_loss"), _loss_series(history, "loss")
    if len(val) < limits.overfit_rising_epochs + 2 or len(train) != len(val):
        return None
    finite = [v if math.isfinite(v) else math.inf for v in val]
    best = int(np.argmin(finite))
    since = len(val) - 1 - best
    if since < limits.overfit_rising_epochs:
        return None
    rise = (val[-1] - val[best]) / max(abs(val[best]), 1e-12)
    train_fall = (train[best] - train[-1]) / max(abs(train[best]), 1e-12)
    # Rising for real: the recent validation losses, not just the last one, sit above the best.
    recent = val[best + 1:]
    rising_share = sum(v > val[best] * (1 + limits.overfit_rise / 2) for v in recent) / len(recent)
    if rise < limits.overfit_rise or train_fall < limits.overfit_train_fall or rising_share < 0.5:
        return None
    epochs = history.epochs
    from_epoch = epochs[best + 1] if best + 1 < len(epochs) else best + 2
    best_epoch = epochs[best] if best < len(epochs) else best + 1
    smaller = tr(SMALLER_NETWORK)
    return Diagnosis(
        "overfitting", "warning", tr("Overfitting from epoch {epoch}", epoch=from_epoch),
        tr("The validation loss was lowest at epoch {epoch} ({best}) and has risen since, to {last} (+{rise:.0%}), "
           "while the training loss kept falling ({train_best} → {train_last}). The network is learning the "
           "training samples by heart instead of the pattern.",
           epoch=best_epoch, best=_fmt(val[best]), last=_fmt(val[-1]), rise=rise, train_best=_fmt(train[best]),
           train_last=_fmt(train[-1])),
        {"best_epoch": float(best_epoch), "from_epoch": float(from_epoch), "best_val_loss": val[best],
         "last_val_loss": val[-1], "val_rise": rise, "train_loss_at_best": train[best],
         "last_train_loss": train[-1], "epochs_since_best": float(since)},
        (tr("Turn on early stopping (it keeps the weights of the best epoch)."),
         tr("Add Dropout between the Dense layers (rate 0.2–0.5)."), smaller),
        {smaller: ("network_size", "smaller")})


def _accuracy_key(history: "History") -> Optional[str]:
    if "accuracy" in history.logs:
        return "accuracy"
    keys = [k for k in history.logs if k.endswith("_accuracy") and not k.startswith("val_")]
    return keys[0] if keys else None


def majority_share(codes: np.ndarray) -> float:
    """The accuracy of always answering the most common class: the baseline any classifier must beat."""
    values = np.asarray(codes)
    if values.ndim == 2 and values.shape[1] > 1:
        values = values.argmax(axis=1)
    values = values.reshape(-1)
    if values.size == 0:
        return 0.0
    _, counts = np.unique(values, return_counts=True)
    return float(counts.max() / values.size)


def class_entropy(codes: np.ndarray) -> float:
    """The cross-entropy of answering every sample with the class frequencies: the loss of knowing nothing."""
    values = np.asarray(codes)
    if values.ndim == 2 and values.shape[1] > 1:
        values = values.argmax(axis=1)
    _, counts = np.unique(values.reshape(-1), return_counts=True)
    shares = counts / max(counts.sum(), 1)
    return float(-(shares * np.log(shares)).sum())


def check_underfitting(history: "History", baseline_accuracy: Optional[float] = None,
                       baseline_loss: Optional[float] = None, limits: Thresholds = DEFAULT) -> Optional[Diagnosis]:
    """Training accuracy hardly better than always guessing the commonest class, a cross-entropy close to
    that of guessing the class frequencies, or (regression) an R² near 0 or below."""
    key = _accuracy_key(history)
    if key is not None and baseline_accuracy is not None and history.logs[key]:
        return _underfitting_classes(history, float(history.logs[key][-1]), baseline_accuracy, baseline_loss, limits)
    r2 = history.logs.get("r2") or history.logs.get("main_output_r2")
    if r2 and float(r2[-1]) < limits.underfit_r2:
        return _underfitting_r2(float(r2[-1]))
    return None


def _underfitting_classes(history: "History", accuracy: float, baseline_accuracy: float,
                          baseline_loss: Optional[float], limits: Thresholds) -> Optional[Diagnosis]:
    needed = baseline_accuracy + limits.underfit_margin * (1.0 - baseline_accuracy)
    loss = _loss_series(history, "loss")
    first_loss, last_loss = (loss[0], loss[-1]) if loss else (math.nan, math.nan)
    loss_ratio = last_loss / baseline_loss if baseline_loss and math.isfinite(last_loss) else 0.0
    if accuracy >= needed and loss_ratio < limits.underfit_loss_ratio:
        return None
    evidence = {"train_accuracy": accuracy, "baseline_accuracy": baseline_accuracy,
                "first_loss": first_loss, "last_loss": last_loss}
    if baseline_loss:
        evidence.update(baseline_loss=baseline_loss, loss_over_baseline=loss_ratio)
    if "val_loss" in history.logs:
        evidence["last_val_loss"] = float(history.logs["val_loss"][-1])
    numbers = dict(epochs=len(history.epochs), accuracy=f"{accuracy:.0%}", baseline=f"{baseline_accuracy:.0%}",
                   first=_fmt(first_loss), last=_fmt(last_loss), share=f"{loss_ratio:.0%}",
                   knows_nothing=_fmt(baseline_loss or math.nan))
    # Each sentence states only what its own numbers show.
    # Whole sentences, each translated on its own, joined with a space.
    if accuracy < needed:
        sentences = [tr("After {epochs} epochs the training accuracy is {accuracy} (always answering the most "
                        "common class gives {baseline}).", **numbers)]
    else:
        sentences = [tr("After {epochs} epochs the training accuracy is {accuracy} (always answering the most "
                        "common class gives {baseline}), but the network is not yet sure of its answers.", **numbers)]
    if not loss:
        pass
    elif last_loss < first_loss:
        sentences.append(tr("The loss went only from {first} to {last}.", **numbers))
    else:
        sentences.append(tr("The loss did not fall: it went from {first} to {last}.", **numbers))
    if baseline_loss:
        sentences.append(tr("That is {share} of the {knows_nothing} of a network that knows nothing.", **numbers))
    if accuracy < needed:
        sentences.append(tr("Even on the data it trains on, the network cannot tell the classes apart."))
    else:
        sentences.append(tr("Its answers are still close to a guess weighted by how common each class is."))
    capacity, rate = tr(MORE_CAPACITY), tr(RAISE_RATE)
    return Diagnosis(
        "underfitting", "warning", tr("Underfitting: the network is too simple or has not learned yet"),
        " ".join(sentences), evidence,
        (capacity, rate, tr("Check that the inputs are scaled (standardise).")),
        {capacity: ("network_size", "larger"), rate: ("learning_rate", "raise")})


def _underfitting_r2(r2: float) -> Diagnosis:
    """R² reads against predicting the average target every time: that scores 0, a perfect fit 1, worse below 0."""
    if r2 < 0:
        title = tr("Underfitting: the predictions are worse than predicting the average")
        message = tr("The training R² is {r2}: below 0, so on the data it trains on the network does worse than "
                     "simply predicting the average target every time (which scores 0).", r2=f"{r2:.2f}")
    else:
        title = tr("Underfitting: the predictions explain little of the targets")
        message = tr("The training R² is {r2}: on the data it trains on, the network barely beats predicting the "
                     "average target every time (which scores 0; a perfect fit scores 1).", r2=f"{r2:.2f}")
    units = tr(MORE_UNITS)
    return Diagnosis(
        "underfitting", "warning", title, message, {"train_r2": r2},
        (units, tr("Train for more epochs."), tr("Check that the inputs (and targets) are scaled.")),
        {units: ("network_size", "larger")})


def check_learning_rate(history: "History", learning_rate: Optional[float] = None,
                        limits: Thresholds = DEFAULT) -> Optional[Diagnosis]:
    """NaN losses, a loss that explodes, or one that jumps up and down without getting better."""
    lower = (tr("Lower the learning rate about 10× (to {rate:g}).", rate=learning_rate / 10) if learning_rate
             else tr("Lower the learning rate about 10×."))
    advice = (lower, tr("Use Adam, which adapts its steps, or standardise the inputs."))
    knobs = {lower: ("learning_rate", "lower")}
    rate = {"learning_rate": float(learning_rate)} if learning_rate else {}
    if history.stop_reason == "diverged":
        return Diagnosis("learning_rate", "error", tr("The loss became NaN: the learning rate is too high"),
                         history.message or tr("Training stopped because the loss became NaN (not a number)."),
                         {"epochs_completed": float(len(history.epochs)), **rate}, advice, knobs)
    loss = _loss_series(history, "loss")
    if len(loss) < 2:
        return None
    batch = np.asarray(history.batch_losses, dtype=np.float64)
    batch = batch[np.isfinite(batch)]
    # The untrained network's loss is the fair starting point: with a huge learning rate even the first
    # epoch's average is already blown up by its later batches.
    start = float(batch[0]) if batch.size else loss[0]
    best, last, peak = min(loss), loss[-1], max(loss)
    batch_peak = float(batch.max()) if batch.size else peak
    if batch_peak > limits.explosion_factor * 10 * start or peak > limits.explosion_factor * start:
        return Diagnosis(
            "learning_rate", "error", tr("The loss exploded: the learning rate is too high"),
            tr("The training loss started at {start} and jumped as high as {peak}: each step overshoots the valley "
               "and lands higher up the other side.", start=_fmt(start), peak=_fmt(max(batch_peak, peak))),
            {"start_loss": start, "peak_batch_loss": batch_peak, "peak_epoch_loss": peak, "last_loss": last,
             **rate}, advice, knobs)
    ups = sum(b > a for a, b in zip(loss, loss[1:]))
    share_up = ups / (len(loss) - 1)
    progress = best / max(start, 1e-12)
    batch_spread = float(np.std(batch) / max(np.mean(batch), 1e-12)) if batch.size > 1 else math.nan
    if len(loss) >= 5 and share_up >= limits.oscillation_share and progress > limits.oscillation_progress:
        return Diagnosis(
            "learning_rate", "warning", tr("The loss jumps up and down: the learning rate may be too high"),
            tr("The training loss went up in {share:.0%} of the epochs and its best value ({best}) is still "
               "{progress:.0%} of where it started ({start}): the steps are too big to settle into the valley.",
               share=share_up, best=_fmt(best), progress=progress, start=_fmt(start)),
            {"share_of_epochs_up": share_up, "best_over_start": progress, "batch_loss_spread": batch_spread,
             **rate}, advice, knobs)
    return None


# ---------------------------------------------------------------- from the probes

def check_dead_relu(activity: Sequence[UnitActivity], limits: Thresholds = DEFAULT) -> Optional[Diagnosis]:
    """ReLU units that output 0 for every training sample: they pass no signal and receive no gradient."""
    if not activity:
        return None
    worst = max(activity, key=lambda a: a.dead_share)
    total = sum(a.units for a in activity)
    dead = sum(a.dead for a in activity)
    if worst.dead_share < limits.dead_share:
        return None
    evidence = {"dead_units": float(dead), "relu_units": float(total), "dead_share": dead / total}
    evidence.update({f"{a.layer}_dead_share": a.dead_share for a in activity})
    layers = ", ".join(tr("'{layer}' {dead} of {units}", layer=a.layer, dead=a.dead, units=a.units)
                       for a in activity if a.dead)
    lower = tr(LOWER_RATE_DEAD)
    return Diagnosis(
        "dead_relu", "warning" if worst.dead_share < 1.0 else "error",
        tr("{dead} of {total} ReLU units are dead", dead=dead, total=total),
        tr("These ReLU units output 0 for every training sample ({layers}). A dead unit's slope is 0, so no "
           "gradient reaches its weights and it can never come back to life.", layers=layers),
        evidence,
        (lower, tr("Use leaky_relu or elu, which keep a small slope below zero."),
         tr("Use the he_uniform initializer and standardise the inputs.")),
        {lower: ("learning_rate", "lower")})


def check_vanishing_gradients(gradients: Sequence[LayerGradient], limits: Thresholds = DEFAULT
                              ) -> Optional[Diagnosis]:
    """The first layer's gradient per weight tiny compared with the last layer's."""
    if len(gradients) < 2:
        return None
    first, last = gradients[0], gradients[-1]
    if last.rms <= 0:
        return None
    ratio = first.rms / last.rms
    if ratio >= limits.vanishing_ratio:
        return None
    return Diagnosis(
        "vanishing_gradients", "warning", tr("Vanishing gradients: the first layers hardly learn"),
        tr("On a training batch the gradient of '{first}' is {ratio:.1e} times that of '{last}' (per weight, "
           "{first_rms:.2e} versus {last_rms:.2e}). Each layer multiplies the backward signal by its activation's "
           "slope (at most 0.25 for sigmoid), so after many layers almost nothing is left to change the first "
           "weights.", first=first.layer, ratio=ratio, last=last.layer, first_rms=first.rms, last_rms=last.rms),
        {"first_layer_rms": first.rms, "last_layer_rms": last.rms, "ratio": ratio,
         "layers": float(len(gradients))},
        (tr("Use relu (or leaky_relu / elu) in the hidden layers instead of sigmoid or tanh."),
         tr("Use fewer layers, or add BatchNormalization between them."),
         tr("Use He initialisation for relu layers.")))


def check_unscaled_inputs(stats: Sequence[FeatureStats], scaling: Optional[str] = None,
                          limits: Thresholds = DEFAULT) -> Optional[Diagnosis]:
    """Features far from mean 0 / spread 1 as the network receives them, or on very different scales."""
    findings: list[str] = []
    evidence: dict[str, float] = {}
    for feature_stats in stats:
        means, stds = feature_stats.means, feature_stats.stds
        varying = stds > 1e-12
        if not varying.any():
            continue
        largest_std = float(stds.max())
        offset = np.abs(means) > limits.unscaled_mean_over_std * np.maximum(stds, 1e-12)
        offset &= np.abs(means) > 1.0  # a small offset does no harm, however narrow the feature
        ratio = float(stds[varying].max() / stds[varying].min())
        name = feature_stats.input_name
        evidence.update({f"{name}_largest_std": largest_std, f"{name}_largest_abs_mean": float(np.abs(means).max()),
                         f"{name}_spread_ratio": ratio})
        if largest_std > limits.unscaled_std:
            findings.append(tr("'{name}' has features spread over about ±{spread:.3g}", name=name, spread=largest_std))
        if offset.any():
            findings.append(tr("'{name}' has {count} feature(s) whose mean is more than {spreads:g} spreads away "
                               "from 0", name=name, count=int(offset.sum()), spreads=limits.unscaled_mean_over_std))
        if ratio > limits.unscaled_spread_ratio:
            findings.append(tr("the features of '{name}' have spreads that differ {ratio:.3g}-fold", name=name,
                               ratio=ratio))
    if not findings:
        return None
    hint = {"none": tr("Scaling is set to 'None'."), "pixels": tr("Scaling divides by 255, which suits pixels only.")}
    listed = "; ".join(findings)
    return Diagnosis(
        "unscaled_inputs", "warning", tr("The inputs are not scaled"),
        tr("{findings}. Large or uneven inputs make some weights need tiny steps and others big ones, so no "
           "learning rate suits them all.", findings=listed[:1].upper() + listed[1:])
        + (" " + hint[scaling] if scaling in hint else ""),
        evidence,
        (tr("Set Scaling to 'Standardise' in the Data panel (mean 0, spread 1 for every feature)."),))


# ---------------------------------------------------------------- all together

def default_validation(history: "History") -> str:
    """Without word of where the validation rows came from: separate ones if the run logged any."""
    return "separate" if history.logs.get("val_loss") else "none"


def diagnose_curves(history: "History", learning_rate: Optional[float] = None, validation: Optional[str] = None,
                    limits: Thresholds = DEFAULT) -> list[Diagnosis]:
    """What the curves alone say, resolved into one verdict (cheap: used after every epoch while training)."""
    found = [check_learning_rate(history, learning_rate, limits), check_overfitting(history, limits)]
    return resolve(found, validation or default_validation(history))


def diagnose(history: "History", probes: Optional[Probes] = None, baseline_accuracy: Optional[float] = None,
             scaling: Optional[str] = None, learning_rate: Optional[float] = None,
             baseline_loss: Optional[float] = None, limits: Thresholds = DEFAULT,
             validation: Optional[str] = None) -> list[Diagnosis]:
    """Every diagnostic that fires for this run, resolved into one consistent verdict, the most serious first.
    `validation` says where the validation numbers came from (see verdicts.VALIDATION_SOURCES)."""
    found = [check_learning_rate(history, learning_rate, limits),
             check_overfitting(history, limits),
             check_underfitting(history, baseline_accuracy, baseline_loss, limits)]
    if probes is not None:
        found += [check_dead_relu(probes.relu, limits), check_vanishing_gradients(probes.gradients, limits),
                  check_unscaled_inputs(probes.inputs, scaling, limits)]
    return resolve(found, validation or default_validation(history))


def measure_probes(trainer: "Trainer", history: "History", train: "PartLike") -> Optional[Probes]:
    """The probes diagnose_run needs, or None when they cannot mean anything (a diverged run)."""
    return probe(trainer, train) if history.stop_reason != "diverged" else None


def diagnose_run(trainer: "Trainer", history: "History", train: "PartLike", scaling: Optional[str] = None,
                 limits: Thresholds = DEFAULT, probes: Optional[Probes] = None, measure: bool = True,
                 validation: Optional[str] = None) -> list[Diagnosis]:
    """Run every diagnostic, probing the trained model on its training data unless `probes` were measured already
    (the window measures them in the training thread, so a large dataset never freezes it) or measure is False."""
    measured = probes if probes is not None or not measure else measure_probes(trainer, history, train)
    baseline, baseline_loss = None, None
    model = trainer.model
    if len(model.output_ids) >= 1:
        config = model.output_configs[model.output_ids[0]]
        if config.task in ("binary", "multiclass"):
            targets: Mapping = train.targets
            raw = targets.get(model.output_ids[0], targets.get(model.output_names[0]))
            if raw is not None:
                baseline = majority_share(np.asarray(raw))
                # The loss comparison only holds for one cross-entropy output (the logged loss is that one).
                if len(model.output_ids) == 1 and config.loss in ("cross_entropy", "binary_cross_entropy"):
                    baseline_loss = class_entropy(np.asarray(raw))
    return diagnose(history, measured, baseline, scaling, trainer.settings.learning_rate, baseline_loss, limits,
                    validation)


__all__ = ["DEFAULT", "Diagnosis", "KINDS", "SEVERITIES", "Thresholds", "check_dead_relu", "check_learning_rate",
           "check_overfitting", "check_underfitting", "check_unscaled_inputs", "check_vanishing_gradients",
           "class_entropy", "default_validation", "diagnose", "diagnose_curves", "diagnose_run", "majority_share",
           "measure_probes"]
