"""Icons for layer types and the app, drawn as SVG files in resources/icons."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PySide6.QtGui import QIcon

from ...core.layers import canonical_type, layer_spec

ICONS_DIR = Path(__file__).resolve().parents[3] / "resources" / "icons"
FALLBACK_ICON = "layer"


def icon_path(icon_name: str) -> Path:
    """The SVG file for an icon name; the plain 'layer' square when there is no such file."""
    path = ICONS_DIR / f"{icon_name}.svg"
    return path if path.is_file() else ICONS_DIR / f"{FALLBACK_ICON}.svg"


@lru_cache(maxsize=None)
def _icon(icon_name: str) -> QIcon:
    # QIcon renders the SVG at whatever size a view asks for, so one file serves every place.
    return QIcon(str(icon_path(icon_name)))


def layer_icon(type_name: str) -> QIcon:
    """The icon of a layer type (as named in its spec), following renamed types."""
    canonical = canonical_type(type_name)
    icon_name = layer_spec(canonical).icon if canonical else ""
    return _icon(icon_name or FALLBACK_ICON)


def app_icon() -> QIcon:
    return _icon("app")
