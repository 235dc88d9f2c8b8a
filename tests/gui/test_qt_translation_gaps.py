"""Qt's own file dialog speaks Korean whole: the texts Qt 6 asks for with a shortcut letter ("&Look in:") that the
shipped Korean catalogue has only without one; and no Qt text goes blank on the way."""

from PySide6.QtWidgets import QApplication, QFileDialog, QLabel, QPushButton

from nnstudio.gui.language import apply_language
from nnstudio.gui.qt_translation_gaps import with_shortcut


def dialog_texts(qtbot) -> tuple[list[str], list[str]]:
    dialog = QFileDialog(None, "Save project as", "/tmp")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)   # Qt's own dialog, as on Linux without a desktop
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    qtbot.addWidget(dialog)
    return [label.text() for label in dialog.findChildren(QLabel)], [b.text() for b in dialog.findChildren(QPushButton)]


def test_the_save_dialog_reads_korean_and_english_again_after_a_switch(qtbot):
    try:
        apply_language("ko")
        labels, buttons = dialog_texts(qtbot)
        assert labels == ["다음에서 찾기(&L):", "파일 이름(&N):", "파일 형식(&T):"]   # a walk saw "Look in:" in English
        assert buttons == ["저장(&S)", "취소"]
        assert QApplication.translate("QAbstractFileIconProvider", "Folder") == "폴더"   # the Type column's word
        assert QApplication.translate("NNStudioNoSuchContext", "Some text") == "Some text"   # unknown: as written
    finally:
        apply_language("en")
    labels, buttons = dialog_texts(qtbot)
    assert labels == ["&Look in:", "File &name:", "Files of &type:"] and buttons == ["&Save", "Cancel"]


def test_a_shortcut_letter_is_written_in_brackets_before_the_colon():
    assert with_shortcut("다음에서 찾기:", "l") == "다음에서 찾기(&L):"
    assert with_shortcut("폴더", "f") == "폴더(&F)"
