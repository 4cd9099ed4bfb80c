"""A fast yes-or-no check of a document against the county schema.

jsonschema's validator builds a new validator object for every value it
descends into: on a county-scale file (75 MB, two million values) it alone took
most of a minute. This compiles the schema once into plain Python closures that
only answer whether a document is valid; county.services asks it first and
asks jsonschema for its messages only when the answer is no, so the messages
(and the final word) stay jsonschema's.

It knows the keywords the county schema uses. A subschema with any other
keyword is handed to jsonschema as it is (correct, only slower), so a field
added to the schema with a keyword this module does not know still checks.
"""

import operator
import re
from collections.abc import Callable
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

Check = Callable[[Any], bool]

#: keywords that only annotate: nothing to check
_ANNOTATIONS = frozenset({"$schema", "$id", "title", "description", "$comment", "examples",
                          "default"})
#: keywords compile_schema checks itself
_KNOWN = frozenset({"type", "properties", "required", "additionalProperties", "items",
                    "enum", "const", "pattern", "minLength", "maxLength", "minimum",
                    "maximum", "minItems", "maxItems", "anyOf", "format"}) | _ANNOTATIONS


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


#: JSON Schema's types as jsonschema reads them (an integer may be written 3.0)
_TYPES: dict[str, Check] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "number": _is_number,
    "integer": lambda v: _is_number(v) and (isinstance(v, int) or v.is_integer()),
}


def compile_schema(schema: dict | bool, format_checker: FormatChecker) -> Check:
    """A function answering whether a value is valid under schema (as jsonschema would)."""
    if schema is True:
        return lambda _value: True
    if schema is False:
        return lambda _value: False
    unknown = set(schema) - _KNOWN
    enum, const = schema.get("enum"), schema.get("const", ...)
    types = schema.get("type", [])
    if unknown or isinstance(schema.get("items"), list) or not set(
            types if isinstance(types, list) else [types]) <= set(_TYPES) or (
            enum is not None and not all(isinstance(e, str) for e in enum)) or (
            const is not ... and not isinstance(const, str)) or not isinstance(
            schema.get("additionalProperties", False), bool):
        # Beyond this module: jsonschema checks this part itself.
        return Draft202012Validator(schema, format_checker=format_checker).is_valid
    checks: list[Check] = []
    if "type" in schema:
        names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        tests = [_TYPES[name] for name in names]
        checks.append(tests[0] if len(tests) == 1 else _any_of(tests))
    if enum is not None:
        allowed = frozenset(enum)
        checks.append(lambda v: isinstance(v, str) and v in allowed)
    if const is not ...:
        checks.append(lambda v: isinstance(v, str) and v == const)
    checks += _string_checks(schema, format_checker)
    checks += _number_checks(schema)
    checks += _object_checks(schema, format_checker)
    checks += _array_checks(schema, format_checker)
    if "anyOf" in schema:
        checks.append(_any_of([compile_schema(s, format_checker) for s in schema["anyOf"]]))
    return _all_of(checks)


def _any_of(checks: list[Check]) -> Check:
    """Whether any check passes (a loop: generators cost more per value than the checks)."""
    def check(value: Any) -> bool:
        for test in checks:  # noqa: SIM110 -- any() over a generator costs more per value
            if test(value):
                return True
        return False

    return check


def _all_of(checks: list[Check]) -> Check:
    """Whether every check passes."""
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda v: first(v) and second(v)

    def check(value: Any) -> bool:
        for test in checks:  # noqa: SIM110 -- all() over a generator costs more per value
            if not test(value):
                return False
        return True

    return check


def _string_checks(schema: dict, format_checker: FormatChecker) -> list[Check]:
    checks: list[Check] = []
    if "pattern" in schema:
        search = re.compile(schema["pattern"]).search
        checks.append(lambda v: not isinstance(v, str) or search(v) is not None)
    checks += _bounds(schema, "minLength", "maxLength", _TYPES["string"], len)
    if "format" in schema:
        checks.append(_format_check(schema["format"], format_checker))
    return checks


def _format_check(name: str, format_checker: FormatChecker) -> Check:
    """FormatChecker.conforms for one format, without looking the format up for each value."""
    if name not in format_checker.checkers:
        return lambda _value: True
    func, raises = format_checker.checkers[name]

    def check(value: Any) -> bool:
        try:
            return bool(func(value))
        except raises:
            return False

    return check


def _number_checks(schema: dict) -> list[Check]:
    return _bounds(schema, "minimum", "maximum", _is_number, operator.pos)


def _object_checks(schema: dict, format_checker: FormatChecker) -> list[Check]:
    properties = {name: compile_schema(sub, format_checker)
                  for name, sub in schema.get("properties", {}).items()}
    required = tuple(schema.get("required", ()))
    closed = schema.get("additionalProperties", True) is False
    if not (properties or required or closed):
        return []

    def check(value: Any) -> bool:
        if not isinstance(value, dict):
            return True
        for name in required:
            if name not in value:
                return False
        for name, item in value.items():
            test = properties.get(name)
            if test is None:
                if closed:
                    return False
            elif not test(item):
                return False
        return True

    return [check]


def _array_checks(schema: dict, format_checker: FormatChecker) -> list[Check]:
    checks: list[Check] = []
    if "items" in schema:
        test = compile_schema(schema["items"], format_checker)

        def each(value: Any) -> bool:
            if not isinstance(value, list):
                return True
            for item in value:  # noqa: SIM110 -- as _all_of
                if not test(item):
                    return False
            return True

        checks.append(each)
    checks += _bounds(schema, "minItems", "maxItems", _TYPES["array"], len)
    return checks


def _bounds(schema: dict, low: str, high: str, applies: Check,
            size: Callable[[Any], Any]) -> list[Check]:
    """The checks of a pair of bounds (minLength and maxLength, minimum and maximum, minItems
    and maxItems): size(value) within them, for the values applies() is true of (a bound on a
    string says nothing of a number). A number's size is itself (operator.pos)."""
    checks: list[Check] = []
    if low in schema:
        least = schema[low]
        checks.append(lambda v: not applies(v) or size(v) >= least)
    if high in schema:
        most = schema[high]
        checks.append(lambda v: not applies(v) or size(v) <= most)
    return checks
