"""The Canvas widget: shows the network, and hands each mouse and key gesture to the interaction that owns it."""

from __future__ import annotations

import math
from typing import Optional

from PySide6.QtCore import QEvent, QLineF, QPoint, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import (
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPen,
    QPixmapCache,
    QWheelEvent,
)
from PySide6.QtWidgets import QGraphicsView, QWidget

from ..editing.commands import AutoLayout, InsertOnWire, RemoveItems
from ..editing.document import Document
from . import placement
from .clipboard import CanvasClipboard
from .interactions import (
    InlineRename,
    Interaction,
    MoveCards,
    Pan,
    SpaceToPan,
    WireDrag,
)
from .items import style
from .items.edge_item import EdgeItem
from .items.node_item import NodeItem
from .items.port_item import PortItem
from .scene import CanvasScene

# How far (in screen pixels) from a port a press or release still counts as on it.
PORT_PICK_DISTANCE = 10


class Canvas(QGraphicsView):
    """The network drawing. Every change the user makes becomes one undo command pushed to the document.

    The view itself only shows, zooms and dispatches: drawing a wire, panning, moving cards and renaming
    live in `interactions/`, copy and paste in `clipboard.py`, where new layers go in `placement.py`."""

    message = Signal(str)  # plain-words feedback, e.g. why a wire was refused

    def __init__(self, document: Document, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("canvas")
        self.document = document
        self.canvas_scene = CanvasScene(document, self)
        self.setScene(self.canvas_scene)
        self.grid_visible = True
        self.interaction: Optional[Interaction] = None  # the gesture in progress, offered events first
        self.space = SpaceToPan(self)
        self.inline_rename = InlineRename(self)
        self.clipboard = CanvasClipboard(self)
        self._drop_wire: Optional[EdgeItem] = None  # the wire lit up while a layer is dragged over it
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        # Cards and wires keep their drawing in Qt's pixmap cache; the default 10 MB holds too few
        # of them for a large network, and a thrashing cache makes every repaint redraw everything.
        if QPixmapCache.cacheLimit() < 64 * 1024:
            QPixmapCache.setCacheLimit(64 * 1024)
        # Only the parts that changed are repainted, so moving one card does not redraw 500.
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setCacheMode(QGraphicsView.CacheModeFlag.CacheBackground)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontAdjustForAntialiasing, True)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        # A wire is selected by the band only when the band holds all of it (not just crosses it).
        self.setRubberBandSelectionMode(Qt.ItemSelectionMode.ContainsItemShape)
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.destroyed.connect(self.canvas_scene.detach)

    # ------------------------------------------------------------ lookups (also used by tests)
    @property
    def graph(self):
        return self.document.graph

    def node_item(self, node_id: str) -> Optional[NodeItem]:
        return self.canvas_scene.node_items.get(node_id)

    def edge_item(self, edge_id: str) -> Optional[EdgeItem]:
        return self.canvas_scene.edge_items.get(edge_id)

    def port_scene_pos(self, node_id: str, port: str, is_input: bool) -> QPointF:
        return self.canvas_scene.node_items[node_id].port_scene_pos(port, is_input)

    def selected_node_ids(self) -> list[str]:
        return self.canvas_scene.selected_node_ids()

    def zoom_level(self) -> float:
        return self.transform().m11()

    # ------------------------------------------------------------ adding layers (placement.py decides where)
    def add_layer_at(self, type_name: str, scene_pos: QPointF) -> Optional[str]:
        """Add a layer whose card is centred on `scene_pos`; returns its id (None when refused)."""
        return placement.add_layer_at(self, type_name, scene_pos)

    def append_layer(self, type_name: str) -> Optional[str]:
        """Add a layer to the right of the selected one (or the last one) and wire it in: one undo step."""
        return placement.append_layer(self, type_name)

    # ------------------------------------------------------------ editing the selection
    def select_all(self) -> None:
        self.select_only(list(self.canvas_scene.node_items))

    def select_only(self, node_ids: list[str]) -> None:
        scene = self.canvas_scene
        scene.clearSelection()
        for node_id in node_ids:
            item = scene.node_items.get(node_id)
            if item is not None:
                item.setSelected(True)

    def delete_selection(self) -> bool:
        """Delete the selected layers (with their wires) and selected wires as one undo step."""
        node_ids = self.selected_node_ids()
        edge_ids = [e for e in self.canvas_scene.selected_edge_ids() if e in self.graph.edges]
        if not node_ids and not edge_ids:
            return False
        return self.document.push(RemoveItems(self.graph, node_ids, edge_ids))

    def copy_selection(self) -> dict:
        return self.clipboard.copy_selection()

    def cut_selection(self) -> dict:
        return self.clipboard.cut_selection()

    def paste(self) -> list[str]:
        return self.clipboard.paste()

    def paste_fragment(self, fragment: dict, offset: Optional[tuple[float, float]] = None) -> list[str]:
        return self.clipboard.paste_fragment(fragment, offset)

    def duplicate_selection(self) -> list[str]:
        return self.clipboard.duplicate_selection()

    def start_rename(self, node_id: str) -> None:
        """Show a text box over the layer's name; Enter renames (one undo step), Esc cancels."""
        self.inline_rename.start(node_id)

    def auto_layout(self) -> None:
        if self.graph.nodes and self.document.push(AutoLayout(self.graph)):
            self.canvas_scene.update_scene_rect()
            self.fit_to_view()

    def set_edge_weights(self, weights: Optional[dict[str, float]]) -> None:
        """Thicker wires for larger weight magnitudes (edge id → magnitude); None shows plain wires."""
        self.canvas_scene.set_edge_weights(weights)

    # ------------------------------------------------------------ view
    def zoom_in(self) -> None:
        self._zoom_by(style.ZOOM_STEP)

    def zoom_out(self) -> None:
        self._zoom_by(1 / style.ZOOM_STEP)

    def _zoom_by(self, factor: float, around: Optional[QPointF] = None) -> None:
        """Zoom about the view's middle, or keep the scene point under `around` (a viewport position) there.

        The point is kept by hand rather than with Qt's AnchorUnderMouse, which follows the pointer only while
        Qt believes it is over the view, and then the pointer's last known place, not the wheel's."""
        current = self.zoom_level()
        wanted = min(style.MAX_ZOOM, max(style.MIN_ZOOM, current * factor))
        if math.isclose(wanted, current):
            return
        if around is None:
            self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
            self.scale(wanted / current, wanted / current)
            self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
            return
        fixed = self.mapToScene(around.toPoint()) + (around - QPointF(around.toPoint())) / current
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.scale(wanted / current, wanted / current)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        # Scroll so that the kept scene point is back under the pointer.
        now = QPointF(self.mapFromScene(fixed))
        self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() + round(now.x() - around.x()))
        self.verticalScrollBar().setValue(self.verticalScrollBar().value() + round(now.y() - around.y()))

    def fit_to_view(self, readable: bool = False) -> None:
        """Show every card with a margin; a small network is not blown up beyond 150 %.

        With `readable` (used when a project opens) the zoom never drops below the point where card text
        can be read; a long network then starts at its inputs and the rest is a scroll away."""
        rect = self.canvas_scene.nodes_rect()
        if rect.isNull():
            self.resetTransform()
            return
        self.canvas_scene.update_scene_rect()
        rect = rect.adjusted(-style.FIT_MARGIN, -style.FIT_MARGIN, style.FIT_MARGIN, style.FIT_MARGIN)
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        lowest = style.MIN_READABLE_ZOOM if readable else style.MIN_ZOOM
        scale = min(style.MAX_FIT_ZOOM, max(lowest, self.zoom_level()))
        self.resetTransform()
        self.scale(scale, scale)
        visible_width = self.viewport().width() / scale
        if visible_width < rect.width():
            # Too long to show whole at a readable size: show the beginning, where the data comes in.
            self.centerOn(rect.left() + visible_width / 2, rect.center().y())
        else:
            self.centerOn(rect.center())

    def center_on_node(self, node_id: str) -> None:
        """Select a layer and bring it to the middle of the view (the issues list uses this)."""
        item = self.node_item(node_id)
        if item is None:
            return
        self.select_only([node_id])
        # Measured now, not at the next turn of the event loop: a card moved a moment ago must be reachable.
        self.canvas_scene.update_scene_rect()
        self.centerOn(item.sceneBoundingRect().center())

    def set_grid_visible(self, visible: bool) -> None:
        self.grid_visible = visible
        self.resetCachedContent()
        self.viewport().update()

    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:  # noqa: N802 - Qt's name
        painter.fillRect(rect, style.BACKGROUND)
        if not self.grid_visible:
            return
        # Grow the spacing when zoomed out so the grid never turns into a grey blur.
        step = style.GRID_SIZE
        while step * self.zoom_level() < 12:
            step *= 2
        major = step * 5
        left = math.floor(rect.left() / step) * step
        top = math.floor(rect.top() / step) * step
        minor_lines, major_lines = [], []
        x = left
        while x <= rect.right():
            (major_lines if math.isclose(x % major, 0, abs_tol=1e-6) else minor_lines).append(
                QLineF(x, rect.top(), x, rect.bottom()))
            x += step
        y = top
        while y <= rect.bottom():
            (major_lines if math.isclose(y % major, 0, abs_tol=1e-6) else minor_lines).append(
                QLineF(rect.left(), y, rect.right(), y))
            y += step
        painter.setPen(QPen(style.GRID_MINOR, 0))
        painter.drawLines(minor_lines)
        painter.setPen(QPen(style.GRID_MAJOR, 0))
        painter.drawLines(major_lines)

    # ------------------------------------------------------------ finding things under the mouse
    def port_at(self, view_pos: QPoint, skip: Optional[PortItem] = None) -> Optional[PortItem]:
        """The port nearest the mouse, if one is within PORT_PICK_DISTANCE screen pixels."""
        d = PORT_PICK_DISTANCE
        area = QRect(view_pos.x() - d, view_pos.y() - d, 2 * d, 2 * d)
        scene_pos = self.mapToScene(view_pos)
        ports = [i for i in self.items(area) if isinstance(i, PortItem) and i is not skip]
        if not ports:
            return None
        return min(ports, key=lambda p: QLineF(p.scenePos(), scene_pos).length())

    def wire_at(self, view_pos: QPoint) -> Optional[EdgeItem]:
        """The wire (or its shape label) under the mouse, if any: the topmost one."""
        return next((i for i in self.items(view_pos) if isinstance(i, EdgeItem)), None)

    def node_at(self, view_pos: QPoint) -> Optional[NodeItem]:
        """The card under the mouse (also when the mouse is over one of its ports or marks)."""
        for item in self.items(view_pos):
            while item is not None and not isinstance(item, NodeItem):
                item = item.parentItem()
            if isinstance(item, NodeItem):
                return item
        return None

    # ------------------------------------------------------------ interactions
    def start_interaction(self, interaction: Interaction) -> None:
        if self.interaction is not None:
            self.interaction.cancel()
        self.interaction = interaction

    def interaction_ended(self, interaction: Interaction) -> None:
        if self.interaction is interaction:
            self.interaction = None

    def default_mouse_release(self, event: QMouseEvent) -> None:
        """Qt's own handling of a release (ends a card drag or the selection band), for interactions."""
        super().mouseReleaseEvent(event)

    # ------------------------------------------------------------ Qt events: offered to the interaction first
    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        if self.interaction is not None and self.interaction.mouse_press(event):
            event.accept()
            return
        pos = event.position().toPoint()
        if self.space.starts_pan(event):
            self.start_interaction(Pan(self, pos, self.space))
            event.accept()
            return
        if event.button() == Qt.MouseButton.LeftButton:
            port = self.port_at(pos)
            if port is not None:
                self.start_interaction(WireDrag(self, port))
                event.accept()
                return
            self.start_interaction(MoveCards(self))
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        if self.interaction is not None and self.interaction.mouse_move(event):
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        if self.interaction is not None and self.interaction.mouse_release(event):
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        pos = event.position().toPoint()
        node = self.node_at(pos)
        if event.button() == Qt.MouseButton.LeftButton and node is not None:
            local = node.mapFromScene(self.mapToScene(pos))
            if local.y() <= node.title_rect().bottom():  # the header or the name: rename
                self.start_rename(node.node_id)
                event.accept()
                return
        super().mouseDoubleClickEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 - Qt's name
        steps = event.angleDelta().y() / 120
        if steps == 0:
            super().wheelEvent(event)
            return
        self._zoom_by(style.ZOOM_STEP ** steps, around=event.position())
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if self.interaction is not None and self.interaction.key_press(event):
            event.accept()
            return
        if self.space.key_press(event):
            event.accept()
            return
        key = event.key()
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.delete_selection()
        elif key == Qt.Key.Key_Escape:
            self.canvas_scene.clearSelection()
        elif event.matches(QKeySequence.StandardKey.Copy):
            self.copy_selection()
        elif event.matches(QKeySequence.StandardKey.Cut):
            self.cut_selection()
        elif event.matches(QKeySequence.StandardKey.Paste):
            self.paste()
        elif event.matches(QKeySequence.StandardKey.SelectAll):
            self.select_all()
        elif key == Qt.Key.Key_D and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.duplicate_selection()
        elif key == Qt.Key.Key_F2 and len(self.selected_node_ids()) == 1:
            self.start_rename(self.selected_node_ids()[0])
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def keyReleaseEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if self.space.key_release(event):
            event.accept()
            return
        super().keyReleaseEvent(event)

    def focusOutEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.space.focus_lost()
        super().focusOutEvent(event)

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if event.mimeData().hasFormat(style.LAYER_MIME_TYPE):
            event.acceptProposedAction()
        else:
            event.ignore()  # e.g. a project file: the main window opens it

    def dragMoveEvent(self, event) -> None:  # noqa: N802 - Qt's name
        mime = event.mimeData()
        if mime.hasFormat(style.LAYER_MIME_TYPE):
            # Light up the wire the layer would go into, so the student sees it before letting go.
            type_name = bytes(mime.data(style.LAYER_MIME_TYPE)).decode("utf-8", errors="replace").strip()
            fits = InsertOnWire.fits(type_name)
            self._show_drop_wire(self.wire_at(event.position().toPoint()) if fits else None)
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragLeaveEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self._show_drop_wire(None)
        super().dragLeaveEvent(event)

    def _show_drop_wire(self, wire: Optional[EdgeItem]) -> None:
        if wire is self._drop_wire:
            return
        for item in (self._drop_wire, wire):
            if item is not None and self.canvas_scene.edge_items.get(item.edge_id) is item:  # not deleted since
                item.set_hovered(item is wire)
        self._drop_wire = wire

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt's name
        mime = event.mimeData()
        if not mime.hasFormat(style.LAYER_MIME_TYPE):
            event.ignore()
            return
        type_name = bytes(mime.data(style.LAYER_MIME_TYPE)).decode("utf-8", errors="replace").strip()
        view_pos = event.position().toPoint()
        scene_pos = self.mapToScene(view_pos)
        self._show_drop_wire(None)
        wire = self.wire_at(view_pos) if InsertOnWire.fits(type_name) else None
        if wire is not None:
            added = placement.insert_layer_on_wire(self, type_name, scene_pos, wire.edge_id)
        else:
            added = self.add_layer_at(type_name, scene_pos)
        if added is not None:
            event.acceptProposedAction()
            self.setFocus()
        else:
            event.ignore()

    def event(self, event: QEvent) -> bool:
        # Shortcuts like Delete may belong to main-window actions; when the canvas has focus its
        # own meaning wins so deleting a selected wire works even when the menu has no such action.
        if (event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent)
                and not self.inline_rename.is_open):
            if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace, Qt.Key.Key_Escape):
                event.accept()
                return True
        return super().event(event)


__all__ = ["Canvas"]
