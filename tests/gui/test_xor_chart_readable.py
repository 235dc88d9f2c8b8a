"""The XOR side-by-side chart as a student sees it at 1280×720: its loss title whole, the ln 2 words clear of the
legend, and whole epochs on the x axis before anything is trained."""

from __future__ import annotations

import os

import pytest
from PySide6.QtGui import QPainter, QPixmap
from PySide6.QtWidgets import QApplication
from teaching_window import open_teaching_window

SHOTS = os.environ.get("NNSTUDIO_WALK_SHOTS")   # a folder: the chart's screenshots go there


def drawn_labels(axis) -> list[str]:
    picture = QPixmap(10, 10)
    painter = QPainter(picture)
    try:
        return [text for _, _, text in axis.generateDrawSpecs(painter)[2]]
    finally:
        painter.end()


def settle(qtbot) -> None:
    for _ in range(3):
        QApplication.processEvents()
        qtbot.wait(20)


def visible_text_rect(item):
    """Where a label's words are drawn, in the scene."""
    return item.mapRectToScene(item.boundingRect())


@pytest.fixture
def lesson(qtbot):
    window = open_teaching_window(qtbot)
    window.resize(1280, 720)
    window.teaching.show_tab(window.teaching.xor_tab)
    settle(qtbot)
    yield window.teaching.xor_lesson
    window.teaching.xor_lesson.shutdown()
    window.session.shutdown()


def check_chart(qtbot, lesson) -> None:
    plot = lesson.plot.getPlotItem()
    shown = lesson.plot.mapToScene(lesson.plot.viewport().rect()).boundingRect()
    # The ln 2 words touch no legend entry.
    words = visible_text_rect(lesson.ln2_line.label)
    for sample, label in lesson.legend.items:
        assert not words.intersects(label.sceneBoundingRect()) and not words.intersects(sample.sceneBoundingRect())
        assert shown.contains(label.sceneBoundingRect())
    # The loss's name is whole: every character of it fits inside the chart.
    title = plot.titleLabel
    assert "training loss (binary cross-entropy)" in title.text
    assert shown.contains(visible_text_rect(title.item))
    assert title.item.boundingRect().width() <= title.boundingRect().width() + 1


def test_the_empty_chart_counts_whole_epochs_and_its_words_do_not_meet(qtbot, lesson):
    axis = lesson.plot.getAxis("bottom")
    qtbot.waitUntil(lambda: len(drawn_labels(axis)) >= 3)
    labels = drawn_labels(axis)
    assert all(float(text).is_integer() for text in labels), labels
    check_chart(qtbot, lesson)
    if SHOTS:
        lesson.window().grab().save(os.path.join(SHOTS, "xor_before.png"))


def test_the_trained_chart_keeps_its_title_and_legend_clear(qtbot, lesson, one_thread):
    with qtbot.waitSignal(lesson.comparison_finished, timeout=60_000):
        assert lesson.start(epochs=60)
    settle(qtbot)
    assert len(lesson.results) == 2
    check_chart(qtbot, lesson)
    assert all(float(text).is_integer() for text in drawn_labels(lesson.plot.getAxis("bottom")))
    if SHOTS:
        lesson.window().grab().save(os.path.join(SHOTS, "xor_after.png"))
