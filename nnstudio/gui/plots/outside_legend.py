"""A plot legend in a row of its own above the plot area, so it never lies on the curves."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSizePolicy

# The row of pyqtgraph's PlotItem layout that holds the (hidden) top axis: the legend takes it, under the title.
LEGEND_ROW = 1
ENTRY_GAP = 12   # pixels between two entries of a row


def add_legend_above(plot: Any, **style: Any) -> Any:
    """A legend laid out between the title and the plot area, as many entries a row as the plot's width allows.

    A legend inside the plot (pyqtgraph's addLegend) covers whatever curve passes its corner: the walk-through's
    students saw the early, steep part of the loss fade behind it. Out here it takes a line or two of height.
    The legend becomes plot.legend, so curves created with a name join it as with addLegend.
    """
    import pyqtgraph as pg  # noqa: PLC0415 - loaded by the plots that own the legend

    class OutsideLegend(pg.LegendItem):
        """Rewraps its entries whenever one is added or the plot area changes width."""

        def addItem(self, item: Any, name: str) -> None:  # noqa: N802 - pyqtgraph's name
            super().addItem(item, name)
            fit_columns(self, plot)

        def updateSize(self) -> None:  # noqa: N802 - pyqtgraph's name
            # pyqtgraph places a floating legend at (0, 0) here; in the plot's layout the layout places it,
            # told that its height may have changed (a row more or less).
            self.updateGeometry()

    legend = OutsideLegend(colCount=1, horSpacing=ENTRY_GAP, **style)
    plot.layout.removeItem(plot.getAxis("top"))   # hidden in these plots; its row is the legend's now
    # The plot's width decides the columns, never the other way round (a wide legend would widen the plot
    # past its window and cut off its right edge).
    legend.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    legend.setMinimumWidth(0)
    plot.layout.addItem(legend, LEGEND_ROW, 1, alignment=Qt.AlignmentFlag.AlignHCenter)
    plot.vb.sigResized.connect(lambda: fit_columns(legend, plot))
    plot.legend = legend
    return legend


def fit_columns(legend: Any, plot: Any) -> None:
    """The most entries a row whose widest row still fits the plot area's width (one a row at the least)."""
    widths = [sample.boundingRect().width() + label.boundingRect().width() + ENTRY_GAP
              for sample, label in legend.items]
    room = plot.vb.width()
    columns = 1
    for count in range(len(widths), 1, -1):
        rows = [widths[start:start + count] for start in range(0, len(widths), count)]
        if max(sum(row) for row in rows) <= room:
            columns = count
            break
    if columns != legend.columnCount:
        legend.setColumnCount(columns)
