"""A node card: a layer drawn with its type, name, settings, output shape, parameter count and issues."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from ....core.analysis import ERROR, Issue, errors_first, worst_severity
from ....core.graph import Node
from ....core.i18n import tr
from . import style
from .port_item import PortItem, paint_resting_port

if TYPE_CHECKING:
    from .edge_item import EdgeItem

_TYPE_FONT = style.font(11, bold=True)
_NAME_FONT = style.font(13, bold=True)
_DETAIL_FONT = style.font(11)
_MARK_FONT = style.font(11, bold=True)
_TEXT_WIDTH = style.NODE_WIDTH - 2 * style.TEXT_MARGIN
# Measuring text is slow-ish; the metrics objects are made once for all cards.
_NAME_METRICS = QFontMetricsF(_NAME_FONT)
_DETAIL_METRICS = QFontMetricsF(_DETAIL_FONT)
_TYPE_METRICS = QFontMetricsF(_TYPE_FONT)

_POSITION_CHANGE = QGraphicsItem.GraphicsItemChange.ItemPositionChange
_POSITION_HAS_CHANGED = QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged

NAME_TOP = style.HEADER_HEIGHT + 5
NAME_HEIGHT = 19.0
DETAIL_TOP = NAME_TOP + NAME_HEIGHT
DETAIL_HEIGHT = 16.0
FOOTER_HEIGHT = 18.0


def card_height(input_count: int) -> float:
    """Tall enough for every input port of a Concatenate/Add with many inputs."""
    return max(style.NODE_MIN_HEIGHT, style.HEADER_HEIGHT + 16 + input_count * style.PORT_SPACING)


class IssueMark(QGraphicsItem):
    """The red (error) or amber (warning) badge in a card's header; its tooltip lists the messages."""

    def __init__(self, parent: QGraphicsItem) -> None:
        super().__init__(parent)
        self.severity = ERROR
        self.setZValue(3)
        self.setVisible(False)

    def show_issues(self, issues: list[Issue]) -> None:
        if not issues:
            self.setVisible(False)
            self.setToolTip("")
            return
        self.severity = worst_severity(issues)
        self.setToolTip("\n".join(issue.labelled() for issue in errors_first(issues)))
        self.setVisible(True)
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt's name
        r = style.ISSUE_MARK_RADIUS + 1
        return QRectF(-r, -r, 2 * r, 2 * r)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: Optional[QWidget] = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        colour = style.ERROR_COLOUR if self.severity == ERROR else style.WARNING_COLOUR
        painter.setPen(QPen(style.TEXT_ON_HEADER, 1.5))
        painter.setBrush(colour)
        painter.drawEllipse(QPointF(0, 0), style.ISSUE_MARK_RADIUS, style.ISSUE_MARK_RADIUS)
        painter.setFont(_MARK_FONT)
        painter.setPen(style.TEXT_ON_HEADER)
        painter.drawText(self.boundingRect(), Qt.AlignmentFlag.AlignCenter, "!")


class NodeItem(QGraphicsItem):
    """Holds a node id and paints it; every change it shows comes from the graph and the analysis."""

    def __init__(self, node: Node) -> None:
        super().__init__()
        self.node_id = node.id
        self.edges: list["EdgeItem"] = []   # wires to redraw when this card moves
        self.input_ports: dict[str, PortItem] = {}
        self.output_ports: dict[str, PortItem] = {}
        self.height = style.NODE_MIN_HEIGHT
        self.severity: Optional[str] = None
        self._texts: tuple[Any, ...] = ()
        self._header_colour = style.category_colour(node.spec.category)
        self._card_path = QPainterPath()
        self._header_path = QPainterPath()
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsMovable
                      | QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
                      | QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges)
        # The card is drawn once into a pixmap and blitted while it moves: moving stays cheap.
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.issue_mark = IssueMark(self)
        self.issue_mark.setPos(style.NODE_WIDTH - 14, style.HEADER_HEIGHT / 2)
        self.set_ports(node)
        self._type_text = self._name_text = self._detail_text = self._shape_text = self._params_text = ""
        self.setPos(node.position[0], node.position[1])

    # ------------------------------------------------------------ geometry
    def set_ports(self, node: Node) -> None:
        """(Re)make the port circles; a Concatenate with more inputs gets more circles and a taller card."""
        for port in list(self.input_ports.values()) + list(self.output_ports.values()):
            port.setParentItem(None)
            if port.scene() is not None:
                port.scene().removeItem(port)
        inputs, outputs = node.input_ports(), node.output_ports()
        self.prepareGeometryChange()
        self.height = card_height(len(inputs))
        self._card_path = QPainterPath()
        self._card_path.addRoundedRect(QRectF(0, 0, style.NODE_WIDTH, self.height),
                                       style.CORNER_RADIUS, style.CORNER_RADIUS)
        header_box = QPainterPath()
        header_box.addRect(QRectF(0, 0, style.NODE_WIDTH, style.HEADER_HEIGHT))
        self._header_path = self._card_path.intersected(header_box)
        body_top, body_height = style.HEADER_HEIGHT, self.height - style.HEADER_HEIGHT
        self.input_ports = {}
        for i, name in enumerate(inputs):
            port = PortItem(node.id, name, True, self)
            port.setPos(0, body_top + body_height * (i + 1) / (len(inputs) + 1))
            self.input_ports[name] = port
        self.output_ports = {}
        for i, name in enumerate(outputs):
            port = PortItem(node.id, name, False, self)
            port.setPos(style.NODE_WIDTH, body_top + body_height * (i + 1) / (len(outputs) + 1))
            self.output_ports[name] = port
        self._texts = ()  # the next refresh repaints and writes the port tooltips

    def _update_port_tooltips(self, node: Node) -> None:
        many = len(self.input_ports) > 1
        for i, (name, port) in enumerate(self.input_ports.items()):
            port.set_base_tooltip(
                tr("Input {number} of '{layer}': drag a wire from here to an earlier layer's output, or into here "
                   "from one.", number=i + 1, layer=node.name) if many else
                tr("The input of '{layer}': drag a wire from here to an earlier layer's output, or into here from "
                   "one.", layer=node.name))
        for port in self.output_ports.values():
            port.set_base_tooltip(tr("The output of '{layer}': drag from here to the input of a later layer.",
                                     layer=node.name))

    def port(self, name: str, is_input: bool) -> Optional[PortItem]:
        return (self.input_ports if is_input else self.output_ports).get(name)

    def ports(self) -> list[PortItem]:
        return list(self.input_ports.values()) + list(self.output_ports.values())

    def port_scene_pos(self, name: str, is_input: bool) -> QPointF:
        port = self.port(name, is_input)
        if port is None:  # a wire to a port that just vanished: draw it to the card's edge
            return self.pos() + QPointF(0 if is_input else style.NODE_WIDTH, self.height / 2)
        return self.pos() + port.pos()

    def card_rect(self) -> QRectF:
        return QRectF(0, 0, style.NODE_WIDTH, self.height)

    def title_rect(self) -> QRectF:
        """Where the name is written: double-clicking here (or the header) renames the layer."""
        return QRectF(style.TEXT_MARGIN - 4, NAME_TOP - 2, _TEXT_WIDTH + 8, NAME_HEIGHT + 4)

    # ------------------------------------------------------------ content
    def refresh(self, node: Node, shape_text: str, param_count: int, issues: list[Issue]) -> None:
        """Show the node's current name, settings, shape, parameter count and issues (repaint only if changed)."""
        try:
            description = node.spec.describe(node.params)
        except (KeyError, TypeError, ValueError) as exc:  # a hand-edited file with odd settings
            description = tr("settings need attention ({error})", error=exc)
        severity = worst_severity(issues)
        texts = (node.type, node.name, description, shape_text, param_count, severity,
                 tuple(p for p in self.input_ports))
        self.issue_mark.show_issues(issues)
        if texts == self._texts:
            return
        self._texts = texts
        self.severity = severity
        self._type_text = _TYPE_METRICS.elidedText(node.type, Qt.TextElideMode.ElideRight, _TEXT_WIDTH - 20)
        self._name_text = _NAME_METRICS.elidedText(node.name, Qt.TextElideMode.ElideRight, _TEXT_WIDTH)
        self._detail_text = _DETAIL_METRICS.elidedText(description, Qt.TextElideMode.ElideRight, _TEXT_WIDTH)
        self._shape_text = f"→ {shape_text}"
        self._params_text = tr("{count:,} params", count=param_count)
        self._header_colour = style.category_colour(node.spec.category)
        self.setToolTip(tr("{type} '{layer}': {description}\nOutput shape {shape}, {count:,} trainable numbers "
                           "(weights and biases).\n{help}", type=node.type, layer=node.name, description=description,
                           shape=shape_text, count=param_count, help=tr(node.spec.help)))
        self._update_port_tooltips(node)
        self.update()

    # ------------------------------------------------------------ Qt
    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt's name
        # Room around the card for the selection halo, the shadow and the port circles on its edges.
        m = style.PORT_RADIUS + 2
        return QRectF(-m, -5, style.NODE_WIDTH + 2 * m, self.height + 10)

    def shape(self) -> QPainterPath:
        return self._card_path

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: Optional[QWidget] = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        card = self.card_rect()
        # Shadow, then the card.
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(style.CARD_SHADOW)
        painter.drawRoundedRect(card.translated(0, 2), style.CORNER_RADIUS, style.CORNER_RADIUS)
        if self.isSelected():
            # A halo outside the outline, so a red error outline stays visible while selected.
            painter.setPen(QPen(style.SELECTED_OUTLINE, 3))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(card.adjusted(-3, -3, 3, 3), style.CORNER_RADIUS + 3, style.CORNER_RADIUS + 3)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(style.CARD_FILL))
        painter.drawPath(self._card_path)
        painter.setBrush(self._header_colour)
        painter.drawPath(self._header_path)
        if self.severity == ERROR:
            outline = QPen(style.ERROR_COLOUR, 2)
        elif self.severity is not None:
            outline = QPen(style.WARNING_COLOUR, 1.5)
        else:
            outline = QPen(style.CARD_OUTLINE, 1)
        painter.setPen(outline)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self._card_path)
        for port in self.ports():
            paint_resting_port(painter, port.pos(), port.connected)

        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        if lod < style.TEXT_MIN_ZOOM:
            return  # too small to read: a coloured card is all the eye gets anyway
        margin = style.TEXT_MARGIN
        painter.setPen(style.TEXT_ON_HEADER)
        painter.setFont(_TYPE_FONT)
        painter.drawText(QRectF(10, 0, _TEXT_WIDTH, style.HEADER_HEIGHT),
                         Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, self._type_text)
        painter.setPen(style.TEXT_MAIN)
        painter.setFont(_NAME_FONT)
        painter.drawText(QRectF(margin, NAME_TOP, _TEXT_WIDTH, NAME_HEIGHT),
                         Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, self._name_text)
        painter.setPen(style.TEXT_SOFT)
        painter.setFont(_DETAIL_FONT)
        painter.drawText(QRectF(margin, DETAIL_TOP, _TEXT_WIDTH, DETAIL_HEIGHT),
                         Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, self._detail_text)
        footer_top = self.height - FOOTER_HEIGHT - 5
        painter.setPen(QPen(style.GRID_MAJOR, 1))
        painter.drawLine(QPointF(margin, footer_top - 2), QPointF(style.NODE_WIDTH - margin, footer_top - 2))
        footer = QRectF(margin, footer_top, _TEXT_WIDTH, FOOTER_HEIGHT)
        painter.setPen(style.TEXT_MAIN)
        painter.drawText(footer, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, self._shape_text)
        painter.setPen(style.TEXT_SOFT)
        painter.drawText(footer, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, self._params_text)

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: Any) -> Any:  # noqa: N802 - Qt's name
        # Qt calls this for every flag, parent and selection change too: answer those quickly.
        if change is _POSITION_CHANGE:
            scene = self.scene()
            if scene is not None and getattr(scene, "snapping", False):
                grid = style.GRID_SIZE
                return QPointF(round(value.x() / grid) * grid, round(value.y() / grid) * grid)
        elif change is _POSITION_HAS_CHANGED:
            # Only this card's own wires follow it: no work for the other 499 nodes.
            for edge in self.edges:
                edge.update_path()
        return value
