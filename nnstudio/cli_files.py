"""The files the `nnstudio` command reads and writes: projects or bundles in, weights out (never lost)."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from .core.i18n import tr

PROJECT_EXTENSION = ".nnstudio"
BUNDLE_EXTENSION = ".nnzip"


class CliError(Exception):
    """Bad input on the command line; printed as one line, exit status 2."""


@dataclass
class Opened:
    """A project named on the command line, with the trained model when the file was a bundle (.nnzip)."""

    project: Any
    model: Any = None       # the bundle's network with its saved weights; None for a project file
    trained: bool = False   # whether those weights were trained (a bundle can hold starting weights)

    @property
    def is_bundle(self) -> bool:
        return self.model is not None


def open_project(path: str) -> Opened:
    """A project file, or a bundle's project and model (what File → Open accepts); CliError when unreadable."""
    from .core.bundle import is_bundle
    from .core.project import ProjectError, load_project
    try:
        if is_bundle(path):
            from .engine.bundle_io import load_bundle  # torch: only for bundles, which hold a network
            bundle = load_bundle(path)
            return Opened(bundle.project, bundle.model, bundle.trained)
        return Opened(load_project(path))
    except ProjectError as exc:  # BundleError is a kind of ProjectError
        raise CliError(str(exc)) from None


def check_weights_destination(path: str) -> Path:
    """Refuse, before training, a place the weights cannot be written to (the run would be wasted)."""
    target = Path(path).expanduser()
    folder = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise CliError(tr("--save-weights: '{target}' is a folder; give a file name such as '{example}'",
                          target=target, example=target / "weights.safetensors"))
    if not folder.is_dir():
        raise CliError(tr("--save-weights: the folder '{folder}' does not exist", folder=folder))
    # The file is written next to its place and then moved there, so the folder must take new files.
    if not os.access(folder, os.W_OK | os.X_OK):
        raise CliError(tr("--save-weights: the folder '{folder}' cannot be written to", folder=folder))
    if target.exists() and not os.access(target, os.W_OK):
        raise CliError(tr("--save-weights: '{target}' exists and cannot be overwritten", target=target))
    return target


def _fallback_places(name: str) -> list[Path]:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    stem, suffix = Path(name).stem or "weights", Path(name).suffix or ".safetensors"
    file_name = f"{stem}-{stamp}{suffix}"
    return [Path.cwd() / file_name, Path(tempfile.gettempdir()) / file_name]


def save_weights_somewhere(model: Any, target: Path) -> tuple[Path, str]:
    """Save the trained weights at `target`, or, if that fails now, in the current or the temp folder.

    Returns where they are and, when that is not `target`, a note saying why; CliError only if no place took them."""
    from .engine.weights import save_weights
    try:
        save_weights(model, target)
        return target, ""
    except OSError as exc:
        problem = tr("could not write '{path}' ({reason})", path=target, reason=exc.strerror or exc)
    for place in _fallback_places(target.name):
        try:
            save_weights(model, place)
        except OSError:
            continue  # the next place may take them
        return place, tr("{problem}, so the trained weights were saved to '{place}' instead", problem=problem,
                         place=place)
    raise CliError(tr("{problem}, and neither the current folder nor the temp folder took them: the trained "
                      "weights are lost", problem=problem))


def not_a_file_problem(word: str, commands: tuple[str, ...]) -> str:
    """Why `nnstudio WORD` cannot open the app on WORD ("" when WORD is a file to open there).

    Without this a mistyped command (or one from a newer version) would open the window, and a script would hang."""
    try:
        if Path(word).exists():
            return ""  # the app opens it, or says plainly why it cannot
    except (OSError, ValueError):  # a name too long or with a NUL character: no such file either
        pass
    if word.lower().endswith((PROJECT_EXTENSION, BUNDLE_EXTENSION)):
        return tr("'{name}' does not exist", name=word)
    return tr("no such command or file: {word} (commands: {commands}; or a project ({project}) or trained model "
              "({bundle}) to open in the app; see nnstudio --help)", word=word, commands=", ".join(commands),
              project=PROJECT_EXTENSION, bundle=BUNDLE_EXTENSION)


def say(line: str) -> None:
    """One plain line on stderr, prefixed with the program's name."""
    print(f"nnstudio: {' '.join(str(line).split())}", file=sys.stderr)


__all__ = ["CliError", "Opened", "check_weights_destination", "not_a_file_problem", "open_project",
           "save_weights_somewhere", "say"]
