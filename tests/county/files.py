"""County files the county tests share: a small valid county, canonical form, import helpers."""

from jsonschema import Draft202012Validator, FormatChecker
from sqlalchemy import func, select

from govtrack.agencies.models import Agency, Person
from govtrack.audit.models import AuditEntry
from govtrack.committees.models import Committee, Membership, StageChange
from govtrack.county.services import export_county, import_county, load_schema


def count(db, model) -> int:
    """Rows of model in the database."""
    return db.session.scalar(select(func.count()).select_from(model))


#: what stored_rows counts unless told: the small county's records and the audit trail
MODELS = (Agency, Person, Committee, Membership, StageChange, AuditEntry)


def stored_rows(db, models=MODELS) -> dict[str, int]:
    """How many rows of each of models the database holds, by model name."""
    return {model.__name__: count(db, model) for model in models}


def county() -> dict:
    """A small county file using every field govtrack stores; a fresh copy each call."""
    return {
        "format": "govtrack-county/1",
        "agencies": [
            {"key": "sheriff", "name": "County Sheriff's Office", "sector": "law_enforcement",
             "head": "p-ortiz"},
            {"key": "omh", "name": "County Office of Mental Health",
             "sector": "mental_health_authority", "head": None},
        ],
        "people": [
            {"key": "p-ortiz", "name": "Dana Ortiz", "email": "dortiz@sheriff.example.org",
             "agency": "sheriff", "title": "Sheriff", "active": True, "inactive_since": None},
            {"key": "p-lee", "name": "Sam Lee", "email": None, "agency": "omh", "title": None,
             "active": False, "inactive_since": "2024-03-01"},
            {"key": "p-ruiz", "name": "Ana Ruiz", "email": "aruiz@omh.example.org",
             "agency": "omh", "title": "Forensic Coordinator", "active": True,
             "inactive_since": None},
        ],
        "committees": [{
            "key": "cit",
            "name": "CIT Steering Committee",
            "kind": "standing",
            "purpose": "Fewer people in crisis meet police as their first responder.\n\tTabs "
                       "and line breaks are kept.",
            "goals": ["Train a quarter of patrol officers.", "Review call data quarterly."],
            "end_date": None,
            "funding_source": None,
            "timezone": "America/New_York",
            "cadence": {"rrule": "FREQ=MONTHLY;BYDAY=2TU", "dtstart": "2023-01-10T15:00:00",
                        "duration_minutes": 90},
            "stall_after_days": 45,
            "stage_history": [{"stage": "engagement", "since": "2023-01-10"},
                              {"stage": "assessment", "since": "2023-06-13"}],
            "memberships": [
                {"person": "p-ortiz", "agency": "sheriff", "role": "chair",
                 "start": "2023-01-10", "end": None},
                {"person": "p-lee", "agency": "omh", "role": "member",
                 "start": "2023-01-10", "end": "2024-02-29"},
                {"person": "p-ruiz", "agency": "omh", "role": "co_chair",
                 "start": "2024-03-12", "end": None},
            ],
        }],
        "mous": [],
    }


def canonical(document: dict) -> dict:
    """The document without exported_at, its record arrays in a fixed order."""
    document = {k: v for k, v in document.items() if k != "exported_at"}
    for kind in ("agencies", "people", "committees"):
        document[kind] = sorted(document[kind], key=lambda record: record["key"])
    document["committees"] = [
        committee | {
            "stage_history": sorted(committee["stage_history"],
                                    key=lambda s: (s["since"], s["stage"])),
            "memberships": sorted(committee["memberships"],
                                  key=lambda m: (m["start"], m["person"], m["role"])),
        } for committee in document["committees"]]
    return document


NOTHING = {"Agency": 0, "Person": 0, "Committee": 0, "Membership": 0, "StageChange": 0,
           "AuditEntry": 0}


def imported(db, data=None, **kwargs):
    """Import data (default the small county) and commit; return the report."""
    report = import_county(county() if data is None else data, **kwargs)
    assert report.ok, report.problems
    db.session.commit()
    return report


def schema_errors(document: dict) -> list:
    """What the county file's JSON schema refuses in document, formats (dates, times) included."""
    validator = Draft202012Validator(load_schema(), format_checker=FormatChecker())
    return list(validator.iter_errors(document))


def assert_exports_back(db, data: dict) -> None:
    """Import data; its export must give data back (in canonical form) and validate against the
    schema, so a record the import stores but the export forgets, or writes wrongly, fails."""
    imported(db, data)
    exported = export_county()
    assert canonical(exported) == canonical(data)
    assert schema_errors(exported) == []


def problems_of(db, data, models=MODELS, **kwargs) -> list[tuple[str, str]]:
    """Import data, expecting problems; return them, having checked nothing was written
    (no row of models more or less)."""
    before = stored_rows(db, models)
    report = import_county(data, **kwargs)
    assert not report.ok
    db.session.commit()  # a refused import must leave nothing to commit
    assert stored_rows(db, models) == before
    return report.problems


def empty_tables(db) -> None:
    """Delete every row, as the tests' autouse fixture does between tests (for Hypothesis's
    examples, which share one test)."""
    from sqlalchemy import text

    db.session.rollback()
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE agency SET head_id = NULL"))  # agency <-> person cycle
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())
    db.session.expire_all()
