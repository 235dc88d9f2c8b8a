"""The Code panel: the model.py of the current drawing, coloured like an editor, kept up to date as it changes."""

from __future__ import annotations

import keyword
import logging
from typing import Any, Optional

from PySide6.QtCore import QRegularExpression, QTimer
from PySide6.QtGui import (QColor, QFont, QFontDatabase, QGuiApplication, QShowEvent, QSyntaxHighlighter,
                           QTextCharFormat, QTextDocument)
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from ...core.i18n import tr

log = logging.getLogger(__name__)

UPDATE_DELAY_MS = 300  # a burst of edits (a spin box held down) redraws the code once


def _format(colour: str, bold: bool = False, italic: bool = False) -> QTextCharFormat:
    text_format = QTextCharFormat()
    text_format.setForeground(QColor(colour))
    if bold:
        text_format.setFontWeight(QFont.Weight.Bold)
    text_format.setFontItalic(italic)
    return text_format


class PythonHighlighter(QSyntaxHighlighter):
    """Colours Python's keywords, strings, comments and numbers (docstrings over several lines too)."""

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        words = "|".join(keyword.kwlist)
        self.rules: list[tuple[QRegularExpression, QTextCharFormat]] = [
            (QRegularExpression(rf"\b({words})\b"), _format("#0033b3", bold=True)),
            (QRegularExpression(r"\b(self|super|nn|torch|F)\b"), _format("#871094")),
            (QRegularExpression(r"\b[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?\b"), _format("#1750eb")),
            (QRegularExpression(r"\"[^\"\n]*\"|'[^'\n]*'"), _format("#067d17")),
            (QRegularExpression(r"#[^\n]*"), _format("#8c8c8c", italic=True)),
        ]
        self.docstring_format = _format("#067d17", italic=True)
        self.triple_quote = QRegularExpression('"""')

    def highlightBlock(self, text: str) -> None:  # noqa: N802 - Qt's name
        for pattern, text_format in self.rules:
            matches = pattern.globalMatch(text)
            while matches.hasNext():
                match = matches.next()
                self.setFormat(match.capturedStart(), match.capturedLength(), text_format)
        self._docstrings(text)

    def _docstrings(self, text: str) -> None:
        """Triple-quoted text, which may run over many lines: block state 1 means 'inside a docstring'."""
        self.setCurrentBlockState(0)
        start = 0 if self.previousBlockState() == 1 else -1
        search_from = 0
        if start < 0:
            match = self.triple_quote.match(text)
            start = match.capturedStart() if match.hasMatch() else -1
            search_from = start + 3
        while start >= 0:
            end_match = self.triple_quote.match(text, search_from)
            if end_match.hasMatch():
                end = end_match.capturedEnd()
                self.setFormat(start, end - start, self.docstring_format)
                next_match = self.triple_quote.match(text, end)
                start = next_match.capturedStart() if next_match.hasMatch() else -1
                search_from = start + 3
            else:
                self.setCurrentBlockState(1)
                self.setFormat(start, len(text) - start, self.docstring_format)
                break


def code_for(document: Any) -> str:
    """The model.py of the document's drawing, or a comment saying why there is none yet (never raises)."""
    errors = [issue.message for issue in document.analysis.errors]
    if errors:
        return _problems_comment(errors)
    from ...engine.compiler import CompileError, compile_graph  # noqa: PLC0415 - torch, only when shown
    from ...engine.export.codegen import model_source, project_name  # noqa: PLC0415

    project = document.project
    graph = project.graph.to_dict()
    try:
        # Building the modules (not training them) is what tells the code its sizes.
        model = compile_graph(graph, document.data_context, seed=project.training.seed)
        return model_source(model, graph, project_name(project))
    except CompileError as exc:
        return _problems_comment(list(exc.messages))
    except (ValueError, KeyError) as exc:  # a layer the code writer cannot express yet
        log.warning("no code for this drawing: %s", exc)
        return _problems_comment([tr("This drawing cannot be written as code yet: {error}", error=exc)])


def _problems_comment(messages: list[str]) -> str:
    # Read in the panel (never exported): in the student's language.
    lines = ["# " + tr("The network has problems to fix before it can be written as code:"), "#"]
    lines += [f"#   - {message}" for message in messages]
    lines += ["#", "# " + tr("Fix them in the drawing (see the Issues panel) and the code appears here.")]
    return "\n".join(lines) + "\n"


class CodeView(QWidget):
    """A read-only editor with the generated model.py, refreshed (only while visible) as the drawing changes."""

    def __init__(self, document: Any, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("codePanel")
        self.document = document
        self._stale = True

        self.editor = QPlainTextEdit()
        self.editor.setObjectName("codeView")
        self.editor.setReadOnly(True)
        self.editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.highlighter = PythonHighlighter(self.editor.document())
        self.copy_button = QPushButton(tr("Copy"))
        self.copy_button.setObjectName("copyCodeButton")
        self.copy_button.setToolTip(tr("Copy model.py to the clipboard, to paste it into your own Python file"))
        self.copy_button.clicked.connect(self.copy_to_clipboard)
        caption = QLabel(tr("model.py — the drawing as PyTorch code"))
        caption.setObjectName("codeCaption")

        bar = QHBoxLayout()
        bar.addWidget(caption, 1)
        bar.addWidget(self.copy_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.editor, 1)

        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(UPDATE_DELAY_MS)
        self.timer.timeout.connect(self._update_if_visible)
        # analysis_changed follows every graph edit and every new data context (sizes come from the data).
        document.analysis_changed.connect(self.schedule_update)
        document.project_replaced.connect(self.schedule_update)

    def schedule_update(self) -> None:
        self._stale = True
        self.timer.start()

    def is_on_screen(self) -> bool:
        # A dock behind another dock's tab still counts as visible to Qt; only its visible region says it is covered.
        return self.isVisible() and not self.visibleRegion().isEmpty()

    def _update_if_visible(self) -> None:
        # Compiling imports torch and builds the layers: not worth doing for a panel nobody looks at.
        if self.is_on_screen():
            self.update_code()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._stale:
            self.timer.start()

    def shown_changed(self, shown: bool) -> None:
        """Connected to the dock's visibilityChanged: its tab was brought to the front (or hidden)."""
        if shown and self._stale:
            self.timer.start()

    def update_code(self) -> None:
        self.timer.stop()
        self._stale = False
        text = code_for(self.document)
        if text == self.editor.toPlainText():
            return
        # Keep the reader's place in the code while it changes under them.
        scroll = self.editor.verticalScrollBar().value()
        self.editor.setPlainText(text)
        self.editor.verticalScrollBar().setValue(scroll)

    def code(self) -> str:
        return self.editor.toPlainText()

    def copy_to_clipboard(self) -> None:
        if self._stale:
            self.update_code()
        QGuiApplication.clipboard().setText(self.code())
