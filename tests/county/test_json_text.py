"""The county file's writer gives json.dumps(indent=2)'s text, written a part at a time."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from govtrack.county import json_text

SCALARS = st.none() | st.booleans() | st.integers() | st.text() | st.floats(
    allow_nan=False, allow_infinity=False)
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
    st.text(max_size=5), inner, max_size=4), max_leaves=30)


def standard(value) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


@given(VALUES)
def test_dumps_writes_what_json_dumps_writes(value):
    assert json_text.dumps(value) == standard(value)


@given(st.dictionaries(st.text(max_size=5), VALUES, max_size=4),
       st.lists(st.dictionaries(st.text(max_size=3), SCALARS, max_size=3), max_size=3))
def test_write_takes_an_iterator_for_an_array_and_writes_the_same_text(document, rows):
    parts = []
    json_text.write({**document, "committees": iter(rows)}, parts.append)
    assert "".join(parts) == standard({**document, "committees": rows})
    assert len(parts) > len(rows)  # an element at a time, not the document at once


def test_unicode_and_escapes_stay_as_json_writes_them():
    value = {"name": "Oficina de Salud Mental · 心理", "note": 'line\nbreak "quoted" \\ tab\t',
             "nothing": [], "empty": {}}
    assert json_text.dumps(value) == standard(value)


def test_a_value_json_cannot_write_is_refused():
    with pytest.raises(TypeError):
        json_text.dumps({"when": object()})
