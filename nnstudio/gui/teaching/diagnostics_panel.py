"""The diagnostics panel: what went wrong in a run (overfitting, learning rate, dead units…) in plain words, with advice."""

from __future__ import annotations

import html
import logging
import time
from typing import Any, Optional, Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QTextBrowser, QVBoxLayout, QWidget

from ...core.i18n import N_, ntr, tr

log = logging.getLogger(__name__)
HEALTHY = N_("All looks healthy: no sign of overfitting, underfitting or a learning rate that is too high.")
# Overfitting shows only against rows the network does not train on: without them the verdict says so.
HEALTHY_WITHOUT_VALIDATION = N_("No sign of underfitting or a learning rate that is too high. Whether the network "
                                 "is overfitting cannot be told: a separate validation set is needed for that.")
SEVERITY_STYLE = {"error": ("#fbe3e3", "#a01818", N_("Problem")), "warning": ("#fff1dc", "#9a5a00", N_("Warning")),
                  "info": ("#e3eefb", "#1f4f8f", N_("Note"))}
WAITING_FOR_RUN = N_("Train the network: what the app notices about the run appears here.")
DURING_TRAINING_EVERY_S = 1.0   # the same findings are refreshed at most this often while training runs


def _number(value: float) -> str:
    return f"{value:.4g}"


class DiagnosticsPanel(QWidget):
    """Lists each Diagnosis of the last run (during training: the curve-based ones, epoch by epoch)."""

    diagnosed = Signal(object, list)    # the RunResult (or None) and the kinds found, after a run

    def __init__(self, document: Any, session: Any, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("diagnosticsPanel")
        self.document, self.session = document, session
        self.diagnoses: list = []
        self._history: Any = None
        self._html = ""   # what the list shows now
        self._shown_at = 0.0   # time.monotonic() of the last update during training
        layout = QVBoxLayout(self)
        self.status_label = QLabel(tr(WAITING_FOR_RUN), self)
        self.status_label.setObjectName("diagnosticsStatus")
        self.status_label.setWordWrap(True)
        layout.addWidget(self.status_label)
        self.view = QTextBrowser(self)
        self.view.setObjectName("diagnosticsList")
        self.view.setOpenLinks(False)
        layout.addWidget(self.view, 1)
        layout.addStretch(0)   # keeps the header at the top while the list is hidden
        self.view.hide()       # nothing to list before a run
        session.training_started.connect(self._on_started)
        session.epoch_finished.connect(self._on_epoch)
        session.training_finished.connect(self._on_finished)
        document.project_replaced.connect(self.clear)

    def clear(self) -> None:
        self.diagnoses = []
        self._history = None
        self._html = ""
        self.view.clear()
        self.view.hide()
        self._set_status(tr(WAITING_FOR_RUN))

    # ------------------------------------------------------------ during training: only what the curves say
    def _on_started(self) -> None:
        from ...engine.training import History  # noqa: PLC0415

        self._history = History()
        self.diagnoses = []
        self._html = ""
        self.view.clear()
        self.view.hide()
        self._set_status(tr("Training: the curves are checked after every epoch."))

    def _on_epoch(self, epoch: int, logs: dict) -> None:
        if self._history is None:
            return
        from ...engine.diagnostics import diagnose_curves  # noqa: PLC0415

        self._history.record(epoch, logs)
        # Cheap checks only while training; probing the model waits until the run is over.
        found = diagnose_curves(self._history, validation=self._validation())
        kinds = [d.kind for d in found]
        now = time.monotonic()
        # Small datasets finish many epochs a second: the same findings with new numbers are laid out again at
        # most once a second (each layout is Python and Qt work that holds the GIL the training thread needs).
        if kinds != [d.kind for d in self.diagnoses] or now - self._shown_at >= DURING_TRAINING_EVERY_S:
            self._shown_at = now
            self.show_diagnoses(found, during=True)

    # ------------------------------------------------------------ after training: everything, probes included
    def _on_finished(self, result: Any) -> None:
        self._history = None
        diagnoses = self.diagnose_result(result)
        self.show_diagnoses(diagnoses)
        self.diagnosed.emit(result, [d.kind for d in diagnoses])

    def _validation(self) -> Optional[str]:
        """Where this session's validation numbers come from (separate rows, the training rows, none); None when
        unknown, so the diagnostics judge from the run's own logs."""
        from ...engine.verdicts import validation_source  # noqa: PLC0415

        data, settings = self.session.data, self.session.last_settings
        prepared = getattr(data, "prepared", None)
        if prepared is None:
            return None
        return validation_source(prepared.train, prepared.validation,
                                 settings.validation_split if settings is not None else 0.0)

    def diagnose_result(self, result: Any) -> list:
        """Every diagnostic on the finished run; the probes (dead units, gradients) need its model and data."""
        from ...engine.diagnostics import diagnose, diagnose_run  # noqa: PLC0415
        from ...engine.training import Trainer  # noqa: PLC0415

        history = result.history
        settings = self.session.last_settings
        data, model = self.session.data, self.session.model
        if model is None or data is None or settings is None or settings.method == "perceptron":
            # The perceptron rule has no gradients to probe: its curves say all there is to say.
            return diagnose(history, learning_rate=settings.learning_rate if settings else None,
                            validation=self._validation())
        try:
            trainer = Trainer(model, settings)
            # The window's runs bring their probes, measured in the training thread (or found impossible there:
            # not tried again); others are probed here.
            return diagnose_run(trainer, history, data.prepared.train, self.document.project.data.scaling,
                                probes=getattr(result, "probes", None),
                                measure=not getattr(result, "probes_tried", False), validation=self._validation())
        except (RuntimeError, ValueError) as exc:
            # A probe that cannot run (an unusual network) must not hide what the curves show.
            log.warning("the diagnostics probes could not run: %s", exc)
            return diagnose(history, learning_rate=settings.learning_rate, validation=self._validation())

    def show_history(self, history: Any, probes: Any = None, baseline_accuracy: Optional[float] = None,
                     learning_rate: Optional[float] = None, validation: Optional[str] = None) -> list:
        """Diagnose a History directly (for a run loaded from elsewhere, or a test) and show it; `validation` says
        where its validation numbers came from (engine.verdicts.VALIDATION_SOURCES), else its logs tell."""
        from ...engine.diagnostics import default_validation, diagnose  # noqa: PLC0415

        source = validation or default_validation(history)
        found = diagnose(history, probes, baseline_accuracy, learning_rate=learning_rate, validation=source)
        self.show_diagnoses(found, validation=source)
        return found

    # ------------------------------------------------------------ showing
    def show_diagnoses(self, diagnoses: Sequence[Any], during: bool = False, validation: Optional[str] = None
                       ) -> None:
        self.diagnoses = list(diagnoses)
        if not self.diagnoses:
            # The verdict once: in the header, with the list left empty (it has nothing to list).
            source = validation or self._validation() or "separate"
            healthy = HEALTHY if source == "separate" else HEALTHY_WITHOUT_VALIDATION
            self._set_status(tr("So far so good.") if during else tr(healthy), "color: #1b6e2a;")
            if self._html or not self.view.isHidden():
                self._html = ""
                self.view.clear()
                self.view.hide()
            return
        self.view.show()
        count = len(self.diagnoses)
        self._set_status(ntr("{n} thing to look at (so far).", "{n} things to look at (so far).", count) if during
                         else ntr("{n} thing to look at.", "{n} things to look at.", count))
        parts = []
        for diagnosis in self.diagnoses:
            background, color, word = SEVERITY_STYLE.get(diagnosis.severity, SEVERITY_STYLE["info"])
            evidence = ", ".join(f"{html.escape(k.replace('_', ' '))} = {_number(v)}"
                                 for k, v in diagnosis.evidence.items())
            advice = "".join(f"<li>{html.escape(a)}</li>" for a in diagnosis.advice)
            parts.append(
                f"<div style='background:{background}; padding:6px; margin-bottom:8px'>"
                f"<b style='color:{color}'>{html.escape(tr(word))}: {html.escape(diagnosis.title)}</b>"
                f"<p>{html.escape(diagnosis.message)}</p>"
                + (f"<p style='color:#555'><small>{tr('The numbers: {evidence}', evidence=evidence)}</small></p>"
                   if evidence else "")
                + (f"<p>{html.escape(tr('What to try:'))}</p><ul>{advice}</ul>" if advice else "") + "</div>")
        text = "".join(parts)
        if text != self._html:  # during training this runs after every epoch: lay the page out only when it changed
            self._html = text
            self.view.setHtml(text)

    def _set_status(self, text: str, style: str = "") -> None:
        """The header line; a style sheet is set only when it changes (each one restyles the label)."""
        self.status_label.setText(text)
        if self.status_label.styleSheet() != style:
            self.status_label.setStyleSheet(style)

    def titles(self) -> list[str]:
        return [d.title for d in self.diagnoses]


__all__ = ["DiagnosticsPanel", "HEALTHY", "HEALTHY_WITHOUT_VALIDATION"]
