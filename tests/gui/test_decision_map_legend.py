"""The decision map's legend as a student reads it: which colour is which class, and what the dots mean."""

from __future__ import annotations

from teaching_window import open_teaching_window

from nnstudio.gui.teaching.decision_legend import CURVE_TEXT, REGRESSION_SAMPLES_TEXT, SAMPLES_TEXT, UNSURE_TEXT
from nnstudio.gui.teaching.decision_map import class_color


def open_map(qtbot, example: str):
    window = open_teaching_window(qtbot, example)
    window.resize(1280, 720)
    window.teaching.actions["map"].trigger()              # Teach → Decision map
    view = window.teaching.decision_map
    qtbot.waitUntil(lambda: view.legend.isVisible())
    return window, view


def test_the_legend_names_each_class_in_its_colour_and_says_what_the_dots_are(qtbot):
    window, view = open_map(qtbot, "iris")
    assert view.mode == "classes"
    legend = view.legend
    assert legend.texts() == ["setosa", "versicolor", "virginica", SAMPLES_TEXT, UNSURE_TEXT]
    for k, entry in enumerate(legend.entries[:3]):
        assert entry.color == tuple(int(v) for v in class_color(k)) and not entry.dot
    assert legend.entries[3].dot                              # the samples are drawn as dots
    # What the student reads on screen: every legend text shows whole, beside its swatch.
    for label in legend.text_labels:
        assert label.isVisible() and label.width() >= label.sizeHint().width(), label.text()
    # The class painted on the map has the colour the legend gives its name.
    pixel, drawn = view.pixel_at(float(view.xs.mean()), float(view.ys.mean()))
    named = legend.entries[drawn]
    assert named.text == ["setosa", "versicolor", "virginica"][drawn]
    # The map mixes the class colour with white (paler where unsure): one mix for all three channels.
    mixes = [(255 - int(p)) / (255 - c) for p, c in zip(pixel, named.color) if c < 200]
    assert mixes and max(mixes) - min(mixes) < 0.03 and 0.2 <= min(mixes) <= 0.8


def test_a_yes_no_network_gets_two_classes(qtbot):
    window, view = open_map(qtbot, "xor")
    assert len(view.legend.texts()) == 4 and view.legend.texts()[2:] == [SAMPLES_TEXT, UNSURE_TEXT]
    assert [e.color for e in view.legend.entries[:2]] == [tuple(int(v) for v in class_color(k)) for k in (0, 1)]



def test_a_regression_map_explains_its_curve_and_dots(qtbot):
    from nnstudio.core.examples import build_example
    window = open_teaching_window(qtbot, "regression")
    project = build_example("regression")
    inputs = next(n for n in project.graph.nodes.values() if n.type == "Input")
    inputs.params.update(shape=(1,), columns=("bmi",))         # one feature: the map draws the fitted curve
    window.document.replace_project(project)
    window.session.reload_data()
    window.teaching.actions["map"].trigger()
    view = window.teaching.decision_map
    qtbot.waitUntil(lambda: view.mode == "regression" and view.legend.isVisible())
    assert view.legend.texts() == [CURVE_TEXT, REGRESSION_SAMPLES_TEXT]
