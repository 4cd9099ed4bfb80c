"""govtrack's html_params writes exactly what wtforms' own does, faster."""

import pytest
from markupsafe import Markup
from wtforms import widgets
from wtforms.widgets import core

from govtrack.forms import html_params, wtforms_html_params


@pytest.mark.parametrize("attributes", [
    {"name": "a", "id": "f", "class_": "usa-input gt-wide"},
    {"checked": True, "readonly": False, "abc": 'he"l<lo>&\''},
    {"data_foo_bar": "1", "aria_describedby": "a b", "value": Markup('<b>"q"</b>'), "n": 3,
     "z": None},
    {"for_": "x", "required": True, "value": ""},
    {"a&b": "c"},
    {},
])
def test_the_attributes_are_written_as_wtforms_writes_them(attributes):
    ours = html_params(**attributes)
    assert ours == wtforms_html_params(**attributes)
    assert isinstance(ours, Markup)


def test_every_wtforms_widget_writes_its_attributes_with_it():
    assert core.html_params is widgets.html_params is html_params
    assert core.Input.html_params is core.TextInput.html_params is html_params
    assert core.Select.__call__.__globals__["html_params"] is html_params
