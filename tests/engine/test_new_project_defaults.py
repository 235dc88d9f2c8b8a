"""A new project's training settings train every lesson's network to its goal; old files keep what they saved."""

from __future__ import annotations

import pytest

from nnstudio.core.data.binding import settings_for_new_data
from nnstudio.core.data.builtin import load_builtin
from nnstudio.core.examples import wide_deep
from nnstudio.core.project import Project, dumps_project, loads_project
from nnstudio.core.settings import TrainingSettings
from nnstudio.core.teaching.lessons import lesson, run_record
from nnstudio.engine.pipeline import load_project_data, train_project


@pytest.fixture(autouse=True)
def one_thread():
    import torch
    before = torch.get_num_threads()
    torch.set_num_threads(1)   # tiny networks train faster on one thread of this shared machine
    yield
    torch.set_num_threads(before)


def new_project(dataset: str, *layers: tuple[str, dict]) -> Project:
    """File → New, choose a built-in dataset, draw the layers in a line: nothing else changed."""
    project = Project()
    source = {"kind": "builtin", "name": dataset}
    project.data = settings_for_new_data(project.data, source, load_builtin(dataset))
    previous = None
    for kind, params in layers:
        node = project.graph.add_node(kind, params=params)
        if previous is not None:
            project.graph.connect(previous, "out", node.id, "in")
        previous = node.id
    return project


def lesson_state(project: Project, dataset: str) -> dict:
    """Train at the project's own settings and return the lesson state that run makes."""
    _, result = train_project(project, project.training, load_project_data(project))
    run = run_record(project.graph, dataset, project.training.method, result.history.logs)
    return {"graph": project.graph, "dataset": dataset, "runs": [run]}


def done(lesson_id: str, step: int, state: dict) -> bool:
    return lesson(lesson_id).steps[step].check(state)


def test_new_projects_start_with_settings_that_can_reach_a_goal():
    settings = Project().training
    assert (settings.optimizer, settings.learning_rate, settings.epochs) == ("adam", 0.01, 50)
    assert settings == TrainingSettings.for_new_project()


def test_lesson_2_xor_reaches_both_goals_at_the_defaults():
    single = new_project("xor", ("Input", {"shape": [2]}), ("Output", {}))
    assert done("xor", 1, lesson_state(single, "xor"))            # one layer stays at 50–75%
    hidden = new_project("xor", ("Input", {"shape": [2]}), ("Dense", {"units": 8, "activation": "tanh"}),
                         ("Output", {}))
    state = lesson_state(hidden, "xor")
    assert done("xor", 3, state), state["runs"][0]["logs"]["accuracy"][-5:]   # 100% with a hidden layer


# Lesson 1's perceptron run starts from the weights the student typed, with the perceptron panel's rate: the
# window's lesson test (tests/gui/test_lessons_in_the_window.py) trains it at a new project's settings.


def test_lesson_5_digits_with_dropout_at_the_defaults():
    project = new_project("digits", ("Input", {"shape": [8, 8]}), ("Flatten", {}),
                          ("Dense", {"units": 300, "activation": "relu"}), ("Dropout", {"rate": 0.3}), ("Output", {}))
    state = lesson_state(project, "digits")
    assert done("digits", 4, state), state["runs"][0]["logs"]["val_accuracy"][-1]   # at least 90% on validation


def test_lesson_6_wide_and_deep_trains_at_the_defaults():
    project = wide_deep()
    project.training = Project().training   # the student's drawing in a new project, not the example's settings
    state = lesson_state(project, "diabetes")
    assert done("wide_deep", 4, state)
    losses = state["runs"][0]["logs"]["loss"]
    assert losses[-1] < losses[0] / 5   # it learned, not merely ran


def test_an_old_file_without_these_settings_keeps_the_values_it_was_trained_with():
    saved = dumps_project(Project())
    assert '"learning_rate": 0.01' in saved and '"epochs": 50' in saved   # a new project saves its own numbers
    old = Project()
    old.training = TrainingSettings.from_dict({"optimizer": "sgd", "batch_size": 8})  # an older file's few keys
    text = dumps_project(old).replace('"learning_rate": 0.001,', "").replace('"epochs": 20,', "")
    assert '"learning_rate"' not in text and '"epochs"' not in text
    reopened = loads_project(text)
    assert (reopened.training.learning_rate, reopened.training.epochs) == (0.001, 20)
    assert loads_project(saved).training.learning_rate == 0.01
