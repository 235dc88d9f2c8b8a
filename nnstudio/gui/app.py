"""Starting the desktop app: the QApplication, the window, and the project to show first."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Optional, Sequence

# Only Qt and core here: torch and pyqtgraph are imported later, by the parts that train and plot,
# so the window appears quickly (importing torch alone takes over a second).
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

from ..core.bundle import is_bundle
from ..core.i18n import tr
from ..core.project import Project, ProjectError, load_project

# Set by bench/startup.py: quit right after the first paint and print the time since this moment.
QUIT_AFTER_PAINT_ENV = "NNSTUDIO_QUIT_AFTER_PAINT"
STARTED_AT_ENV = "NNSTUDIO_STARTED_AT"


class _FirstPaintReporter(QObject):
    """Prints "painted <seconds>" at the window's first paint, then quits (for the startup benchmark)."""

    def __init__(self, app: QApplication, started_at: float) -> None:
        super().__init__(app)
        self.app = app
        self.started_at = started_at
        self.done = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Paint and not self.done:
            self.done = True
            # Quit once this paint has finished, so the figure covers a whole painted frame.
            QTimer.singleShot(0, self._report)
        return False

    def _report(self) -> None:
        print(f"painted {time.time() - self.started_at:.3f}", flush=True)
        self.app.quit()


def _path_argument(argv: Sequence[str]) -> Optional[Path]:
    """The file named on the command line, if any: a project or a bundle (Qt's own options start with '-')."""
    for arg in argv[1:]:
        if not arg.startswith("-"):
            return Path(arg)
    return None


def _first_project(path: Optional[Path]) -> tuple[Project, Optional[str]]:
    """The user's project, or the default example with the reason the user's file could not be opened."""
    from .editing.file_actions import DEFAULT_EXAMPLE, EXAMPLES_DIR

    error = None
    if path is not None and not is_bundle(path):  # a bundle opens after the first paint (_after_first_paint)
        try:
            return load_project(path), None
        except ProjectError as exc:
            error = str(exc)
    try:
        return load_project(EXAMPLES_DIR / f"{DEFAULT_EXAMPLE}.nnstudio"), error
    except ProjectError as exc:  # a broken installation: start empty, and say so
        return Project(), "; ".join(filter(None, [error, tr("the example could not be opened: {error}", error=exc)]))


def compose(window) -> None:
    """Add the app's contributions to the window (each places its menus, docks and tabs by id), and View →
    Language."""
    from .contributions import VIEW
    from .language import LanguageMenu
    from .sharing import Sharing
    from .experiments.install import Experiments
    from .teaching.install import Teaching
    from .training.tensorboard_export import TensorBoardMenu

    for contribution in (Sharing(window), Teaching(window), Experiments(window), TensorBoardMenu(window)):
        window.install(contribution)
    languages = LanguageMenu(window, switch_language)
    window.parts.add_menu("view.language", tr("&Language"), inside=VIEW)
    window.parts.add_actions("view.language", list(languages.actions.values()))
    window.language_menu = languages


# Top-level windows made here, kept referenced (a window whose Python object goes is deleted with it).
WINDOWS: list = []


def switch_language(old, code: str):
    """Speak `code` from now on: a new window is built in that language around the same project, undo history and
    running training, with the same size, docks, tab, zoom and lesson step; the old one goes without a question,
    since nothing of it is lost. Returns the new window."""
    from .language import apply_language, carry_window_state
    from .main_window import MainWindow

    apply_language(code)
    new = MainWindow(document=old.document, session=old.session)
    new.file_actions.suggested_name = old.file_actions.suggested_name
    compose(new)
    carry_window_state(old, new)
    _carry_lesson(old, new)
    _carry_last_run(new)
    old.retired = True
    new.show()
    old.close()
    old.deleteLater()
    WINDOWS[:] = [w for w in WINDOWS if w is not old] + [new]
    new.show_status(tr("NN Studio now speaks {language}.", language=new.language_menu.actions[code].text()))
    return new


def _carry_last_run(new) -> None:
    """The last run shows as it did: the Training panel's progress and message, and its learning curves."""
    session = new.session
    result = session.last_result
    if result is None or session.is_training or getattr(result, "history", None) is None:
        return
    new.training_panel.show_last_result(result)
    if new.sharing is not None:
        new.sharing.bundles.show_history(result.history)


def _carry_lesson(old, new) -> None:
    """A lesson in progress goes on at the same step, with the runs and saves that count for it."""
    before, after = old.teaching, new.teaching
    holder = before.holders.get("lessons") if before is not None else None
    runner = holder.panel if holder is not None else None
    if runner is None or runner.lesson is None or after is None:
        return
    after.start_lesson(runner.lesson.id)
    target = after.runner
    target.runs, target.saved, target.exported = list(runner.runs), runner.saved, set(runner.exported)
    target.current = runner.current
    target.check()


def _after_first_paint(window, bundle: Optional[Path] = None) -> None:
    from .sharing import offer_recovery

    compose(window)
    # Now that every dock is in the window, the arrangement the student left at the last close comes back.
    window.restore_layout()
    if bundle is not None:
        # What File → Open calls for a .nnzip (the opener sharing registers): the project, its trained model and
        # its curves; a damaged file says why and leaves the example in the window. Called directly so a bundle
        # renamed away from .nnzip (is_bundle knows it by its zip signature) opens too.
        window.sharing.bundles.open_bundle(bundle)
    # Then a crashed session's unsaved work is offered back.
    QTimer.singleShot(0, window, lambda: offer_recovery(window))


def open_window(argv: Sequence[str], started_at: Optional[float] = None):
    """Build and show the window on the file named in argv (a project or a bundle) or on the example.

    The contributions (sharing, teaching) and a bundle's network (torch) join right after the first paint."""
    from .main_window import MainWindow

    path = _path_argument(argv)
    bundle = path if path is not None and is_bundle(path) else None
    window = MainWindow()
    project, error = _first_project(path)
    window.file_actions.show_project(project)
    # The size and place of the last close (before the window shows, so it does not jump), or one that fits.
    window.window_layout.restore_geometry()
    if os.environ.get(QUIT_AFTER_PAINT_ENV):
        app = QApplication.instance()
        window.installEventFilter(_FirstPaintReporter(app, time.time() if started_at is None else started_at))
    window.show()
    if bundle is not None:
        window.show_status(tr("Opening {name}…", name=bundle.name))
    # Importing and placing the contributions costs some 60 ms (their panels are built later still, when first
    # shown): done before the first paint it would push the start past its one-second target.
    QTimer.singleShot(0, window, lambda: _after_first_paint(window, bundle))  # dropped if the window is gone
    if error:
        # After the window is up, so the student sees the example behind the message.
        QTimer.singleShot(0, window, lambda: window.file_actions.show_error(
            tr("Could not open the project"),
            tr("{error}\n\nShowing an example project instead.", error=error)))
    return window


def main(argv: Optional[Sequence[str]] = None) -> int:
    from .language import apply_language, missing_font_message, startup_language, without_language_argument

    argv = list(sys.argv if argv is None else argv)
    started_at = float(os.environ.get(STARTED_AT_ENV) or time.time())
    app = QApplication.instance() or QApplication(argv)
    language = apply_language(startup_language(argv))
    argv = without_language_argument(argv)
    app.setApplicationName("NN Studio")
    app.setOrganizationName("NN Studio")
    app.setApplicationDisplayName("NN Studio")

    from .widgets.icons import app_icon

    app.setWindowIcon(app_icon())
    window = open_window(argv, started_at)
    WINDOWS.append(window)   # kept alive while the event loop runs
    from ..core.i18n import language_problem

    if language_problem():   # a damaged catalogue: the app speaks English and says why
        QTimer.singleShot(0, window, lambda: window.file_actions.show_error(
            tr("The language could not be changed"), language_problem()))
    font_problem = missing_font_message(language)
    if font_problem:
        QTimer.singleShot(0, window, lambda: window.file_actions.show_error(tr("Korean letters cannot be shown"),
                                                                            font_problem))
    return app.exec()
