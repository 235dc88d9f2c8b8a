"""Training and data settings as plain dataclasses, with checks and JSON round trips."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Optional

from .files import path_problem
from .i18n import N_, tr
from .json_checks import short_value

# Key -> the name a student reads: marked with N_ (defined before a language is chosen), shown with tr(name).
OPTIMIZERS: dict[str, str] = {
    "sgd": "SGD",
    "momentum": N_("SGD with momentum"),
    "nesterov": N_("Nesterov momentum"),
    "adagrad": "Adagrad",
    "rmsprop": "RMSprop",
    "adam": "Adam",
    "adamw": "AdamW",
}
SCALINGS: dict[str, str] = {
    "standardize": N_("Standardise each feature (mean 0, spread 1), fitted on the training part"),
    "pixels": N_("Divide by 255 (pixel values to 0..1)"),
    "none": N_("Use the values as they are"),
}
TRAINING_METHODS = ("gradient_descent", "perceptron")


class SettingsError(ValueError):
    """A setting is missing or out of range; the message names it."""


def _check_number(name: str, value: Any, low: float, high: float, whole: bool = False,
                  low_open: bool = False) -> None:
    """`name` is marked with N_ by the caller and translated here."""
    name = tr(name)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (whole and not isinstance(value, int)):
        if whole:
            raise SettingsError(tr("{setting} must be a whole number", setting=name))
        raise SettingsError(tr("{setting} must be a number", setting=name))
    # A whole number is always finite, and math.isfinite cannot convert one beyond float's range (10**400).
    finite = isinstance(value, int) or math.isfinite(value)
    if not finite or value < low or value > high or (low_open and value == low):
        if low_open:
            raise SettingsError(tr("{setting} must be above {low:g} and at most {high:g} (it is {value})",
                                   setting=name, low=low, high=high, value=short_value(value)))
        raise SettingsError(tr("{setting} must be at least {low:g} and at most {high:g} (it is {value})",
                               setting=name, low=low, high=high, value=short_value(value)))


@dataclass
class EarlyStopping:
    """Stop when the monitored number stops improving; optionally go back to the best weights."""

    enabled: bool = False
    monitor: str = "val_loss"
    patience: int = 5
    min_delta: float = 0.0
    restore_best: bool = True


@dataclass
class CheckpointFiles:
    """Write the trained network to bundle files while a long run goes on (Keras' ModelCheckpoint)."""

    enabled: bool = False
    folder: str = ""          # empty: "<project name>-checkpoints" beside the project; relative to its folder
    every_epochs: int = 1     # 0: not by count, only when the watched number improves
    when_improves: bool = False   # watches the early-stopping monitor (val_loss by default)
    keep: int = 3             # the last K epoch files stay; the best one is never removed


@dataclass
class TensorBoardFiles:
    """Write each run's numbers as TensorBoard event files (the notes' my_logs folder)."""

    enabled: bool = False
    folder: str = ""          # empty: "logs" beside the project; relative to its folder


# Nested parts of the training settings: key -> the class that reads it (files without a part get its defaults).
NESTED_PARTS = {"early_stopping": EarlyStopping, "checkpoints": CheckpointFiles, "tensorboard": TensorBoardFiles}


# What a new project starts with. Measured on the built-in data the lessons and examples use (a simple MLP, seeds
# 0-9): Adam at 0.001 for 20 epochs left XOR at 50%, iris near 60% and moons near 86%; at 0.01 for 50 epochs XOR
# reaches 100% on every seed (from 30 epochs), iris 99%, moons 100%, digits 97% on validation, and diabetes'
# error falls to a tenth. Fifty epochs of MNIST-size data is a few minutes on a laptop CPU.
NEW_PROJECT_TRAINING: dict[str, Any] = {"optimizer": "adam", "learning_rate": 0.01, "epochs": 50}


@dataclass
class TrainingSettings:
    """Everything the trainer needs besides the graph and the data (Keras' compile + fit arguments)."""

    optimizer: str = "adam"
    learning_rate: float = 0.001
    momentum: float = 0.9          # SGD momentum / Nesterov / RMSprop momentum
    beta1: float = 0.9             # Adam, AdamW
    beta2: float = 0.999
    rho: float = 0.9               # RMSprop's moving-average factor
    epsilon: float = 1e-7
    weight_decay: float = 0.0
    batch_size: int = 32
    epochs: int = 20
    shuffle: bool = True
    seed: int = 0
    validation_split: float = 0.2
    early_stopping: EarlyStopping = field(default_factory=EarlyStopping)
    checkpoint_best: bool = False  # keep a copy of the weights of the best epoch
    checkpoints: CheckpointFiles = field(default_factory=CheckpointFiles)
    tensorboard: TensorBoardFiles = field(default_factory=TensorBoardFiles)
    device: str = "cpu"
    method: str = "gradient_descent"  # or "perceptron" for single-layer step networks

    @classmethod
    def for_new_project(cls) -> "TrainingSettings":
        """The settings a new project starts with: enough to train every built-in lesson's network to its goal.

        The field defaults above stay what a project file means when it leaves a setting out, so an old file
        keeps the values it was trained with; only new projects start here (see NEW_PROJECT_TRAINING)."""
        return cls(**NEW_PROJECT_TRAINING)

    def validate(self) -> None:
        if not isinstance(self.optimizer, str) or self.optimizer not in OPTIMIZERS:
            raise SettingsError(tr("optimizer must be one of {choices} (it is {value})",
                                   choices=", ".join(OPTIMIZERS), value=short_value(self.optimizer)))
        _check_number(N_("learning rate"), self.learning_rate, 0.0, 1e6, low_open=True)
        _check_number(N_("momentum"), self.momentum, 0.0, 1.0)
        _check_number("beta1", self.beta1, 0.0, 1.0)
        _check_number("beta2", self.beta2, 0.0, 1.0)
        _check_number("rho", self.rho, 0.0, 1.0)
        _check_number("epsilon", self.epsilon, 0.0, 1.0)
        _check_number(N_("weight decay"), self.weight_decay, 0.0, 10.0)
        _check_number(N_("batch size"), self.batch_size, 1, 1_000_000, whole=True)
        _check_number(N_("epochs"), self.epochs, 1, 1_000_000, whole=True)
        _check_number(N_("seed"), self.seed, 0, 2**63 - 1, whole=True)
        _check_number(N_("validation split"), self.validation_split, 0.0, 0.9)
        for label, flag in ((N_("shuffle"), self.shuffle), (N_("keeping the best weights"), self.checkpoint_best),
                            (N_("early stopping"), self.early_stopping.enabled),
                            (N_("restoring the best weights"), self.early_stopping.restore_best)):
            if not isinstance(flag, bool):
                raise SettingsError(tr("{setting} must be on or off", setting=tr(label)))
        es = self.early_stopping
        _check_number(N_("patience"), es.patience, 0, 1_000_000, whole=True)
        _check_number(N_("min delta"), es.min_delta, 0.0, 1e12)
        if not isinstance(es.monitor, str) or not es.monitor:
            raise SettingsError(tr("early stopping must monitor a named number such as val_loss"))
        if not isinstance(self.method, str) or self.method not in TRAINING_METHODS:
            raise SettingsError(tr("training method must be one of {choices}", choices=", ".join(TRAINING_METHODS)))
        if not isinstance(self.device, str) or not (self.device == "cpu" or self.device.startswith("cuda")):
            raise SettingsError(tr("device must be cpu or cuda"))
        self._validate_files()

    def _validate_files(self) -> None:
        """The checkpoint and TensorBoard parts: switches, counts and folders a file system can hold."""
        files = self.checkpoints
        for label, flag in ((N_("checkpoint files"), files.enabled),
                            (N_("a checkpoint when the watched number improves"), files.when_improves),
                            (N_("TensorBoard logs"), self.tensorboard.enabled)):
            if not isinstance(flag, bool):
                raise SettingsError(tr("{setting} must be on or off", setting=tr(label)))
        _check_number(N_("checkpoint every N epochs"), files.every_epochs, 0, 1_000_000, whole=True)
        _check_number(N_("checkpoints to keep"), files.keep, 1, 1_000_000, whole=True)
        if files.enabled and files.every_epochs == 0 and not files.when_improves:
            raise SettingsError(tr("checkpoint files are on but never written: choose every N epochs or when "
                                   "the watched number improves"))
        for label, folder in ((N_("the checkpoint folder"), files.folder),
                              (N_("the TensorBoard folder"), self.tensorboard.folder)):
            if not isinstance(folder, str):
                raise SettingsError(tr("{setting} must be a folder path (text)", setting=tr(label)))
            problem = _folder_problem(folder)
            if problem:
                raise SettingsError(tr("{setting} {problem}", setting=tr(label), problem=problem))

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "TrainingSettings":
        """Build from JSON; unknown keys are ignored, wrong types raise SettingsError."""
        if not isinstance(data, dict):
            raise SettingsError(tr("training settings must be a table of names and values"))
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known and k not in NESTED_PARTS}
        settings = cls(**values)
        for key, part in NESTED_PARTS.items():
            setattr(settings, key, _nested_part(data, key, part))
        settings.validate()  # first: float() of a whole number beyond float's range (10**400) would overflow
        if isinstance(settings.learning_rate, int) and not isinstance(settings.learning_rate, bool):
            settings.learning_rate = float(settings.learning_rate)
        return settings


def _nested_part(data: dict, key: str, part: type) -> Any:
    """One nested table of the training settings; a file without it gets the part's defaults."""
    values = data.get(key, {})
    if not isinstance(values, dict):
        messages = {"early_stopping": N_("early stopping settings must be a table of names and values"),
                    "checkpoints": N_("checkpoint settings must be a table of names and values"),
                    "tensorboard": N_("TensorBoard settings must be a table of names and values")}
        raise SettingsError(tr(messages[key]))
    known = {f.name for f in fields(part)}
    return part(**{k: v for k, v in values.items() if k in known})


def _folder_problem(folder: str) -> Optional[str]:
    """Why a text cannot name a folder (the same rules as the data paths), or None."""
    return path_problem(folder) if folder else None


@dataclass
class DataSettings:
    """Which data the project trains on and how it is split and scaled."""

    source: Optional[dict] = None  # {"kind": "builtin", "name": "iris"} or {"kind": "csv", "path": "..."}
    validation_fraction: float = 0.2
    test_fraction: float = 0.2
    split_seed: int = 0
    stratify: bool = True
    scaling: str = "standardize"

    def validate(self) -> None:
        _check_number(N_("validation fraction"), self.validation_fraction, 0.0, 0.9)
        _check_number(N_("test fraction"), self.test_fraction, 0.0, 0.9)
        if self.validation_fraction + self.test_fraction >= 0.95:
            raise SettingsError(tr("validation and test together must leave at least 5% of the rows for training"))
        _check_number(N_("split seed"), self.split_seed, 0, 2**63 - 1, whole=True)
        if not isinstance(self.stratify, bool):
            raise SettingsError(tr("{setting} must be on or off", setting=tr("stratify")))
        if not isinstance(self.scaling, str) or self.scaling not in SCALINGS:
            raise SettingsError(tr("scaling must be one of {choices}", choices=", ".join(SCALINGS)))
        if self.source is not None:
            if not isinstance(self.source, dict) or not isinstance(self.source.get("kind"), str):
                raise SettingsError(tr("the data source must say its kind (builtin, csv, npz or idx)"))

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "DataSettings":
        if not isinstance(data, dict):
            raise SettingsError(tr("data settings must be a table of names and values"))
        known = {f.name for f in fields(cls)}
        settings = cls(**{k: v for k, v in data.items() if k in known})
        settings.validate()
        return settings
