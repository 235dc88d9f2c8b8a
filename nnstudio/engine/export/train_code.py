"""Write train.py: the project's data split, scaling, optimizer, losses and early stopping as a runnable script."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from torch import nn

from ...core.data.prepare import CLASSIFICATION, resolve_binding
from ...core.data.table import Table
from ...core.metrics import CLASSIFICATION_METRICS, REGRESSION_METRICS, holds_logits
from ...core.project import Project
from ..callbacks import smaller_is_better
from ..compiler import GraphModule
from ..optimizers import OPTIMIZER_RECIPES
from ...core.i18n import N_, tr
from .code_literals import comment_text, docstring_text, flag, literal, number, python_list, whole
from .code_naming import TEMPLATE, class_name_for, code_names, project_name
from .data_code import categories_code, data_code
from .formats import ExportError

# The loss names train.py measures (matched whole: `$` alone would let a trailing newline through).
_MONITORED_LOSS = re.compile(r"(val_)?([A-Za-z0-9_]+_)?loss")
# A score's name in the logs: val_ (or not), the output's name when there are several, the score.
_MONITORED_SCORE = re.compile(r"(val_)?(?:(.+)_)?(accuracy|precision|recall|f1|mse|mae|r2)")
_PLACEHOLDER = re.compile(r"%%[A-Z_]+%%")


@dataclass
class TrainingScript:
    """The text of train.py, and the data file it reads (None when it loads the data with scikit-learn)."""

    text: str
    data_csv: Optional[str]
    # MNIST-format files to copy next to train.py: the exported name -> the project's file.
    copied_files: dict[str, Path] = field(default_factory=dict)


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
    elif loss == "mse":
        text, what = f"F.mse_loss({output}, {target})", "mean squared error"
    else:
        # Not silently mean squared error: the script would train something other than the project.
        raise ExportError(tr("there is no code for the loss {name}", name=comment_text(loss)[:80]))
    return f"        {text},  # {name}: {what}"


# The words an ExportError uses for each optimizer keyword.
_OPTION_WORDS = {"momentum": N_("momentum"), "eps": N_("epsilon"), "alpha": N_("rho"), "betas": N_("beta1 and beta2")}


def _option_code(key: str, value) -> str:
    if isinstance(value, bool):
        return f"{key}={flag(value)}"
    if isinstance(value, tuple):
        return f"{key}=({', '.join(number(v, _OPTION_WORDS.get(key, key)) for v in value)})"
    return f"{key}={number(value, _OPTION_WORDS.get(key, key))}"


def _optimizer_code(project: Project) -> str:
    """The optimizer line of train.py, from the same table the Trainer uses (engine/optimizers.py)."""
    s = project.training
    if not isinstance(s.optimizer, str) or s.optimizer not in OPTIMIZER_RECIPES:
        raise ExportError(tr("there is no code for the optimizer {name}", name=comment_text(s.optimizer)[:80]))
    # number() checks every setting, not only the chosen optimizer's: the settings object may have been
    # changed in memory since the file was checked, and a NaN momentum is a broken project even under Adam.
    for value, what in ((s.momentum, N_("momentum")), (s.epsilon, N_("epsilon")), (s.rho, N_("rho")),
                        (s.beta1, N_("beta1")), (s.beta2, N_("beta2"))):
        number(value, what)
    recipe = OPTIMIZER_RECIPES[s.optimizer]
    arguments = [f"lr={number(s.learning_rate, N_('the learning rate'))}"]
    arguments += [_option_code(key, value) for key, value in recipe.options(s).items()]
    if s.weight_decay != recipe.default_weight_decay:
        arguments.append(f"weight_decay={number(s.weight_decay, N_('weight decay'))}")
    return f"torch.optim.{recipe.torch_class}(model.parameters(), {', '.join(arguments)})"


def _measured_scores(config) -> list[str]:
    """The scores the app logs for an Output: its chosen metrics that fit its task (engine/metrics.py)."""
    known = CLASSIFICATION_METRICS if config.task in CLASSIFICATION else REGRESSION_METRICS
    return [str(name) for name in config.metrics if name in known]


def _decision_rule(config) -> str:
    """How train.py reads an answer from an output, as the app's OutputScorer.decide does."""
    if config.task == "binary":
        return "yes_above_0" if holds_logits(config) else "yes_above_half"
    return "largest" if config.task in CLASSIFICATION else "values"


def _class_count(config) -> Optional[int]:
    if config.task not in CLASSIFICATION:
        return None
    return 2 if config.task == "binary" else int(config.units)


def _script_monitor(model: GraphModule, names: dict[str, str], watched) -> tuple[str, str]:
    """The name train.py watches for the app's monitor (an output's name as the code spells it), and a note
    when the script does not measure that number (then it watches val_loss, and says so)."""
    if isinstance(watched, str) and _MONITORED_LOSS.fullmatch(watched):
        return watched, ""
    match = _MONITORED_SCORE.fullmatch(watched) if isinstance(watched, str) else None
    if match is not None:
        prefix, output, score = match.group(1) or "", match.group(2), match.group(3)
        several = len(model.output_ids) > 1
        for output_id, name in zip(model.output_ids, model.output_names):
            if (output == name if several else output is None) \
                    and score in _measured_scores(model.output_configs[output_id]):
                return prefix + (f"{names[name]}_" if several else "") + score, ""
    return "val_loss", f"  # NN Studio watched {comment_text(watched)}; this script does not measure it"


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
    monitor, monitor_note = _script_monitor(model, names, stopping.monitor)
    has_batchnorm = any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in model.modules())
    lone_row = ("        if len(order) % BATCH_SIZE == 1 and len(order) > 1:\n"
                "            order = order[:-1]  # BatchNorm cannot normalise a batch of one row: skip it\n"
                if has_batchnorm else "")
    needed = {step.node_id for step in model.plan}
    unused_weights = any(any(True for _ in model.layers[model.node_names[i]].parameters())
                         for i in model.node_names if i not in needed)
    wrap = ("DistributedDataParallel(model, find_unused_parameters=True)" if unused_weights
            else "DistributedDataParallel(model)")
    reading = data_code(project, table)
    source = project.data.source or {}
    if source.get("kind") == "builtin":
        data_text = f"the {source.get('name')} data"
    elif source.get("kind") == "idx":
        data_text = f"the MNIST-format files of {Path(str(source.get('images', 'the project'))).name}"
    else:
        data_text = f"the data of {Path(str(source.get('path', 'the project'))).name}"
    # Every project value goes in as a literal (or escaped docstring text), and the template is filled in one
    # pass: a title holding "%%LOSSES%%" stays text instead of being filled in after it was inserted.
    replacements = {
        "%%CLASS%%": class_name_for(project_name(project)),
        "%%TITLE%%": docstring_text(project_name(project) or "the project"),
        "%%DATA_TEXT%%": docstring_text(data_text),
        "%%EXTRA_IMPORTS%%": reading.extra_import,
        "%%DATA_IMPORTS%%": reading.std_import,
        "%%SEED%%": whole(settings.seed, N_("the seed")),
        "%%EPOCHS%%": whole(settings.epochs, N_("the number of epochs")),
        "%%BATCH_SIZE%%": whole(settings.batch_size, N_("the batch size")),
        "%%SHUFFLE%%": flag(settings.shuffle),
        "%%VALIDATION_FRACTION%%": number(data.validation_fraction, N_("the validation fraction")),
        "%%TEST_FRACTION%%": number(data.test_fraction, N_("the test fraction")),
        "%%SPLIT_SEED%%": whole(data.split_seed, N_("the split seed")),
        "%%STRATIFY%%": flag(data.stratify),
        "%%SCALING%%": literal(str(data.scaling)),
        "%%SAME_ROWS%%": flag(table.whole_is_every_split),
        "%%VALIDATION_SPLIT%%": number(settings.validation_split, N_("the validation split")),
        "%%EARLY_STOPPING%%": flag(stopping.enabled),
        "%%MONITOR%%": literal(monitor),
        "%%MONITOR_NOTE%%": monitor_note,
        "%%MODE%%": literal("min" if smaller_is_better(monitor) else "max"),
        "%%METRICS%%": literal([_measured_scores(model.output_configs[i]) for i in model.output_ids]),
        "%%DECISIONS%%": literal([_decision_rule(model.output_configs[i]) for i in model.output_ids]),
        "%%CLASSES%%": literal([_class_count(model.output_configs[i]) for i in model.output_ids]),
        "%%PATIENCE%%": whole(stopping.patience, N_("the patience")),
        "%%MIN_DELTA%%": number(stopping.min_delta, N_("min delta")),
        "%%RESTORE_BEST%%": flag(stopping.restore_best),
        "%%INPUT_COLUMNS%%": "\n".join(input_lines),
        "%%OUTPUT_NAMES%%": literal([names[n] for n in model.output_names]),
        "%%TARGET_COLUMNS%%": literal(target_columns, N_("a target column name")),
        "%%CLASS_VALUES%%": python_list(class_values, 0),
        "%%TARGET_KINDS%%": literal(kinds),
        "%%LOSS_WEIGHTS%%": "[" + ", ".join(number(model.output_configs[i].loss_weight, N_("a loss weight"))
                                            for i in model.output_ids) + "]",
        "%%LOAD_TABLE%%": reading.load_table,
        "%%CATEGORIES%%": categories_code(table),
        "%%LOSSES%%": "\n".join(losses),
        "%%DEVICE%%": literal("cuda" if str(settings.device).startswith("cuda") else "cpu"),
        "%%DATA_ARGUMENT%%": reading.arguments,
        "%%LOAD_ARGUMENTS%%": reading.load_arguments,
        "%%WRAP_MODEL%%": wrap,
        "%%OPTIMIZER%%": _optimizer_code(project),
        "%%LONE_ROW%%": lone_row,
    }
    text = _PLACEHOLDER.sub(lambda match: replacements[match.group(0)], TEMPLATE.read_text(encoding="utf-8"))
    return TrainingScript(text, reading.data_csv, reading.copied_files)
