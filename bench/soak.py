"""Soak test: one GUI process opens, trains, stops and switches projects 200 times under a watchdog; hangs, crashes, memory."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "resources" / "examples"
ROTATION = ["xor", "iris", "digits", "regression", "wide_deep", "xor_single_layer"]
# What a cycle does with its run: let it finish, press Stop, or open another project while it trains (the path
# that froze and crashed the app: the old run's window parts become garbage while the new thread allocates).
ENDINGS = ["finish", "stop", "switch"]
HANG_S = 90          # a cycle takes a few seconds; no word from the app for this long is a hang
MEMORY_FROM = 20     # resident memory growth is measured from this cycle (the first ones fill caches) to the last


# ---------------------------------------------------------------------------------------------- the GUI process
def child(cycles: int, first: int) -> None:
    import gc
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("NNSTUDIO_SETTINGS_SCOPE", "bench")
    sys.path.insert(0, str(ROOT))
    import tempfile
    os.environ.setdefault("NNSTUDIO_RECOVERY_DIR", tempfile.mkdtemp(prefix="nnstudio-soak-recovery-"))

    from PySide6.QtCore import QCoreApplication, QEvent, QTimer
    from PySide6.QtWidgets import QApplication, QDialog, QLabel, QMessageBox, QPushButton, QVBoxLayout

    from nnstudio.core.settings import TrainingSettings
    try:
        from nnstudio.gui import gc_guard
    except ImportError:  # an older version, to compare with
        gc_guard = None
    from nnstudio.gui.editing.commands import SetProjectSettings
    from nnstudio.gui.main_window import MainWindow
    from nnstudio.gui.sharing import install_sharing
    from nnstudio.gui.teaching.install import install_teaching

    app = QApplication.instance() or QApplication(sys.argv[:1])
    window = MainWindow()
    window.file_actions.ask_unsaved_changes = lambda: QMessageBox.StandardButton.Discard
    window.file_actions.show_error = lambda title, text: print(f"error shown: {title}: {text}", flush=True)
    window.resize(1300, 850)
    window.show()
    install_sharing(window)
    install_teaching(window)
    collector = gc_guard.install(app) if gc_guard else None

    def spin(seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            app.processEvents()
            time.sleep(0.005)

    def wait_until(condition, seconds: float) -> bool:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if condition():
                return True
            app.processEvents()
            time.sleep(0.005)
        return condition()

    def open_example(name: str, epochs: int) -> None:
        window.file_actions.open_path(EXAMPLES / f"{name}.nnstudio", ask_first=False)
        project = window.document.project
        settings = TrainingSettings.from_dict(project.training.to_dict())
        settings.epochs = epochs
        window.document.push(SetProjectSettings(window.document, "training", settings))
        wait_until(lambda: window.session.data is not None, 20)

    def throwaway_dialog() -> None:
        """A dialog closed and dropped while a run trains, held by a reference cycle (as lambdas make them)."""
        dialog = QDialog(window)
        layout = QVBoxLayout(dialog)
        layout.addWidget(QLabel("soak", dialog))
        button = QPushButton("close", dialog)
        button.clicked.connect(dialog.reject)
        dialog.cycle = dialog
        layout.addWidget(button)
        dialog.setParent(None)
        dialog.show()
        app.processEvents()
        button.click()

    def dialogs_and_panels() -> None:
        export = window.sharing.show_export_dialog()
        spin(0.05)
        export.reject()
        box = QMessageBox(QMessageBox.Icon.Information, "Soak", "a message", QMessageBox.StandardButton.Ok, window)
        box.open()
        QTimer.singleShot(20, box.accept)
        spin(0.05)
        box.setParent(None)
        for index in range(window.tabs.count()):
            window.tabs.setCurrentIndex(index)
            spin(0.02)
        for dock in window.findChildren(type(window.palette_dock)):
            if dock.isVisible():
                dock.toggleViewAction().trigger()
                spin(0.01)
                dock.toggleViewAction().trigger()

    print(f"ready pid {os.getpid()}", flush=True)
    for cycle in range(first, cycles + 1):
        name = ROTATION[cycle % len(ROTATION)]
        ending = ENDINGS[cycle % len(ENDINGS)]
        open_example(name, epochs=3 if ending == "finish" else 200)
        window.training_panel.train_button.click()
        wait_until(lambda: window.session.is_training, 10)
        for _ in range(3):
            throwaway_dialog()  # Qt garbage made while the training thread allocates
        wait_until(lambda: window.session.last_result is not None or not window.session.is_training, 1.0)
        if ending == "stop":
            window.training_panel.stop_button.click()
        elif ending == "switch":
            open_example(ROTATION[(cycle + 1) % len(ROTATION)], epochs=3)
        if not wait_until(lambda: not window.session.is_training, 60):
            print(f"cycle {cycle} training did not end within 60 s", flush=True)
        dialogs_and_panels()
        # The app's event loop deletes what deleteLater() marked each time it gets control back; this driver loops
        # with processEvents(), which never does, so it lets the deletions happen here, once a cycle.
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        if collector is not None:
            collector.collect_all()
        else:
            gc.collect()
        rss = _resident_mb()
        # What Python holds, beside the resident figure: objects tracked by the collector (frozen ones included)
        # and Qt wrappers the collector keeps for Qt: a growing count is a leak of ours, a flat one is the allocator.
        print(f"cycle {cycle} {name} {ending} rss {rss:.1f} objects {len(gc.get_objects()) + gc.get_freeze_count()} "
              f"frozen {gc.get_freeze_count()} freezes {collector.freezes if collector else 0} kept {len(collector.kept) if collector else 0}", flush=True)
    window.close()
    print("done", flush=True)


def _resident_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


# ---------------------------------------------------------------------------------------------- the watchdog
def watchdog(cycles: int, dumps: Path) -> int:
    import select

    hangs = crashes = 0
    rss: dict[int, float] = {}
    restarts: list[int] = []
    next_cycle = 1
    started = time.monotonic()
    while next_cycle <= cycles:
        command = [sys.executable, "-X", "faulthandler", __file__, "--child", "--cycles", str(cycles),
                   "--first", str(next_cycle)]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
        if next_cycle > 1:
            restarts.append(next_cycle)
        last_word = time.monotonic()
        tail: list[str] = []
        finished = False
        while True:
            ready, _, _ = select.select([process.stdout], [], [], 1.0)
            if ready:
                line = process.stdout.readline()
                if not line:
                    break  # the process ended
                last_word = time.monotonic()
                tail = (tail + [line.rstrip()])[-40:]
                words = line.split()
                if words[:1] == ["cycle"] and len(words) >= 6 and words[4] == "rss":
                    number = int(words[1])
                    rss[number] = float(words[5])
                    next_cycle = number + 1
                    if number % 10 == 0:
                        print(f"  cycle {number}: {rss[number]:.0f} MB resident, {' '.join(words[6:])}, "
                              f"{time.monotonic() - started:.0f} s", flush=True)
                elif line.startswith("done"):
                    finished = True
            elif time.monotonic() - last_word > HANG_S:
                hangs += 1
                dump = dumps / f"hang_cycle{next_cycle}.txt"
                _dump_stacks(process.pid, dump)
                print(f"HANG in cycle {next_cycle}: no word for {HANG_S} s; stacks in {dump}", flush=True)
                process.kill()
                process.wait()
                next_cycle += 1  # go on with the next cycle in a fresh process
                break
        if process.poll() is None:
            process.wait()
        if not finished and process.returncode not in (None, -9):
            if process.returncode != 0 or next_cycle <= cycles:
                crashes += 1
                crash = dumps / f"crash_cycle{next_cycle}.txt"
                crash.write_text("\n".join(tail))
                print(f"CRASH in cycle {next_cycle}: exit status {process.returncode}; last lines in {crash}",
                      flush=True)
                next_cycle += 1
        if finished:
            break
    return _report(cycles, hangs, crashes, rss, restarts, time.monotonic() - started)


def _dump_stacks(pid: int, path: Path) -> None:
    spy = shutil.which("py-spy")
    if spy is None:
        path.write_text("py-spy is not installed: pip install py-spy for the stacks of a hang")
        return
    result = subprocess.run([spy, "dump", "--native", "--pid", str(pid)], capture_output=True, text=True, timeout=60)
    path.write_text(result.stdout + result.stderr)


def _report(cycles: int, hangs: int, crashes: int, rss: dict[int, float], restarts: list[int], seconds: float) -> int:
    print(f"cycles: {len(rss)} of {cycles} reported, {seconds:.0f} s")
    print(f"hangs: {hangs} (target 0)")
    print(f"crashes: {crashes} (target 0)")
    last = max(rss) if rss else 0
    restarted_after = [r for r in restarts if MEMORY_FROM < r <= last]
    if MEMORY_FROM in rss and last > MEMORY_FROM and not restarted_after:
        growth = rss[last] - rss[MEMORY_FROM]
        print(f"resident memory: {rss[MEMORY_FROM]:.0f} MB at cycle {MEMORY_FROM}, {rss[last]:.0f} MB at cycle {last}: "
              f"growth {growth:+.1f} MB (target < 50 MB)")
        ok = growth < 50
    else:
        print("resident memory growth: not measurable (the process was restarted, or too few cycles)")
        ok = cycles <= MEMORY_FROM
    return 0 if hangs == 0 and crashes == 0 and ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cycles", type=int, default=200)
    parser.add_argument("--dumps", type=Path, default=Path("soak-dumps"), help="folder for the stacks of a hang")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--first", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.cycles, args.first)
        return 0
    args.dumps.mkdir(parents=True, exist_ok=True)
    print(f"soak: {args.cycles} cycles in one offscreen GUI process (examples {', '.join(ROTATION)}; each run "
          f"{' / '.join(ENDINGS)} in turn); watchdog {HANG_S} s")
    return watchdog(args.cycles, args.dumps)


if __name__ == "__main__":
    sys.exit(main())
