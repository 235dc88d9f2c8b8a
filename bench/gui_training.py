"""Training speed with the whole window open and plots live, against the same training headless; GUI heartbeat gaps."""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Optional

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("NNSTUDIO_SETTINGS_SCOPE", "bench")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QElapsedTimer, QEventLoop, QObject, QTimer, Slot  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox  # noqa: E402

from nnstudio.core.project import load_project  # noqa: E402
from nnstudio.core.settings import TrainingSettings  # noqa: E402
from nnstudio.gui.editing.commands import SetProjectSettings  # noqa: E402

EXAMPLE = ROOT / "resources" / "examples" / "digits.nnstudio"
HEARTBEAT_MS = 5


class Heartbeat(QObject):
    """A 5 ms timer in the GUI thread that remembers the longest time between two of its ticks."""

    def __init__(self) -> None:
        super().__init__()
        self.clock = QElapsedTimer()
        self.timer = QTimer(self)
        self.timer.setInterval(HEARTBEAT_MS)
        self.timer.timeout.connect(self.tick)
        self.last = 0
        self.longest = 0

    def start(self) -> None:
        self.clock.start()
        self.last = 0
        self.longest = 0
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    @Slot()
    def tick(self) -> None:
        now = self.clock.elapsed()
        self.longest = max(self.longest, now - self.last)
        self.last = now


def settings_for(project, epochs: int) -> TrainingSettings:
    settings = TrainingSettings.from_dict(project.training.to_dict())
    settings.epochs = epochs
    settings.early_stopping.enabled = False
    return settings


def headless_run(epochs: int, in_thread: bool = True) -> float:
    """The engine alone. By default in a plain Python thread, as the window's worker runs it: on a busy machine
    torch's intra-op threads make the main thread several times slower than any other thread, which would
    flatter the GUI's figure."""
    from nnstudio.engine.pipeline import load_project_data, train_project

    project = load_project(EXAMPLE)
    data = load_project_data(project)
    rates: list[float] = []

    def train() -> None:
        _, result = train_project(project, settings_for(project, epochs), data)
        rates.append(result.history.samples_per_second)

    if in_thread:
        thread = threading.Thread(target=train, name="headless training")
        thread.start()
        thread.join()
    else:
        train()
    return rates[0]


def idle_gap(app: QApplication, heartbeat: Heartbeat, seconds: float) -> int:
    """The largest heartbeat gap with nothing training: what the machine itself allows."""
    heartbeat.start()
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.001)
    heartbeat.stop()
    return heartbeat.longest


def gui_run(window, heartbeat: Optional[Heartbeat], epochs: int) -> tuple[float, int, float]:
    """One run from the Train button; samples/s, the largest heartbeat gap (0 without a heartbeat), and the GUI
    thread's CPU share."""
    session = window.session
    project = window.document.project
    if project.training.epochs != epochs or project.training.early_stopping.enabled:
        window.document.push(SetProjectSettings(window.document, "training", settings_for(project, epochs)))
    loop = QEventLoop()
    session.training_finished.connect(loop.quit)
    session.training_failed.connect(loop.quit)
    if heartbeat is not None:
        heartbeat.start()
    wall, cpu = time.perf_counter(), time.thread_time()
    window.training_panel.train_button.click()
    loop.exec()
    share = (time.thread_time() - cpu) / (time.perf_counter() - wall)
    if heartbeat is not None:
        heartbeat.stop()
    session.training_finished.disconnect(loop.quit)
    session.training_failed.disconnect(loop.quit)
    return session.last_result.history.samples_per_second, heartbeat.longest if heartbeat else 0, share


def full_window(app: QApplication):
    """The window as `nnstudio` opens it: editor, training studio, sharing (Code panel, autosave) and teaching mode."""
    from nnstudio.gui.main_window import MainWindow
    from nnstudio.gui.sharing import install_sharing
    from nnstudio.gui.teaching.install import install_teaching

    window = MainWindow()
    window.file_actions.ask_unsaved_changes = lambda: QMessageBox.StandardButton.Discard
    window.resize(1400, 900)
    window.show()
    install_sharing(window)
    install_teaching(window)
    window.file_actions.open_path(EXAMPLE)
    window.tabs.setCurrentWidget(window.training_view)  # plots live and visible
    for _ in range(20):  # first paints, lazily built panels, the data loaded a moment after show
        app.processEvents()
        time.sleep(0.05)
    return window


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=15)
    # Many short pairs: on these shared machines the same headless run varies by ±20% from one second to the
    # next, so one long pair says little; the median of many pairs is steady.
    parser.add_argument("--pairs", type=int, default=15)
    parser.add_argument("--gap-runs", type=int, default=4, help="GUI runs with the heartbeat timer, for (b)")
    parser.add_argument("--no-select", action="store_true",
                        help="leave the canvas selection empty (by default the first hidden layer is selected, so its "
                             "weights heatmap and histograms are live too)")
    parser.add_argument("--screenshot", type=Path, help="save the window as it looks at the end of the last run")
    args = parser.parse_args()

    app = QApplication.instance() or QApplication(sys.argv[:1])
    window = full_window(app)
    if not args.no_select:  # as a teacher would: one layer selected, its weights changing in the Weights panel
        hidden = next(node.id for node in window.document.graph.nodes.values() if node.type == "Dense")
        window.document.select([hidden])
    heartbeat = Heartbeat()
    print(f"digits example in the full window, {args.epochs} epochs per run; (a) {args.pairs} pairs, GUI and headless "
          f"back to back, order alternating; (b) {args.gap_runs} GUI runs with a {HEARTBEAT_MS} ms heartbeat; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    headless_run(1)  # warm up: imports, first-call costs
    gui_run(window, None, 1)

    # (a) Speed: the window as a student has it. The heartbeat timer is left out of these runs: it is the
    # instrument for (b), and its 200 Python ticks a second take the GIL from the training it would be measuring.
    gui_rates, headless_rates, shares = [], [], []
    for pair in range(args.pairs):
        # Alternating which goes first cancels a machine that speeds up or slows down during the pair.
        if pair % 2:
            headless_rates.append(headless_run(args.epochs))
        rate, _, share = gui_run(window, None, args.epochs)
        gui_rates.append(rate)
        shares.append(share)
        if not pair % 2:
            headless_rates.append(headless_run(args.epochs))

    # (b) Responsiveness: the same training with the heartbeat ticking in the GUI thread.
    gaps, seconds, beat_rates = [], [], []
    for _ in range(args.gap_runs):
        started = time.perf_counter()
        rate, gap, _ = gui_run(window, heartbeat, args.epochs)
        seconds.append(time.perf_counter() - started)
        beat_rates.append(rate)
        gaps.append(gap)
    if args.screenshot:
        window.grab().save(str(args.screenshot))
    main_thread_rate = headless_run(args.epochs, in_thread=False)
    print("GUI samples/s per run:      " + ", ".join(f"{r:,.0f}" for r in gui_rates))
    print("headless samples/s per run: " + ", ".join(f"{r:,.0f}" for r in headless_rates))
    pair_ratios = [g / h for g, h in zip(gui_rates, headless_rates)]
    print("ratio of each pair:         " + ", ".join(f"{r:.2f}" for r in pair_ratios))
    print(f"(headless in the main thread instead, for reference: {main_thread_rate:,.0f} samples/s)")
    print("GUI thread CPU while training (Python, and Qt drawing that may not hold the GIL): "
          + ", ".join(f"{100 * s:.0f}%" for s in shares))
    print(f"with the heartbeat ticking too: {', '.join(f'{r:,.0f}' for r in beat_rates)} samples/s, "
          f"{statistics.median(beat_rates) / statistics.median(headless_rates):.2f} of the median headless run")
    quiet = idle_gap(app, heartbeat, statistics.median(seconds))
    print(f"heartbeat gap with the window idle for as long, the machine's own floor: {quiet} ms")
    print(f"GUI heartbeat gaps per run: {', '.join(f'{g} ms' for g in gaps)}")
    print(f"training speed with the window open / headless, median of the pairs (target >= 0.9): "
          f"ratio {statistics.median(pair_ratios):.2f}")
    print(f"largest GUI event-loop heartbeat gap during training, all runs (target <= 50 ms): gap {max(gaps)} ms")
    window.session.shutdown()
    window.document.undo_stack.setClean()
    window.close()


if __name__ == "__main__":
    main()
