"""One plot of the learning curves, built and styled: readable axes, a grid, the legend above, ranges left to us."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QGraphicsItem

from ...core.i18n import tr

RIGHT_ROOM = 14         # pixels right of a plot, where half of the last epoch's number is drawn


def curve_view(title: str) -> Any:
    """A PlotView titled `title` with epochs along the bottom, whose ranges the curves panel sets itself."""
    import pyqtgraph as pg  # noqa: PLC0415 - a few hundred ms: only when curves are first shown

    from ..plots.outside_legend import add_legend_above  # noqa: PLC0415 - these import pyqtgraph
    from ..plots.plot_view import PlotView  # noqa: PLC0415
    from ..plots.readable_axis import ReadableAxis  # noqa: PLC0415

    # ReadableAxis: log ticks that do not pile up, and the labels at the ends (1.0, the last epoch) kept.
    view = PlotView(background="w", axisItems={"left": ReadableAxis("left"), "bottom": ReadableAxis("bottom")})
    plot = view.getPlotItem()
    plot.setTitle(title)
    plot.showGrid(x=True, y=True, alpha=0.25)
    plot.layout.setContentsMargins(1, 1, RIGHT_ROOM, 1)  # room for the last epoch's number
    plot.setLabel("bottom", tr("epoch"))
    # Curves of a million points stay fast: draw only what is visible, thinned to the pixels.
    plot.setDownsampling(auto=True, mode="peak")
    plot.setClipToView(True)
    # The ranges are set by the panel's redraw, in steps: automatic ranges would repaint the axes at every tick.
    plot.disableAutoRange()
    plot.setMouseEnabled(x=True, y=True)
    for axis in ("left", "bottom"):
        plot.getAxis(axis).setPen(pg.mkPen("#444"))
        plot.getAxis(axis).setTextPen(pg.mkPen("#222"))
    # The legend has a row of its own above the plot area: inside it covered the curves' steep start.
    legend = add_legend_above(plot, labelTextColor="#222", labelTextSize="8pt")
    # Like the axes (see PlotView), the legend is kept as a pixmap: it lies over the live curves.
    legend.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
    return view
