"""Each fact about a layer type or an optimizer is written once: the engine's tables cover every entry."""

import pytest
import torch

from nnstudio.core.graph import Graph
from nnstudio.core.layers import LAYERS
from nnstudio.core.project import Project
from nnstudio.core.settings import OPTIMIZERS, TrainingSettings
from nnstudio.engine.builders import BUILDERS
from nnstudio.engine.export.code_writers import CODE_WRITERS
from nnstudio.engine.export.train_code import _optimizer_code
from nnstudio.engine.optimizers import OPTIMIZER_RECIPES, make_optimizer


def test_every_layer_type_has_a_builder_and_a_code_writer():
    assert set(BUILDERS) == set(LAYERS)
    assert set(CODE_WRITERS) == set(LAYERS)


def test_every_optimizer_the_settings_offer_is_in_the_table():
    assert set(OPTIMIZER_RECIPES) == set(OPTIMIZERS)


@pytest.mark.parametrize("weight_decay", [0.0, 0.001])
@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_train_py_builds_the_optimizer_the_app_trains_with(name, weight_decay):
    """The exported optimizer line, run, gives the same class and settings as the Trainer's optimizer
    (AdamW included, whose torch default weight decay of 0.01 is not the app's 0)."""
    project = Project(Graph())
    project.training = TrainingSettings(optimizer=name, weight_decay=weight_decay, learning_rate=0.02,
                                        momentum=0.8, epsilon=1e-6, rho=0.85, beta1=0.8, beta2=0.95)
    model = torch.nn.Linear(3, 2)
    exported = eval(_optimizer_code(project), {"torch": torch, "model": model})  # noqa: S307 (our own code)
    ours = make_optimizer(project.training, model.parameters())
    assert type(exported) is type(ours)
    ignore = {"fused", "foreach", "differentiable", "capturable", "maximize"}
    mine = {k: v for k, v in ours.defaults.items() if k not in ignore}
    theirs = {k: v for k, v in exported.defaults.items() if k not in ignore}
    assert theirs == mine
