"""Peak resident memory of training a 60,000×784 dataset from the window, against the data's own size."""

from __future__ import annotations

import os
import resource
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("NNSTUDIO_SETTINGS_SCOPE", "bench")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from PySide6.QtCore import QEventLoop  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox  # noqa: E402

from nnstudio.core.graph import Graph  # noqa: E402
from nnstudio.core.project import Project, save_project  # noqa: E402
from nnstudio.core.settings import DataSettings, TrainingSettings  # noqa: E402

ROWS, FEATURES, CLASSES = 60_000, 784, 10
TARGET_EXTRA_MB = 500


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def current_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def write_project(folder: Path) -> Path:
    """An .npz of random float32 features with 10 classes, and a project training an MLP on it."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((ROWS, FEATURES), dtype=np.float32)
    y = rng.integers(0, CLASSES, ROWS).astype(np.int64)
    np.savez(folder / "synthetic.npz", x=x, y=y)
    del x, y
    graph = Graph()
    image = graph.add_node("Input", "pixels", {"shape": [FEATURES]})
    hidden1 = graph.add_node("Dense", "hidden1", {"units": 300, "activation": "relu"})
    hidden2 = graph.add_node("Dense", "hidden2", {"units": 100, "activation": "relu"})
    output = graph.add_node("Output", "digit", {"task": "multiclass"})
    for source, target in [(image, hidden1), (hidden1, hidden2), (hidden2, output)]:
        graph.connect(source.id, "out", target.id, "in")
    data = DataSettings(source={"kind": "npz", "path": "synthetic.npz"}, validation_fraction=0.1,
                        test_fraction=0.1)
    training = TrainingSettings(epochs=1, batch_size=128, validation_split=0.0)
    path = folder / "synthetic.nnstudio"
    save_project(Project(graph, data, training), path)
    return path


def main() -> None:
    data_mb = ROWS * FEATURES * 4 / 2**20
    with tempfile.TemporaryDirectory(prefix="nnstudio-memory-") as folder:
        path = write_project(Path(folder))
        app = QApplication.instance() or QApplication(sys.argv[:1])
        from nnstudio.gui.main_window import MainWindow

        window = MainWindow()
        window.file_actions.ask_unsaved_changes = lambda: QMessageBox.StandardButton.Discard
        window.show()
        app.processEvents()
        before_torch = current_mb()
        import torch  # noqa: F401 - part of the resting app once it has trained; not counted as training memory

        baseline_now, baseline_peak = current_mb(), peak_mb()
        assert window.file_actions.open_path(path)
        window.tabs.setCurrentWidget(window.training_view)
        loop = QEventLoop()
        window.session.training_finished.connect(loop.quit)
        window.session.training_failed.connect(lambda message, details: (print(message, details), loop.quit()))
        window.training_panel.train_button.click()
        loop.exec()
        result = window.session.last_result
        peak = peak_mb()
        print(f"trained {len(result.history.epochs)} epoch(s) at {result.samples_per_second:,.0f} samples/s; "
              f"test accuracy {result.test['digit']['accuracy']:.3f} (random data: about 0.1)")
        print(f"resident memory of the open window: {before_torch:.0f} MiB; with torch imported (the baseline): "
              f"{baseline_now:.0f} MiB")
        extra = peak - baseline_now
        print(f"data size {data_mb:.0f} MiB ({ROWS * FEATURES * 4 / 1e6:.0f} MB); peak resident memory during load + "
              f"training {peak:.0f} MiB")
        print(f"(counting torch's own {baseline_now - before_torch:.0f} MiB too: data + "
              f"{peak - before_torch - data_mb:.0f} MiB)")
        verdict = "OK" if extra - data_mb <= TARGET_EXTRA_MB else "TOO MUCH"
        print(f"extra memory for loading and training: {extra:.0f} MiB = data + {extra - data_mb:.0f} MiB "
              f"(target <= data + {TARGET_EXTRA_MB} MiB: {verdict})")
        window.session.shutdown()
        window.document.undo_stack.setClean()
        window.close()


if __name__ == "__main__":
    main()
