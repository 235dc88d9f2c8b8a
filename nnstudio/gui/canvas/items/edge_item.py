"""A wire between two cards: a curve from an output port to an input port, labelled with the shape it carries."""

from __future__ import annotations

from typing import Optional, Protocol

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFontMetricsF, QPainter, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QStyleOptionGraphicsItem, QWidget

from ....core.i18n import tr
from . import style

_LABEL_FONT = style.font(10)
_LABEL_METRICS = QFontMetricsF(_LABEL_FONT)
_CACHE_MAX_SIZE = 800.0  # scene pixels
WIRE_Z = 1.0  # cards are at 0, a wire being drawn at 10


class WireEnd(Protocol):
    """What a wire needs from the card at each of its ends (a NodeItem is one).

    Written as a protocol so this module need not import the card's, which keeps a list of its wires:
    the two modules would otherwise import each other."""

    node_id: str
    edges: list[EdgeItem]  # the wires to redraw when the card moves

    def port_scene_pos(self, name: str, is_input: bool) -> QPointF: ...


def wire_path(start: QPointF, end: QPointF) -> QPainterPath:
    """A cubic curve that leaves the output to the right and enters the input from the left."""
    reach = max(abs(end.x() - start.x()) * 0.5, 40.0)
    path = QPainterPath(start)
    path.cubicTo(start + QPointF(reach, 0), end - QPointF(reach, 0), end)
    return path


class EdgeItem(QGraphicsItem):
    """Holds an edge id and the two cards it joins; it paints, and is selectable so Delete can remove it."""

    def __init__(self, edge_id: str, source: WireEnd, source_port: str, target: WireEnd,
                 target_port: str) -> None:
        super().__init__()
        self.edge_id = edge_id
        self.source = source
        self.source_port = source_port
        self.target = target
        self.target_port = target_port
        self.label = ""
        self.weight: Optional[float] = None  # 0..1 share of the largest weight magnitude, when shown
        self._path = QPainterPath()
        self._label_rect = QRectF()
        self._bounds = QRectF()
        self._shape: Optional[QPainterPath] = None
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        # Above the card bodies (z 0): a wire that crosses a card stays visible, and can still be clicked
        # and deleted there; its ends sit on the ports, which it leaves uncovered around the line.
        self.setZValue(WIRE_Z)
        self.setAcceptHoverEvents(True)
        self.hovered = False
        self.update_path()

    # ------------------------------------------------------------ content
    def set_label(self, text: str) -> None:
        if text != self.label:
            self.label = text
            self.setToolTip(tr("This wire carries {shape} values per sample", shape=text) if text != "?" else
                            tr("The shape of this wire is not known yet: fix the issues before it"))
            self.update_path()

    def midpoint(self) -> QPointF:
        """Halfway along the curve, where the shape label sits."""
        return self._path.pointAtPercent(0.5)

    def set_weight(self, weight: Optional[float]) -> None:
        if weight != self.weight:
            self.weight = weight
            self.update_path()  # a wider pen needs a wider bounding box

    def pen_width(self) -> float:
        if self.weight is None:
            return style.EDGE_WIDTH
        return 1.0 + (style.EDGE_MAX_WEIGHT_WIDTH - 1.0) * max(0.0, min(1.0, self.weight))

    def update_path(self) -> None:
        """Follow the cards after one of them moved (called only for this card's own wires)."""
        self.prepareGeometryChange()
        start = self.source.port_scene_pos(self.source_port, False)
        end = self.target.port_scene_pos(self.target_port, True)
        self._path = wire_path(start, end)
        self._shape = None
        if self.label:
            middle = self.midpoint()
            width = _LABEL_METRICS.horizontalAdvance(self.label) + 10
            height = _LABEL_METRICS.height() + 2
            self._label_rect = QRectF(middle.x() - width / 2, middle.y() - height / 2, width, height)
        else:
            self._label_rect = QRectF()
        margin = max(self.pen_width(), style.EDGE_HIT_WIDTH) / 2 + 2
        self._bounds = self._path.boundingRect().adjusted(-margin, -margin, margin, margin)
        if not self._label_rect.isNull():
            self._bounds = self._bounds.united(self._label_rect)
        # A short wire is drawn once into a pixmap, so a repaint blits instead of re-stroking the
        # curve; a long one would need a huge pixmap that costs more than it saves.
        short = self._bounds.width() < _CACHE_MAX_SIZE and self._bounds.height() < _CACHE_MAX_SIZE
        wanted = QGraphicsItem.CacheMode.DeviceCoordinateCache if short else QGraphicsItem.CacheMode.NoCache
        if self.cacheMode() != wanted:
            self.setCacheMode(wanted)
        # A new label or curve of the same size would otherwise be drawn from the old cached pixmap:
        # prepareGeometryChange does not throw the cache away, update() does.
        self.update()

    # ------------------------------------------------------------ Qt
    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt's name
        return self._bounds

    def shape(self) -> QPainterPath:
        # Thin wires are hard to hit: the clickable shape is a wide band around the curve.
        if self._shape is None:
            stroker = QPainterPathStroker()
            stroker.setWidth(style.EDGE_HIT_WIDTH)
            self._shape = stroker.createStroke(self._path)
            if not self._label_rect.isNull():
                self._shape.addRect(self._label_rect)
        return self._shape

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: Optional[QWidget] = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        colour = style.EDGE_SELECTED if self.isSelected() else style.EDGE_COLOUR
        width = self.pen_width() + (1.5 if self.isSelected() or self.hovered else 0)
        painter.setPen(QPen(colour, width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self._path)
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        if self.label and lod >= style.TEXT_MIN_ZOOM:
            painter.setPen(QPen(colour, 1))
            painter.setBrush(style.EDGE_LABEL_FILL)
            radius = self._label_rect.height() / 2
            painter.drawRoundedRect(self._label_rect, radius, radius)
            painter.setFont(_LABEL_FONT)
            painter.setPen(style.EDGE_LABEL_TEXT if not self.isSelected() else style.EDGE_SELECTED)
            painter.drawText(self._label_rect, Qt.AlignmentFlag.AlignCenter, self.label)

    def set_hovered(self, hovered: bool) -> None:
        """Drawn a little wider: under the mouse, or the wire a dragged layer would be dropped into."""
        if hovered != self.hovered:
            self.hovered = hovered
            self.update()

    def hoverEnterEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.set_hovered(True)
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.set_hovered(False)
        super().hoverLeaveEvent(event)


class DraftWire(QGraphicsPathItem):
    """The dashed wire that follows the mouse while a connection is being drawn."""

    def __init__(self, anchor: QPointF, from_output: bool) -> None:
        super().__init__()
        self.anchor = anchor
        self.from_output = from_output
        pen = QPen(style.WIRE_DRAFT, 2, Qt.PenStyle.DashLine, Qt.PenCapStyle.RoundCap)
        self.setPen(pen)
        self.setZValue(10)
        self.follow(anchor)

    def follow(self, point: QPointF) -> None:
        # The curve always runs output → input, whichever end the user started from.
        if self.from_output:
            self.setPath(wire_path(self.anchor, point))
        else:
            self.setPath(wire_path(point, self.anchor))
