"""Undo commands: one per user action, each changing the Graph through its methods only."""

from __future__ import annotations

import copy
from typing import Any, Optional

from PySide6.QtGui import QUndoCommand

from ...core.graph import Edge, Graph, Node
from ...core.i18n import ntr, tr
from ...core.layers import canonical_type, layer_spec
from ...core.layout import layered_positions

SET_PARAM_ID = 1001  # commands with the same id may merge (a spin-box drag becomes one step)


class AddNode(QUndoCommand):
    """Add one layer; redo puts it back with the same id, so later commands still find it."""

    def __init__(self, graph: Graph, type_name: str, position: tuple[float, float],
                 params: Optional[dict] = None, name: Optional[str] = None) -> None:
        super().__init__()
        self.graph = graph
        # Build the node now (fresh id and name) so redo after undo restores exactly this one.
        self.node = graph.make_node(type_name, name=name, params=params, position=position)
        self.setText(tr("Add {type} '{layer}'", type=self.node.type, layer=self.node.name))

    @property
    def node_id(self) -> str:
        return self.node.id

    def redo(self) -> None:
        self.graph.restore_node(copy.deepcopy(self.node))

    def undo(self) -> None:
        self.graph.remove_node(self.node.id)


class RemoveItems(QUndoCommand):
    """Delete nodes (with all their wires) and single wires, as one step."""

    def __init__(self, graph: Graph, node_ids: list[str], edge_ids: list[str] = ()) -> None:
        super().__init__()
        self.graph = graph
        # Remember each item's place in the order so undo restores exactly the same graph.
        ids = set(node_ids)
        self.nodes: list[Node] = [copy.deepcopy(n) for n in graph.nodes.values() if n.id in ids]
        self.node_places = [graph.node_index(n.id) for n in self.nodes]
        wanted = set(edge_ids)
        self.edges: list[Edge] = [e for e in graph.edges.values()
                                  if e.source in ids or e.target in ids or e.id in wanted]
        self.edge_places = [graph.edge_index(e.id) for e in self.edges]
        if len(self.nodes) == 1 and not edge_ids:
            self.setText(tr("Delete '{layer}'", layer=self.nodes[0].name))
        elif not self.nodes:
            self.setText(ntr("Delete wire", "Delete {n} wires", len(self.edges)))
        else:
            self.setText(ntr("Delete {n} layer", "Delete {n} layers", len(self.nodes)))

    def redo(self) -> None:
        for edge in self.edges:
            if edge.id in self.graph.edges:
                self.graph.disconnect(edge.id)
        for node in self.nodes:
            self.graph.remove_node(node.id)

    def undo(self) -> None:
        for node, place in zip(self.nodes, self.node_places):
            self.graph.restore_node(copy.deepcopy(node), place)
        for edge, place in zip(self.edges, self.edge_places):
            self.graph.connect(edge.source, edge.source_port, edge.target, edge.target_port, place)


class Connect(QUndoCommand):
    def __init__(self, graph: Graph, source: str, source_port: str, target: str, target_port: str) -> None:
        super().__init__()
        self.graph = graph
        self.edge = Edge(source, source_port, target, target_port)
        self.setText(tr("Connect '{source}' → '{target}'", source=graph.node(source).name, target=graph.node(target).name))

    def redo(self) -> None:
        self.graph.connect(self.edge.source, self.edge.source_port, self.edge.target, self.edge.target_port)

    def undo(self) -> None:
        self.graph.disconnect(self.edge.id)


class InsertOnWire(QUndoCommand):
    """A layer dropped onto a wire goes into it: source → new layer → target, as one undo step."""

    def __init__(self, graph: Graph, type_name: str, position: tuple[float, float], edge_id: str,
                 make_room: Optional[dict[str, tuple[float, float]]] = None) -> None:
        super().__init__()
        self.graph = graph
        # Layers moved aside for the new card (node id → new position), and where they were.
        self.moves = {node_id: (graph.node(node_id).position, new) for node_id, new in (make_room or {}).items()}
        self.wire = graph.edges[edge_id]
        self.wire_place = graph.edge_index(edge_id)
        self.node = graph.make_node(type_name, position=position)
        self.setText(tr("Insert {type} '{layer}' between '{source}' and '{target}'", type=self.node.type,
                        layer=self.node.name, source=graph.node(self.wire.source).name,
                        target=graph.node(self.wire.target).name))

    @staticmethod
    def fits(type_name: str) -> bool:
        """Whether a new layer of this type can sit inside a wire: it needs an input and an output."""
        canonical = canonical_type(type_name)
        if canonical is None:
            return False
        spec = layer_spec(canonical)
        return bool(spec.input_ports(spec.defaults())) and bool(spec.output_ports)

    @property
    def node_id(self) -> str:
        return self.node.id

    def _new_wires(self) -> tuple[Edge, Edge]:
        wire, node = self.wire, self.node
        return (Edge(wire.source, wire.source_port, node.id, node.input_ports()[0]),
                Edge(node.id, node.output_ports()[0], wire.target, wire.target_port))

    def redo(self) -> None:
        for node_id, (_, new) in self.moves.items():
            self.graph.move(node_id, new)
        self.graph.disconnect(self.wire.id)
        self.graph.restore_node(copy.deepcopy(self.node))
        for edge in self._new_wires():
            self.graph.connect(edge.source, edge.source_port, edge.target, edge.target_port)

    def undo(self) -> None:
        self.graph.remove_node(self.node.id)  # takes its two wires with it
        wire = self.wire
        self.graph.connect(wire.source, wire.source_port, wire.target, wire.target_port, self.wire_place)
        for node_id, (old, _) in self.moves.items():
            self.graph.move(node_id, old)


class MoveNodes(QUndoCommand):
    """A finished drag: every moved node's old and new position, one undo step."""

    def __init__(self, graph: Graph, moves: dict[str, tuple[tuple[float, float], tuple[float, float]]],
                 text: str = "") -> None:
        super().__init__()
        self.graph = graph
        self.moves = moves
        if not text:
            text = (tr("Move '{layer}'", layer=graph.node(next(iter(moves))).name) if len(moves) == 1
                    else ntr("Move {n} layer", "Move {n} layers", len(moves)))
        self.setText(text)

    def redo(self) -> None:
        for node_id, (_, new) in self.moves.items():
            self.graph.move(node_id, new)

    def undo(self) -> None:
        for node_id, (old, _) in self.moves.items():
            self.graph.move(node_id, old)


class AutoLayout(MoveNodes):
    def __init__(self, graph: Graph) -> None:
        moves = {n: (graph.nodes[n].position, pos) for n, pos in layered_positions(graph).items()}
        super().__init__(graph, moves, tr("Auto-layout"))


class SetParam(QUndoCommand):
    """Change one setting of one layer; consecutive changes of the same setting merge into one step."""

    def __init__(self, graph: Graph, node_id: str, key: str, value: Any) -> None:
        super().__init__()
        self.graph = graph
        self.node_id, self.key = node_id, key
        self.old = copy.deepcopy(graph.node(node_id).params.get(key))
        self.new = value
        # Wires on ports that disappear (fewer Concatenate inputs) must come back on undo.
        self.lost_edges: list[tuple[int, Edge]] = []
        self.setText(tr("Change {setting} of '{layer}'", setting=key.replace("_", " "), layer=graph.node(node_id).name))

    def id(self) -> int:  # noqa: A003 - Qt's name
        return SET_PARAM_ID

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt's name
        if not isinstance(other, SetParam) or (other.node_id, other.key) != (self.node_id, self.key):
            return False
        if other.lost_edges or self.key == "inputs":
            return False
        self.new = other.new
        return True

    def redo(self) -> None:
        before = list(self.graph.edges.values())
        self.graph.set_param(self.node_id, self.key, copy.deepcopy(self.new))
        self.lost_edges = [(i, e) for i, e in enumerate(before) if e.id not in self.graph.edges]

    def undo(self) -> None:
        self.graph.set_param(self.node_id, self.key, copy.deepcopy(self.old))
        for place, edge in self.lost_edges:
            self.graph.connect(edge.source, edge.source_port, edge.target, edge.target_port, place)


class Rename(QUndoCommand):
    def __init__(self, graph: Graph, node_id: str, name: str) -> None:
        super().__init__()
        self.graph = graph
        self.node_id = node_id
        self.old = graph.node(node_id).name
        self.new = name
        self.setText(tr("Rename '{old}' to '{new}'", old=self.old, new=name))

    def redo(self) -> None:
        self.graph.rename(self.node_id, self.new)

    def undo(self) -> None:
        self.graph.rename(self.node_id, self.old)


class Paste(QUndoCommand):
    """Add copied layers (and the wires among them) with fresh ids and names, shifted by `offset`."""

    def __init__(self, graph: Graph, fragment: dict, offset: tuple[float, float] = (40.0, 40.0),
                 text: str = "Paste") -> None:
        super().__init__()
        self.graph = graph
        mapping: dict[str, str] = {}
        self.nodes: list[Node] = []
        reserved: set[str] = set()
        used_ids: set[str] = set()
        for nd in fragment.get("nodes", []):
            new_id = graph.new_id()
            while new_id in used_ids:
                new_id = graph.new_id()
            used_ids.add(new_id)
            mapping[nd["id"]] = new_id
            x, y = nd.get("position", (0, 0))
            node = graph.make_node(nd["type"], name=nd["name"], params=nd.get("params", {}),
                                   position=(x + offset[0], y + offset[1]), node_id=new_id,
                                   reserved_names=reserved)
            reserved.add(node.name)
            self.nodes.append(node)
        self.edges = [Edge(mapping[e["source"]], e["source_port"], mapping[e["target"]], e["target_port"])
                      for e in fragment.get("edges", []) if e["source"] in mapping and e["target"] in mapping]
        self.new_ids = [n.id for n in self.nodes]
        count = len(self.nodes)
        if text == "Duplicate":
            self.setText(ntr("Duplicate {n} layer", "Duplicate {n} layers", count))
        else:  # text: "Paste" (the default) or "Duplicate", the kind of step, not the words shown
            self.setText(ntr("Paste {n} layer", "Paste {n} layers", count))

    def redo(self) -> None:
        for node in self.nodes:
            self.graph.restore_node(copy.deepcopy(node))
        for edge in self.edges:
            self.graph.connect(edge.source, edge.source_port, edge.target, edge.target_port)

    def undo(self) -> None:
        for node in self.nodes:
            self.graph.remove_node(node.id)


class SetProjectSettings(QUndoCommand):
    """Replace the project's data or training settings (one undo step per change in the panel)."""

    def __init__(self, document, part: str, new_settings: Any, text: str = "") -> None:
        super().__init__()
        if part not in ("data", "training"):
            raise ValueError(f"unknown settings part {part!r}")
        self.document = document
        self.part = part
        self.old = copy.deepcopy(getattr(document.project, part))
        self.new = copy.deepcopy(new_settings)
        self.setText(text or (tr("Change data settings") if part == "data" else tr("Change training settings")))

    def _apply(self, value: Any) -> None:
        setattr(self.document.project, self.part, copy.deepcopy(value))
        self.document.settings_changed.emit(self.part)

    def redo(self) -> None:
        self._apply(self.new)

    def undo(self) -> None:
        self._apply(self.old)
