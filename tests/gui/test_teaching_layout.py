"""Teaching mode in a laptop-sized window: panels that fit, a decision map that survives a project switch, honest
XOR text, a neuron view that opens on something, readable truth tables, one verdict, and lessons that point."""

from __future__ import annotations

import os

import pytest
from PySide6.QtWidgets import QApplication, QScrollArea

from nnstudio.core.examples import build_example, example_path
from nnstudio.gui.teaching.decision_map import WAITING
from nnstudio.gui.teaching.diagnostics_panel import HEALTHY
from nnstudio.gui.teaching.edits import plural
from teaching_window import open_teaching_window
from nnstudio.gui.teaching.install import PLACES
from nnstudio.gui.teaching.lessons_runner import place_of

SCREENSHOTS = os.environ.get("NNSTUDIO_TEACHING_SHOTS")   # a folder: screenshots at 1280×720 go there


open_window = open_teaching_window


def settle(qtbot) -> None:
    for _ in range(3):
        QApplication.processEvents()
        qtbot.wait(20)


def test_every_teaching_tab_and_dock_fits_a_1280_by_720_window(qtbot):
    window = open_window(qtbot)
    teaching = window.teaching
    window.resize(1280, 720)
    for holder in (teaching.neurons_tab, teaching.stepper_tab, teaching.map_tab, teaching.xor_tab):
        teaching.show_tab(holder)
        settle(qtbot)
        # Each panel sits in a scroll area that gives way instead of widening the window.
        assert isinstance(teaching.holders[holder.objectName().removeprefix("teaching_")].scroll, QScrollArea)
        assert window.minimumSizeHint().width() <= 1280, holder.objectName()
    for key in ("explain", "diagnostics", "lessons"):
        teaching.show_dock(key)
        settle(qtbot)
        assert window.minimumSizeHint().width() <= 1280, key
    teaching.start_lesson("neuron")
    teaching.show_tab(teaching.neurons_tab)
    settle(qtbot)
    assert window.minimumSizeHint().width() <= 1280
    assert window.minimumSizeHint().height() <= 720
    window.resize(1280, 720)
    settle(qtbot)
    assert window.width() <= 1280
    # The layer palette keeps its words (it was squeezed to "Lay…").
    assert window.palette_dock.width() >= 120
    if SCREENSHOTS:
        window.grab().save(os.path.join(SCREENSHOTS, "teaching_neurons_1280.png"))
        teaching.show_tab(teaching.xor_tab)
        assert teaching.xor_lesson.start(epochs=100)
        with qtbot.waitSignal(teaching.xor_lesson.comparison_finished, timeout=60_000):
            pass
        settle(qtbot)
        window.grab().save(os.path.join(SCREENSHOTS, "teaching_xor_1280.png"))
        teaching.show_tab(teaching.map_tab)
        settle(qtbot)
        window.grab().save(os.path.join(SCREENSHOTS, "teaching_map_1280.png"))


def test_decision_map_survives_opening_another_example(qtbot):
    window = open_window(qtbot, "iris")
    window.teaching.actions["map"].trigger()
    view = window.teaching.decision_map
    assert view.mode == "classes" and view.x_combo.count() == 4
    for side in ("left", "bottom"):
        assert not view.plot.getAxis(side).autoSIPrefix   # never "(x0.001)"
    # Open the XOR example as a student does: File → Open example. Its graph arrives before its data.
    with qtbot.capture_exceptions() as exceptions:
        with qtbot.waitSignal(window.session.data_changed, timeout=20_000):
            assert window.file_actions.open_example(example_path("xor"))
            # Between the project and its data: a friendly message, no stale feature boxes, nothing drawn.
            assert view.mode == "none" and view.message_label.text() == WAITING
            assert view.x_combo.count() == 0 and not view.x_combo.isEnabled() and not view.y_combo.isEnabled()
            assert view.pixels is None
        settle(qtbot)
    assert not exceptions, [str(e[1]) for e in exceptions]
    # The data came: the map draws the new network over its two inputs.
    assert view.mode == "classes" and view.x_combo.count() == 2 and view.x_combo.isEnabled()
    assert view.pixels is not None and view.message_label.text() != WAITING

    # A regression project on many features: a message, empty boxes and no axis titles, without an exception.
    with qtbot.capture_exceptions() as exceptions:
        with qtbot.waitSignal(window.session.data_changed, timeout=20_000):
            window.file_actions.show_project(build_example("regression"))
        settle(qtbot)
    assert not exceptions, [str(e[1]) for e in exceptions]
    assert view.mode == "none" and "one input feature" in view.message_label.text()
    assert view.x_combo.count() == 0 and not view.x_combo.isEnabled()
    assert view.plot.getAxis("bottom").labelText == "" and view.plot.getAxis("left").labelText == ""


def test_decision_map_waits_when_the_model_is_a_step_behind(qtbot):
    window = open_window(qtbot, "iris")
    view = window.teaching.decision_map
    assert view.mode == "classes"

    def stale(rows):
        raise KeyError("n4")   # the model (or data) of the network drawn before

    view.session.predict = stale
    with qtbot.capture_exceptions() as exceptions:
        view.redraw()
    assert not exceptions and view.mode == "none" and view.message_label.text() == WAITING
    del view.session.predict    # back to the class's own predict: the next model_changed redraws
    window.session.model_changed.emit()
    qtbot.waitUntil(lambda: view.mode == "classes" and view.pixels is not None, timeout=5_000)


def test_xor_text_agrees_with_its_numbers(qtbot):
    window = open_window(qtbot)
    lesson = window.teaching.xor_lesson
    texts = " ".join(label.text() for label in lesson.findChildren(type(lesson.status_label)))
    assert "stays at chance" not in texts
    assert "never gets all four right" in texts and "3 of the 4 points (75%)" in texts
    for side in ("left", "bottom"):
        assert not lesson.plot.getAxis(side).autoSIPrefix
    # The ln 2 label sits under its line, away from the legend in the top right corner.
    assert lesson.ln2_line.label.orthoPos <= 0.6


def test_neuron_view_opens_on_a_drawable_layer_at_sample_1(qtbot):
    window = open_window(qtbot, "xor")
    window.teaching.actions["neurons"].trigger()
    view = window.teaching.neuron_view
    assert view.layer_combo.currentIndex() >= 0 and view.node_id is not None
    assert view.layer is not None and view.layer.weights.shape[0] <= 32 and view.layer.weights.shape[1] <= 16
    assert view.sample_spin.value() == 1
    assert view.maps and all(item.isVisible() for item in view.maps)
    scene = view.scene.sceneRect()
    for item in view.maps:
        rect = item.sceneBoundingRect()
        assert rect.width() >= 48 and scene.contains(rect)
    # A big first layer (digits: 64 inputs into 300 neurons) is skipped for the first one that can be drawn.
    window.file_actions.show_project(build_example("digits"))
    window.session.reload_data()
    settle(qtbot)
    if view.layer is not None:
        assert view.layer.weights.shape[0] <= 32 and view.layer.weights.shape[1] <= 16
    assert view.sample_spin.value() >= 1


def test_truth_table_shows_the_answer_before_the_hidden_columns(qtbot):
    window = open_window(qtbot, "xor")
    window.teaching.actions["neurons"].trigger()
    table = window.teaching.truth_table.table
    headers = [table.horizontalHeaderItem(c).text().replace("\n", " ") for c in range(table.columnCount())]
    assert headers[:7] == ["x1", "x2", "weighted sum z", "sigmoid(z)", "output", "target", "right?"], headers
    assert headers[7:] == [f"hidden {k}" for k in range(1, 9)]
    assert window.teaching.truth_table.cell(0, "hidden 1")   # the hidden values are still there, after the answer


def test_diagnostics_say_the_verdict_once(qtbot):
    from nnstudio.engine.training import History

    window = open_window(qtbot)
    panel = window.teaching.diagnostics
    history = History()
    for epoch, (loss, val) in enumerate(zip([1.0, 0.6, 0.4, 0.3, 0.25, 0.2], [1.0, 0.65, 0.45, 0.35, 0.3, 0.27]),
                                        start=1):
        history.record(epoch, {"loss": loss, "val_loss": val})
    panel.show_history(history)
    shown = panel.status_label.text() + " " + (panel.view.toPlainText() if panel.view.isVisibleTo(panel) else "")
    assert shown.count(HEALTHY) == 1


def test_lesson_steps_offer_to_show_the_panel_they_name(qtbot):
    window = open_window(qtbot)
    teaching = window.teaching
    teaching.start_lesson("neuron")
    runner = teaching.runner
    assert runner.place == "data" and runner.show_me_button.isVisibleTo(runner)
    assert "Data panel" in runner.show_me_button.text()
    window.inspector_dock.raise_()
    runner.show_me_button.click()
    settle(qtbot)
    assert not window.data_dock.visibleRegion().isEmpty() and window.data_dock.isVisible()
    # Every place a lesson can name is a real dock or tab of this window.
    for place, (kind, part_id) in PLACES.items():
        if kind == "dock" and part_id == "code" and window.sharing is None:
            assert not teaching.show_place(place)   # the Code dock comes with sharing, installed separately
            continue
        assert teaching.show_place(place), place
        shown = window.parts.docks[part_id] if kind == "dock" else window.parts.tabs[part_id]
        assert shown.isVisible(), place
    teaching.show_place("neurons")
    assert window.tabs.currentWidget() is teaching.neurons_tab
    teaching.show_place("stepper")
    assert window.tabs.currentWidget() is teaching.stepper_tab
    assert place_of("Open the stepper and step through the forward pass to the error.")[0] == "stepper"
    assert place_of("Export the network as PyTorch code and read the nn.Module it draws.")[0] == "code"
    assert place_of("Train any network.")[0] == "training"
    assert place_of("Save the project (File → Save).") is None


@pytest.mark.parametrize("count, text", [(0, "0 mistakes"), (1, "1 mistake"), (3, "3 mistakes")])
def test_plurals(count, text):
    assert plural(count, "mistake") == text


def test_perceptron_status_uses_plurals(qtbot):
    window = open_window(qtbot, "xor_single_layer")
    window.teaching.actions["neurons"].trigger()
    panel = window.teaching.perceptron
    panel.last_epoch_mistakes = 1
    panel._show_position()
    assert "(s)" not in panel.status_label.text()
