"""The fast schema check answers as jsonschema does, for valid files and broken ones."""

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govtrack.county.schema_check import compile_schema
from govtrack.county.services import _validator, load_schema
from tests.county.strategies import counties

EXAMPLES = min(int(os.environ.get("HYPOTHESIS_EXAMPLES", "50")), 50)

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-10, 2000) | st.floats(allow_nan=False)
    | st.text(max_size=5) | st.sampled_from(["2025-02-30", "2025-01-01", "2025-01-01T10:00:00Z",
                                             "draft", "held", "k-1", "", "x" * 201]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(
        st.sampled_from(["key", "name", "status", "extra"]), children, max_size=3),
    max_leaves=6)


def _places(node, path=()):
    """Every (container, name or index) of the document."""
    if isinstance(node, dict):
        for name, child in node.items():
            yield node, name
            yield from _places(child, (*path, name))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield node, index
            yield from _places(child, (*path, index))


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(file=counties(), data=st.data())
def test_the_fast_check_agrees_with_jsonschema(file, data):
    check = compile_schema(load_schema(), _validator().format_checker)
    assert check(file) and _validator().is_valid(file)
    places = list(_places(file))
    for _ in range(data.draw(st.integers(1, 3))):
        container, name = data.draw(st.sampled_from(places))
        how = data.draw(st.sampled_from(("replace", "delete", "add")))
        if how == "replace":
            container[name] = data.draw(JSON)
        elif how == "delete" and isinstance(container, dict) and name in container:
            del container[name]
        elif isinstance(container, dict):
            container["unexpected"] = 1
    assert check(file) == _validator().is_valid(file)


def test_each_bound_holds_at_its_edge_and_only_for_its_own_type():
    cases = [({"minLength": 2, "maxLength": 3}, ["ab", "abc"], ["a", "abcd"], [1, [1]]),
             ({"minimum": 2, "maximum": 3}, [2, 3.0], [1, 3.5], ["a", True, [1]]),
             ({"minItems": 1, "maxItems": 2}, [[1], [1, 2]], [[], [1, 2, 3]], ["", 0])]
    checker = _validator().format_checker
    for schema, inside, outside, other_types in cases:
        check = compile_schema(schema, checker)
        assert [check(v) for v in inside + outside + other_types] == (
            [True] * len(inside) + [False] * len(outside) + [True] * len(other_types)), schema
