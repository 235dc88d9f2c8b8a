"""The Canvas widget: draw, connect, move, select, zoom and edit the network with the mouse and keyboard."""

from __future__ import annotations

import json
import math
from typing import Optional

from PySide6.QtCore import QEvent, QLineF, QMimeData, QPoint, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QMouseEvent, QPainter, QPen, QPixmapCache, QWheelEvent
from PySide6.QtWidgets import QApplication, QGraphicsView, QLabel, QLineEdit, QWidget

from ...core.graph import name_problem
from ...core.layers import canonical_type
from ...core.layout import COLUMN_GAP, ROW_GAP
from ..editing.commands import AddNode, AutoLayout, Connect, MoveNodes, Paste, RemoveItems, Rename
from ..editing.document import Document
from .items import style
from .items.edge_item import DraftWire, EdgeItem
from .items.node_item import NodeItem
from .items.port_item import ANCHOR, INVALID, NORMAL, VALID, PortItem
from .scene import CanvasScene

# How far (in screen pixels) from a port a press or release still counts as on it.
PORT_PICK_DISTANCE = 10


class _NameEditor(QLineEdit):
    """The line edit shown over a card's name while renaming; Esc cancels, Enter asks the canvas to commit."""

    cancelled = Signal()
    left = Signal()  # the user clicked elsewhere

    def focusOutEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().focusOutEvent(event)
        # A popup or another window taking focus for a moment is not "clicking elsewhere".
        if event.reason() not in (Qt.FocusReason.PopupFocusReason, Qt.FocusReason.ActiveWindowFocusReason):
            self.left.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if event.key() == Qt.Key.Key_Escape:
            self.cancelled.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class _WireDrag:
    """A connection being drawn: which port it started from and what each other port would say to it."""

    def __init__(self, anchor: PortItem, draft: DraftWire) -> None:
        self.anchor = anchor
        self.draft = draft
        self.problems: dict[PortItem, Optional[str]] = {}
        self.hover: Optional[PortItem] = None


class Canvas(QGraphicsView):
    """The network drawing. Every change the user makes becomes one undo command pushed to the document."""

    message = Signal(str)  # plain-words feedback, e.g. why a wire was refused

    def __init__(self, document: Document, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("canvas")
        self.document = document
        self.canvas_scene = CanvasScene(document, self)
        self.setScene(self.canvas_scene)
        self.grid_visible = True
        self._wire: Optional[_WireDrag] = None
        self._pan_from: Optional[QPoint] = None
        self._space_held = False
        self._moving = False
        self._editor: Optional[_NameEditor] = None
        self._editing_node: Optional[str] = None
        self._rename_hint: Optional[QLabel] = None
        self._paste_count = 0
        self._last_copied: Optional[str] = None

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

    # ------------------------------------------------------------ adding layers
    def add_layer_at(self, type_name: str, scene_pos: QPointF) -> Optional[str]:
        """Add a layer whose card is centred on `scene_pos`; returns its id (None when refused)."""
        if canonical_type(type_name) is None:
            self.message.emit(f"There is no layer type called {type_name!r}.")
            return None
        position = (scene_pos.x() - style.DROP_OFFSET[0], scene_pos.y() - style.DROP_OFFSET[1])
        command = AddNode(self.graph, type_name, position)
        if not self.document.push(command):
            return None
        self._select_only([command.node_id])
        return command.node_id

    def append_layer(self, type_name: str) -> Optional[str]:
        """Add a layer to the right of the selected one (or the last one) and wire it in: one undo step."""
        if canonical_type(type_name) is None:
            self.message.emit(f"There is no layer type called {type_name!r}.")
            return None
        if self.document.edit_lock_reason:
            self.document.edit_refused.emit(self.document.edit_lock_reason)
            return None
        graph = self.graph
        anchor_id = self._append_anchor()
        if anchor_id is None:
            position = self._free_spot(QPointF(0, 0))
        else:
            x, y = graph.nodes[anchor_id].position
            position = self._free_spot(QPointF(x + COLUMN_GAP, y))
        command = AddNode(graph, type_name, (position.x(), position.y()))
        connect: Optional[Connect] = None
        text = f"Add {command.node.type} '{command.node.name}'"
        if anchor_id is not None:
            text += f" after '{graph.nodes[anchor_id].name}'"
        stack = self.document.undo_stack
        stack.beginMacro(text)
        try:
            self.document.push(command)
            new_node = graph.nodes[command.node_id]
            if anchor_id is not None and graph.nodes[anchor_id].output_ports() and new_node.input_ports():
                source_port = graph.nodes[anchor_id].output_ports()[0]
                target_port = new_node.input_ports()[0]
                if graph.connection_problem(anchor_id, source_port, new_node.id, target_port) is None:
                    connect = Connect(graph, anchor_id, source_port, new_node.id, target_port)
                    self.document.push(connect)
        finally:
            stack.endMacro()
        if anchor_id is not None and connect is None:
            self.message.emit(f"Added '{command.node.name}' but did not wire it: "
                              f"'{graph.nodes[anchor_id].name}' has no free output to feed it.")
        self._select_only([command.node_id])
        item = self.node_item(command.node_id)
        if item is not None:
            self.ensureVisible(item.sceneBoundingRect(), 40, 40)
        return command.node_id

    def _append_anchor(self) -> Optional[str]:
        selected = [n for n in self.document.selected_ids if n in self.graph.nodes]
        if selected:
            return selected[-1]
        order = [n for n in self.document.analysis.order if n in self.graph.nodes]
        # The last layer that can feed another one (an Output cannot).
        for node_id in reversed(order):
            if self.graph.nodes[node_id].output_ports():
                return node_id
        return order[-1] if order else (list(self.graph.nodes)[-1] if self.graph.nodes else None)

    def _free_spot(self, top_left: QPointF) -> QPointF:
        """The first place at or below `top_left` where a new card does not cover another one."""
        spot = QPointF(top_left)
        for _ in range(200):
            rect = QRectF(spot, QPointF(spot.x() + style.NODE_WIDTH, spot.y() + style.NODE_MIN_HEIGHT))
            if not any(isinstance(i, NodeItem) for i in self.canvas_scene.items(rect)):
                return spot
            spot = QPointF(spot.x(), spot.y() + ROW_GAP)
        return spot

    # ------------------------------------------------------------ editing the selection
    def select_all(self) -> None:
        self._select_only(list(self.canvas_scene.node_items))

    def _select_only(self, node_ids: list[str]) -> None:
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
        """Copy the selected layers and the wires among them to the clipboard; returns the fragment."""
        fragment = self.graph.subgraph_dict(self.selected_node_ids())
        if not fragment["nodes"]:
            return fragment
        text = json.dumps(fragment)
        mime = QMimeData()
        mime.setData(style.FRAGMENT_MIME_TYPE, text.encode("utf-8"))
        QApplication.clipboard().setMimeData(mime)
        self._last_copied, self._paste_count = text, 0
        return fragment

    def cut_selection(self) -> dict:
        fragment = self.copy_selection()
        if fragment["nodes"]:
            command = RemoveItems(self.graph, self.selected_node_ids(), [])
            command.setText(f"Cut {len(fragment['nodes'])} layer{'s' if len(fragment['nodes']) != 1 else ''}")
            self.document.push(command)
        return fragment

    def paste(self) -> list[str]:
        """Paste layers copied here or in another window."""
        mime = QApplication.clipboard().mimeData()
        if mime is None or not mime.hasFormat(style.FRAGMENT_MIME_TYPE):
            self.message.emit("There are no copied layers to paste.")
            return []
        try:
            fragment = json.loads(bytes(mime.data(style.FRAGMENT_MIME_TYPE)).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            self.message.emit(f"The copied layers could not be read ({exc}).")
            return []
        return self.paste_fragment(fragment)

    def paste_fragment(self, fragment: dict, offset: Optional[tuple[float, float]] = None) -> list[str]:
        """Add a copied fragment with fresh ids and names, shifted so it does not hide the original."""
        if not fragment.get("nodes"):
            return []
        if offset is None:
            # Pasting the same layers again shifts each copy a little further, like a stack of cards.
            text = json.dumps(fragment)
            self._paste_count = self._paste_count + 1 if text == self._last_copied else 1
            self._last_copied = text
            offset = (40.0 * self._paste_count, 40.0 * self._paste_count)
        try:
            command = Paste(self.graph, fragment, offset)
        except (KeyError, TypeError, ValueError) as exc:  # GraphError is a ValueError
            self.message.emit(f"The copied layers could not be pasted: {exc}")
            return []
        if not self.document.push(command):
            return []
        self._select_only(command.new_ids)
        return list(command.new_ids)

    def duplicate_selection(self) -> list[str]:
        fragment = self.graph.subgraph_dict(self.selected_node_ids())
        if not fragment["nodes"]:
            return []
        command = Paste(self.graph, fragment, (40.0, 40.0), text="Duplicate")
        if not self.document.push(command):
            return []
        self._select_only(command.new_ids)
        return list(command.new_ids)

    def auto_layout(self) -> None:
        if self.graph.nodes and self.document.push(AutoLayout(self.graph)):
            self.canvas_scene.update_scene_rect()
            self.fit_to_view()

    def set_edge_weights(self, weights: Optional[dict[str, float]]) -> None:
        """Thicker wires for larger weight magnitudes (edge id → magnitude); None shows plain wires."""
        self.canvas_scene.set_edge_weights(weights)

    # ------------------------------------------------------------ view
    def zoom_in(self) -> None:
        self._zoom_by(style.ZOOM_STEP, around_cursor=False)

    def zoom_out(self) -> None:
        self._zoom_by(1 / style.ZOOM_STEP, around_cursor=False)

    def _zoom_by(self, factor: float, around_cursor: bool) -> None:
        current = self.zoom_level()
        wanted = min(style.MAX_ZOOM, max(style.MIN_ZOOM, current * factor))
        if math.isclose(wanted, current):
            return
        anchor = (QGraphicsView.ViewportAnchor.AnchorUnderMouse if around_cursor
                  else QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setTransformationAnchor(anchor)
        self.scale(wanted / current, wanted / current)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)

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
        self._select_only([node_id])
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
    def _port_at(self, view_pos: QPoint, skip: Optional[PortItem] = None) -> Optional[PortItem]:
        d = PORT_PICK_DISTANCE
        area = QRect(view_pos.x() - d, view_pos.y() - d, 2 * d, 2 * d)
        scene_pos = self.mapToScene(view_pos)
        ports = [i for i in self.items(area) if isinstance(i, PortItem) and i is not skip]
        if not ports:
            return None
        return min(ports, key=lambda p: QLineF(p.scenePos(), scene_pos).length())

    def _node_at(self, view_pos: QPoint) -> Optional[NodeItem]:
        for item in self.items(view_pos):
            while item is not None and not isinstance(item, NodeItem):
                item = item.parentItem()
            if isinstance(item, NodeItem):
                return item
        return None

    # ------------------------------------------------------------ drawing wires
    def _start_wire(self, port: PortItem) -> None:
        anchor_pos = port.scenePos()
        draft = DraftWire(anchor_pos, from_output=not port.is_input)
        self.canvas_scene.addItem(draft)
        self._wire = _WireDrag(port, draft)
        self._wire.problems = self._wire_problems(port)
        port.set_state(ANCHOR)
        for other, problem in self._wire.problems.items():
            other.set_state(INVALID if problem else VALID, problem)
        if port.is_input and self.graph.edge_at_input(port.node_id, port.port) is not None:
            self.message.emit(f"This input of '{self.graph.nodes[port.node_id].name}' is already connected; "
                              "delete that wire first.")

    def _wire_problems(self, anchor: PortItem) -> dict[PortItem, Optional[str]]:
        """For every port on the other side, why the wire cannot end there (None: it can).

        This is graph.connection_problem worked out for all ports at once: one walk of the graph
        instead of one walk per port, which matters at 500 nodes."""
        graph = self.graph
        taken = {(e.target, e.target_port) for e in graph.edges.values()}
        parents: dict[str, list[str]] = {n: [] for n in graph.nodes}
        children: dict[str, list[str]] = {n: [] for n in graph.nodes}
        for e in graph.edges.values():
            parents[e.target].append(e.source)
            children[e.source].append(e.target)
        loop = ("this wire would make a loop; data must flow one way, from inputs to outputs")
        problems: dict[PortItem, Optional[str]] = {}
        if not anchor.is_input:
            source = anchor.node_id
            upstream = _reachable(source, parents)  # a wire into any of these would close a loop
            for node_id, item in self.canvas_scene.node_items.items():
                for name, port in item.input_ports.items():
                    if node_id == source:
                        problems[port] = "a layer cannot feed itself"
                    elif (node_id, name) in taken:
                        problems[port] = (f"this input of '{graph.nodes[node_id].name}' is already connected; "
                                          "delete that wire first")
                    elif node_id in upstream:
                        problems[port] = loop
                    else:
                        problems[port] = None
        else:
            target = anchor.node_id
            downstream = _reachable(target, children)
            anchor_taken = (target, anchor.port) in taken
            for node_id, item in self.canvas_scene.node_items.items():
                for port in item.output_ports.values():
                    if node_id == target:
                        problems[port] = "a layer cannot feed itself"
                    elif anchor_taken:
                        problems[port] = (f"this input of '{graph.nodes[target].name}' is already connected; "
                                          "delete that wire first")
                    elif node_id in downstream:
                        problems[port] = loop
                    else:
                        problems[port] = None
        return problems

    def _move_wire(self, view_pos: QPoint) -> None:
        wire = self._wire
        assert wire is not None
        wire.draft.follow(self.mapToScene(view_pos))
        port = self._port_at(view_pos, skip=wire.anchor)
        if port is not None and port not in wire.problems:
            port = None  # a port of the same kind as the anchor: not a target
        if port is not wire.hover:
            if wire.hover is not None:
                wire.hover.set_hovered(False)
            wire.hover = port
            if port is not None:
                port.set_hovered(True)
                problem = wire.problems.get(port)
                if problem:
                    self.message.emit(f"Cannot connect here: {problem}.")

    def _finish_wire(self, view_pos: QPoint) -> None:
        wire = self._wire
        assert wire is not None
        self._wire = None
        self.canvas_scene.removeItem(wire.draft)
        for port in list(wire.problems) + [wire.anchor]:
            port.hovered = False  # set_state repaints it
            port.set_state(NORMAL)
        target = self._port_at(view_pos, skip=wire.anchor)
        if target is not None and target not in wire.problems:
            target = None
        if target is None:
            node = self._node_at(view_pos)
            if node is not None and node.node_id != wire.anchor.node_id:
                target = self._port_on_node(node, wire)
            elif node is None:
                return  # released on empty space: the user changed their mind
        if target is None:
            self.message.emit("That layer has no free port for this wire.")
            return
        anchor = wire.anchor
        if anchor.is_input:
            source, source_port, dest, dest_port = target.node_id, target.port, anchor.node_id, anchor.port
        else:
            source, source_port, dest, dest_port = anchor.node_id, anchor.port, target.node_id, target.port
        problem = self.graph.connection_problem(source, source_port, dest, dest_port)
        if problem:
            self.message.emit(f"Cannot connect '{self.graph.nodes[source].name}' to "
                              f"'{self.graph.nodes[dest].name}': {problem}.")
            return
        self.document.push(Connect(self.graph, source, source_port, dest, dest_port))

    @staticmethod
    def _port_on_node(node: NodeItem, wire: _WireDrag) -> Optional[PortItem]:
        """Released on a card's body: its first port that accepts the wire, else its first port (to say why)."""
        candidates = list(node.output_ports.values() if wire.anchor.is_input else node.input_ports.values())
        for port in candidates:
            if wire.problems.get(port) is None:
                return port
        return candidates[0] if candidates else None

    def _cancel_wire(self) -> None:
        if self._wire is None:
            return
        wire, self._wire = self._wire, None
        self.canvas_scene.removeItem(wire.draft)
        for port in list(wire.problems) + [wire.anchor]:
            port.hovered = False  # set_state repaints it
            port.set_state(NORMAL)

    # ------------------------------------------------------------ moving cards
    def _commit_moves(self) -> None:
        """After a drag: one MoveNodes command with the old and new place of every moved card."""
        moves = {}
        for item in self.canvas_scene.selectedItems():
            if not isinstance(item, NodeItem) or item.node_id not in self.graph.nodes:
                continue
            old = self.graph.nodes[item.node_id].position
            new = (item.pos().x(), item.pos().y())
            if old != new:
                moves[item.node_id] = (old, new)
        if not moves:
            return
        if not self.document.push(MoveNodes(self.graph, moves)):
            for node_id, (old, _) in moves.items():  # refused (training): put the cards back
                self.canvas_scene.node_items[node_id].setPos(*old)
            return
        self.canvas_scene.schedule_scene_rect_update()

    # ------------------------------------------------------------ renaming
    def start_rename(self, node_id: str) -> None:
        """Show a text box over the layer's name; Enter renames (one undo step), Esc cancels."""
        item = self.node_item(node_id)
        if item is None:
            return
        self._close_editor()
        rect = self.mapFromScene(item.mapToScene(item.title_rect())).boundingRect()
        editor = _NameEditor(self.viewport())
        editor.setObjectName("renameEditor")
        editor.setText(self.graph.nodes[node_id].name)
        editor.selectAll()
        font = editor.font()
        font.setPixelSize(max(9, min(40, round(13 * self.zoom_level()))))
        editor.setFont(font)
        editor.setGeometry(rect.adjusted(0, 0, 0, 4))
        editor.returnPressed.connect(self._commit_rename)
        editor.cancelled.connect(self._close_editor)
        editor.left.connect(self._on_editor_left)
        self._editor, self._editing_node = editor, node_id
        editor.show()
        editor.setFocus()

    def _commit_rename(self) -> None:
        editor, node_id = self._editor, self._editing_node
        if editor is None or node_id is None or node_id not in self.graph.nodes:
            self._close_editor()
            return
        name = editor.text().strip()
        node = self.graph.nodes[node_id]
        if name == node.name:
            self._close_editor()
            return
        problem = name_problem(name)
        if problem is None and self.graph.node_by_name(name) is not None:
            problem = f"another layer is already called {name!r}"
        if problem:
            reason = f"Cannot rename '{node.name}': {problem}."
            editor.setToolTip(reason)
            editor.setStyleSheet(f"border: 2px solid {style.ERROR_COLOUR.name()};")
            self._show_rename_hint(reason)
            self.message.emit(reason)
            return  # keep the box open so the name can be fixed
        self._close_editor()
        self.document.push(Rename(self.graph, node_id, name))

    def _show_rename_hint(self, reason: str) -> None:
        """The reason, in red right under the text box, where the student is looking."""
        editor = self._editor
        if editor is None:
            return
        if self._rename_hint is None:
            self._rename_hint = QLabel(self.viewport())
            self._rename_hint.setObjectName("renameHint")
            self._rename_hint.setWordWrap(True)
            self._rename_hint.setStyleSheet(
                f"background: #fff4f3; color: {style.ERROR_COLOUR.name()}; border: 1px solid "
                f"{style.ERROR_COLOUR.name()}; border-radius: 3px; padding: 3px;")
        hint = self._rename_hint
        hint.setText(reason)
        hint.setFixedWidth(max(editor.width(), 260))
        hint.adjustSize()
        hint.move(editor.x(), editor.y() + editor.height() + 2)
        hint.show()

    def _on_editor_left(self) -> None:
        # Clicking elsewhere keeps a valid new name (like a file manager) and drops an invalid one.
        editor = self._editor
        if editor is not None and editor.isVisible():
            self._commit_rename()
            if self._editor is editor:
                self._close_editor()

    def _close_editor(self) -> None:
        editor, self._editor, self._editing_node = self._editor, None, None
        if self._rename_hint is not None:
            self._rename_hint.hide()
        if editor is not None:
            editor.hide()
            editor.deleteLater()
            self.setFocus()

    # ------------------------------------------------------------ Qt events
    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        pos = event.position().toPoint()
        if event.button() == Qt.MouseButton.MiddleButton or (
                event.button() == Qt.MouseButton.LeftButton and self._space_held):
            self._pan_from = pos
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        if event.button() == Qt.MouseButton.LeftButton:
            port = self._port_at(pos)
            if port is not None:
                self._start_wire(port)
                event.accept()
                return
            self._moving = True
            self.canvas_scene.snapping = self.grid_visible
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        pos = event.position().toPoint()
        if self._pan_from is not None:
            delta = pos - self._pan_from
            self._pan_from = pos
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - delta.x())
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - delta.y())
            event.accept()
            return
        if self._wire is not None:
            self._move_wire(pos)
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        pos = event.position().toPoint()
        if self._pan_from is not None and event.button() in (Qt.MouseButton.MiddleButton,
                                                             Qt.MouseButton.LeftButton):
            self._pan_from = None
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor if self._space_held
                                      else Qt.CursorShape.ArrowCursor)
            event.accept()
            return
        if self._wire is not None and event.button() == Qt.MouseButton.LeftButton:
            self._finish_wire(pos)
            event.accept()
            return
        super().mouseReleaseEvent(event)
        if event.button() == Qt.MouseButton.LeftButton and self._moving:
            self._moving = False
            self.canvas_scene.snapping = False
            self._commit_moves()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        pos = event.position().toPoint()
        node = self._node_at(pos)
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
        self._zoom_by(style.ZOOM_STEP ** steps, around_cursor=True)
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        key = event.key()
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.delete_selection()
        elif key == Qt.Key.Key_Escape:
            if self._wire is not None:
                self._cancel_wire()
            else:
                self.canvas_scene.clearSelection()
        elif key == Qt.Key.Key_Space:
            if not event.isAutoRepeat():
                self._space_held = True
                self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
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
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_held = False
            if self._pan_from is None:
                self.viewport().setCursor(Qt.CursorShape.ArrowCursor)
            event.accept()
            return
        super().keyReleaseEvent(event)

    def focusOutEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self._space_held = False  # the Space release may go to another widget
        super().focusOutEvent(event)

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if event.mimeData().hasFormat(style.LAYER_MIME_TYPE):
            event.acceptProposedAction()
        else:
            event.ignore()  # e.g. a project file: the main window opens it

    def dragMoveEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if event.mimeData().hasFormat(style.LAYER_MIME_TYPE):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt's name
        mime = event.mimeData()
        if not mime.hasFormat(style.LAYER_MIME_TYPE):
            event.ignore()
            return
        type_name = bytes(mime.data(style.LAYER_MIME_TYPE)).decode("utf-8", errors="replace").strip()
        scene_pos = self.mapToScene(event.position().toPoint())
        if self.add_layer_at(type_name, scene_pos) is not None:
            event.acceptProposedAction()
            self.setFocus()
        else:
            event.ignore()

    def event(self, event: QEvent) -> bool:
        # Shortcuts like Delete may belong to main-window actions; when the canvas has focus its
        # own meaning wins so deleting a selected wire works even when the menu has no such action.
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent) and self._editor is None:
            if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace, Qt.Key.Key_Escape):
                event.accept()
                return True
        return super().event(event)


def _reachable(start: str, neighbours: dict[str, list[str]]) -> set[str]:
    """Every node reached from `start` by following `neighbours` (start included)."""
    seen = {start}
    stack = [start]
    while stack:
        for nxt in neighbours.get(stack.pop(), []):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


__all__ = ["Canvas"]
