"""Turn a graph snapshot into a GraphModule: one torch module per node plus an execution plan."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Optional

import torch
from torch import nn

from nnstudio.core.analysis import Analysis, DataContext, analyze
from nnstudio.core.i18n import tr
from nnstudio.core.layers import OutputConfig, Shape, canonical_type, layer_spec, resolve_output

from .builders import BUILDERS, BuildConfig


class CompileError(ValueError):
    """The graph cannot be built; the message lists the same problems the canvas shows."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = list(messages)
        super().__init__(tr("The network cannot be built yet:\n{problems}",
                            problems="\n".join(f"- {m}" for m in self.messages)))


@dataclass(frozen=True)
class PlanStep:
    """Run one node: feed it the values in `sources` (slots, port order) and store the result in `slot`."""

    node_id: str
    name: str
    sources: tuple[int, ...]
    slot: int
    is_output: bool


def layer_seed(seed: int, node_id: str) -> int:
    """A seed for one layer from the run seed and the node's id, stable across runs and Python versions.

    Python's hash() of a string changes between processes, so we use SHA-256; mixing in the node id means
    adding a layer elsewhere does not change the initial weights of the others.
    """
    digest = hashlib.sha256(f"{int(seed)}:{node_id}".encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "little") & (2**63 - 1)


class LayerDict(nn.ModuleDict):
    """A ModuleDict that accepts any valid layer name, even ones like `train` or `type`.

    nn.ModuleDict refuses keys that shadow one of its attributes; layers are always looked up with
    `layers[name]`, never as attributes, so storing them straight in `_modules` is safe and keeps
    state-dict keys as `layers.<name>.weight`.
    """

    def __init__(self, modules: dict[str, nn.Module]) -> None:
        super().__init__()
        for name, module in modules.items():
            self._modules[name] = module


class GraphModule(nn.Module):
    """A drawn network as a torch module: `layers` keyed by node name, run in topological order."""

    def __init__(self, layers: dict[str, nn.Module], plan: list[PlanStep], input_ids: list[str],
                 output_ids: list[str], output_configs: dict[str, OutputConfig], node_names: dict[str, str],
                 shapes: dict[str, Shape], analysis: Analysis) -> None:
        super().__init__()
        self.layers = LayerDict(layers)
        self.plan = plan
        self.input_ids = list(input_ids)
        self.output_ids = list(output_ids)
        self.output_configs = dict(output_configs)
        self.node_names = dict(node_names)                              # node id -> name
        self.node_ids = {name: node_id for node_id, name in node_names.items()}  # name -> node id
        self.shapes = dict(shapes)
        self.analysis = analysis
        self.input_shapes = {i: shapes[i] for i in self.input_ids}
        self.output_names = [node_names[i] for i in self.output_ids]
        # Slots 0..k-1 hold the raw inputs; plan step i writes slot k+i. A list indexed by slot is cheaper
        # per batch than a dict keyed by node id.
        self._slot_count = max([step.slot + 1 for step in plan] + [len(self.input_ids)])
        slot_of = {step.node_id: step.slot for step in plan}
        self._output_slots = tuple(slot_of[i] for i in self.output_ids)
        # Input nodes only give the data its drawn shape: done inline above (slot = the Input's position)
        # rather than as a module call per batch.
        self._input_reshapes = [(position, tuple(shapes[i])) for position, i in enumerate(self.input_ids)]
        input_slot = {step.slot: step.sources[0] for step in plan if step.node_id in self.input_shapes}
        self._steps = [(self.layers[step.name], tuple(input_slot.get(s, s) for s in step.sources), step.slot,
                        step.is_output) for step in plan if step.node_id not in self.input_shapes]
        self._output_slots = tuple(input_slot.get(s, s) for s in self._output_slots)

    def _run(self, inputs: tuple[torch.Tensor, ...], logits: bool) -> tuple[torch.Tensor, ...]:
        if len(inputs) != len(self.input_ids):
            raise TypeError(f"the network has {len(self.input_ids)} input(s) but got {len(inputs)} tensor(s)")
        values: list[Optional[torch.Tensor]] = list(inputs) + [None] * (self._slot_count - len(inputs))
        for position, shape in self._input_reshapes:
            value = values[position]
            if value.shape[1:] != shape:
                values[position] = value.reshape((value.shape[0],) + shape)
        for module, sources, slot, is_output in self._steps:
            if len(sources) == 1:
                value = values[sources[0]]
                values[slot] = module.logits(value) if (logits and is_output) else module(value)
            else:
                values[slot] = module(*[values[s] for s in sources])
        return tuple(values[s] for s in self._output_slots)

    def forward(self, *inputs: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """One tensor per Input (in `input_ids` order) -> one tensor per Output, after its activation."""
        return self._run(inputs, logits=False)

    def forward_logits(self, *inputs: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """Like forward, but each Output's values before its final activation (for fused, stable losses)."""
        return self._run(inputs, logits=True)

    def output_activation(self, output_id: str) -> nn.Module:
        """The final activation of an Output node, to turn its logits into what the drawing shows."""
        return self.layers[self.node_names[output_id]].activation

    def parameter_count(self) -> int:
        """Weights plus BatchNorm running statistics, counted the way Keras' summary (and analysis) does."""
        count = sum(p.numel() for p in self.parameters())
        for module in self.modules():
            if isinstance(module, nn.modules.batchnorm._BatchNorm) and module.track_running_stats:
                count += module.running_mean.numel() + module.running_var.numel()
        return count

    def trainable_parameter_count(self) -> int:
        return sum(p.numel() for p in self.parameters() if p.requires_grad)


def compile_graph(graph: dict, context: Optional[DataContext] = None, seed: int = 0) -> GraphModule:
    """Build a GraphModule from `Graph.to_dict()`; raise CompileError when analysis finds errors."""
    context = context or DataContext()
    analysis = analyze(graph, context)
    if analysis.errors:
        raise CompileError([issue.message for issue in analysis.errors])

    nodes = {nd["id"]: dict(nd, type=canonical_type(nd["type"])) for nd in graph.get("nodes", [])}
    incoming: dict[str, dict[str, str]] = {node_id: {} for node_id in nodes}
    for edge in graph.get("edges", []):
        if edge["source"] in nodes and edge["target"] in nodes:
            incoming[edge["target"]][edge["target_port"]] = edge["source"]

    input_ids = [i for i, nd in nodes.items() if nd["type"] == "Input"]
    output_ids = [i for i, nd in nodes.items() if nd["type"] == "Output"]
    slot_of = {node_id: position for position, node_id in enumerate(input_ids)}

    layers: dict[str, nn.Module] = {}
    plan: list[PlanStep] = []
    output_configs: dict[str, OutputConfig] = {}
    node_names = {node_id: nd["name"] for node_id, nd in nodes.items()}
    for node_id in analysis.order:
        nd = nodes[node_id]
        params = nd.get("params", {})
        spec = layer_spec(nd["type"])
        sources = [incoming[node_id][port] for port in spec.input_ports(params)]
        if nd["type"] == "Input":
            sources_slots: tuple[int, ...] = (slot_of[node_id],)
        else:
            sources_slots = tuple(slot_of[s] for s in sources)
        output_config = None
        if nd["type"] == "Output":
            output_config, _ = resolve_output(params, context.output_targets.get(node_id))
            output_configs[node_id] = output_config
        generator = torch.Generator().manual_seed(layer_seed(seed, node_id))
        config = BuildConfig(node_id, nd["name"], analysis.shapes[node_id], generator, output_config)
        layers[nd["name"]] = BUILDERS[nd["type"]](params, [analysis.shapes[s] for s in sources], config)
        slot = len(input_ids) + len(plan)
        slot_of[node_id] = slot
        plan.append(PlanStep(node_id, nd["name"], sources_slots, slot, nd["type"] == "Output"))

    plan = _needed_steps(plan, output_ids)
    shapes = {node_id: shape for node_id, shape in analysis.shapes.items() if shape is not None}
    return GraphModule(layers, plan, input_ids, output_ids, output_configs, node_names, shapes, analysis)


def _needed_steps(plan: list[PlanStep], output_ids: list[str]) -> list[PlanStep]:
    """Drop steps that lead to no Output: they keep their weights (and count) but cost nothing to run."""
    by_slot = {step.slot: step for step in plan}
    needed: set[int] = set()
    stack = [step.slot for step in plan if step.node_id in output_ids]
    while stack:
        slot = stack.pop()
        if slot in needed or slot not in by_slot:
            continue
        needed.add(slot)
        stack.extend(by_slot[slot].sources)
    return [step for step in plan if step.slot in needed]
