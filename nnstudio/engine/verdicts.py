"""Turn the separate findings of the diagnostics into one consistent verdict: precedence, one direction per knob."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Optional, Sequence

from ..core.i18n import tr

SEVERITIES = ("info", "warning", "error")
# Where the validation numbers come from: held-out rows, the training rows themselves (a four-row truth table is
# never split), or nowhere.
VALIDATION_SOURCES = ("separate", "training", "none")
# Which finding wins when two disagree, strongest first. A loss that diverges or jumps about says nothing yet
# about the network's capacity; measured damage (dead units, vanishing gradients, unscaled inputs) comes before
# the guesses from the curves; a network that has not learned its training rows cannot be learning them by heart.
PRECEDENCE = ("learning_rate", "dead_relu", "vanishing_gradients", "unscaled_inputs", "underfitting", "overfitting",
              "needs_validation")


@dataclass(frozen=True)
class Diagnosis:
    """One finding: what kind, how bad, a title, the explanation, the numbers behind it, and what to try.

    `knobs` names the advice lines that turn a setting one way (line -> (setting, direction)), so that two
    findings never advise turning the same setting both ways."""

    kind: str
    severity: str
    title: str
    message: str
    evidence: dict[str, float] = field(default_factory=dict)
    advice: tuple[str, ...] = ()
    knobs: dict[str, tuple[str, str]] = field(default_factory=dict)


def validation_source(train: Any, validation: Any, validation_split: float = 0.0) -> str:
    """Where a run's validation numbers come from, given the prepared parts and the settings' split share."""
    if validation is not None and validation is train:
        return "training"
    if validation is not None or validation_split > 0:
        return "separate"
    return "none"


def needs_validation(overfitting: Diagnosis, source: str) -> Diagnosis:
    """What replaces an overfitting verdict when the validation rows are not separate from the training rows."""
    evidence = overfitting.evidence
    if source == "training":
        where = tr("The validation numbers are measured on the training rows themselves (this dataset is too small "
                   "to split), so a gap between the two curves says nothing about new data.")
    else:
        where = tr("This run has no validation rows, so it cannot show how the network does on new data.")
    message = " ".join((
        tr("The validation loss rose from {best:.4g} at epoch {epoch} to {last:.4g} while the training loss fell.",
           best=evidence["best_val_loss"], epoch=int(evidence["best_epoch"]), last=evidence["last_val_loss"]),
        where, tr("A separate validation set is needed to tell whether the network is overfitting.")))
    return Diagnosis("needs_validation", "info", tr("Overfitting cannot be told without a separate validation set"),
                     message, dict(evidence),
                     (tr("Give the data a validation share (Data panel) or a larger dataset to split."),))


def _rank(diagnosis: Diagnosis) -> int:
    return PRECEDENCE.index(diagnosis.kind) if diagnosis.kind in PRECEDENCE else len(PRECEDENCE)


def _with_sentence(diagnosis: Diagnosis, sentence: str) -> Diagnosis:
    return dataclasses.replace(diagnosis, message=f"{diagnosis.message} {sentence}")


def resolve(found: Sequence[Optional[Diagnosis]], validation: str = "separate") -> list[Diagnosis]:
    """One verdict from every finding: the ones a stronger finding explains are folded into it, no setting is
    advised both ways, and overfitting is only claimed against separate validation rows. Most serious first."""
    by_kind = {d.kind: d for d in found if d is not None}
    if "overfitting" in by_kind and validation != "separate":
        by_kind["needs_validation"] = needs_validation(by_kind.pop("overfitting"), validation)
    if "learning_rate" in by_kind and ({"underfitting", "overfitting", "needs_validation"} & set(by_kind)):
        for kind in ("underfitting", "overfitting", "needs_validation"):
            by_kind.pop(kind, None)
        by_kind["learning_rate"] = _with_sentence(
            by_kind["learning_rate"], tr("Until the loss settles, the curves cannot show whether the network is too "
                                         "simple or learning its training rows by heart."))
    if "underfitting" in by_kind and "overfitting" in by_kind:
        overfitting = by_kind.pop("overfitting")
        by_kind["underfitting"] = _with_sentence(
            by_kind["underfitting"], tr("The validation loss also rose after epoch {epoch}, but a network that has "
                                        "not learned its training rows is not learning them by heart: let it fit "
                                        "them first.", epoch=int(overfitting.evidence["best_epoch"])))
    chosen: dict[str, str] = {}   # setting -> the direction the strongest finding advises
    resolved = []
    for diagnosis in sorted(by_kind.values(), key=_rank):
        kept = []
        for line in diagnosis.advice:
            knob = diagnosis.knobs.get(line)
            if knob is not None:
                setting, direction = knob
                if chosen.setdefault(setting, direction) != direction:
                    continue   # a stronger finding advises the other way
            kept.append(line)
        resolved.append(dataclasses.replace(diagnosis, advice=tuple(kept)))
    return sorted(resolved, key=lambda d: (-SEVERITIES.index(d.severity), _rank(d)))


__all__ = ["Diagnosis", "PRECEDENCE", "SEVERITIES", "VALIDATION_SOURCES", "needs_validation", "resolve",
           "validation_source"]
