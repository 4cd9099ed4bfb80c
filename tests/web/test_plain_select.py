"""PlainSelect writes the same HTML as wtforms' Select, only faster."""

from wtforms import Form, SelectField
from wtforms.widgets import Select

from govtrack.forms import PlainSelect

CHOICES = [(0, "—"), (1, "Ana <Díaz> & “co”"), (2, "O'Brien \"Sheriff\""), (3, ""),
           (40, "Dana — County Sheriff's Office")]


def _pair(**field):
    class Plain(Form):
        choice = SelectField("Choice", widget=Select(), **field)

    class Long(Form):
        choice = SelectField("Choice", widget=PlainSelect(), **field)

    return Plain, Long


def test_plain_select_renders_what_select_renders():
    for field, data, choices in (
            ({"coerce": int}, 2, CHOICES), ({"coerce": int}, None, CHOICES),
            ({"coerce": int}, 0, CHOICES), ({"coerce": int}, 5, []),
            ({}, "b", [("a", "A & B"), ("b", "<b>")]),
            ({}, "x", [("a", "A"), ("x", "X", {"disabled": True})]),  # render_kw: Select's
            ({}, "b", {"Group": [("a", "A"), ("b", "B")]})):  # groups: Select's
        plain, long = _pair(**field)
        a, b = plain(choice=data), long(choice=data)
        a.choice.choices = b.choice.choices = choices
        assert str(a.choice()) == str(b.choice())
        assert str(a.choice(class_="usa-select")) == str(b.choice(class_="usa-select"))
