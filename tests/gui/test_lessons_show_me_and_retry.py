"""A lesson stays readable while "Show me" points, lesson 2 succeeds at a new project's settings, and a run that
falls short says what to change and where (found by a student walk-through). In English and in Korean: the words
"Show me" and the retry advice use must be the names the window shows in the same language."""

from __future__ import annotations

import test_lessons_in_the_window as lessons_in_window
from PySide6.QtCore import Qt
from test_lessons_in_the_window import all_done, chain, choose, set_training, start, train

from nnstudio.core.i18n import tr
from nnstudio.core.teaching.lessons import LESSONS
from nnstudio.gui.editing.commands import AddNode, Connect, RemoveItems
from nnstudio.gui.teaching.install import PLACES
from nnstudio.gui.teaching.lessons_runner import STEP_PLACES, place_of

window = lessons_in_window.window   # the same window fixture: teaching and sharing installed, shown
language = lessons_in_window.language   # … in English and in Korean


def on_screen(widget) -> bool:
    """Shown and not covered by another tab of its dock group: some of it is actually painted."""
    return widget.isVisible() and not widget.visibleRegion().isEmpty()


def go_to_step(runner, index: int) -> None:
    """Stand at a step as if the ones before it were done (the steps' own checks are tested elsewhere)."""
    runner.current = index
    runner._show()


def place_title(window, place: str) -> str:
    """The name a student sees on the dock or tab a lesson can show."""
    kind, part_id = PLACES[place]
    if kind == "tab":
        return window.tabs.tabText(window.tabs.indexOf(window.parts.tabs[part_id])).replace("&", "")
    return window.parts.docks[part_id].windowTitle()


def target_on_screen(window, place: str) -> bool:
    kind, part_id = PLACES[place]
    if kind == "tab":
        return window.tabs.currentWidget() is window.parts.tabs[part_id]
    return on_screen(window.parts.docks[part_id].widget())


def test_show_me_on_every_step_keeps_the_lesson_on_screen(qtbot, window):
    shown = set()
    for lesson in LESSONS:
        runner = start(window, lesson.id)
        for index, step in enumerate(lesson.steps):
            found = place_of(step.instruction)
            if found is None:
                continue
            go_to_step(runner, index)
            assert runner.show_me_button.isVisible(), step.instruction
            # The button names the place by the title the window gives it ("Show me the Data panel" / "데이터 패널").
            assert place_title(window, found[0]) in runner.show_me_button.text(), runner.show_me_button.text()
            qtbot.mouseClick(runner.show_me_button, Qt.MouseButton.LeftButton)
            # Both on screen once Qt has laid the docks out (a timeout here means one stays covered).
            qtbot.waitUntil(lambda label=runner.instruction_label, place=found[0]:
                            on_screen(label) and target_on_screen(window, place), timeout=3000)
            assert runner.instruction_label.text() == tr(step.instruction)
            shown.add(found[0])
    # The walk visits docks on the right and at the bottom, and central tabs.
    assert {"data", "training", "summary", "code", "network", "neurons", "stepper"} <= shown


def test_every_show_me_button_names_its_place_as_the_window_shows_it(window):
    """A Korean student looks for the words on the button: '속성 패널' must be the dock titled 속성, not 인스펙터."""
    for _pattern, place, words in STEP_PLACES:
        assert place_title(window, place) in tr(words), (place, tr(words))


def test_show_me_moves_the_lesson_out_of_a_tab_group_it_shares_with_the_place_shown(qtbot, window):
    runner = start(window, "xor")
    lessons, data = window.parts.docks["lessons"], window.parts.docks["data"]
    window.tabifyDockWidget(data, lessons)   # the student dragged the lesson onto the Data panel's tabs
    lessons.raise_()
    qtbot.waitUntil(lambda: on_screen(runner.instruction_label))
    assert runner.place == "data" and not on_screen(data.widget())
    qtbot.mouseClick(runner.show_me_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: on_screen(data.widget()) and on_screen(runner.instruction_label), timeout=3000)
    assert lessons not in window.tabifiedDockWidgets(data)


def test_lesson_2_reaches_100_percent_at_a_new_project_settings(qtbot, window, one_thread):
    """The student follows lesson 2's own words and never touches the training settings."""
    runner = start(window, "xor")
    choose(window, "xor", runner)
    input_id, output_id = chain(window, ("Input", {"shape": [2]}), ("Output", {}))
    window.session.reload_data()
    train(qtbot, window)
    assert runner.current == 2, runner.runs[-1]["logs"]["accuracy"][-3:]   # one layer stays at 50–75%
    edge = window.document.graph.edges_into(output_id)[0].id
    window.document.push(RemoveItems(window.document.graph, [], [edge]))
    hidden = AddNode(window.document.graph, "Dense", (200.0, 100.0), {"units": 8, "activation": "tanh"})
    window.document.push(hidden)
    window.document.push(Connect(window.document.graph, input_id, "out", hidden.node_id, "in"))
    window.document.push(Connect(window.document.graph, hidden.node_id, "out", output_id, "in"))
    assert runner.current == 3
    train(qtbot, window)
    assert runner.progress_label.text() == all_done(runner), runner.runs[-1]["logs"]["accuracy"][-3:]
    assert not runner.retry_label.isVisible()


def test_a_run_that_falls_short_says_which_field_to_change(qtbot, window, one_thread):
    runner = start(window, "xor")
    choose(window, "xor", runner)
    chain(window, ("Input", {"shape": [2]}), ("Dense", {"units": 8, "activation": "tanh"}), ("Output", {}))
    window.session.reload_data()
    assert runner.current == 1
    go_to_step(runner, 3)   # "Train again until the accuracy reaches 100%"
    set_training(window, learning_rate=0.0001, epochs=2)   # far too small a step for far too short a run
    assert not runner.retry_label.isVisible()
    train(qtbot, window)
    assert runner.current == 3
    advice = runner.retry_label.text()
    qtbot.waitUntil(lambda: on_screen(runner.retry_label), timeout=3000)
    # The words name the panel, its fields and its button as the window shows them, in the student's language.
    panel = window.training_panel
    words = [window.parts.docks["training"].windowTitle(), panel._rows["learning_rate"][0].text(),
             panel._rows["epochs"][0].text(), panel.train_button.text()]
    assert words[1] == tr("Learning rate") and words[2] == tr("Epochs")
    assert all(word in advice for word in words), (words, advice)
    set_training(window, learning_rate=0.05, epochs=100)   # the student does what it says
    train(qtbot, window)
    assert runner.progress_label.text() == all_done(runner) and not runner.retry_label.isVisible()
