"""The palette: every layer type, grouped and searchable, to drag onto the canvas or add with a double-click."""

from __future__ import annotations

from typing import Optional

from PySide6.QtCore import QMimeData, QSize, Qt, Signal
from PySide6.QtGui import QDrag, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.i18n import tr
from ...core.layers import LayerSpec, layers_by_category
from ..canvas.items.style import (
    LAYER_MIME_TYPE,  # written here, read by the canvas on drop: one definition
)
from ..widgets.icons import layer_icon

TYPE_ROLE = Qt.ItemDataRole.UserRole


def layer_mime_data(type_name: str) -> QMimeData:
    """What a drag from the palette carries: the layer type's name, which the canvas reads on drop."""
    mime = QMimeData()
    mime.setData(LAYER_MIME_TYPE, type_name.encode("utf-8"))
    mime.setText(type_name)  # so a drop into a text field shows something sensible
    return mime


class _LayerTree(QTreeWidget):
    """The tree of categories and layers; starts drags carrying the layer type and adds on Enter."""

    layer_activated = Signal(str)

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.setRootIsDecorated(False)
        self.setIndentation(8)
        self.setIconSize(QSize(22, 22))
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setUniformRowHeights(False)
        self.setAnimated(True)
        self.itemDoubleClicked.connect(self._on_double_click)

    def mimeTypes(self) -> list[str]:  # noqa: N802 - Qt's name
        return [LAYER_MIME_TYPE]

    def mimeData(self, items: list[QTreeWidgetItem]) -> QMimeData:  # noqa: N802 - Qt's name
        type_names = [i.data(0, TYPE_ROLE) for i in items if i.data(0, TYPE_ROLE)]
        return layer_mime_data(type_names[0]) if type_names else QMimeData()

    def startDrag(self, actions: Qt.DropAction) -> None:  # noqa: N802 - Qt's name
        item = self.currentItem()
        type_name = item.data(0, TYPE_ROLE) if item else None
        if not type_name:
            return  # a category heading is not a layer
        drag = QDrag(self)
        drag.setMimeData(layer_mime_data(type_name))
        drag.setPixmap(item.icon(0).pixmap(32, 32))
        drag.exec(Qt.DropAction.CopyAction)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        item = self.currentItem()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and item and item.data(0, TYPE_ROLE):
            self.layer_activated.emit(item.data(0, TYPE_ROLE))
            return
        super().keyPressEvent(event)

    def _on_double_click(self, item: QTreeWidgetItem, column: int) -> None:
        type_name = item.data(0, TYPE_ROLE)
        if type_name:
            self.layer_activated.emit(type_name)


class Palette(QWidget):
    """Layer types by category with icons, help tooltips and a search box.

    `layer_requested(type_name)` asks for the layer to be appended after the selected node."""

    layer_requested = Signal(str)

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("palette")
        self.search = QLineEdit(self)
        self.search.setObjectName("paletteSearch")
        self.search.setPlaceholderText(tr("Search layers…"))
        self.search.setClearButtonEnabled(True)
        self.tree = _LayerTree(self)
        self.tree.setObjectName("paletteTree")
        self.hint = QLabel(tr("Drag a layer onto the canvas, or double-click it to add it after the selected one."),
                           self)
        self.hint.setWordWrap(True)
        self.hint.setObjectName("paletteHint")
        self.hint.setStyleSheet("color: #6b7280; font-size: 11px;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(6)
        layout.addWidget(self.search)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.hint)
        self._layer_items: dict[str, QTreeWidgetItem] = {}
        self._fill()
        self.search.textChanged.connect(self.filter)
        self.tree.layer_activated.connect(self.layer_requested)

    def _fill(self) -> None:
        bold = self.tree.font()
        bold.setBold(True)
        for category, specs in layers_by_category().items():
            if not specs:
                continue
            heading = QTreeWidgetItem(self.tree, [tr(category)])
            heading.setFont(0, bold)
            # Headings only group: they cannot be dragged or selected.
            heading.setFlags(Qt.ItemFlag.ItemIsEnabled)
            for spec in specs:
                self._layer_items[spec.type] = self._make_item(heading, spec)
            heading.setExpanded(True)

    @staticmethod
    def _make_item(heading: QTreeWidgetItem, spec: LayerSpec) -> QTreeWidgetItem:
        item = QTreeWidgetItem(heading, [spec.type])
        item.setIcon(0, layer_icon(spec.type))
        item.setData(0, TYPE_ROLE, spec.type)
        item.setToolTip(0, f"<b>{spec.type}</b><br>{tr(spec.help)}")
        item.setStatusTip(0, tr(spec.help))
        item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled)
        return item

    # ------------------------------------------------------------ queries used by tests and the window
    def layer_types(self) -> list[str]:
        return list(self._layer_items)

    def item_for(self, type_name: str) -> QTreeWidgetItem:
        return self._layer_items[type_name]

    def visible_layer_types(self) -> list[str]:
        return [t for t, item in self._layer_items.items() if not item.isHidden()]

    def mime_data_for(self, type_name: str) -> QMimeData:
        """The data a drag of this entry carries (the same as a real drag from the tree)."""
        return self.tree.mimeData([self._layer_items[type_name]])

    # ------------------------------------------------------------ search
    def filter(self, text: str) -> None:
        """Show only layers whose name or help mentions every word typed."""
        words = text.lower().split()
        for index in range(self.tree.topLevelItemCount()):
            heading = self.tree.topLevelItem(index)
            any_shown = False
            for child_index in range(heading.childCount()):
                item = heading.child(child_index)
                haystack = f"{item.text(0)} {item.statusTip(0)}".lower()
                shown = all(word in haystack for word in words)
                item.setHidden(not shown)
                any_shown = any_shown or shown
            heading.setHidden(not any_shown)
