"""A port: the small circle on a card's edge where a wire starts (output) or ends (input)."""

from __future__ import annotations

from typing import Optional

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from ....core.i18n import tr
from . import style

# What a port shows while a wire is being drawn.
NORMAL = "normal"
VALID = "valid"      # the wire may end here: highlighted
INVALID = "invalid"  # the wire may not end here: dimmed, the tooltip says why
ANCHOR = "anchor"    # the port the wire starts from


class PortItem(QGraphicsItem):
    """Holds only which node and port it stands for; the node card positions it."""

    def __init__(self, node_id: str, port: str, is_input: bool, parent: QGraphicsItem) -> None:
        super().__init__(parent)
        self.node_id = node_id
        self.port = port
        self.is_input = is_input
        self.connected = False
        self.state = NORMAL
        self.hovered = False
        self._base_tooltip = ""
        self.setAcceptHoverEvents(True)
        self.setZValue(2)  # above the card, so clicks on the circle reach the port
        self.setCursor(Qt.CursorShape.CrossCursor)
        # At rest the card paints this circle into its own cached picture (cheap to move); the port
        # paints itself only while it has something to say (hovered, or during a wire drag).
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents, True)

    # ------------------------------------------------------------ state
    def set_base_tooltip(self, text: str) -> None:
        self._base_tooltip = text
        if self.state not in (INVALID, VALID):
            self.setToolTip(text)

    def set_connected(self, connected: bool) -> None:
        if connected != self.connected:
            self.connected = connected
            parent = self.parentItem()
            if parent is not None:
                parent.update()  # the card draws the resting circle

    def _show_self(self) -> None:
        active = self.hovered or self.state != NORMAL
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents, not active)
        self.update()

    def set_state(self, state: str, reason: Optional[str] = None) -> None:
        """Show whether a wire being drawn may end here; `reason` is why not, in plain words."""
        self.state = state
        if state == INVALID and reason:
            self.setToolTip(tr("Cannot connect here: {reason}", reason=reason))
        elif state == VALID:
            self.setToolTip(tr("{tooltip}\nRelease here to connect.", tooltip=self._base_tooltip))
        else:
            self.setToolTip(self._base_tooltip)
        self._show_self()

    def set_hovered(self, hovered: bool) -> None:
        if hovered != self.hovered:
            self.hovered = hovered
            self._show_self()

    # ------------------------------------------------------------ Qt
    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt's name
        r = style.PORT_HIT_RADIUS
        return QRectF(-r, -r, 2 * r, 2 * r)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addEllipse(QPointF(0, 0), style.PORT_HIT_RADIUS, style.PORT_HIT_RADIUS)
        return path

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: Optional[QWidget] = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if self.state == INVALID:
            # Dimmed: a pale circle over the card's own drawing of it.
            painter.setPen(QPen(style.PORT_OUTLINE.lighter(180), 1.5))
            painter.setBrush(QBrush(style.CARD_FILL))
            painter.drawEllipse(QPointF(0, 0), style.PORT_RADIUS + 0.5, style.PORT_RADIUS + 0.5)
            return
        radius = style.PORT_RADIUS
        outline = style.PORT_OUTLINE
        fill = style.PORT_CONNECTED_FILL if self.connected else style.PORT_FILL
        width = 1.5
        if self.state in (VALID, ANCHOR) or self.hovered:
            radius += 2
            outline = style.PORT_VALID if self.state == VALID else style.SELECTED_OUTLINE
            width = 2.5
        if self.state == VALID:
            # A soft halo says "here" from a distance.
            halo = style.PORT_VALID.lighter(170)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(halo)
            painter.drawEllipse(QPointF(0, 0), radius + 3, radius + 3)
        painter.setPen(QPen(outline, width))
        painter.setBrush(QBrush(fill))
        painter.drawEllipse(QPointF(0, 0), radius, radius)

    def hoverEnterEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.set_hovered(True)
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.set_hovered(False)
        super().hoverLeaveEvent(event)


def paint_resting_port(painter: QPainter, centre: QPointF, connected: bool) -> None:
    """The circle as drawn inside the card's cached picture when nothing is happening to the port."""
    painter.setPen(QPen(style.PORT_OUTLINE, 1.5))
    painter.setBrush(QBrush(style.PORT_CONNECTED_FILL if connected else style.PORT_FILL))
    painter.drawEllipse(centre, style.PORT_RADIUS, style.PORT_RADIUS)
