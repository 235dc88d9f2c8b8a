"""Spin boxes and lists that ignore the mouse wheel until clicked, so scrolling a panel never changes a setting."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QWidget


class _WheelGuard(QObject):
    """Lets a wheel turn over an unfocused field pass to the panel behind it (which scrolls) instead."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Wheel and isinstance(watched, QWidget) and not watched.hasFocus():
            _offer_to_parents(watched, event)
            event.accept()  # handled here: Qt must not offer it to the parents a second time
            return True
        return False


def _offer_to_parents(field: QWidget, event: QWheelEvent) -> None:
    """Offer the wheel turn to each widget around the field until one (the panel's scroll area) takes it.

    Done here rather than left to Qt, which passes an unwanted wheel event up only when it came from the
    mouse itself, so a forwarded or replayed one would otherwise be lost."""
    position = event.position() + QPointF(field.pos())
    widget = field.parentWidget()
    while widget is not None:
        offered = QWheelEvent(position, event.globalPosition(), event.pixelDelta(), event.angleDelta(),
                              event.buttons(), event.modifiers(), event.phase(), event.inverted(), event.source())
        QApplication.sendEvent(widget, offered)
        if offered.isAccepted() or widget.isWindow():
            return
        position += QPointF(widget.pos())
        widget = widget.parentWidget()


def wheel_only_when_focused(*fields: QWidget) -> None:
    """Make each field (a spin box, a combo box) take the wheel only after the student has clicked or tabbed
    into it. Without this, a student scrolling the panel changes whatever field passes under the pointer."""
    for field in fields:
        if field.findChild(_WheelGuard) is not None:
            continue  # guarded already: one guard is enough
        # The default WheelFocus would give the field focus on the first wheel turn, and so the wheel too.
        field.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        guard = _WheelGuard(field)  # the field owns its guard: both go together
        field.installEventFilter(guard)
