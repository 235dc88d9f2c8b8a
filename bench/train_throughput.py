"""Training speed of the engine against the fastest hand-written PyTorch loop (prints a ratio per batch size,
and one for a teaching-size 2-8-1 XOR network, where per-epoch bookkeeping rather than arithmetic sets the pace)."""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from nnstudio.core.analysis import DataContext  # noqa: E402
from nnstudio.core.graph import Graph  # noqa: E402
from nnstudio.core.layers import OutputTarget  # noqa: E402
from nnstudio.core.settings import TrainingSettings  # noqa: E402
from nnstudio.engine import Trainer, compile_graph  # noqa: E402

ROWS, FEATURES, CLASSES = 60_000, 784, 10
LEARNING_RATE = 1e-3
XOR_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
XOR_TARGETS = np.array([0, 1, 1, 0], dtype=np.int64)
TINY_BATCH = 4  # the whole XOR table: one step per epoch, so each epoch's bookkeeping weighs as much as a step


@dataclass
class Part:
    inputs: dict[str, np.ndarray]
    targets: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(next(iter(self.targets.values())))


def mlp_graph() -> tuple[dict, str, str]:
    """Input 28×28 → Flatten (784) → Dense 300 relu → Dense 100 relu → Output 10 softmax."""
    graph = Graph()
    image = graph.add_node("Input", "image", {"shape": [28, 28]})
    flatten = graph.add_node("Flatten", "flatten")
    hidden1 = graph.add_node("Dense", "hidden1", {"units": 300, "activation": "relu"})
    hidden2 = graph.add_node("Dense", "hidden2", {"units": 100, "activation": "relu"})
    output = graph.add_node("Output", "digit", {"task": "multiclass", "units": 10})
    for source, target in [(image, flatten), (flatten, hidden1), (hidden1, hidden2), (hidden2, output)]:
        graph.connect(source.id, "out", target.id, "in")
    return graph.to_dict(), image.id, output.id


def engine_epoch(x: np.ndarray, y: np.ndarray, batch_size: int) -> float:
    """Samples per second of one engine epoch, timed around the whole fit call (metrics included)."""
    graph, input_id, output_id = mlp_graph()
    context = DataContext({input_id: (28, 28)}, {output_id: OutputTarget("multiclass", CLASSES)})
    model = compile_graph(graph, context, seed=0)
    settings = TrainingSettings(optimizer="adam", learning_rate=LEARNING_RATE, batch_size=batch_size, epochs=1,
                                validation_split=0.0)
    trainer = Trainer(model, settings)
    part = Part({input_id: x}, {output_id: y})
    started = time.perf_counter()
    history = trainer.fit(part)
    seconds = time.perf_counter() - started
    assert history.stop_reason == "completed", history.message
    return len(x) / seconds


def hand_written_epoch(x: np.ndarray, y: np.ndarray, batch_size: int) -> float:
    """The tightest plain PyTorch loop we know: slices of a randperm index, fused Adam, logits + CE."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(FEATURES, 300), nn.ReLU(), nn.Linear(300, 100), nn.ReLU(),
                          nn.Linear(100, CLASSES))
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE, eps=1e-7, fused=True)
    loss_function = nn.CrossEntropyLoss()
    inputs, targets = torch.from_numpy(x), torch.from_numpy(y)
    generator = torch.Generator().manual_seed(0)
    rows = len(x)
    started = time.perf_counter()
    order = torch.randperm(rows, generator=generator)
    for start in range(0, rows, batch_size):
        index = order[start:start + batch_size]
        optimizer.zero_grad(set_to_none=True)
        loss = loss_function(model(inputs.index_select(0, index)), targets.index_select(0, index))
        loss.backward()
        optimizer.step()
    seconds = time.perf_counter() - started
    return rows / seconds


def tiny_graph() -> tuple[dict, str, str]:
    """Input 2 → Dense 8 tanh → Output binary (sigmoid): the XOR example's network."""
    graph = Graph()
    inputs = graph.add_node("Input", "inputs", {"shape": [2]})
    hidden = graph.add_node("Dense", "hidden", {"units": 8, "activation": "tanh"})
    output = graph.add_node("Output", "xor", {"task": "binary", "units": 1})
    graph.connect(inputs.id, "out", hidden.id, "in")
    graph.connect(hidden.id, "out", output.id, "in")
    return graph.to_dict(), inputs.id, output.id


def engine_tiny(epochs: int) -> tuple[float, float]:
    """Steps per second (wall clock, and CPU time of this process) of a Keras-style fit of the XOR network
    (epoch loss and metrics, History, callbacks)."""
    graph, input_id, output_id = tiny_graph()
    context = DataContext({input_id: (2,)}, {output_id: OutputTarget("binary", 1)})
    model = compile_graph(graph, context, seed=0)
    settings = TrainingSettings(optimizer="adam", learning_rate=0.05, batch_size=TINY_BATCH, epochs=epochs,
                                validation_split=0.0)
    trainer = Trainer(model, settings)
    part = Part({input_id: XOR_INPUTS}, {output_id: XOR_TARGETS})
    started, cpu_started = time.perf_counter(), time.process_time()
    history = trainer.fit(part)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    assert history.stop_reason == "completed" and len(history.epochs) == epochs, history.message
    steps = epochs * math.ceil(len(XOR_INPUTS) / TINY_BATCH)
    return steps / seconds, steps / cpu_seconds


def hand_written_tiny(epochs: int) -> tuple[float, float]:
    """What a student's Keras fit does, written by hand: shuffle each epoch; zero_grad, forward, loss, backward
    and step per batch; the epoch's mean loss at its end. One thread, as the engine uses for such networks."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1))
        optimizer = torch.optim.Adam(model.parameters(), lr=0.05, eps=1e-7, fused=True)
        loss_function = nn.BCEWithLogitsLoss()
        inputs = torch.from_numpy(XOR_INPUTS)
        targets = torch.from_numpy(XOR_TARGETS).float().reshape(-1, 1)
        generator = torch.Generator().manual_seed(0)
        rows = len(inputs)
        steps = 0
        epoch_losses = []
        started, cpu_started = time.perf_counter(), time.process_time()
        for _ in range(epochs):
            order = torch.randperm(rows, generator=generator)
            batch_losses = []
            for start in range(0, rows, TINY_BATCH):
                index = order[start:start + TINY_BATCH]
                optimizer.zero_grad(set_to_none=True)
                loss = loss_function(model(inputs.index_select(0, index)), targets.index_select(0, index))
                loss.backward()
                optimizer.step()
                batch_losses.append(loss.detach())
                steps += 1
            epoch_losses.append(torch.stack(batch_losses).mean().item())
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    finally:
        torch.set_num_threads(threads)
    return steps / seconds, steps / cpu_seconds


def paired(first, second, repeats: int) -> tuple[list, list]:
    """Run the two loops back to back `repeats` times in alternating order; the results of each."""
    engine_runs, hand_runs = [], []
    for repeat in range(repeats):
        # Each pair runs back to back, in alternating order, so both see the same machine load; the
        # median of the pairs' ratios is robust to load that drifts between pairs (shared CI machines).
        if repeat % 2 == 0:
            hand, engine = second(), first()
        else:
            engine, hand = first(), second()
        engine_runs.append(engine)
        hand_runs.append(hand)
    return engine_runs, hand_runs


def report(label: str, unit: str, engine_runs: list[float], hand_runs: list[float]) -> None:
    ratios = [engine / hand for engine, hand in zip(engine_runs, hand_runs)]
    print(f"{label}: engine {max(engine_runs):,.0f} {unit} best, "
          f"{statistics.median(engine_runs):,.0f} median; hand-written {max(hand_runs):,.0f} best, "
          f"{statistics.median(hand_runs):,.0f} median; best/best {max(engine_runs) / max(hand_runs):.2f}; "
          f"pair ratios {', '.join(f'{r:.2f}' for r in ratios)}")
    print(f"{label}: ratio engine/hand-written (median of pairs) = {statistics.median(ratios):.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3, help="runs of each loop per batch size (alternating)")
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--batch-sizes", type=int, nargs="*", default=[32, 256])
    parser.add_argument("--tiny-epochs", type=int, default=800, help="epochs per XOR run (0 leaves it out)")
    parser.add_argument("--tiny-repeats", type=int, default=15, help="XOR runs of each loop (alternating)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)  # the same for both loops
    rng = np.random.default_rng(0)
    x = rng.standard_normal((ROWS, FEATURES), dtype=np.float32)
    y = rng.integers(0, CLASSES, ROWS).astype(np.int64)
    print(f"torch {torch.__version__}, {args.threads} thread(s), {ROWS}×{FEATURES} rows, "
          f"{args.repeats} back-to-back pairs per batch size")
    engine_epoch(x[:2048], y[:2048], 32)  # warm up kernels and allocator before timing
    hand_written_epoch(x[:2048], y[:2048], 32)
    for batch_size in args.batch_sizes:
        runs = paired(lambda: engine_epoch(x, y, batch_size), lambda: hand_written_epoch(x, y, batch_size),
                      args.repeats)
        report(f"batch {batch_size}", "samples/s", *runs)
    if args.tiny_epochs > 0:
        engine_tiny(50)  # warm up
        hand_written_tiny(50)
        engine_runs, hand_runs = paired(lambda: engine_tiny(args.tiny_epochs),
                                        lambda: hand_written_tiny(args.tiny_epochs), args.tiny_repeats)
        label = f"XOR 2-8-1, batch {TINY_BATCH}, {args.tiny_epochs} epochs"
        for clock, (name, unit) in enumerate([("", "steps/s"), (" (CPU time)", "steps per CPU second")]):
            # Both loops use one thread, so CPU time counts the work itself: on a shared machine it does not
            # grow while other programs hold the cores, as the wall clock does.
            engine = [run[clock] for run in engine_runs]
            hand = [run[clock] for run in hand_runs]
            report(label + name, unit, engine, hand)


if __name__ == "__main__":
    main()
