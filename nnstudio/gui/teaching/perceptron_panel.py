"""The perceptron panel: Rosenblatt's rule w ← w + η (y − ŷ) x stepped sample by sample on the project's data."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QDoubleSpinBox, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from ...core.i18n import ntr, tr
from ...core.layers import canonical_type
from ...core.teaching.lessons import chain_of
from ...core.teaching.perceptron import PERCEPTRON_ACTIVATIONS, PerceptronTrainer, Update, rule_targets
from ..widgets.wheel_guard import wheel_only_when_focused
from .edits import LayerWeights, SetWeights, model_problem, node_activation
from .shown_weights import layer_numbers

RULE = "w ← w + η (y − ŷ) x,   b ← b + η (y − ŷ)"


class PerceptronPanel(QWidget):
    """Step sample / Run epoch / Reset; every update written out and written into the model (undoable)."""

    def __init__(self, document: Any, session: Any, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("perceptronPanel")
        self.document, self.session = document, session
        self.position = 0           # the next sample to show the rule
        self.epoch = 1
        self.mistakes_this_epoch = 0
        self.last_epoch_mistakes: Optional[int] = None
        self.starting: Optional[LayerWeights] = None   # the weights before the first step, for Reset
        self.updates: list[Update] = []

        layout = QVBoxLayout(self)
        rule = QLabel(tr("The perceptron rule: {rule}. A wrong answer moves the weights towards the sample (or away "
                         "from it); a right answer changes nothing.", rule=RULE), self)
        rule.setWordWrap(True)
        layout.addWidget(rule)
        self.status_label = QLabel(self)
        self.status_label.setObjectName("perceptronStatus")
        self.status_label.setWordWrap(True)
        layout.addWidget(self.status_label)
        # Two rows (the learning rate, then the buttons), so the panel stays narrow beside the neuron view.
        rate_row = QHBoxLayout()
        rate_row.addWidget(QLabel(tr("η (learning rate):"), self))
        self.rate_spin = QDoubleSpinBox(self)
        wheel_only_when_focused(self.rate_spin)  # scrolling past it must not change it
        self.rate_spin.setObjectName("perceptronRate")
        self.rate_spin.setDecimals(3)
        self.rate_spin.setRange(0.001, 10.0)
        self.rate_spin.setSingleStep(0.1)
        self.rate_spin.setValue(1.0)
        rate_row.addWidget(self.rate_spin)
        rate_row.addStretch(1)
        layout.addLayout(rate_row)
        row = QHBoxLayout()
        self.step_button = QPushButton(tr("Step sample"), self)
        self.step_button.setObjectName("perceptronStep")
        self.step_button.clicked.connect(self.step_sample)
        self.epoch_button = QPushButton(tr("Run epoch"), self)
        self.epoch_button.setObjectName("perceptronEpoch")
        self.epoch_button.clicked.connect(self.run_epoch)
        self.reset_button = QPushButton(tr("Reset"), self)
        self.reset_button.setObjectName("perceptronReset")
        self.reset_button.setToolTip(tr("Back to the weights before the first step (one undo step)"))
        self.reset_button.clicked.connect(self.reset)
        for button in (self.step_button, self.epoch_button, self.reset_button):
            row.addWidget(button)
        layout.addLayout(row)
        self.method_button = QPushButton(tr("Train with this rule when I press Train"), self)
        self.method_button.setObjectName("perceptronAsMethod")
        self.method_button.setToolTip(tr("Sets the project's training method to the perceptron rule (one undo step); "
                                         "Train then runs it epoch after epoch with live curves."))
        self.method_button.clicked.connect(self.use_as_training_method)
        layout.addWidget(self.method_button)
        self.log = QPlainTextEdit(self)
        self.log.setObjectName("perceptronLog")
        self.log.setReadOnly(True)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.log.setFont(mono)
        layout.addWidget(self.log, 1)

        document.analysis_changed.connect(self._forget)
        document.project_replaced.connect(self._forget)
        document.settings_changed.connect(lambda part: self._forget())
        session.data_changed.connect(self._forget)
        session.training_started.connect(self._update_buttons)
        session.training_finished.connect(self._update_buttons)
        session.training_failed.connect(self._update_buttons)
        self._forget()

    # ------------------------------------------------------------ does the rule apply?
    def output_node(self) -> tuple[Optional[str], str]:
        """The single step/sign Output the rule trains, or None and the reason in plain words."""
        chain = chain_of({"graph": self.document.graph})
        if not chain:
            return None, tr("The perceptron rule needs one Input connected (through Flatten if needed) to one Output.")
        kinds = [canonical_type(node["type"]) for node in chain]
        if any(kind in ("Dense",) for kind in kinds):
            return None, tr("The perceptron rule trains a single layer of neurons. This network has a hidden Dense "
                            "layer: remove it, or train with gradient descent (backpropagation) instead.")
        output = chain[-1]["id"]
        activation = node_activation(self.document, output)
        if activation not in PERCEPTRON_ACTIVATIONS:
            return None, tr("The perceptron rule needs a step (or sign) output, but the Output uses {activation}: "
                            "select the Output and set its activation to step.", activation=activation)
        task = self.document.data_context.output_targets.get(output) if self.document.data_context else None
        if task is not None and task.task == "regression":
            return None, tr("The perceptron rule sorts samples into classes; this Output predicts numbers.")
        return output, ""

    def training_arrays(self) -> Optional[tuple[np.ndarray, np.ndarray]]:
        """The training inputs (as the network sees them) and the 0/1 (or −1/1) answer each neuron should give."""
        data = getattr(self.session, "data", None)
        output, _ = self.output_node()
        if data is None or output is None or not data.prepared.train.inputs \
                or output not in data.prepared.train.targets:
            return None  # no data yet, or data still loading for a network just drawn
        inputs = np.asarray(next(iter(data.prepared.train.inputs.values())), dtype=np.float64)
        inputs = inputs.reshape(len(inputs), -1)
        layer = layer_numbers(self.session, output)
        units = layer.weights.shape[0] if layer is not None else 1
        codes = data.prepared.train.targets[output]
        return inputs, rule_targets(codes, units, node_activation(self.document, output))

    # ------------------------------------------------------------ stepping
    def _forget(self, *_: Any) -> None:
        """The network or data changed: start counting again from the first sample."""
        self.position, self.epoch, self.mistakes_this_epoch = 0, 1, 0
        self.last_epoch_mistakes = None
        self.starting = None
        self.updates = []
        self._update_buttons()

    def _update_buttons(self, *_: Any) -> None:
        output, reason = self.output_node()
        problem = model_problem(self.session) if output is not None else ""
        usable = output is not None and not problem and not self.session.is_training
        for button in (self.step_button, self.epoch_button, self.reset_button, self.method_button):
            button.setEnabled(usable)
        if output is None:
            self.status_label.setText(reason)
        elif problem:
            self.status_label.setText(tr("Nothing to train yet: {problem}", problem=problem))
        elif self.session.is_training:
            self.status_label.setText(tr("Training is running; the steps wait until it ends."))
        else:
            self._show_position()

    def _show_position(self) -> None:
        arrays = self.training_arrays()
        count = len(arrays[0]) if arrays is not None else 0
        text = tr("Epoch {epoch}, next sample {sample} of {count}.", epoch=self.epoch, sample=self.position + 1,
                  count=count)
        if self.last_epoch_mistakes is not None:  # a second sentence after the first
            text += " " + (tr("The last epoch made no mistake: the perceptron has converged.")
                           if self.last_epoch_mistakes == 0 else
                           ntr("The last epoch made {n} mistake.", "The last epoch made {n} mistakes.",
                               self.last_epoch_mistakes))
        self.status_label.setText(text)

    def step_sample(self) -> Optional[Update]:
        """Show the rule one sample and write the new weights into the model (one undo step)."""
        output, _ = self.output_node()
        arrays = self.training_arrays()
        if output is None or arrays is None or not len(arrays[0]):
            self._update_buttons()
            return None
        inputs, wanted = arrays
        self.session.current_model(adopt=True)   # before any run, the starting weights become the model's
        layer = layer_numbers(self.session, output)
        if self.starting is None:
            self.starting = layer.copy()
        rule = PerceptronTrainer(layer.weights, layer.bias, self.rate_spin.value(), node_activation(self.document,
                                                                                                   output))
        update = rule.step(inputs[self.position], wanted[self.position])
        if layer.bias is None:
            rule.bias[:] = 0.0  # a layer without bias keeps its threshold at 0
        self.updates.append(update)
        self.log.appendPlainText(tr("Epoch {epoch}, sample {sample}: {update}", epoch=self.epoch,
                                    sample=self.position + 1, update=update.text))
        if update.changed:
            self.mistakes_this_epoch += 1
            new = LayerWeights(rule.weights.copy(), None if layer.bias is None else rule.bias.copy())
            self.document.push(SetWeights(self.session, {output: new},
                                          tr("Perceptron step (epoch {epoch}, sample {sample})", epoch=self.epoch,
                                             sample=self.position + 1)))
        self.position += 1
        if self.position >= len(inputs):
            self.last_epoch_mistakes = self.mistakes_this_epoch
            self.log.appendPlainText(ntr("— end of epoch {epoch}: {n} mistake —", "— end of epoch {epoch}: {n} mistakes —",
                                         self.mistakes_this_epoch, epoch=self.epoch))
            self.position, self.mistakes_this_epoch = 0, 0
            self.epoch += 1
        self._show_position()
        return update

    def run_epoch(self) -> Optional[int]:
        """Step through the rest of this epoch; returns how many mistakes it made."""
        arrays = self.training_arrays()
        if arrays is None:
            self._update_buttons()
            return None
        epoch = self.epoch
        while self.epoch == epoch:
            if self.step_sample() is None:
                return None
        return self.last_epoch_mistakes

    def use_as_training_method(self) -> bool:
        """Make the perceptron rule the project's training method (the Train button then uses it)."""
        from ...core.settings import TrainingSettings  # noqa: PLC0415
        from ..editing.commands import SetProjectSettings  # noqa: PLC0415

        settings = TrainingSettings.from_dict(self.document.project.training.to_dict())
        if settings.method == "perceptron":
            return True
        settings.method = "perceptron"
        settings.learning_rate = self.rate_spin.value()
        return self.document.push(SetProjectSettings(self.document, "training", settings,
                                                     tr("Train with the perceptron rule")))

    def reset(self) -> bool:
        """Back to the weights before the first step (one undo step), and to the first sample."""
        output, _ = self.output_node()
        starting = self.starting
        self._forget()
        self.log.appendPlainText(tr("— reset —"))
        if output is None or starting is None:
            return False
        return self.document.push(SetWeights(self.session, {output: starting}, tr("Reset the perceptron's weights")))


__all__ = ["PerceptronPanel", "RULE"]
