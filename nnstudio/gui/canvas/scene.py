"""The canvas scene: mirrors the document's graph as cards and wires, and keeps selection in step."""

from __future__ import annotations

from typing import Optional

import shiboken6
from PySide6.QtCore import QObject, QRectF, QTimer
from PySide6.QtWidgets import QGraphicsScene

from ...core.analysis import Issue
from ...core.graph import Edge, Graph, Node
from ...core.layers import short_shape
from ..editing.document import Document
from .items.edge_item import EdgeItem
from .items.node_item import NodeItem

# Empty room around the drawing so it can be panned a little past its edges.
SCENE_MARGIN = 2000.0


class CanvasScene(QGraphicsScene):
    """Creates, updates and removes items when the graph says it changed; items never change the graph."""

    def __init__(self, document: Document, parent: Optional[QObject] = None) -> None:
        super().__init__(parent)
        self.document = document
        self.node_items: dict[str, NodeItem] = {}
        self.edge_items: dict[str, EdgeItem] = {}
        # True only while the user drags cards with the grid shown: cards then land on grid points.
        self.snapping = False
        self.edge_weights: Optional[dict[str, float]] = None
        self._graph: Optional[Graph] = None
        self._syncing_selection = False
        self._rect_update_pending = False
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.BspTreeIndex)
        document.project_replaced.connect(self._on_project_replaced)
        document.analysis_changed.connect(self.refresh_analysis)
        document.selection_changed.connect(self._on_document_selection)
        self.selectionChanged.connect(self._on_scene_selection)
        self._attach(document.graph)

    @property
    def graph(self) -> Graph:
        return self.document.graph

    # ------------------------------------------------------------ listening to the graph
    def _graph_listeners(self, graph: Graph) -> list:
        events = graph.events
        return [(events.node_added, self._on_node_added), (events.node_removed, self._on_node_removed),
                (events.node_changed, self._on_node_changed), (events.edge_added, self._on_edge_added),
                (events.edge_removed, self._on_edge_removed), (events.reset, self._rebuild)]

    def _attach(self, graph: Graph) -> None:
        self.detach()
        self._graph = graph
        for event, listener in self._graph_listeners(graph):
            event.connect(listener)
        self._rebuild()

    def detach(self) -> None:
        """Stop listening to the graph (a new project, or this canvas is going away)."""
        if self._graph is not None:
            for event, listener in self._graph_listeners(self._graph):
                event.disconnect(listener)
            self._graph = None

    def _gone(self) -> bool:
        # The graph is plain Python and may outlive this scene (closing a window while the
        # document stays); then the listener unhooks itself instead of touching a deleted object.
        if shiboken6.isValid(self):
            return False
        if self._graph is not None:
            for event, listener in self._graph_listeners(self._graph):
                event.disconnect(listener)
            self._graph = None
        return True

    def _on_project_replaced(self) -> None:
        self._attach(self.document.graph)

    def _rebuild(self) -> None:
        if self._gone():
            return
        self._syncing_selection = True
        try:
            self.clear()
            self.node_items = {}
            self.edge_items = {}
            for node in self.graph.nodes.values():
                self._add_node_item(node)
            for edge in self.graph.edges.values():
                self._add_edge_item(edge)
        finally:
            self._syncing_selection = False
        self.refresh_analysis()
        self._apply_document_selection(self.document.selected_ids)
        self.update_scene_rect()

    def _add_node_item(self, node: Node) -> NodeItem:
        item = NodeItem(node)
        self.addItem(item)
        self.node_items[node.id] = item
        return item

    def _add_edge_item(self, edge: Edge) -> Optional[EdgeItem]:
        source, target = self.node_items.get(edge.source), self.node_items.get(edge.target)
        if source is None or target is None:
            return None
        item = EdgeItem(edge.id, source, edge.source_port, target, edge.target_port)
        item.set_label(short_shape(self.document.analysis.shapes.get(edge.source)))
        if self.edge_weights is not None:
            item.set_weight(self.edge_weights.get(edge.id))
        self.addItem(item)
        self.edge_items[edge.id] = item
        source.edges.append(item)
        target.edges.append(item)
        self._update_port_marks(source)
        self._update_port_marks(target)
        return item

    def _update_port_marks(self, item: NodeItem) -> None:
        """Filled circles for ports that have a wire, so free inputs stand out."""
        taken_inputs = {e.target_port for e in item.edges if e.target is item}
        used_outputs = {e.source_port for e in item.edges if e.source is item}
        for name, port in item.input_ports.items():
            port.set_connected(name in taken_inputs)
        for name, port in item.output_ports.items():
            port.set_connected(name in used_outputs)

    def _on_node_added(self, node: Node) -> None:
        if self._gone():
            return
        self._add_node_item(node)
        self._refresh_node(node.id)
        self.schedule_scene_rect_update()

    def _on_node_removed(self, node: Node) -> None:
        if self._gone():
            return
        item = self.node_items.pop(node.id, None)
        if item is None:
            return
        for edge in list(item.edges):  # normally none left: the graph removes wires first
            self._remove_edge_item(edge.edge_id)
        self.removeItem(item)
        self.schedule_scene_rect_update()

    def _on_node_changed(self, node: Node, what: str) -> None:
        if self._gone():
            return
        item = self.node_items.get(node.id)
        if item is None:
            return
        if what == "position":
            x, y = node.position
            # During a drag the card is already where the graph is being told it is: leave it alone.
            if item.pos().x() != x or item.pos().y() != y:
                item.setPos(x, y)
                self.schedule_scene_rect_update()
        elif what == "ports":
            item.set_ports(node)
            for edge in item.edges:
                edge.update_path()
            self._update_port_marks(item)
            self._refresh_node(node.id)
        else:
            self._refresh_node(node.id)

    def _on_edge_added(self, edge: Edge) -> None:
        if self._gone():
            return
        self._add_edge_item(edge)

    def _on_edge_removed(self, edge: Edge) -> None:
        if self._gone():
            return
        self._remove_edge_item(edge.id)

    def _remove_edge_item(self, edge_id: str) -> None:
        item = self.edge_items.pop(edge_id, None)
        if item is None:
            return
        for end in (item.source, item.target):
            if item in end.edges:
                end.edges.remove(item)
            self._update_port_marks(end)
        self.removeItem(item)

    # ------------------------------------------------------------ analysis
    def refresh_analysis(self) -> None:
        """Show the latest shapes, parameter counts and issues on every card and wire."""
        analysis = self.document.analysis
        by_node: dict[str, list[Issue]] = {}
        for issue in analysis.issues:
            if issue.node_id is not None:
                by_node.setdefault(issue.node_id, []).append(issue)
        for node_id in self.node_items:
            self._refresh_node(node_id, by_node.get(node_id, []))
        for item in self.edge_items.values():
            item.set_label(short_shape(analysis.shapes.get(item.source.node_id)))

    def _refresh_node(self, node_id: str, issues: Optional[list[Issue]] = None) -> None:
        node = self.graph.nodes.get(node_id)
        item = self.node_items.get(node_id)
        if node is None or item is None:
            return
        analysis = self.document.analysis
        if issues is None:
            issues = analysis.issues_for(node_id)
        item.refresh(node, short_shape(analysis.shapes.get(node_id)), analysis.params.get(node_id, 0), issues)

    # ------------------------------------------------------------ weights (training studio)
    def set_edge_weights(self, weights: Optional[dict[str, float]]) -> None:
        """Draw wires thicker where the weights are larger (magnitudes per edge id); None: plain wires."""
        if not weights:
            self.edge_weights = None
            for item in self.edge_items.values():
                item.set_weight(None)
            return
        largest = max((abs(v) for v in weights.values()), default=0.0) or 1.0
        self.edge_weights = {k: abs(v) / largest for k, v in weights.items()}
        for edge_id, item in self.edge_items.items():
            item.set_weight(self.edge_weights.get(edge_id))

    # ------------------------------------------------------------ selection
    def selected_node_ids(self) -> list[str]:
        return [i.node_id for i in self.selectedItems() if isinstance(i, NodeItem)]

    def selected_edge_ids(self) -> list[str]:
        return [i.edge_id for i in self.selectedItems() if isinstance(i, EdgeItem)]

    def _on_scene_selection(self) -> None:
        if self._syncing_selection or not shiboken6.isValid(self):
            return
        self._syncing_selection = True
        try:
            self.document.select(self.selected_node_ids())
        finally:
            self._syncing_selection = False

    def _on_document_selection(self, node_ids: list) -> None:
        if self._syncing_selection:
            return
        self._apply_document_selection(node_ids)

    def _apply_document_selection(self, node_ids: list) -> None:
        wanted = set(node_ids)
        if wanted == set(self.selected_node_ids()):
            return
        self._syncing_selection = True
        try:
            for item in self.selectedItems():
                if isinstance(item, NodeItem) and item.node_id not in wanted:
                    item.setSelected(False)
            for node_id in wanted:
                item = self.node_items.get(node_id)
                if item is not None:
                    item.setSelected(True)
        finally:
            self._syncing_selection = False

    # ------------------------------------------------------------ extent
    def nodes_rect(self) -> QRectF:
        """The rectangle around every card (empty when there are none)."""
        rect = QRectF()
        for item in self.node_items.values():
            rect = rect.united(item.sceneBoundingRect())
        return rect

    def schedule_scene_rect_update(self) -> None:
        # Many nodes may arrive at once (paste, undo of a delete): measure once afterwards.
        if not self._rect_update_pending:
            self._rect_update_pending = True
            QTimer.singleShot(0, self.update_scene_rect)

    def update_scene_rect(self) -> None:
        if not shiboken6.isValid(self):
            return
        self._rect_update_pending = False
        rect = self.nodes_rect()
        if rect.isNull():
            rect = QRectF(0, 0, 800, 600)
        self.setSceneRect(rect.adjusted(-SCENE_MARGIN, -SCENE_MARGIN, SCENE_MARGIN, SCENE_MARGIN))
