"""Teaching mode's other panels as a student uses them: backprop stepper, decision map, diagnostics, explain, XOR."""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from teaching_window import open_teaching_window

from nnstudio.core.examples import build_example
from nnstudio.engine.training import History
from nnstudio.gui.teaching.decision_map import class_color
from nnstudio.gui.teaching.diagnostics_panel import HEALTHY
from nnstudio.gui.teaching.install import LESSON_TITLES, install_teaching

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = ROOT / "docs" / "screenshots" / "backprop_stepper.png"


open_window = open_teaching_window


def test_menus_list_the_teaching_actions_and_every_lesson(qtbot):
    from nnstudio.core.teaching.lessons import LESSONS

    window = open_window(qtbot)
    titles = [action.text().replace("&&", "&") for action in window.teaching.lessons_menu.actions()]  # && shows &
    assert titles == [f"{n}. {lesson.title}" for n, lesson in enumerate(LESSONS, start=1)]
    assert [(i, t) for i, t in LESSON_TITLES] == [(lesson.id, lesson.title) for lesson in LESSONS]
    assert "XOR: one layer vs hidden layer" in [a.text().replace("&", "") for a in window.teaching.teach_menu.actions()]
    install_teaching(window)  # a second call changes nothing
    assert len([m for m in window.menuBar().actions() if m.text() == "&Teach"]) == 1


def test_backprop_stepper_on_the_classic_example(qtbot):
    window = open_window(qtbot)
    window.resize(1400, 900)
    window.teaching.actions["classic"].trigger()     # Teach → Load the classic 2-2-2 example
    stepper = window.teaching.stepper
    assert stepper.phase_label.text().startswith("Phase 1 of 9: Forward")
    assert stepper.value("h1", "output a") == "0.593269992"
    clicks = 0
    while stepper.current_kind() != "error":
        qtbot.mouseClick(stepper.next_button, Qt.MouseButton.LeftButton)
        clicks += 1
    assert clicks == 2 and "E = 0.298371109" in stepper.text_label.text()
    assert stepper.value("E (error)", "output a") == "0.298371109"
    qtbot.mouseClick(stepper.next_button, Qt.MouseButton.LeftButton)
    assert stepper.current_kind() == "backward" and stepper.value("o1", "delta δ = ∂E/∂z") == "0.138498562"
    assert "δ = ∂E/∂a · sigmoid'(z)" in stepper.text_label.text()
    stepper.go_to("update")
    qtbot.mouseClick(stepper.next_button, Qt.MouseButton.LeftButton)   # the output layer's update
    assert stepper.phase_label.text() == "Phase 9 of 9: Update output layer 'output'"
    assert stepper.value("w5", "new") == "0.35891648"
    assert stepper.value("w5", "update") == "w ← w − α·∂E/∂w = 0.4 − 0.5·0.08217 = 0.3589"
    qtbot.mouseClick(stepper.back_button, Qt.MouseButton.LeftButton)
    assert stepper.value("w1", "new") == "0.149780716"
    assert stepper.phases_seen == ["forward", "error", "backward", "gradients", "update"]
    if os.environ.get("NNSTUDIO_SCREENSHOTS") == "1":
        stepper.next()
        qtbot.wait(100)
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        window.teaching.holders["stepper"].grab().save(str(SCREENSHOT))
    # Apply update: the next step starts from the new weights and has a smaller error; undo goes back.
    qtbot.mouseClick(stepper.apply_button, Qt.MouseButton.LeftButton)
    assert stepper.network.layers[1].weights[0, 0] == pytest.approx(0.35891648, abs=1e-8)
    assert stepper.step.error < 0.298371109 and stepper.current_kind() == "forward"
    window.document.undo_stack.undo()
    assert stepper.step.error == pytest.approx(0.298371109, abs=1e-9)
    # The learner changes the learning rate and a starting weight: every number follows.
    stepper.rate_spin.setValue(1.0)
    stepper.go_to("update")
    item = stepper.weights_table.item(0, 2)
    item.setText("0.5")
    assert stepper.network.layers[0].weights[0, 0] == 0.5


def test_stepper_applies_the_update_to_my_network_undoably(qtbot):
    window = open_window(qtbot, "xor_single_layer")
    stepper = window.teaching.stepper
    assert stepper.use_project()
    before = window.session.current_model().layers["xor"].weight.detach().numpy().copy()
    stepper.go_to("update")
    new = stepper.step.new_network.layers[0].weights
    assert stepper.apply_update()
    after = window.session.current_model().layers["xor"].weight.detach().numpy()
    np.testing.assert_allclose(after, new, atol=1e-6)
    window.document.undo_stack.undo()
    np.testing.assert_allclose(window.session.current_model().layers["xor"].weight.detach().numpy(), before)
    window.document.replace_project(build_example("digits"))
    window.session.reload_data()
    assert not stepper.use_project() and "weights" in stepper.message_label.text()


def test_decision_map_colours_agree_with_the_models_predictions(qtbot):
    window = open_window(qtbot, "iris")
    window.teaching.actions["map"].trigger()
    view = window.teaching.decision_map
    assert view.mode == "classes" and view.x_combo.count() == 4
    view.x_combo.setCurrentIndex(2)
    view.y_combo.setCurrentIndex(3)
    assert view.pixels.shape == (100, 100, 3)
    raw, _ = view._raw_training_rows()
    means = raw.mean(axis=0)
    inputs = window.document.graph.node_by_name("measurements").id
    output = window.document.graph.node_by_name("species").id
    rng = np.random.default_rng(0)
    for _ in range(12):
        x = rng.uniform(view.xs[0], view.xs[-1])
        y = rng.uniform(view.ys[0], view.ys[-1])
        pixel, drawn_class = view.pixel_at(x, y)
        # The model's answer at the grid point drawn there (the other features at their means).
        gx, gy = view.xs[np.abs(view.xs - x).argmin()], view.ys[np.abs(view.ys - y).argmin()]
        row = means.copy()
        row[2], row[3] = gx, gy
        predicted = int(window.session.predict({inputs: row[None, :]})[output].argmax())
        assert drawn_class == predicted
        nearest = min(range(3), key=lambda k: np.linalg.norm(
            (pixel.astype(float) - 255) / np.linalg.norm(pixel.astype(float) - 255 + 1e-9)
            - (class_color(k) - 255) / np.linalg.norm(class_color(k) - 255)))
        assert nearest == predicted  # the pixel's hue is the predicted class's colour


def test_decision_map_redraws_during_training_and_fits_a_regression_curve(qtbot, one_thread):
    window = open_window(qtbot, "xor")
    window.document.project.training.epochs = 60
    view = window.teaching.decision_map
    before = view.redraws
    with qtbot.waitSignal(window.session.training_finished, timeout=60_000):
        window.session.start()
    assert view.redraws > before
    first = window.document.graph.node_by_name("inputs").id
    out = window.document.graph.node_by_name("xor").id
    for x, y in ((0.0, 0.0), (1.0, 0.0)):
        _, drawn = view.pixel_at(x, y)
        assert drawn == int(window.session.predict({first: np.array([[x, y]])})[out].item() >= 0.5)

    from nnstudio.core.graph import Graph
    from nnstudio.core.project import Project
    from nnstudio.core.settings import DataSettings

    graph = Graph()
    a = graph.add_node("Input", name="x", params={"shape": [1]})
    h = graph.add_node("Dense", name="hidden", params={"units": 8, "activation": "tanh"})
    o = graph.add_node("Output", name="y", params={"task": "regression"})
    graph.connect(a.id, "out", h.id, "in")
    graph.connect(h.id, "out", o.id, "in")
    window.document.replace_project(Project(graph, DataSettings(source={"kind": "builtin", "name": "sine"})))
    window.session.reload_data()
    assert view.mode == "regression"
    xs, ys = view.curve.getData()
    expected = window.session.predict({a.id: xs[:5].reshape(-1, 1)})[o.id][:, 0]
    np.testing.assert_allclose(ys[:5], expected, rtol=1e-5, atol=1e-6)


def crafted(train: list[float], val: list[float]) -> History:
    history = History()
    for epoch, (loss, val_loss) in enumerate(zip(train, val), start=1):
        history.record(epoch, {"loss": loss, "val_loss": val_loss})
    return history


def test_diagnostics_panel_names_overfitting_a_high_learning_rate_or_health(qtbot):
    window = open_window(qtbot)
    window.teaching.actions["diagnostics"].trigger()
    panel = window.teaching.diagnostics
    overfit = crafted([1.0, 0.6, 0.4, 0.3, 0.2, 0.15, 0.1, 0.07, 0.05],
                      [1.0, 0.7, 0.5, 0.45, 0.55, 0.65, 0.75, 0.85, 0.95])
    panel.show_history(overfit)
    assert [d.kind for d in panel.diagnoses] == ["overfitting"]
    text = panel.view.toPlainText()
    assert "Overfitting from epoch 5" in text and "best epoch = 4" in text and "early stopping" in text
    exploding = crafted([1.0, 5.0, 40.0, 300.0, 2000.0], [1.0, 6.0, 50.0, 400.0, 3000.0])
    panel.show_history(exploding, learning_rate=3.0)
    assert panel.diagnoses[0].kind == "learning_rate" and "Lower the learning rate" in panel.view.toPlainText()
    healthy = crafted([1.0, 0.6, 0.4, 0.3, 0.25, 0.2], [1.0, 0.65, 0.45, 0.35, 0.3, 0.27])
    panel.show_history(healthy)
    assert panel.diagnoses == [] and panel.status_label.text() == HEALTHY


def test_diagnostics_after_a_real_run(qtbot, one_thread):
    window = open_window(qtbot, "xor")
    window.document.project.training.epochs = 40
    panel = window.teaching.diagnostics
    with qtbot.waitSignal(panel.diagnosed, timeout=60_000) as blocker:
        window.session.start()
    assert blocker.args[0] is window.session.last_result
    assert panel.status_label.text()  # healthy or a list, never empty


def test_diagnostics_probes_are_measured_in_the_training_thread(qtbot, one_thread, monkeypatch):
    """Dead units and gradient sizes come from passes over the whole training set: never in the GUI thread."""
    import threading

    from nnstudio.engine import diagnostics

    threads = []
    real_probe = diagnostics.probe
    monkeypatch.setattr(diagnostics, "probe", lambda *a: threads.append(threading.current_thread()) or real_probe(*a))
    window = open_window(qtbot, "iris")
    window.document.project.training.epochs = 5
    panel = window.teaching.diagnostics
    with qtbot.waitSignal(panel.diagnosed, timeout=60_000):
        window.session.start()
    assert window.session.last_result.probes is not None
    assert threads and threading.main_thread() not in threads


def test_explain_panel_follows_the_selection_and_plots_activations(qtbot):
    window = open_window(qtbot, "iris")
    window.teaching.actions["explain"].trigger()
    panel = window.teaching.explain
    window.document.select([window.document.graph.node_by_name("hidden").id])
    text = panel.text.text()
    assert "In this network:" in text and "4·16 + 16 = 80 parameters" in text
    assert panel.shown_activation == "relu" and not panel.plot.isHidden()
    z, f = panel.function_curve.getData()
    assert f.min() == 0 and f.max() == pytest.approx(5.0)
    panel.show_item("loss", "cross_entropy")
    assert "log" in panel.text.text() and panel.plot.isHidden()
    panel.show_item("activation", "sigmoid")
    _, slope = panel.slope_curve.getData()
    assert slope.max() == pytest.approx(0.25, abs=1e-3)


def test_xor_side_by_side(qtbot, one_thread):
    window = open_window(qtbot)
    lesson = window.teaching.xor_lesson
    with qtbot.waitSignal(lesson.comparison_finished, timeout=60_000):
        window.teaching.show_tab(window.teaching.xor_tab)
        assert lesson.start(epochs=100)
    assert not lesson.is_running
    single, hidden = lesson.results["xor_single_layer"], lesson.results["xor"]
    assert single[0][-1] == pytest.approx(math.log(2), abs=0.02) and single[1] <= 0.75
    assert hidden[1] == 1.0 and hidden[0][-1] < 0.2
    labels = [lesson.legend.getLabel(curve).text for curve in lesson.curves.values()]
    assert any("accuracy 50%" in label or "accuracy 75%" in label for label in labels)
    assert any("accuracy 100%" in label for label in labels)
    assert lesson.ln2_line.value() == pytest.approx(math.log(2))


def test_a_stopped_run_brings_its_probes_and_a_closing_window_skips_them(qtbot, one_thread, monkeypatch):
    from nnstudio.gui.training import worker as worker_module

    measured = []
    real_probes_of = worker_module._probes_of
    monkeypatch.setattr(worker_module, "_probes_of", lambda *a: measured.append(1) or real_probes_of(*a))
    window = open_window(qtbot, "digits")
    window.document.project.training.epochs = 10_000
    epochs = []
    window.session.epoch_finished.connect(lambda epoch, logs: epochs.append(epoch))
    window.session.start()
    qtbot.waitUntil(lambda: len(epochs) >= 1, timeout=60_000)
    with qtbot.waitSignal(window.teaching.diagnostics.diagnosed, timeout=60_000):
        window.session.stop()                       # the user's Stop: the diagnostics still get their numbers
    assert window.session.last_result.probes is not None and measured == [1]
    window.session.start()
    qtbot.waitUntil(lambda: window.session.is_training and len(epochs) >= 2, timeout=60_000)
    window.session.shutdown()                       # the window closing: nobody will read them
    assert measured == [1] and not window.session.is_training


def test_a_failing_probe_still_ends_the_run_with_its_results(qtbot, one_thread, monkeypatch):
    from nnstudio.engine import diagnostics

    def broken(*args):
        raise MemoryError("no room for the measurements")

    monkeypatch.setattr(diagnostics, "measure_probes", broken)
    window = open_window(qtbot, "xor")
    window.document.project.training.epochs = 5
    with qtbot.waitSignal(window.session.training_finished, timeout=60_000):
        window.session.start()
    assert window.session.last_result.probes is None and not window.session.is_training
    assert window.document.edit_lock_reason is None
