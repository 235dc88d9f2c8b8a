"""The one number box (inspector settings, learning rate), typed into and stepped as a student would."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QValidator

from nnstudio.gui.widgets.number_box import NumberBox, WholeNumberBox, next_1_2_5, read_number


def typed(qtbot, box, text: str) -> None:
    box.lineEdit().selectAll()
    qtbot.keyClicks(box, text)
    qtbot.keyClick(box, Qt.Key.Key_Return)


def test_read_number_reads_what_people_write():
    assert read_number("0.5") == 0.5
    assert read_number(" 0,25 ") == 0.25  # a decimal comma, as many countries write it
    assert read_number("1e-3") == 0.001
    assert read_number("1e-") is None and read_number("abc") is None and read_number("") is None


def test_typed_numbers_land_and_show_as_written(qtbot):
    box = NumberBox(0.0, 1.0)
    qtbot.addWidget(box)
    box.show()
    typed(qtbot, box, "0,25")
    assert box.value() == 0.25 and box.text() == "0.25"
    typed(qtbot, box, "1e-7")
    assert box.value() == pytest.approx(1e-7) and box.text() == "1e-07"


def test_letters_cannot_be_typed_and_half_numbers_wait(qtbot):
    box = NumberBox(0.0, 1.0)
    qtbot.addWidget(box)

    def state(text: str) -> QValidator.State:
        return box.validate(text, len(text))[0]

    assert state("abc") == QValidator.State.Invalid
    for on_the_way in ("", "-", ".", "1e", "1e-"):
        assert state(on_the_way) == QValidator.State.Intermediate, on_the_way
    assert state("0.3") == QValidator.State.Acceptable
    assert state("7") == QValidator.State.Intermediate  # outside 0..1: not accepted as it stands
    box.setValue(0.3)
    box.show()
    box.lineEdit().selectAll()
    qtbot.keyClicks(box, "x")
    assert box.text() == "0.3"  # the letter never appeared


def test_out_of_range_typing_keeps_the_last_good_value(qtbot):
    box = NumberBox(0.0, 0.999)
    qtbot.addWidget(box)
    box.setValue(0.3)
    box.show()
    typed(qtbot, box, "5")
    box.clearFocus()
    assert box.value() == 0.3 and box.text() == "0.3"


def test_arrows_walk_1_2_5_for_a_learning_rate(qtbot):
    box = NumberBox(1e-6, 10.0, ladder=True)
    qtbot.addWidget(box)
    box.setValue(0.001)
    seen = []
    for _ in range(3):
        box.stepUp()
        seen.append(box.text())
    assert seen == ["0.002", "0.005", "0.01"]
    box.stepDown()
    assert box.text() == "0.005"
    assert next_1_2_5(10.0, up=True) == 20.0 and next_1_2_5(0.01, up=False) == pytest.approx(0.005)
    box.setValue(10.0)
    box.stepUp()
    assert box.value() == 10.0  # the ladder stops at the top of the range


def test_plain_boxes_step_by_their_step(qtbot):
    box = NumberBox(0.0, 1.0, step=0.05)
    qtbot.addWidget(box)
    box.setValue(0.3)
    box.stepUp()
    assert box.value() == pytest.approx(0.35)


def test_whole_number_box_shows_thousands_and_fits_a_c_int(qtbot):
    box = WholeNumberBox(1, None)
    qtbot.addWidget(box)
    box.setValue(100_000)
    assert box.minimum() == 1 and box.maximum() == 2_147_483_647
    assert box.text().replace("\u00a0", ",").replace(".", ",") == "100,000"
    assert WholeNumberBox(None, 10**12).maximum() == 2_147_483_647


def test_a_learning_rate_out_of_range_is_put_back_with_the_reason_under_the_field(qtbot):
    from PySide6.QtWidgets import QLabel, QLineEdit, QVBoxLayout, QWidget

    from nnstudio.gui.training.setting_widgets import learning_rate_box

    form = QWidget()
    layout = QVBoxLayout(form)
    box, elsewhere = learning_rate_box(), QLineEdit()
    layout.addWidget(box)
    layout.addWidget(elsewhere)
    qtbot.addWidget(form)
    box.setValue(0.001)
    form.show()
    qtbot.waitExposed(form)
    form.activateWindow()
    box.setFocus()
    qtbot.waitUntil(box.hasFocus)
    box.lineEdit().selectAll()
    qtbot.keyClicks(box, "1000")
    qtbot.mouseClick(elsewhere, Qt.MouseButton.LeftButton)  # the student leaves the field
    elsewhere.setFocus()
    qtbot.waitUntil(lambda: not box.hasFocus())
    assert box.value() == 0.001 and box.text() == "0.001"
    note = box.findChild(QLabel, "rangeNote")
    assert note is not None and note.isVisible()
    assert note.text() == "The learning rate must be between 1e-06 and 10."

    box.setFocus()
    box.lineEdit().selectAll()
    qtbot.keyClicks(box, "0.5")  # a good value: the note goes
    assert not note.isVisible()
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert box.value() == 0.5


def test_a_whole_number_below_its_least_says_so(qtbot):
    from PySide6.QtWidgets import QLabel

    box = WholeNumberBox(1, None)
    qtbot.addWidget(box)
    box.setValue(16)
    box.show()
    box.lineEdit().selectAll()
    qtbot.keyClicks(box, "0")
    note = box.findChild(QLabel, "rangeNote")
    assert note.isVisible() and note.text() == "This value must be at least 1."
    box.clearFocus()
    assert box.value() == 16


def test_the_wheel_leaves_an_unfocused_learning_rate_alone(qtbot):
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    from nnstudio.gui.training.setting_widgets import learning_rate_box

    box = learning_rate_box()
    qtbot.addWidget(box)
    box.setValue(0.001)
    box.show()
    QApplication.sendEvent(box, QWheelEvent(QPointF(5, 5), QPointF(box.mapToGlobal(QPoint(5, 5))), QPoint(),
                                            QPoint(0, 120), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                                            Qt.ScrollPhase.NoScrollPhase, False))
    assert box.value() == 0.001
