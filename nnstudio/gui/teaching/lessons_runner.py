"""The lessons runner: shows the current step of a guided lesson, notices when it is done, and moves on."""

from __future__ import annotations

import re
from typing import Any, Callable, Optional

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget

from ...core.i18n import N_, tr
from ...core.teaching.lessons import LESSONS, Lesson, dataset_of, lesson, run_record
from .shown_weights import network_numbers

NO_LESSON = N_("Choose a lesson from the Lessons menu: each one guides you step by step through the app.")

# The part of the window a step's instruction is about, for its "Show me" button: the first pattern that matches
# wins (keys of install.PLACES, and the button's text). The patterns read the English instruction (the lesson's
# key), so they work in every language; the button's text is translated where it is shown.
STEP_PLACES: tuple[tuple[str, str, str], ...] = (
    (r"\bcode\b", "code", N_("Show me the Code panel")),
    (r"\bsummary\b", "summary", N_("Show me the Model summary")),
    (r"\bstepper\b|step backwards|step to the update", "stepper", N_("Show me the Backprop step tab")),
    (r"\bneuron view\b|\bopen the neuron\b|truth table", "neurons", N_("Show me the Neurons tab")),
    (r"\bdata panel\b|\bdataset\b|\bthe data\b|^choose '", "data", N_("Show me the Data panel")),
    (r"\bevaluat", "evaluate", N_("Show me the Evaluate tab")),
    (r"\btrain|early stopping|\bcurves?\b", "training", N_("Show me the Training panel")),
    (r"^(draw|connect|add|send)\b", "network", N_("Show me the Network drawing")),
    (r"activation|\bunits\b|\brate 0", "inspector", N_("Show me the Inspector")),
)


def place_of(instruction: str) -> Optional[tuple[str, str]]:
    """(place key, the button's English text) for the part of the window an English instruction names, or None."""
    text = instruction.strip().lower()
    for pattern, place, words in STEP_PLACES:
        if re.search(pattern, text):
            return place, words
    return None


class LessonsRunner(QWidget):
    """Runs one lesson: checks its current step after every relevant change; finished steps stay finished."""

    step_done = Signal(int)          # the index of the step just completed
    lesson_finished = Signal(str)    # the lesson's id
    retry_shown = Signal()           # a run fell short and the lesson says what to change: worth bringing forward
    close_asked = Signal()           # the student is done with the finished lesson: its dock may close

    def __init__(self, document: Any, session: Any, parent: Optional[QWidget] = None,
                 stepper: Callable[[], Any] = lambda: None,
                 show_place: Optional[Callable[[str], bool]] = None) -> None:
        super().__init__(parent)
        self.setObjectName("lessonsRunner")
        self.document, self.session = document, session
        self.stepper = stepper                 # returns the backprop stepper once it exists
        self.show_place = show_place           # brings a part of the window to the front (install.PLACES keys)
        self.place: Optional[str] = None       # what the current step's "Show me" button shows
        self.lesson: Optional[Lesson] = None
        self.current = 0                       # the first step not done yet
        self.runs: list[dict] = []             # finished runs, as lessons.run_record makes them
        self.saved = False
        self.exported: set[str] = set()
        self._replacing = False

        layout = QVBoxLayout(self)
        self.title_label = QLabel(tr(NO_LESSON), self)
        self.title_label.setObjectName("lessonTitle")
        self.title_label.setWordWrap(True)
        font = QFont()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.title_label.setFont(font)
        layout.addWidget(self.title_label)
        self.summary_label = QLabel(self)
        self.summary_label.setObjectName("lessonSummary")
        self.summary_label.setWordWrap(True)
        layout.addWidget(self.summary_label)
        self.progress_label = QLabel(self)
        self.progress_label.setObjectName("lessonProgress")
        layout.addWidget(self.progress_label)
        self.instruction_label = QLabel(self)
        self.instruction_label.setObjectName("lessonInstruction")
        self.instruction_label.setWordWrap(True)
        self.instruction_label.setStyleSheet("background: #eef4fb; padding: 8px; border-radius: 4px;")
        layout.addWidget(self.instruction_label)
        buttons = QHBoxLayout()
        self.show_me_button = QPushButton(tr("Show me"), self)
        self.show_me_button.setObjectName("lessonShowMe")
        self.show_me_button.setToolTip(tr("Bring the part of the window this step is about to the front"))
        self.show_me_button.clicked.connect(self.show_me)
        self.show_me_button.hide()
        buttons.addWidget(self.show_me_button)
        self.hint_button = QPushButton(tr("Show a hint"), self)
        self.hint_button.setObjectName("lessonHintButton")
        self.hint_button.clicked.connect(self._show_hint)
        buttons.addWidget(self.hint_button)
        # Once every step is done the lesson has nothing more to say: a plain way to put its panel away.
        self.close_button = QPushButton(tr("Close the lesson"), self)
        self.close_button.setObjectName("lessonClose")
        self.close_button.clicked.connect(self.close_asked)
        self.close_button.hide()
        buttons.addWidget(self.close_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.hint_label = QLabel(self)
        self.hint_label.setObjectName("lessonHint")
        self.hint_label.setWordWrap(True)
        self.hint_label.hide()
        layout.addWidget(self.hint_label)
        # After a run that fell short of the step's goal: what to change, and where (the step's retry words).
        self.retry_label = QLabel(self)
        self.retry_label.setObjectName("lessonRetry")
        self.retry_label.setWordWrap(True)
        self.retry_label.setStyleSheet("background: #fff4e0; padding: 8px; border-radius: 4px;")
        self.retry_label.hide()
        layout.addWidget(self.retry_label)
        self.steps_list = QListWidget(self)
        self.steps_list.setObjectName("lessonSteps")
        self.steps_list.setWordWrap(True)
        layout.addWidget(self.steps_list, 1)

        for signal in (document.analysis_changed, session.model_changed, session.data_changed):
            signal.connect(self.check)
        document.settings_changed.connect(lambda part: self.check())
        document.project_replaced.connect(self._on_project_replaced)
        document.path_changed.connect(self._on_path_changed)
        self._show()

    # ------------------------------------------------------------ choosing a lesson
    def start(self, lesson_id: str) -> None:
        """Begin a lesson at its first step (runs and saves from before still count)."""
        self.lesson = lesson(lesson_id)
        self.current = 0
        self.hint_label.hide()
        self.retry_label.hide()
        self.check()

    @staticmethod
    def lessons() -> tuple[Lesson, ...]:
        return LESSONS

    # ------------------------------------------------------------ what happened in the app
    def record_run(self, result: Any, diagnoses: list) -> None:
        """A run finished (the diagnostics have looked at it): remember it for the lesson checks."""
        if result is None or getattr(result, "history", None) is None:
            return
        settings = getattr(self.session, "last_settings", None)
        method = settings.method if settings is not None else self.document.project.training.method
        self.runs.append(run_record(self.document.graph.to_dict(), self.dataset(), method, result.history.logs,
                                    [str(kind) for kind in diagnoses]))
        step = self.current
        self.check()
        if self.lesson is not None and self.current == step < len(self.lesson.steps):
            retry = self.lesson.steps[step].retry
            self.retry_label.setText(tr(retry) if retry else "")
            self.retry_label.setVisible(bool(retry))
            if retry:
                self.retry_shown.emit()

    def note_export(self, kind: str) -> None:
        """An export finished (safetensors, code, onnx, torchscript…)."""
        self.exported.add(kind)
        self.check()

    def _on_project_replaced(self) -> None:
        self._replacing = True  # the path_changed that follows is an Open or New, not a Save
        self.check()

    def _on_path_changed(self) -> None:
        if self._replacing:
            self._replacing = False
            return
        if self.document.path is not None and not self.document.is_dirty:
            self.saved = True
            self.check()

    def dataset(self) -> Optional[str]:
        return dataset_of({"data": self.document.project.data.to_dict()})

    # ------------------------------------------------------------ checking
    def state(self) -> dict:
        """The lesson state exactly as core/teaching/lessons.py documents it."""
        stepper = self.stepper()
        weights: dict = {}
        if self.lesson is not None and self.lesson.id == "neuron" and not self.session.is_training:
            # Hand-set weights matter only to the gate lesson; reading them needs the model (and torch).
            weights = network_numbers(self.document, self.session)
        return {
            "graph": self.document.graph,
            "context": self.document.data_context,
            "dataset": self.dataset(),
            "data": self.document.project.data.to_dict(),
            "training": self.document.project.training.to_dict(),
            "weights": weights,
            "runs": list(self.runs),
            "stepper": {"phases_seen": list(getattr(stepper, "phases_seen", []) or [])},
            "saved": self.saved,
            "exported": sorted(self.exported),
        }

    def check(self, *_: Any) -> None:
        """Check the current step; when it is done, mark it and move on (maybe several at once)."""
        if self.lesson is None:
            return
        before = self.current
        steps = self.lesson.steps
        if self.current < len(steps):
            state = self.state()
            while self.current < len(steps) and steps[self.current].check(state):
                self.current += 1
                self.step_done.emit(self.current - 1)
        if self.current != before:
            self.hint_label.hide()
            self.retry_label.hide()
        self._show()
        if self.current != before and self.current == len(steps):
            self.lesson_finished.emit(self.lesson.id)

    # ------------------------------------------------------------ showing
    def show_me(self) -> bool:
        """Bring the panel or tab the current step names to the front."""
        if self.place is None or self.show_place is None:
            return False
        return bool(self.show_place(self.place))

    def _update_show_me(self) -> None:
        found = None
        if self.lesson is not None and self.current < len(self.lesson.steps) and self.show_place is not None:
            found = place_of(self.lesson.steps[self.current].instruction)
        self.place = found[0] if found else None
        if found:
            self.show_me_button.setText(tr(found[1]))
        self.show_me_button.setVisible(found is not None)

    def _show_hint(self) -> None:
        if self.lesson is None or self.current >= len(self.lesson.steps):
            return
        hint = self.lesson.steps[self.current].hint
        self.hint_label.setText(tr(hint) if hint else tr("No hint for this step: read the instruction once more, and "
                                                         "look at the panel it names."))
        self.hint_label.show()

    def _show(self) -> None:
        self.steps_list.clear()
        self._update_show_me()
        if self.lesson is None:
            self.title_label.setText(tr(NO_LESSON))
            for widget in (self.summary_label, self.progress_label, self.instruction_label, self.hint_button):
                widget.hide()
            return
        for widget in (self.summary_label, self.progress_label, self.instruction_label, self.hint_button):
            widget.show()
        steps = self.lesson.steps
        self.title_label.setText(tr(self.lesson.title))
        self.summary_label.setText(tr(self.lesson.summary))
        if self.current >= len(steps):
            self.progress_label.setText(tr("All {steps} steps done", steps=len(steps)))
            self.instruction_label.setText(tr("Lesson complete! Pick another one from the Lessons menu."))
            self.hint_button.hide()
            self.close_button.show()
        else:
            self.close_button.hide()
            self.progress_label.setText(tr("Step {step} of {steps}", step=self.current + 1, steps=len(steps)))
            self.instruction_label.setText(tr(steps[self.current].instruction))
            self.hint_button.setVisible(bool(steps[self.current].hint))
        for index, step in enumerate(steps):
            mark = "✓" if index < self.current else ("➜" if index == self.current else "·")
            item = QListWidgetItem(f"{mark} {index + 1}. {tr(step.instruction)}")
            if index < self.current:
                item.setForeground(Qt.GlobalColor.darkGreen)
            elif index > self.current:
                item.setForeground(Qt.GlobalColor.gray)
            self.steps_list.addItem(item)


__all__ = ["LessonsRunner", "NO_LESSON"]
