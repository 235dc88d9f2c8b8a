"""The Experiments panel's undo steps and plot positions, without a window: a trial that adds hidden layers is used
and undone in one step; search edits merge into one step; values sit where their axis says."""

import pytest

from nnstudio.core.examples import EXAMPLES_DIR
from nnstudio.core.project import load_project
from nnstudio.core.tuning.space import Dimension, SearchSpace, apply_params
from nnstudio.gui.editing.document import Document
from nnstudio.gui.experiments.parallel_plot import position_on_axis, rank_shares, result_colour
from nnstudio.gui.experiments.project_commands import SetSearchSpace, UseTrialSettings


@pytest.fixture
def document(qapp):
    document = Document(load_project(EXAMPLES_DIR / "xor.nnstudio"))
    yield document
    document.deleteLater()


def test_a_trial_with_more_hidden_layers_is_used_and_undone_in_one_step(document):
    hidden = document.graph.node_by_name("hidden")
    before_graph, before_rate = document.graph.to_dict(), document.project.training.learning_rate
    changed_parts = []
    document.settings_changed.connect(changed_parts.append)
    trial = apply_params(document.project, {f"repeat:{hidden.id}": 3, "training:learning_rate": 0.05})

    document.push(UseTrialSettings(document, trial, 4))
    assert document.undo_stack.count() == 1
    assert document.undo_stack.undoText() == "Use the settings of trial 4"
    assert len(document.graph.nodes_of_type("Dense")) == 3
    assert document.project.training.learning_rate == 0.05
    assert changed_parts == ["training"]
    assert not document.analysis.errors

    document.undo()
    assert document.graph.to_dict() == before_graph
    assert document.project.training.learning_rate == before_rate
    document.redo()
    assert len(document.graph.nodes_of_type("Dense")) == 3


def test_a_trial_that_changes_settings_only_keeps_the_layers_in_place(document):
    hidden = document.graph.node_by_name("hidden")
    node_before = document.graph.node(hidden.id)
    trial = apply_params(document.project, {f"layer:{hidden.id}:units": 32})
    document.push(UseTrialSettings(document, trial, 0))
    assert document.graph.node(hidden.id) is node_before   # changed in place: the canvas keeps its card
    assert node_before.params["units"] == 32
    document.undo()
    assert node_before.params["units"] == 8


def test_search_edits_merge_into_one_undo_step(document):
    assert document.project.tuning is None
    first = SearchSpace([Dimension("training:learning_rate", "float", 1e-4, 1e-1, log=True)], trials=10)
    second = SearchSpace([Dimension("training:learning_rate", "float", 1e-3, 1e-1, log=True)], trials=12)
    document.push(SetSearchSpace(document, first))
    document.push(SetSearchSpace(document, second))
    assert document.undo_stack.count() == 1
    assert document.project.tuning.trials == 12
    document.undo()
    assert document.project.tuning is None


def test_values_sit_on_their_axes_and_colours_run_from_best_to_worst():
    log_rate = Dimension("training:learning_rate", "float", 1e-4, 1e-2, log=True)
    assert position_on_axis(log_rate, 1e-3) == pytest.approx(0.5)
    units = Dimension("layer:n2:units", "int", 16, 48)
    assert position_on_axis(units, 32) == pytest.approx(0.5)
    activation = Dimension("layer:n2:activation", "choice", choices=("relu", "tanh", "sigmoid"))
    assert [position_on_axis(activation, c) for c in ("relu", "tanh", "sigmoid")] == [0.0, 0.5, 1.0]
    assert position_on_axis(activation, "elu") is None
    assert result_colour(0.0) == (22, 163, 74) and result_colour(1.0) == (220, 38, 38)
    # Colours follow the rank: one trial that went badly does not paint the close ones alike (a walk saw that).
    losses = [0.30, 5.0, 0.31, 0.32, 0.31]
    assert rank_shares(losses) == [0.0, 1.0, pytest.approx(1 / 3), pytest.approx(2 / 3), pytest.approx(1 / 3)]
    assert len({result_colour(share) for share in rank_shares(losses)}) == 4
    assert rank_shares([0.9, 0.7], lower_is_better=False) == [0.0, 1.0]   # accuracy: higher is better
    assert rank_shares([0.5]) == [0.0]


def test_a_damaged_study_is_reported_and_the_panel_still_works(qtbot, tmp_path):
    from nnstudio.core.project import save_project
    from nnstudio.gui.experiments.experiments_panel import ExperimentsPanel

    project = load_project(EXAMPLES_DIR / "xor.nnstudio")
    save_project(project, tmp_path / "xor.nnstudio")
    (tmp_path / "xor.study").mkdir()
    (tmp_path / "xor.study" / "journal.log").write_bytes(b"\x00 not a journal {{{\n")
    document = Document(load_project(tmp_path / "xor.nnstudio"))
    panel = ExperimentsPanel(document)
    qtbot.addWidget(panel)
    assert panel.status.text().startswith("The experiment's trials could not be read: ")
    assert panel.model.rowCount() == 0
    assert list(panel.editor.rows)   # the search can still be set up


def test_undo_of_a_search_edit_shows_the_search_as_it_was(qtbot, document):
    from PySide6.QtCore import QPoint, Qt

    from nnstudio.gui.experiments.experiments_panel import ExperimentsPanel

    panel = ExperimentsPanel(document)
    qtbot.addWidget(panel)
    panel.show()
    row = panel.editor.rows["training:batch_size"]
    assert not row.is_ticked() and document.project.tuning is None
    qtbot.mouseClick(row.tick, Qt.MouseButton.LeftButton, pos=QPoint(8, row.tick.height() // 2))
    assert row.is_ticked() and row.editors.isVisible()
    assert "training:batch_size" in [d.key for d in document.project.tuning.dimensions]
    document.undo()
    assert document.project.tuning is None
    assert not row.is_ticked() and not row.editors.isVisible()
    document.redo()
    assert row.is_ticked()


def test_a_search_edit_refused_while_training_leaves_the_search_as_it_is(qtbot, document):
    from PySide6.QtCore import QPoint, Qt

    from nnstudio.gui.experiments.experiments_panel import ExperimentsPanel

    panel = ExperimentsPanel(document)
    qtbot.addWidget(panel)
    panel.show()
    document.lock_edits("The network is training")
    row = panel.editor.rows["training:batch_size"]
    with qtbot.waitSignal(document.edit_refused):
        qtbot.mouseClick(row.tick, Qt.MouseButton.LeftButton, pos=QPoint(8, row.tick.height() // 2))
    assert document.project.tuning is None and not row.is_ticked()


def test_every_choice_of_how_to_search_says_what_it_does(qtbot):
    """A walk found "Bayesian (TPE)" and "Hyperband" explained nowhere: each choice has its own tooltip."""
    from PySide6.QtCore import Qt

    from nnstudio.gui.experiments.space_editor import SpaceEditor

    editor = SpaceEditor()
    qtbot.addWidget(editor)
    for combo in (editor.strategy, editor.pruner):
        tips = [combo.itemData(i, Qt.ItemDataRole.ToolTipRole) for i in range(combo.count())]
        assert all(tip and tip.endswith(".") for tip in tips) and len(set(tips)) == combo.count()
    tpe = editor.strategy.findData("tpe")
    assert "Tree-structured Parzen Estimator" in editor.strategy.itemData(tpe, Qt.ItemDataRole.ToolTipRole)
    assert editor.trials.toolTip() and editor.minutes.toolTip() and editor.seed.toolTip()


def test_a_reopened_study_shows_its_table_from_the_left_and_says_how_its_trials_ended(qtbot, tmp_path):
    """A walk reopened a project: the table showed its last columns (Trial and Status scrolled away) and the line
    under Run was empty where it had counted the trials."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "engine"))
    from tuning_helpers import learning_rate, run_here, saved_iris, space_of, units

    from nnstudio.gui.experiments.experiments_panel import ExperimentsPanel
    from settling import settle

    project = saved_iris(tmp_path, epochs=2)
    run_here(project, space_of(units(project), learning_rate(), strategy="random", pruner="none", trials=5))
    document = Document(load_project(project.path))
    panel = ExperimentsPanel(document)
    qtbot.addWidget(panel)
    panel.resize(640, 320)   # a docked panel at 1280×720: narrower than its columns
    panel.show()
    qtbot.waitExposed(panel)
    settle(qtbot)
    assert panel.model.rowCount() == 5
    assert panel.status.text() == "5 trials finished."
    assert panel.table.horizontalScrollBar().maximum() > 0   # the columns do not all fit
    assert panel.table.horizontalScrollBar().value() == 0
    assert panel.table.columnViewportPosition(0) == 0   # Trial is the first column in sight
