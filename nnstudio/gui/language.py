"""Which language the window speaks: chosen at start (--lang, the remembered choice, the system), switched from
View → Language without losing anything, Qt's own dialogs included, and a plain word when no font has Hangul."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

from PySide6.QtCore import QByteArray, QLibraryInfo, QLocale, QObject, Qt, QTranslator
from PySide6.QtGui import QAction, QActionGroup, QFontDatabase
from PySide6.QtWidgets import QApplication

from ..core import i18n
from ..core.i18n import N_, tr
from .app_settings import settings

SETTINGS_KEY = "language"
# Languages written in a script that not every machine has a font for, and the packages that bring one.
SCRIPT_OF = {"ko": QFontDatabase.WritingSystem.Korean}
FONT_PACKAGES = {"ko": N_("fonts-noto-cjk or fonts-nanum")}


def language_argument(argv: Sequence[str]) -> str | None:
    """The value of --lang ko / --lang=ko on the command line, if any."""
    for index, arg in enumerate(argv):
        if arg == "--lang" and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def without_language_argument(argv: Sequence[str]) -> list[str]:
    """argv without --lang and its value (so it is not taken for a file to open)."""
    result, skip = [], False
    for index, arg in enumerate(argv):
        if skip:
            skip = False
            continue
        if arg == "--lang" and index + 1 < len(argv):
            skip = True
            continue
        if not arg.startswith("--lang="):
            result.append(arg)
    return result


def remembered_language() -> str | None:
    value = settings().value(SETTINGS_KEY)
    return value if isinstance(value, str) and value in i18n.available_languages() else None


def startup_language(argv: Sequence[str], environ=None) -> str:
    """--lang, else the choice made in View → Language, else the system's language (LANG…, then Qt's idea of the
    system locale, which is what Windows and macOS report); English when we have no catalogue for it."""
    environ = os.environ if environ is None else environ
    chosen = language_argument(argv)
    if chosen and chosen.lower() in i18n.available_languages():
        return chosen.lower()
    remembered = remembered_language()
    if remembered:
        return remembered
    if any(environ.get(key) for key in (i18n.ENV_LANGUAGE, "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")):
        return i18n.detect_language(environ)
    return i18n.language_from_locale(QLocale.system().name()) or i18n.SOURCE_LANGUAGE


class QtTranslations(QObject):
    """Qt's own translations (OK/Cancel, file dialogs: qtbase_<code>.qm shipped with Qt), swapped with the language."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self.app = app
        self.translator: QTranslator | None = None
        self.gaps: QTranslator | None = None

    def use(self, code: str) -> bool:
        for installed in (self.gaps, self.translator):
            if installed is not None:
                self.app.removeTranslator(installed)
        self.translator = self.gaps = None
        if code == i18n.SOURCE_LANGUAGE:
            return True
        translator = QTranslator(self)
        folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        if not translator.load(f"qtbase_{code}", folder):
            return False
        self.app.installTranslator(translator)
        self.translator = translator
        from .qt_translation_gaps import QtTranslationGaps  # noqa: PLC0415
        self.gaps = QtTranslationGaps(translator, self)
        self.app.installTranslator(self.gaps)
        return True


def apply_language(code: str) -> str:
    """Use `code` everywhere: our catalogue, Qt's own texts, and the locale Qt formats with. Returns the language
    in use (English when `code` has no catalogue)."""
    code = i18n.set_language(code)
    app = QApplication.instance()
    if app is not None:
        holder = app.findChild(QtTranslations, "qtTranslations")
        if holder is None:
            holder = QtTranslations(app)
            holder.setObjectName("qtTranslations")
        holder.use(code)
    return code


def missing_font_message(code: str) -> str | None:
    """A plain sentence when no installed font can draw this language's script (Qt would draw boxes)."""
    system = SCRIPT_OF.get(code)
    if system is None or QFontDatabase.families(system):
        return None
    return tr("No font on this computer can show Korean letters, so they appear as boxes. Install a Korean font "
              "({packages} on Debian and Ubuntu) and start NN Studio again.", packages=tr(FONT_PACKAGES[code]))


class LanguageMenu(QObject):
    """View → Language: one entry per catalogue, in its own name (한국어, English); choosing one switches now."""

    def __init__(self, window, switch: Callable[[object, str], object]) -> None:
        super().__init__(window)
        self.window = window
        self.switch = switch
        self.group = QActionGroup(self)
        self.group.setExclusive(True)
        self.actions: dict[str, QAction] = {}
        for code, name in i18n.available_languages().items():
            action = QAction(name, self, checkable=True)
            action.setObjectName(f"language_{code}")
            action.setChecked(code == i18n.language())
            action.triggered.connect(lambda checked=False, c=code: self.choose(c))
            self.group.addAction(action)
            self.actions[code] = action

    def choose(self, code: str) -> None:
        store = settings()
        store.setValue(SETTINGS_KEY, code)
        store.sync()
        if code != i18n.language():
            self.switch(self.window, code)


def carry_window_state(old, new) -> None:
    """What the student arranged stays when the window is rebuilt in another language: size, docks, the tab in
    front, the canvas's zoom and scroll."""
    # Size and frame corner as they are (restoreGeometry would put the window a title bar lower; see window_layout).
    new.resize(old.size())
    new.move(old.pos())
    if old.isMaximized():
        new.setWindowState(new.windowState() | Qt.WindowState.WindowMaximized)
    state = old.saveState()
    new.restoreState(QByteArray(state))
    new.tabs.setCurrentIndex(old.tabs.currentIndex())
    new.canvas.setTransform(old.canvas.transform())
    new.canvas.horizontalScrollBar().setValue(old.canvas.horizontalScrollBar().value())
    new.canvas.verticalScrollBar().setValue(old.canvas.verticalScrollBar().value())


__all__ = ["LanguageMenu", "QtTranslations", "apply_language", "carry_window_state", "language_argument",
           "missing_font_message", "remembered_language", "startup_language", "without_language_argument"]
