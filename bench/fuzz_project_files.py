"""Fuzz campaign for project, bundle and recovery files: N inputs per reader, each under 10 s and 2 GB.

    python bench/fuzz_project_files.py                # 5,000 inputs each for .nnstudio, .nnzip, recovery files
    python bench/fuzz_project_files.py --n 1000 --readers bundle

Inputs are the shipped examples, mutations of them (bytes flipped, cut, spliced), hand-edit-like hostile values
(huge whole numbers, NaN/Infinity/1e999, NUL and lone-surrogate text, deep nesting, very long strings), networks
that declare billions of weights in a few kilobytes, zip damage and random bytes. Long-lived workers (one per
core) read many inputs each, under RLIMIT_AS; one is replaced only when it crashes or overruns. The promise
checked: every input raises the documented error (ProjectError; BundleError is one) in a short printable
sentence, or loads, saves, and reloads equal. Anything else lands in a bad column, whose target is 0.
"""

from __future__ import annotations

import argparse
import collections
import io
import json
import os
import random
import re
import resource
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "resources" / "examples").glob("*.nnstudio"))
READERS = ("project", "bundle", "recovery")
LEAKS = ("Traceback", "object at 0x", "Errno", "unhashable", "int too large")
BAD = ("other", "unclean message", "save mismatch", "over time", "over memory", "crash", "generator bug")
LITERAL = re.compile(r'-?\d+(\.\d+)?([eE][-+]?\d+)?|"[^"\\]*"|true|false|null')


# --- generators: bytes for one input, from a seeded random.Random -------------------------------------------

def hostile_literal(r: random.Random) -> str:
    """JSON text a hand edit or another program might leave where a value should be."""
    return r.choice([
        "1" + "0" * r.randint(20, 400), "-1" + "0" * r.randint(300, 420), str(2**63), "NaN", "Infinity",
        "-Infinity", "1e999", "-1e999", "1e308", '"a\\u0000b"', '"\\ud800"', '"/tmp/x\\u0000.csv"',
        "[" * (d := r.choice([40, 60, 900, 3000])) + "]" * d, '"' + "x" * r.choice([5000, 200_000]) + '"',
        "{}", "[]", "null", "true", "-0.0", "0", str(r.randint(-10**6, 10**6)), '{"a": ' * 50 + "1" + "}" * 50])


def splice_hostile(r: random.Random, text: str) -> str:
    spans = [m.span() for m in LITERAL.finditer(text)]
    for _ in range(r.choice([1, 1, 1, 2, 3])):
        start, end = r.choice(spans)
        text = text[:start] + hostile_literal(r) + text[end:]
        spans = [m.span() for m in LITERAL.finditer(text)] or [(0, 0)]
    return text


def mutate_bytes(r: random.Random, data: bytes) -> bytes:
    data = bytearray(data)
    for _ in range(r.randint(1, 8)):
        kind, at = r.random(), r.randrange(max(len(data), 1))
        if kind < 0.4:
            data[at:at + 1] = bytes([r.randrange(256)])
        elif kind < 0.6:
            del data[at:at + r.randint(1, 64)]
        elif kind < 0.8:
            data[at:at] = r.randbytes(r.randint(1, 16))
        else:
            data = data[:at]
    return bytes(data)


def giant_project(r: random.Random) -> str:
    """A real example whose Input and Dense sizes declare up to billions of weights (a declared-size bomb)."""
    raw = json.loads(r.choice(EXAMPLES).read_text())
    for node in raw["graph"]["nodes"]:
        if node["type"] == "Input":
            node["params"]["shape"] = [r.choice([50_000, 1_000_000, 50_000_000, 10**12])]
            node["params"]["columns"] = []
        elif node["type"] in ("Dense", "Output") and r.random() < 0.8:
            node["params"]["units"] = r.choice([100_000, 60_000, 10**12, 0])
    return json.dumps(raw)


def structural(r: random.Random) -> str:
    """A parsed example with one value anywhere replaced by a hostile one (keys included)."""
    raw = json.loads(r.choice(EXAMPLES).read_text())
    trails, stack = [], [(raw, ())]
    while stack:
        node, trail = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, value in items:
            trails.append(trail + (key,))
            stack.append((value, trail + (key,)))
    trail = r.choice(trails)
    target = raw
    for key in trail[:-1]:
        target = target[key]
    marker = f"@@{r.random()}@@"
    target[trail[-1]] = marker
    text = json.dumps(raw)
    return text.replace(json.dumps(marker), hostile_literal(r))


def project_text(r: random.Random) -> bytes:
    kind = r.random()
    base = r.choice(EXAMPLES).read_bytes()
    if kind < 0.05:
        return base
    if kind < 0.30:
        return splice_hostile(r, base.decode()).encode("utf-8", "surrogatepass")
    if kind < 0.50:
        return structural(r).encode("utf-8", "surrogatepass")
    if kind < 0.70:
        return mutate_bytes(r, base)
    if kind < 0.80:
        return giant_project(r).encode()
    if kind < 0.88:
        return (r.choice("[{") * r.randint(1, 200_000)).encode()
    if kind < 0.94:
        return json.dumps({"format": "nnstudio-project", "version": r.choice([1, 2, 0]),
                           "graph": {"nodes": [{"id": f"n{i}", "type": "Dense", "name": f"d{i}"}
                                               for i in range(r.choice([10, 10_001]))], "edges": []}}).encode()
    return r.randbytes(r.randint(0, 3000))


_BUNDLES: dict[str, dict[str, bytes]] = {}


def real_bundle(name: Path, folder: Path) -> dict[str, bytes]:
    """The members of an untrained bundle of an example, built once per worker."""
    if str(name) not in _BUNDLES:
        from nnstudio.core.project import load_project  # noqa: PLC0415 - imported in the worker, under its limit
        from nnstudio.engine.bundle_io import save_bundle  # noqa: PLC0415
        from nnstudio.engine.compiler import compile_graph  # noqa: PLC0415
        project = load_project(name)
        model = compile_graph(project.graph.to_dict(), seed=0)
        save_bundle(folder / "base.nnzip", project, model, None, trained=False)
        with zipfile.ZipFile(folder / "base.nnzip") as archive:
            _BUNDLES[str(name)] = {n: archive.read(n) for n in archive.namelist()}
    return dict(_BUNDLES[str(name)])


def zip_members(members: dict[str, bytes], fix_manifest: bool = True, method: int = zipfile.ZIP_DEFLATED) -> bytes:
    import hashlib  # noqa: PLC0415
    if fix_manifest:
        members = dict(members)
        members["manifest.json"] = json.dumps({"format": "nnstudio-bundle", "version": 1, "members": {
            n: {"size": len(d), "sha256": hashlib.sha256(d).hexdigest()}
            for n, d in members.items() if n != "manifest.json"}}).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def bundle_bytes(r: random.Random, folder: Path) -> bytes:
    members = real_bundle(r.choice([e for e in EXAMPLES if "xor" in e.name or "iris" in e.name]), folder)
    kind = r.random()
    if kind < 0.05:
        return zip_members(members)
    if kind < 0.25:
        name = r.choice(["project.json", "model.json", "history.json", "manifest.json"])
        members[name] = splice_hostile(r, members[name].decode()).encode("utf-8", "surrogatepass")
        return zip_members(members, fix_manifest=name != "manifest.json")
    if kind < 0.40:  # declared-size bomb: the project and its description agree on a giant, weights stay tiny
        raw = json.loads(giant_project(r))
        members["project.json"] = json.dumps(raw).encode()
        description = json.loads(members["model.json"])
        inputs = {n["id"]: n["params"]["shape"] for n in raw["graph"]["nodes"] if n["type"] == "Input"}
        description["inputs"] = [{"id": i, "name": i, "shape": s} for i, s in inputs.items()]
        members["model.json"] = json.dumps(description).encode()
        return zip_members(members)
    if kind < 0.50:
        members["history.json"] = json.dumps({"last_run": {"epochs": [1], "logs": {"loss": ["#"]},
                                                           "samples_per_second": "#"}}).replace(
            '"#"', hostile_literal(r)).encode("utf-8", "surrogatepass")
        return zip_members(members)
    if kind < 0.60:  # a zip bomb: a member far larger unpacked than packed
        members[r.choice(list(members))] = b"0" * r.choice([60_000_000, 2_000_000])
        return zip_members(members, fix_manifest=r.random() < 0.5)
    if kind < 0.90:
        return mutate_bytes(r, zip_members(members))
    return r.randbytes(r.randint(0, 3000))


def recovery_bytes(r: random.Random) -> bytes:
    record = {"format": "nnstudio-recovery", "version": 1, "original_path": "@ORIGINAL@", "saved_at": "@TIME@",
              "project": "@PROJECT@"}
    text = json.dumps(record, indent=1)
    original = r.choice([json.dumps(str(r.choice(EXAMPLES))), "null", '"/home/u/thesis.nnstudio"',
                         '"relative.nnstudio"', hostile_literal(r)])
    when = r.choice(["1700000000.5", "0", hostile_literal(r)])
    project = project_text(r) if r.random() < 0.8 else r.choice(EXAMPLES).read_bytes()
    data = text.replace('"@ORIGINAL@"', original).replace('"@TIME@"', when).encode("utf-8", "surrogatepass")
    data = data.replace(b'"@PROJECT@"', project)
    return mutate_bytes(r, data) if r.random() < 0.2 else data


# --- the worker: judges inputs named on stdin, answers one JSON line each ------------------------------------

def _load_and_save(reader: str, path: Path, folder: Path) -> str:
    """Load, save, reload; 'loaded+saved' when the reloaded project (and weights) equal the loaded ones."""
    from nnstudio.core.autosave import find_recoveries, load_recovery  # noqa: PLC0415
    from nnstudio.core.project import dumps_project, load_project, save_project  # noqa: PLC0415
    if reader == "bundle":
        from nnstudio.engine.bundle_io import load_bundle, save_bundle  # noqa: PLC0415
        from nnstudio.engine.weights import state_to_bytes  # noqa: PLC0415
        loaded = load_bundle(path)
        save_bundle(folder / "again.nnzip", loaded.project, loaded.model, loaded.history, trained=loaded.trained)
        again = load_bundle(folder / "again.nnzip")
        same = (dumps_project(again.project, folder) == dumps_project(loaded.project, folder)
                and state_to_bytes(again.model) == state_to_bytes(loaded.model))
        return "loaded+saved" if same else "save mismatch"
    if reader == "recovery":
        find_recoveries(folder)  # offering after a crash must never raise either
        project = load_recovery(path)
        if project.path is not None:
            return "save mismatch"  # a recovery file chose where Save writes
    else:
        project = load_project(path)
    save_project(project, folder / "again.nnstudio")
    again = load_project(folder / "again.nnstudio")
    same = dumps_project(again, folder) == dumps_project(project, folder)
    return "loaded+saved" if same else "save mismatch"


def _judge(reader: str, index: int, seed: int, folder: Path) -> dict:
    from nnstudio.core.project import ProjectError  # noqa: PLC0415
    r = random.Random(f"{seed}-{reader}-{index}")
    try:
        data = {"project": lambda: project_text(r), "bundle": lambda: bundle_bytes(r, folder),
                "recovery": lambda: recovery_bytes(r)}[reader]()
    except Exception as error:  # noqa: BLE001 - a bug of this bench, shown apart from the readers' results
        return {"outcome": "generator bug", "detail": f"{type(error).__name__}: {error}"[:300], "seconds": 0.0}
    path = folder / {"project": "p.nnstudio", "bundle": "b.nnzip", "recovery": "r.nnstudio-recovery"}[reader]
    path.write_bytes(data)
    start = time.perf_counter()
    try:
        result = {"outcome": _load_and_save(reader, path, folder), "detail": ""}
    except ProjectError as error:
        message = str(error)
        clean = bool(message) and len(message) < 400 and message.isprintable() and not any(x in message
                                                                                           for x in LEAKS)
        result = {"outcome": "documented error" if clean else "unclean message", "detail": message[:300]}
    except MemoryError:
        result = {"outcome": "over memory", "detail": "MemoryError"}
    except Exception as error:  # noqa: BLE001 - the campaign counts exactly these
        over = isinstance(error, RuntimeError) and "allocat" in str(error)
        result = {"outcome": "over memory" if over else "other",
                  "detail": f"{type(error).__name__}: {str(error)[:200]}"}
    result["seconds"] = time.perf_counter() - start
    for leftover in folder.iterdir():
        if leftover.is_file():
            leftover.unlink()
    return result


def worker(memory_bytes: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    sys.path[:0] = [str(ROOT)]
    sys.setrecursionlimit(1000)  # the default: a reader must cope with the limit it will really have
    with tempfile.TemporaryDirectory(prefix="fuzz-project-") as folder:
        for line in sys.stdin:
            reader, index, seed = line.split()
            result = _judge(reader, int(index), int(seed), Path(folder))
            sys.stdout.write(json.dumps(result) + "\n")
            sys.stdout.flush()


# --- the parent: a pool of workers, a watchdog each, a table per reader ------------------------------------

def campaign(readers: list[str], n: int, seed: int, workers: int, limit_s: float, memory_bytes: int) -> dict:
    from fuzz_pool import campaign as run_pool  # bench/ is on the path: these scripts run as bench/NAME.py
    return run_pool(__file__, ("loaded+saved", "documented error"), readers, n, seed, workers, limit_s, memory_bytes)


def report(results: dict[str, list[dict]], seconds: float) -> int:
    good = ("loaded+saved", "documented error")
    header = (f"{'reader':<8} {'inputs':>7} " + " ".join(f"{c:>{len(c)}}" for c in good) + " "
              + " ".join(f"{c:>{max(9, len(c))}}" for c in BAD))
    print(header)
    print("-" * len(header))
    bad_total = 0
    for reader, rows in results.items():
        counts = collections.Counter(row["outcome"] for row in rows)
        bad_total += sum(counts[c] for c in BAD)
        print(f"{reader:<8} {len(rows):>7} " + " ".join(f"{counts[c]:>{len(c)}}" for c in good) + " "
              + " ".join(f"{counts[c]:>{max(9, len(c))}}" for c in BAD))
    for reader, rows in results.items():
        others = collections.Counter(row["detail"].split(":")[0] for row in rows if row["outcome"] == "other")
        if others:
            print(f"{reader} other exceptions by type: " + ", ".join(f"{t} {k}" for t, k in others.most_common()))
        for row in [r for r in rows if r["outcome"] in BAD][:5]:
            print(f"  {reader} #{row['index']}: {row['outcome']}: {row['detail'][:160]!r}")
        slowest = max(rows, key=lambda r: r.get("seconds", 0), default=None)
        if slowest is not None and "seconds" in slowest:
            print(f"  {reader}: slowest input {slowest['seconds']:.2f} s (#{slowest['index']})")
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
    print(f"fuzz_project_files: {args.n} inputs per reader, seed {args.seed}, {args.workers} workers, "
          f"limits {args.time_limit:g} s and {args.memory_gb:g} GB per input")
    return report(results, time.perf_counter() - start)


if __name__ == "__main__":
    sys.exit(main())
