"""Checkpoint files: the network as a bundle every N epochs and/or when the watched number improves."""

from __future__ import annotations

import copy
import os
import re
from pathlib import Path
from typing import Callable, Optional

from ..core.bundle import BundleError
from ..core.i18n import ntr, tr
from ..core.project import Project
from .callbacks import _BestTracker
from .history import History

BEST_NAME = "best.nnzip"
EPOCH_NAME = re.compile(r"^epoch-(\d+)\.nnzip$")


def epoch_file_name(epoch: int) -> str:
    """epoch-0012.nnzip: four digits, so the files sort by epoch in every file browser."""
    return f"epoch-{epoch:04d}.nnzip"


def _default_save(path: Path, project: Project, trainer, history: Optional[History], class_names: dict) -> None:
    """The model with its optimizer memory and run position, so `nnstudio train epoch-0012.nnzip` goes on."""
    from .bundle_io import save_trainer_bundle

    save_trainer_bundle(path, project, trainer, history=history, class_names=class_names)


class CheckpointWriter(_BestTracker):
    """Writes checkpoint bundles into `folder` while training goes on; a disk problem never stops the run.

    Each file is written whole beside its final name and then moved into place (the bundle code does this), so a
    crash at any moment leaves every checkpoint already there complete. Old epoch files beyond the last `keep`
    written by this run are removed; best.nnzip never is. A problem is remembered and said in closing_note().
    """

    def __init__(self, folder: Path, project: Project, *, every_epochs: int = 1, when_improves: bool = False,
                 keep: int = 3, monitor: str = "val_loss", class_names: Optional[dict] = None,
                 save: Optional[Callable] = None) -> None:
        super().__init__(monitor)
        if every_epochs < 0 or keep < 1:
            raise ValueError("every_epochs must be 0 or more and keep at least 1")
        self.folder = Path(folder)
        self.project = project
        self.every_epochs = every_epochs
        self.when_improves = when_improves
        self.keep = keep
        self.class_names = dict(class_names or {})
        self._save = save or _default_save
        self.written: list[Path] = []      # this run's epoch files still on disk, oldest first
        self.best_path: Optional[Path] = None
        self.failures = 0
        self.problem: Optional[str] = None   # the first thing that went wrong, in plain words

    def on_train_begin(self, logs: dict) -> None:
        super().on_train_begin(logs)
        self.written, self.best_path, self.failures, self.problem = [], None, 0, None

    def on_epoch_end(self, epoch: int, logs: dict) -> None:
        improved = self._improved(epoch, logs) if self.when_improves else None
        if self.every_epochs and epoch % self.every_epochs == 0:
            path = self.folder / epoch_file_name(epoch)
            if self._write(path, epoch):
                if path in self.written:
                    self.written.remove(path)   # the same epoch again (a continued run): it moves to the end
                self.written.append(path)
                self._prune()
        if improved:
            path = self.folder / BEST_NAME
            if self._write(path, epoch):
                self.best_path = path

    def _write(self, path: Path, epoch: int) -> bool:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._save(path, self.project, self.trainer, self._history_so_far(epoch), self.class_names)
        except (BundleError, OSError, ValueError) as exc:
            self.failures += 1
            if self.problem is None:
                reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
                self.problem = tr("checkpoint file '{file}' could not be written ({reason})", file=path.name,
                                  reason=reason[:200])
            return False
        return True

    def _history_so_far(self, epoch: int) -> Optional[History]:
        """The run's curves up to this epoch, saying that the run was still going (not that it completed)."""
        history = self.trainer.history if self.trainer is not None else None
        if history is None:
            return None
        snapshot = copy.deepcopy(history)
        snapshot.stop_reason = "stopped"
        snapshot.message = tr("Checkpoint written after epoch {epoch}; the run was still going.", epoch=epoch)
        snapshot.best_epoch = self.best_epoch
        return snapshot

    def _prune(self) -> None:
        """Keep the last `keep` epoch files this run wrote (files of earlier runs are left alone)."""
        while len(self.written) > self.keep:
            old = self.written.pop(0)
            try:
                os.unlink(old)
            except FileNotFoundError:
                pass  # someone removed it already: the goal is reached
            except OSError as exc:
                self.failures += 1
                if self.problem is None:
                    self.problem = tr("the old checkpoint file '{file}' could not be removed ({reason})",
                                      file=old.name, reason=exc.strerror or str(exc))

    def files(self) -> list[Path]:
        """The checkpoint files this run left, oldest epoch first, best last."""
        return [*self.written, *([self.best_path] if self.best_path is not None else [])]

    def closing_note(self) -> str:
        """One or two sentences for the run's closing message: where the files are, and any problem, plainly."""
        kept = len(self.files())
        words = []
        if kept:
            words.append(ntr("{n} checkpoint file is in {folder}.", "{n} checkpoint files are in {folder}.", kept,
                             folder=str(self.folder)))
        if self.problem is not None:
            words.append(ntr("Training went on, but {problem} ({n} time in this run).",
                             "Training went on, but {problem} ({n} times in this run).",
                             self.failures, problem=self.problem))
        return " ".join(words)


def existing_checkpoints(folder: Path) -> list[Path]:
    """The epoch checkpoint files in a folder, by epoch number (for a person or a test looking for the last one)."""
    found = []
    for entry in Path(folder).iterdir() if Path(folder).is_dir() else ():
        match = EPOCH_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry))
    return [path for _, path in sorted(found)]


__all__ = ["BEST_NAME", "CheckpointWriter", "epoch_file_name", "existing_checkpoints"]
