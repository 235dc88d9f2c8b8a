"""The model to share and the File actions that carry weights: bundles (.nnzip), Save weights…, Load weights…."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QMainWindow, QMessageBox

from ...core.i18n import tr
from ...core.project import EXTENSION, weights_file_name
from ..widgets import file_dialogs

# torch is imported where first used: installing these actions must not slow the window's start.
if TYPE_CHECKING:
    from ...engine.compiler import GraphModule
    from ...engine.training import History

log = logging.getLogger(__name__)

BUNDLE_EXTENSION = ".nnzip"


def bundle_filter() -> str:
    """The file dialogs' filter for bundles, in the current language."""
    return tr("Trained models (*{extension})", extension=BUNDLE_EXTENSION)


def weights_filter() -> str:
    return tr("Weights (*.safetensors *.pt *.pth);;All files (*)")


class ShareError(Exception):
    """The network cannot be shared right now; the message says why in plain words."""


@dataclass
class SharedModel:
    """The network an export or a save uses, whether its weights were trained, and the run behind them."""

    model: "GraphModule"
    trained: bool
    history: Optional["History"] = None
    note: str = ""  # said to the user next to the engine's message ("the drawing changed since training")


@dataclass
class _KnownModel:
    """The session's model as this module last saw it: which drawing it was built for and how it got its weights."""

    model: Any
    drawing: str
    trained: bool
    history: Optional["History"]


def drawing_signature(document: Any) -> str:
    """Everything in the drawing that decides the network's weights and names (not the layers' positions)."""
    graph = document.project.graph.to_dict()
    nodes = [{k: v for k, v in node.items() if k != "position"} for node in graph.get("nodes", [])]
    return json.dumps([nodes, graph.get("edges", [])], sort_keys=True, default=str)


def _same_structure(first: Any, second: Any) -> bool:
    """Whether two networks hold the same weights by name and shape (one could load the other's)."""
    a, b = first.state_dict(), second.state_dict()
    return a.keys() == b.keys() and all(tuple(a[k].shape) == tuple(b[k].shape) for k in a)


def sentence(text: str) -> str:
    """Engine messages start in lower case ("the folder ... does not exist"); a dialog shows a sentence."""
    return text[:1].upper() + text[1:]


def _with_suffix(path: Path, suffix: str) -> Path:
    return path if path.suffix.lower() == suffix else path.with_name(path.name + suffix)


class BundleActions(QObject):
    """Save with trained weights…, opening a .nnzip, Save weights… and Load weights…, plus `shared_model()`.

    Every question to the user goes through a method tests replace (ask_*, show_error)."""

    message = Signal(str)  # for the status bar

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.document = window.document
        self.session = window.session
        self.file_actions = window.file_actions
        self._known: Optional[_KnownModel] = None
        self.session.model_changed.connect(self._model_changed)

        self.save_bundle_action = self._action(tr("Save with Trained &Weights…"), self.save_bundle_dialog,
                                               tr("Save the project, its trained weights and its run history as "
                                                  "one .nnzip file"))
        self.save_weights_action = self._action(tr("Save Wei&ghts…"), self.save_weights_dialog,
                                                tr("Save the network's weights alone (.safetensors)"))
        self.load_weights_action = self._action(tr("&Load Weights…"), self.load_weights_dialog,
                                                tr("Load weights (.safetensors or .pt) into this network"))
        # Open, Open Recent and drops hand .nnzip files to open_bundle.
        self.file_actions.openers[BUNDLE_EXTENSION] = (tr("Trained models"), self.open_bundle)
        # After Save with Trained Weights the window's file is the .nnzip: plain Save writes the bundle again.
        self.file_actions.savers[BUNDLE_EXTENSION] = self.save_bundle_to
        # Plain Save keeps a trained model beside the project; opening the project loads it back.
        self.file_actions.companion_writers.append(self.save_weights_beside)
        self.document.project_replaced.connect(self.load_saved_weights)
        self.load_saved_weights()  # a project named on the command line opened before sharing joined the window

    def _action(self, text: str, slot, tip: str) -> QAction:
        action = QAction(text, self.window)
        action.setStatusTip(tip)
        action.triggered.connect(lambda checked=False: slot())
        return action

    # ------------------------------------------------------------ prompts (tests replace these)
    def show_error(self, title: str, text: str) -> None:
        QMessageBox.warning(self.window, title, text)

    def _project_folder(self) -> Optional[Path]:
        """The open project's folder: a bundle or weights file is offered beside it (else the last projects folder)."""
        return self.document.path.parent if self.document.path else None

    def _stem(self) -> str:
        return Path(self.file_actions.display_name()).stem or "network"

    def ask_bundle_save_path(self) -> Optional[Path]:
        path = file_dialogs.ask_save_file(self.window, tr("Save with trained weights"), f"{self._stem()}{BUNDLE_EXTENSION}",
                                          bundle_filter(), file_dialogs.PROJECTS, self._project_folder())
        return _with_suffix(path, BUNDLE_EXTENSION) if path else None

    def ask_weights_save_path(self) -> Optional[Path]:
        path = file_dialogs.ask_save_file(self.window, tr("Save weights"), f"{self._stem()}.safetensors",
                                          tr("Weights (*.safetensors)"), file_dialogs.PROJECTS, self._project_folder())
        return _with_suffix(path, ".safetensors") if path else None

    def ask_weights_open_path(self) -> Optional[Path]:
        return file_dialogs.ask_open_file(self.window, tr("Load weights"), weights_filter(), file_dialogs.PROJECTS,
                                          self._project_folder())

    # ------------------------------------------------------------ which network to share
    def _model_changed(self) -> None:
        model = self.session.model
        if model is None:
            self._known = None
        elif not self.session.is_training:
            # A finished run (or a model this module adopted): remember the drawing it belongs to.
            result = self.session.last_result
            self._known = _KnownModel(model, drawing_signature(self.document), result is not None,
                                      result.history if result is not None else None)

    def adopt_model(self, model: "GraphModule", trained: bool, history: Optional["History"],
                    resume: Any = None) -> None:
        """Make a model from a file the session's model, so every panel predicts and shows with it.

        resume: the bundle's run (engine ResumeState), which "Train more" goes on with."""
        from ...engine.pipeline import RunResult  # noqa: PLC0415 - torch, only once a model exists

        self.session.model = model
        self.session.mark_trained(model if trained else None)
        self.session.keep_run_state(model, resume)
        self.session.last_result = RunResult(history) if history is not None else None
        self.session.model_changed.emit()
        self._known = _KnownModel(model, drawing_signature(self.document), trained, history)

    def _data_context(self):
        data = self.session.data
        return data.context if data is not None else self.document.data_context

    def fresh_model(self) -> "GraphModule":
        """The seeded starting network for the current drawing (the one a first run would start from)."""
        from ...engine.pipeline import RunError, build_model  # noqa: PLC0415

        try:
            return build_model(self.document.project, self._data_context())
        except RunError as exc:
            hint = f"\n\n{self.session.data_error}" if self.session.data is None and self.session.data_error else ""
            raise ShareError(f"{exc}{hint}") from None

    def shared_model(self) -> SharedModel:
        """The trained network when it still belongs to the drawing, else the seeded starting one.

        Raises ShareError while training runs or when the drawing cannot be built."""
        if self.session.is_training:
            raise ShareError(tr("Training is running: stop it, or wait until it finishes, then try again."))
        model, known = self.session.model, self._known
        if model is not None and known is not None and known.model is model:
            if known.drawing == drawing_signature(self.document):
                return SharedModel(model, known.trained, known.history)
            fresh = self.fresh_model()
            return SharedModel(fresh, False, note=tr("The network was changed after it was trained, so its "
                                                     "starting weights were used; train it again to share "
                                                     "trained weights."))
        fresh = self.fresh_model()
        if model is not None and _same_structure(model, fresh):
            # A model the teaching panels made from the current drawing (weights maybe set by hand).
            result = self.session.last_result
            return SharedModel(model, result is not None, result.history if result is not None else None)
        return SharedModel(fresh, False)

    def _class_names(self) -> dict[str, tuple[str, ...]]:
        context = self._data_context()
        targets = getattr(context, "output_targets", None) or {}
        return {node_id: tuple(target.class_names) for node_id, target in targets.items() if target.class_names}

    # ------------------------------------------------------------ bundles
    def save_bundle_dialog(self) -> bool:
        try:
            shared = self.shared_model()
        except ShareError as exc:
            self.show_error(tr("Could not save the trained model"), sentence(str(exc)))
            return False
        path = self.ask_bundle_save_path()
        return self.save_bundle_to(path, shared) if path else False

    def save_bundle_to(self, path: Path, shared: Optional[SharedModel] = None) -> bool:
        """Write project + weights + last run as one .nnzip, which becomes the window's file (title, Save, Recent)."""
        from ...core.bundle import BundleError  # noqa: PLC0415
        from ...engine.bundle_io import save_bundle  # noqa: PLC0415

        try:
            shared = shared or self.shared_model()
            # The run that trained this very model goes in too, so training can go on after reopening the file.
            session = self.session
            resume = session.resume_state if shared.trained and shared.model is session.model and \
                session.can_train_more else None
            save_bundle(path, self.document.project, shared.model, shared.history, trained=shared.trained,
                        class_names=self._class_names(), resume=resume)
        except (ShareError, BundleError) as exc:
            self.show_error(tr("Could not save the trained model"), sentence(str(exc)))
            return False
        self.file_actions.mark_saved_as(Path(path))
        name = Path(path).name
        text = (tr("Saved {name} with its trained weights", name=name) if shared.trained
                else tr("Saved {name} with its starting weights (not trained yet)", name=name))
        self.message.emit(tr("{message}. {note}", message=text, note=shared.note) if shared.note else text)
        return True

    def open_bundle(self, path: Path) -> bool:
        """Open a .nnzip: the project, its trained model and its curves; a damaged file changes nothing."""
        from ...core.bundle import BundleError  # noqa: PLC0415
        from ...engine.bundle_io import load_bundle  # noqa: PLC0415

        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            bundle = load_bundle(path)
        except BundleError as exc:
            error = str(exc)
        else:
            error = ""
        finally:
            QGuiApplication.restoreOverrideCursor()
        if error:
            self.show_error(tr("Could not open the trained model"), sentence(error))
            return False
        files = self.file_actions
        # The project came out of a bundle and has no file of its own: Save asks where, suggesting this name.
        files.suggested_name = f"{Path(path).stem}{EXTENSION}"
        self.document.replace_project(bundle.project)
        files.add_recent(Path(path))
        self.adopt_model(bundle.model, bundle.trained, bundle.history, bundle.resume)
        self.show_history(bundle.history)
        name = Path(path).name
        self.message.emit(tr("Opened the trained model {name}", name=name) if bundle.trained
                          else tr("Opened the model (not trained yet) {name}", name=name))
        return True

    def show_history(self, history: Optional["History"]) -> None:
        """Draw a run's history in the learning curves, as if it had just been trained here (a bundle's last run,
        or the run a window rebuilt in another language had shown)."""
        if history is None or not history.epochs:
            return
        curves = self.window.curves_panel  # built now if the Training tab was never opened
        for row, epoch in enumerate(history.epochs):
            curves.add_epoch(int(epoch), {key: values[row] for key, values in history.logs.items()
                                          if row < len(values)})
        curves.best_epoch = history.best_epoch
        curves.stopped_epoch = history.epochs[-1] if history.stop_reason == "early_stopping" else None
        curves.ensure_plots()
        curves.stack.setCurrentWidget(curves.plots)
        curves.redraw(force=True)

    # ------------------------------------------------------------ the trained weights beside a project file
    def _trained_model(self) -> Optional["GraphModule"]:
        """The session's model when it is trained and still belongs to the drawing, else None."""
        model, known = self.session.model, self._known
        if self.session.is_training or model is None or known is None or known.model is not model:
            return None
        return model if known.trained and known.drawing == drawing_signature(self.document) else None

    def save_weights_beside(self, project_path: Path) -> bool:
        """Before a plain Save: write the trained weights next to the project file and name them in the project
        (`digits.weights.safetensors`), so a trained model is never lost silently. No trained model: no file."""
        from ...engine.export import ExportError, export_model  # noqa: PLC0415

        project = self.document.project
        model = self._trained_model()
        if model is None:
            project.weights = None
            return True
        name = weights_file_name(project_path)
        try:
            export_model(model, "safetensors", Path(project_path).parent / name, trained=True, project=project)
        except ExportError as exc:
            self.show_error(tr("Could not save the trained weights"), sentence(str(exc)))
            return False
        project.weights = name
        return True

    def load_saved_weights(self) -> None:
        """After opening a project saved with its trained weights: load them, so every panel shows that model."""
        project = self.document.project
        if not project.weights or project.path is None:
            return
        from ...engine.weights import WeightsError, load_any_weights, says_trained  # noqa: PLC0415 - torch

        path = project.path.parent / project.weights
        if not path.is_file():
            self.message.emit(tr("The trained weights {name} are missing from the project's folder: press Train to "
                                 "train the network again.", name=project.weights))
            return
        self.session.reload_data()  # the network's sizes come from the data
        try:
            model = self.fresh_model()
            load_any_weights(model, path)
        except (ShareError, WeightsError) as exc:
            self.message.emit(tr("The trained weights {name} could not be loaded: {error}", name=project.weights,
                                 error=exc))
            return
        model.eval()
        self.adopt_model(model, says_trained(path), None)

    # ------------------------------------------------------------ weights alone
    def save_weights_dialog(self) -> bool:
        try:
            shared = self.shared_model()
        except ShareError as exc:
            self.show_error(tr("Could not save the weights"), sentence(str(exc)))
            return False
        path = self.ask_weights_save_path()
        return self.save_weights_to(path, shared) if path else False

    def save_weights_to(self, path: Path, shared: Optional[SharedModel] = None) -> bool:
        from ...engine.export import ExportError, export_model  # noqa: PLC0415

        try:
            shared = shared or self.shared_model()
            text = export_model(shared.model, "safetensors", path, trained=shared.trained,
                                project=self.document.project)
        except (ShareError, ExportError) as exc:
            self.show_error(tr("Could not save the weights"), sentence(str(exc)))
            return False
        self.message.emit(text.split(". ")[0])
        return True

    def load_weights_dialog(self) -> bool:
        path = self.ask_weights_open_path()
        return self.load_weights_from(path) if path else False

    def load_weights_from(self, path: Path) -> bool:
        """Load weights into a network built from the current drawing; a mismatch names the first layer."""
        from ...engine.weights import WeightsError, load_any_weights, says_trained  # noqa: PLC0415

        if self.session.is_training:
            self.show_error(tr("Could not load the weights"), tr("Training is running: stop it first."))
            return False
        try:
            model = self.fresh_model()
            load_any_weights(model, path)
        except (ShareError, WeightsError) as exc:
            self.show_error(tr("Could not load the weights"), tr("{name}: {error}", name=Path(path).name, error=exc))
            return False
        model.eval()
        self.adopt_model(model, says_trained(Path(path)), None)
        self.message.emit(tr("Loaded the weights of {name}", name=Path(path).name))
        return True
