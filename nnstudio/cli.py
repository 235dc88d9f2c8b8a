"""The `nnstudio` command: starts the app, or summarises, trains and evaluates projects headless."""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from typing import Optional, Sequence

from .cli_files import (CliError, check_weights_destination, not_a_file_problem, open_project,
                        save_weights_somewhere, say)
from .core import i18n
from .core.i18n import N_, tr

# Commands that live in their own modules: each module has add_parser(subparsers) and run(args) -> exit status.
# They are imported only when the parser is built, so starting the app imports none of them.
COMMAND_MODULES: dict[str, str] = {}
COMMANDS = ("summary", "train", "evaluate", "export", *COMMAND_MODULES)
PROJECT_HELP = N_("a project (.nnstudio) or a trained model (.nnzip)")   # shown with tr()
JSON_HELP = N_("print one JSON object as the last line")
LANGUAGE_OPTION = "--lang"
SEVERITY_LINES = {"error": N_("error: {issue}"), "warning": N_("warning: {issue}")}
WEIGHTS_SAVED_ELSEWHERE = 4  # exit status: trained, but the weights are in another place than --save-weights


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nnstudio", description=tr("NN Studio: build, train and export neural networks. "
                                        "With no command, opens the app."))
    parser.add_argument(LANGUAGE_OPTION, metavar="CODE", choices=tuple(i18n.available_languages()),
                        help=tr("the language of messages, 'ko' or 'en' (default: the system's, from LANG); "
                                "also accepted after the command"))
    sub = parser.add_subparsers(dest="command")
    summary = sub.add_parser("summary", help=tr("print the model summary table (layers, shapes, parameters)"))
    summary.add_argument("project", help=tr(PROJECT_HELP))
    summary.add_argument("--json", action="store_true", help=tr(JSON_HELP))
    train = sub.add_parser("train", help=tr("train the project's network on its data"),
                           description=tr("Train the project's network on its data. A trained model (.nnzip) is "
                                          "trained like its project, from fresh seeded starting weights: the weights "
                                          "saved in it are not used."))
    train.add_argument("project", help=tr(PROJECT_HELP))
    train.add_argument("--epochs", type=int, help=tr("number of epochs (default: the project's setting)"))
    train.add_argument("--seed", type=int, help=tr("random seed (default: the project's setting)"))
    train.add_argument("--device", choices=("cpu", "cuda"), help=tr("where to train (default: the project's)"))
    train.add_argument("--method", choices=("gradient_descent", "perceptron"),
                       help=tr("how to train (default: the project's); perceptron: the rule for one step/sign "
                               "layer"))
    train.add_argument("--save-weights", metavar="PATH", help=tr("write the trained weights (safetensors); the "
                                                                 "place is checked before training starts"))
    train.add_argument("--json", action="store_true", help=tr(JSON_HELP))
    evaluate = sub.add_parser("evaluate", help=tr("report test-set metrics"))
    evaluate.add_argument("project", help=tr(PROJECT_HELP))
    evaluate.add_argument("--weights", metavar="PATH", help=tr("trained weights (safetensors) to evaluate "
                                                               "(default: a trained model's own weights)"))
    evaluate.add_argument("--json", action="store_true", help=tr(JSON_HELP))
    export = sub.add_parser("export", help=tr("export the network (safetensors, TorchScript, ONNX or Python code)"))
    export.add_argument("project", help=tr("a project (.nnstudio) or a trained-model bundle (.nnzip)"))
    export.add_argument("--format", required=True, choices=("safetensors", "torchscript", "onnx", "python"))
    export.add_argument("-o", "--output", required=True, metavar="PATH", help=tr("the file (a folder for python)"))
    export.add_argument("--weights", metavar="PATH", help=tr("trained weights (.safetensors, or a .pt state dict)"))
    for module in _command_modules().values():
        module.add_parser(sub)
    return parser


def _command_modules() -> dict:
    import importlib
    return {name: importlib.import_module(path) for name, path in COMMAND_MODULES.items()}


def split_language(argv: Sequence[str]) -> tuple[Optional[str], list[str]]:
    """The code given with --lang CODE (or --lang=CODE), before the command or after it, and argv without it.

    (None, argv) when there is none. CliError for a language NN Studio has no catalogue for."""
    code: Optional[str] = None
    rest: list[str] = []
    args = list(argv)
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--":
            rest += args[index:]
            break
        if arg == LANGUAGE_OPTION or arg.startswith(LANGUAGE_OPTION + "="):
            if arg == LANGUAGE_OPTION:
                if index + 1 >= len(args):
                    raise CliError(tr("--lang needs a language code: {choices}",
                                      choices=", ".join(i18n.available_languages())))
                code, index = args[index + 1], index + 2
            else:
                code, index = arg.split("=", 1)[1], index + 1
            continue
        rest.append(arg)
        index += 1
    if code is not None and code.lower() not in i18n.available_languages():
        raise CliError(tr("--lang: there is no language '{code}' (choose one of: {choices})", code=code,
                          choices=", ".join(i18n.available_languages())))
    return (code.lower() if code is not None else None), rest


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
        return None, tr("no data chosen")
    try:
        table = load_source(project.data.source, project.base_dir)
        return data_context(table, project.graph.to_dict()), ""
    except DataError as exc:
        return None, str(exc)


def cmd_summary(args) -> int:
    from .core.analysis import ERROR, analyze
    opened = open_project(args.project)
    project = opened.project
    context, data_problem = _context_or_none(project)
    if context is None and opened.is_bundle:
        from .engine.export import compiled_context
        context = compiled_context(opened.model)  # the shapes it was trained with, data or not
    result = analyze(project.graph, context)

    def named(issue) -> str:
        network = tr("network")
        name = result.names.get(issue.node_id, network) if issue.node_id else network
        return tr("{name}: {message}", name=name, message=issue.message)

    errors = [named(i) for i in result.issues if i.severity == ERROR]
    if args.json:
        summary = result.summary_dict()
        if errors:  # the counts of a network that cannot be built would be wrong, not zero
            summary["total_params"] = summary["trainable_params"] = None
        summary["errors"] = errors
        summary["warnings"] = [named(i) for i in result.issues if i.severity != ERROR]
        print(json.dumps(summary))
    else:
        print(result.summary_text())
        for issue in result.issues:
            line = SEVERITY_LINES.get(issue.severity)
            print(tr(line, issue=named(issue)) if line else f"{issue.severity}: {named(issue)}")
        if data_problem:
            print(tr("note: {problem}", problem=data_problem))
    if errors:
        if len(errors) > 1:
            say(tr("the network has problems to fix first: {problem} (and {more} more)", problem=errors[0],
                   more=len(errors) - 1))
        else:
            say(tr("the network has problems to fix first: {problem}", problem=errors[0]))
        return 1
    return 0


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
        epoch = tr("epoch {epoch}/{epochs}", epoch=self.epoch, epochs=self.epochs)
        sys.stderr.write(f"\r{epoch} {bar} {done:4.0%}")
        sys.stderr.flush()

    def epoch_done(self, epoch: int, logs: dict) -> None:
        numbers = "  ".join(f"{k} {v:.4g}" for k, v in logs.items() if isinstance(v, float))
        if self.terminal:
            sys.stderr.write("\r\033[K")
        sys.stderr.write(tr("epoch {epoch}/{epochs}", epoch=epoch, epochs=self.epochs) + f"  {numbers}\n")
        sys.stderr.flush()


def _load_data(project):
    from .engine.pipeline import RunError, load_project_data
    try:
        return load_project_data(project)
    except RunError as exc:
        raise CliError(str(exc)) from None


def cmd_train(args) -> int:
    from .core.runs import RunRecord
    from .core.settings import SettingsError
    from .engine.pipeline import NoSlopeError, RunError, effective_settings, train_project
    opened = open_project(args.project)
    project = opened.project
    if args.epochs is not None and args.epochs < 1:
        raise CliError(tr("--epochs must be at least 1"))
    if args.seed is not None and args.seed < 0:
        raise CliError(tr("--seed must be 0 or more"))
    destination = check_weights_destination(args.save_weights) if args.save_weights else None
    try:
        settings = effective_settings(project, args.epochs, args.seed, args.device)
        if args.method:
            settings.method = args.method
    except SettingsError as exc:
        raise CliError(str(exc)) from None
    note = tr("This trained model is trained again from fresh starting weights, like its project; "
              "its saved weights are not used.") if opened.is_bundle else ""
    data = _load_data(project)
    train_rows = len(data.prepared.train)
    if data.prepared.validation is None and settings.validation_split:
        train_rows = int(train_rows * (1 - settings.validation_split))
    progress = _Progress(settings.epochs, math.ceil(train_rows / settings.batch_size))
    try:
        trainer, result = train_project(project, settings, data, callbacks=[progress.callback])
    except NoSlopeError as exc:
        raise CliError(tr("{problem} To use the perceptron rule: nnstudio train PROJECT --method perceptron",
                          problem=exc)) from None
    except (RunError, ValueError) as exc:  # ValueError: fit refusing the settings (the perceptron's conditions)
        raise CliError(str(exc)) from None
    history = result.history
    saved_to, save_note = save_weights_somewhere(trainer.model, destination) if destination else (None, "")
    if save_note:
        say(save_note)  # on stderr too, where a script's errors are looked for
    record = RunRecord.from_result(result, settings.to_dict())   # the run as the app's run history keeps it
    report = {
        "epochs_run": record.epochs_run,
        "history": record.history,
        # The full test numbers (the record keeps no confusion matrix; a script reading this wants it).
        "test": {name: {k: v for k, v in metrics.items()} for name, metrics in result.test.items()},
        "samples_per_second": round(result.samples_per_second, 1),
        "total_params": result.total_params,
        "stop_reason": record.stop_reason,
        "message": record.message,
        "best_epoch": record.best_epoch,
        "weights": str(saved_to) if saved_to else None,
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
    else:
        print(json.dumps(_finite(report)))
    if history.stop_reason == "diverged":
        return 3
    return WEIGHTS_SAVED_ELSEWHERE if save_note else 0


def cmd_evaluate(args) -> int:
    from .engine.pipeline import RunError, build_model, check_ready
    from .engine.training import Trainer
    from .engine.weights import WeightsError, apply_state, load_weights
    opened = open_project(args.project)
    project = opened.project
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
    elif opened.is_bundle:
        try:
            apply_state(model, opened.model.state_dict())  # built for today's data, so the shapes are checked
        except WeightsError as exc:
            raise CliError(tr("the trained model's weights do not fit its project's data: {reason}",
                              reason=exc)) from None
        if not opened.trained:
            note = tr("This trained-model file holds starting weights (it was saved before training), so those "
                      "are evaluated.")
    else:
        note = tr("This project has no trained weights given, so its untrained (seeded initial) weights are "
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
                    print(tr("{name} confusion matrix (rows: true class, columns: predicted):", name=name))
                    for row in value:
                        print("   " + " ".join(f"{v:5d}" for v in row))
                elif isinstance(value, float):
                    print(f"{name} {key}: {value:.4f}")
    return 0


def cmd_export(args) -> int:
    from .engine.export import ExportError, export_model
    from .engine.pipeline import RunError, build_model
    from .engine.weights import WeightsError, load_any_weights
    opened = open_project(args.project)
    project = opened.project
    if opened.is_bundle:
        model, trained = opened.model, opened.trained
    else:
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
    except Exception as exc:  # noqa: BLE001 - an exporter's own failure (torch, onnx): one line, never a traceback
        say(tr("the {format} export failed ({reason}); nothing was exported", format=args.format,
               reason=f"{type(exc).__name__}: {str(exc)[:300]}"))
        return 1
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    i18n.set_language(i18n.detect_language())  # LANG and friends, unless --lang says otherwise
    try:
        language, rest = split_language(argv)
    except CliError as exc:
        say(str(exc))
        return 2
    if language is not None:
        i18n.set_language(language)
    if not rest or (rest[0] not in COMMANDS and not rest[0].startswith("-")):
        problem = not_a_file_problem(rest[0], COMMANDS) if rest else ""
        if problem:
            say(problem)
            return 2
        from .gui.app import main as gui_main
        return gui_main(["nnstudio", *argv])  # Qt expects the program name first; the app reads --lang itself
    args = _parser().parse_args(rest)
    if args.command is None:
        _parser().print_help()
        return 2
    handlers = {"summary": cmd_summary, "train": cmd_train, "evaluate": cmd_evaluate, "export": cmd_export,
                **{name: module.run for name, module in _command_modules().items()}}
    try:
        return handlers[args.command](args)
    except CliError as exc:
        say(str(exc))
        return 2
    except KeyboardInterrupt:
        say(tr("interrupted"))
        return 130


if __name__ == "__main__":
    sys.exit(main())
