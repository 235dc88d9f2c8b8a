"""Canvas speed on a 500-node graph: build the scene, auto-layout + fit, and repaint while moving a card."""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from nnstudio.core.graph import Graph  # noqa: E402 - after the path and platform are set

NODES = 500
MOVES = 50
TARGETS_MS = {"build": 1000.0, "layout": 1000.0, "move": 50.0}


def build_big_graph(total: int = NODES) -> Graph:
    """Chains of Input → 8 Dense, joined pairwise by Concatenate layers down to one Output."""
    graph = Graph()
    chains: list[str] = []
    per_chain = 9
    # c chains of 9, c - 1 Concatenates and one Output make 10c nodes.
    chain_count = max(1, total // (per_chain + 1))
    for c in range(chain_count):
        previous = graph.add_node("Input", name=f"input_{c}", params={"shape": [16]}).id
        for d in range(per_chain - 1):
            node = graph.add_node("Dense", name=f"dense_{c}_{d}", params={"units": 16})
            graph.connect(previous, "out", node.id, "in")
            previous = node.id
        chains.append(previous)
    # Merge the chain ends two at a time until one is left (an odd one out waits for the next round).
    level = 0
    while len(chains) > 1:
        merged: list[str] = []
        for i in range(0, len(chains) - 1, 2):
            concat = graph.add_node("Concatenate", name=f"concat_{level}_{i // 2}")
            graph.connect(chains[i], "out", concat.id, "in1")
            graph.connect(chains[i + 1], "out", concat.id, "in2")
            merged.append(concat.id)
        if len(chains) % 2:
            merged.append(chains[-1])
        chains = merged
        level += 1
    last = chains[0]
    while len(graph.nodes) < total - 1:  # top up with Dense layers to reach exactly `total`
        node = graph.add_node("Dense", params={"units": 16})
        graph.connect(last, "out", node.id, "in")
        last = node.id
    output = graph.add_node("Output", name="prediction", params={"task": "regression", "units": 1})
    graph.connect(last, "out", output.id, "in")
    # Where a saved file might have put them: a plain grid, so auto-layout still has work to do.
    for i, node_id in enumerate(graph.nodes):
        graph.move(node_id, ((i % 25) * 220.0, (i // 25) * 140.0))
    return graph


def _ms(seconds: float) -> float:
    return seconds * 1000.0


def _mouse_drag_ms(app, canvas, item) -> float:
    """Median time for one mouse-move of a card drag: event handling plus a full repaint."""
    from PySide6.QtCore import QEvent, QPointF, Qt
    from PySide6.QtGui import QMouseEvent

    viewport = canvas.viewport()

    def send(kind, scene_point, button, buttons) -> None:
        local = QPointF(canvas.mapFromScene(scene_point))
        event = QMouseEvent(kind, local, QPointF(viewport.mapToGlobal(local.toPoint())), button, buttons,
                            Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(viewport, event)

    from PySide6.QtWidgets import QApplication

    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    start = item.pos() + QPointF(80, item.height - 25)
    send(QEvent.Type.MouseButtonPress, start, left, left)
    app.processEvents()
    times = []
    point = start
    for i in range(MOVES):
        point = start + QPointF(3.0 * (i + 1), 2.0 * (i + 1))
        started = time.perf_counter()
        send(QEvent.Type.MouseMove, point, none, left)
        # Offscreen, Qt may defer the partial repaint it scheduled: force a full one (an upper bound).
        canvas.viewport().repaint()
        times.append(_ms(time.perf_counter() - started))
    send(QEvent.Type.MouseButtonRelease, point, left, none)
    app.processEvents()
    canvas.document.undo_stack.undo()  # put the card back for the next measurement
    return statistics.median(times)


def main() -> None:
    from PySide6.QtCore import QPointF
    from PySide6.QtWidgets import QApplication

    from nnstudio.core.examples import build_example
    from nnstudio.core.project import Project
    from nnstudio.gui.canvas import Canvas
    from nnstudio.gui.editing.document import Document

    app = QApplication.instance() or QApplication(sys.argv)
    graph = build_big_graph(NODES)
    document = Document(Project(graph))

    started = time.perf_counter()
    canvas = Canvas(document)
    canvas.resize(1400, 900)
    canvas.show()
    app.processEvents()
    canvas.viewport().repaint()
    build_ms = _ms(time.perf_counter() - started)

    started = time.perf_counter()
    canvas.auto_layout()
    app.processEvents()
    canvas.viewport().repaint()
    layout_ms = _ms(time.perf_counter() - started)

    # Zoom to a readable level around one card in the thick of it, as a user editing would.
    node_id = list(graph.nodes)[len(graph.nodes) // 2]
    canvas.resetTransform()
    canvas.center_on_node(node_id)
    app.processEvents()
    canvas.viewport().repaint()
    item = canvas.node_item(node_id)
    origin = item.pos()
    times = []
    for i in range(MOVES):
        started = time.perf_counter()
        item.setPos(origin + QPointF((i % 10) * 4.0, (i % 7) * 3.0))
        canvas.viewport().repaint()
        times.append(_ms(time.perf_counter() - started))
    move_ms = statistics.median(times)

    # A real drag: mouse events through the view (snapping, wires following), each with a repaint.
    drag_ms = _mouse_drag_ms(app, canvas, item)

    # The same with the whole graph in view (every card painted small).
    canvas.fit_to_view()
    app.processEvents()
    canvas.viewport().repaint()
    times = []
    for i in range(MOVES):
        started = time.perf_counter()
        item.setPos(origin + QPointF((i % 10) * 4.0, (i % 7) * 3.0))
        canvas.viewport().repaint()
        times.append(_ms(time.perf_counter() - started))
    move_all_ms = statistics.median(times)

    print(f"graph: {len(graph.nodes)} nodes, {len(graph.edges)} wires")
    print(f"build scene + first paint: {build_ms:.0f} ms (target < {TARGETS_MS['build']:.0f} ms)")
    print(f"auto-layout + fit + paint: {layout_ms:.0f} ms (target < {TARGETS_MS['layout']:.0f} ms)")
    print(f"move repaint (zoom 100%): {move_ms:.1f} ms median of {MOVES} (target < {TARGETS_MS['move']:.0f} ms)")
    print(f"mouse drag step (event + full repaint): {drag_ms:.1f} ms median of {MOVES} "
          f"(target < {TARGETS_MS['move']:.0f} ms)")
    print(f"move repaint (whole graph in view): {move_all_ms:.1f} ms median of {MOVES} "
          f"(target < {TARGETS_MS['move']:.0f} ms)")

    # The screenshot for the docs: the Wide & Deep example as a newcomer first sees it.
    shot = Canvas(Document(build_example("wide_deep")))
    shot.resize(1100, 560)
    shot.show()
    app.processEvents()
    shot.fit_to_view()
    app.processEvents()
    path = ROOT / "docs" / "screenshots" / "canvas_wide_deep.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    shot.grab().save(str(path))
    print(f"screenshot: {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
