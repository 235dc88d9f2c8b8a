"""The explain panel: what the selected layer (or an activation, loss, optimizer, metric) is, its formula, what it means here."""

from __future__ import annotations

import html
from typing import Any, Optional

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ...core.i18n import N_, tr
from ...core.layers import canonical_type
from ...core.teaching.explanations import CATALOGUES, activation_curve, explain, explain_node
from ..widgets.wheel_guard import wheel_only_when_focused
from .edits import node_activation

KINDS = (("layer", N_("Selected layer")), ("activation", N_("Activation")), ("loss", N_("Loss")),
         ("optimizer", N_("Optimizer")), ("metric", N_("Metric")))
# Losses and metrics have names in the learner's language; activations and optimizers keep their technical names.
NAMES = {("loss", "cross_entropy"): N_("cross entropy"), ("loss", "binary_cross_entropy"): N_("binary cross entropy"),
         ("loss", "mse"): N_("mse"), ("loss", "mae"): N_("mae"), ("loss", "squared_error"): N_("squared error"),
         ("metric", "accuracy"): N_("accuracy"), ("metric", "precision"): N_("precision"),
         ("metric", "recall"): N_("recall"), ("metric", "f1"): N_("f1"), ("metric", "mse"): N_("mse"),
         ("metric", "mae"): N_("mae"), ("metric", "r2"): N_("r2")}


def display_name(kind: str, name: str) -> str:
    """What the panel calls an activation, loss, optimizer or metric (its key with spaces, or a translated name)."""
    text = NAMES.get((kind, name))
    return tr(text) if text else name.replace("_", " ")


class ExplainPanel(QWidget):
    """A sentence, a formula and — for the selected node — what it means in this network; activations plotted."""

    def __init__(self, document: Any, session: Any, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        import pyqtgraph as pg  # noqa: PLC0415 - pyqtgraph loads slowly: only when the panel is built

        self.setObjectName("explainPanel")
        self.document, self.session = document, session
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.kind_combo = QComboBox(self)
        wheel_only_when_focused(self.kind_combo)  # scrolling past it must not change it
        self.kind_combo.setObjectName("explainKind")
        for key, text in KINDS:
            self.kind_combo.addItem(tr(text), key)
        self.name_combo = QComboBox(self)
        wheel_only_when_focused(self.name_combo)  # scrolling past it must not change it
        self.name_combo.setObjectName("explainName")
        row.addWidget(self.kind_combo)
        row.addWidget(self.name_combo, 1)
        layout.addLayout(row)
        self.text = QLabel(self)
        self.text.setObjectName("explainText")
        self.text.setWordWrap(True)
        layout.addWidget(self.text)
        self.plot = pg.PlotWidget(self)
        self.plot.setObjectName("activationPlot")
        self.plot.setBackground("w")
        self.plot.addLegend(offset=(8, 8))
        self.plot.showGrid(x=True, y=True, alpha=0.2)
        self.function_curve = self.plot.plot([], [], pen=pg.mkPen((33, 102, 172), width=2.5), name="f(z)")
        self.slope_curve = self.plot.plot([], [], pen=pg.mkPen((214, 39, 40), width=2, style=pg.QtCore.Qt.PenStyle.DashLine),
                                          name=tr("slope f′(z)"))
        self.plot.setLabel("bottom", tr("z (the weighted sum)"))
        self.plot.setMinimumHeight(160)
        layout.addWidget(self.plot, 1)
        self.shown_activation: Optional[str] = None

        self.kind_combo.currentIndexChanged.connect(self._fill_names)
        self.name_combo.currentIndexChanged.connect(lambda _: self.refresh())
        document.selection_changed.connect(lambda ids: self._on_selection())
        document.analysis_changed.connect(self.refresh)
        self._fill_names()

    def _on_selection(self) -> None:
        if self.kind_combo.currentData() != "layer":
            self.kind_combo.setCurrentIndex(0)
        else:
            self.refresh()

    def _fill_names(self) -> None:
        kind = self.kind_combo.currentData()
        self.name_combo.blockSignals(True)
        self.name_combo.clear()
        self.name_combo.setVisible(kind != "layer")
        if kind != "layer":
            for name in CATALOGUES[kind]:
                self.name_combo.addItem(display_name(kind, name), name)
        self.name_combo.blockSignals(False)
        self.refresh()

    def show_item(self, kind: str, name: str) -> None:
        """Explain one activation / loss / optimizer / metric by name."""
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(kind))
        self.name_combo.setCurrentIndex(self.name_combo.findData(name))

    def refresh(self) -> None:
        kind = self.kind_combo.currentData()
        activation: Optional[str] = None
        if kind == "layer":
            selected = [i for i in self.document.selected_ids if i in self.document.graph.nodes]
            if not selected:
                self.text.setText(tr("Select a layer on the canvas to read what it does, or pick an activation, "
                                     "loss, optimizer or metric above."))
                self._plot(None)
                return
            node = self.document.graph.node(selected[0])
            kind_name = canonical_type(node.type) or node.type
            try:
                item = explain("layer", kind_name)
            except KeyError:
                self.text.setText(f"{node.type} '{node.name}'.")
                self._plot(None)
                return
            here = explain_node(self.document.graph, node.id, self.document.analysis, self.document.data_context)
            if kind_name in ("Dense", "Output", "Activation"):
                activation = node_activation(self.document, node.id) if kind_name != "Activation" else \
                    str(node.params.get("activation"))
            title = f"{node.type} '{node.name}'"
        else:
            name = self.name_combo.currentData()
            if name is None:
                return
            item = explain(kind, name)
            here = ""
            activation = name if kind == "activation" else None
            title = display_name(kind, item.name)
        parts = [f"<h3>{html.escape(title)}</h3>", f"<p>{html.escape(tr(item.sentence))}</p>",
                 f"<p style='font-family:monospace; font-size:110%'>{html.escape(tr(item.formula))}</p>"]
        if here:
            parts.append("<p>" + tr("<b>In this network:</b> {text}", text=html.escape(here)) + "</p>")
        if activation is not None and kind == "layer":
            try:
                act = explain("activation", activation)
                said = tr("<b>Its activation, {activation}:</b> {text}", activation=html.escape(activation),
                          text=html.escape(tr(act.sentence)))
                parts.append(f"<p>{said} <span style='font-family:monospace'>{html.escape(tr(act.formula))}</span></p>")
            except KeyError:
                activation = None
        self.text.setText("".join(parts))
        self._plot(activation)

    def _plot(self, activation: Optional[str]) -> None:
        self.shown_activation = activation
        self.plot.setVisible(activation is not None)
        if activation is None:
            return
        z, f, slope = activation_curve(activation)
        self.function_curve.setData(z, f)
        self.slope_curve.setData(z, slope)
        self.plot.setTitle(tr("{activation} and its slope (one score against 0)", activation=activation)
                           if activation == "softmax" else tr("{activation} and its slope", activation=activation))


__all__ = ["ExplainPanel"]
