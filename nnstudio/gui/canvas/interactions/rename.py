"""Renaming on the card: a text box over the layer's name; Enter renames (one undo step), Esc cancels."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLabel, QLineEdit

from ....core.i18n import tr
from ...editing.commands import Rename
from ..items import style

if TYPE_CHECKING:
    from ..view import Canvas


class NameEditor(QLineEdit):
    """The line edit shown over a card's name while renaming; Esc cancels, Enter asks the canvas to commit."""

    cancelled = Signal()
    left = Signal()  # the user clicked elsewhere

    def focusOutEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().focusOutEvent(event)
        # A popup or another window taking focus for a moment is not "clicking elsewhere".
        if event.reason() not in (Qt.FocusReason.PopupFocusReason, Qt.FocusReason.ActiveWindowFocusReason):
            self.left.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if event.key() == Qt.Key.Key_Escape:
            self.cancelled.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class InlineRename:
    """Owns the text box and the red hint under it; whether a name is allowed is the graph's to say."""

    def __init__(self, canvas: Canvas) -> None:
        self.canvas = canvas
        self.editor: Optional[NameEditor] = None
        self.node_id: Optional[str] = None
        self.hint: Optional[QLabel] = None

    @property
    def is_open(self) -> bool:
        return self.editor is not None

    def start(self, node_id: str) -> None:
        canvas = self.canvas
        item = canvas.node_item(node_id)
        if item is None:
            return
        self.close()
        rect = canvas.mapFromScene(item.mapToScene(item.title_rect())).boundingRect()
        editor = NameEditor(canvas.viewport())
        editor.setObjectName("renameEditor")
        editor.setText(canvas.graph.nodes[node_id].name)
        editor.selectAll()
        font = editor.font()
        font.setPixelSize(max(9, min(40, round(13 * canvas.zoom_level()))))
        editor.setFont(font)
        editor.setGeometry(rect.adjusted(0, 0, 0, 4))
        editor.returnPressed.connect(self.commit)
        editor.cancelled.connect(self.close)
        editor.left.connect(self._on_left)
        self.editor, self.node_id = editor, node_id
        editor.show()
        editor.setFocus()

    def commit(self) -> None:
        editor, node_id, graph = self.editor, self.node_id, self.canvas.graph
        if editor is None or node_id is None or node_id not in graph.nodes:
            self.close()
            return
        name = editor.text().strip()
        node = graph.nodes[node_id]
        if name == node.name:
            self.close()
            return
        problem = graph.rename_problem(node_id, name)
        if problem:
            reason = tr("Cannot rename '{layer}': {problem}.", layer=node.name, problem=problem)
            editor.setToolTip(reason)
            editor.setStyleSheet(f"border: 2px solid {style.ERROR_COLOUR.name()};")
            self._show_hint(reason)
            self.canvas.message.emit(reason)
            return  # keep the box open so the name can be fixed
        self.close()
        self.canvas.document.push(Rename(graph, node_id, name))

    def _show_hint(self, reason: str) -> None:
        """The reason, in red right under the text box, where the student is looking."""
        editor = self.editor
        if editor is None:
            return
        if self.hint is None:
            self.hint = QLabel(self.canvas.viewport())
            self.hint.setObjectName("renameHint")
            self.hint.setWordWrap(True)
            self.hint.setStyleSheet(
                f"background: #fff4f3; color: {style.ERROR_COLOUR.name()}; border: 1px solid "
                f"{style.ERROR_COLOUR.name()}; border-radius: 3px; padding: 3px;")
        hint = self.hint
        hint.setText(reason)
        hint.setFixedWidth(max(editor.width(), 260))
        hint.adjustSize()
        hint.move(editor.x(), editor.y() + editor.height() + 2)
        hint.show()

    def _on_left(self) -> None:
        # Clicking elsewhere keeps a valid new name (like a file manager) and drops an invalid one.
        editor = self.editor
        if editor is not None and editor.isVisible():
            self.commit()
            if self.editor is editor:
                self.close()

    def close(self) -> None:
        editor, self.editor, self.node_id = self.editor, None, None
        if self.hint is not None:
            self.hint.hide()
        if editor is not None:
            editor.hide()
            editor.deleteLater()
            self.canvas.setFocus()
