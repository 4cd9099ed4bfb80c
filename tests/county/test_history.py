"""History is data: what an import stores does not depend on the moment of import."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from jsonschema import Draft202012Validator, FormatChecker

from govtrack.audit.models import AuditEntry
from govtrack.county.services import export_county, import_county, load_schema
from govtrack.health.services import report
from tests.county.files import canonical, count, imported
from tests.county.history import with_history

#: two moments at which the same file is imported, both after everything it records
EARLY, LATE = datetime(2026, 3, 1, 12, tzinfo=UTC), datetime(2026, 11, 27, 12, tzinfo=UTC)


def _report_after_import(db, now: datetime, as_of: date) -> dict:
    with time_machine.travel(now, tick=False):
        result = import_county(with_history())
        assert result.ok, result.problems
        db.session.flush()
        health = report(as_of)
    db.session.rollback()
    return health


@pytest.mark.parametrize("as_of", [date(2025, 12, 1), date(2026, 2, 15), date(2026, 6, 15),
                                   date(2026, 8, 15)])
def test_the_health_report_does_not_depend_on_when_the_file_was_imported(db, as_of):
    early = _report_after_import(db, EARLY, as_of)
    late = _report_after_import(db, LATE, as_of)
    assert early == late


def _mou_flags(health: dict) -> dict[str, list[str]]:
    return {m["key"]: [f["code"] for f in m["flags"]] for m in health["mous"]}


@pytest.mark.parametrize("as_of", [date(2026, 5, 1), date(2026, 6, 15), date(2026, 7, 31),
                                   date(2026, 8, 15), date(2026, 11, 27)])
def test_an_mou_renewed_last_summer_is_neither_expiring_nor_lapsed_when_imported_today(
        db, as_of):
    flags = _mou_flags(_report_after_import(db, LATE, as_of))
    assert flags["mou-inreach"] == [] and flags["mou-inreach-2026"] == []


def test_an_amendment_in_review_since_january_keeps_the_old_mou_from_expiring(db):
    flags = _mou_flags(_report_after_import(db, LATE, date(2026, 6, 1)))
    assert flags["mou-data"] == []
    # an amendment not executed does not keep it from lapsing
    assert _mou_flags(_report_after_import(db, LATE, date(2026, 7, 1)))["mou-data"] == [
        "lapsed"]


def test_the_file_full_of_history_round_trips(db):
    imported(db, with_history())
    assert canonical(export_county()) == canonical(with_history())


def test_a_second_import_of_the_file_full_of_history_changes_nothing(db):
    imported(db, with_history())
    entries = count(db, AuditEntry)
    result = imported(db, with_history())
    assert not any(result.created.values()) and not any(result.updated.values())
    assert not any(result.deleted.values())
    assert count(db, AuditEntry) == entries


def test_the_export_with_every_optional_field_validates_against_the_schema(db):
    imported(db, with_history())
    validator = Draft202012Validator(load_schema(), format_checker=FormatChecker())
    assert list(validator.iter_errors(export_county())) == []
