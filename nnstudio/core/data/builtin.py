"""The datasets that ship with NN Studio: logic gates, 2-D toy sets, sine, and scikit-learn's bundled sets."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..i18n import N_, tr
from .table import DataError, Table

# Every generated set uses its own fixed seed, so a lesson looks the same on every computer.
_SEED = 20240601


@dataclass(frozen=True)
class BuiltinInfo:
    """What the dataset picker shows about a built-in dataset, and how to load it. `title` and `description` are
    English, marked with N_(): show them with tr()."""

    name: str
    title: str
    description: str
    task: str
    rows: int
    loader: Callable[[], Table]


def _logic_gate(name: str, title: str, outputs: tuple[int, int, int, int]) -> Table:
    inputs = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    values = np.column_stack([inputs, np.array(outputs, dtype=np.float32)])
    truth = ", ".join(f"{int(a)}{int(b)}→{y}" for (a, b), y in zip(inputs, outputs))
    description = tr("{title}: the four rows of its truth table ({truth})", title=title, truth=truth)
    return Table(name, values, ["x1", "x2", "y"], {}, description, ("y",), None, whole_is_every_split=True)


def _two_d(name: str, description: str, points: np.ndarray, labels: np.ndarray) -> Table:
    values = np.column_stack([points, labels]).astype(np.float32)
    return Table(name, values, ["x1", "x2", "label"], {}, description, ("label",))


def _moons() -> Table:
    rng = np.random.default_rng(_SEED + 1)
    per_class = 250
    angle = rng.uniform(0.0, np.pi, size=(2, per_class))
    upper = np.column_stack([np.cos(angle[0]), np.sin(angle[0])])
    lower = np.column_stack([1.0 - np.cos(angle[1]), 0.5 - np.sin(angle[1])])
    points = np.vstack([upper, lower]) + rng.normal(0.0, 0.1, size=(2 * per_class, 2))
    labels = np.repeat([0, 1], per_class)
    return _two_d("moons", N_("Two interleaving half circles (two classes, 500 points)"), points, labels)


def _circles() -> Table:
    rng = np.random.default_rng(_SEED + 2)
    per_class = 250
    angle = rng.uniform(0.0, 2 * np.pi, size=(2, per_class))
    outer = np.column_stack([np.cos(angle[0]), np.sin(angle[0])])
    inner = 0.5 * np.column_stack([np.cos(angle[1]), np.sin(angle[1])])
    points = np.vstack([outer, inner]) + rng.normal(0.0, 0.08, size=(2 * per_class, 2))
    labels = np.repeat([0, 1], per_class)
    return _two_d("circles", N_("A small circle inside a large one (two classes, 500 points)"), points, labels)


def _spirals() -> Table:
    rng = np.random.default_rng(_SEED + 3)
    arms, per_arm = 3, 200
    points, labels = [], []
    for arm in range(arms):
        radius = np.linspace(0.05, 1.0, per_arm)
        angle = np.linspace(arm * 4.0, (arm + 1) * 4.0, per_arm) + rng.normal(0.0, 0.2, per_arm)
        points.append(np.column_stack([radius * np.sin(angle), radius * np.cos(angle)]))
        labels.append(np.full(per_arm, arm))
    return _two_d("spirals", N_("Three spiral arms wound around each other (three classes, 600 points)"),
                  np.vstack(points), np.concatenate(labels))


def _blobs() -> Table:
    rng = np.random.default_rng(_SEED + 4)
    centres = np.array([[-2.0, -1.0], [2.0, -1.0], [0.0, 2.0]])
    per_class = 150
    points = np.vstack([c + rng.normal(0.0, 0.7, size=(per_class, 2)) for c in centres])
    labels = np.repeat(np.arange(len(centres)), per_class)
    return _two_d("blobs", N_("Three round clouds of points (three classes, 450 points)"), points, labels)


def _sine() -> Table:
    rng = np.random.default_rng(_SEED + 5)
    x = np.sort(rng.uniform(-np.pi, np.pi, 400))
    y = np.sin(x) + rng.normal(0.0, 0.1, x.shape)
    return Table("sine", np.column_stack([x, y]).astype(np.float32), ["x", "y"], {},
                 N_("A noisy sine wave: predict y from x (regression, 400 points)"), ("y",))


def _clean_name(name: str) -> str:
    """'mean radius' -> 'mean_radius', 'sepal length (cm)' -> 'sepal_length': names a student can type."""
    name = re.sub(r"\s*\(.*?\)", "", name)
    return re.sub(r"[^0-9A-Za-z]+", "_", name).strip("_").lower()


def _from_sklearn(name: str, bunch, target: str, description: str, categorical: bool) -> Table:
    columns = [_clean_name(str(c)) for c in bunch.feature_names] + [target]
    values = np.column_stack([bunch.data, bunch.target]).astype(np.float32)
    class_names = {target: tuple(str(t) for t in bunch.target_names)} if categorical else {}
    return Table(name, values, columns, class_names, description, (target,))  # description: N_, shown with tr


def _sklearn_datasets():
    # Imported here, not at the top: only these four sets need scikit-learn, and its import is slow.
    try:
        from sklearn import datasets
    except ImportError as exc:
        raise DataError(tr("This dataset comes with scikit-learn, which is not installed")) from exc
    return datasets


def _iris() -> Table:
    return _from_sklearn("iris", _sklearn_datasets().load_iris(), "species",
                         N_("Fisher's iris flowers: 4 measurements, 3 species (150 rows)"), categorical=True)


def _wine() -> Table:
    return _from_sklearn("wine", _sklearn_datasets().load_wine(), "cultivar",
                         N_("Chemical analysis of wines from 3 cultivars (178 rows, 13 features)"), categorical=True)


def _breast_cancer() -> Table:
    return _from_sklearn("breast_cancer", _sklearn_datasets().load_breast_cancer(), "diagnosis",
                         N_("Breast tumour measurements: malignant or benign (569 rows, 30 features)"),
                         categorical=True)


def _digits() -> Table:
    bunch = _sklearn_datasets().load_digits()
    columns = [f"px_{i}" for i in range(64)] + ["digit"]
    values = np.column_stack([bunch.data, bunch.target]).astype(np.float32)
    return Table("digits", values, columns, {}, N_("Handwritten digits as 8×8 images, pixels 0..16 (1797 rows)"),
                 ("digit",), image_shape=(8, 8))


def _diabetes() -> Table:
    bunch = _sklearn_datasets().load_diabetes(scaled=False)
    return _from_sklearn("diabetes", bunch, "progression",
                         N_("Diabetes patients: predict disease progression after one year (442 rows, regression)"),
                         categorical=False)


BUILTINS: dict[str, BuiltinInfo] = {info.name: info for info in (
    BuiltinInfo("xor", N_("XOR gate"), N_("Exclusive or: 1 when exactly one input is 1 (not linearly separable)"),
                "binary", 4, lambda: _logic_gate("xor", "XOR", (0, 1, 1, 0))),
    BuiltinInfo("and", N_("AND gate"), N_("1 only when both inputs are 1"), "binary", 4,
                lambda: _logic_gate("and", "AND", (0, 0, 0, 1))),
    BuiltinInfo("or", N_("OR gate"), N_("1 when at least one input is 1"), "binary", 4,
                lambda: _logic_gate("or", "OR", (0, 1, 1, 1))),
    BuiltinInfo("nand", N_("NAND gate"), N_("0 only when both inputs are 1"), "binary", 4,
                lambda: _logic_gate("nand", "NAND", (1, 1, 1, 0))),
    BuiltinInfo("moons", N_("Two moons"), N_("Two interleaving half circles of points"), "binary", 500, _moons),
    BuiltinInfo("circles", N_("Circles"), N_("A small circle of points inside a large one"), "binary", 500, _circles),
    BuiltinInfo("spirals", N_("Spirals"), N_("Three spiral arms: a hard 2-D problem"), "multiclass", 600, _spirals),
    BuiltinInfo("blobs", N_("Blobs"), N_("Three round clouds of points: an easy 2-D problem"), "multiclass", 450,
                _blobs),
    BuiltinInfo("sine", N_("Sine wave"), N_("Predict y = sin(x) from noisy samples"), "regression", 400, _sine),
    BuiltinInfo("iris", N_("Iris flowers"), N_("Tell 3 iris species apart from 4 flower measurements"), "multiclass",
                150, _iris),
    BuiltinInfo("wine", N_("Wine"), N_("Tell 3 wine cultivars apart from 13 chemical measurements"), "multiclass",
                178, _wine),
    BuiltinInfo("breast_cancer", N_("Breast cancer"), N_("Malignant or benign, from 30 tumour measurements"), "binary",
                569, _breast_cancer),
    BuiltinInfo("digits", N_("Digits (8×8)"), N_("Recognise handwritten digits 0–9 in small 8×8 images"),
                "multiclass", 1797, _digits),
    BuiltinInfo("diabetes", N_("Diabetes"), N_("Predict disease progression from 10 patient measurements"),
                "regression", 442, _diabetes),
)}


def load_builtin(name: str) -> Table:
    """Load a built-in dataset by its short name (e.g. 'iris'); nothing is downloaded."""
    info = BUILTINS.get(name) if isinstance(name, str) else None
    if info is None:
        raise DataError(tr("There is no built-in dataset called {name}; the built-in datasets are {names}",
                           name=repr(name), names=", ".join(BUILTINS)))
    return info.loader()


__all__ = ["BUILTINS", "BuiltinInfo", "load_builtin"]
