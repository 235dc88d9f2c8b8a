"""Write a drawn network as readable PyTorch code: a model.py nn.Module and a train.py that repeats the run."""

from __future__ import annotations

import textwrap

from ...core.i18n import N_, tr
from ...core.layers import canonical_type
from ..compiler import GraphModule
from .code_literals import comment_text, docstring_text, python_list, whole
from .code_naming import class_name_for, code_names, project_name
from .code_writers import CODE_WRITERS, LayerCode, Line
from .formats import ExportError
from .data_code import table_csv
from .train_code import TrainingScript, train_source


def _layer_lines(model: GraphModule, graph: dict, names: dict[str, str]
                 ) -> tuple[list[str], list[Line], list[str]]:
    """The __init__ lines, the forward lines and the forward arguments, in the drawing's order."""
    nodes = {node["id"]: node for node in graph.get("nodes", [])}
    plan = {step.node_id: step for step in model.plan}
    slot_name = {position: model.node_names[i] for position, i in enumerate(model.input_ids)}
    for step in model.plan:
        slot_name[step.slot] = model.node_names[step.node_id]
    init: list[str] = []
    forward: list[Line] = []
    arguments = [names[model.node_names[i]] for i in model.input_ids]
    for node_id in model.analysis.order:
        node = nodes[node_id]
        kind = canonical_type(node["type"])
        writer = CODE_WRITERS.get(kind)
        if writer is None:
            raise ExportError(tr("there is no code for the layer type {kind}", kind=comment_text(kind)[:80]))
        name = model.node_names[node_id]
        module = model.layers[name]
        step = plan.get(node_id)
        layer = LayerCode(names[name], module, node.get("params", {}), model.shapes.get(node_id, ()))
        if step is not None:
            layer.sources = [names[slot_name[s]] for s in step.sources]
        lines = writer(layer)
        if lines.init is not None and step is not None:
            init.append(lines.init)
        elif lines.init is not None and len(module.state_dict()):
            # weights.safetensors holds every layer's weights: model.py must have a place for each to load into.
            init.append(lines.init + "  # not connected to an output; kept so the weights load")
        if step is not None and lines.forward is not None:
            forward.append(lines.forward)
    return init, forward, arguments


def model_source(model: GraphModule, graph: dict, title: str = "") -> str:
    """The text of model.py: an nn.Module subclass whose forward reads like the drawing.

    `title` is what the project is called (project_name: its title, or its file's name), which names the class."""
    class_name = class_name_for(title)
    names = code_names(model)
    init, forward, arguments = _layer_lines(model, graph, names)
    outputs = [names[n] for n in model.output_names]
    uses_functional = any(line.uses_functional for line in forward)
    input_text = ", ".join(f"{names[model.node_names[i]]} ({_dims(model.input_shapes[i])} values)"
                           for i in model.input_ids)
    output_text = ", ".join(f"{names[model.node_names[i]]} ({whole(model.output_configs[i].units, N_('a size'))} "
                            f"{_output_meaning(model, i)})" for i in model.output_ids)
    signature = ", ".join(f"{a}: torch.Tensor" for a in arguments)
    returns = "torch.Tensor" if len(outputs) == 1 else f"tuple[{', '.join(['torch.Tensor'] * len(outputs))}]"
    call_outputs = ", ".join(outputs)
    # The title is the one free text here: escaped, it cannot end the docstring or hold a bad escape.
    lines = [
        _wrap(f'"""{docstring_text(title or class_name)}: the network drawn in NN Studio, written as a PyTorch '
              f'module.'),
        "",
        _wrap(f"Inputs, in this order: {input_text}."),
        _wrap(f"Outputs, in this order: {output_text}."),
        "",
        "Use it with the weights NN Studio exported:",
        "",
        "    from safetensors.torch import load_file",
        f"    from model import {class_name}",
        "",
        f"    model = {class_name}()",
        '    model.load_state_dict(load_file("weights.safetensors"))',
        "    model.eval()  # switch off Dropout and use BatchNorm's learned averages",
        f"    {call_outputs} = model({', '.join(arguments)})",
        '"""',
        "",
        "import torch",
    ]
    if uses_functional:
        lines.append("import torch.nn.functional as F")
    lines += [
        "from torch import nn",
        "",
        "",
        f"class {class_name}(nn.Module):",
        _wrap(f'    """{_docstring_summary(model, names)}"""'),
        "",
        "    def __init__(self) -> None:",
        "        super().__init__()",
    ]
    lines += [f"        {line}" for line in init]
    lines += [
        "",
        f"    def forward(self, {signature}) -> {returns}:",
    ]
    lines += [f"        {line.text}" for line in forward]
    lines.append(f"        return {call_outputs}")
    return "\n".join(lines) + "\n"


def _dims(shape) -> str:
    return "×".join(whole(s, N_("an input size")) for s in shape)


def _output_meaning(model: GraphModule, output_id: str) -> str:
    config = model.output_configs[output_id]
    if config.task == "multiclass":
        return "class probabilities" if config.activation == "softmax" else "class scores"
    if config.task == "binary":
        return "probability of class 1" if config.activation == "sigmoid" else "score"
    return "value" if config.units == 1 else "values"


def _docstring_summary(model: GraphModule, names: dict[str, str]) -> str:
    weighted = [names[n] for n, m in model.layers.items() if any(True for _ in m.parameters(recurse=False))]
    return f"{len(model.input_ids)} input(s), {len(model.output_ids)} output(s), layers with weights: " \
           f"{', '.join(weighted) or 'none'}."


def _wrap(line: str, width: int = 110) -> str:
    """Break a long docstring line at its spaces (only docstring lines: a broken code line would not compile).

    Long words stay whole: splitting one could cut an escape such as \\x00 in two."""
    if len(line) <= width:
        return line
    indent = line[:len(line) - len(line.lstrip())]
    return textwrap.fill(line.strip(), width, initial_indent=indent, subsequent_indent=indent,
                         break_long_words=False, break_on_hyphens=False)


def state_for_code(model: GraphModule) -> dict:
    """The state dict with model.py's keys: `layers.hidden1.weight` becomes `hidden1.weight`."""
    names = code_names(model)
    state = {}
    for key, value in model.state_dict().items():
        _, layer, rest = key.split(".", 2)
        state[f"{names[layer]}.{rest}"] = value.detach().to("cpu").contiguous()
    return state


__all__ = ["TrainingScript", "class_name_for", "code_names", "model_source", "project_name", "python_list",
           "state_for_code", "table_csv", "train_source"]
