"""The fuzz campaigns' worker pool: long-lived child processes under a memory cap, each watched for time and crashes."""

from __future__ import annotations

import json
import queue
import select
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class Worker:
    """One child process (`script --worker`) reading "reader index seed" lines; replaced after a crash or timeout."""

    def __init__(self, script: str, memory_bytes: int, good: tuple[str, ...]) -> None:
        self.script, self.memory_bytes, self.good = script, memory_bytes, good
        self.process = self._start()

    def _start(self) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, self.script, "--worker", "--memory-gb", str(self.memory_bytes / 2**30)],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                cwd=ROOT, bufsize=1)

    def run(self, reader: str, index: int, seed: int, limit_s: float) -> dict:
        self.process.stdin.write(f"{reader} {index} {seed}\n")
        self.process.stdin.flush()
        # Building an input (a bomb, a worker's first bundle importing torch) takes a moment too, so the watchdog
        # allows slack; the reader's own time is measured inside the worker and judged against limit_s below.
        ready, _, _ = select.select([self.process.stdout], [], [], limit_s * 3)
        line = self.process.stdout.readline() if ready else ""
        if not line:
            timed_out = not ready
            self.process.kill()
            code = self.process.wait()
            self.process = self._start()
            return {"outcome": "over time" if timed_out else "crash", "detail": f"exit {code}"}
        result = json.loads(line)
        if result["outcome"] in self.good and result["seconds"] > limit_s:
            result["outcome"] = "over time"
        return result

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait()


def campaign(script: str, good: tuple[str, ...], readers: list[str], n: int, seed: int, workers: int,
             limit_s: float, memory_bytes: int) -> dict[str, list[dict]]:
    """n inputs per reader, shared out over `workers` child processes; each reader's results."""
    tasks: queue.Queue = queue.Queue()
    for reader in readers:
        for index in range(n):
            tasks.put((reader, index))
    results: dict[str, list[dict]] = {reader: [] for reader in readers}
    lock = threading.Lock()

    def serve() -> None:
        child = Worker(script, memory_bytes, good)
        try:
            while True:
                try:
                    reader, index = tasks.get_nowait()
                except queue.Empty:
                    return
                result = child.run(reader, index, seed, limit_s)
                result["index"] = index
                with lock:
                    results[reader].append(result)
        finally:
            child.close()

    threads = [threading.Thread(target=serve) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
