"""Finding text that is cut off: every visible label, button, tab, group title and header section whose text is
wider (or, wrapped, taller) than the room its widget gives it."""

from __future__ import annotations

import re
from collections.abc import Iterator

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFontMetrics, QTextDocument
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDockWidget,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QRadioButton,
    QStatusBar,
    QStyle,
    QStyleOptionComboBox,
    QStyleOptionDockWidget,
    QTabBar,
    QToolBar,
    QToolButton,
    QWidget,
)

SLACK = 2   # pixels of rounding a text may exceed its room by
Measure = tuple[str, str, int, int]   # what, which size ("width", "height"…), pixels needed, pixels it has


def shown_text(text: str) -> str:
    """A widget's text as it is drawn: the shortcut marks gone ("&&" is a real "&")."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def _name(widget: QWidget) -> str:
    return f"{type(widget).__name__}#{widget.objectName() or '?'}"


def _widest_line(metrics: QFontMetrics, text: str) -> int:
    return max(metrics.horizontalAdvance(line) for line in text.split("\n"))


def _is_rich(label: QLabel) -> bool:
    fmt = label.textFormat()
    return fmt == Qt.TextFormat.RichText or (fmt == Qt.TextFormat.AutoText and GuiQt.mightBeRichText(label.text()))


def _label_sizes(label: QLabel) -> Iterator[Measure]:
    text = label.text()
    if not text or label.pixmap() is not None and not label.pixmap().isNull():
        return
    room = label.contentsRect()
    inner_width = room.width() - 2 * label.margin() - max(label.indent(), 0)
    if label.wordWrap():
        yield f"{_name(label)} {text!r} (wrapped)", "height", label.heightForWidth(label.width()), label.height()
        # Qt wraps at spaces only: a longer unbroken piece (a path, a long word) runs past the label's edge.
        words = re.sub(r"<[^>]+>", " ", text) if _is_rich(label) else text
        metrics = QFontMetrics(label.font())
        for piece in re.split(r"[\s\u200b]+|&nbsp;", words):
            yield f"{_name(label)} piece {piece!r} of {text!r}", "width", metrics.horizontalAdvance(piece), \
                room.width()
        return
    metrics = QFontMetrics(label.font())
    if _is_rich(label):
        document = QTextDocument()
        document.setDefaultFont(label.font())
        document.setDocumentMargin(0)
        document.setHtml(text)
        width, height = int(document.idealWidth()), int(document.size().height())
    else:
        width = _widest_line(metrics, shown_text(text))
        height = metrics.height() * (text.count("\n") + 1)
    yield f"{_name(label)} {text!r}", "width", width, inner_width
    yield f"{_name(label)} {text!r}", "height", height, room.height()


def _button_sizes(button: QAbstractButton) -> Iterator[Measure]:
    text = shown_text(button.text())
    if not text:
        return
    if isinstance(button, QToolButton) and button.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonIconOnly \
            and not button.icon().isNull():
        return
    style, metrics = button.style(), QFontMetrics(button.font())
    needed = _widest_line(metrics, text)
    if not button.icon().isNull():
        needed += button.iconSize().width() + 4
    if isinstance(button, QCheckBox):
        needed += style.pixelMetric(QStyle.PixelMetric.PM_IndicatorWidth, None, button) \
            + style.pixelMetric(QStyle.PixelMetric.PM_CheckBoxLabelSpacing, None, button)
    elif isinstance(button, QRadioButton):
        needed += style.pixelMetric(QStyle.PixelMetric.PM_ExclusiveIndicatorWidth, None, button) \
            + style.pixelMetric(QStyle.PixelMetric.PM_RadioButtonLabelSpacing, None, button)
    elif isinstance(button, QPushButton):
        needed += 2 * style.pixelMetric(QStyle.PixelMetric.PM_DefaultFrameWidth, None, button)
        if button.menu() is not None:
            needed += style.pixelMetric(QStyle.PixelMetric.PM_MenuButtonIndicator, None, button)
    yield f"{_name(button)} {text!r}", "width", needed, button.width()
    yield f"{_name(button)} {text!r}", "height", metrics.height() * (text.count("\n") + 1), button.height()


def _tab_sizes(bar: QTabBar) -> Iterator[Measure]:
    metrics = QFontMetrics(bar.font())
    space = bar.style().pixelMetric(QStyle.PixelMetric.PM_TabBarTabHSpace, None, bar)
    for index in range(bar.count()):
        if not bar.isTabVisible(index):
            continue
        text = shown_text(bar.tabText(index))
        rect = bar.tabRect(index)
        needed = metrics.horizontalAdvance(text) + space
        if not bar.tabIcon(index).isNull():
            needed += bar.iconSize().width() + 4
        where = f"{_name(bar)} tab {text!r}"
        yield where, "width", needed, rect.width()
        # A tab scrolled out of its bar is hidden as surely as an elided one.
        yield where, "room in its bar", rect.right() + 1, bar.width()
        yield where, "start in its bar", 0, rect.left()


def _group_sizes(group: QGroupBox) -> Iterator[Measure]:
    title = shown_text(group.title())
    if not title:
        return
    style = group.style()
    needed = QFontMetrics(group.font()).horizontalAdvance(title) + 8
    if group.isCheckable():
        needed += style.pixelMetric(QStyle.PixelMetric.PM_IndicatorWidth, None, group) \
            + style.pixelMetric(QStyle.PixelMetric.PM_CheckBoxLabelSpacing, None, group)
    yield f"{_name(group)} title {title!r}", "width", needed, group.width()


def _header_sizes(header: QHeaderView) -> Iterator[Measure]:
    model = header.model()
    if model is None:
        return
    metrics = QFontMetrics(header.font())
    margin = header.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, header)
    horizontal = header.orientation() == Qt.Orientation.Horizontal
    count = model.columnCount() if horizontal else model.rowCount()
    for section in range(count):
        if header.isSectionHidden(section):
            continue
        text = model.headerData(section, header.orientation(), Qt.ItemDataRole.DisplayRole)
        if text is None or str(text) == "":
            continue
        text = str(text)
        needed = _widest_line(metrics, text) + 2 * margin
        if header.isSortIndicatorShown() and header.sortIndicatorSection() == section:
            needed += header.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMarkSize, None, header)
        room = header.sectionSize(section) if horizontal else header.width()
        yield f"{_name(header)} of {_name(header.parentWidget())} section {text!r}", "width", needed, room


def _combo_sizes(combo: QComboBox) -> Iterator[Measure]:
    if combo.isEditable():
        return
    option = QStyleOptionComboBox()
    combo.initStyleOption(option)
    text = option.currentText   # what the closed box draws (a combo may show a short form of its item)
    if not text:
        return
    field = combo.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                         QStyle.SubControl.SC_ComboBoxEditField, combo)
    needed = QFontMetrics(combo.font()).horizontalAdvance(text)
    if not combo.itemIcon(combo.currentIndex()).isNull():
        needed += combo.iconSize().width() + 4
    # Qt draws the chosen item elided ("Standar…") in this field when it is too narrow.
    yield f"{_name(combo)} choice {text!r}", "width", needed, field.width()


def _dock_title_sizes(dock: QDockWidget) -> Iterator[Measure]:
    title = shown_text(dock.windowTitle())
    if not title or dock.titleBarWidget() is not None:
        return
    main = dock.parentWidget()
    if isinstance(main, QMainWindow) and main.tabifiedDockWidgets(dock):
        return   # a tab of a group: its title is a tab (checked with the tab bars), not a title bar
    option = QStyleOptionDockWidget()
    option.initFrom(dock)
    option.rect = QRect(0, 0, dock.width(), 24)
    option.title = title
    option.closable = bool(dock.features() & QDockWidget.DockWidgetFeature.DockWidgetClosable)
    option.floatable = bool(dock.features() & QDockWidget.DockWidgetFeature.DockWidgetFloatable)
    # The room left of the close and float buttons, where Qt elides the title.
    room = dock.style().subElementRect(QStyle.SubElement.SE_DockWidgetTitleBarText, option, dock).width()
    yield f"{_name(dock)} title {title!r}", "width", QFontMetrics(dock.font()).horizontalAdvance(title), room


def _status_sizes(bar: QStatusBar) -> Iterator[Measure]:
    message = bar.currentMessage()
    if message:
        grip = 0 if not bar.isSizeGripEnabled() else 20
        yield f"{_name(bar)} message {message!r}", "width", \
            QFontMetrics(bar.font()).horizontalAdvance(message) + 8, bar.width() - grip


def _spin_sizes(spin: QAbstractSpinBox) -> Iterator[Measure]:
    text = spin.text()   # with its prefix and suffix ("3 of 150")
    edit = spin.findChild(QLineEdit)
    if text and edit is not None:
        room = edit.contentsRect().width() - 2 * 2   # QLineEdit's own side margins
        yield f"{_name(spin)} text {text!r}", "width", QFontMetrics(edit.font()).horizontalAdvance(text), room


def _toolbar_sizes(bar: QToolBar) -> Iterator[Measure]:
    # A toolbar too short for its buttons hides the last ones behind its » button.
    for action in bar.actions():
        button = bar.widgetForAction(action)
        if action.isVisible() and not action.isSeparator() and button is not None:
            yield f"{_name(bar)} button {shown_text(action.text())!r}", "place in the toolbar", \
                0 if button.isVisible() else 1, 0


SIZES = ((QLabel, _label_sizes), (QAbstractButton, _button_sizes), (QGroupBox, _group_sizes), (QTabBar, _tab_sizes),
         (QHeaderView, _header_sizes), (QComboBox, _combo_sizes),
         (QDockWidget, _dock_title_sizes), (QStatusBar, _status_sizes),
         (QAbstractSpinBox, _spin_sizes), (QToolBar, _toolbar_sizes))


def measurements(root: QWidget) -> Iterator[Measure]:
    """(what, which size, pixels needed, pixels it has) for every visible text under root, root included."""
    for widget in [root, *root.findChildren(QWidget)]:
        if widget.isVisible():
            for kind, sizes in SIZES:
                if isinstance(widget, kind):
                    yield from sizes(widget)
                    break


def clipped_texts(root: QWidget) -> list[str]:
    """Every visible text under root that does not fit its room, as 'widget 'text': needs N px of width, has M'."""
    return [f"{what}: needs {needed} px of {size}, has {room}" for what, size, needed, room in measurements(root)
            if needed > room + SLACK]
