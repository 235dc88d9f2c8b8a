"""Write a drawn network as readable PyTorch code: a model.py nn.Module and a train.py that repeats the run."""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import numpy as np

from torch import nn

from ...core.data.prepare import CLASSIFICATION, resolve_binding
from ...core.data.table import Table
from ...core.layers import canonical_type
from ...core.project import Project
from ..compiler import GraphModule
from .formats import ExportError
from .code_literals import NEVER_BIND, comment_text, docstring_text, flag, is_identifier, literal, number, whole

# Names a layer cannot have as an attribute or a variable in generated code (nn.Module's own methods such as
# `train`, the modules the code imports, Python's keywords): such layers get a `_layer` suffix.
_RESERVED = set(dir(nn.Module)) | NEVER_BIND | {"self", "torch", "nn", "F", "inputs", "outputs"}

_ACTIVATIONS_NEEDING_F = ("leaky_relu", "elu", "gelu")


@dataclass
class Line:
    """One statement of forward(), plus whether it needs `torch.nn.functional`."""

    text: str
    uses_functional: bool = False


def class_name_for(title: str) -> str:
    """A class name from the project title: 'Wide & Deep with two outputs' -> 'WideAndDeep'."""
    text = re.sub(r"\(.*?\)", " ", title or "")
    text = re.split(r"\s+(?:with|without|for|on)\s+|:|\s-\s", text, maxsplit=1)[0]
    words = re.findall(r"[A-Za-z0-9]+|&", text)
    parts = ["And" if w == "&" else (w if w.isupper() else w[:1].upper() + w[1:].lower()) for w in words]
    name = "".join(parts)
    if not name:
        return "Network"
    if name[0].isdigit():
        name = "Net" + name
    # "None" or "True" would not compile; "F" or "DistributedSampler" would replace what model.py and train.py
    # import; "SEED" would be overwritten by train.py's own constant.
    if not is_identifier(name) or name in NEVER_BIND or name in _module_names():
        return "Model"
    return name


def _module_names() -> set[str]:
    """Every name the generated modules use at the top level: all identifiers of the train.py template (a
    superset: words of its comments too, which costs at most a plain class name) and model.py's imports."""
    global _MODULE_NAMES
    if _MODULE_NAMES is None:
        _MODULE_NAMES = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", TEMPLATE.read_text(encoding="utf-8")))
        _MODULE_NAMES |= {"torch", "nn", "F", "csv"} | {loader for loader, _ in SKLEARN_LOADERS.values()}
    return _MODULE_NAMES


_MODULE_NAMES: Optional[set[str]] = None


def code_names(model: GraphModule) -> dict[str, str]:
    """Node name -> the name used in code (attribute and variable), unique and never a reserved word.

    Names are checked again here although the project file checks them: a graph built in memory, or a
    future loader, must not be able to put code into model.py."""
    taken = set(model.node_names.values())
    names: dict[str, str] = {}
    for name in model.node_names.values():
        code = name
        # `self.__x` inside a class is name-mangled to `_Class__x`: the weights' keys would not match.
        if not is_identifier(code) or code.startswith("__"):
            code = "layer_" + re.sub(r"[^A-Za-z0-9_]", "_", str(name))
        if code in _RESERVED:
            code = f"{code}_layer"
        if code != name:
            while code in taken:
                code += "_"
            taken.add(code)
        names[name] = code
    return names


def _activation(name: str, value: str, sample_rank: int) -> Line:
    """The expression applying a drawing's activation to `value`."""
    dim = 1 if sample_rank == 1 else -1
    simple = {"linear": value, "relu": f"torch.relu({value})", "sigmoid": f"torch.sigmoid({value})",
              "tanh": f"torch.tanh({value})", "softmax": f"torch.softmax({value}, dim={dim})",
              "sign": f"torch.sign({value})", "step": f"({value} >= 0).float()",
              "leaky_relu": f"F.leaky_relu({value})", "elu": f"F.elu({value})", "gelu": f"F.gelu({value})"}
    if name not in simple:
        raise ValueError(f"no code for the activation {name!r}")
    return Line(simple[name], name in _ACTIVATIONS_NEEDING_F)


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
        name = model.node_names[node_id]
        code = names[name]
        module = model.layers[name]
        shape = model.shapes.get(node_id, ())
        used = node_id in plan
        step = plan.get(node_id)
        sources = [names[slot_name[s]] for s in step.sources] if step else []
        if kind == "Input":
            if len(shape) > 1 and used:
                sizes = ", ".join(whole(s, "an input size") for s in shape)
                forward.append(Line(f"{code} = {code}.reshape(-1, {sizes})  # each sample is {_dims(shape)}"))
            continue
        if kind in ("Dense", "Output"):
            units, features = module.weight.shape
            bias = "" if module.bias is not None else ", bias=False"
            init.append(f"self.{code} = nn.Linear({whole(features, 'a size')}, {whole(units, 'a size')}{bias})"
                        + ("" if used else "  # not connected to an output; kept so the weights load"))
            if used:
                line = _activation(module.activation_name, f"self.{code}({sources[0]})", len(shape))
                forward.append(Line(f"{code} = {line.text}", line.uses_functional))
        elif kind == "Dropout":
            init.append(f"self.{code} = nn.Dropout({number(module.p, 'a dropout rate')})")
            if used:
                forward.append(Line(f"{code} = self.{code}({sources[0]})"))
        elif kind == "BatchNormalization":
            init.append(f"self.{code} = nn.BatchNorm1d({whole(module.num_features, 'a size')}, "
                        f"eps={number(module.eps, 'epsilon')}, momentum={number(module.momentum, 'momentum')})")
            if used:
                forward.append(Line(f"{code} = self.{code}({sources[0]})"))
        elif not used:
            continue
        elif kind == "Flatten":
            forward.append(Line(f"{code} = torch.flatten({sources[0]}, 1)"))
        elif kind == "Activation":
            activation = node.get("params", {}).get("activation", "relu")
            line = _activation(activation, sources[0], len(shape))
            forward.append(Line(f"{code} = {line.text}", line.uses_functional))
        elif kind == "Concatenate":
            dim = 1 if len(shape) == 1 else -1
            forward.append(Line(f"{code} = torch.cat([{', '.join(sources)}], dim={dim})"))
        elif kind == "Add":
            forward.append(Line(f"{code} = {' + '.join(sources)}"))
        else:
            raise ValueError(f"no code for the layer type {kind!r}")
    return init, forward, arguments


def model_source(model: GraphModule, graph: dict, title: str = "") -> str:
    """The text of model.py: an nn.Module subclass whose forward reads like the drawing."""
    class_name = class_name_for(title)
    names = code_names(model)
    init, forward, arguments = _layer_lines(model, graph, names)
    outputs = [names[n] for n in model.output_names]
    uses_functional = any(line.uses_functional for line in forward)
    input_text = ", ".join(f"{names[model.node_names[i]]} ({_dims(model.input_shapes[i])} values)"
                           for i in model.input_ids)
    output_text = ", ".join(f"{names[model.node_names[i]]} ({whole(model.output_configs[i].units, 'a size')} "
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
    return "×".join(whole(s, "an input size") for s in shape)


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


def python_list(values: list, indent: int, width: int = 100) -> str:
    """A list literal wrapped over lines (64 pixel column names stay readable).

    Lines break only between items: a column name such as 'a b' must never be split inside its quotes."""
    items = [literal(v, "a column name or class value") for v in values]
    text = "[" + ", ".join(items) + "]"
    if len(text) + indent <= width:
        return text
    pad = " " * (indent + 4)
    rows, row = [], ""
    for item in items:
        if row and len(pad) + len(row) + len(item) + 2 > width:
            rows.append(row)
            row = ""
        row = f"{row} {item}," if row else f"{item},"
    rows.append(row)
    return "[\n" + "\n".join(pad + r for r in rows) + "\n" + " " * indent + "]"


# scikit-learn loaders of the built-in datasets NN Studio takes from scikit-learn, and their extra arguments.
SKLEARN_LOADERS = {"iris": ("load_iris", ""), "wine": ("load_wine", ""),
                   "breast_cancer": ("load_breast_cancer", ""), "digits": ("load_digits", ""),
                   "diabetes": ("load_diabetes", "scaled=False")}
TEMPLATE = Path(__file__).with_name("templates") / "train.py.txt"
# The loss names train.py measures (matched whole: `$` alone would let a trailing newline through).
_MONITORED_LOSS = re.compile(r"(val_)?([A-Za-z0-9_]+_)?loss")
_PLACEHOLDER = re.compile(r"%%[A-Z_]+%%")


@dataclass
class TrainingScript:
    """The text of train.py, and the data file it reads (None when it loads the data with scikit-learn)."""

    text: str
    data_csv: Optional[str]


def _sklearn_name(project: Project) -> Optional[str]:
    source = project.data.source or {}
    if source.get("kind") == "builtin" and source.get("name") in SKLEARN_LOADERS:
        return source["name"]
    return None


def _load_table_code(project: Project, table: Table) -> tuple[str, str, str, str]:
    """load_table() for the script, its extra import, its --data argument and what main passes to it."""
    name = _sklearn_name(project)
    columns = python_list(list(table.columns), 4)
    if name is not None:
        loader, arguments = SKLEARN_LOADERS[name]
        code = (f"COLUMNS = {columns}\n\n\n"
                f"def load_table():\n"
                f'    """The {docstring_text(name)} data from scikit-learn, as NN Studio shows it: the features, then the target."""\n'
                f"    bunch = {loader}({arguments})\n"
                f"    values = np.column_stack([bunch.data, bunch.target]).astype(np.float32)\n"
                f"    return values, COLUMNS")
        return code, f"from sklearn.datasets import {loader}\n", "", ""
    code = ("def load_table(path):\n"
            '    """Read the data: a header line with the column names, then one line of numbers per row.\n\n'
            "    NN Studio exported the project's data as data.csv (text categories became their class numbers).\n"
            '    """\n'
            "    with open(path, encoding=\"utf-8\", newline=\"\") as handle:\n"
            "        columns = next(csv.reader(handle))\n"
            "    values = np.loadtxt(path, delimiter=\",\", skiprows=1, dtype=np.float64, ndmin=2)\n"
            "    return values.astype(np.float32), columns")
    argument = ('    parser.add_argument("--data", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), '
                '"data.csv"),\n                        help="the data file (default: data.csv next to this script)")\n')
    return code, "", argument, "args.data"


def table_csv(table: Table) -> str:
    """The table as plain numbers with a header; float64 digits so every float32 value reads back exactly."""
    import csv
    import io
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(table.columns)
    rows = [",".join(f"{value:.17g}" for value in row) for row in table.values.astype(np.float64)]
    return buffer.getvalue() + "\n".join(rows) + "\n"


def _loss_line(position: int, name: str, loss: str, activation: str) -> str:
    output, target = f"outputs[{position}]", f"targets[{position}]"
    if loss == "cross_entropy":
        if activation == "linear":
            text = f"F.cross_entropy({output}, {target})"
        elif activation == "softmax":
            # The model gives probabilities; their log is what cross-entropy needs (kept away from log 0).
            text = f"F.nll_loss(torch.log({output}.clamp_min(1e-7)), {target})"
        else:
            text = (f"F.nll_loss(torch.log(({output} / {output}.sum(dim=1, keepdim=True).clamp_min(1e-7))"
                    f".clamp_min(1e-7)), {target})")
        what = "cross-entropy"
    elif loss == "binary_cross_entropy":
        text = (f"F.binary_cross_entropy_with_logits({output}, {target})" if activation == "linear"
                else f"F.binary_cross_entropy({output}.clamp(1e-7, 1 - 1e-7), {target})")
        what = "binary cross-entropy"
    elif loss == "mae":
        text, what = f"F.l1_loss({output}, {target})", "mean absolute error"
    else:
        text, what = f"F.mse_loss({output}, {target})", "mean squared error"
    return f"        {text},  # {name}: {what}"


def _optimizer_code(project: Project) -> str:
    s = project.training
    # number(): the settings object may have been changed in memory since the file was checked.
    decay = f", weight_decay={number(s.weight_decay, 'weight decay')}" if s.weight_decay else ""
    lr = f"lr={number(s.learning_rate, 'the learning rate')}"
    momentum, epsilon = number(s.momentum, "momentum"), number(s.epsilon, "epsilon")
    betas = f"betas=({number(s.beta1, 'beta1')}, {number(s.beta2, 'beta2')})"
    choices = {
        "sgd": f"torch.optim.SGD(model.parameters(), {lr}{decay})",
        "momentum": f"torch.optim.SGD(model.parameters(), {lr}, momentum={momentum}{decay})",
        "nesterov": f"torch.optim.SGD(model.parameters(), {lr}, momentum={momentum}, nesterov=True{decay})",
        "adagrad": f"torch.optim.Adagrad(model.parameters(), {lr}, eps={epsilon}{decay})",
        "rmsprop": f"torch.optim.RMSprop(model.parameters(), {lr}, alpha={number(s.rho, 'rho')}, eps={epsilon}"
                   f"{decay})",
        "adam": f"torch.optim.Adam(model.parameters(), {lr}, {betas}, eps={epsilon}{decay})",
        "adamw": f"torch.optim.AdamW(model.parameters(), {lr}, {betas}, eps={epsilon}{decay})",
    }
    if not isinstance(s.optimizer, str) or s.optimizer not in choices:
        raise ExportError(f"there is no code for the optimizer {comment_text(s.optimizer)[:80]}")
    return choices[s.optimizer]


def train_source(model: GraphModule, project: Project, table: Table) -> TrainingScript:
    """The text of train.py for this project and its data table."""
    graph = project.graph.to_dict()
    binding = resolve_binding(table, graph)
    names = code_names(model)
    input_lines = [f"    {python_list(binding.inputs[i], 4)},  # {names[model.node_names[i]]}"
                   for i in model.input_ids]
    target_columns, class_values, kinds, losses = [], [], [], []
    for position, output_id in enumerate(model.output_ids):
        config = model.output_configs[output_id]
        columns = binding.outputs[output_id]
        target_columns.append(columns)
        if config.task in CLASSIFICATION:
            values = [float(v) for v in table.distinct_values(columns[0])] if not table.is_categorical(columns[0]) \
                else [float(code) for code in range(len(table.class_names[columns[0]]))]
            class_values.append(values)
            if config.loss in ("mse", "mae") and config.units > 1:
                kinds.append("one_hot")
            elif config.task == "binary" or config.loss == "binary_cross_entropy" or config.loss in ("mse", "mae"):
                kinds.append("binary")
            else:
                kinds.append("codes")
        else:
            class_values.append(None)
            kinds.append("values")
        losses.append(_loss_line(position, names[model.node_names[output_id]], config.loss, config.activation))
    settings, data = project.training, project.data
    stopping = settings.early_stopping
    monitor, monitor_note = stopping.monitor, ""
    if not isinstance(monitor, str) or not _MONITORED_LOSS.fullmatch(monitor):
        monitor_note = f"  # NN Studio watched {comment_text(monitor)}; this script measures losses only"
        monitor = "val_loss"
    has_batchnorm = any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in model.modules())
    lone_row = ("        if len(order) % BATCH_SIZE == 1 and len(order) > 1:\n"
                "            order = order[:-1]  # BatchNorm cannot normalise a batch of one row: skip it\n"
                if has_batchnorm else "")
    needed = {step.node_id for step in model.plan}
    unused_weights = any(any(True for _ in model.layers[model.node_names[i]].parameters())
                         for i in model.node_names if i not in needed)
    wrap = ("DistributedDataParallel(model, find_unused_parameters=True)" if unused_weights
            else "DistributedDataParallel(model)")
    load_code, extra_import, data_argument, load_arguments = _load_table_code(project, table)
    if load_arguments:
        extra_import = ""
    source = project.data.source or {}
    data_text = (f"the {source.get('name')} data" if source.get("kind") == "builtin"
                 else f"the data of {Path(str(source.get('path', 'the project'))).name}")
    # Every project value goes in as a literal (or escaped docstring text), and the template is filled in one
    # pass: a title holding "%%LOSSES%%" stays text instead of being filled in after it was inserted.
    replacements = {
        "%%CLASS%%": class_name_for(project.title),
        "%%TITLE%%": docstring_text(project.title or "the project"),
        "%%DATA_TEXT%%": docstring_text(data_text),
        "%%EXTRA_IMPORTS%%": extra_import,
        "%%SEED%%": whole(settings.seed, "the seed"),
        "%%EPOCHS%%": whole(settings.epochs, "the number of epochs"),
        "%%BATCH_SIZE%%": whole(settings.batch_size, "the batch size"),
        "%%SHUFFLE%%": flag(settings.shuffle),
        "%%VALIDATION_FRACTION%%": number(data.validation_fraction, "the validation fraction"),
        "%%TEST_FRACTION%%": number(data.test_fraction, "the test fraction"),
        "%%SPLIT_SEED%%": whole(data.split_seed, "the split seed"),
        "%%STRATIFY%%": flag(data.stratify),
        "%%SCALING%%": literal(str(data.scaling)),
        "%%SAME_ROWS%%": flag(table.whole_is_every_split),
        "%%VALIDATION_SPLIT%%": number(settings.validation_split, "the validation split"),
        "%%EARLY_STOPPING%%": flag(stopping.enabled),
        "%%MONITOR%%": literal(monitor),
        "%%MONITOR_NOTE%%": monitor_note,
        "%%PATIENCE%%": whole(stopping.patience, "the patience"),
        "%%MIN_DELTA%%": number(stopping.min_delta, "min delta"),
        "%%RESTORE_BEST%%": flag(stopping.restore_best),
        "%%INPUT_COLUMNS%%": "\n".join(input_lines),
        "%%OUTPUT_NAMES%%": literal([names[n] for n in model.output_names]),
        "%%TARGET_COLUMNS%%": literal(target_columns, "a target column name"),
        "%%CLASS_VALUES%%": python_list(class_values, 0),
        "%%TARGET_KINDS%%": literal(kinds),
        "%%LOSS_WEIGHTS%%": "[" + ", ".join(number(model.output_configs[i].loss_weight, "a loss weight")
                                            for i in model.output_ids) + "]",
        "%%LOAD_TABLE%%": load_code,
        "%%LOSSES%%": "\n".join(losses),
        "%%DEVICE%%": literal("cuda" if str(settings.device).startswith("cuda") else "cpu"),
        "%%DATA_ARGUMENT%%": data_argument,
        "%%LOAD_ARGUMENTS%%": load_arguments,
        "%%WRAP_MODEL%%": wrap,
        "%%OPTIMIZER%%": _optimizer_code(project),
        "%%LONE_ROW%%": lone_row,
    }
    text = _PLACEHOLDER.sub(lambda match: replacements[match.group(0)], TEMPLATE.read_text(encoding="utf-8"))
    if load_arguments:
        text = text.replace("import argparse\n", "import argparse\nimport csv\n", 1)
    return TrainingScript(text, table_csv(table) if load_arguments else None)
