"""One finished training run as the project's history keeps it: the RunRecord that the CLI, session and panels share."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Mapping, Optional

# The keys a saved run has had since run history began, in the order they are written. Anything else found in an
# older or newer file is kept as it is (in `extra`) and written back, so opening and saving never loses a number.
FIELDS = ("when", "settings", "history", "epochs", "test", "epochs_run", "stop_reason", "best_epoch", "message",
          "seconds")


def finite_or_none(value: Any) -> Optional[float]:
    """A number JSON can hold: NaN, infinities and anything that is not a number become None."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def plain_test_metrics(test: Mapping) -> dict:
    """Test metrics without big arrays (confusion matrices), for the saved run history."""
    return {name: {key: finite_or_none(value) for key, value in metrics.items()
                   if isinstance(value, (int, float)) and not isinstance(value, bool)}
            for name, metrics in test.items() if isinstance(metrics, Mapping)}


def _int_or_none(value: Any) -> Optional[int]:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


@dataclass
class RunRecord:
    """What one finished run leaves in `project.runs`: its settings, curves per epoch and final numbers."""

    when: str = ""                                   # ISO date and time, to the second
    settings: dict = field(default_factory=dict)     # TrainingSettings.to_dict() of the run
    history: dict = field(default_factory=dict)      # log name ("loss", "val_loss"...) -> one number per epoch
    epochs: list = field(default_factory=list)       # the epoch numbers the history's lists belong to
    test: dict = field(default_factory=dict)         # output name -> metric -> number (no confusion matrix)
    epochs_run: int = 0
    stop_reason: str = ""                            # "completed", "early_stopping", "stopped", "diverged"...
    best_epoch: Optional[int] = None
    message: str = ""
    seconds: Optional[float] = None                  # None: an older run that did not say
    extra: dict = field(default_factory=dict)        # keys this version does not know, kept for the round trip

    @classmethod
    def from_result(cls, result: Any, settings: Optional[Mapping] = None, when: Optional[str] = None) -> "RunRecord":
        """The record of a run the engine just finished (a pipeline.RunResult: history, test, seconds)."""
        history = result.history
        return cls(
            when=when or datetime.now().isoformat(timespec="seconds"),
            settings=dict(settings or {}),
            history={key: [finite_or_none(v) for v in values] for key, values in history.logs.items()},
            epochs=list(history.epochs),
            test=plain_test_metrics(result.test),
            epochs_run=len(history.epochs),
            stop_reason=history.stop_reason,
            best_epoch=history.best_epoch,
            message=history.message,
            seconds=round(float(result.seconds), 3),
        )

    @classmethod
    def from_dict(cls, raw: Mapping) -> "RunRecord":
        """Read a saved run, tolerating older files: a missing or damaged entry becomes its empty value."""
        raw = raw if isinstance(raw, Mapping) else {}
        history = raw.get("history") if isinstance(raw.get("history"), Mapping) else {}
        epochs = raw.get("epochs") if isinstance(raw.get("epochs"), list) else []
        epochs_run = _int_or_none(raw.get("epochs_run"))
        return cls(
            when=str(raw.get("when") or ""),
            settings=dict(raw["settings"]) if isinstance(raw.get("settings"), Mapping) else {},
            history={str(key): list(values) for key, values in history.items() if isinstance(values, list)},
            epochs=list(epochs),
            test=plain_test_metrics(raw["test"]) if isinstance(raw.get("test"), Mapping) else {},
            # The oldest runs had no count of epochs: the epoch list (or the longest curve) says it.
            epochs_run=epochs_run if epochs_run is not None else (
                len(epochs) or max((len(v) for v in history.values() if isinstance(v, list)), default=0)),
            stop_reason=str(raw.get("stop_reason") or ""),
            best_epoch=_int_or_none(raw.get("best_epoch")),
            message=str(raw.get("message") or ""),
            seconds=finite_or_none(raw.get("seconds")),
            extra={key: value for key, value in raw.items() if key not in FIELDS},
        )

    def to_dict(self) -> dict:
        """The plain dict saved in the project file (JSON-ready: no NaN, no arrays)."""
        return {"when": self.when, "settings": dict(self.settings),
                "history": {key: list(values) for key, values in self.history.items()},
                "epochs": list(self.epochs), "test": {name: dict(m) for name, m in self.test.items()},
                "epochs_run": self.epochs_run, "stop_reason": self.stop_reason, "best_epoch": self.best_epoch,
                "message": self.message, "seconds": self.seconds, **self.extra}

    # ------------------------------------------------------------ what the panels read
    def epoch_numbers(self) -> list:
        """The epoch each history entry belongs to (1, 2, 3... when an old file did not say)."""
        return list(self.epochs) or list(range(1, self.epochs_run + 1))

    def setting(self, name: str, default: Any = None) -> Any:
        return self.settings.get(name, default)


__all__ = ["FIELDS", "RunRecord", "finite_or_none", "plain_test_metrics"]
