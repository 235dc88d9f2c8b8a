"""The app's one settings store (QSettings), kept apart so tests never touch the user's own settings."""

from __future__ import annotations

import os

from PySide6.QtCore import QSettings


def settings() -> QSettings:
    """The app's settings; tests set NNSTUDIO_SETTINGS_SCOPE so they never touch the user's own."""
    return QSettings("NN Studio", os.environ.get("NNSTUDIO_SETTINGS_SCOPE") or "NN Studio")
