"""How much each varied value mattered to the result, as horizontal bars (the engine's importance numbers)."""

from __future__ import annotations

from typing import Optional

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ...core.i18n import ntr, tr

BAR_COLOUR = "#2563eb"
# The engine's MIN_TRIALS_FOR_IMPORTANCE (engine.tuning.results imports torch, which the GUI does not import).
TRIALS_FOR_BARS = 4


class ImportanceBars(QWidget):
    """One bar per varied value, the most important at the top; until the study has enough trials, a sentence
    saying when they appear instead of an empty chart (a walk saw bare 0-1.0 axes and could not tell why)."""

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        import pyqtgraph as pg  # noqa: PLC0415 - the panel is built lazily

        from ..plots.plot_view import PlotView  # noqa: PLC0415

        self.setObjectName("experimentsImportance")
        self.view = PlotView(background="w")
        self.view.setMinimumHeight(140)
        self.plot = self.view.getPlotItem()
        self.plot.setTitle(tr("What mattered most"))
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.setLabel("bottom", tr("share of the differences between results (%)"))
        for axis in ("left", "bottom"):
            self.plot.getAxis(axis).setPen(pg.mkPen("#444"))
            self.plot.getAxis(axis).setTextPen(pg.mkPen("#222"))
        self.waiting = QLabel(ntr("The bars appear once {n} trial with different values has run to the end (trials "
                                  "stopped early do not count).",
                                  "The bars appear once {n} trials with different values have run to the end "
                                  "(trials stopped early do not count).",
                                  TRIALS_FOR_BARS), self)
        self.waiting.setObjectName("experimentsImportanceWaiting")
        self.waiting.setWordWrap(True)
        self.waiting.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.waiting)
        layout.addWidget(self.view, 1)
        self.view.hide()   # nothing to show until the panel reads a study
        self.bars = None
        self.shown: list[tuple[str, float]] = []   # (name, importance), top bar first

    def show_importance(self, importance: dict, names: dict) -> None:
        """`importance`: key -> share of 1 (the engine's); `names`: key -> the words for it. Shown in percent."""
        import pyqtgraph as pg  # noqa: PLC0415

        self.plot.clear()
        self.bars = None
        ordered = sorted(importance.items(), key=lambda item: item[1], reverse=True)
        # In percent: pyqtgraph would show shares as "×0.001" on its axis.
        self.shown = [(names.get(key, key), float(share) * 100) for key, share in ordered]
        self.waiting.setVisible(not self.shown)
        self.view.setVisible(bool(self.shown))
        if not self.shown:
            return
        count = len(self.shown)
        # The most important at the top: pyqtgraph's y grows upwards.
        heights = [count - 1 - place for place in range(count)]
        self.bars = pg.BarGraphItem(x0=[0] * count, y=heights, height=0.6, width=[share for _, share in self.shown],
                                    brush=BAR_COLOUR, pen=None)
        self.plot.addItem(self.bars)
        self.plot.getAxis("left").setTicks([[(y, name) for y, (name, _) in zip(heights, self.shown)]])
        self.plot.setYRange(-0.6, count - 0.4, padding=0)
        self.plot.setXRange(0, max(share for _, share in self.shown) * 1.05 or 1.0, padding=0)
