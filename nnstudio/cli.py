"""The `nnstudio` command: starts the app, or summarises, trains and evaluates projects headless."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Optional, Sequence

from .cli_files import CliError, not_a_file_problem, open_project, say
# `nnstudio train` lives in cli_train.py; evaluate shares its data loading and JSON numbers.
from .cli_train import JSON_HELP, PROJECT_HELP, WEIGHTS_SAVED_ELSEWHERE  # noqa: F401 - its old home
from .cli_train import finite_numbers as _finite
from .cli_train import load_data as _load_data
from .core import i18n
from .core.i18n import N_, tr

# Commands that live in their own modules: each module has add_parser(subparsers) and run(args) -> exit status.
# They are imported only when the parser is built, so starting the app imports none of them.
COMMAND_MODULES: dict[str, str] = {"train": "nnstudio.cli_train", "data": "nnstudio.cli_data",
                                   "tune": "nnstudio.cli_tune"}
COMMANDS = ("summary", "evaluate", "export", *COMMAND_MODULES)
LANGUAGE_OPTION = "--lang"
SEVERITY_LINES = {"error": N_("error: {issue}"), "warning": N_("warning: {issue}")}


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
    handlers = {"summary": cmd_summary, "evaluate": cmd_evaluate, "export": cmd_export,
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
