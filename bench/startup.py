"""Startup time: median seconds from process start to the main window's first paint (target < 1.0 s)."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = 7
RECOVERY_DIR = tempfile.mkdtemp(prefix="nnstudio-bench-recovery-")
TARGET_SECONDS = 1.0


def one_start(bytecode_dir: str | None, language: str = "en") -> float:
    """Start the app in a fresh Python; it prints "painted <seconds>" at its first paint and quits.

    With `bytecode_dir`, compiled modules are cached there (outside the repository), as they are in an
    installed app; without it, every module is compiled again at each start."""
    # Own settings and an empty recovery folder: a recovery file left by a crash would add its question's time.
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", NNSTUDIO_QUIT_AFTER_PAINT="1",
               NNSTUDIO_SETTINGS_SCOPE="bench", NNSTUDIO_RECOVERY_DIR=RECOVERY_DIR)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if bytecode_dir:
        env["PYTHONPYCACHEPREFIX"] = bytecode_dir
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["NNSTUDIO_STARTED_AT"] = repr(time.time())  # last, as close to the spawn as possible
    done = subprocess.run([sys.executable, str(ROOT / "main.py"), "--lang", language], env=env, cwd=ROOT,
                          capture_output=True,
                          text=True, timeout=60)
    for line in done.stdout.splitlines():
        if line.startswith("painted "):
            return float(line.split()[1])
    raise RuntimeError(f"the app did not report a paint (exit {done.returncode}):\n{done.stderr[-2000:]}")


def measure(bytecode_dir: str | None) -> list[float]:
    one_start(bytecode_dir)  # warm the disk cache (and write the bytecode) once, as any earlier launch would
    return [one_start(bytecode_dir) for _ in range(RUNS)]


def report(label: str, times: list[float]) -> None:
    median = statistics.median(times)
    verdict = "OK" if median < TARGET_SECONDS else "TOO SLOW"
    print(f"{label}: median {median:.3f} s over {len(times)} starts (min {min(times):.3f}, "
          f"max {max(times):.3f}); target < {TARGET_SECONDS:.1f} s: {verdict}; ratio {median / TARGET_SECONDS:.2f}")


def main() -> None:
    print("Seconds from process start to the main window's first paint (offscreen, example project loaded).")
    # Other work on the machine slows starts down a lot on few cores: print the load so figures can be read.
    print(f"load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="nnstudio-bytecode-") as bytecode_dir:
        report("startup, installed (bytecode cached)", measure(bytecode_dir))
    report("startup, no bytecode cache (every module compiled)", measure(None))
    # Korean reads its catalogue (resources/translations/ko.po, ~1,500 sentences) before the window is built.
    # English and Korean starts alternate, so both see the same load on this shared machine.
    with tempfile.TemporaryDirectory(prefix="nnstudio-bytecode-") as bytecode_dir:
        one_start(bytecode_dir, "ko")
        english, korean = [], []
        for _ in range(RUNS):
            english.append(one_start(bytecode_dir, "en"))
            korean.append(one_start(bytecode_dir, "ko"))
    report("startup in English (alternating)", english)
    report("startup in Korean (alternating)", korean)
    print(f"Korean / English start: {statistics.median(korean) / statistics.median(english):.2f}")


if __name__ == "__main__":
    main()
