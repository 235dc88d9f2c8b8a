"""Every lesson completed by a test acting as the student, through the lessons runner in the real window, in
English and in Korean: the student reads the window in their language, so texts are compared with tr() of the
English source and a dataset is picked by the name the instruction quotes, as the list shows it."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from test_teaching_neurons import type_into  # noqa: E402 - the same typing helper (rootdir-relative import)

from nnstudio.core import i18n
from nnstudio.core.examples import wide_deep
from nnstudio.core.i18n import tr
from nnstudio.core.settings import TrainingSettings
from nnstudio.gui.editing.commands import AddNode, Connect, Paste, RemoveItems, SetParam, SetProjectSettings
from nnstudio.gui.language import apply_language
from nnstudio.gui.main_window import MainWindow
from nnstudio.gui.sharing import install_sharing
from nnstudio.gui.teaching.install import install_teaching

HANGUL = re.compile(r"[\uac00-\ud7a3]")


@pytest.fixture(params=["en", "ko"])
def language(request, qapp):
    """The student reads the app in English or in Korean (chosen before the window is built, as at start)."""
    assert apply_language(request.param) == request.param
    yield request.param
    apply_language("en")


@pytest.fixture
def window(language, qtbot):
    window = MainWindow()
    window.file_actions.ask_unsaved_changes = lambda: QMessageBox.StandardButton.Discard
    qtbot.addWidget(window)
    install_sharing(window)  # File → Export…, as app.main installs it
    install_teaching(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def start(window, lesson_id: str):
    window.teaching.actions[f"lesson_{lesson_id}"].trigger()   # Lessons → the lesson
    runner = window.teaching.runner
    assert runner.lesson.id == lesson_id and runner.progress_label.text() == step_of(runner, 1)
    assert runner.instruction_label.text() == tr(runner.lesson.steps[0].instruction)
    if i18n.language() == "ko":   # the lesson speaks the student's language, not English
        assert HANGUL.search(runner.title_label.text()) and HANGUL.search(runner.instruction_label.text())
    return runner


def step_of(runner, number: int) -> str:
    """'Step 2 of 5' as the lesson shows it, in the language in use."""
    return tr("Step {step} of {steps}", step=number, steps=len(runner.lesson.steps))


def all_done(runner) -> str:
    return tr("All {steps} steps done", steps=len(runner.lesson.steps))


def dataset_named(window, runner) -> str:
    """The built-in dataset the current instruction names ('and', '당뇨병'…), found in the Data panel's list as a
    student finds it: by the quoted name among the list's titles, in the language shown."""
    instruction = runner.instruction_label.text()
    quoted = re.findall(r"'([^']+)'", instruction)
    assert quoted, f"{instruction!r} names no dataset"
    combo = window.data_view.ensure_built().dataset_combo
    # The steps name built-in datasets: the course datasets to download ("dataset:mnist") are not among them.
    titles = {combo.itemData(i): combo.itemText(i).split(" — ")[0] for i in range(combo.count())
              if combo.itemData(i) and not combo.itemData(i).startswith("dataset:")}
    found = [name for name, title in titles.items()
             if re.search(rf"(?<!\w){re.escape(quoted[0])}(?!\w)", title, re.IGNORECASE)]
    assert len(found) == 1, f"{instruction!r} names {quoted[0]!r}; the Data panel lists {list(titles.values())}"
    return found[0]


def choose(window, dataset: str, runner=None) -> None:
    """Pick a built-in dataset in the Data panel, then let the session load it (as its timer would). Given the
    lesson's runner, the step's own words must lead the student to this dataset in the list."""
    if runner is not None:
        assert dataset_named(window, runner) == dataset
    assert window.data_view.ensure_built().choose_builtin(dataset)
    window.session.reload_data()


def menu_words(text: str) -> str:
    """A menu's words as the student reads them: without the shortcut mark ('&File', '파일(&F)')."""
    return re.sub(r"\(&\w\)$", "", text).replace("&&", "\0").replace("&", "").replace("\0", "&")


def chain(window, *layers: tuple[str, dict]) -> list[str]:
    """Draw layers left to right and wire them, one undo step per action as on the canvas."""
    document, ids = window.document, []
    for position, (kind, params) in enumerate(layers):
        command = AddNode(document.graph, kind, (position * 200.0, 0.0), params)
        document.push(command)
        if ids:
            document.push(Connect(document.graph, ids[-1], "out", command.node_id, "in"))
        ids.append(command.node_id)
    return ids


def set_training(window, **changes) -> None:
    settings = TrainingSettings.from_dict(window.document.project.training.to_dict())
    for key, value in changes.items():
        setattr(settings, key, value)
    window.document.push(SetProjectSettings(window.document, "training", settings, "Change training"))


def train(qtbot, window) -> None:
    """Press Train and wait until the diagnostics (and so the lesson) have seen the finished run."""
    with qtbot.waitSignal(window.teaching.diagnostics.diagnosed, timeout=60_000):
        qtbot.mouseClick(window.training_panel.train_button, Qt.MouseButton.LeftButton)


def test_lesson_1_a_neuron_and_logic_gates(qtbot, window, one_thread):
    runner = start(window, "neuron")
    choose(window, "and", runner)
    assert runner.current == 1 and runner.progress_label.text() == step_of(runner, 2)
    input_id, output_id = chain(window, ("Input", {"shape": [2]}), ("Output", {}))
    window.document.push(SetParam(window.document.graph, output_id, "activation", "step"))
    window.session.reload_data()
    assert runner.current == 2
    window.teaching.actions["neurons"].trigger()
    teaching = window.teaching
    teaching.truth_table.plain_inputs_button.click()     # the table's advice: plain 0/1 inputs
    window.session.reload_data()
    view = teaching.neuron_view
    assert view.node_id == output_id  # a lone neuron opens by itself
    for column, text in enumerate(("0.5", "0.5", "-0.7")):
        type_into(view.table, 0, column, text)
    assert teaching.truth_table.table_data.all_right and runner.current == 3
    choose(window, "or", runner)
    type_into(view.table, 0, 2, "-0.2")
    assert runner.current == 4
    choose(window, "nand", runner)
    teaching.perceptron.method_button.click()
    assert window.document.project.training.method == "perceptron"
    train(qtbot, window)
    assert runner.current == 5 and runner.progress_label.text() == all_done(runner)
    assert runner.instruction_label.text() == tr("Lesson complete! Pick another one from the Lessons menu.")


def test_lesson_2_xor(qtbot, window, one_thread):
    runner = start(window, "xor")
    choose(window, "xor", runner)
    assert runner.current == 1
    input_id, output_id = chain(window, ("Input", {"shape": [2]}), ("Output", {}))
    window.teaching.truth_table.plain_inputs_button.click()
    window.session.reload_data()
    set_training(window, optimizer="sgd", learning_rate=1.0, epochs=60, batch_size=4, validation_split=0.0)
    train(qtbot, window)
    assert runner.current == 2
    edge = window.document.graph.edges_into(output_id)[0].id
    window.document.push(RemoveItems(window.document.graph, [], [edge]))
    hidden = AddNode(window.document.graph, "Dense", (200.0, 100.0), {"units": 8, "activation": "tanh"})
    window.document.push(hidden)
    window.document.push(Connect(window.document.graph, input_id, "out", hidden.node_id, "in"))
    window.document.push(Connect(window.document.graph, hidden.node_id, "out", output_id, "in"))
    assert runner.current == 3
    set_training(window, optimizer="adam", learning_rate=0.05, epochs=150, seed=1)
    train(qtbot, window)
    assert runner.current == 4 and runner.progress_label.text() == all_done(runner)


def test_lesson_3_an_mlp_and_its_parameters(window):
    runner = start(window, "mlp")
    ids = chain(window, ("Input", {"shape": [28, 28]}), ("Flatten", {}), ("Dense", {"units": 300}),
                ("Dense", {"units": 100}), ("Output", {"task": "multiclass", "units": 2}))
    assert runner.current == 1
    window.document.push(SetParam(window.document.graph, ids[-1], "units", 10))
    assert runner.current == 2 and window.document.analysis.total_params == 266_610


def test_lesson_4_one_backprop_step(window):
    runner = start(window, "backprop")
    chain(window, ("Input", {"shape": [2]}), ("Dense", {"units": 2, "activation": "sigmoid"}),
          ("Output", {"task": "regression", "units": 2, "activation": "sigmoid"}))
    assert runner.current == 1
    window.teaching.actions["classic"].trigger()
    stepper = window.teaching.stepper
    for kind, done in (("error", 2), ("backward", 3), ("update", 4)):
        while stepper.current_kind() != kind:
            stepper.next_button.click()
        assert runner.current == done
    assert runner.lesson.progress(runner.state()) == 4


def test_lesson_5_digits_overfitting_and_dropout(qtbot, window, one_thread):
    runner = start(window, "digits")
    choose(window, "digits", runner)
    ids = chain(window, ("Input", {"shape": [8, 8]}), ("Flatten", {}),
                ("Dense", {"units": 300, "activation": "relu"}), ("Output", {}))
    window.session.reload_data()
    assert runner.current == 2
    # A big network, a fast learning rate and many epochs: the validation loss turns upwards.
    set_training(window, optimizer="adam", learning_rate=0.003, epochs=40, batch_size=32)
    train(qtbot, window)
    kinds = runner.runs[-1]["diagnoses"]
    assert "overfitting" in kinds, runner.runs[-1]
    assert runner.current == 3
    dense, output = ids[2], ids[3]
    edge = window.document.graph.edges_into(output)[0].id
    window.document.push(RemoveItems(window.document.graph, [], [edge]))
    dropout = AddNode(window.document.graph, "Dropout", (700.0, 100.0), {"rate": 0.3})
    window.document.push(dropout)
    window.document.push(Connect(window.document.graph, dense, "out", dropout.node_id, "in"))
    window.document.push(Connect(window.document.graph, dropout.node_id, "out", output, "in"))
    assert runner.current == 4
    set_training(window, learning_rate=0.001, epochs=12)
    train(qtbot, window)
    assert runner.current == 5
    settings = TrainingSettings.from_dict(window.document.project.training.to_dict())
    settings.early_stopping.enabled = True
    window.document.push(SetProjectSettings(window.document, "training", settings, "Early stopping"))
    assert runner.current == 6 and runner.progress_label.text() == all_done(runner)


def test_lesson_6_wide_and_deep(qtbot, window, one_thread):
    runner = start(window, "wide_deep")
    choose(window, "diabetes", runner)
    assert runner.current == 1
    # The student draws the two inputs first, then the paths and outputs (pasted from the example's drawing).
    example = wide_deep().graph.to_dict()
    inputs = [node["id"] for node in example["nodes"] if node["type"] == "Input"]
    window.document.push(Paste(window.document.graph, {"nodes": [n for n in example["nodes"] if n["id"] in inputs],
                                                        "edges": []}))
    assert runner.current == 2
    window.document.push(RemoveItems(window.document.graph, list(window.document.graph.nodes)))
    window.document.push(Paste(window.document.graph, example))
    window.session.reload_data()
    assert runner.current == 4
    set_training(window, epochs=3)
    train(qtbot, window)
    assert runner.current == 5


def test_lesson_7_saving_and_exporting(qtbot, window, one_thread, tmp_path):
    runner = start(window, "saving")
    choose(window, "and")
    chain(window, ("Input", {"shape": [2]}), ("Output", {}))
    window.session.reload_data()
    set_training(window, epochs=3)
    train(qtbot, window)
    assert runner.current == 1
    # The step names the menu path as the menus show it ("File → Save", "파일 → 저장"), shortcut marks aside.
    file_menu, save = window.parts.menus["file"].title(), window.file_actions.save_action.text()
    assert f"{menu_words(file_menu)} → {menu_words(save)}" in runner.instruction_label.text()
    assert window.file_actions.save_to(tmp_path / "gate.nnstudio")
    assert runner.current == 2
    # File → Export…: choose the format, type where, press Export — as the student does.
    dialog = window.sharing.show_export_dialog()
    for fmt, target in (("safetensors", tmp_path / "gate.safetensors"), ("python", tmp_path / "code")):
        dialog.format_combo.setCurrentIndex(dialog.format_combo.findData(fmt))
        dialog.path_edit.setText(str(target))
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
        assert target.exists(), dialog.message_label.text()
    assert runner.current == 4 and runner.lesson_finished
    dialog.close()


def test_a_finished_step_stays_finished(window):
    runner = start(window, "neuron")
    choose(window, "and", runner)
    assert runner.current == 1
    choose(window, "iris")   # the first step's check is false again, but the lesson does not go back
    assert runner.current == 1 and "✓ 1." in runner.steps_list.item(0).text()
    assert runner.hint_button.isVisible()   # step 2 has a hint
    runner.hint_button.click()
    assert runner.hint_label.text() == tr(runner.lesson.steps[1].hint)
    assert tr("Activation") in runner.hint_label.text()   # the Inspector's field, by the name it shows


def test_the_lessons_menu_shows_an_ampersand_as_written(qtbot, window):
    """Qt reads a lone '&' as a shortcut marker: 'Wide & Deep' showed as 'Wide _Deep' (a student walk-through)."""
    from PySide6.QtGui import QAction
    action = window.findChild(QAction, "lesson_wide_deep")
    assert action.text().replace("&&", "&") == f"6. {tr('Wide & Deep with two outputs')}"
    assert "& " not in action.text().replace("&&", "")  # no single '&' left to swallow the next letter
