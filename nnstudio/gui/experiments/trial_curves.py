"""The learning curves of the ticked trials, drawn over each other (the watched number per epoch)."""

from __future__ import annotations

from typing import Any, Optional

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ...core.i18n import tr

# Distinct colours for up to ten trials at once (then they are shared): the ticked trials are few by design.
TRIAL_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2",
                 "#7f7f7f", "#bcbd22")


def curve_points(curve: Any, metric: str) -> tuple:
    """The watched number per epoch, from a trial's curve (a list, or the run's logs by name); gaps (a number that
    was not finite) are left out."""
    if isinstance(curve, dict):
        curve = curve.get(metric) or ()
    return tuple(float("nan") if value is None else float(value) for value in (curve or ()))


class TrialCurves(QWidget):
    """A plot with one line per ticked trial, named "trial 3" in the legend above it."""

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        from ..training.curve_views import curve_view  # noqa: PLC0415 - pyqtgraph: the panel is built lazily

        self.setObjectName("experimentsCurves")
        # The title in a wrapped label, not on the plot: a one-line plot title was cut off in the docked panel at
        # 1280×720, and it held the plot wider than its place (the right end of the epochs went out of sight).
        self.title = QLabel(tr("Learning curves of the ticked trials"), self)
        self.title.setWordWrap(True)
        self.view = curve_view("")
        self.view.setMinimumHeight(180)
        self.plot = self.view.getPlotItem()
        self.plot.enableAutoRange()
        # The numbers as the table shows them (0.0455), not "val_loss (x0.001)" with ticks of 45.5.
        self.plot.getAxis("left").enableAutoSIPrefix(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.view, 1)
        self.curves: dict[int, Any] = {}     # trial number -> its line
        self._shown: dict[int, tuple] = {}   # trial number -> the points drawn, so a redraw skips unchanged ones
        self.colours: dict[int, str] = {}    # trial number -> its line's colour, kept while it stays ticked

    def show_trials(self, rows: list, metric: str) -> None:
        """Draw the curves of these trials (TrialRows), and only these."""
        import pyqtgraph as pg  # noqa: PLC0415

        self.plot.setLabel("left", metric)
        wanted = {row.number: curve_points(row.curve, metric) for row in rows}
        for number in [n for n in self.curves if n not in wanted]:
            curve = self.curves.pop(number)
            self.plot.removeItem(curve)
            self.plot.legend.removeItem(curve)
            self._shown.pop(number, None)
            self.colours.pop(number, None)
        for number, points in sorted(wanted.items()):
            if self._shown.get(number) == points and number in self.curves:
                continue
            if number in self.curves:
                self.curves[number].setData(list(range(1, len(points) + 1)), list(points))
            else:
                colour = self._free_colour()
                curve = self.plot.plot(list(range(1, len(points) + 1)), list(points), connect="finite",
                                       pen=pg.mkPen(colour, width=2), symbol="o", symbolSize=4,
                                       symbolBrush=colour, symbolPen=None,
                                       name=tr("trial {number}", number=number))
                self.curves[number] = curve
                self.colours[number] = colour
            self._shown[number] = points

    def _free_colour(self) -> str:
        """The first colour no shown line has. A trial keeps its colour while it stays ticked: picking by its
        place among the ticked trials gave a newly ticked trial the colour of one already shown (a walk saw
        trials 9 and 4 both blue)."""
        used = list(self.colours.values())
        for colour in TRIAL_COLOURS:
            if colour not in used:
                return colour
        # More than ten ticked: the least used colour, so lines share a colour as little as they can.
        return min(TRIAL_COLOURS, key=used.count)
