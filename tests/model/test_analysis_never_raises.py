"""Analysis of any graph, however broken (as a hand-edited file might hold), reports problems instead of raising."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from neuroedit.model import REGISTRY, Document, Edge, Node, analyze, format_summary

ANY_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["relu", "sigmoid", "mse", "value", "zeros", "", "bogus"]),
    st.lists(st.integers(-1, 6), max_size=5),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
)
TYPES = st.sampled_from(sorted(REGISTRY) + ["Mystery"])
PORTS = st.sampled_from(["in", "out", "x", "y", "in_1", "in_2", "in_3", "bogus"])


@st.composite
def broken_documents(draw):
    ids = draw(st.lists(st.sampled_from([f"n{i}" for i in range(8)]), min_size=0, max_size=8, unique=True))
    nodes = {}
    for node_id in ids:
        type_name = draw(TYPES)
        params = dict(REGISTRY[type_name].default_params()) if type_name in REGISTRY and draw(st.booleans()) else {}
        for key in draw(
            st.lists(
                st.sampled_from(
                    [
                        "shape",
                        "units",
                        "activation",
                        "num_inputs",
                        "loss",
                        "rate",
                        "use_bias",
                        "center",
                        "scale",
                        "negative_slope",
                        "junk",
                    ]
                ),
                max_size=4,
            )
        ):
            params[key] = draw(ANY_VALUE)
        if type_name == "Input" and draw(st.booleans()):
            params["shape"] = tuple(draw(st.lists(st.integers(1, 5), min_size=1, max_size=3)))
        nodes[node_id] = Node(node_id, type_name, params)
    names = ids + ["ghost"]
    edges = draw(st.lists(st.builds(Edge, st.sampled_from(names), st.sampled_from(names), PORTS, PORTS), max_size=12))
    doc = Document()
    doc.nodes, doc.edges = nodes, edges
    return doc


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(broken_documents())
def test_analysis_never_raises(doc):
    a = analyze(doc)
    assert all(p.message for p in a.problems)
    assert set(a.order) <= set(doc.nodes)
    assert all(p.node_id is None or p.node_id in doc.nodes for p in a.problems)
    format_summary(doc)
