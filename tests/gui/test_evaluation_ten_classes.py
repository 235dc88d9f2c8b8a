"""The Evaluate tab after training on the digits: a 10-class confusion matrix read whole, with no scrolling."""

from __future__ import annotations

import numpy as np
import torch
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QMessageBox, QStyle

from nnstudio.core.examples import build_example
from nnstudio.engine.pipeline import effective_settings, train_project
from nnstudio.gui.evaluation.evaluation_panel import EvaluationPanel
from nnstudio.gui.main_window import MainWindow

FASHION = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


def trained_digits_window(qtbot) -> MainWindow:
    """The window at 1280×720 on the digits example, trained one epoch (here and now, not on the thread)."""
    window = MainWindow()
    window.file_actions.ask_unsaved_changes = lambda: QMessageBox.StandardButton.Discard
    qtbot.addWidget(window)
    window.document.replace_project(build_example("digits"))
    window.session.reload_data()
    window.resize(1280, 720)
    window.show()
    qtbot.waitExposed(window)
    session = window.session
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        trainer, result = train_project(window.document.project, effective_settings(window.document.project, epochs=1),
                                        session.data)
    finally:
        torch.set_num_threads(threads)
    session.model, session.last_result = trainer.model, result
    session.model_changed.emit()
    session.training_finished.emit(result)
    return window


def assert_matrix_readable(table) -> None:
    """No scroll bars, and every number fits its cell with the style's margins (so none is cut to '9…')."""
    assert not table.horizontalScrollBar().isVisible() and not table.verticalScrollBar().isVisible()
    margin = table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table) + 1
    used = sum(table.columnWidth(c) for c in range(table.columnCount()))
    assert used <= table.viewport().width()
    assert sum(table.rowHeight(r) for r in range(table.rowCount())) <= table.viewport().height()
    for r in range(table.rowCount()):
        for c in range(table.columnCount()):
            item = table.item(r, c)
            metrics = QFontMetrics(item.font())
            assert metrics.horizontalAdvance(item.text()) + 2 * margin + 2 <= table.columnWidth(c), item.text()
            assert metrics.height() <= table.rowHeight(r)
            assert item.font().pointSizeF() >= 6
    header = QFontMetrics(table.horizontalHeader().font())
    for c in range(table.columnCount()):
        assert header.horizontalAdvance(table.horizontalHeaderItem(c).text()) <= table.columnWidth(c)


def test_ten_classes_fit_without_scrolling_and_name_the_classes_in_tooltips(qtbot):
    window = trained_digits_window(qtbot)
    window.tabs.setCurrentWidget(window.evaluate_view)            # the student opens the Evaluate tab
    qtbot.waitUntil(lambda: window.evaluate_view.panel is not None)
    panel = window.evaluate_view.panel.findChild(EvaluationPanel)
    table = panel.confusion_table
    qtbot.waitUntil(lambda: table.rowCount() == 10 and table.isVisible())
    assert_matrix_readable(table)
    counts = np.array([[int(v) for v in row] for row in panel.confusion_values()])
    assert counts.sum() == len(window.session.data.prepared.test)
    assert [table.horizontalHeaderItem(c).text() for c in range(10)] == [str(k) for k in range(10)]
    assert table.item(3, 5).toolTip().startswith("True class: 3 · predicted: 5 · ")
    panel.normalised_check.click()                                # percentages are wider than counts
    assert table.item(0, 0).text().endswith("%")
    assert_matrix_readable(table)
    # Long class names (as the fashion images have) give short headers; the full names are in the tooltips.
    entry = dict(next(iter(panel.results.values())), classes=tuple(FASHION))
    panel._fill_confusion(entry)
    assert [table.horizontalHeaderItem(c).text() for c in range(10)] == [str(k) for k in range(10)]
    assert [table.verticalHeaderItem(r).toolTip() for r in range(10)] == FASHION
    assert [table.horizontalHeaderItem(c).toolTip() for c in range(10)] == FASHION
    assert "True class: Ankle boot · predicted: T-shirt/top" in table.item(9, 0).toolTip()
    assert_matrix_readable(table)
    # The scores per class are one tab away, a row per class.
    panel.class_tabs.setCurrentIndex(1)
    assert panel.per_class_table.isVisible() and panel.per_class_table.rowCount() == 10
