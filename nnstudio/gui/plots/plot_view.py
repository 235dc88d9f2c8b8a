"""A pyqtgraph PlotWidget whose repaints do not hold the GIL, so live plots do not slow the training thread."""

from __future__ import annotations

from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QGraphicsItem, QGraphicsView

# pyqtgraph's GraphicsView overrides paintEvent in Python (to let its ViewBoxes update their transforms first) and
# then calls Qt's paintEvent. PySide keeps the GIL for the whole C++ call, so every repaint of a plot, the drawing
# of each line and label included, stopped the training thread (measured: a pure-Python thread ran at 6% of its
# speed while a plot repainted, and at full speed with Qt's own paintEvent). Here the Python step runs in an event
# filter that returns before Qt paints, and paintEvent is Qt's own: Shiboken finds no Python override and lets go
# of the GIL while Qt draws. Python items in the scene (axes, labels) still take the GIL for their own paint.


class _PrepareBeforePaint(QObject):
    """Runs pyqtgraph's preparation (ViewBox transforms, deferred auto-ranges) just before the viewport paints."""

    def __init__(self, view: "PlotView") -> None:
        super().__init__(view)
        self.view = view

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Paint:
            scene = self.view.scene()
            if scene is not None:
                scene.prepareForPaint()
        return False


class PlotView(pg.PlotWidget):
    """pg.PlotWidget, painted by Qt without the GIL (see above). Use it exactly like pg.PlotWidget."""

    paintEvent = QGraphicsView.paintEvent  # noqa: N815 - Qt's name: Qt's own, not pyqtgraph's Python override

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._prepare = _PrepareBeforePaint(self)
        self.viewport().installEventFilter(self._prepare)
        # Axes and title replay a QPicture in Python at every repaint of what lies next to them (a live curve or
        # image); kept as pixmaps while unchanged, Qt copies them without calling Python.
        plot = self.getPlotItem()
        for item in [plot.getAxis(name) for name in ("left", "bottom", "right", "top")] + [plot.titleLabel]:
            item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
