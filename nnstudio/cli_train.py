"""`nnstudio train`: train a project, or go on with a trained model's run (.nnzip), and save weights or a bundle."""

from __future__ import annotations

import json
import math
import sys
import time

from .cli_files import (CliError, check_weights_destination, open_project, save_weights_somewhere, say)
from .core.i18n import N_, tr

PROJECT_HELP = N_("a project (.nnstudio) or a trained model (.nnzip)")   # shown with tr()
JSON_HELP = N_("print one JSON object as the last line")
WEIGHTS_SAVED_ELSEWHERE = 4  # exit status: trained, but the weights are in another place than --save-weights


def add_parser(sub) -> None:
    train = sub.add_parser("train", help=tr("train the project's network on its data"),
                           description=tr("Train the project's network on its data. A trained model (.nnzip) "
                                          "goes on with its run where it stopped: its weights, its optimizer's "
                                          "state, its epoch count and its curves; --fresh trains it like its "
                                          "project instead, from fresh seeded starting weights."))
    train.add_argument("project", help=tr(PROJECT_HELP))
    train.add_argument("--epochs", type=int, help=tr("number of epochs (default: the project's setting); for a "
                                                     "trained model, how many more"))
    train.add_argument("--seed", type=int, help=tr("random seed (default: the project's setting)"))
    train.add_argument("--device", choices=("cpu", "cuda"), help=tr("where to train (default: the project's)"))
    train.add_argument("--method", choices=("gradient_descent", "perceptron"),
                       help=tr("how to train (default: the project's); perceptron: the rule for one step/sign "
                               "layer"))
    train.add_argument("--fresh", action="store_true", help=tr("train a trained model (.nnzip) afresh from "
                                                               "seeded starting weights instead of going on"))
    train.add_argument("--save-weights", metavar="PATH", help=tr("write the trained weights (safetensors); the "
                                                                 "place is checked before training starts"))
    train.add_argument("--save-bundle", metavar="PATH", help=tr("write the trained model with its run (.nnzip), "
                                                                "to go on training later"))
    train.add_argument("--tensorboard", metavar="DIR", help=tr("write the run as TensorBoard logs in a new "
                                                               "run_… folder under DIR (instead of the project's "
                                                               "log folder) and print the command that opens them"))
    train.add_argument("--checkpoint-dir", metavar="DIR", help=tr("write checkpoint files (.nnzip, each able to go "
                                                                  "on training) into DIR while training"))
    train.add_argument("--checkpoint-every", type=int, metavar="N", help=tr("a checkpoint every N epochs (default: the "
                                                                            "project's, else 1; 0: only with "
                                                                            "--checkpoint-best)"))
    train.add_argument("--checkpoint-best", action="store_true", help=tr("write best.nnzip each time the watched "
                                                                         "number (early stopping's) improves"))
    train.add_argument("--keep", type=int, metavar="K", help=tr("keep the last K epoch checkpoints (default 3); "
                                                                "best.nnzip is always kept"))
    train.add_argument("--json", action="store_true", help=tr(JSON_HELP))


class _Progress:
    """Shows training progress on stderr: a redrawn bar on a terminal, a line per epoch otherwise."""

    def __init__(self, epochs: int, batches: int, done_before: int = 0) -> None:
        from .engine.callbacks import Callback

        progress = self

        class _Hook(Callback):
            def on_batch_end(self, batch: int, logs: dict) -> None:
                progress.batch_done(batch)

            def on_epoch_begin(self, epoch: int, logs: dict) -> None:
                progress.epoch = epoch

            def on_epoch_end(self, epoch: int, logs: dict) -> None:
                progress.epoch_done(epoch, logs)

        self.callback = _Hook()
        # A run that goes on counts on from its saved epochs: "epoch 11/20".
        self.done_before, self.epochs, self.batches = done_before, done_before + epochs, max(batches, 1)
        self.epoch = done_before + 1
        self.terminal = sys.stderr.isatty()
        self.started = time.monotonic()
        self.last_draw = 0.0

    def batch_done(self, batch: int) -> None:
        now = time.monotonic()
        if not self.terminal or now - self.last_draw < 0.1:  # redraw at most 10 times a second
            return
        self.last_draw = now
        done = ((self.epoch - 1 - self.done_before) * self.batches + batch + 1) / (
            (self.epochs - self.done_before) * self.batches)
        bar = "█" * int(done * 30) + "·" * (30 - int(done * 30))
        epoch = tr("epoch {epoch}/{epochs}", epoch=self.epoch, epochs=self.epochs)
        sys.stderr.write(f"\r{epoch} {bar} {done:4.0%}")
        sys.stderr.flush()

    def epoch_done(self, epoch: int, logs: dict) -> None:
        numbers = "  ".join(f"{k} {v:.4g}" for k, v in logs.items() if isinstance(v, float))
        if self.terminal:
            sys.stderr.write("\r\033[K")
        sys.stderr.write(tr("epoch {epoch}/{epochs}", epoch=epoch, epochs=self.epochs) + f"  {numbers}\n")
        sys.stderr.flush()


def finite_numbers(value):
    """JSON has no NaN: report non-finite numbers as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, list):
        return [finite_numbers(v) for v in value]
    if isinstance(value, dict):
        return {k: finite_numbers(v) for k, v in value.items()}
    return value


def load_data(project):
    from .engine.pipeline import RunError, load_project_data
    try:
        return load_project_data(project)
    except RunError as exc:
        raise CliError(str(exc)) from None


def _open(path: str, fresh: bool):
    """(project, model, resume): a bundle's saved network and run to go on with, or (project, None, None)."""
    from .core.bundle import is_bundle
    if fresh or not is_bundle(path):
        return open_project(path).project, None, None
    from .core.bundle import BundleError
    from .engine.bundle_io import load_bundle
    from .engine.history import RunPosition
    from .engine.optimizer_state import ResumeState
    try:
        bundle = load_bundle(path)
    except BundleError as exc:
        raise CliError(str(exc)) from None
    # A model saved without a run (before training) goes on from its weights at epoch 1, optimizer fresh.
    return bundle.project, bundle.model, bundle.resume or ResumeState(RunPosition())


def _check_bundle_destination(path: str):
    """Refuse, before training, a place the bundle cannot be written to."""
    from pathlib import Path
    target = Path(path).expanduser()
    folder = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise CliError(tr("--save-bundle: '{target}' is a folder; give a file name such as '{example}'",
                          target=target, example=target / "model.nnzip"))
    if not folder.is_dir():
        raise CliError(tr("--save-bundle: the folder '{folder}' does not exist", folder=folder))
    return target


def run(args) -> int:
    from .core.runs import RunRecord
    from .core.settings import SettingsError
    from .engine.pipeline import NoSlopeError, RunError, effective_settings, train_project
    if args.epochs is not None and args.epochs < 1:
        raise CliError(tr("--epochs must be at least 1"))
    if args.seed is not None and args.seed < 0:
        raise CliError(tr("--seed must be 0 or more"))
    project, model, resume = _open(args.project, args.fresh)
    destination = check_weights_destination(args.save_weights) if args.save_weights else None
    bundle_path = _check_bundle_destination(args.save_bundle) if args.save_bundle else None
    try:
        settings = effective_settings(project, args.epochs, args.seed, args.device)
        if args.method:
            settings.method = args.method
    except SettingsError as exc:
        raise CliError(str(exc)) from None
    note = tr("This trained model is trained again from fresh starting weights, like its project; "
              "its saved weights are not used.") if args.fresh and model is None and _is_bundle(args.project) else ""
    tensorboard = _tensorboard_log(args.tensorboard, project, settings) if args.tensorboard else None
    checkpoints = checkpoint_options(args, project, settings)
    data = load_data(project)
    train_rows = len(data.prepared.train)
    if data.prepared.validation is None and settings.validation_split:
        train_rows = int(train_rows * (1 - settings.validation_split))
    done_before = resume.position.epochs_done if resume is not None else 0
    progress = _Progress(settings.epochs, math.ceil(train_rows / settings.batch_size), done_before)
    try:
        callbacks = [progress.callback] + ([tensorboard] if tensorboard is not None else [])
        trainer, result = train_project(project, settings, data, callbacks=callbacks, model=model, resume=resume)
    except NoSlopeError as exc:
        raise CliError(tr("{problem} To use the perceptron rule: nnstudio train PROJECT --method perceptron",
                          problem=exc)) from None
    except (RunError, ValueError) as exc:  # ValueError: fit refusing the settings (the perceptron's conditions)
        raise CliError(str(exc)) from None
    history = result.history
    if resume is not None:
        note = tr("Went on with the saved run after epoch {epoch}.", epoch=done_before)
        note = f"{note} {result.note}" if result.note else note
    saved_to, save_note = save_weights_somewhere(trainer.model, destination) if destination else (None, "")
    if save_note:
        say(save_note)  # on stderr too, where a script's errors are looked for
    if bundle_path is not None:
        _save_bundle(bundle_path, project, trainer, result, data)
    if tensorboard is not None:
        tensorboard.add_test_results(result.test)
    record = RunRecord.from_result(result, settings.to_dict())   # the run as the app's run history keeps it
    report = {
        "epochs_run": record.epochs_run,
        "epochs_before": done_before,
        "epochs": record.epochs,   # the epoch numbers: 5, 6, 7 for a run that went on after epoch 4
        "history": record.history,
        # The full test numbers (the record keeps no confusion matrix; a script reading this wants it).
        "test": {name: {k: v for k, v in metrics.items()} for name, metrics in result.test.items()},
        "samples_per_second": round(result.samples_per_second, 1),
        "total_params": result.total_params,
        "stop_reason": record.stop_reason,
        "message": record.message,
        "best_epoch": record.best_epoch,
        "weights": str(saved_to) if saved_to else None,
        "bundle": str(bundle_path) if bundle_path else None,
        "tensorboard": _tensorboard_report(tensorboard),
        "checkpoints": str(checkpoints) if checkpoints else None,
        "note": " ".join(filter(None, [note, save_note[:1].upper() + save_note[1:] + "." if save_note else ""])),
    }
    if not args.json:
        if report["note"]:
            print(report["note"])
        print(history.message or tr("Trained for {epochs} epochs.", epochs=len(history.epochs)))
        for name, metrics in result.test.items():
            shown = ", ".join(f"{k} {v:.4f}" for k, v in metrics.items() if isinstance(v, float))
            print(tr("test {name}: {scores}", name=name, scores=shown))
        print(tr("{speed:,.0f} samples/s, {params:,} parameters", speed=result.samples_per_second,
                 params=result.total_params))
        if tensorboard is not None:
            _print_tensorboard(tensorboard)
    else:
        print(json.dumps(finite_numbers(report)))
    if history.stop_reason == "diverged":
        return 3
    return WEIGHTS_SAVED_ELSEWHERE if save_note else 0


def _is_bundle(path: str) -> bool:
    from .core.bundle import is_bundle
    return is_bundle(path)


def _save_bundle(path, project, trainer, result, data) -> None:
    """Write the trained model with its run; a failure is said plainly (the run itself is not lost: weights)."""
    from .core.bundle import BundleError
    from .engine.bundle_io import save_trainer_bundle
    targets = getattr(data.context, "output_targets", None) or {}
    class_names = {node_id: tuple(t.class_names) for node_id, t in targets.items() if t.class_names}
    try:
        save_trainer_bundle(path, project, trainer, result.history, class_names)
    except BundleError as exc:
        raise CliError(tr("--save-bundle: {reason}", reason=exc)) from None


def checkpoint_options(args, project, settings):
    """--checkpoint-dir/-every/-best and --keep switch this run's checkpoint files on; the folder they go to (or
    None when checkpoints are off). Refused before training: counts out of range, a file in DIR's place."""
    from pathlib import Path

    from .core.run_folders import checkpoint_folder
    from .core.settings import SettingsError
    options = settings.checkpoints
    asked = args.checkpoint_dir or args.checkpoint_every is not None or args.checkpoint_best or args.keep is not None
    if not asked:
        return checkpoint_folder(project, settings) if options.enabled else None
    if args.checkpoint_every is not None and args.checkpoint_every < 0:
        raise CliError(tr("--checkpoint-every must be 0 or more"))
    if args.keep is not None and args.keep < 1:
        raise CliError(tr("--keep must be at least 1"))
    if args.checkpoint_every == 0 and not args.checkpoint_best:
        raise CliError(tr("--checkpoint-every 0 writes nothing without --checkpoint-best"))
    options.enabled = True
    if args.checkpoint_dir:
        folder = Path(args.checkpoint_dir).expanduser().absolute()
        if folder.exists() and not folder.is_dir():
            raise CliError(tr("--checkpoint-dir: '{folder}' is a file, not a folder", folder=folder))
        options.folder = str(folder)
    if args.checkpoint_every is not None:
        options.every_epochs = args.checkpoint_every
    elif args.checkpoint_best:
        options.every_epochs = 0   # only the best was asked for
    options.when_improves = options.when_improves or args.checkpoint_best
    if args.keep is not None:
        options.keep = args.keep
    try:
        settings.validate()
    except SettingsError as exc:
        raise CliError(str(exc)) from None
    folder = checkpoint_folder(project, settings)
    if folder is None:
        raise CliError(tr("this project has no folder of its own for checkpoints: give --checkpoint-dir DIR"))
    return folder


def _tensorboard_log(folder: str, project, settings):
    """--tensorboard DIR: the TensorBoardLog callback writing under DIR; the project's own log setting is off for
    this run (one log per run). A file in DIR's place is refused before training."""
    from pathlib import Path
    from .engine.tensorboard_log import TensorBoardLog
    root = Path(folder).expanduser().absolute()
    if root.exists() and not root.is_dir():
        raise CliError(tr("--tensorboard: '{folder}' is a file, not a folder", folder=root))
    settings.tensorboard.enabled = False
    return TensorBoardLog(root, project, settings)


def _tensorboard_report(log):
    """The --json report's "tensorboard": where the run went, the command, and any problem (None without it)."""
    if log is None:
        return None
    from .engine.tensorboard_log import tensorboard_command
    return {"run": str(log.run_folder) if log.run_folder else None, "command": tensorboard_command(log.log_root),
            "problem": log.problem}


def _print_tensorboard(log) -> None:
    from .engine.tensorboard_log import install_hint, tensorboard_command, tensorboard_installed
    print(log.closing_note())
    if log.problem is None:
        print(tr("Open it in TensorBoard with: {command}", command=tensorboard_command(log.log_root)))
        if not tensorboard_installed():
            print(install_hint())
