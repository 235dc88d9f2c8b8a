"""Copy, cut, paste and duplicate of selected layers, through the system clipboard (so other windows can paste)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Optional

from PySide6.QtCore import QMimeData
from PySide6.QtWidgets import QApplication

from ...core.i18n import ntr, tr
from ..editing.commands import Paste, RemoveItems
from .items import style

if TYPE_CHECKING:
    from .view import Canvas

PASTE_SHIFT = 40.0  # scene pixels each new copy moves right and down, so it does not hide the original


class CanvasClipboard:
    """Copies the selection as a JSON fragment and pastes fragments as one undo step each."""

    def __init__(self, canvas: Canvas) -> None:
        self.canvas = canvas
        self._paste_count = 0
        self._last_copied: Optional[str] = None

    def copy_selection(self) -> dict:
        """Copy the selected layers and the wires among them to the clipboard; returns the fragment."""
        canvas = self.canvas
        fragment = canvas.graph.subgraph_dict(canvas.selected_node_ids())
        if not fragment["nodes"]:
            return fragment
        text = json.dumps(fragment)
        mime = QMimeData()
        mime.setData(style.FRAGMENT_MIME_TYPE, text.encode("utf-8"))
        QApplication.clipboard().setMimeData(mime)
        self._last_copied, self._paste_count = text, 0
        return fragment

    def cut_selection(self) -> dict:
        fragment = self.copy_selection()
        if fragment["nodes"]:
            canvas = self.canvas
            command = RemoveItems(canvas.graph, canvas.selected_node_ids(), [])
            command.setText(ntr("Cut {n} layer", "Cut {n} layers", len(fragment["nodes"])))
            canvas.document.push(command)
        return fragment

    def paste(self) -> list[str]:
        """Paste layers copied here or in another window."""
        mime = QApplication.clipboard().mimeData()
        if mime is None or not mime.hasFormat(style.FRAGMENT_MIME_TYPE):
            self.canvas.message.emit(tr("There are no copied layers to paste."))
            return []
        try:
            fragment = json.loads(bytes(mime.data(style.FRAGMENT_MIME_TYPE)).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            self.canvas.message.emit(tr("The copied layers could not be read ({error}).", error=exc))
            return []
        return self.paste_fragment(fragment)

    def paste_fragment(self, fragment: dict, offset: Optional[tuple[float, float]] = None) -> list[str]:
        """Add a copied fragment with fresh ids and names, shifted so it does not hide the original."""
        if not fragment.get("nodes"):
            return []
        if offset is None:
            # Pasting the same layers again shifts each copy a little further, like a stack of cards.
            text = json.dumps(fragment)
            self._paste_count = self._paste_count + 1 if text == self._last_copied else 1
            self._last_copied = text
            offset = (PASTE_SHIFT * self._paste_count, PASTE_SHIFT * self._paste_count)
        try:
            command = Paste(self.canvas.graph, fragment, offset)
        except (KeyError, TypeError, ValueError) as exc:  # GraphError is a ValueError
            self.canvas.message.emit(tr("The copied layers could not be pasted: {error}", error=exc))
            return []
        return self._push(command)

    def duplicate_selection(self) -> list[str]:
        canvas = self.canvas
        fragment = canvas.graph.subgraph_dict(canvas.selected_node_ids())
        if not fragment["nodes"]:
            return []
        return self._push(Paste(canvas.graph, fragment, (PASTE_SHIFT, PASTE_SHIFT), text="Duplicate"))

    def _push(self, command: Paste) -> list[str]:
        if not self.canvas.document.push(command):
            return []
        self.canvas.select_only(command.new_ids)
        return list(command.new_ids)
