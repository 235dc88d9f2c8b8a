"""What a hyperparameter search may vary (dimensions, strategy, budget) and how a trial's values make a project."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional

from ..i18n import N_, tr
from ..json_checks import short_value
from ..settings import OPTIMIZERS, DataSettings, SettingsError, TrainingSettings

if TYPE_CHECKING:  # project.py imports this module to load a saved search space
    from ..project import Project

KINDS = ("int", "float", "choice")
STRATEGIES = ("grid", "random", "tpe")
PRUNERS = ("none", "median", "hyperband")
LAYER, TRAINING, REPEAT = "layer", "training", "repeat"
# The training settings a search may vary, with the words a student reads (marked here, shown with tr()).
TRAINING_NAMES: dict[str, str] = {"learning_rate": N_("learning rate"), "batch_size": N_("batch size"),
                                  "optimizer": N_("optimizer"), "epochs": N_("epochs")}
# Layer settings a search may vary: (layer type, setting) -> words.
LAYER_SETTING_NAMES: dict[str, str] = {"units": N_("units"), "rate": N_("dropout rate"),
                                       "activation": N_("activation"), "initializer": N_("initializer")}
HIDDEN_ACTIVATIONS = ("relu", "tanh", "sigmoid")
INITIALIZER_CHOICES = ("glorot_uniform", "he_uniform")
OPTIMIZER_CHOICES = ("sgd", "momentum", "rmsprop", "adam")
BATCH_SIZES = (16, 32, 64, 128)
MAX_HIDDEN_LAYERS = 4
# Layers that travel with the Dense before them when a block is repeated or removed.
BLOCK_FOLLOWERS = ("Dropout", "BatchNormalization", "LayerNormalization", "Activation")


@dataclass
class Dimension:
    """One thing a search varies: a layer setting, a training setting, or how many hidden Dense layers a chain has.

    key: "layer:<node_id>:<setting>", "training:<name>" or "repeat:<node_id>"."""

    key: str
    kind: str                      # "int" | "float" | "choice"
    low: Optional[float] = None
    high: Optional[float] = None
    log: bool = False
    choices: tuple = ()
    step: Optional[float] = None

    @property
    def scope(self) -> str:
        return self.key.split(":", 1)[0]

    @property
    def node_id(self) -> Optional[str]:
        parts = self.key.split(":")
        return parts[1] if self.scope in (LAYER, REPEAT) and len(parts) > 1 else None

    @property
    def setting(self) -> str:
        """The layer setting or training setting name ("units", "learning_rate"); "repeat" for a chain's length."""
        return self.key.split(":")[-1] if self.scope != REPEAT else REPEAT

    def to_dict(self) -> dict:
        return {"key": self.key, "kind": self.kind, "low": self.low, "high": self.high, "log": self.log,
                "choices": list(self.choices), "step": self.step}

    @classmethod
    def from_dict(cls, data: Any) -> "Dimension":
        if not isinstance(data, dict):
            raise SettingsError(tr("a search dimension must be a table of names and values"))
        choices = data.get("choices", [])
        if not isinstance(choices, (list, tuple)):
            raise SettingsError(tr("the choices of {key} must be a list", key=short_value(data.get("key"))))
        dim = cls(data.get("key"), data.get("kind"), data.get("low"), data.get("high"), data.get("log", False),
                  tuple(choices), data.get("step"))
        dim.validate()
        return dim

    def validate(self) -> None:
        key = self.key
        parts = key.split(":") if isinstance(key, str) else []
        well_formed = ((len(parts) == 3 and parts[0] == LAYER and all(parts[1:]))
                       or (len(parts) == 2 and parts[0] == TRAINING and parts[1] in TRAINING_NAMES)
                       or (len(parts) == 2 and parts[0] == REPEAT and parts[1]))
        if not well_formed:
            raise SettingsError(tr("{key} is not a setting a search can vary", key=short_value(key)))
        if self.kind not in KINDS:
            raise SettingsError(tr("{key}: the kind must be int, float or choice", key=key))
        if not isinstance(self.log, bool):
            raise SettingsError(tr("{key}: log scale must be on or off", key=key))
        if self.kind == "choice":
            if not self.choices:
                raise SettingsError(tr("{key}: give at least one choice", key=key))
            if any(isinstance(c, float) and not math.isfinite(c) for c in self.choices) or not all(
                    isinstance(c, (str, int, float)) and not isinstance(c, bool) for c in self.choices):
                raise SettingsError(tr("{key}: each choice must be a word or a number", key=key))
            if len(set(self.choices)) != len(self.choices):
                raise SettingsError(tr("{key}: a choice is given twice", key=key))
            return
        for value in (self.low, self.high):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise SettingsError(tr("{key}: the range needs a lowest and a highest number", key=key))
        if self.kind == "int" and not (float(self.low).is_integer() and float(self.high).is_integer()):
            raise SettingsError(tr("{key}: the range must be whole numbers", key=key))
        if self.low > self.high:
            raise SettingsError(tr("{key}: the lowest value {low} is above the highest {high}", key=key,
                                   low=_number(self.low), high=_number(self.high)))
        if self.log and self.low <= 0:
            raise SettingsError(tr("{key}: a log scale needs numbers above 0", key=key))
        if self.step is not None:
            if isinstance(self.step, bool) or not isinstance(self.step, (int, float)) or not self.step > 0:
                raise SettingsError(tr("{key}: the step must be a number above 0", key=key))
            if self.log:
                raise SettingsError(tr("{key}: choose a step or a log scale, not both", key=key))


@dataclass
class SearchSpace:
    """A search: what varies, how trials are picked (grid, random, TPE), what stops bad trials, and the budget."""

    dimensions: list = field(default_factory=list)   # list[Dimension]
    strategy: str = "tpe"
    pruner: str = "median"
    trials: Optional[int] = 20
    minutes: Optional[float] = None
    seed: int = 0
    workers: int = 0             # worker processes; 0: one per core of the computer that runs the search
    monitor: str = "val_loss"

    def to_dict(self) -> dict:
        return {"dimensions": [d.to_dict() for d in self.dimensions], "strategy": self.strategy,
                "pruner": self.pruner, "trials": self.trials, "minutes": self.minutes, "seed": self.seed,
                "workers": self.workers, "monitor": self.monitor}

    @classmethod
    def from_dict(cls, data: Any) -> "SearchSpace":
        """Build from JSON and check it; anything wrong raises SettingsError with a plain message."""
        if not isinstance(data, dict):
            raise SettingsError(tr("a search must be a table of names and values"))
        dims = data.get("dimensions", [])
        if not isinstance(dims, list):
            raise SettingsError(tr("the search's dimensions must be a list"))
        defaults = cls()
        space = cls([Dimension.from_dict(d) for d in dims],
                    **{k: data.get(k, getattr(defaults, k)) for k in
                       ("strategy", "pruner", "trials", "minutes", "seed", "workers", "monitor")})
        space.validate()
        return space

    def validate(self) -> None:
        if self.strategy not in STRATEGIES:
            raise SettingsError(tr("the search strategy must be grid, random or tpe (it is {value})",
                                   value=short_value(self.strategy)))
        if self.pruner not in PRUNERS:
            raise SettingsError(tr("stopping bad trials must be none, median or hyperband (it is {value})",
                                   value=short_value(self.pruner)))
        if self.trials is not None and (isinstance(self.trials, bool) or not isinstance(self.trials, int)
                                        or not 1 <= self.trials <= 100_000):
            raise SettingsError(tr("the number of trials must be a whole number from 1 to 100000"))
        if self.minutes is not None and (isinstance(self.minutes, bool) or not isinstance(self.minutes, (int, float))
                                         or not math.isfinite(self.minutes) or self.minutes <= 0):
            raise SettingsError(tr("the time budget must be a number of minutes above 0"))
        if self.trials is None and self.minutes is None and self.strategy != "grid":
            raise SettingsError(tr("give the search a budget: a number of trials, minutes, or both"))
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or not 0 <= self.seed < 2**32:
            raise SettingsError(tr("the search's seed must be a whole number from 0 to 4294967295"))
        if isinstance(self.workers, bool) or not isinstance(self.workers, int) or not 0 <= self.workers <= 256:
            raise SettingsError(tr("the number of worker processes must be a whole number from 0 (one per core) "
                                   "to 256"))
        if not isinstance(self.monitor, str) or not self.monitor:
            raise SettingsError(tr("the search must watch a named number such as val_loss"))
        keys = [d.key for d in self.dimensions]
        if len(set(keys)) != len(keys):
            raise SettingsError(tr("a setting is varied twice in the search"))
        for dim in self.dimensions:
            dim.validate()

    def usable_in(self, project: "Project") -> "SearchSpace":
        """The same search without the dimensions whose layer is no longer in the drawing (deleted since)."""
        kept = [d for d in self.dimensions if d.node_id is None or d.node_id in project.graph.nodes]
        return SearchSpace(kept, self.strategy, self.pruner, self.trials, self.minutes, self.seed, self.workers,
                           self.monitor)


# ------------------------------------------------------------------ what may vary

def _hidden_dense(project: "Project") -> list:
    """Dense layers (hidden ones: an Output layer is its own type), in drawing order."""
    return [n for n in project.graph.nodes.values() if n.type == "Dense"]


def _only_next(project: "Project", node_id: str) -> Optional[str]:
    """The one layer after node_id when the wire runs straight on (one wire out, and it is the next layer's only input)."""
    graph = project.graph
    out = graph.edges_out_of(node_id)
    if len(out) != 1 or len(graph.edges_into(out[0].target)) != 1:
        return None
    return out[0].target


def chain_blocks(project: "Project", first_id: str) -> list[list[str]]:
    """The blocks of a chain of hidden Dense layers that starts at first_id: each block is a Dense and the
    Dropout / normalisation layers that follow it straight on."""
    graph = project.graph
    blocks: list[list[str]] = []
    current: Optional[str] = first_id
    while current is not None and graph.nodes[current].type == "Dense":
        block = [current]
        following = _only_next(project, current)
        while following is not None and graph.nodes[following].type in BLOCK_FOLLOWERS:
            block.append(following)
            following = _only_next(project, following)
        blocks.append(block)
        current = following
    return blocks


def _straight_before(project: "Project", node_id: str) -> Optional[str]:
    """The one layer before node_id when the wire runs straight (its only input, and that layer's only output)."""
    graph = project.graph
    into = graph.edges_into(node_id)
    if len(into) != 1 or len(graph.edges_out_of(into[0].source)) != 1:
        return None
    return into[0].source


def _starts_chain(project: "Project", node_id: str) -> bool:
    """A Dense is where a chain starts when the straight run of layers before it reaches no Dense."""
    before = _straight_before(project, node_id)
    while before is not None and project.graph.nodes[before].type in BLOCK_FOLLOWERS:
        before = _straight_before(project, before)
    return before is None or project.graph.nodes[before].type != "Dense"


def chain_starts(project: "Project") -> list[str]:
    """The first Dense of each straight chain of hidden Dense layers whose end leads to at most one layer."""
    starts = []
    for node in _hidden_dense(project):
        if _starts_chain(project, node.id):
            end = chain_blocks(project, node.id)[-1][-1]
            if len(project.graph.edges_out_of(end)) <= 1:
                starts.append(node.id)
    return starts


def _next_name(project: "Project", name: str) -> str:
    """hidden1 -> hidden2 (the next free number), dense -> dense_1: the names a student would give."""
    taken = {n.name for n in project.graph.nodes.values()}
    match = re.fullmatch(r"(.*?)(\d+)", name)
    if match:
        base, number = match.group(1), int(match.group(2))
        while f"{base}{number}" in taken:
            number += 1
        return f"{base}{number}"
    return project.graph.unique_name(name)


def candidate_dimensions(project: "Project") -> list[Dimension]:
    """Everything a search may vary in this drawing, each with a sensible default range or choices."""
    dims: list[Dimension] = []
    for node in project.graph.nodes.values():
        if node.type == "Dense":
            dims.append(Dimension(f"layer:{node.id}:units", "int", 16, 256, log=True))
            dims.append(Dimension(f"layer:{node.id}:activation", "choice", choices=HIDDEN_ACTIVATIONS))
            dims.append(Dimension(f"layer:{node.id}:initializer", "choice", choices=INITIALIZER_CHOICES))
        elif node.type == "Dropout":
            dims.append(Dimension(f"layer:{node.id}:rate", "float", 0.0, 0.5))
    for start in chain_starts(project):
        dims.append(Dimension(f"repeat:{start}", "int", 1, MAX_HIDDEN_LAYERS))
    epochs = project.training.epochs
    dims += [Dimension("training:learning_rate", "float", 1e-4, 1e-1, log=True),
             Dimension("training:batch_size", "choice", choices=BATCH_SIZES),
             Dimension("training:optimizer", "choice", choices=OPTIMIZER_CHOICES),
             Dimension("training:epochs", "int", max(1, epochs // 2), max(2, epochs * 2))]
    return dims


# The dimensions a new search starts with: the ones the course tunes first.
STARTER_SETTINGS = ("learning_rate", "units", "rate")


def default_space(project: "Project") -> SearchSpace:
    """A first search for a project with none saved: learning rate, units and dropout rates, TPE, 20 trials."""
    dims = [d for d in candidate_dimensions(project) if d.setting in STARTER_SETTINGS]
    monitor = project.training.early_stopping.monitor if project.training.early_stopping.enabled else "val_loss"
    return SearchSpace(dims, monitor=monitor)


# ------------------------------------------------------------------ words

def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def choice_words(dim: Dimension, value: Any) -> str:
    if dim.key == "training:optimizer" and value in OPTIMIZERS:
        return tr(OPTIMIZERS[value])
    return _number(value)


def dimension_name(dim: Dimension, project: "Project") -> str:
    """What varies, as a student reads it: "units of hidden1", "learning rate", "hidden Dense layers from hidden1"."""
    if dim.scope == TRAINING:
        return tr(TRAINING_NAMES.get(dim.setting, dim.setting))
    node = project.graph.nodes.get(dim.node_id)
    layer = node.name if node is not None else dim.node_id
    if dim.scope == REPEAT:
        return tr("hidden Dense layers from {layer}", layer=layer)
    setting = LAYER_SETTING_NAMES.get(dim.setting)
    return tr("{setting} of {layer}", setting=tr(setting) if setting else dim.setting, layer=layer)


def describe(dim: Dimension, project: "Project") -> str:
    """"units of hidden1: 16 to 256, log scale", "activation of hidden1: relu, tanh, sigmoid"."""
    what = dimension_name(dim, project)
    if dim.kind == "choice":
        return tr("{what}: {choices}", what=what, choices=", ".join(choice_words(dim, c) for c in dim.choices))
    low, high = _number(dim.low), _number(dim.high)
    if dim.log:
        return tr("{what}: {low} to {high}, log scale", what=what, low=low, high=high)
    if dim.step is not None:
        return tr("{what}: {low} to {high}, in steps of {step}", what=what, low=low, high=high,
                  step=_number(dim.step))
    return tr("{what}: {low} to {high}", what=what, low=low, high=high)


def _key_of(params: dict, project: "Project"):
    """Dimensions for the keys of params (for their names), keeping the params' order."""
    return [(Dimension(key, "choice", choices=(value,)), value) for key, value in params.items()]


def params_in_words(params: dict, project: "Project") -> str:
    """A trial's values in one line: "units of hidden1 = 64, learning rate = 0.0031, optimizer = Adam"."""
    parts = []
    for dim, value in _key_of(params, project):
        shown = f"{value:.3g}" if isinstance(value, float) else choice_words(dim, value)
        parts.append(tr("{what} = {value}", what=dimension_name(dim, project), value=shown))
    return ", ".join(parts)


# ------------------------------------------------------------------ a trial's project

def copy_project(project: "Project") -> "Project":
    """A separate project with the same drawing, data and settings (the graph's listeners are not copied)."""
    # type(project), not an import of core.project: project.py imports this module (a project keeps its search).
    return type(project)(project.graph.copy(), DataSettings.from_dict(project.data.to_dict()),
                   TrainingSettings.from_dict(project.training.to_dict()), list(project.runs), project.title,
                   project.notes, project.path, project.origin, project.weights, project.tuning)


def _set_layer_value(project: "Project", node_id: str, setting: str, value: Any) -> None:
    node = project.graph.nodes.get(node_id)
    if node is None or setting not in node.params:
        return  # the layer was deleted since the search was set up: nothing to vary
    kind = node.spec.param(setting).kind
    if kind == "int":
        value = int(round(value))
    elif kind == "float":
        value = float(value)
    project.graph.set_param(node_id, setting, value)


def _set_training_value(settings: TrainingSettings, name: str, value: Any) -> None:
    if name in ("batch_size", "epochs"):
        value = int(round(value))
    elif name == "learning_rate":
        value = float(value)
    setattr(settings, name, value)


def set_hidden_layers(project: "Project", first_id: str, count: int) -> None:
    """Make the chain that starts at first_id have `count` blocks: copy its last block or remove blocks from the end."""
    graph = project.graph
    if first_id not in graph.nodes or graph.nodes[first_id].type != "Dense":
        return
    count = max(1, int(count))
    blocks = chain_blocks(project, first_id)
    tail = blocks[-1][-1]
    after = graph.edges_out_of(tail)
    if len(after) > 1:
        return  # a branching end: no straight place to add or remove a block
    target = (after[0].target, after[0].target_port) if after else None
    if count < len(blocks):
        keep_end = blocks[count - 1][-1]
        for block in blocks[count:]:
            for node_id in block:
                graph.remove_node(node_id)
        if target is not None:
            graph.connect(keep_end, "out", *target)
        return
    last = blocks[-1]
    if target is not None and count > len(blocks):
        graph.disconnect(graph.edges_out_of(tail)[0].id)
    end = tail
    for copy_index in range(count - len(blocks)):
        for node_id in last:
            original = graph.nodes[node_id]
            x, y = original.position
            added = graph.add_node(original.type, name=_next_name(project, original.name),
                                   params=dict(original.params), position=(x, y + 80.0 * (copy_index + 1)))
            graph.connect(end, "out", added.id, "in")
            end = added.id
    if target is not None and end != tail:
        graph.connect(end, "out", *target)


def apply_params(project: "Project", params: dict) -> "Project":
    """A new project with a trial's values set (the given project is never changed).

    Layer settings are set first, then chains are lengthened or shortened, so added blocks copy the tried values."""
    trial = copy_project(project)
    repeats = []
    for key, value in params.items():
        dim = Dimension(key, "choice", choices=(value,))
        if dim.scope == LAYER:
            _set_layer_value(trial, dim.node_id, dim.setting, value)
        elif dim.scope == TRAINING and dim.setting in TRAINING_NAMES:
            _set_training_value(trial.training, dim.setting, value)
        elif dim.scope == REPEAT:
            repeats.append((dim.node_id, value))
    for node_id, value in repeats:
        set_hidden_layers(trial, node_id, value)
    trial.training.validate()
    return trial
