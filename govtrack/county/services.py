"""Export and import of the county file (format govtrack-county/1).

Import checks the whole file in three passes (schema, references, domain
rules) and writes only when none of them found a problem, so a county never
ends up with half of its history. Records are matched by key and compared
field by field, so a second import of the same file changes nothing and
leaves no audit entries.
"""

import json
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import cache
from importlib import resources
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from jsonschema import Draft202012Validator, FormatChecker
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from govtrack import audit
from govtrack.agencies.models import Agency, Person
from govtrack.audit.services import record_created, stored_values
from govtrack.chairs import county as chairs
from govtrack.clock import today, utcnow
from govtrack.committees.models import (
    STAGES,
    THRESHOLDS,
    Committee,
    Membership,
    StageChange,
    roster_loading,
)
from govtrack.committees.services import check_committee_fields, check_membership
from govtrack.county import json_text
from govtrack.county.schema_check import compile_schema
from govtrack.county.sections import (
    CommitteeSection,
    TopLevelSection,
    assign_changes,
)
from govtrack.editing import DomainError
from govtrack.extensions import db
from govtrack.meetings import county as meetings
from govtrack.mous import county as mous
from govtrack.pdsa import county as pdsa
from govtrack.reminders import county as reminders
from govtrack.workgroups import county as workgroups

FORMAT = "govtrack-county/1"

#: the kinds of record an import counts, named as the file's sections
KINDS = ("agencies", "people", "committees", "memberships", "stage_history", "rotation",
         "chair_terms", "meetings", "actions", "workgroups", "measures", "mous",
         "quorum", "standing_items", "agenda_requests", "backlog", "reminders",
         "signatories")

#: each feature's part of a committee record, in the order import stores them
#: (a PDSA cycle sits under a workgroup goal, so workgroups come first)
COMMITTEE_SECTIONS: tuple[CommitteeSection, ...] = (
    chairs.SECTION, meetings.SECTION, workgroups.SECTION, pdsa.SECTION)

#: features' own top-level arrays, stored after the committees
TOP_LEVEL_SECTIONS: tuple[TopLevelSection, ...] = (mous.SECTION, mous.SIGNATORIES)

#: committee sections the schema allows but govtrack cannot store yet
UNSTORED_SECTIONS: tuple[str, ...] = ()


#: what a committee gets when the file leaves stall_after_days out (DESIGN.md)
DEFAULT_STALL_AFTER_DAYS = 30

#: the health thresholds a committee record holds under "thresholds" (stall_after_days
#: predates them and keeps its own field); one left out is DESIGN.md's default
OTHER_THRESHOLDS = tuple(name for name in THRESHOLDS if name != "stall_after_days")

#: PostgreSQL refuses NUL in text and no database stores lone surrogates;
#: other control characters are refused because they only ever arrive by
#: accident (a spreadsheet export, a bad copy and paste) and break pages.
_BAD_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")

_INSTANT = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


@dataclass
class ImportReport:
    """What an import found and did (or, in a dry run, would do)."""

    #: (JSON path, message) for every problem; any problem means nothing was written
    problems: list[tuple[str, str]] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    updated: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    unchanged: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    #: memberships and stage changes removed because the file no longer lists them
    deleted: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    #: kind -> the keys of the records changed (record_key names keyless ones)
    changed_keys: dict[str, list[str]] = field(default_factory=dict)
    #: kind -> the keys of the records removed
    deleted_keys: dict[str, list[str]] = field(default_factory=dict)
    #: JSON paths of sections the schema allows but govtrack cannot store yet
    ignored: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the file was accepted."""
        return not self.problems

    def problem(self, path: str, message: str) -> None:
        """Note a problem at a JSON path."""
        self.problems.append((path, message))


#: a county file larger than this is refused before it is read, unless the administrator
#: running `flask govtrack import` raises the limit (--max-bytes) for a file they know.
#: The county-scale benchmark's file (bench/county_file.py: 300 committees, 60,000 action
#: items, 150,000 updates) is about 150 MB; the whole file is parsed before anything is
#: stored (all or nothing), so memory grows with the file, see bench/RESULTS.md.
COUNTY_MAX_BYTES = 200_000_000
#: deeper nesting than this is no county file (the schema is about 8 deep) and would
#: exhaust the parser's or the validator's stack
COUNTY_MAX_DEPTH = 32
#: no field of the county file needs a longer integer than this
COUNTY_MAX_DIGITS = 18


class CountyFileError(ValueError):
    """The bytes are not a county file govtrack will read; the message says why, path where."""

    def __init__(self, message: str, path: str = "$"):
        super().__init__(message)
        #: the JSON path of the problem ("$": the file as a whole)
        self.path = path


def county_size_problem(size: int, limit: int | None = None) -> str | None:
    """Why a county file of size bytes is refused under limit (default COUNTY_MAX_BYTES;
    0 for none), or None."""
    limit = COUNTY_MAX_BYTES if limit is None else limit
    if not limit or size <= limit:
        return None
    return (f"the file is {size / 1_000_000:.1f} MB; the limit is "
            f"{limit / 1_000_000:g} MB")


class _Refused:
    """A number the parser met and no field takes; the walk after parsing names its path."""

    def __init__(self, message: str):
        self.message = message


class _Members(dict):
    """A JSON object that names a member twice (the parser would keep the last silently)."""

    duplicate: str = ""


def _bounded_int(text: str) -> int | _Refused:
    if len(text.lstrip("-")) > COUNTY_MAX_DIGITS:
        return _Refused(f"an integer of {len(text.lstrip('-')):,} digits is longer than any "
                        "field takes")
    return int(text)


def _finite_float(text: str) -> float | _Refused:
    value = float(text)
    if not math.isfinite(value):
        return _Refused(f"{text[:40]} is too large for a number")
    return value


def _no_constant(name: str):
    raise CountyFileError(f"{name} is not a number JSON allows")


def _members(pairs: list[tuple[str, Any]]) -> dict:
    members = dict(pairs)
    if len(members) == len(pairs):
        return members
    seen: set[str] = set()
    marked = _Members(members)
    marked.duplicate = next(name for name, _ in pairs if name in seen or seen.add(name))
    return marked


def _path_text(parts: tuple) -> str:
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts)


def _check_parsed(data: Any) -> None:
    """Depth, repeated member names and refused numbers, each with its path, without recursion."""
    if isinstance(data, _Refused):
        raise CountyFileError(data.message)
    stack: list[tuple[Any, tuple]] = [(data, ())]
    while stack:
        node, path = stack.pop()
        if len(path) >= COUNTY_MAX_DEPTH:
            raise CountyFileError("the file nests too deeply to be a county file",
                                  _path_text(path))
        if isinstance(node, dict):
            if isinstance(node, _Members):
                raise CountyFileError(f"the name “{node.duplicate}” appears twice in this "
                                      "object; give each field once", _path_text(path))
            children = node.items()
        elif isinstance(node, list):
            children = enumerate(node)
        else:
            continue
        for name, child in children:
            if isinstance(child, dict | list):
                stack.append((child, (*path, name)))
            elif isinstance(child, _Refused):
                raise CountyFileError(child.message, _path_text((*path, name)))


def read_county(raw: bytes, limit: int | None = None) -> Any:
    """Parse a county file's bytes, bounded in size, depth and number length.

    Raises CountyFileError with a message (and where it can, the JSON path) for
    the person importing; whatever the bytes, nothing else escapes (no
    traceback for any input). A member named twice in one object is refused
    rather than silently keeping the last. limit is county_size_problem's.
    """
    problem = county_size_problem(len(raw), limit)
    if problem:
        raise CountyFileError(problem)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CountyFileError(f"not UTF-8 text: {exc}") from exc
    try:
        data = json.loads(text, parse_int=_bounded_int, parse_float=_finite_float,
                          parse_constant=_no_constant, object_pairs_hook=_members)
    except RecursionError as exc:
        raise CountyFileError("the file nests too deeply to be a county file") from exc
    except CountyFileError:
        raise
    except ValueError as exc:  # json.JSONDecodeError among them
        raise CountyFileError(f"not a JSON document: {exc}") from exc
    finally:
        del text
    _check_parsed(data)
    return data


@cache
def load_schema() -> dict:
    """The county file's JSON Schema (draft 2020-12), read once."""
    text = resources.files("govtrack.county").joinpath("county.schema.json").read_text(
        encoding="utf-8")
    return json.loads(text)


def _is_instant(value: object) -> bool:
    """RFC 3339 date-time with an offset; jsonschema checks it only with extra packages."""
    if not isinstance(value, str):
        return True
    if not _INSTANT.match(value):
        return False
    datetime.fromisoformat(value.upper().replace("Z", "+00:00"))  # ValueError: bad date
    return True


@cache
def _validator() -> Draft202012Validator:
    checker = FormatChecker()
    checker.checks("date-time", raises=ValueError)(_is_instant)
    return Draft202012Validator(load_schema(), format_checker=checker)


@cache
def _schema_check() -> Callable[[Any], bool]:
    """Whether a document is valid under the schema: jsonschema's answer, many times faster."""
    return compile_schema(load_schema(), _validator().format_checker)


# --- export -----------------------------------------------------------------


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


#: how a caller follows a long export or import: called with the units just done
Progress = Callable[[int], None]


def _no_progress(_done: int) -> None:
    """Progress nobody follows."""


def progress_units(data: dict) -> int:
    """The units an import of data reports to its progress: committees checked and stored, MOUs."""
    def length(value: Any) -> int:
        return len(value) if isinstance(value, list) else 0

    return 2 * length(data.get("committees")) + sum(
        length(data.get(section.name)) for section in TOP_LEVEL_SECTIONS)


def export_units() -> int:
    """The units export_county reports to its progress: one per committee."""
    return db.session.scalar(select(func.count(Committee.id)))


def export_county(progress: Progress = _no_progress) -> dict:
    """The whole county as a county file, in a fixed order so files diff cleanly.

    progress(n) is told as each committee is written (export_units() in all).
    """
    document = _export_document(progress)
    document["committees"] = list(document["committees"])
    return document


def write_county(write_text: Callable[[str], Any], progress: Progress = _no_progress) -> None:
    """Write the county file's text (export_county's, indented) as its committees are read.

    A committee's records are let go once written, so memory holds one
    committee's rows and text rather than the whole county twice over.
    """
    json_text.write(_export_document(progress), write_text)
    write_text("\n")


def _export_document(progress: Progress) -> dict:
    """export_county's document with its committees an iterator, read as they are written."""
    agencies = sorted(db.session.scalars(select(Agency).options(selectinload(Agency.head))),
                      key=lambda a: a.key)
    people = sorted(db.session.scalars(select(Person).options(selectinload(Person.agency))),
                    key=lambda p: p.key)
    committees = sorted(db.session.scalars(select(Committee).options(*roster_loading())),
                        key=lambda c: c.key)
    choices = reminders.export()
    document = {
        "format": FORMAT,
        "exported_at": utcnow().replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "agencies": [{"key": a.key, "name": a.name, "sector": a.sector,
                      "head": a.head.key if a.head else None} for a in agencies],
        "people": [_person_record(p, choices.get(p.id, [])) for p in people],
        "committees": _committee_records(committees, progress),
        "mous": [],
    }
    for section in TOP_LEVEL_SECTIONS:
        records = section.export()
        # an optional array is left out when empty, so files written before it stay as they were
        if records or section.name in load_schema()["required"]:
            document[section.name] = records
    return document


def _committee_records(committees: list[Committee], progress: Progress) -> Iterator[dict]:
    for committee in committees:
        yield _export_committee(committee)
        progress(1)


def _person_record(person: Person, choices: list[dict]) -> dict:
    record = {"key": person.key, "name": person.name, "email": person.email,
              "agency": person.agency.key, "title": person.title, "active": person.active,
              "inactive_since": _day(person.inactive_since)}
    if choices:
        record["reminders"] = choices
    return record


def _export_committee(committee: Committee) -> dict:
    record: dict[str, Any] = {
        "key": committee.key,
        "name": committee.name,
        "kind": committee.kind,
        "purpose": committee.purpose or "",
        "goals": list(committee.goals or []),
        "end_date": _day(committee.end_date),
        "funding_source": committee.funding_source,
        "timezone": committee.timezone,
    }
    if committee.cadence_rrule and committee.cadence_dtstart:
        record["cadence"] = {
            "rrule": committee.cadence_rrule,
            "dtstart": committee.cadence_dtstart.replace(tzinfo=None).isoformat(
                timespec="seconds"),
            "duration_minutes": committee.duration_minutes,
        }
    record["stall_after_days"] = committee.stall_after_days
    thresholds = {name: getattr(committee, name) for name in OTHER_THRESHOLDS
                  if getattr(committee, name) is not None}
    if thresholds:
        record["thresholds"] = thresholds
    if committee.default_location:
        record["default_location"] = committee.default_location
    record["stage_history"] = [
        {"stage": s.stage, "since": s.since.isoformat()}
        for s in sorted(committee.stage_history, key=lambda s: (s.since, s.id))]
    record["memberships"] = [
        {"person": m.person.key, "agency": m.agency.key, "role": m.role,
         "start": m.start.isoformat(), "end": _day(m.end)}
        for m in sorted(committee.memberships,
                        key=lambda m: (m.start, m.person.key, m.role))]
    for section in COMMITTEE_SECTIONS:
        record.update(section.export(committee))
    return record


# --- import -----------------------------------------------------------------


@dataclass
class _Known:
    """The records already stored, by key, and what the file will make of them."""

    agencies: dict[str, Agency]
    people: dict[str, Person]
    committees: dict[str, Committee]
    #: person key -> agency key, the database's overridden by the file's
    person_agency: dict[str, str]
    person_name: dict[str, str]
    #: agency key -> head's person key (or None), the database's overridden by the file's
    heads: dict[str, str | None]

    @property
    def agency_keys(self) -> set[str]:
        """Keys of every agency, stored or in the file."""
        return set(self.heads)

    @classmethod
    def load(cls, data: dict) -> "_Known":
        """Read the stored agencies, people and the file's committees in three queries."""
        agencies = {a.key: a for a in db.session.scalars(select(Agency))}
        people = {p.key: p for p in db.session.scalars(select(Person))}
        keys = [c["key"] for c in data["committees"]]
        committees = {c.key: c for c in db.session.scalars(
            select(Committee).where(Committee.key.in_(keys)).options(*roster_loading()))}
        agency_key = {a.id: a.key for a in agencies.values()}
        person_key = {p.id: p.key for p in people.values()}
        person_agency = {p.key: agency_key[p.agency_id] for p in people.values()}
        person_name = {p.key: p.name for p in people.values()}
        heads = {a.key: person_key.get(a.head_id) for a in agencies.values()}
        for record in data["people"]:
            person_agency[record["key"]] = record["agency"]
            person_name[record["key"]] = record["name"]
        for record in data["agencies"]:
            heads[record["key"]] = record.get("head")
        return cls(agencies, people, committees, person_agency, person_name, heads)


def import_county(data: Any, *, dry_run: bool = False, actor=None,
                  progress: Progress = _no_progress) -> ImportReport:
    """Check a county file and, if it has no problem at all, store it.

    Agencies, people and committees are matched by key and updated; the file
    is authoritative for each of its committees' memberships and stage
    history. Never commits: the caller commits, or rolls back after a dry run.
    progress(n) is told as committees are checked and stored (progress_units(data)).
    """
    report = ImportReport()
    if not _schema_check()(data):
        # The fast check says no; jsonschema says where and why (and has the last word).
        errors = _validator().iter_errors(data)
        for error in sorted(errors, key=lambda e: _document_order(data, e)):
            report.problem(error.json_path, _schema_message(error))
        if report.problems:
            return report
    report.ignored = _unstored_sections(data)
    known = _Known.load(data)
    _check_references(data, known, report)
    _check_text(data, "$", report)
    for n, committee in enumerate(data["committees"]):
        _check_committee(committee, f"$.committees[{n}]", known, report)
        progress(1)
    for section in TOP_LEVEL_SECTIONS:
        section.check(data, known, report)
    reminders.check(data, report)
    if report.problems:
        return report
    if dry_run:
        # The same code path as a real import, so the counts are the same.
        savepoint = db.session.begin_nested()
        try:
            _store(data, known, actor, report, progress)
        finally:
            savepoint.rollback()
    else:
        _store(data, known, actor, report, progress)
    return report


#: a schema message longer than this quotes too much of the file to read
_MESSAGE_MAX = 300


def _schema_message(error) -> str:
    """The validator's message, in words for the common cases, never quoting pages of text."""
    if error.validator == "const" and list(error.absolute_path) == ["format"]:
        return (f"this file is format “{str(error.instance)[:80]}”; govtrack reads "
                f"“{FORMAT}”")
    if error.validator == "maxLength" and isinstance(error.instance, str):
        return (f"{len(error.instance):,} characters is too long: at most "
                f"{error.validator_value:,}")
    message = error.message
    if len(message) <= _MESSAGE_MAX:
        return message
    quoted = repr(error.instance)
    if len(quoted) > 60 and quoted in message:
        return message.replace(quoted, f"{quoted[:50]}… ({len(quoted):,} characters)")
    return message[:_MESSAGE_MAX] + "…"


def _document_order(data: Any, error) -> tuple:
    """Where an error sits in the document, so problems read top to bottom."""
    position, node = [], data
    for part in error.absolute_path:
        if isinstance(node, dict):
            keys = list(node)
            position.append(keys.index(part) if part in node else len(keys))
        else:
            position.append(part)
        node = node[part]
    return tuple(position), error.message


def _unstored_sections(data: dict) -> list[str]:
    ignored = []
    for n, committee in enumerate(data["committees"]):
        for section in UNSTORED_SECTIONS:
            if committee.get(section):
                ignored.append(f"$.committees[{n}].{section}")
    stored = {section.name for section in TOP_LEVEL_SECTIONS}
    if "mous" not in stored:
        ignored.extend(f"$.mous[{n}]" for n, mou in enumerate(data["mous"]) if mou)
    return ignored


def _check_references(data: dict, known: _Known, report: ImportReport) -> None:
    """Keys are unique within a kind, and every key referred to exists."""
    for kind in ("agencies", "people", "committees"):
        first: dict[str, int] = {}
        for n, record in enumerate(data[kind]):
            key = record["key"]
            if key in first:
                report.problem(f"$.{kind}[{n}].key",
                               f"duplicate key “{key}”, also at $.{kind}[{first[key]}]")
            else:
                first[key] = n
    agency_keys = set(known.agencies) | {a["key"] for a in data["agencies"]}
    for n, person in enumerate(data["people"]):
        if person["agency"] not in agency_keys:
            report.problem(f"$.people[{n}].agency", f"no agency has key “{person['agency']}”")
    in_file = {a["key"]: n for n, a in enumerate(data["agencies"])}
    person_row = {p["key"]: n for n, p in enumerate(data["people"])}
    for agency_key, head in known.heads.items():
        if head is None:
            continue
        works_for = known.person_agency.get(head)
        if agency_key in in_file:
            path = f"$.agencies[{in_file[agency_key]}].head"
            if works_for is None:
                report.problem(path, f"no person has key “{head}”")
            elif works_for != agency_key and works_for in agency_keys:
                report.problem(path, f"the head must work for the agency; “{head}” works "
                                     f"for “{works_for}”")
        elif works_for != agency_key and head in person_row:
            # A stored agency this file leaves alone would be headed by a person
            # the file moves elsewhere (agencies.services refuses the same).
            report.problem(f"$.people[{person_row[head]}].agency",
                           f"“{head}” heads “{agency_key}”; name another head of "
                           f"“{agency_key}” before moving them")
    for n, committee in enumerate(data["committees"]):
        for m, membership in enumerate(committee["memberships"]):
            path = f"$.committees[{n}].memberships[{m}]"
            if membership["person"] not in known.person_agency:
                report.problem(f"{path}.person", f"no person has key “{membership['person']}”")
            if membership["agency"] not in agency_keys:
                report.problem(f"{path}.agency", f"no agency has key “{membership['agency']}”")


def _check_text(value: Any, path: str, report: ImportReport) -> None:
    """Refuse characters a database cannot store or a page cannot show."""
    if isinstance(value, str):
        found = _BAD_CHARACTER.search(value)
        if found is None:
            return
        char = found.group()
        if char == "\x00":
            report.problem(path, "contains a NUL character (U+0000), which cannot be stored")
        elif "\ud800" <= char <= "\udfff":
            report.problem(path, f"contains an unpaired surrogate (U+{ord(char):04X}), "
                                 "which is not valid Unicode")
        else:
            report.problem(path, f"contains the control character U+{ord(char):04X}; only "
                                 "tabs and line breaks are allowed")
    elif isinstance(value, list):
        for n, item in enumerate(value):
            _check_text(item, f"{path}[{n}]", report)
    elif isinstance(value, dict):
        for name, item in value.items():
            _check_text(item, f"{path}.{name}", report)


#: committee field named by a DomainError -> its place in the file
_FIELD_PATHS = {"kind": "kind", "end_date": "end_date", "timezone": "timezone",
                "cadence_rrule": "cadence.rrule", "cadence_dtstart": "cadence.dtstart"}


def _check_committee(record: dict, path: str, known: _Known, report: ImportReport) -> None:
    """The rules committees.services applies to forms, applied to a file record."""
    values = {"kind": record["kind"], "end_date": record.get("end_date"),
              "timezone": record["timezone"], "cadence_rrule": None, "cadence_dtstart": None}
    cadence = record.get("cadence")
    if cadence:
        values["cadence_rrule"] = cadence["rrule"]
        try:
            values["cadence_dtstart"] = datetime.fromisoformat(cadence["dtstart"])
        except ValueError:
            report.problem(f"{path}.cadence.dtstart", "not a valid date and time")
            values["cadence_dtstart"] = datetime(2000, 1, 1)  # still check the rule
        if not cadence["rrule"].strip():
            report.problem(f"{path}.cadence.rrule", "the RRULE is empty; leave cadence out "
                                                    "for a committee without regular meetings")
    # check_committee_fields stops at the first broken rule; set each broken
    # field to a harmless value and ask again, so every problem is reported.
    for _ in _FIELD_PATHS:
        try:
            check_committee_fields(values)
        except DomainError as exc:
            report.problem(f"{path}.{_FIELD_PATHS.get(exc.field, exc.field)}",
                           _committee_message(exc, values))
            if exc.field in ("kind", "end_date"):
                values["kind"] = "standing"
            elif exc.field == "timezone":
                values["timezone"] = "UTC"
            else:
                values["cadence_rrule"] = None
        else:
            break
    _check_stage_history(record.get("stage_history", []), f"{path}.stage_history", report)
    _check_memberships(record["memberships"], f"{path}.memberships", known, report)
    for section in COMMITTEE_SECTIONS:
        section.check(record, path, known, report)


def _committee_message(exc: DomainError, values: dict) -> str:
    if exc.field == "timezone":
        return f"“{values['timezone']}” is not an IANA time zone"
    if exc.field == "cadence_rrule":
        return f"invalid RRULE: {exc}"
    return str(exc)


def _check_stage_history(entries: list[dict], path: str, report: ImportReport) -> None:
    first: dict[tuple[str, str], int] = {}
    for n, entry in enumerate(entries):
        key = (entry["stage"], entry["since"])
        if key in first:
            report.problem(f"{path}[{n}]", f"duplicate of {path}[{first[key]}] "
                                           f"({STAGES[entry['stage']]} since {entry['since']})")
        else:
            first[key] = n
        # change_stage refuses the same: a stage is recorded once it is reached.
        if date.fromisoformat(entry["since"]) > today():
            report.problem(f"{path}[{n}].since", "The date cannot be in the future.")


def _check_memberships(entries: list[dict], path: str, known: _Known,
                       report: ImportReport) -> None:
    """Each membership, then each pair, through committees.services.check_membership.

    The records are not stored yet, so stand-ins carrying the attributes the
    rule reads (the person key serves as identity) take the models' place.
    """
    stand_ins = []
    for entry in entries:
        person = SimpleNamespace(id=entry["person"],
                                 name=known.person_name.get(entry["person"], entry["person"]))
        end = entry.get("end")
        stand_ins.append(SimpleNamespace(
            person=person, person_id=person.id, role=entry["role"],
            start=date.fromisoformat(entry["start"]),
            end=date.fromisoformat(end) if end else None))
    valid = []
    for n, membership in enumerate(stand_ins):
        try:
            check_membership(SimpleNamespace(memberships=[]), None, person=membership.person,
                             role=membership.role, start=membership.start, end=membership.end)
        except DomainError as exc:
            report.problem(f"{path}[{n}].{exc.field or 'role'}", str(exc))
            continue
        # One call per earlier membership, so every overlap is reported, not the first.
        for m, other in valid:
            try:
                check_membership(SimpleNamespace(memberships=[other]), None,
                                 person=membership.person, role=membership.role,
                                 start=membership.start, end=membership.end)
            except DomainError as exc:
                report.problem(f"{path}[{n}].{exc.field or 'role'}",
                               f"{exc} It overlaps {path}[{m}].")
        valid.append((n, membership))


# --- storing ----------------------------------------------------------------


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _committee_values(record: dict) -> dict:
    values = {
        "name": record["name"],
        "kind": record["kind"],
        "purpose": record.get("purpose", ""),
        "goals": list(record.get("goals", [])),
        "end_date": _date(record.get("end_date")),
        "funding_source": record.get("funding_source"),
        "timezone": record["timezone"],
        "stall_after_days": int(record.get("stall_after_days", DEFAULT_STALL_AFTER_DAYS)),
        "cadence_rrule": None,
        "cadence_dtstart": None,
        "default_location": record.get("default_location", ""),
    }
    thresholds = record.get("thresholds", {})
    values.update({name: thresholds.get(name) for name in OTHER_THRESHOLDS})
    cadence = record.get("cadence")
    if cadence:
        values.update(cadence_rrule=cadence["rrule"],
                      cadence_dtstart=datetime.fromisoformat(cadence["dtstart"]),
                      duration_minutes=int(cadence["duration_minutes"]))
    return values


def _begun(record: dict) -> datetime | None:
    """The start of the committee's earliest dated day in the file (stage, membership,
    chair term), on its wall clock; None (the moment of import) when it gives none."""
    days = [*(s["since"] for s in record.get("stage_history", [])),
            *(m["start"] for m in record["memberships"]),
            *(t["start"] for t in record.get("chair_terms", []))]
    if not days:
        return None
    return datetime.combine(date.fromisoformat(min(days)), time(),
                            tzinfo=ZoneInfo(record["timezone"]))


#: a committee's collections an import lets go of once they are written (settle)
_LET_GO = ("meetings", "workgroups")


class _Writer:
    """Applies a checked file to the session and writes the audit trail."""

    def __init__(self, known: _Known, actor, report: ImportReport):
        self.actor = actor
        self.report = report
        self.agencies = dict(known.agencies)
        self.people = dict(known.people)
        self.committees = known.committees
        #: (record, kind, committee, label) audited once flushed, when ids exist
        self.created: list[tuple[Any, str, Committee | None, str | None]] = []

    def create(self, obj, kind: str, committee: Committee | None = None,
               label: str | None = None) -> None:
        """Add a new record; its audit entry follows the flush."""
        db.session.add(obj)
        self.created.append((obj, kind, committee, label))

    def updated(self, obj, kind: str, changes: dict, committee: Committee | None = None) -> None:
        """Count (and audit) an existing record the file did or did not change."""
        if changes:
            audit.record(self.actor, "update", obj, committee=committee, changes=changes)
            self.report.updated[kind] += 1
            self.report.changed_keys.setdefault(kind, []).append(record_key(obj, committee))
        else:
            self.report.unchanged[kind] += 1

    def deleted(self, obj, kind: str, committee: Committee, label: str | None = None) -> None:
        """Audit a record about to leave its committee's collection."""
        audit.record(self.actor, "delete", obj, committee=committee, label=label)
        self.report.deleted[kind] += 1
        self.report.deleted_keys.setdefault(kind, []).append(record_key(obj, committee))

    def agencies_and_people(self, data: dict) -> None:
        """Upsert agencies, then people, then name the heads (heads are people)."""
        changes_of: dict[str, dict] = {}
        for record in data["agencies"]:
            agency = self.agencies.get(record["key"])
            values = {"name": record["name"], "sector": record["sector"]}
            if agency is None:
                agency = self.agencies[record["key"]] = Agency(key=record["key"], **values)
                self.create(agency, "agencies")
            else:
                changes_of[agency.key] = assign_changes(agency, values)
        for record in data["people"]:
            person = self.people.get(record["key"])
            agency = self.agencies[record["agency"]]
            values = {"name": record["name"], "email": record.get("email"),
                      "title": record.get("title"), "active": record.get("active", True),
                      "inactive_since": _date(record.get("inactive_since"))}
            if person is None:
                person = self.people[record["key"]] = Person(key=record["key"], agency=agency,
                                                             **values)
                self.create(person, "people")
                continue
            changes = assign_changes(person, values)
            if person.agency is not agency:
                changes["agency"] = [person.agency.key, agency.key]
                person.agency = agency
            self.updated(person, "people", changes)
        for record in data["agencies"]:
            agency = self.agencies[record["key"]]
            head_key = record.get("head")
            head = self.people[head_key] if head_key else None
            if agency.key in changes_of:
                changes = changes_of[agency.key]
                if agency.head is not head:
                    changes["head"] = [agency.head.key if agency.head else None, head_key]
                    agency.head = head
                self.updated(agency, "agencies", changes)
            else:
                agency.head = head

    def committee(self, record: dict) -> Committee:
        """Upsert a committee with its stage history and memberships."""
        values = _committee_values(record)
        committee = self.committees.get(record["key"])
        if committee is None:
            committee = Committee(key=record["key"], **values)
            begun = _begun(record)
            if begun is not None:
                committee.created_at = begun
            self.create(committee, "committees", committee)
        else:
            self.updated(committee, "committees", assign_changes(committee, values), committee)
        self.stage_history(committee, record.get("stage_history", []))
        self.memberships(committee, record["memberships"])
        for section in COMMITTEE_SECTIONS:
            section.store(self, committee, record)
        return committee

    def stage_history(self, committee: Committee, entries: list[dict]) -> None:
        """Match stage changes by (stage, since); remove the ones the file lacks."""
        wanted = sorted(((e["stage"], date.fromisoformat(e["since"])) for e in entries),
                        key=lambda pair: pair[1])
        kept = set()
        for change in list(committee.stage_history):
            key = (change.stage, change.since)
            if key in wanted and key not in kept:
                kept.add(key)
                self.report.unchanged["stage_history"] += 1
            else:
                self.deleted(change, "stage_history", committee, f"stage {change.label}")
                committee.stage_history.remove(change)
        for stage, since in wanted:
            if (stage, since) not in kept:
                change = StageChange(committee=committee, stage=stage, since=since)
                self.create(change, "stage_history", committee, f"stage {STAGES[stage]}")

    def memberships(self, committee: Committee, entries: list[dict]) -> None:
        """Match memberships by (person, role, start); remove the ones the file lacks."""
        wanted = {(e["person"], e["role"], date.fromisoformat(e["start"])): e
                  for e in entries}
        kept = set()
        for membership in list(committee.memberships):
            key = (membership.person.key, membership.role, membership.start)
            entry = wanted.get(key)
            if entry is None or key in kept:
                self.deleted(membership, "memberships", committee)
                committee.memberships.remove(membership)
                continue
            kept.add(key)
            changes = assign_changes(membership, {"end": _date(entry.get("end"))})
            agency = self.agencies[entry["agency"]]
            if membership.agency is not agency:
                changes["agency"] = [membership.agency.key, agency.key]
                membership.agency = agency
            self.updated(membership, "memberships", changes, committee)
        for key, entry in wanted.items():
            if key not in kept:
                membership = Membership(
                    committee=committee, person=self.people[entry["person"]],
                    agency=self.agencies[entry["agency"]], role=entry["role"],
                    start=key[2], end=_date(entry.get("end")))
                self.create(membership, "memberships", committee)

    def audit_created(self) -> None:
        """Audit the new records, now that the flush gave them ids (one insert for all)."""
        entries = []
        for obj, kind, committee, label in self.created:
            entries.append((type(obj), stored_values(obj),
                            committee.id if committee is not None else None, label or str(obj)))
            self.report.created[kind] += 1
        record_created(self.actor, entries)
        self.created.clear()

    def inserted(self, kind: str, model, rows: list[dict], committee: Committee,
                 label: Callable[[dict], str]) -> None:
        """Count and audit rows a section inserted in bulk (each with its id)."""
        record_created(self.actor, [(model, row, committee.id, label(row)) for row in rows])
        self.report.created[kind] += len(rows)

    def settle(self, committee: Committee) -> None:
        """Write a stored committee's records and audit the new ones, then let them go.

        At county scale the records of all committees at once took over a
        gigabyte: once written and audited, a committee's meetings and
        workgroups are read back from the database if anything asks again.
        """
        db.session.flush()
        self.audit_created()
        db.session.expire(committee, [name for name in _LET_GO if hasattr(committee, name)])


def record_key(obj, committee: Committee | None = None) -> str:
    """How a report names a record: its key, or for a keyless one (a membership,
    a chair term, a stage change, a rotation policy) its committee's key and
    the fields the import matches it by, joined by "/"."""
    key = getattr(obj, "key", None)
    if isinstance(key, str):
        return key
    parts = [committee.key] if committee is not None else []
    for name in ("person", "role", "stage", "start", "since"):
        value = getattr(obj, name, None)
        if value is not None:
            parts.append(value.key if hasattr(value, "key") else str(value))
    return "/".join(parts) or type(obj).__name__


def _store(data: dict, known: _Known, actor, report: ImportReport,
           progress: Progress = _no_progress) -> None:
    writer = _Writer(known, actor, report)
    # Updates are audited from their explicit changes before anything is
    # flushed; new records are audited after one flush, when they have ids.
    with db.session.no_autoflush:
        writer.agencies_and_people(data)
        for record in data["committees"]:
            writer.settle(writer.committee(record))
            progress(1)
        for section in TOP_LEVEL_SECTIONS:
            section.store(writer, data)
            progress(len(data.get(section.name, [])))
    db.session.flush()
    reminders.store(writer, data)  # preferences point at people by id
    writer.audit_created()
    db.session.flush()
