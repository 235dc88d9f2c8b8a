"""Guided lessons that follow the curriculum: ordered steps, each with an instruction and a check of the project.

A lesson runner calls every step's `check(state)` after each change. `state` is a plain dict:

- ``graph``: the project's Graph (or its snapshot dict); ``context``: an optional DataContext from the data
- ``dataset``: the built-in dataset's name (or ``data``: {"source": {"kind": "builtin", "name": ...}})
- ``training``: TrainingSettings.to_dict(); ``weights``: hand-set or trained weights keyed layers.<name>.weight
- ``runs``: one dict per finished training run, as made by `run_record`
- ``stepper``: {"phases_seen": ["forward", "error", ...]} from the backpropagation stepper
- ``saved``: the project was saved; ``exported``: the export formats used ("safetensors", "code", ...)

Checks never raise: a missing or half-built piece simply means "not done yet".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping, Optional, Sequence, Union

from ..analysis import analyze
from ..graph import Graph
from ..i18n import N_
from ..layers import canonical_type
from .neuron_math import NetworkError, SmallNetwork
from .truth_table import network_truth_table

State = Mapping[str, Any]


@dataclass(frozen=True)
class LessonStep:
    """One thing to do, and how to notice it is done."""

    instruction: str
    check: Callable[[State], bool]
    hint: str = ""
    # What to try when a training run ends and this step is still not done: plain words that name the setting
    # and where to change it. Empty for steps a run cannot complete.
    retry: str = ""


@dataclass(frozen=True)
class Lesson:
    id: str
    title: str
    summary: str
    steps: tuple[LessonStep, ...]

    def progress(self, state: State) -> int:
        """How many steps are done, in order: the runner shows the first step not yet done."""
        for position, step in enumerate(self.steps):
            if not step.check(state):
                return position
        return len(self.steps)


# ---------------------------------------------------------------- reading the state

def _snapshot(state: State) -> dict:
    graph = state.get("graph")
    if isinstance(graph, Graph):
        return graph.to_dict()
    return graph if isinstance(graph, dict) else {"nodes": [], "edges": []}


def _nodes(state: State, kind: Optional[str] = None) -> list[dict]:
    nodes = [dict(nd, type=canonical_type(nd.get("type", "")) or nd.get("type")) for nd in
             _snapshot(state).get("nodes", [])]
    return [nd for nd in nodes if kind is None or nd["type"] == kind]


def chain_of(state: State) -> list[dict]:
    """The nodes from the Input to the Output when the graph is one straight line; [] otherwise."""
    snapshot = _snapshot(state)
    nodes = {nd["id"]: dict(nd, type=canonical_type(nd.get("type", "")) or nd.get("type"))
             for nd in snapshot.get("nodes", [])}
    following: dict[str, list[str]] = {}
    for edge in snapshot.get("edges", []):
        following.setdefault(edge["source"], []).append(edge["target"])
    inputs = [nd for nd in nodes.values() if nd["type"] == "Input"]
    if len(inputs) != 1:
        return []
    order, current = [inputs[0]], inputs[0]["id"]
    while following.get(current):
        if len(following[current]) != 1 or following[current][0] not in nodes:
            return []
        current = following[current][0]
        if any(nd["id"] == current for nd in order):
            return []
        order.append(nodes[current])
    if order[-1]["type"] != "Output" or len(order) != len(nodes):
        return []
    return order


def _types(chain: Sequence[dict], skip: tuple[str, ...] = ("Dropout",)) -> list[str]:
    return [nd["type"] for nd in chain if nd["type"] not in skip]


def _param(node: dict, key: str, default: Any = None) -> Any:
    return (node.get("params") or {}).get(key, default)


def dataset_of(state: State) -> Optional[str]:
    if isinstance(state.get("dataset"), str):
        return state["dataset"]
    source = (state.get("data") or {}).get("source") or {}
    return source.get("name") if source.get("kind") == "builtin" else None


def _runs(state: State) -> list[dict]:
    return [r for r in state.get("runs") or [] if isinstance(r, dict)]


def _last(run: dict, key: str) -> Optional[float]:
    values = (run.get("logs") or {}).get(key)
    return float(values[-1]) if values else None


def _total_params(state: State) -> Optional[int]:
    analysis = analyze(_snapshot(state), state.get("context"))
    return analysis.total_params if analysis.ok else None


def _output_activation(node: dict) -> str:
    return _param(node, "activation", "auto")


def run_record(graph: Union[Graph, dict], dataset: Optional[str], method: str, logs: Mapping[str, Sequence[float]],
               diagnoses: Sequence[str] = ()) -> dict:
    """What a lesson needs to remember of a finished run: its data, network shape, method and curves."""
    state = {"graph": graph}
    nodes = _nodes(state)
    return {"dataset": dataset, "method": method,
            "hidden_layers": sum(1 for nd in nodes if nd["type"] == "Dense"),
            "dropout": any(nd["type"] == "Dropout" for nd in nodes),
            "outputs": sum(1 for nd in nodes if nd["type"] == "Output"),
            "logs": {key: [float(v) for v in values] for key, values in logs.items()},
            "diagnoses": list(diagnoses)}


# What a step that asks for a result says after a run that fell short. The words name the fields exactly as the
# Training panel shows them.
RETRY_TRAINING = N_("The run ended before reaching this step's goal. Try a bigger step or a longer run: in the "
                     "Training panel, raise Learning rate (for example to 0.01 or 0.05) or raise Epochs (for example "
                     "to 100), then press Train again.")
RETRY_PERCEPTRON = N_("The run ended before every row was right. The perceptron rule needs more passes: in the "
                       "Training panel, raise Epochs (for example to 50), then press Train again.")


# ---------------------------------------------------------------- lesson 1: a neuron and logic gates

def _single_step_neuron(state: State) -> bool:
    chain = chain_of(state)
    return (len(chain) == 2 and tuple(_param(chain[0], "shape", ())) == (2,)
            and _output_activation(chain[1]) == "step")


def _truth_table_right(gate: str) -> Callable[[State], bool]:
    def check(state: State) -> bool:
        if dataset_of(state) != gate or not _single_step_neuron(state) or not state.get("weights"):
            return False
        try:
            network = SmallNetwork.from_graph(_snapshot(state), state["weights"], state.get("context"))
        except NetworkError:
            return False
        return network_truth_table(network, gate).all_right
    return check


def _dataset_is(*names: str) -> Callable[[State], bool]:
    return lambda state: dataset_of(state) in names


def _trained(dataset: str, method: Optional[str] = None, minimum_accuracy: Optional[float] = None,
             maximum_accuracy: Optional[float] = None, hidden: Optional[Callable[[int], bool]] = None
             ) -> Callable[[State], bool]:
    def check(state: State) -> bool:
        for run in _runs(state):
            if run.get("dataset") != dataset or (method and run.get("method") != method):
                continue
            accuracy = _last(run, "accuracy")
            if accuracy is None:
                continue
            if minimum_accuracy is not None and accuracy < minimum_accuracy:
                continue
            if maximum_accuracy is not None and accuracy > maximum_accuracy:
                continue
            if hidden is not None and not hidden(int(run.get("hidden_layers", 0))):
                continue
            return True
        return False
    return check


NEURON = Lesson("neuron", N_("A neuron and logic gates"),
                N_("One neuron with a step activation computes z = w·x + b and answers 1 when z ≥ 0: enough for "
                   "AND, OR and NAND."), (
    LessonStep(N_("Choose the built-in 'and' dataset in the Data panel."), _dataset_is("and")),
    LessonStep(N_("Connect an Input of 2 features straight to an Output, and set the Output's activation to step."),
               _single_step_neuron, N_("Select the Output and pick 'step' under Activation.")),
    LessonStep(N_("Open the neuron and type weights and a bias until every row of the truth table is right."),
               _truth_table_right("and"), N_("Try w = (0.5, 0.5) and b = −0.7.")),
    LessonStep(N_("Switch the data to 'or' and change only the bias until the table is right again."),
               _truth_table_right("or"), N_("With w = (0.5, 0.5), a bias of −0.2 works.")),
    LessonStep(N_("Choose 'nand', set the training method to the perceptron rule and train until accuracy is 100%."),
               _trained("nand", "perceptron", minimum_accuracy=1.0),
               retry=RETRY_PERCEPTRON),
))


# ---------------------------------------------------------------- lesson 2: XOR

def _hidden_layer_added(state: State) -> bool:
    chain = _types(chain_of(state))
    denses = [nd for nd in chain_of(state) if nd["type"] == "Dense"]
    return (len(chain) >= 3 and chain[0] == "Input" and chain[-1] == "Output"
            and any(_param(nd, "units", 0) >= 2 and _param(nd, "activation") not in ("linear", "step", "sign")
                    for nd in denses))


XOR = Lesson("xor", N_("XOR: why one layer is not enough"),
             N_("No straight line separates XOR's classes, so a single layer stays at chance; one hidden layer "
                "bends the boundary."), (
    LessonStep(N_("Choose the built-in 'xor' dataset."), _dataset_is("xor")),
    LessonStep(N_("Train a network without hidden layers (Input → Output): its accuracy stays at 50–75%."),
               _trained("xor", maximum_accuracy=0.75, hidden=lambda n: n == 0),
               N_("Watch the loss: it stays near ln 2 ≈ 0.693.")),
    LessonStep(N_("Add a Dense hidden layer (e.g. 8 units, tanh) between the Input and the Output."),
               _hidden_layer_added),
    LessonStep(N_("Train again until the accuracy reaches 100%; compare the two curves."),
               _trained("xor", minimum_accuracy=1.0, hidden=lambda n: n >= 1), retry=RETRY_TRAINING),
))


# ---------------------------------------------------------------- lesson 3: an MLP and counting parameters

def _mlp_drawn(state: State) -> bool:
    chain = chain_of(state)
    types = _types(chain)
    if types != ["Input", "Flatten", "Dense", "Dense", "Output"]:
        return False
    denses = [nd for nd in chain if nd["type"] == "Dense"]
    return tuple(_param(chain[0], "shape", ())) == (28, 28) and [_param(d, "units") for d in denses] == [300, 100]


def _params_equal(total: int) -> Callable[[State], bool]:
    return lambda state: _mlp_drawn(state) and _total_params(state) == total


MLP = Lesson("mlp", N_("A multi-layer perceptron and its parameters"),
             N_("A Dense layer of n neurons on m inputs has m·n + n parameters: every input has a weight into every "
                "neuron, and each neuron has a bias."), (
    LessonStep(N_("Draw Input (28×28) → Flatten → Dense 300 → Dense 100 → Output."), _mlp_drawn),
    LessonStep(N_("Set the Output to 10 units (one per digit) and open the summary: it must total 266,610 "
                  "parameters (235,500 + 30,100 + 1,010)."), _params_equal(266_610)),
))


# ---------------------------------------------------------------- lesson 4: one backpropagation step

def _tiny_sigmoid_net(state: State) -> bool:
    chain = chain_of(state)
    if _types(chain) != ["Input", "Dense", "Output"] or tuple(_param(chain[0], "shape", ())) != (2,):
        return False
    hidden, output = chain[1], chain[2]
    return (_param(hidden, "units") == 2 and _param(hidden, "activation") == "sigmoid"
            and _param(output, "units") == 2 and _output_activation(output) == "sigmoid")


def _phase_seen(kind: str) -> Callable[[State], bool]:
    return lambda state: _tiny_sigmoid_net(state) and kind in ((state.get("stepper") or {}).get("phases_seen") or ())


BACKPROP = Lesson("backprop", N_("One step of backpropagation"),
                  N_("Forward pass and error, backward pass with the chain rule, then w ← w − α·∂E/∂w."), (
    LessonStep(N_("Draw Input (2) → Dense 2 (sigmoid) → Output 2 units (sigmoid)."), _tiny_sigmoid_net),
    LessonStep(N_("Open the stepper and step through the forward pass to the error."), _phase_seen("error")),
    LessonStep(N_("Step backwards through the network: read each neuron's delta."), _phase_seen("backward")),
    LessonStep(N_("Step to the update and compare each new weight with the old one."), _phase_seen("update")),
))


# ---------------------------------------------------------------- lesson 5: digits, overfitting, dropout

def _digit_mlp(state: State) -> bool:
    types = _types(chain_of(state))
    return types[:2] == ["Input", "Flatten"] and types.count("Dense") >= 1 and types[-1] == "Output"


def _has_dropout(state: State) -> bool:
    chain = chain_of(state)
    return _digit_mlp(state) and any(nd["type"] == "Dropout" and _param(nd, "rate", 0) >= 0.1 for nd in chain)


def _overfit_run(state: State) -> bool:
    return any(r.get("dataset") == "digits" and not r.get("dropout") and "overfitting" in (r.get("diagnoses") or ())
               for r in _runs(state))


def _dropout_run(state: State) -> bool:
    return any(r.get("dataset") == "digits" and r.get("dropout") and (_last(r, "val_accuracy") or 0) >= 0.9
               for r in _runs(state))


def _early_stopping_on(state: State) -> bool:
    return bool(((state.get("training") or {}).get("early_stopping") or {}).get("enabled"))


DIGITS = Lesson("digits", N_("Classifying digits, overfitting and dropout"),
                N_("A big network can learn the training images by heart; validation loss tells, dropout and early "
                   "stopping help."), (
    LessonStep(N_("Choose the built-in 'digits' dataset (8×8 images)."), _dataset_is("digits")),
    LessonStep(N_("Draw Input → Flatten → Dense (e.g. 300 relu) → Output."), _digit_mlp),
    LessonStep(N_("Train for many epochs without dropout until the app reports overfitting."), _overfit_run,
               N_("Watch the validation loss turn upwards while the training loss keeps falling."),
               retry=N_("The run ended before the app saw overfitting. Train longer: in the Training panel, raise "
                        "Epochs (for example to 100), then press Train again.")),
    LessonStep(N_("Add a Dropout layer (rate 0.3) after each hidden Dense layer."), _has_dropout),
    LessonStep(N_("Train again: reach at least 90% validation accuracy."), _dropout_run, retry=RETRY_TRAINING),
    LessonStep(N_("Turn on early stopping so training ends at the best epoch."), _early_stopping_on),
))


# ---------------------------------------------------------------- lesson 6: Wide & Deep with two outputs

def _two_inputs(state: State) -> bool:
    return len(_nodes(state, "Input")) == 2


def _wide_and_deep_joined(state: State) -> bool:
    snapshot = _snapshot(state)
    types = {nd["id"]: canonical_type(nd.get("type", "")) for nd in snapshot.get("nodes", [])}
    for node_id, kind in types.items():
        if kind != "Concatenate":
            continue
        sources = [types.get(e["source"]) for e in snapshot.get("edges", []) if e["target"] == node_id]
        if "Input" in sources and "Dense" in sources:
            return _two_inputs(state)
    return False


def _two_weighted_outputs(state: State) -> bool:
    outputs = _nodes(state, "Output")
    return (_wide_and_deep_joined(state) and len(outputs) == 2
            and len({float(_param(o, "loss_weight", 1.0)) for o in outputs}) == 2
            and analyze(_snapshot(state), state.get("context")).ok)


def _two_output_run(state: State) -> bool:
    return any(r.get("outputs", 0) >= 2 and r.get("dataset") == dataset_of(state) for r in _runs(state))


WIDE_DEEP = Lesson("wide_deep", N_("Wide & Deep with two outputs"),
                   N_("A functional network: a short wide path and a deep path joined by Concatenate, and an "
                      "auxiliary output with its own loss weight."), (
    LessonStep(N_("Choose the built-in 'diabetes' dataset."), _dataset_is("diabetes")),
    LessonStep(N_("Add a second Input: one for the wide path (5 features), one for the deep path (6 features)."),
               _two_inputs),
    LessonStep(N_("Send the deep Input through Dense layers, then join it with the wide Input in a Concatenate."),
               _wide_and_deep_joined),
    LessonStep(N_("Add a main Output after the Concatenate and an auxiliary Output after the deep path, with loss "
                  "weights 0.9 and 0.1."), _two_weighted_outputs),
    LessonStep(N_("Train it: the curves show each output's loss."), _two_output_run),
))


# ---------------------------------------------------------------- lesson 7: saving and exporting

def _any_run(state: State) -> bool:
    return bool(_runs(state))


def _exported(kind: str) -> Callable[[State], bool]:
    return lambda state: kind in (state.get("exported") or ())


SAVING = Lesson("saving", N_("Saving and exporting"),
                N_("A trained network is its structure plus its weights: save both, reload them, and take them "
                   "elsewhere."), (
    LessonStep(N_("Train any network."), _any_run),
    LessonStep(N_("Save the project (File → Save)."), lambda state: bool(state.get("saved"))),
    LessonStep(N_("Export the weights as safetensors."), _exported("safetensors")),
    LessonStep(N_("Export the network as PyTorch code and read the nn.Module it draws."), _exported("code")),
))


LESSONS: tuple[Lesson, ...] = (NEURON, XOR, MLP, BACKPROP, DIGITS, WIDE_DEEP, SAVING)


def lesson(lesson_id: str) -> Lesson:
    for item in LESSONS:
        if item.id == lesson_id:
            return item
    raise KeyError(lesson_id)


__all__ = ["LESSONS", "Lesson", "LessonStep", "chain_of", "dataset_of", "lesson", "run_record"]
