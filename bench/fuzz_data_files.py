"""Fuzz campaign for the data readers: N inputs per reader, each read under 10 s and 2 GB, tallied per outcome.

    python bench/fuzz_data_files.py                 # 5,000 inputs each for .npz, IDX and CSV
    python bench/fuzz_data_files.py --n 1000 --readers npz csv

Inputs (valid files, mutations of them, hostile files, random bytes) come from bench/fuzz_data_inputs.py and are
built inside long-lived worker processes (one per core) that read many inputs each; a worker is replaced only
when one crashes or overruns. The promise checked: every input loads into a finite float32 table or raises
DataError with a short, printable message; anything else lands in a bad column, whose target is 0.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READERS = ("npz", "idx", "csv")
LEAKS = ("Errno", "object at 0x", "Traceback", "allow_pickle", "pickle.load")
BAD = ("other", "unclean message", "bad table", "over time", "over memory", "crash", "generator bug")


# --- the worker: reads inputs named on stdin, answers one JSON line each ------------------------------------

def _read(reader: str, files: dict[str, Path]):
    from nnstudio.core.data.csv_loader import load_csv  # noqa: PLC0415 - imported under the memory limit
    from nnstudio.core.data.idx_loader import load_idx  # noqa: PLC0415
    from nnstudio.core.data.npz_loader import load_npz  # noqa: PLC0415

    if reader == "npz":
        return load_npz(files["data.npz"])
    if reader == "csv":
        return load_csv(files["data.csv"])
    return load_idx(files["images"], files.get("labels"))


def _judge(reader: str, index: int, seed: int, folder: Path) -> dict:
    import numpy as np  # noqa: PLC0415

    from fuzz_data_inputs import GENERATORS  # noqa: PLC0415
    from nnstudio.core.data import DataError  # noqa: PLC0415

    try:
        contents = GENERATORS[reader](random.Random(f"{seed}-{reader}-{index}"))
    except Exception as error:  # noqa: BLE001 - a bug of this bench, shown apart from the readers' results
        return {"outcome": "generator bug", "detail": f"{type(error).__name__}: {error}"[:300], "seconds": 0.0}
    files = {}
    for name, data in contents.items():
        files[name] = folder / name
        files[name].write_bytes(data)
    start = time.perf_counter()
    try:
        table = _read(reader, files)
    except DataError as error:
        message = str(error)
        clean = bool(message) and len(message) < 300 and message.isprintable() and not any(x in message for x in LEAKS)
        result = {"outcome": "DataError" if clean else "unclean message", "detail": message[:300]}
    except MemoryError:
        result = {"outcome": "over memory", "detail": "MemoryError"}
    except Exception as error:  # noqa: BLE001 - the campaign counts exactly these
        result = {"outcome": "other", "detail": f"{type(error).__name__}: {str(error)[:200]}"}
    else:
        values = table.values
        sound = values.dtype == np.float32 and values.ndim == 2 and values.shape[0] > 0 and np.isfinite(values).all()
        result = {"outcome": "loaded" if sound else "bad table", "detail": str(values.shape)}
    result["seconds"] = time.perf_counter() - start
    for path in files.values():
        path.unlink()
    return result


def worker(memory_bytes: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
    with tempfile.TemporaryDirectory(prefix="fuzz-data-") as folder:
        for line in sys.stdin:
            reader, index, seed = line.split()
            result = _judge(reader, int(index), int(seed), Path(folder))
            sys.stdout.write(json.dumps(result) + "\n")
            sys.stdout.flush()


# --- the parent: a pool of workers, a watchdog each, a table per reader ------------------------------------

def campaign(readers: list[str], n: int, seed: int, workers: int, limit_s: float, memory_bytes: int) -> dict:
    from fuzz_pool import campaign as run_pool  # bench/ is on the path: these scripts run as bench/NAME.py
    return run_pool(__file__, ("loaded", "DataError"), readers, n, seed, workers, limit_s, memory_bytes)


def report(results: dict[str, list[dict]], seconds: float) -> int:
    header = (f"{'reader':<6} {'inputs':>7} {'loaded':>7} {'DataError':>10} "
              + " ".join(f"{c:>{max(9, len(c))}}" for c in BAD))
    print(header)
    print("-" * len(header))
    bad_total = 0
    for reader, rows in results.items():
        counts = collections.Counter(row["outcome"] for row in rows)
        bad_total += sum(counts[c] for c in BAD)
        print(f"{reader:<6} {len(rows):>7} {counts['loaded']:>7} {counts['DataError']:>10} "
              + " ".join(f"{counts[c]:>{max(9, len(c))}}" for c in BAD))
    for reader, rows in results.items():
        others = collections.Counter(row["detail"].split(":")[0] for row in rows if row["outcome"] == "other")
        if others:
            print(f"{reader} other exceptions by type: " + ", ".join(f"{t} {k}" for t, k in others.most_common()))
        for row in [r for r in rows if r["outcome"] in BAD][:5]:
            print(f"  {reader} #{row['index']}: {row['outcome']}: {row['detail'][:160]!r}")
        slowest = max(rows, key=lambda r: r.get("seconds", 0), default=None)
        if slowest is not None and "seconds" in slowest:
            print(f"  {reader}: slowest read {slowest['seconds']:.2f} s (#{slowest['index']})")
    print(f"{sum(len(r) for r in results.values())} inputs in {seconds:.0f} s")
    return 1 if bad_total else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000, help="inputs per reader (default 5000)")
    parser.add_argument("--readers", nargs="+", choices=READERS, default=list(READERS))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--time-limit", type=float, default=10.0, help="seconds per input (default 10)")
    parser.add_argument("--memory-gb", type=float, default=2.0, help="address space per worker (default 2 GB)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    memory_bytes = int(args.memory_gb * 2**30)
    if args.worker:
        worker(memory_bytes)
        return 0
    start = time.perf_counter()
    results = campaign(args.readers, args.n, args.seed, args.workers, args.time_limit, memory_bytes)
    print(f"fuzz_data_files: {args.n} inputs per reader, seed {args.seed}, {args.workers} workers, "
          f"limits {args.time_limit:g} s and {args.memory_gb:g} GB per input")
    return report(results, time.perf_counter() - start)


if __name__ == "__main__":
    sys.exit(main())
