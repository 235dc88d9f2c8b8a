"""Nothing lost: kill -9 a running NN Studio with unsaved work, start again, and restore that work."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from nnstudio.core.autosave import find_recoveries
from nnstudio.gui.app import _first_project
from nnstudio.gui.main_window import MainWindow
from nnstudio.gui.sharing import install_sharing, offer_recovery
from nnstudio.gui.sharing.install import RESTORE

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 60

# Set to True once app.py calls install_sharing(window) and offer_recovery(window) itself: the launcher then
# only makes the edit, and the app under test is started exactly as main.py starts it.
HOOKS_IN_APP = True

# A test-only launcher: starts the real app (nnstudio.gui.app.main, as main.py does) and, once its window is
# up, installs the sharing hooks (until app.py does) and makes one edit through the document's undo stack.
LAUNCHER = '''
import sys
sys.path.insert(0, {root!r})
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from nnstudio.gui import app as app_module
from nnstudio.gui.editing.commands import AddNode
from nnstudio.gui.main_window import MainWindow
from nnstudio.gui.sharing import install_sharing, offer_recovery

HOOKS_IN_APP = {hooks_in_app}


def edit_when_the_window_is_up():
    windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
    if not windows:
        QTimer.singleShot(50, edit_when_the_window_is_up)
        return
    window = windows[0]
    if not HOOKS_IN_APP:
        install_sharing(window)
        offer_recovery(window)  # the recovery folder is empty: nothing is offered, no dialog
    window.document.push(AddNode(window.document.graph, "Dense", (420.0, 160.0), name="made_before_the_crash"))
    print("edited", flush=True)


app = QApplication(sys.argv)  # app.main uses this one
QTimer.singleShot(0, edit_when_the_window_is_up)
sys.exit(app_module.main(sys.argv[:1]))
'''


def start_app(tmp_path: Path, recovery_dir: Path) -> tuple[subprocess.Popen, Path]:
    launcher = tmp_path / "launch_nnstudio.py"
    launcher.write_text(LAUNCHER.format(root=str(ROOT), hooks_in_app=HOOKS_IN_APP))
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", NNSTUDIO_AUTOSAVE_SECONDS="1",
               NNSTUDIO_RECOVERY_DIR=str(recovery_dir), NNSTUDIO_SETTINGS_SCOPE="tests", OMP_NUM_THREADS="1")
    log = tmp_path / "app.log"
    with open(log, "wb") as output:
        process = subprocess.Popen([sys.executable, str(launcher)], cwd=ROOT, env=env, stdout=output,
                                   stderr=subprocess.STDOUT)
    return process, log


@pytest.mark.skipif(os.name != "posix", reason="kill -9 is a POSIX signal")
def test_a_killed_app_offers_its_unsaved_work_at_the_next_start(qtbot, tmp_path, monkeypatch):
    recovery_dir = tmp_path / "recovery"
    process, log = start_app(tmp_path, recovery_dir)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not find_recoveries(recovery_dir):
            assert process.poll() is None, f"the app ended early:\n{log.read_text(errors='replace')}"
            assert time.monotonic() < deadline, f"no recovery file appeared:\n{log.read_text(errors='replace')}"
            time.sleep(0.1)
        process.send_signal(signal.SIGKILL)  # kill -9: no chance to clean up or to ask anything
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
    assert process.returncode == -signal.SIGKILL
    assert "edited" in log.read_text(errors="replace")
    (left_behind,) = find_recoveries(recovery_dir)
    assert left_behind.path.name == f"untitled-{process.pid}.nnstudio-recovery"

    # The next start, here in the test process: the window as app.main builds it, then the startup hook.
    monkeypatch.setenv("NNSTUDIO_RECOVERY_DIR", str(recovery_dir))
    window = MainWindow()
    install_sharing(window)
    window.file_actions.ask_unsaved_changes = lambda: QMessageBox.StandardButton.Discard
    qtbot.addWidget(window)
    project, error = _first_project(None)
    window.file_actions.show_project(project)
    window.show()
    qtbot.waitExposed(window)
    assert window.document.graph.node_by_name("made_before_the_crash") is None
    asked = []
    window.sharing.ask_restore = lambda recovery: asked.append(recovery) or RESTORE
    offer_recovery(window)
    assert [r.path for r in asked] == [left_behind.path]
    assert window.document.graph.node_by_name("made_before_the_crash") is not None
    assert window.isWindowModified()
    # The killed app's file was handed over to this one's, so a second crash would lose nothing either.
    assert [r.path.name for r in find_recoveries(recovery_dir)] == [f"untitled-{os.getpid()}.nnstudio-recovery"]
    window.session.shutdown()
