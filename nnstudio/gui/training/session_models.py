"""The session's model side: which model the panels read (trained, a running one's copy, or seeded) and its weights."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from PySide6.QtCore import QElapsedTimer

from ...core.i18n import tr
from ...core.settings import TrainingSettings

# torch is reached only through nnstudio.engine (inference.py), imported where first used: the window must
# appear before torch is loaded.
if TYPE_CHECKING:
    import numpy as np

    from ...core.weight_store import LayerWeights, WeightStore
    from ...engine.compiler import GraphModule

# Predictions during a run use a copy of the model's weights that the worker makes between batches when asked.
# A prediction waits for the copy (about one batch) at most PREVIEW_WAIT_S, and one copy serves every prediction
# for PREVIEW_FRESH_MS, so the training thread copies the model at most 5 times a second, and only while the
# panels predict (Try it, the decision map).
PREVIEW_WAIT_S = 0.25
PREVIEW_FRESH_MS = 200


class SessionModels:
    """Mixed into TrainingSession (which holds the data, the worker and the `model_changed` signal).

    `model` is the trained model (or the one adopted or opened); before any run the panels read a seeded starting
    model. `weights` is the one WeightStore: it holds the Dense/Output numbers of `model`, edits go through it into
    the model, and every change it announces reaches the panels as `model_changed`.
    """

    _model: Optional["GraphModule"] = None
    _weights: Optional["WeightStore"] = None
    _loading_store = False
    _preview_model: Optional["GraphModule"] = None   # the GUI's own model for predictions during a run
    _preview_clock: Optional[QElapsedTimer] = None   # since its weights were last brought up to date
    _fresh_model: Optional[tuple[str, "GraphModule"]] = None  # an untrained model, before any run
    _trained_model: Optional["GraphModule"] = None   # `model` when its numbers came from training (here or a file)
    # The run that trained `model` (engine.optimizer_state.ResumeState): "Train more" goes on with it.
    resume_state: Any = None
    _resume_model: Optional["GraphModule"] = None
    _resume_signature = ""

    # ------------------------------------------------------------ the model and its weights
    @property
    def model(self) -> Optional["GraphModule"]:
        return self._model

    @model.setter
    def model(self, model: Optional["GraphModule"]) -> None:
        """A new model for the panels: the store takes its numbers (the caller announces model_changed).

        A running network's copy is not loaded: its numbers change every batch and arrive as weights_snapshot.
        """
        self._model = model
        if model is None:
            if self._weights is not None:
                self._load_store({})
        elif not self.is_training:
            from ...engine.inference import layer_weights  # noqa: PLC0415

            self._load_store(layer_weights(model))

    @property
    def model_trained(self) -> bool:
        """Whether the model the panels show was trained: by a run here, or read from a file that says so
        (a bundle, or the weights saved beside a project), even when no learning curves came with it."""
        return self._model is not None and self._model is self._trained_model

    def mark_trained(self, model: Optional["GraphModule"]) -> None:
        """Remember that this model's numbers were learned (a later model replaces the mark)."""
        self._trained_model = model

    def keep_run_state(self, model: Optional["GraphModule"], resume: Any) -> None:
        """Remember the run that trained `model` (a run here, or a bundle's), so "Train more" goes on with it."""
        self.resume_state = resume if model is not None else None
        self._resume_model = model if self.resume_state is not None else None
        self._resume_signature = self._signature() if self.resume_state is not None else ""

    @property
    def can_train_more(self) -> bool:
        """Whether "Train more" can go on with the model's run: the panels show that model, and neither the
        network nor its data changed since (another model, or a changed drawing, starts afresh with Train)."""
        return (not self.is_training and self.resume_state is not None and self._model is not None
                and self._model is self._resume_model and self._resume_signature == self._signature())

    @property
    def weights(self) -> "WeightStore":
        """The one owner of the Dense/Output weights the panels show and edit (see core/weight_store.py)."""
        if self._weights is None:
            from ...core.weight_store import WeightStore  # noqa: PLC0415

            self._weights = WeightStore()
            self._weights.attach(self._write_into_model)
            self._weights.changed.connect(self._weights_changed)
        return self._weights

    def _load_store(self, layers: dict) -> None:
        # The session announces a new model itself, when it is ready (after the run is recorded, for one).
        self._loading_store = True
        try:
            self.weights.load(layers)
        finally:
            self._loading_store = False

    def _weights_changed(self, node_ids: frozenset) -> None:
        if not self._loading_store:
            self.model_changed.emit()   # an edit: try-it, truth table, neuron view and weights panel redraw

    def _write_into_model(self, layers: dict[str, "LayerWeights"]) -> list[str]:
        """The store's writer: edited numbers go into the model the panels read (the starting one is adopted)."""
        from ...engine.inference import write_layers  # noqa: PLC0415

        return write_layers(self.current_model(adopt=True), layers)

    # ------------------------------------------------------------ which model
    def _usable_model(self) -> "GraphModule":
        """The trained model; a copy of the one in training; or a freshly built seeded one before any run."""
        from ...core.data import DataError  # noqa: PLC0415
        from ...engine.pipeline import build_model  # noqa: PLC0415

        if self.data is None:
            raise DataError(self.data_error or tr("There is no data yet."))
        if self.is_training:
            return self._training_preview()
        if self._model is not None:
            return self._model
        signature = self._loaded_signature or ""
        if self._fresh_model is None or self._fresh_model[0] != signature:
            self._fresh_model = (signature, build_model(self.document.project, self.data.context))
        return self._fresh_model[1]

    def _training_preview(self) -> "GraphModule":
        """The GUI's own model of the running network, with the weights the worker copied after a recent batch.

        The trainer's model is never read here: its weights change under any reader in another thread.
        """
        from ...engine.inference import load_state  # noqa: PLC0415
        from ...engine.pipeline import build_model  # noqa: PLC0415

        if self._preview_model is None:
            # The same drawing and seed as the run: its starting weights, until the first copy arrives.
            seed = self.last_settings.seed if self.last_settings is not None else None
            self._preview_model = build_model(self._worker.project, self.data.context, seed)
            self._preview_model.eval()
            self.model = self._preview_model  # panels that read `model` (output settings) see this run's network
        clock = self._preview_clock
        if clock is None or clock.elapsed() >= PREVIEW_FRESH_MS:
            # A paused run makes no copies: it made one when pausing (see pause), so take that without waiting.
            state = self._worker.mailbox.take_model(0.0 if self._paused else PREVIEW_WAIT_S)
            if state is not None:
                load_state(self._preview_model, state)
            self._preview_clock = QElapsedTimer()
            self._preview_clock.start()
        return self._preview_model

    def model_fits_graph(self, model: "GraphModule") -> bool:
        """Whether a model still matches the drawing: same weighted layers, sizes and activations."""
        from ...engine.inference import model_fits_graph  # noqa: PLC0415

        context = self.document.data_context
        return model_fits_graph(model, self.document.graph, self.document.analysis,
                                context.output_targets if context else {})

    def current_model(self, adopt: bool = False) -> "GraphModule":
        """The model panels show: the latest one if it still fits the drawing, else the seeded starting model.

        adopt=True makes that starting model the session's model, so weights set by hand stay and every panel
        (try-it, weights, truth table) sees them. Raises DataError without data, RunError for a broken graph.
        """
        if self._model is not None and not self.is_training and not self.model_fits_graph(self._model):
            self.model = None  # trained for an earlier drawing: its numbers no longer mean anything here
        model = self._usable_model()
        if adopt and self._model is None and not self.is_training:
            self.model = model
        return model

    def shown_layer(self, node_id: str, adopt: bool = False) -> Optional["LayerWeights"]:
        """A copy of one Dense/Output layer's numbers as every panel shows them now; None without such a layer.

        The weight store holds the numbers of the session's model (trained, adopted or edited by hand), so the
        neuron view, the truth table and the Weights panel read the same ones. Before any run or edit the store is
        empty and the seeded starting model is read (adopt=True makes it the session's model first, for an edit);
        during a run, the running network's copy. Without data or with a broken drawing: None (adopt=False) or
        the DataError/RunError that says why (adopt=True).
        """
        from ...core.data import DataError  # noqa: PLC0415
        from ...engine.inference import read_layer  # noqa: PLC0415
        from ...engine.pipeline import RunError  # noqa: PLC0415

        try:
            model = self.current_model(adopt=adopt)
        except (DataError, RunError):
            if adopt:
                raise
            return None
        if not self.is_training and node_id in self.weights:
            return self.weights.get(node_id)
        return read_layer(model, node_id)

    # ------------------------------------------------------------ using it (the numbers come from engine.inference)
    def predict(self, raw_inputs: dict[str, "np.ndarray"]) -> dict[str, "np.ndarray"]:
        """Raw (unscaled) rows per Input id -> the network's outputs per Output id (probabilities or values)."""
        from ...engine.inference import predict  # noqa: PLC0415

        model = self._usable_model()
        return predict(model, self.data.prepared.scale_inputs(raw_inputs))

    def evaluate_test(self) -> dict:
        """Test metrics per output name (with the confusion matrix for classes); {} without a test part."""
        test = self.data.prepared.test if self.data is not None else None
        if test is None or not len(test):
            return {}
        from ...engine.inference import evaluate  # noqa: PLC0415

        settings = self.last_settings or TrainingSettings.from_dict(self.document.project.training.to_dict())
        return evaluate(self._usable_model(), settings, test)

    def test_predictions(self) -> dict[str, tuple["np.ndarray", "np.ndarray"]]:
        """Output id -> (true targets, the network's outputs as predict gives them) on the test part."""
        test = self.data.prepared.test if self.data is not None else None
        if test is None or not len(test):
            return {}
        from ...engine.inference import test_predictions  # noqa: PLC0415

        return test_predictions(self._usable_model(), test)

    # For the type checker: these live on TrainingSession.
    data: Any
    data_error: str
    document: Any
    last_settings: Optional[TrainingSettings]
    model_changed: Any
    _loaded_signature: Optional[str]
    _worker: Any
    _paused: bool
    is_training: bool
