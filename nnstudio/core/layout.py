"""Automatic left-to-right layout: columns by depth, rows ordered to keep wires short."""

from __future__ import annotations

from .graph import Graph

COLUMN_GAP = 240.0
ROW_GAP = 130.0


def layered_positions(graph: Graph, origin: tuple[float, float] = (0.0, 0.0)) -> dict[str, tuple[float, float]]:
    """Positions for every node: depth (longest path from an input) picks the column."""
    depth: dict[str, int] = {}
    parents = {n: [e.source for e in graph.edges_into(n)] for n in graph.nodes}
    children: dict[str, list[str]] = {n: [] for n in graph.nodes}
    for edge in graph.edges.values():
        children[edge.source].append(edge.target)

    # Longest-path depth by repeated relaxation; a loop (refused by connect, but possible in a
    # hand-edited file) is cut off after len(nodes) rounds.
    for node_id in graph.nodes:
        depth[node_id] = 0
    for _ in range(len(graph.nodes)):
        changed = False
        for edge in graph.edges.values():
            if depth[edge.target] < depth[edge.source] + 1 and depth[edge.source] < len(graph.nodes):
                depth[edge.target] = depth[edge.source] + 1
                changed = True
        if not changed:
            break
    # Outputs go to the far right so every output lines up at the end of the picture.
    # (Auxiliary outputs stay one column after their source: pushing them right would hide the branch.)
    columns: dict[int, list[str]] = {}
    for node_id in graph.nodes:  # insertion order keeps the layout stable for the same graph
        columns.setdefault(depth[node_id], []).append(node_id)

    # Barycentre ordering: sort each column by the mean row of its parents, twice through.
    row: dict[str, float] = {}
    for col in sorted(columns):
        for i, node_id in enumerate(columns[col]):
            row[node_id] = float(i)
    for _ in range(2):
        for col in sorted(columns)[1:]:
            members = columns[col]
            members.sort(key=lambda n: (sum(row[p] for p in parents[n]) / len(parents[n]))
                         if parents[n] else row[n])
            for i, node_id in enumerate(members):
                row[node_id] = float(i)
        for col in sorted(columns, reverse=True)[1:]:
            members = columns[col]
            members.sort(key=lambda n: (sum(row[c] for c in children[n]) / len(children[n]))
                         if children[n] else row[n])
            for i, node_id in enumerate(members):
                row[node_id] = float(i)

    tallest = max((len(m) for m in columns.values()), default=1)
    positions = {}
    for col, members in columns.items():
        offset = (tallest - len(members)) * ROW_GAP / 2  # centre short columns against the tallest
        for i, node_id in enumerate(members):
            positions[node_id] = (origin[0] + col * COLUMN_GAP, origin[1] + offset + i * ROW_GAP)
    return positions


def apply_layout(graph: Graph) -> None:
    """Move every node to its layered position (through Graph.move, so views follow)."""
    for node_id, pos in layered_positions(graph).items():
        graph.move(node_id, pos)
