"""Reading a window as a Korean student does: every text it shows, and which of them are still English."""

from __future__ import annotations

import re

from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QAbstractButton, QComboBox, QDockWidget, QGroupBox, QLabel, QLineEdit, QMenu,
                               QTableWidget, QTabBar, QTreeWidget, QWidget)

HANGUL = re.compile(r"[\uac00-\ud7a3]")
# Names that stay in Latin letters in the Korean app (the issue allows technical names) and names that come from
# the project or its data rather than from NN Studio.
TECHNICAL = re.compile(
    r"\b(NN Studio|Dense|Input|Output|Flatten|Concatenate|Add|Dropout|BatchNormalization|LayerNormalization|"
    r"Activation|ReLU|relu|tanh|sigmoid|softmax|linear|step|sign|Adam|AdamW|SGD|RMSprop|Adagrad|Nesterov|ONNX|"
    r"XOR|AND|OR|NAND|MSE|MAE|R²|F1|TP|FP|FN|TN|CPU|GPU|CUDA|CSV|IDX|MNIST|PyTorch|TorchScript|safetensors|"
    r"nnzip|nnstudio|None|inputs|hidden|xor|epoch|x\d|w\d|b|z|ln|Ctrl|Shift|F\d+|Del|Esc|Enter|Wide|Deep|He|"
    r"Glorot|Xavier|Iris|iris|scikit-learn|sklearn|NumPy|npz|png|PNG|Python|py|model|train|data|html|json|JSON|"
    r"Keras|SUM|ID|English)\b")
# A file name or a path (Open Recent, the title): the student's own words.
FILE_NAME = re.compile(r"^\S*[/\\]\S*$|^\S+\.\w{1,8}$")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def _plain(text: str) -> str:
    text = re.sub(r"<[^>]+>", " ", text or "")        # rich text: the words only
    return text.replace("&&", "&").replace("&", "")


def needs_words(text: str) -> bool:
    """Whether a text has words a student reads (not only numbers, symbols, technical names or file names)."""
    if FILE_NAME.match(text.strip()):
        return False
    return bool(HANGUL.search(text) or LATIN_WORD.search(TECHNICAL.sub(" ", text)))


def is_english(text: str) -> bool:
    """Has English words left once technical names are set aside, and no Hangul."""
    return not HANGUL.search(text) and bool(LATIN_WORD.search(TECHNICAL.sub(" ", text)))


def _menu_texts(menu: QMenu, out: list[tuple[str, str]]) -> None:
    out.append(("menu", menu.title()))
    for action in menu.actions():
        if action.isSeparator():
            continue
        if action.menu() is not None:
            _menu_texts(action.menu(), out)
        else:
            out.append(("menu action", action.text()))
            if action.toolTip() and action.toolTip() != action.text().replace("&", ""):
                out.append(("menu tooltip", action.toolTip()))


def visible_texts(window: QWidget) -> list[tuple[str, str]]:
    """(kind, text) of everything the window shows now: menus (every item, as they open), toolbar, tabs, dock
    titles, and the visible widgets' texts, placeholders and tooltips."""
    out: list[tuple[str, str]] = []
    for action in window.menuBar().actions():
        if action.menu() is not None:
            _menu_texts(action.menu(), out)
    for action in window.findChildren(QAction):
        if action.isVisible() and action.associatedObjects() and action.statusTip():
            out.append(("status tip", action.statusTip()))
    for dock in window.findChildren(QDockWidget):
        out.append(("dock", dock.windowTitle()))
    for widget in window.findChildren(QWidget):
        if not widget.isVisible():
            continue
        if isinstance(widget, QLabel):
            out.append(("label", widget.text()))
        elif isinstance(widget, QAbstractButton):
            out.append(("button", widget.text()))
        elif isinstance(widget, QLineEdit):
            out.append(("placeholder", widget.placeholderText()))
        elif isinstance(widget, QGroupBox):
            out.append(("group", widget.title()))
        elif isinstance(widget, QTabBar):
            out += [("tab", widget.tabText(i)) for i in range(widget.count())]
        elif isinstance(widget, QComboBox):
            out += [("choice", widget.itemText(i)) for i in range(widget.count())]
        elif isinstance(widget, QTableWidget):
            out += [("header", widget.horizontalHeaderItem(c).text()) for c in range(widget.columnCount())
                    if widget.horizontalHeaderItem(c) is not None]
        elif isinstance(widget, QTreeWidget):
            header = widget.headerItem()
            out += [("header", header.text(c)) for c in range(widget.columnCount())]
        if widget.toolTip():
            out.append(("tooltip", widget.toolTip()))
    return [(kind, _plain(text)) for kind, text in out if text and needs_words(_plain(text))]


def korean_share(texts: list[tuple[str, str]]) -> tuple[float, list[tuple[str, str]]]:
    english = [(kind, text) for kind, text in texts if is_english(text)]
    return (1.0 - len(english) / len(texts) if texts else 0.0), english
