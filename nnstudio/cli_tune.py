"""`nnstudio tune`: a hyperparameter search on the command line, alone or joining a study shared by several machines."""

from __future__ import annotations

import json
import math
import sys

from .cli_files import CliError, open_project, say
from .core.i18n import tr
from .core.tuning.space import PRUNERS, STRATEGIES, default_space, params_in_words


def add_parser(subparsers) -> None:
    tune = subparsers.add_parser(
        "tune", help=tr("search for good hyperparameters (grid, random or TPE) in worker processes"),
        description=tr("Search for good hyperparameters. The search varies what the project's Experiments panel "
                       "saved, or else the learning rate, the units of each Dense layer and the dropout rates. "
                       "Trials are kept beside the project in a folder ending in .study, so running the command "
                       "again goes on with the same study. Started on several machines with the same --storage "
                       "postgresql://... and --study, they share one study."))
    tune.add_argument("project", help=tr("a project (.nnstudio)"))
    tune.add_argument("--trials", type=int, help=tr("how many trials the study should have in all, counting the "
                                                    "ones it already has (default: the saved search's, else 20)"))
    tune.add_argument("--workers", type=int, help=tr("worker processes on this machine (default: the saved search's, else one per core)"))
    tune.add_argument("--timeout", type=float, metavar="S", help=tr("stop starting trials after S seconds"))
    tune.add_argument("--storage", metavar="URL", help=tr("where the study is kept: a postgresql:// URL shared by "
                                                          "several machines, or a journal file (default: "
                                                          "journal.log in the project's .study folder)"))
    tune.add_argument("--study", metavar="NAME", help=tr("the study's name (default: the project file's name)"))
    tune.add_argument("--strategy", choices=STRATEGIES, help=tr("how trials are chosen (default: the saved "
                                                                "search's, else tpe)"))
    tune.add_argument("--pruner", choices=PRUNERS, help=tr("what stops bad trials early (default: the saved "
                                                           "search's, else median)"))
    tune.add_argument("--seed", type=int, help=tr("the search's random seed"))
    tune.add_argument("--json", action="store_true", help=tr("print one JSON object as the last line"))


def _number(value):
    return value if isinstance(value, (int, str)) or (isinstance(value, float) and math.isfinite(value)) else None


def run(args) -> int:
    from .core.settings import SettingsError

    opened = open_project(args.project)
    if opened.is_bundle:
        raise CliError(tr("tune needs a project file (.nnstudio), not a trained model"))
    project = opened.project
    if project.tuning is not None:
        space, origin = project.tuning.usable_in(project), "project"
    else:
        space, origin = default_space(project), "default"
    overrides = {"strategy": args.strategy, "pruner": args.pruner, "trials": args.trials, "seed": args.seed,
                 "workers": args.workers}
    for key, value in overrides.items():
        if value is not None:
            setattr(space, key, value)
    if args.timeout is not None:
        space.minutes = args.timeout / 60
        if args.trials is None and project.tuning is None:
            space.trials = None   # only time was asked for
    try:
        space.validate()
    except SettingsError as exc:
        raise CliError(str(exc)) from None
    out = sys.stderr if args.json else sys.stdout
    if origin == "project":
        print(tr("Searching the project's saved search space:"), file=out)
    else:
        print(tr("The project has no saved search space, so the default one is searched:"), file=out)
    from .core.tuning.space import describe
    for dim in space.dimensions:
        print(f"  • {describe(dim, project)}", file=out)
    out.flush()

    from .engine.tuning.results import best, summary_sentences, trial_rows
    from .engine.tuning.study import StudyError

    def progress(row) -> None:
        value = "" if row.value is None else f"{row.value:.4g}"
        print(tr("trial {number}: {state} {value} ({epochs} epochs, {seconds:.1f} s) {settings}",
                 number=row.number, state=row.state_words, value=value, epochs=row.epochs_run or 0,
                 seconds=row.seconds or 0.0, settings=params_in_words(row.params, project)), file=out)
        if row.error:
            print(f"  {row.error}", file=out)
        out.flush()

    from .engine.tuning.workers import run_study
    try:
        study = run_study(project, space, workers=space.workers, storage=args.storage, name=args.study,
                          on_trial=progress)
    except StudyError as exc:
        raise CliError(str(exc)) from None
    for sentence in summary_sentences(study, space, project):
        print(sentence, file=out)
    top = best(study)
    if args.json:
        rows = [{"number": r.number, "state": r.state, "params": {k: _number(v) for k, v in r.params.items()},
                 "value": r.value, "epochs_run": r.epochs_run, "seconds": r.seconds} for r in trial_rows(study)]
        print(json.dumps({"study": study.study_name, "space": origin, "monitor": space.monitor,
                          "direction": study.direction.name.lower(), "trials": rows,
                          "best": None if top is None else {"number": top.number, "params": top.params,
                                                            "value": top.value}}))
    if top is None:
        say(tr("no trial finished"))
        return 1
    return 0
