"""The network as drawn: nodes with stable ids, port-to-port edges, and change events."""

from __future__ import annotations

import copy
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

from .events import Event
from .i18n import N_, tr
from .layers import canonical_type, layer_spec


class GraphError(ValueError):
    """An edit that the graph cannot make (unknown node, taken port, a loop...)."""


@dataclass
class Node:
    """One layer on the canvas."""

    id: str
    type: str
    name: str
    params: dict
    position: tuple[float, float] = (0.0, 0.0)

    @property
    def spec(self):
        return layer_spec(self.type)

    def input_ports(self) -> tuple[str, ...]:
        return self.spec.input_ports(self.params)

    def output_ports(self) -> tuple[str, ...]:
        return self.spec.output_ports

    def to_dict(self) -> dict:
        return {"id": self.id, "type": self.type, "name": self.name,
                "params": _jsonable(self.params), "position": [self.position[0], self.position[1]]}


@dataclass(frozen=True)
class Edge:
    """A wire from one node's output port to another node's input port."""

    source: str
    source_port: str
    target: str
    target_port: str

    @property
    def id(self) -> str:
        return f"{self.source}:{self.source_port}->{self.target}:{self.target_port}"

    def to_dict(self) -> dict:
        return {"source": self.source, "source_port": self.source_port,
                "target": self.target, "target_port": self.target_port}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def _insert_at(mapping: dict, key: str, value: Any, index: Optional[int]) -> dict:
    """A copy of `mapping` with key/value inserted at position `index` (appended when None)."""
    if index is None or index >= len(mapping):
        mapping[key] = value
        return mapping
    items = list(mapping.items())
    items.insert(max(index, 0), (key, value))
    return dict(items)


MAX_NAME_LENGTH = 64


def name_problem(name: str) -> Optional[str]:
    """Why a layer name is not allowed (names become Python attribute names in exported code).

    Any Python identifier is a name: letters of every script count as letters ('은닉층', 'couche_cachée'), as
    they do for Python. It must read the same after Python's NFKC normalisation of identifiers, or the exported
    attribute ('ﬁ' becomes 'fi') would not match the saved weights' keys. Keywords and names the exported code
    uses itself are renamed there (engine/export/code_naming.py), so they are allowed here."""
    if not (isinstance(name, str) and name.isidentifier() and len(name) <= MAX_NAME_LENGTH
            and unicodedata.normalize("NFKC", name) == name):
        return tr("a name starts with a letter and uses only letters, digits and _ (at most {count}), so it can "
                  "also name the layer in exported code", count=MAX_NAME_LENGTH)
    return None


# Why a wire is refused: each sentence written once, for the single check and the all-ports one.
# Marked here, translated where they are returned (tr(_FEEDS_ITSELF)).
_FEEDS_ITSELF = N_("a layer cannot feed itself")
_MAKES_A_LOOP = N_("this wire would make a loop; data must flow one way, from inputs to outputs")


def _input_taken(layer: str) -> str:
    return tr("this input of '{layer}' is already connected; delete that wire first", layer=layer)


@dataclass
class GraphEvents:
    """What listeners can follow: each carries the node or edge concerned."""

    node_added: Event = field(default_factory=Event)      # (node)
    node_removed: Event = field(default_factory=Event)    # (node)
    node_changed: Event = field(default_factory=Event)    # (node, what) what: params|name|position|ports
    edge_added: Event = field(default_factory=Event)      # (edge)
    edge_removed: Event = field(default_factory=Event)    # (edge)
    reset: Event = field(default_factory=Event)           # () the whole graph was replaced
    changed: Event = field(default_factory=Event)         # () after any change: re-run analysis


class Graph:
    """Nodes and edges; every change goes through a method and emits an event."""

    def __init__(self) -> None:
        self.nodes: dict[str, Node] = {}
        self.edges: dict[str, Edge] = {}
        self.events = GraphEvents()
        self._next_id = 1

    # ------------------------------------------------------------ queries
    def node_index(self, node_id: str) -> int:
        return list(self.nodes).index(node_id)

    def edge_index(self, edge_id: str) -> int:
        return list(self.edges).index(edge_id)

    def node(self, node_id: str) -> Node:
        try:
            return self.nodes[node_id]
        except KeyError:
            raise GraphError(tr("there is no node {node!r}", node=node_id)) from None

    def node_by_name(self, name: str) -> Optional[Node]:
        for node in self.nodes.values():
            if node.name == name:
                return node
        return None

    def edges_into(self, node_id: str) -> list[Edge]:
        return [e for e in self.edges.values() if e.target == node_id]

    def edges_out_of(self, node_id: str) -> list[Edge]:
        return [e for e in self.edges.values() if e.source == node_id]

    def edge_at_input(self, node_id: str, port: str) -> Optional[Edge]:
        for e in self.edges.values():
            if e.target == node_id and e.target_port == port:
                return e
        return None

    def nodes_of_type(self, type_name: str) -> list[Node]:
        return [n for n in self.nodes.values() if n.type == type_name]

    def unique_name(self, base: str) -> str:
        taken = {n.name for n in self.nodes.values()}
        if base not in taken:
            return base
        i = 1
        while f"{base}_{i}" in taken:
            i += 1
        return f"{base}_{i}"

    def new_id(self, prefix: str = "n") -> str:
        while f"{prefix}{self._next_id}" in self.nodes:
            self._next_id += 1
        node_id = f"{prefix}{self._next_id}"
        self._next_id += 1
        return node_id

    def reaches(self, start: str, goal: str) -> bool:
        """Whether a path of edges leads from `start` to `goal`."""
        return goal in self._reachable(start, forward=True)

    def connection_problem(self, source: str, source_port: str, target: str, target_port: str) -> Optional[str]:
        """Why this wire cannot be drawn, in plain words, or None when it can."""
        if source not in self.nodes or target not in self.nodes:
            return tr("one end of the wire is not a node")
        src, dst = self.nodes[source], self.nodes[target]
        if source_port not in src.output_ports():
            return tr("'{layer}' has no output called {port!r}", layer=src.name, port=source_port)
        if target_port not in dst.input_ports():
            return tr("'{layer}' has no input called {port!r}", layer=dst.name, port=target_port)
        if source == target:
            return tr(_FEEDS_ITSELF)
        if self.edge_at_input(target, target_port) is not None:
            return _input_taken(dst.name)
        if self.reaches(target, source):
            return tr(_MAKES_A_LOOP)
        return None

    def connection_problems(self, node_id: str, port: str, is_input: bool) -> dict[tuple[str, str], Optional[str]]:
        """For a wire dragged from one port: every port it could end on, and why it cannot (None: it can).

        The answers are `connection_problem`'s, worked out for all ports at once: one walk of the
        graph instead of one walk per port, which matters while dragging a wire at 500 nodes.
        Keys are (node id, port name) of the other side: inputs for a wire from an output, and back."""
        self.node(node_id)  # an unknown node raises GraphError rather than answering "no ports"
        taken = {(e.target, e.target_port) for e in self.edges.values()}
        problems: dict[tuple[str, str], Optional[str]] = {}
        if not is_input:
            upstream = self._reachable(node_id, forward=False)  # a wire into any of these closes a loop
            for other in self.nodes.values():
                for name in other.input_ports():
                    if other.id == node_id:
                        problems[(other.id, name)] = tr(_FEEDS_ITSELF)
                    elif (other.id, name) in taken:
                        problems[(other.id, name)] = _input_taken(other.name)
                    else:
                        problems[(other.id, name)] = tr(_MAKES_A_LOOP) if other.id in upstream else None
        else:
            downstream = self._reachable(node_id, forward=True)
            anchor_taken = self.input_taken_problem(node_id, port)
            for other in self.nodes.values():
                for name in other.output_ports():
                    if other.id == node_id:
                        problems[(other.id, name)] = tr(_FEEDS_ITSELF)
                    elif anchor_taken:
                        problems[(other.id, name)] = anchor_taken
                    else:
                        problems[(other.id, name)] = tr(_MAKES_A_LOOP) if other.id in downstream else None
        return problems

    def input_taken_problem(self, node_id: str, port: str) -> Optional[str]:
        """Why no second wire may end on this input (it already has one), or None when it is free."""
        if self.edge_at_input(node_id, port) is None:
            return None
        return _input_taken(self.node(node_id).name)

    def _reachable(self, start: str, forward: bool) -> set[str]:
        """Every node reached from `start` along the wires (forward) or against them (start included)."""
        neighbours: dict[str, list[str]] = {}
        for edge in self.edges.values():
            a, b = (edge.source, edge.target) if forward else (edge.target, edge.source)
            neighbours.setdefault(a, []).append(b)
        seen, stack = {start}, [start]
        while stack:
            for nxt in neighbours.get(stack.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        return seen

    def rename_problem(self, node_id: str, new_name: str) -> Optional[str]:
        """Why this layer cannot take this name, in plain words, or None when it can (its own name is fine)."""
        node = self.node(node_id)
        if new_name == node.name:
            return None
        problem = name_problem(new_name)
        if problem:
            return problem
        if self.node_by_name(new_name) is not None:
            return tr("another layer is already called {name!r}", name=new_name)
        return None

    # ------------------------------------------------------------ edits
    def make_node(self, type_name: str, name: Optional[str] = None, params: Optional[dict] = None,
                  position: tuple[float, float] = (0.0, 0.0), node_id: Optional[str] = None,
                  reserved_names: Iterable[str] = ()) -> Node:
        """Build a node that would fit this graph (fresh id and name) without adding it."""
        canonical = canonical_type(type_name)
        if canonical is None:
            raise GraphError(tr("unknown layer type {type!r}", type=type_name))
        spec = layer_spec(canonical)
        full = spec.defaults()
        for key, value in (params or {}).items():
            if key in full:
                full[key] = spec.param(key).normalise(copy.deepcopy(value))
        if node_id is None:
            node_id = self.new_id()
        elif node_id in self.nodes:
            raise GraphError(tr("a node with id {node!r} already exists", node=node_id))
        taken = {n.name for n in self.nodes.values()} | set(reserved_names)
        if name is None or name in taken:
            base = spec.base_name if name is None else re.sub(r"_\d+$", "", name)
            name = base
            i = 1
            while name in taken:
                name = f"{base}_{i}"
                i += 1
        return Node(node_id, canonical, name, full, (float(position[0]), float(position[1])))

    def add_node(self, type_name: str, name: Optional[str] = None, params: Optional[dict] = None,
                 position: tuple[float, float] = (0.0, 0.0), node_id: Optional[str] = None) -> Node:
        """Add a layer; a taken name gets a number (dense → dense_1), like Keras."""
        node = self.make_node(type_name, name, params, position, node_id)
        self.restore_node(node)
        return node

    def remove_node(self, node_id: str) -> tuple[Node, list[Edge]]:
        """Delete a node and its wires; returns both so an undo can put them back."""
        node = self.node(node_id)
        removed = [e for e in self.edges.values() if e.source == node_id or e.target == node_id]
        for edge in removed:
            del self.edges[edge.id]
            self.events.edge_removed.emit(edge)
        del self.nodes[node_id]
        self.events.node_removed.emit(node)
        self.events.changed.emit()
        return node, removed

    def restore_node(self, node: Node, index: Optional[int] = None) -> None:
        """Add a ready-made node (or put back a removed one) with its id and everything else unchanged.

        `index` puts it back at its old place in the node order, which is also the order of the
        network's inputs and outputs, so an undone delete gives exactly the graph from before."""
        if node.id in self.nodes:
            raise GraphError(tr("a node with id {node!r} already exists", node=node.id))
        self.nodes = _insert_at(self.nodes, node.id, node, index)
        self.events.node_added.emit(node)
        self.events.changed.emit()

    def connect(self, source: str, source_port: str, target: str, target_port: str,
                index: Optional[int] = None) -> Edge:
        problem = self.connection_problem(source, source_port, target, target_port)
        if problem:
            raise GraphError(problem)
        edge = Edge(source, source_port, target, target_port)
        self.edges = _insert_at(self.edges, edge.id, edge, index)
        self.events.edge_added.emit(edge)
        self.events.changed.emit()
        return edge

    def disconnect(self, edge_id: str) -> Edge:
        try:
            edge = self.edges.pop(edge_id)
        except KeyError:
            raise GraphError(tr("there is no wire {wire!r}", wire=edge_id)) from None
        self.events.edge_removed.emit(edge)
        self.events.changed.emit()
        return edge

    def set_param(self, node_id: str, key: str, value: Any) -> Any:
        """Change one parameter; returns the old value. Wires on ports that vanish are removed."""
        node = self.node(node_id)
        spec = node.spec
        try:
            pspec = spec.param(key)
        except KeyError:
            raise GraphError(tr("{type} has no setting {setting!r}", type=node.type, setting=key)) from None
        old = node.params.get(key)
        node.params[key] = pspec.normalise(value)
        if spec.variadic_inputs and key == "inputs":
            ports = set(node.input_ports())
            for edge in [e for e in self.edges.values() if e.target == node_id and e.target_port not in ports]:
                del self.edges[edge.id]
                self.events.edge_removed.emit(edge)
            self.events.node_changed.emit(node, "ports")
        self.events.node_changed.emit(node, "params")
        self.events.changed.emit()
        return old

    def rename(self, node_id: str, name: str) -> str:
        node = self.node(node_id)
        if name == node.name:
            return name
        problem = self.rename_problem(node_id, name)
        if problem:
            raise GraphError(problem)
        old, node.name = node.name, name
        self.events.node_changed.emit(node, "name")
        self.events.changed.emit()
        return old

    def move(self, node_id: str, position: tuple[float, float]) -> tuple[float, float]:
        node = self.node(node_id)
        old = node.position
        node.position = (float(position[0]), float(position[1]))
        self.events.node_changed.emit(node, "position")
        return old

    def clear(self) -> None:
        self.load_dict({"nodes": [], "edges": []})

    # ------------------------------------------------------------ snapshots
    def to_dict(self) -> dict:
        """A plain, JSON-ready snapshot: what is saved, compiled and compared."""
        return {"nodes": [n.to_dict() for n in self.nodes.values()],
                "edges": [e.to_dict() for e in self.edges.values()]}

    def load_dict(self, data: dict) -> None:
        """Replace everything with a snapshot made by `to_dict` (already validated by the loader)."""
        nodes: dict[str, Node] = {}
        for nd in data.get("nodes", []):
            spec = layer_spec(nd["type"])
            params = spec.defaults()
            for key, value in nd.get("params", {}).items():
                if key in params:
                    params[key] = spec.param(key).normalise(copy.deepcopy(value))
            pos = nd.get("position", (0.0, 0.0))
            nodes[nd["id"]] = Node(nd["id"], spec.type, nd["name"], params, (float(pos[0]), float(pos[1])))
        edges: dict[str, Edge] = {}
        for ed in data.get("edges", []):
            edge = Edge(ed["source"], ed["source_port"], ed["target"], ed["target_port"])
            edges[edge.id] = edge
        self.nodes, self.edges = nodes, edges
        self._next_id = 1
        self.events.reset.emit()
        self.events.changed.emit()

    @classmethod
    def from_dict(cls, data: dict) -> "Graph":
        graph = cls()
        graph.load_dict(data)
        return graph

    def copy(self) -> "Graph":
        return Graph.from_dict(self.to_dict())

    def subgraph_dict(self, node_ids: Iterable[str]) -> dict:
        """The chosen nodes and the wires among them (for copy and paste)."""
        ids = set(node_ids)
        return {"nodes": [self.nodes[i].to_dict() for i in self.nodes if i in ids],
                "edges": [e.to_dict() for e in self.edges.values() if e.source in ids and e.target in ids]}
