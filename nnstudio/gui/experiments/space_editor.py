"""The search space from the drawing: what may vary (a tick each), how to search, and how long."""

from __future__ import annotations

import os
from typing import Any, Optional

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QLabel, QVBoxLayout, QWidget

from ...core.i18n import N_, tr
from ..widgets.number_box import WholeNumberBox
from ..widgets.wheel_guard import wheel_only_when_focused
from .dimension_row import DimensionRow

STRATEGIES = (("grid", N_("Grid (every combination)")), ("random", N_("Random")),
              ("tpe", N_("Bayesian (TPE)")))
PRUNERS = (("none", N_("None: every trial runs to the end")), ("median", N_("Median: stop trials worse than most")),
           ("hyperband", N_("Hyperband")))
# What each choice does, shown when the pointer rests on it (a walk found "Bayesian (TPE)" and "Hyperband"
# explained nowhere).
CHOICE_TIPS = {
    "grid": N_("Tries every combination of the values, one after another: thorough, but the trials multiply with "
               "each value that varies."),
    "random": N_("Draws the values of each trial at random: often as good as a grid in far fewer trials."),
    "tpe": N_("Learns from the trials so far which values look promising and tries more like them (Bayesian "
              "optimisation with a Tree-structured Parzen Estimator)."),
    "none": N_("Every trial trains all its epochs."),
    "median": N_("A trial stops early when its validation numbers are worse than the median of the earlier trials at "
                 "the same epoch."),
    "hyperband": N_("Many trials start with a few epochs; only the best third go on to more, again and again."),
}


def default_workers() -> int:
    """As many trials at once as the computer has cores."""
    return max(1, os.cpu_count() or 1)


class SpaceEditor(QWidget):
    """Edits a SearchSpace. `space_edited` carries the new one after each complete edit (the panel makes it an
    undo step); `show_space` fills the editor from the project without sending it."""

    space_edited = Signal(object)   # SearchSpace

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("experimentsSpace")
        self._filling = False
        self._base: Any = None        # the SearchSpace last shown: fields this editor has none for are kept
        self.rows: dict[str, DimensionRow] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

        self.varied_box = QGroupBox(tr("What may vary"), self)
        self.varied_layout = QVBoxLayout(self.varied_box)
        self.empty_note = QLabel(tr("Nothing in this network can vary yet: add a layer with units or an activation."),
                                 self.varied_box)
        self.empty_note.setWordWrap(True)
        self.varied_layout.addWidget(self.empty_note)
        layout.addWidget(self.varied_box)

        how = QGroupBox(tr("How to search"), self)
        form = QFormLayout(how)
        self.strategy = QComboBox(how)
        self.strategy.setObjectName("experimentsStrategy")
        self.strategy.setToolTip(tr("How the values of each trial are chosen"))
        for key, text in STRATEGIES:
            self.strategy.addItem(tr(text), key)
            self.strategy.setItemData(self.strategy.count() - 1, tr(CHOICE_TIPS[key]), Qt.ItemDataRole.ToolTipRole)
        self.pruner = QComboBox(how)
        self.pruner.setObjectName("experimentsPruner")
        self.pruner.setToolTip(tr("Stop a trial early when its validation numbers are clearly worse than earlier "
                                  "trials' at the same epoch, so the time goes to better ones"))
        for key, text in PRUNERS:
            self.pruner.addItem(tr(text), key)
            self.pruner.setItemData(self.pruner.count() - 1, tr(CHOICE_TIPS[key]), Qt.ItemDataRole.ToolTipRole)
        self.trials = WholeNumberBox(0, 100_000, how, setting=tr("The number of trials"))
        self.trials.setObjectName("experimentsTrials")
        self.trials.setSpecialValueText(tr("no limit"))
        self.trials.setToolTip(tr("How many trials the experiment has in all, counting those already run; no limit "
                                  "needs a time limit"))
        self.minutes = WholeNumberBox(0, 100_000, how, setting=tr("The time limit"))
        self.minutes.setObjectName("experimentsMinutes")
        self.minutes.setSpecialValueText(tr("no limit"))
        self.minutes.setSuffix(tr(" min"))
        self.minutes.setToolTip(tr("No new trial starts after this many minutes of training; the trials running "
                                   "then finish"))
        self.seed = WholeNumberBox(0, 2**31 - 1, how, setting=tr("The seed"))
        self.seed.setObjectName("experimentsSeed")
        self.seed.setToolTip(tr("The same seed chooses the same values again, so an experiment can be repeated"))
        self.workers = WholeNumberBox(1, 256, how, setting=tr("The number of trials at once"))
        self.workers.setObjectName("experimentsWorkers")
        self.workers.setToolTip(tr("How many trials train at the same time, each in its own process"))
        form.addRow(tr("Strategy"), self.strategy)
        form.addRow(tr("Stop bad trials early"), self.pruner)
        form.addRow(tr("Number of trials"), self.trials)
        form.addRow(tr("Time limit"), self.minutes)
        form.addRow(tr("Seed"), self.seed)
        form.addRow(tr("Trials at once"), self.workers)
        layout.addWidget(how)
        wheel_only_when_focused(self.strategy, self.pruner, self.trials, self.minutes, self.seed, self.workers)
        for combo in (self.strategy, self.pruner):
            combo.currentIndexChanged.connect(self._on_edited)
        for box in (self.trials, self.minutes, self.seed, self.workers):
            box.editingFinished.connect(self._on_edited)

    # ------------------------------------------------------------ from the project
    def show_space(self, project: Any, space: Any) -> None:
        """Offer every dimension the drawing has; tick and fill those `space` holds."""
        from ...core.tuning.space import candidate_dimensions, describe  # noqa: PLC0415

        self._filling = True
        try:
            self._base = space
            saved = {dimension.key: dimension for dimension in space.dimensions}
            candidates = candidate_dimensions(project)
            keys = [candidate.key for candidate in candidates]
            if keys != list(self.rows):
                self._rebuild_rows(candidates, lambda dimension: describe(dimension, project))
            for candidate in candidates:
                row = self.rows[candidate.key]
                row.candidate = candidate
                row._words = lambda dimension, project=project: describe(dimension, project)   # noqa: SLF001
                row.set_dimension(saved.get(candidate.key, candidate), ticked=candidate.key in saved)
            self.empty_note.setVisible(not candidates)
            self._select(self.strategy, space.strategy)
            self._select(self.pruner, space.pruner)
            self.trials.setValue(int(space.trials or 0))
            self.minutes.setValue(int(round(space.minutes or 0)))
            self.seed.setValue(int(space.seed or 0))
            self.workers.setValue(int(space.workers or default_workers()))
        finally:
            self._filling = False

    def _rebuild_rows(self, candidates: list, words: Any) -> None:
        for row in self.rows.values():
            row.hide()
            row.deleteLater()
        self.rows = {}
        for candidate in candidates:
            row = DimensionRow(candidate, words, self.varied_box)
            row.changed.connect(self._on_edited)
            self.varied_layout.addWidget(row)
            self.rows[candidate.key] = row

    @staticmethod
    def _select(combo: QComboBox, key: str) -> None:
        index = combo.findData(key)
        combo.setCurrentIndex(max(index, 0))

    # ------------------------------------------------------------ to the project
    def space(self) -> Any:
        """The SearchSpace as the editor shows it."""
        from ...core.tuning.space import SearchSpace  # noqa: PLC0415

        monitor = self._base.monitor if self._base is not None else SearchSpace().monitor
        return SearchSpace([row.dimension() for row in self.rows.values() if row.is_ticked()],
                           strategy=self.strategy.currentData(), pruner=self.pruner.currentData(),
                           trials=self.trials.value() or None, minutes=float(self.minutes.value()) or None,
                           seed=self.seed.value(), workers=self.workers.value(), monitor=monitor)

    def _on_edited(self, *_: Any) -> None:
        if not self._filling:
            self.space_edited.emit(self.space())

