"""The issues list: every problem the analysis finds, in plain words; clicking one shows its layer."""

from __future__ import annotations

from typing import Optional

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QStyle, QWidget

from ...core.analysis import ERROR, Issue, errors_first, issue_counts_text
from ...core.i18n import N_, tr
from ..editing.document import Document

NODE_ROLE = Qt.ItemDataRole.UserRole
NO_PROBLEMS = N_("No problems found")  # shown with tr()
ERROR_COLOUR = QColor("#c0392b")
WARNING_COLOUR = QColor("#9a6700")


class IssuesPanel(QListWidget):
    """One row per issue, errors first; `node_activated(node_id)` asks to select and centre that layer."""

    node_activated = Signal(str)
    title_changed = Signal(str)  # "Issues (2 errors, 1 warning)" for the dock's title

    def __init__(self, document: Document, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("issuesList")
        self.document = document
        self.setWordWrap(True)
        self.setAlternatingRowColors(True)
        self.setUniformItemSizes(False)
        self.itemClicked.connect(self._on_item)
        self.itemActivated.connect(self._on_item)
        document.analysis_changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        self.clear()
        issues = errors_first(self.document.analysis.issues)
        style = self.style()
        for issue in issues:
            is_error = issue.severity == ERROR
            item = QListWidgetItem(self._text(issue))
            item.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical if is_error
                                            else QStyle.StandardPixmap.SP_MessageBoxWarning))
            item.setForeground(QBrush(ERROR_COLOUR if is_error else WARNING_COLOUR))
            item.setData(NODE_ROLE, issue.node_id)
            item.setToolTip(tr("{issue}\nClick to show the layer.", issue=issue.labelled()) if issue.node_id
                            else issue.labelled())
            self.addItem(item)
        if not issues:
            item = QListWidgetItem(tr(NO_PROBLEMS))
            item.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_DialogApplyButton))
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)  # nothing to click through to
            self.addItem(item)
        detail = issue_counts_text(issues)
        self.title_changed.emit(tr("Issues ({detail})", detail=detail) if detail else tr("Issues"))

    def _text(self, issue: Issue) -> str:
        """The message, led by the layer's name when the message does not already say which layer."""
        name = self.document.graph.nodes[issue.node_id].name if issue.node_id in self.document.graph.nodes else None
        return issue.with_layer_name(name)

    def messages(self) -> list[str]:
        return [self.item(i).text() for i in range(self.count())]

    def _on_item(self, item: QListWidgetItem) -> None:
        node_id = item.data(NODE_ROLE)
        if node_id and node_id in self.document.graph.nodes:
            self.node_activated.emit(node_id)
