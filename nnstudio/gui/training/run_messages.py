"""What the training panel says about a run, in words: its end, its time left, a NaN, the perceptron hint."""

from __future__ import annotations

import math
from typing import Any

from ...core.i18n import N_, ntr, tr
from ...core.layers import NO_GRADIENT_ACTIVATIONS

# Shown with tr(): N_ only marks them (they are defined before a language is chosen).
STOP_REASON_WORDS = {"completed": N_("Finished"), "early_stopping": N_("Stopped early"), "stopped": N_("Stopped"),
                     "diverged": N_("Diverged")}


def stop_reason_word(reason: str) -> str:
    """How a run ended, in one or two words of the current language ("Finished", "Stopped early")."""
    return tr(STOP_REASON_WORDS.get(reason, "Finished"))



def format_seconds(seconds: float) -> str:
    seconds = max(int(round(seconds)), 0)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def final_message(result: Any, device_note: str = "") -> str:
    """The line shown when a run ends: what happened, the test scores, and where it ran (device_note)."""
    history = result.history
    if history.stop_reason == "diverged":
        return history.message
    words = history.message or tr("{ending}.", ending=stop_reason_word(history.stop_reason))
    scores = test_scores(result.test or {})
    if scores:
        words += f" {scores}"
    return f"{words} {device_note}" if device_note else words


def test_scores(test: dict) -> str:
    """The test numbers of a run as one sentence ("Test accuracy 0.967."), or "" when it has none."""
    scores = []
    for name, metrics in test.items():
        prefix = f"{name} " if len(test) > 1 else ""
        for key, label in (("accuracy", tr("accuracy")), ("r2", "R²"), ("mae", "MAE")):
            if isinstance(metrics.get(key), (int, float)):
                scores.append(f"{prefix}{label} {metrics[key]:.3g}")
    return tr("Test {scores}.", scores=", ".join(scores)) if scores else ""


def saved_run_message(record: Any) -> str:
    """What the panel says about a just-opened project's last saved run (a core.runs.RunRecord)."""
    words = record.message or tr("{ending}.", ending=stop_reason_word(record.stop_reason))
    scores = test_scores(record.test)
    when = record.when.replace("T", " ") or tr("an earlier session")
    return tr("Last saved run ({when}): {words} {scores}", when=when, words=words, scores=scores).rstrip()


def saved_run_progress(record: Any) -> str:
    """The progress bar's text for a just-opened project's last saved run."""
    epochs = record.epochs_run
    return ntr("Last saved run: {ending} after {n} epoch", "Last saved run: {ending} after {n} epochs", epochs,
               ending=stop_reason_word(record.stop_reason).lower())


def device_note(requested: str, used: str) -> str:
    """Where a run's arithmetic happened, in words; plain about a GPU that was asked for but is not there."""
    if requested.startswith("cuda") and used != "cuda":
        return tr("The project asks for a GPU (CUDA), but this computer has none that PyTorch can use: it trained "
                  "on the CPU.")
    return tr("Trained on the GPU.") if used == "cuda" else tr("Trained on the CPU.")


def divergence_details(result: Any) -> str:
    """The numbers behind a NaN run, for Details…: where it happened, the learning rate and the last losses."""
    where = getattr(result.history, "divergence", None) or {}
    if not where:
        return ""
    losses = ", ".join(f"{value:.4g}" for value in where.get("last_losses", []))
    epoch_losses = ", ".join(f"{value:.4g}" for value in result.history.logs.get("loss", [])[-5:])
    bad = where.get("bad_loss", math.nan)
    return "\n".join([
        (tr("The loss became infinite at epoch {epoch}, batch {batch}.", epoch=where["epoch"], batch=where["batch"])
         if math.isinf(bad) else
         tr("The loss became NaN at epoch {epoch}, batch {batch}.", epoch=where["epoch"], batch=where["batch"])),
        tr("Learning rate: {rate:g}", rate=where["learning_rate"]),
        tr("Last batch losses before that, oldest first: {losses}",
           losses=losses or tr("none (the first batch already failed)")),
        tr("Loss of the last finished epochs: {losses}",
           losses=epoch_losses or tr("none (it failed in the first epoch)")),
    ])


def needs_perceptron_rule(project: Any) -> bool:
    """Whether the perceptron rule would help: gradient descent chosen for a one-layer network with a step or sign
    Output (gradient descent cannot train that; the rule can).

    The same test as the engine's refusal, made on the drawing so the panel needs no torch."""
    if project.training.method != "gradient_descent":
        return False
    if project.graph.nodes_of_type("Dense"):
        return False  # a hidden layer: the perceptron rule trains one layer only, so offering it leads nowhere
    return any(node.params.get("activation") in NO_GRADIENT_ACTIVATIONS
               for node in project.graph.nodes_of_type("Output"))


__all__ = ["STOP_REASON_WORDS", "device_note", "divergence_details", "final_message", "format_seconds",
           "needs_perceptron_rule", "saved_run_message", "saved_run_progress", "stop_reason_word", "test_scores"]


def status_line(message: str) -> str:
    """A training message in one line, for the status bar: its first line, and when that line only leads into
    a list ("The network has problems to fix first:"), the list's first item too, so it names the problem."""
    lines = [line.strip() for line in message.strip().splitlines() if line.strip()]
    if not lines:
        return tr("Training stopped.")
    if lines[0].endswith(":") and len(lines) > 1:
        # Both lines are translated already; the lead ends in a colon, so the item reads on after it.
        return f"{lines[0]} {lines[1].lstrip('•').strip()}"
    return lines[0]
