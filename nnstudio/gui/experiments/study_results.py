"""Reads a project's study from its storage for the panel (GUI thread): rows, importance, sentences, best trial."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

log = logging.getLogger(__name__)


@dataclass
class StudyView:
    """What the panel shows of a study at one moment."""

    rows: list = field(default_factory=list)           # the engine's TrialRows
    importance: dict = field(default_factory=dict)     # key -> share
    sentences: list = field(default_factory=list)      # plain words
    lower_is_better: bool = True
    finished: int = 0                                  # trials with a result
    budget_used: int = 0                               # trials that count against the number of trials asked for
    problem: str = ""                                  # why the study could not be read, in words


def finished_count(rows: list) -> int:
    """Trials that ended with a result (the engine's state names: COMPLETE, PRUNED, FAIL, RUNNING, WAITING)."""
    return sum(1 for row in rows if row.value is not None and str(row.state).upper() == "COMPLETE")


class StudyReader:
    """Opens the project's study once (optuna is imported here, when the panel first looks) and reads it again
    whenever asked; importance and sentences are worked out again only when another trial has finished."""

    def __init__(self) -> None:
        self._study: Any = None
        self._opened_for: Optional[tuple] = None
        self._last = StudyView()

    def forget(self) -> None:
        self._study, self._opened_for, self._last = None, None, StudyView()
        self._states: Optional[list] = None

    @staticmethod
    def has_study(project: Any) -> bool:
        """Whether the project's folder holds a study (reading must never create one)."""
        if project.path is None:
            return False
        from ...engine.tuning.study import study_folder  # noqa: PLC0415

        folder = Path(study_folder(project.path))
        return folder.exists() and any(folder.iterdir())

    def read(self, project: Any, space: Any) -> StudyView:
        if not self.has_study(project):
            self.forget()
            return StudyView()
        from ...engine.tuning import results  # noqa: PLC0415 - optuna: only once the panel reads a study
        from ...engine.tuning.recovery import counted  # noqa: PLC0415
        from ...engine.tuning.study import open_study  # noqa: PLC0415

        place = (str(project.path),)
        try:
            if self._study is None or self._opened_for != place:
                self._study, self._opened_for, self._last = open_study(project, space), place, StudyView()
                self._states = None
            rows = results.trial_rows(self._study)
            used = counted(self._study)
        except Exception as exc:  # noqa: BLE001 - a damaged or unreadable study must not break the panel
            log.warning("the study could not be read: %s", exc)
            self.forget()
            return StudyView(problem=str(exc))
        view = StudyView(rows=rows, lower_is_better=_lower_is_better(self._study, space),
                         finished=finished_count(rows), budget_used=used)
        # Worked out again whenever a trial's state changes, not only when one finishes: a walk saw "2 trials
        # were stopped early" beside a table with 3, because the last one was pruned, not finished.
        states = [(row.number, row.state, row.value) for row in rows]
        if states == self._states:
            view.importance, view.sentences = self._last.importance, self._last.sentences
        else:
            view.importance = _safely(results.importance, self._study) or {}
            view.sentences = _safely(results.summary_sentences, self._study, space, project) or []
        self._last, self._states = view, states
        return view

    def best_number(self) -> Optional[int]:
        if self._study is None:
            return None
        from ...engine.tuning import results  # noqa: PLC0415

        best = _safely(results.best, self._study)
        return getattr(best, "number", None)


def _lower_is_better(study: Any, space: Any) -> bool:
    direction = getattr(getattr(study, "direction", None), "name", "")
    if direction:
        return direction.upper() == "MINIMIZE"
    return "loss" in space.monitor or "error" in space.monitor


def _safely(function: Any, *args: Any) -> Any:
    """Importance needs a few finished trials with different values; until then it may raise: show nothing."""
    try:
        return function(*args)
    except Exception as exc:  # noqa: BLE001 - optional numbers never stop the table from updating
        log.info("%s is not available yet: %s", getattr(function, "__name__", function), exc)
        return None
