"""Files `flask govtrack import` must refuse: each with its JSON path and a plain message,
nothing stored, no traceback, memory bounded."""

import json
import tracemalloc

import pytest
from click.testing import CliRunner

from govtrack.cli import govtrack_cli
from tests.county.files import NOTHING, county, stored_rows


def _text(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def _changed(change) -> bytes:
    data = county()
    change(data)
    return _text(data)


def _another_format(data):
    data["format"] = "govtrack-county/2"


def _unknown_field(data):
    data["people"][0]["nickname"] = "Dee"


def _duplicate_key(data):
    data["agencies"][1]["key"] = "sheriff"


def _duplicate_member_name() -> bytes:
    # json.loads would keep the second name silently
    return _text(county()).replace(b'"name": "County Sheriff\'s Office"',
                                   b'"name": "County Sheriff\'s Office", "name": "Sheriff"', 1)


def _dangling_reference(data):
    data["committees"][0]["memberships"][0]["person"] = "p-nobody"


def _overlapping_chair_terms(data):
    data["committees"][0]["chair_terms"] = [
        {"person": "p-ortiz", "agency": "sheriff", "start": "2023-01-10",
         "planned_end": "2024-01-09", "end": None},
        {"person": "p-ruiz", "agency": "omh", "start": "2023-06-01",
         "planned_end": "2024-05-31", "end": None}]


def _signature_of_a_non_party(data):
    data["agencies"].append({"key": "pd", "name": "Police Department",
                             "sector": "law_enforcement"})
    data["people"].append({"key": "p-chief", "name": "Pat Chief", "agency": "pd"})
    data["mous"] = [{
        "key": "mou-1", "title": "Drop-off protocol", "committee": "cit", "status": "executed",
        "parties": ["sheriff", "omh"], "effective": "2024-01-01",
        "versions": [{"number": 1, "text": "Text.", "obligations": [],
                      "created_at": "2023-12-01T12:00:00Z"}],
        "signatures": [
            {"party": "sheriff", "person": "p-ortiz", "version": 1,
             "signed_at": "2023-12-10T12:00:00Z"},
            {"party": "pd", "person": "p-chief", "version": 1,
             "signed_at": "2023-12-11T12:00:00Z"}]}]


def _impossible_date(data):
    data["committees"][0]["memberships"][0]["start"] = "2025-02-30"


def _fifty_megabytes_in_one_field(data):
    data["committees"][0]["purpose"] = "x" * 50_000_000


def _nesting_10000_deep() -> bytes:
    return b'{"format": "govtrack-county/1", "agencies": ' + b"[" * 10_000 + b"]" * 10_000 + b"}"


def _integer_of_5000_digits() -> bytes:
    return _text(county()).replace(b'"stall_after_days": 45',
                                   b'"stall_after_days": ' + b"7" * 5000, 1)


def _number_too_large_for_a_float() -> bytes:
    return _text(county()).replace(b'"stall_after_days": 45', b'"stall_after_days": 1e999', 1)


CASES = {
    "not JSON": (lambda: b"key,name,sector\nsheriff,County Sheriff,law_enforcement\n",
                 "$", "not a JSON document"),
    "not UTF-8": (lambda: b'{"format": "govtrack-county/1", "x": "\xff"}', "$",
                  "not UTF-8 text"),
    "another format version": (lambda: _changed(_another_format), "$.format",
                               "this file is format “govtrack-county/2”; govtrack reads "
                               "“govtrack-county/1”"),
    "unknown field": (lambda: _changed(_unknown_field), "$.people[0]",
                      "Additional properties are not allowed ('nickname' was unexpected)"),
    "duplicate key": (lambda: _changed(_duplicate_key), "$.agencies[1].key",
                      "duplicate key “sheriff”, also at $.agencies[0]"),
    "a member named twice in one object": (
        _duplicate_member_name, "$.agencies[0]",
        "the name “name” appears twice in this object; give each field once"),
    "dangling reference": (lambda: _changed(_dangling_reference),
                           "$.committees[0].memberships[0].person",
                           "no person has key “p-nobody”"),
    "overlapping chair terms": (lambda: _changed(_overlapping_chair_terms),
                                "$.committees[0].chair_terms[1].start",
                                "overlaps $.committees[0].chair_terms[0]"),
    "signature for a non-party": (lambda: _changed(_signature_of_a_non_party),
                                  "$.mous[0].signatures[1].party",
                                  "“pd” is not a party of this MOU"),
    "2025-02-30": (lambda: _changed(_impossible_date), "$.committees[0].memberships[0].start",
                   "'2025-02-30' is not a 'date'"),
    "50 MB of text in one field": (lambda: _changed(_fifty_megabytes_in_one_field),
                                   "$.committees[0].purpose",
                                   "50,000,000 characters is too long: at most 100,000"),
    "nesting 10,000 deep": (_nesting_10000_deep, "$", "nests too deeply"),
    "integer of 5,000 digits": (_integer_of_5000_digits, "$.committees[0].stall_after_days",
                                "an integer of 5,000 digits is longer than any field takes"),
    "1e999": (_number_too_large_for_a_float, "$.committees[0].stall_after_days",
              "1e999 is too large for a number"),
}

#: what refusing any of these may cost in memory, beyond the file's own bytes
MEMORY_BOUND = 400_000_000


@pytest.mark.parametrize("case", CASES)
def test_a_bad_file_is_refused_with_its_path_and_nothing_is_stored(app, db, case):
    make, path, message = CASES[case]
    raw = make()
    tracemalloc.start()
    try:
        with app.app_context():
            result = CliRunner().invoke(govtrack_cli, ["import", "-"], input=raw)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    lines = result.stdout.splitlines()
    assert lines and all(": " in line and line.startswith("$") for line in lines), lines[:5]
    assert any(line.startswith(f"{path}: ") and message in line for line in lines), lines[:5]
    assert all(len(line) < 1000 for line in lines)
    db.session.expire_all()
    assert stored_rows(db) == NOTHING
    assert peak < MEMORY_BOUND + len(raw), f"{peak:,} bytes at the peak"
