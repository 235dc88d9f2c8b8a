"""Networks too big for this computer are refused in plain words before anything is allocated.

Loading a 2 KB bundle that declares a giant network, compiling one, or `nnstudio train` on one must end in one
sentence ("this network has 3,000,050,010 weights, about 45 GB to train; this computer has 24 GB"), not in an
OOM kill or a torch allocator traceback. Whatever could allocate runs in a child process under RLIMIT_AS, so
even the unfixed code cannot take this machine's memory down with it."""

import json
import subprocess
import sys
import textwrap

import pytest

from nnstudio.core.analysis import ERROR, analyze
from nnstudio.core.bundle import bundle_bytes
from nnstudio.core.graph import Graph
from nnstudio.core.memory_budget import GB, estimate, memory_problem
from nnstudio.core.project import Project, dumps_project, save_project

GIB = 1 << 30


def chain(*sizes: int, data: str = "") -> Project:
    """Input sizes[0] -> Dense sizes[1] -> ... -> a 3-class Output (the iris dataset when `data` says so)."""
    graph = Graph()
    previous = graph.add_node("Input", "inp", {"shape": [sizes[0]]})
    for index, units in enumerate(sizes[1:], 1):
        layer = graph.add_node("Dense", f"dense{index}", {"units": units})
        graph.connect(previous.id, "out", layer.id, "in")
        previous = layer
    output = graph.add_node("Output", "out", {"task": "multiclass", "units": 3})
    graph.connect(previous.id, "out", output.id, "in")
    project = Project(graph)
    if data:
        project.data.source = {"kind": "builtin", "name": data}
    return project


def bomb_bundle(path, *sizes: int) -> int:
    """A bundle whose model description declares the network `chain(*sizes)` but carries almost no weights."""
    project = chain(*sizes)
    nodes = {n.type: n for n in project.graph.nodes.values()}
    model = {"trained": True, "seed": 0,
             "inputs": [{"id": nodes["Input"].id, "name": "inp", "shape": [sizes[0]]}],
             "outputs": [{"id": nodes["Output"].id, "name": "out", "task": "multiclass", "units": 3,
                          "class_names": []}]}
    weights = b"\x08\x00\x00\x00\x00\x00\x00\x00{}      "
    data = bundle_bytes(dumps_project(project), model, weights, {"last_run": None})
    path.write_bytes(data)
    return len(data)


def run_limited(script: str, limit_gb: int, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run Python code in a child whose address space is capped (the unfixed code must not hurt this machine)."""
    prelude = (f"import resource\nresource.setrlimit(resource.RLIMIT_AS, ({limit_gb} << 30, {limit_gb} << 30))\n")
    return subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(script), *args], capture_output=True,
                          text=True, timeout=timeout)


LOAD_BUNDLE = """
import json, resource, sys
from nnstudio.core.bundle import BundleError
from nnstudio.engine.bundle_io import load_bundle
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    load_bundle(sys.argv[1])
    message = None
except BundleError as exc:
    message = str(exc)
grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
print(json.dumps({"message": message, "grown_mb": grown / 1024}))
"""


@pytest.mark.parametrize("sizes, limit_gb", [
    ((50_000, 10_000), 8),     # 500 million weights: 2 GB to build, which the unfixed loader did
    ((50_000, 100_000), 3),    # the campaign's 5 billion: refused by the memory estimate or the weights' size
])
def test_a_2_kb_bomb_bundle_is_refused_in_bounded_memory(tmp_path, sizes, limit_gb):
    path = tmp_path / "bomb.nnzip"
    assert bomb_bundle(path, *sizes) < 4096
    done = run_limited(LOAD_BUNDLE, limit_gb, str(path))
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["message"] is not None, "the bomb loaded"
    assert "bomb.nnzip" in result["message"] and "weights" in result["message"]
    assert "allocat" not in result["message"] and "Error" not in result["message"]
    assert result["grown_mb"] < 200


COMPILE = """
import sys
from nnstudio.core.project import load_project
from nnstudio.engine.compiler import CompileError, compile_graph
try:
    compile_graph(load_project(sys.argv[1]).graph.to_dict())
    print("BUILT")
except CompileError as exc:
    print(" ".join(exc.messages))
"""


def test_the_compiler_refuses_ten_billion_weights_before_building(tmp_path):
    save_project(chain(100_000, 100_000), tmp_path / "huge.nnstudio")
    done = run_limited(COMPILE, 3, str(tmp_path / "huge.nnstudio"))
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    assert "This network has 10,000,400,003 weights" in done.stdout


CLI = """
import sys
import nnstudio.core.memory_budget as budget
budget.total_memory_bytes = lambda: 24 << 30  # the campaign's machine, whatever this one has
from nnstudio.cli import main
sys.exit(main(["train", sys.argv[1], "--epochs", "1"]))
"""


@pytest.mark.parametrize("sizes, weights", [
    ((4, 30_000, 100_000), "3,000,550,003"),    # OOM-killed by the unfixed `nnstudio train`
    ((4, 100_000, 100_000), "10,000,900,003"),  # a RuntimeError traceback from torch's allocator
])
def test_cli_train_refuses_in_one_plain_line(tmp_path, sizes, weights):
    save_project(chain(*sizes, data="iris"), tmp_path / "big.nnstudio")
    done = run_limited(CLI, 4, str(tmp_path / "big.nnstudio"), timeout=300)
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert f"This network has {weights} weights, about" in lines[0]
    assert "GB to train; this computer has 24 GB of memory" in lines[0]


def test_huge_units_are_refused_without_building_anything():
    graph = chain(8, 16).graph
    graph.node_by_name("dense1").params["units"] = 10**12
    analysis = analyze(graph)
    assert any("Units must be at most 100000" in issue.message for issue in analysis.errors)
    assert analysis.total_params == 0  # nothing counted past the bad setting, so nothing to allocate


def test_analysis_reports_the_budget_as_one_network_error(monkeypatch):
    import nnstudio.core.memory_budget as budget
    monkeypatch.setattr(budget, "total_memory_bytes", lambda: 24 * GIB)
    analysis = analyze(chain(50_000, 60_000).graph)
    errors = [issue for issue in analysis.issues if issue.severity == ERROR]
    assert len(errors) == 1 and errors[0].node_id is None
    assert errors[0].message.startswith("This network has 3,000,240,003 weights, about 45 GB to train; "
                                        "this computer has 24 GB of memory.")
    assert analyze(chain(8, 64, 64).graph).ok  # ordinary networks are untouched


def test_the_estimate_counts_weights_gradients_optimizer_state_and_activations():
    adam = estimate(1_000, 1_000, [10, 20], batch_size=32, optimizer="adam")
    assert adam.weight_bytes == 4 * (1_000 + 1_000 * 3)      # weights, gradients, two moments
    assert adam.activation_bytes == 4 * 3 * 30 * 32
    sgd = estimate(1_000, 600, [], optimizer="sgd")
    assert sgd.weight_bytes == 4 * (1_000 + 600)              # plain SGD keeps no state
    assert memory_problem(adam, available=GB) is None
    near = estimate(200_000_000, 200_000_000, [])             # 3 GB to train
    assert "needs room to spare" in memory_problem(near, available=int(3.5 * GB))
    assert memory_problem(near, available=2 * GB).endswith("this computer has 2 GB of memory. "
                                                          "Use fewer units or a smaller input.")
