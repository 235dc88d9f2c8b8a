"""Symbolic checking of a graph: order, shapes, parameter counts and plain-words issues; never raises."""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass, field
from typing import Optional, Sequence, Union

from .graph import Graph, name_problem
from .i18n import ntr, tr
from .layers import (LayerResult, NodeContext, OutputTarget, Shape, ShapeError, canonical_type, format_shape,
                     layer_spec, parameter_problems)
from .memory_budget import DEFAULT_BATCH_SIZE, DEFAULT_OPTIMIZER, estimate, memory_problem, values_in

log = logging.getLogger(__name__)

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Issue:
    """One thing wrong (error) or worth knowing (warning) about a node, or the whole graph (node_id None)."""

    node_id: Optional[str]
    severity: str
    message: str

    def labelled(self) -> str:
        """The message led by what kind of issue it is, as tooltips show it ("Error: ...")."""
        if self.severity == ERROR:
            return tr("Error: {message}", message=self.message)
        return tr("Warning: {message}", message=self.message)

    def with_layer_name(self, name: Optional[str]) -> str:
        """The message, led by the layer's name when the message does not already say which layer."""
        if name and f"'{name}'" not in self.message:
            return tr("{layer}: {message}", layer=name, message=self.message)
        return self.message


def worst_severity(issues: Sequence[Issue]) -> Optional[str]:
    """ERROR if any issue is an error, WARNING if there are only warnings, None without issues."""
    if not issues:
        return None
    return ERROR if any(issue.severity == ERROR for issue in issues) else WARNING


def errors_first(issues: Sequence[Issue]) -> list[Issue]:
    """The issues with errors first (they are what stops training), each kind in its own order."""
    return sorted(issues, key=lambda issue: issue.severity != ERROR)


def issue_counts_text(issues: Sequence[Issue]) -> str:
    """'2 errors, 1 warning', or '' without issues."""
    errors = sum(1 for issue in issues if issue.severity == ERROR)
    warnings = len(issues) - errors
    parts = []
    if errors:
        parts.append(ntr("{n} error", "{n} errors", errors))
    if warnings:
        parts.append(ntr("{n} warning", "{n} warnings", warnings))
    return ", ".join(parts)


@dataclass(frozen=True)
class DataContext:
    """What the bound data says: each Input's shape, each Output's task and size, and what does not fit."""

    input_shapes: dict = field(default_factory=dict)      # node id -> Shape
    output_targets: dict = field(default_factory=dict)    # node id -> OutputTarget
    # node id -> why that node cannot take its data (an unknown column, a yes/no Output on a 3-class target):
    # the data layer's own words, so the Issues list says what training would refuse with.
    problems: dict = field(default_factory=dict)
    # How it will be trained, for the memory estimate (the defaults when the caller does not say).
    batch_size: int = DEFAULT_BATCH_SIZE
    optimizer: str = DEFAULT_OPTIMIZER


@dataclass(frozen=True)
class SummaryRow:
    name: str
    type: str
    output_shape: str
    params: int


@dataclass
class Analysis:
    """Everything the canvas, summary and compiler need to know about a graph."""

    order: list[str] = field(default_factory=list)
    shapes: dict[str, Optional[Shape]] = field(default_factory=dict)
    params: dict[str, int] = field(default_factory=dict)
    trainable: dict[str, int] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == ERROR]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors

    def issues_for(self, node_id: str) -> list[Issue]:
        return [i for i in self.issues if i.node_id == node_id]

    @property
    def total_params(self) -> int:
        return sum(self.params.values())

    @property
    def trainable_params(self) -> int:
        return sum(self.trainable.values())

    def summary_rows(self) -> list[SummaryRow]:
        return [SummaryRow(self.names[n], self.types[n], format_shape(self.shapes.get(n)), self.params.get(n, 0))
                for n in self.order]

    def summary_text(self) -> str:
        """A table like Keras' model.summary()."""
        rows = self.summary_rows()
        headers = (tr("Layer (type)"), tr("Output Shape"), tr("Param #"))
        cells = [(f"{r.name} ({r.type})", r.output_shape, f"{r.params:,}") for r in rows]
        widths = [max([_width(headers[i])] + [_width(c[i]) for c in cells]) + 2 for i in range(3)]
        line = "─" * sum(widths)
        out = [line, "".join(_pad(h, w) for h, w in zip(headers, widths)), line]
        out += ["".join(_pad(c, w) for c, w in zip(cell, widths)) for cell in cells]
        total, trainable = self.total_params, self.trainable_params
        out += [line, tr("Total params: {count:,}", count=total), tr("Trainable params: {count:,}", count=trainable),
                tr("Non-trainable params: {count:,}", count=total - trainable), line]
        return "\n".join(out)

    def summary_dict(self) -> dict:
        return {"layers": [{"name": r.name, "type": r.type, "output_shape": r.output_shape, "params": r.params}
                           for r in self.summary_rows()],
                "total_params": self.total_params, "trainable_params": self.trainable_params}


def _width(text: str) -> int:
    """Columns a terminal gives the text: Hangul and other wide letters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def analyze(graph: Union[Graph, dict], context: Optional[DataContext] = None) -> Analysis:
    """Check a graph (or its snapshot) and infer shapes. Never raises: problems become issues."""
    try:
        snapshot = graph.to_dict() if isinstance(graph, Graph) else graph
        return _analyze(snapshot, context or DataContext())
    except Exception as exc:  # noqa: BLE001 - the contract is "never raises"; report instead
        log.exception("analysis failed")
        result = Analysis()
        result.issues.append(Issue(None, ERROR, tr("The network could not be checked ({error}); please report this.",
                                                   error=exc)))
        return result


def _analyze(snapshot: dict, context: DataContext) -> Analysis:
    result = Analysis()
    issues = result.issues
    nodes: dict[str, dict] = {}
    for nd in snapshot.get("nodes", []):
        canonical = canonical_type(nd.get("type", ""))
        if canonical is None:
            issues.append(Issue(nd.get("id"), ERROR, tr("'{layer}' has an unknown layer type {type!r}",
                                                        layer=nd.get("name"), type=nd.get("type"))))
            continue
        nodes[nd["id"]] = dict(nd, type=canonical)
        result.names[nd["id"]] = nd["name"]
        result.types[nd["id"]] = canonical

    seen_names: dict[str, str] = {}
    for node_id, nd in nodes.items():
        problem = name_problem(nd["name"])
        if problem:
            issues.append(Issue(node_id, ERROR, tr("The name {name!r} is not allowed: {problem}",
                                                   name=nd["name"], problem=problem)))
        if nd["name"] in seen_names:
            issues.append(Issue(node_id, ERROR, tr("Two layers are called '{name}': rename one",
                                                   name=nd["name"])))
        seen_names[nd["name"]] = node_id

    bad_params: set[str] = set()
    for node_id, nd in nodes.items():
        for message in parameter_problems(nd["type"], nd.get("params", {})).values():
            issues.append(Issue(node_id, ERROR, tr("'{layer}': {message}", layer=nd["name"], message=message)))
            bad_params.add(node_id)

    # Wires into each port, in port order.
    incoming: dict[str, dict[str, str]] = {n: {} for n in nodes}
    outgoing: dict[str, list[str]] = {n: [] for n in nodes}
    for ed in snapshot.get("edges", []):
        src, dst = ed["source"], ed["target"]
        if src not in nodes or dst not in nodes:
            continue
        incoming[dst][ed["target_port"]] = src
        outgoing[src].append(dst)

    # Kahn's algorithm gives the order; whatever is left over sits on a loop.
    indegree = {n: len(set(incoming[n].values())) for n in nodes}
    ready = [n for n in nodes if indegree[n] == 0]
    order: list[str] = []
    while ready:
        current = ready.pop(0)
        order.append(current)
        for nxt in dict.fromkeys(outgoing[current]):
            indegree[nxt] -= 1
            if indegree[nxt] == 0:
                ready.append(nxt)
    in_loop = [n for n in nodes if n not in order]
    for node_id in in_loop:
        issues.append(Issue(node_id, ERROR, tr(
            "'{layer}' is part of a loop: data must flow one way, from inputs to outputs. Delete one wire of the loop.",
            layer=nodes[node_id]["name"])))
    result.order = order

    inputs = [n for n in nodes if nodes[n]["type"] == "Input"]
    outputs = [n for n in nodes if nodes[n]["type"] == "Output"]
    if not inputs:
        issues.append(Issue(None, ERROR, tr("The network has no Input layer: drag one from the palette.")))
    if not outputs:
        issues.append(Issue(None, ERROR, tr("The network has no Output layer: add one at the end so it knows "
                                            "what to learn.")))

    ports: dict[str, tuple[str, ...]] = {}
    for node_id, nd in nodes.items():
        spec = layer_spec(nd["type"])
        ports[node_id] = spec.input_ports(nd.get("params", {}))
        missing = [p for p in ports[node_id] if p not in incoming[node_id]]
        if missing and node_id not in in_loop:
            if len(ports[node_id]) == 1:
                message = tr("'{layer}' has nothing connected to its input: draw a wire into it from an earlier "
                             "layer.", layer=nd["name"])
            else:
                message = ntr("'{layer}' has nothing connected to {n} of its inputs: draw a wire into it from an "
                              "earlier layer.",
                              "'{layer}' has nothing connected to {n} of its inputs: draw wires into them from "
                              "earlier layers.", len(missing), layer=nd["name"])
            issues.append(Issue(node_id, ERROR, message))

    # Which nodes lead to some Output (walk backwards from the outputs).
    useful: set[str] = set()
    stack = list(outputs)
    while stack:
        current = stack.pop()
        if current in useful:
            continue
        useful.add(current)
        stack.extend(incoming[current].values())
    for node_id in nodes:
        if node_id not in useful and outputs:
            issues.append(Issue(node_id, WARNING, tr(
                "'{layer}' does not lead to any Output, so it does not take part in training.",
                layer=nodes[node_id]["name"])))

    data_problems = _data_problems(nodes, context)
    issues.extend(data_problems.values())

    for node_id in order:
        nd = nodes[node_id]
        result.params[node_id] = 0
        result.trainable[node_id] = 0
        sources = [incoming[node_id].get(p) for p in ports[node_id]]
        in_shapes = [result.shapes.get(s) if s else None for s in sources]
        if node_id in bad_params or any(s is None for s in in_shapes):
            result.shapes[node_id] = None
            continue
        ctx = NodeContext(nd["name"], context.input_shapes.get(node_id), context.output_targets.get(node_id))
        try:
            layer: LayerResult = layer_spec(nd["type"]).infer(nd["params"], in_shapes, ctx)
        except ShapeError as exc:
            if node_id not in data_problems:  # the data problem already says what is wrong here, better
                issues.append(Issue(node_id, ERROR, str(exc)))
            result.shapes[node_id] = None
            continue
        result.shapes[node_id] = layer.shape
        result.params[node_id] = layer.params
        result.trainable[node_id] = layer.trainable
        for message in layer.warnings:
            issues.append(Issue(node_id, WARNING, message[0].upper() + message[1:]))
    # Counted from the shapes alone, so a network too big for this computer is refused before torch
    # allocates a single weight (the compiler and the bundle loader both stop on this error).
    needed = estimate(result.total_params, result.trainable_params,
                      (values_in(shape) for shape in result.shapes.values()), context.batch_size, context.optimizer)
    problem = memory_problem(needed)
    if problem:
        issues.append(Issue(None, ERROR, problem))
    return result


def _data_problems(nodes: dict[str, dict], context: DataContext) -> dict[str, Issue]:
    """The bound data's objections, one error per node that is still in the graph.

    They do not depend on shapes, so an Output shows its own mismatch even while an earlier layer is broken."""
    problems = context.problems or {}
    return {node_id: Issue(node_id, ERROR, str(message)) for node_id, message in problems.items()
            if node_id in nodes}


__all__ = ["Analysis", "DataContext", "Issue", "OutputTarget", "SummaryRow", "analyze", "ERROR", "WARNING"]
