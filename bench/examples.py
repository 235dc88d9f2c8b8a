"""Train every shipped example from the command line and print its wall time and test result."""

import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ["xor", "xor_single_layer", "iris", "digits", "regression", "wide_deep"]


def main() -> None:
    for name in EXAMPLES:
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "nnstudio.cli", "train",
                               str(ROOT / "resources" / "examples" / f"{name}.nnstudio"), "--json"],
                              capture_output=True, text=True, cwd=ROOT)
        seconds = time.perf_counter() - started
        if done.returncode != 0:
            print(f"{name:18s} FAILED: {done.stderr.strip().splitlines()[-1]}")
            continue
        report = json.loads(done.stdout.strip().splitlines()[-1])
        scores = "; ".join(
            f"{output}: " + ", ".join(f"{k} {v:.3f}" for k, v in metrics.items()
                                      if k in ("accuracy", "r2", "loss") and isinstance(v, float))
            for output, metrics in report["test"].items())
        print(f"{name:18s} {seconds:5.1f} s (target < 60 s)  epochs {report['epochs_run']:4d}  {scores}")


if __name__ == "__main__":
    main()
