"""The training panel: optimizer and fit settings, Train / Pause / Stop, progress and the run's final message."""

from __future__ import annotations

import sys
from typing import Any, Callable, Optional

from PySide6.QtCore import QEventLoop, Qt
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...core.i18n import ntr, tr
from ...core.runs import RunRecord
from ...core.settings import OPTIMIZERS, TrainingSettings
from ..editing.commands import SetProjectSettings
from ..editing.document import Document
from ..widgets.wheel_guard import wheel_only_when_focused
from .run_files_box import RunFilesBox
from .run_messages import (
    device_note,
    divergence_details,
    final_message,
    format_seconds,
    needs_perceptron_rule,
    saved_run_message,
    saved_run_progress,
    stop_reason_word,
)
from .session import TrainingSession
from .setting_widgets import (
    DeviceCombo,
    fraction_box,
    get_setting,
    learning_rate_box,
    set_setting,
    whole_number_box,
)

MONITORS = ("val_loss", "loss", "val_accuracy", "accuracy", "val_mae", "val_r2")
# Which optimizer uses which extra setting (the others are hidden, so the form only shows what matters).
OPTIMIZER_SETTINGS = {
    "momentum": ("momentum", "nesterov"),
    "beta1": ("adam", "adamw"),
    "beta2": ("adam", "adamw"),
    "rho": ("rmsprop",),
}
class TrainingPanel(QWidget):
    """Settings for the next run and the buttons to run it. Every change is one undo step on the project."""

    def __init__(self, document: Document, session: TrainingSession, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("trainingPanel")
        self.document = document
        self.session = session
        self._filling = False
        self._editors: dict[str, QWidget] = {}
        self._rows: dict[str, tuple[QLabel, QWidget]] = {}
        self.details_text = ""
        self.details_title = tr("Training failed")
        self._progress_text = ""   # the progress bar's text without " (paused)"
        self._failed_project: Any = None  # the project a failure was last shown for (see show_saved_state)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 6, 6, 6)
        buttons = QHBoxLayout()
        self.train_button = QPushButton(tr("Train"))
        self.train_button.setObjectName("trainButton")
        self.train_button.setToolTip(tr("Train the network on the project's data"))
        self.train_more_button = QPushButton(tr("Train More"))
        self.train_more_button.setObjectName("trainMoreButton")
        self.train_more_button.setToolTip(tr("Go on with the last run (or an opened trained model) where it stopped: "
                                             "its weights, its optimizer and its curves"))
        self.pause_button = QPushButton(tr("Pause"))
        self.pause_button.setObjectName("pauseButton")
        self.stop_button = QPushButton(tr("Stop"))
        self.stop_button.setObjectName("stopButton")
        for button in (self.train_button, self.pause_button, self.stop_button):
            buttons.addWidget(button)
        outer.addLayout(buttons)
        # A row of its own, shown only when there is a run to go on with: the panel keeps its narrow width.
        more_row = QHBoxLayout()
        more_row.addWidget(self.train_more_button)
        more_row.addStretch(1)
        outer.addLayout(more_row)
        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("trainingProgress")
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setValue(0)
        self.progress_bar.setTextVisible(True)
        self.progress_bar.setFormat(tr("Not trained yet"))
        outer.addWidget(self.progress_bar)
        status_row = QHBoxLayout()
        self.status_label = QLabel("")
        self.status_label.setObjectName("trainingStatus")
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details_button = QPushButton(tr("Details…"))
        self.details_button.setObjectName("trainingDetailsButton")
        self.details_button.setVisible(False)
        self.details_button.clicked.connect(lambda: self.show_details(self.details_text))
        # Offered when gradient descent was refused for a step/sign Output: the fix is one click away.
        self.perceptron_button = QPushButton(tr("Use the perceptron rule"))
        self.perceptron_button.setObjectName("usePerceptronButton")
        self.perceptron_button.setToolTip(tr("Set the training method to the perceptron rule (one undo step)"))
        self.perceptron_button.setVisible(False)
        self.perceptron_button.clicked.connect(lambda: self.use_perceptron_rule())
        status_row.addWidget(self.status_label, 1)
        status_row.addWidget(self.perceptron_button, 0, Qt.AlignmentFlag.AlignTop)
        status_row.addWidget(self.details_button, 0, Qt.AlignmentFlag.AlignTop)
        outer.addLayout(status_row)

        form_holder = QWidget()
        form_layout = QVBoxLayout(form_holder)
        form_layout.setContentsMargins(0, 0, 0, 0)
        form_layout.addWidget(self._optimizer_group())
        form_layout.addWidget(self._fit_group())
        form_layout.addWidget(self._stopping_group())
        self.run_files_box = RunFilesBox(document)  # checkpoint files and TensorBoard logs
        form_layout.addWidget(self.run_files_box)
        form_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # the form fits the dock's width
        scroll.setWidget(form_holder)
        outer.addWidget(scroll, 1)

        self.train_button.clicked.connect(self._train_clicked)
        self.train_more_button.clicked.connect(self._train_more_clicked)
        session.model_changed.connect(self._update_buttons)  # a finished run or an opened model: Train More
        self.pause_button.clicked.connect(self._pause_clicked)
        self.stop_button.clicked.connect(session.stop)
        session.training_started.connect(self._training_started)
        session.progress.connect(self.show_progress)
        session.training_finished.connect(self._training_finished)
        session.training_failed.connect(self.show_failure)
        session.data_changed.connect(self._update_validation_hint)
        document.settings_changed.connect(self._settings_changed)
        document.project_replaced.connect(self._project_replaced)
        self.refresh()
        self._update_buttons()

    # ------------------------------------------------------------ building the form
    def _add(self, form: QFormLayout, key: str, label: str, editor: QWidget, tip: str,
             signal_name: str, value_of: Callable[[], Any]) -> None:
        editor.setObjectName(f"training_{key}")
        editor.setToolTip(tip)
        if isinstance(editor, (QSpinBox, QDoubleSpinBox, QComboBox)):
            # Spin boxes size themselves for their largest value (a billion): cap them so the dock stays narrow.
            editor.setMinimumWidth(80)
            editor.setMaximumWidth(170)
            wheel_only_when_focused(editor)  # scrolling the panel must not change the setting under the pointer
        caption = QLabel(label)
        caption.setToolTip(tip)
        form.addRow(caption, editor)
        self._editors[key] = editor
        self._rows[key] = (caption, editor)
        getattr(editor, signal_name).connect(lambda *args, k=key: self._edited(k, value_of()))

    def _optimizer_group(self) -> QGroupBox:
        group = QGroupBox(tr("Optimizer"))
        form = QFormLayout(group)
        self.optimizer_combo = QComboBox()
        for key, title in OPTIMIZERS.items():
            self.optimizer_combo.addItem(tr(title), key)
        self._add(form, "optimizer", tr("Optimizer"), self.optimizer_combo,
                  tr("How the weights are changed after each batch. Adam is a good first choice."),
                  "currentIndexChanged", lambda: self.optimizer_combo.currentData())
        self.learning_rate_box = learning_rate_box()
        self._add(form, "learning_rate", tr("Learning rate"), self.learning_rate_box,
                  tr("How big each step is. Too big and the loss jumps around or becomes NaN; too small and learning "
                     "is slow. The arrows step 0.001 → 0.002 → 0.005 → 0.01."),
                  "valueChanged", lambda: self.learning_rate_box.value())
        momentum = fraction_box(0.0, 1.0, 0.05)
        self._add(form, "momentum", tr("Momentum"), momentum,
                  tr("How much of the previous step carries over (0 = none, 0.9 is usual)."), "valueChanged",
                  momentum.value)
        beta1 = fraction_box(0.0, 1.0, 0.01, 4)
        self._add(form, "beta1", tr("Beta 1"), beta1, tr("Adam's memory of past gradients (0.9 is usual)."),
                  "valueChanged", beta1.value)
        beta2 = fraction_box(0.0, 1.0, 0.001, 4)
        self._add(form, "beta2", tr("Beta 2"), beta2, tr("Adam's memory of past squared gradients (0.999 is usual)."),
                  "valueChanged", beta2.value)
        rho = fraction_box(0.0, 1.0, 0.01, 4)
        self._add(form, "rho", tr("Rho"), rho, tr("RMSprop's memory of past squared gradients (0.9 is usual)."),
                  "valueChanged", rho.value)
        decay = fraction_box(0.0, 10.0, 0.0001, 6)
        self._add(form, "weight_decay", tr("Weight decay"), decay,
                  tr("Pulls the weights towards zero a little at every step, against overfitting (0 = off)."),
                  "valueChanged", decay.value)
        return group

    def _fit_group(self) -> QGroupBox:
        group = QGroupBox(tr("Training"))
        form = QFormLayout(group)
        batch = whole_number_box(1, 1_000_000)
        self._add(form, "batch_size", tr("Batch size"), batch,
                  tr("How many samples are looked at before each weight update."), "valueChanged", batch.value)
        epochs = whole_number_box(1, 1_000_000)
        self._add(form, "epochs", tr("Epochs"), epochs, tr("How many times the network sees the whole training data."),
                  "valueChanged", epochs.value)
        split = fraction_box(0.0, 0.9, 0.05, 2)
        self._add(form, "validation_split", tr("Validation split"), split,
                  tr("The share of the training rows kept aside to check the network on data it does not learn "
                     "from. Only used when the data has no validation part of its own (see the Data panel)."),
                  "valueChanged", split.value)
        self.validation_hint = QLabel("")
        self.validation_hint.setObjectName("validationHint")
        self.validation_hint.setWordWrap(True)
        self.validation_hint.setStyleSheet("color: palette(mid);")
        form.addRow("", self.validation_hint)
        seed = whole_number_box(0, 2_147_483_647)
        self._add(form, "seed", tr("Seed"), seed, tr("The same seed gives the same starting weights and batch order."),
                  "valueChanged", seed.value)
        shuffle = QCheckBox(tr("Shuffle every epoch"))
        self._add(form, "shuffle", "", shuffle, tr("Mixing the order helps the network not learn the order."),
                  "toggled", shuffle.isChecked)
        self.device_combo = DeviceCombo()
        self.device_combo.gpu_found.connect(self.refresh)
        self._add(form, "device", tr("Device"), self.device_combo,
                  tr("Where the arithmetic runs. A GPU appears here when PyTorch can use one."),
                  "currentIndexChanged", lambda: self.device_combo.currentData())
        return group

    def _stopping_group(self) -> QGroupBox:
        group = QGroupBox(tr("Early stopping and checkpoint"))
        form = QFormLayout(group)
        enabled = QCheckBox(tr("Stop when no longer improving"))
        self._add(form, "early_stopping.enabled", "", enabled,
                  tr("End training when the watched number has not improved for a while."), "toggled",
                  enabled.isChecked)
        monitor = QComboBox()
        monitor.setEditable(True)
        monitor.addItems(MONITORS)
        self._add(form, "early_stopping.monitor", tr("Watch"), monitor,
                  tr("The number to watch: val_loss (loss on the validation rows) is the usual choice."),
                  "currentTextChanged", monitor.currentText)
        patience = whole_number_box(0, 1_000_000)
        self._add(form, "early_stopping.patience", tr("Patience"), patience,
                  tr("How many epochs without improvement to wait before stopping."), "valueChanged", patience.value)
        delta = fraction_box(0.0, 1e6, 0.001, 6)
        self._add(form, "early_stopping.min_delta", tr("Min change"), delta,
                  tr("Smaller changes than this do not count as an improvement."), "valueChanged", delta.value)
        restore = QCheckBox(tr("Restore the best weights"))
        self._add(form, "early_stopping.restore_best", "", restore,
                  tr("After stopping early, use the weights from the best epoch."), "toggled", restore.isChecked)
        checkpoint = QCheckBox(tr("Keep the best weights"))
        self._add(form, "checkpoint_best", "", checkpoint,
                  tr("Remember the weights of the best epoch while training goes on."), "toggled", checkpoint.isChecked)
        return group

    # ------------------------------------------------------------ settings in and out
    def editor(self, key: str) -> QWidget:
        return self._editors[key]

    def _settings_changed(self, part: str) -> None:
        if part == "training":
            self.refresh()

    def refresh(self) -> None:
        """Show the project's training settings (after a load, an edit, undo or redo)."""
        settings = self.document.project.training
        self._filling = True
        try:
            for key, editor in self._editors.items():
                value = get_setting(settings, key)
                if isinstance(editor, QComboBox) and not editor.isEditable():
                    index = editor.findData(value)
                    if index < 0 and key == "device":
                        index = self.device_combo.index_for(str(value))
                    editor.setCurrentIndex(max(index, 0))
                elif isinstance(editor, QComboBox):
                    editor.setCurrentText(str(value))
                elif isinstance(editor, QCheckBox):
                    editor.setChecked(bool(value))
                elif isinstance(editor, (QSpinBox, QDoubleSpinBox)):
                    editor.setValue(value)
        finally:
            self._filling = False
        self._show_relevant_rows(settings)
        self._update_validation_hint()

    def _project_replaced(self) -> None:
        """Another project (New, Open, an example): its settings, and its own last run, never the previous one's."""
        self.refresh()
        self.show_saved_state()

    def show_saved_state(self) -> None:
        """The open project's last saved run in the progress bar and status line, or "Not trained yet"."""
        if self._failed_project is self.document.project:
            return  # the previous project's run was dropped while opening this one: that message stays
        runs = self.document.project.runs
        if not runs:
            self.progress_bar.setValue(0)
            self.progress_bar.setFormat(tr("Not trained yet"))
            self.set_status("")
            return
        record = RunRecord.from_dict(runs[-1])
        self.progress_bar.setValue(1000 if record.stop_reason == "completed" else 0)
        self.progress_bar.setFormat(saved_run_progress(record))
        self.set_status(saved_run_message(record))

    def _show_relevant_rows(self, settings: TrainingSettings) -> None:
        for key, optimizers in OPTIMIZER_SETTINGS.items():
            for widget in self._rows[key]:
                widget.setVisible(settings.optimizer in optimizers)
        early = settings.early_stopping.enabled
        for key in ("early_stopping.monitor", "early_stopping.patience", "early_stopping.min_delta",
                    "early_stopping.restore_best"):
            for widget in self._rows[key]:
                widget.setEnabled(early)

    def _update_validation_hint(self) -> None:
        data = self.session.data
        own = data is not None and data.prepared.validation is not None and len(data.prepared.validation) > 0
        if own:
            text = ntr("The data has its own validation part ({n} row), so the validation split is not used.",
                       "The data has its own validation part ({n} rows), so the validation split is not used.",
                       len(data.prepared.validation))
        else:
            text = tr("The data has no validation part: this share of the training rows is used instead.")
        self.validation_hint.setText(text)
        for widget in self._rows["validation_split"]:
            widget.setEnabled(not own)

    def _edited(self, key: str, value: Any) -> None:
        if self._filling:
            return
        settings = TrainingSettings.from_dict(self.document.project.training.to_dict())
        if get_setting(settings, key) == value:
            return
        set_setting(settings, key, value)
        label = self._rows[key][0].text() or key.split(".")[-1].replace("_", " ")
        if not self.document.push(SetProjectSettings(self.document, "training", settings,
                                                     tr("Change {setting}", setting=label.lower()))):
            self.refresh()  # refused (training runs): show the settings as they are

    # ------------------------------------------------------------ running
    def _train_more_clicked(self) -> None:
        self._train_clicked(more=True)

    def _train_clicked(self, more: bool = False) -> None:
        self.set_status("")
        self._show_starting()
        try:
            if more:
                self.session.start(more=True)
            else:
                self.session.start()
        finally:
            self._update_buttons()
            if not self.session.is_training and self.progress_bar.format() == tr("Starting…"):
                self.show_saved_state()  # it did not start (and said nothing): no "Starting…" left behind

    def _show_starting(self) -> None:
        """Say "Starting…" and grey out Train at once: the first run loads PyTorch first, which takes seconds."""
        self._progress_text = tr("Starting…")
        self.progress_bar.setFormat(self._progress_text)
        self.train_button.setEnabled(False)
        self.train_more_button.setEnabled(False)
        # Painted now: the event loop's own paint would come only after that slow import. Clicks and keys wait
        # (Train cannot be pressed twice); only the window's own work, painting first of all, runs here.
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)

    def _pause_clicked(self) -> None:
        if self.session.is_paused:
            self.session.resume()
        else:
            self.session.pause()
        self._update_buttons()
        if self.session.is_paused:
            self.progress_bar.setFormat(tr("{progress} (paused)", progress=self._progress_text))

    def _update_buttons(self) -> None:
        training = self.session.is_training
        self.train_button.setEnabled(not training)
        self.train_more_button.setEnabled(self.session.can_train_more)
        # While a run goes on the button stays where it was (greyed), so the panel does not jump.
        keep = training and self.train_more_button.isVisibleTo(self)
        self.train_more_button.setVisible(self.session.can_train_more or keep)
        self.pause_button.setEnabled(training)
        self.stop_button.setEnabled(training)
        self.pause_button.setText(tr("Resume") if self.session.is_paused else tr("Pause"))
        for editor in self._editors.values():
            editor.setEnabled(not training)
        if not training:
            self._show_relevant_rows(self.document.project.training)
            self._update_validation_hint()

    def _training_started(self) -> None:
        self.progress_bar.setValue(0)
        self._progress_text = tr("Starting…")
        self.progress_bar.setFormat(self._progress_text)
        self.set_status("")
        self._update_buttons()
        if "torch" in sys.modules and self.device_combo.find_gpu():  # torch is loaded anyway: offer the GPU
            self.refresh()

    def show_progress(self, info: dict) -> None:
        epoch, epochs = info["epoch"], max(info["epochs"], 1)
        batch, batches = info["batch"], max(info["batches"], 1)
        done = ((epoch - 1) + batch / batches) / epochs
        text = self._progress_text = tr("epoch {epoch}/{epochs} · batch {batch}/{batches} · {time} left", epoch=epoch,
                                        epochs=epochs, batch=batch, batches=batches,
                                        time=format_seconds(info["seconds_left"]))
        if self.session.is_paused:
            text = tr("{progress} (paused)", progress=text)
        bar = self.progress_bar
        # QProgressBar.setValue repaints at once (the whole window's dirty region with it, plots included);
        # with updates held, value and text become one ordinary repaint with the window's next one.
        bar.setUpdatesEnabled(False)
        bar.setValue(int(round(done * 1000)))
        bar.setFormat(text)
        bar.setUpdatesEnabled(True)

    def show_last_result(self, result: Any) -> None:
        """Show a run that ended before this panel existed (a window rebuilt in another language)."""
        self._training_finished(result)

    def _training_finished(self, result: Any) -> None:
        self._update_buttons()
        history = result.history
        epochs = len(history.epochs)
        self.progress_bar.setValue(1000 if history.stop_reason == "completed" else self.progress_bar.value())
        before = getattr(result, "epochs_before", 0)
        if before:
            # Train More: the time is this part's, so the epochs said beside it are this part's too (a walk read
            # "20 epochs in 0:00" after 10 more epochs that took a second).
            self.progress_bar.setFormat(ntr("{ending} · {n} more epoch in {time} ({total} in all)",
                                            "{ending} · {n} more epochs in {time} ({total} in all)",
                                            epochs - before, ending=stop_reason_word(history.stop_reason),
                                            time=format_seconds(result.seconds), total=epochs))
        else:
            self.progress_bar.setFormat(ntr("{ending} · {n} epoch in {time}", "{ending} · {n} epochs in {time}",
                                            epochs, ending=stop_reason_word(history.stop_reason),
                                            time=format_seconds(result.seconds)))
        diverged = history.stop_reason == "diverged"
        self.set_status(final_message(result, self._device_note()), error=diverged,
                        details=divergence_details(result) if diverged else "", details_title=tr("Training diverged"))

    def _device_note(self) -> str:
        model = self.session.model
        used = next((p.device.type for p in model.parameters()), "cpu") if model is not None else "cpu"
        settings = self.session.last_settings
        return device_note(settings.device if settings is not None else "cpu", used)

    def show_failure(self, message: str, details: str) -> None:
        """A run that could not start or broke: the message in the panel, the traceback behind Details…."""
        self._update_buttons()
        self._failed_project = self.document.project
        if not self.session.is_training:
            self.progress_bar.setValue(0)
            # Never tr("Starting…") left behind: nothing trained yet, or this run did not get through.
            self.progress_bar.setFormat(tr("Not trained") if self.session.last_result is None
                                        else tr("Stopped: see the message below"))
        self.set_status(message, error=True, details=details)
        self.perceptron_button.setVisible(needs_perceptron_rule(self.document.project))

    def use_perceptron_rule(self) -> bool:
        """Switch the training method to the perceptron rule (undoable), for a step/sign Output."""
        settings = TrainingSettings.from_dict(self.document.project.training.to_dict())
        settings.method = "perceptron"
        if not self.document.push(SetProjectSettings(self.document, "training", settings,
                                                     tr("Train with the perceptron rule"))):
            return False
        self.set_status(tr("The training method is now the perceptron rule: press Train."))
        return True

    def set_status(self, text: str, error: bool = False, details: str = "",
                   details_title: Optional[str] = None) -> None:
        self.status_label.setText(text)
        self.status_label.setStyleSheet("color: #b3261e;" if error else "")
        self.details_text = details
        self.details_title = details_title if details_title is not None else tr("Training failed")
        self.details_button.setVisible(bool(details))
        self.perceptron_button.setVisible(False)  # show_failure offers it again when it is the fix

    def show_details(self, details: str) -> None:
        """The technical details of a failure, for a teacher or a bug report (tests replace this)."""
        box = QMessageBox(QMessageBox.Icon.Warning, self.details_title, self.status_label.text(),
                          QMessageBox.StandardButton.Ok, self)
        box.setDetailedText(details)
        box.exec()
