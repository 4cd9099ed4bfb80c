"""The county file's text, written as it is made: `json.dumps(indent=2)` without its cost.

With an indent, the standard library encodes in Python, a generator per
value: at county scale that was a third of the export's time, and it needs
the whole document in memory first. This writes the same characters
(`json.dumps(value, indent=2, ensure_ascii=False)`, keys in their order) a
top-level value at a time, and takes any iterator where a list goes, so a
caller can hand over committees as they are read.
"""

from collections.abc import Callable, Iterator
from json.encoder import encode_basestring
from typing import Any

_float_text = float.__repr__
_int_text = int.__repr__


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return _int_text(value)
    if isinstance(value, float):
        if value != value:
            return "NaN"
        if value in (float("inf"), float("-inf")):
            return "Infinity" if value > 0 else "-Infinity"
        return _float_text(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _encode(value: Any, indent: str, out: list[str]) -> None:
    """Append value's text to out; indent is the current line's."""
    if isinstance(value, str):
        out.append(encode_basestring(value))
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = indent + "  "
        separator = "{\n" + inner
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"keys must be str, not {type(key).__name__}")
            out.append(separator)
            out.append(encode_basestring(key))
            out.append(": ")
            _encode(item, inner, out)
            separator = ",\n" + inner
        out.append("\n" + indent + "}")
    elif isinstance(value, list | tuple | Iterator):
        inner = indent + "  "
        separator = "[\n" + inner
        for item in value:
            out.append(separator)
            _encode(item, inner, out)
            separator = ",\n" + inner
        out.append("[]" if separator[0] == "[" else "\n" + indent + "]")
    else:
        out.append(_scalar(value))


def dumps(value: Any, indent: str = "") -> str:
    """The text json.dumps(value, indent=2, ensure_ascii=False) gives (standing at indent,
    inside a larger document)."""
    out: list[str] = []
    _encode(value, indent, out)
    return "".join(out)


def write(document: dict, write_text: Callable[[str], Any]) -> None:
    """Write a JSON object with indent 2, each element of a top-level array as it comes.

    Memory holds one element's text at a time, so an array given as an
    iterator (committees read one by one) is never whole in memory.
    """
    if not document:
        write_text("{}")
        return
    separator = "{\n  "
    for key, value in document.items():
        write_text(f"{separator}{encode_basestring(key)}: ")
        separator = ",\n  "
        if not isinstance(value, list | Iterator):
            write_text(dumps(value, "  "))
            continue
        opening = "[\n    "
        for item in value:
            write_text(opening + dumps(item, "    "))
            opening = ",\n    "
        write_text("[]" if opening[0] == "[" else "\n  ]")
    write_text("\n}")

