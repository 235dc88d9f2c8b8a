"""Graph edits, events, connection rules and snapshots."""

import pytest

from nnstudio.core.examples import build_example
from nnstudio.core.graph import Graph, GraphError


def chain(*types):
    graph = Graph()
    ids = []
    for t in types:
        node = graph.add_node(t)
        if ids:
            graph.connect(ids[-1], "out", node.id, "in")
        ids.append(node.id)
    return graph, ids


def test_names_are_unique_like_keras():
    graph = Graph()
    names = [graph.add_node("Dense").name for _ in range(3)]
    assert names == ["dense", "dense_1", "dense_2"]
    assert graph.add_node("BatchNormalization").name == "batch_normalization"


def test_ids_are_stable_strings_and_survive_removal():
    graph = Graph()
    a, b = graph.add_node("Input"), graph.add_node("Dense")
    graph.remove_node(a.id)
    c = graph.add_node("Dense")
    assert c.id not in (a.id, b.id) and isinstance(c.id, str)


def test_events_fire_for_every_change():
    graph = Graph()
    seen = []
    graph.events.node_added.connect(lambda n: seen.append(("add", n.name)))
    graph.events.edge_added.connect(lambda e: seen.append(("edge", e.id)))
    graph.events.node_changed.connect(lambda n, what: seen.append(("change", what)))
    graph.events.node_removed.connect(lambda n: seen.append(("remove", n.name)))
    graph.events.edge_removed.connect(lambda e: seen.append(("unedge", e.id)))
    a = graph.add_node("Input")
    b = graph.add_node("Dense")
    graph.connect(a.id, "out", b.id, "in")
    graph.set_param(b.id, "units", 5)
    graph.rename(b.id, "hidden")
    graph.move(b.id, (10, 20))
    graph.remove_node(a.id)
    kinds = [s[0] for s in seen]
    assert kinds == ["add", "add", "edge", "change", "change", "change", "unedge", "remove"]


@pytest.mark.parametrize("case, expected", [
    ("self", "cannot feed itself"),
    ("taken", "already connected"),
    ("loop", "loop"),
    ("no_port", "has no input"),
    ("from_output", "has no output"),
])
def test_connection_problems_are_explained(case, expected):
    graph, (i, d1, d2, o) = chain("Input", "Dense", "Dense", "Output")
    other = graph.add_node("Dense").id
    args = {
        "self": (d1, "out", d1, "in"),
        "taken": (other, "out", d2, "in"),
        "loop": None,
        "no_port": (i, "out", i, "in"),
        "from_output": (o, "out", other, "in"),
    }[case]
    if case == "loop":
        # other → extra, then extra → other would close a loop
        extra = graph.add_node("Dense").id
        graph.connect(other, "out", extra, "in")
        args = (extra, "out", other, "in")
    problem = graph.connection_problem(*args)
    assert problem is not None and expected in problem
    with pytest.raises(GraphError):
        graph.connect(*args)



def _all_single_answers(graph, node_id, port, is_input):
    """connection_problem asked once per port on the other side: what the all-ports answer must equal."""
    answers = {}
    for other in graph.nodes.values():
        for name in (other.output_ports() if is_input else other.input_ports()):
            wire = (other.id, name, node_id, port) if is_input else (node_id, port, other.id, name)
            answers[(other.id, name)] = graph.connection_problem(*wire)
    return answers


def test_all_ports_at_once_agree_with_one_port_at_a_time():
    # A branching network with a merge, a free Dense and a taken input: every kind of answer appears.
    graph = build_example("wide_deep").graph
    spare = graph.add_node("Dense").id
    graph.connect(spare, "out", graph.add_node("Dense").id, "in")
    kinds = set()
    for node in graph.nodes.values():
        for port in node.output_ports():
            answers = graph.connection_problems(node.id, port, is_input=False)
            assert answers == _all_single_answers(graph, node.id, port, False)
            kinds.update(answers.values())
        for port in node.input_ports():
            answers = graph.connection_problems(node.id, port, is_input=True)
            assert answers == _all_single_answers(graph, node.id, port, True)
            kinds.update(answers.values())
    words = " ".join(k for k in kinds if k)
    assert None in kinds and "feed itself" in words and "already connected" in words and "loop" in words


def test_all_ports_answer_dims_what_would_loop_or_is_taken():
    graph, (i, d1, d2, o) = chain("Input", "Dense", "Dense", "Output")
    graph.disconnect(graph.edges_into(d1)[0].id)  # d1's input is free again, and d1 still feeds d2
    spare = graph.add_node("Dense").id
    from_d2 = graph.connection_problems(d2, "out", is_input=False)
    assert "loop" in from_d2[(d1, "in")]
    assert "feed itself" in from_d2[(d2, "in")]
    assert "already connected" in from_d2[(o, "in")]
    assert from_d2[(spare, "in")] is None
    into_d2 = graph.connection_problems(d2, "in", is_input=True)
    assert set(into_d2) == {(i, "out"), (d1, "out"), (d2, "out"), (spare, "out")}  # an Output has no output
    assert all("already connected" in p for key, p in into_d2.items() if key != (d2, "out"))
    into_d1 = graph.connection_problems(d1, "in", is_input=True)
    assert into_d1[(i, "out")] is None and "loop" in into_d1[(d2, "out")]
    with pytest.raises(GraphError):
        graph.connection_problems("nowhere", "out", is_input=False)


def test_input_taken_problem_names_the_layer():
    graph, (i, d, o) = chain("Input", "Dense", "Output")
    assert graph.input_taken_problem(d, "in") == "this input of 'dense' is already connected; delete that wire first"
    assert graph.input_taken_problem(graph.add_node("Dense").id, "in") is None


def test_rename_problem_is_what_rename_refuses_with():
    graph, (i, d, o) = chain("Input", "Dense", "Output")
    assert graph.rename_problem(d, "dense") is None          # keeping its own name is fine
    assert graph.rename_problem(d, "hidden") is None
    assert "already called 'input'" in graph.rename_problem(d, "input")
    assert "starts with a letter" in graph.rename_problem(d, "2 fast")
    for bad in ("input", "2 fast", "", "x" * 65):
        with pytest.raises(GraphError) as refused:
            graph.rename(d, bad)
        assert str(refused.value) == graph.rename_problem(d, bad)
    with pytest.raises(GraphError):
        graph.rename_problem("nowhere", "fine")

def test_variadic_merge_ports_follow_the_inputs_setting():
    graph = Graph()
    concat = graph.add_node("Concatenate", params={"inputs": 3})
    assert concat.input_ports() == ("in1", "in2", "in3")
    sources = [graph.add_node("Input").id for _ in range(3)]
    for port, src in zip(("in1", "in2", "in3"), sources):
        graph.connect(src, "out", concat.id, port)
    graph.set_param(concat.id, "inputs", 2)
    assert len(graph.edges_into(concat.id)) == 2


def test_rename_rejects_bad_and_duplicate_names():
    graph, (i, d, o) = chain("Input", "Dense", "Output")
    with pytest.raises(GraphError, match="already called"):
        graph.rename(d, "input")
    with pytest.raises(GraphError, match="starts with a letter"):
        graph.rename(d, "2 fast")
    graph.rename(d, "hidden1")
    assert graph.node(d).name == "hidden1"


def test_snapshot_round_trip_keeps_everything():
    graph, ids = chain("Input", "Flatten", "Dense", "Dropout", "Output")
    graph.set_param(ids[0], "shape", [28, 28])
    graph.move(ids[2], (120.5, -40))
    copy = Graph.from_dict(graph.to_dict())
    assert copy.to_dict() == graph.to_dict()
    assert copy.node(ids[0]).params["shape"] == (28, 28)


def test_restore_puts_a_node_back_in_its_place():
    graph, ids = chain("Input", "Dense", "Output")
    before = graph.to_dict()
    node, edges = graph.remove_node(ids[1])
    graph.restore_node(node, 1)
    for edge in edges:
        graph.connect(edge.source, edge.source_port, edge.target, edge.target_port)
    assert graph.to_dict()["nodes"] == before["nodes"]


def test_subgraph_keeps_only_inner_edges():
    graph, ids = chain("Input", "Dense", "Dense", "Output")
    fragment = graph.subgraph_dict(ids[1:3])
    assert [n["id"] for n in fragment["nodes"]] == ids[1:3]
    assert len(fragment["edges"]) == 1


def test_names_in_any_script_that_python_takes_as_identifiers_are_allowed():
    graph = Graph()
    d = graph.add_node("Dense", "dense").id
    for good in ("은닉층", "couche_cachée", "слой2", "_hidden"):
        assert graph.rename_problem(d, good) is None, good
    graph.rename(d, "은닉층")
    assert graph.node_by_name("은닉층").id == d
    # Not identifiers, too long, or changed by Python's NFKC normalisation of names ('ﬁ' would become 'fi').
    for bad in ("은닉 층", "2층", "층-1", "x" * 65, "ﬁlter"):
        assert "starts with a letter" in graph.rename_problem(d, bad), bad
