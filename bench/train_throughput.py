"""Training speed of the engine against the fastest hand-written PyTorch loop (prints a ratio per batch size)."""

from __future__ import annotations

import argparse
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3, help="runs of each loop per batch size (alternating)")
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[32, 256])
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
        engine_runs, hand_runs, ratios = [], [], []
        for repeat in range(args.repeats):
            # Each pair runs back to back, in alternating order, so both see the same machine load; the
            # median of the pairs' ratios is robust to load that drifts between pairs (shared CI machines).
            if repeat % 2 == 0:
                hand = hand_written_epoch(x, y, batch_size)
                engine = engine_epoch(x, y, batch_size)
            else:
                engine = engine_epoch(x, y, batch_size)
                hand = hand_written_epoch(x, y, batch_size)
            engine_runs.append(engine)
            hand_runs.append(hand)
            ratios.append(engine / hand)
        print(f"batch {batch_size}: engine {max(engine_runs):,.0f} samples/s best, "
              f"{statistics.median(engine_runs):,.0f} median; hand-written {max(hand_runs):,.0f} best, "
              f"{statistics.median(hand_runs):,.0f} median; best/best {max(engine_runs) / max(hand_runs):.2f}; "
              f"pair ratios {', '.join(f'{r:.2f}' for r in ratios)}")
        print(f"batch {batch_size}: ratio engine/hand-written (median of pairs) = {statistics.median(ratios):.2f}")

if __name__ == "__main__":
    main()
