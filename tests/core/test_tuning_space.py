"""The search space drawn from a project: candidates, words, saving, checks and a trial's project."""

import pytest

from nnstudio.core import examples
from nnstudio.core.project import ProjectError, dumps_project, loads_project
from nnstudio.core.settings import SettingsError
from nnstudio.core.tuning.space import (
    Dimension,
    SearchSpace,
    apply_params,
    candidate_dimensions,
    chain_starts,
    default_space,
    describe,
    params_in_words,
)


def _by_name(project, name):
    return project.graph.node_by_name(name)


def test_candidates_cover_layers_training_and_chain_length_in_words():
    project = examples.digits()
    hidden1 = _by_name(project, "hidden1").id
    words = [describe(d, project) for d in candidate_dimensions(project)]
    assert "units of hidden1: 16 to 256, log scale" in words
    assert "activation of hidden1: relu, tanh, sigmoid" in words
    assert "dropout rate of dropout1: 0 to 0.5" in words
    assert "learning rate: 0.0001 to 0.1, log scale" in words
    assert "batch size: 16, 32, 64, 128" in words
    assert "hidden Dense layers from hidden1: 1 to 4" in words
    assert chain_starts(project) == [hidden1]   # hidden2 continues hidden1's chain


def test_apply_params_makes_a_new_project_and_leaves_the_old_one():
    project = examples.digits()
    before = dumps_project(project)
    hidden1 = _by_name(project, "hidden1").id
    trial = apply_params(project, {f"layer:{hidden1}:units": 64.0, f"layer:{hidden1}:activation": "tanh",
                                   "training:learning_rate": 0.003, "training:batch_size": 64,
                                   "training:optimizer": "sgd"})
    assert dumps_project(project) == before
    assert _by_name(trial, "hidden1").params["units"] == 64 and isinstance(_by_name(trial, "hidden1").params["units"], int)
    assert _by_name(trial, "hidden1").params["activation"] == "tanh"
    assert (trial.training.learning_rate, trial.training.batch_size, trial.training.optimizer) == (0.003, 64, "sgd")
    assert "units of hidden1 = 64" in params_in_words({f"layer:{hidden1}:units": 64}, project)


def test_repeat_adds_copies_of_the_last_block_and_removes_blocks_wired_straight():
    project = examples.digits()
    hidden1 = _by_name(project, "hidden1").id
    longer = apply_params(project, {f"repeat:{hidden1}": 3})
    names = [n.name for n in longer.graph.nodes.values()]
    assert {"hidden3", "dropout3"} <= set(names)
    # the chain runs hidden1 -> ... -> hidden3 -> dropout3 -> digit, one straight line
    node = _by_name(longer, "hidden3")
    assert [longer.graph.nodes[e.target].name for e in longer.graph.edges_out_of(node.id)] == ["dropout3"]
    after = longer.graph.edges_out_of(_by_name(longer, "dropout3").id)
    assert [longer.graph.nodes[e.target].name for e in after] == ["digit"]
    shorter = apply_params(project, {f"repeat:{hidden1}": 1})
    assert _by_name(shorter, "hidden2") is None
    after = shorter.graph.edges_out_of(_by_name(shorter, "dropout1").id)
    assert [shorter.graph.nodes[e.target].name for e in after] == ["digit"]


def test_search_space_round_trips_through_the_project_file():
    project = examples.iris()
    project.tuning = default_space(project)
    project.tuning.strategy, project.tuning.trials, project.tuning.minutes = "random", 6, 1.5
    loaded = loads_project(dumps_project(project))
    assert loaded.tuning == project.tuning
    assert "tuning" not in examples.iris().to_dict()   # a project without a search is written as before


@pytest.mark.parametrize("change, words", [
    ({"strategy": "annealing"}, "grid, random or tpe"),
    ({"trials": 0}, "number of trials"),
    ({"trials": None, "minutes": None}, "budget"),
    ({"workers": -1}, "worker processes"),
    ({"dimensions": [{"key": "training:learning_rate", "kind": "float", "low": 0, "high": 0.1, "log": True}]},
     "log scale needs numbers above 0"),
    ({"dimensions": [{"key": "training:colour", "kind": "choice", "choices": ["red"]}]}, "not a setting"),
])
def test_a_wrong_search_is_refused_in_plain_words(change, words):
    data = dict(SearchSpace().to_dict(), **change)
    with pytest.raises(SettingsError, match=words):
        SearchSpace.from_dict(data)
    raw = dict(examples.iris().to_dict(), tuning=data)
    with pytest.raises(ProjectError, match="search settings are invalid"):
        from nnstudio.core.project import project_from_dict
        project_from_dict(raw)


def test_dimensions_of_deleted_layers_are_dropped_before_a_search():
    project = examples.digits()
    space = SearchSpace(candidate_dimensions(project))
    project.graph.remove_node(_by_name(project, "dropout2").id)
    usable = space.usable_in(project)
    assert all(d.node_id is None or d.node_id in project.graph.nodes for d in usable.dimensions)
    assert len(usable.dimensions) == len(space.dimensions) - 1
    assert Dimension.from_dict(space.dimensions[0].to_dict()) == space.dimensions[0]
