"""The `nnstudio` command: starts the app, or summarises, trains and evaluates projects headless."""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path
from typing import Optional, Sequence

COMMANDS = ("summary", "train", "evaluate", "export")


class CliError(Exception):
    """Bad input on the command line; printed as one line, exit status 2."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nnstudio", description="NN Studio: build, train and export neural networks. "
                                     "With no command, opens the app.")
    sub = parser.add_subparsers(dest="command")
    summary = sub.add_parser("summary", help="print the model summary table (layers, shapes, parameters)")
    summary.add_argument("project")
    summary.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    train = sub.add_parser("train", help="train the project's network on its data")
    train.add_argument("project")
    train.add_argument("--epochs", type=int, help="number of epochs (default: the project's setting)")
    train.add_argument("--seed", type=int, help="random seed (default: the project's setting)")
    train.add_argument("--device", choices=("cpu", "cuda"), help="where to train (default: the project's)")
    train.add_argument("--save-weights", metavar="PATH", help="write the trained weights (safetensors)")
    train.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    evaluate = sub.add_parser("evaluate", help="report test-set metrics")
    evaluate.add_argument("project")
    evaluate.add_argument("--weights", metavar="PATH", help="trained weights (safetensors) to evaluate")
    evaluate.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    export = sub.add_parser("export", help="export the network (safetensors, TorchScript, ONNX or Python code)")
    export.add_argument("project", help="a project (.nnstudio) or a trained-model bundle (.nnzip)")
    export.add_argument("--format", required=True, choices=("safetensors", "torchscript", "onnx", "python"))
    export.add_argument("-o", "--output", required=True, metavar="PATH", help="the file (a folder for python)")
    export.add_argument("--weights", metavar="PATH", help="trained weights (.safetensors, or a .pt state dict)")
    return parser


def _load(path: str):
    from .core.project import ProjectError, load_project
    try:
        return load_project(path)
    except ProjectError as exc:
        raise CliError(str(exc)) from None


def _finite(value):
    """JSON has no NaN: report non-finite numbers as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, list):
        return [_finite(v) for v in value]
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    return value


def _context_or_none(project):
    """The data context when the data loads; the summary still works without data."""
    from .core.data import DataError, data_context, load_source
    if not project.data.source:
        return None, "no data chosen"
    try:
        table = load_source(project.data.source, project.base_dir)
        return data_context(table, project.graph.to_dict()), ""
    except DataError as exc:
        return None, str(exc)


def cmd_summary(args) -> int:
    from .core.analysis import ERROR, analyze
    project = _load(args.project)
    context, data_problem = _context_or_none(project)
    result = analyze(project.graph, context)
    if args.json:
        print(json.dumps(result.summary_dict()))
    else:
        print(result.summary_text())
        for issue in result.issues:
            name = result.names.get(issue.node_id, "network") if issue.node_id else "network"
            print(f"{issue.severity}: {name}: {issue.message}")
        if data_problem:
            print(f"note: {data_problem}")
    return 1 if any(i.severity == ERROR for i in result.issues) else 0


class _Progress:
    """Shows training progress on stderr: a redrawn bar on a terminal, a line per epoch otherwise."""

    def __init__(self, epochs: int, batches: int) -> None:
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
        self.epochs, self.batches = epochs, max(batches, 1)
        self.epoch = 1
        self.terminal = sys.stderr.isatty()
        self.started = time.monotonic()
        self.last_draw = 0.0

    def batch_done(self, batch: int) -> None:
        now = time.monotonic()
        if not self.terminal or now - self.last_draw < 0.1:  # redraw at most 10 times a second
            return
        self.last_draw = now
        done = ((self.epoch - 1) * self.batches + batch + 1) / (self.epochs * self.batches)
        bar = "█" * int(done * 30) + "·" * (30 - int(done * 30))
        sys.stderr.write(f"\repoch {self.epoch}/{self.epochs} {bar} {done:4.0%}")
        sys.stderr.flush()

    def epoch_done(self, epoch: int, logs: dict) -> None:
        numbers = "  ".join(f"{k} {v:.4g}" for k, v in logs.items() if isinstance(v, float))
        if self.terminal:
            sys.stderr.write("\r\033[K")
        sys.stderr.write(f"epoch {epoch}/{self.epochs}  {numbers}\n")
        sys.stderr.flush()


def _load_data(project):
    from .engine.pipeline import RunError, load_project_data
    try:
        return load_project_data(project)
    except RunError as exc:
        raise CliError(str(exc)) from None


def cmd_train(args) -> int:
    from .core.settings import SettingsError
    from .engine.pipeline import RunError, effective_settings, train_project
    from .engine.weights import save_weights
    project = _load(args.project)
    if args.epochs is not None and args.epochs < 1:
        raise CliError("--epochs must be at least 1")
    if args.seed is not None and args.seed < 0:
        raise CliError("--seed must be 0 or more")
    try:
        settings = effective_settings(project, args.epochs, args.seed, args.device)
    except SettingsError as exc:
        raise CliError(str(exc)) from None
    data = _load_data(project)
    train_rows = len(data.prepared.train)
    if data.prepared.validation is None and settings.validation_split:
        train_rows = int(train_rows * (1 - settings.validation_split))
    progress = _Progress(settings.epochs, math.ceil(train_rows / settings.batch_size))
    try:
        trainer, result = train_project(project, settings, data, callbacks=[progress.callback])
    except RunError as exc:
        raise CliError(str(exc)) from None
    history = result.history
    if args.save_weights:
        save_weights(trainer.model, args.save_weights)
    report = {
        "epochs_run": len(history.epochs),
        "history": history.logs,
        "test": {name: {k: v for k, v in metrics.items()} for name, metrics in result.test.items()},
        "samples_per_second": round(result.samples_per_second, 1),
        "total_params": result.total_params,
        "stop_reason": history.stop_reason,
        "message": history.message,
        "best_epoch": history.best_epoch,
    }
    if not args.json:
        print(history.message or f"Trained for {len(history.epochs)} epochs.")
        for name, metrics in result.test.items():
            shown = ", ".join(f"{k} {v:.4f}" for k, v in metrics.items() if isinstance(v, float))
            print(f"test {name}: {shown}")
        print(f"{result.samples_per_second:,.0f} samples/s, {result.total_params:,} parameters")
    else:
        print(json.dumps(_finite(report)))
    return 3 if history.stop_reason == "diverged" else 0


def cmd_evaluate(args) -> int:
    from .engine.pipeline import RunError, build_model, check_ready
    from .engine.training import Trainer
    from .engine.weights import WeightsError, load_weights
    project = _load(args.project)
    data = _load_data(project)
    try:
        check_ready(project, data.context)
        model = build_model(project, data.context)
    except RunError as exc:
        raise CliError(str(exc)) from None
    note = ""
    if args.weights:
        try:
            load_weights(model, args.weights)
        except WeightsError as exc:
            raise CliError(str(exc)) from None
    else:
        note = ("This project has no trained weights given, so its untrained (seeded initial) weights are "
                "evaluated. Train first with: nnstudio train PROJECT --save-weights W.safetensors, then "
                "nnstudio evaluate PROJECT --weights W.safetensors")
    part = data.prepared.test if data.prepared.test is not None else data.prepared.train
    metrics = Trainer(model, project.training).evaluate(part)
    if args.json:
        print(json.dumps(_finite({"test": metrics, "note": note})))
    else:
        if note:
            print(note)
        for name, values in metrics.items():
            for key, value in values.items():
                if key == "confusion_matrix":
                    print(f"{name} confusion matrix (rows: true class, columns: predicted):")
                    for row in value:
                        print("   " + " ".join(f"{v:5d}" for v in row))
                elif isinstance(value, float):
                    print(f"{name} {key}: {value:.4f}")
    return 0


def cmd_export(args) -> int:
    from .core.bundle import BundleError, is_bundle
    from .engine.bundle_io import load_bundle
    from .engine.export import ExportError, export_model
    from .engine.pipeline import RunError, build_model
    from .engine.weights import WeightsError, load_any_weights
    if is_bundle(args.project):
        try:
            bundle = load_bundle(args.project)
        except BundleError as exc:
            raise CliError(str(exc)) from None
        project, model, trained = bundle.project, bundle.model, bundle.trained
    else:
        project = _load(args.project)
        context, _ = _context_or_none(project)
        try:
            model = build_model(project, context)
        except RunError as exc:
            raise CliError(str(exc)) from None
        trained = False
    if args.weights:
        try:
            load_any_weights(model, args.weights)
        except WeightsError as exc:
            raise CliError(str(exc)) from None
        trained = True
    try:
        print(export_model(model, args.format, args.output, trained=trained, project=project))
    except ExportError as exc:
        raise CliError(str(exc)) from None
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in COMMANDS and not argv[0].startswith("-")):
        from .gui.app import main as gui_main
        return gui_main(["nnstudio", *argv])  # Qt expects the program name first
    args = _parser().parse_args(argv)
    handlers = {"summary": cmd_summary, "train": cmd_train, "evaluate": cmd_evaluate, "export": cmd_export}
    try:
        return handlers[args.command](args)
    except CliError as exc:
        print(f"nnstudio: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("nnstudio: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
