"""A student scrolls the panels with the mouse wheel: no drop-down or number field under the pointer changes."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox, QScrollArea, QWidget

from tests.gui.teaching_window import open_teaching_window


def wheel(widget: QWidget, notches: int) -> None:
    """Turn the mouse wheel over the middle of `widget` (negative: towards the student, scrolling down)."""
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(centre, QPointF(widget.mapToGlobal(widget.rect().center())), QPoint(),
                        QPoint(0, 120 * notches), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


def value_of(field: QWidget):
    return field.currentIndex() if isinstance(field, QComboBox) else field.text()


def fields_in(panel: QWidget) -> list[QWidget]:
    found = panel.findChildren(QComboBox) + panel.findChildren(QAbstractSpinBox)
    return [field for field in found if field.isEnabled() and (not isinstance(field, QComboBox) or field.count() > 1
                                                                or field.isEditable())]


def turn_the_wheel_over_each(qtbot, window, panel: QWidget) -> list[str]:
    """Wheel turns up and down over each field: the names of those that changed (or added an undo step)."""
    changed = []
    for field in fields_in(panel):
        field.clearFocus()
        before, steps = value_of(field), window.document.undo_stack.count()
        for notches in (-1, 1, 1):
            wheel(field, notches)
        if value_of(field) != before or window.document.undo_stack.count() != steps:
            changed.append(field.objectName() or type(field).__name__)
    return changed


def test_the_wheel_over_the_training_panel_scrolls_it_and_changes_no_setting(qtbot):
    window = open_teaching_window(qtbot)
    window.resize(1280, 720)
    window.training_dock.show()
    window.training_dock.raise_()
    panel = window.training_panel
    scroll_bar = panel.findChild(QScrollArea).verticalScrollBar()
    qtbot.waitUntil(lambda: scroll_bar.maximum() > 0)  # the form is taller than the dock at 1280×720

    optimizer = panel.optimizer_combo
    position = scroll_bar.value()
    wheel(optimizer, -1)
    assert optimizer.currentData() == "adam" and window.document.project.training.optimizer == "adam"
    assert scroll_bar.value() > position  # the turn scrolled the panel instead
    assert window.document.undo_stack.count() == 0

    assert turn_the_wheel_over_each(qtbot, window, panel) == []
    assert window.document.project.training.optimizer == "adam"


def test_the_wheel_changes_nothing_in_the_other_panels(qtbot):
    window = open_teaching_window(qtbot)
    panels = [window.training_view.ensure_built(), window.evaluate_view.ensure_built()]
    panels += [window.teaching.holders[key].ensure_built()
               for key in ("neurons", "stepper", "map", "explain", "diagnostics", "lessons")]
    changed = []
    for panel in panels:
        changed += [f"{type(panel).__name__}.{name}" for name in turn_the_wheel_over_each(qtbot, window, panel)]
    assert changed == []
    assert len([field for panel in panels for field in fields_in(panel)]) >= 6  # the test did look at fields
