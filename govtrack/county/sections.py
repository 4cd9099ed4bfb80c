"""The types and helpers a feature's part of the county file is written with.

A leaf of the county file: features import it, never county.services, so the
central module can name every feature's section without an import cycle.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from govtrack.audit.services import plain


@dataclass
class CommitteeSection:
    """A feature's part of a committee record: how it exports, checks and stores.

    A feature declares its one as `SECTION` in its `county.py`; county.services
    names them in COMMITTEE_SECTIONS, so the county file grows with the
    features without that module learning their models.
    """

    export: Callable[[Any], dict]
    check: Callable[[dict, str, Any, Any], None]
    store: Callable[[Any, Any, dict], None]


@dataclass
class TopLevelSection:
    """A feature's own top-level array of the file (such as "mous"), stored after committees."""

    name: str
    export: Callable[[], list]
    check: Callable[[dict, Any, Any], None]
    store: Callable[[Any, dict], None]


def instant(value: str | None) -> datetime | None:
    """An instant of the file (offset or Z; the schema checked its form), aware."""
    if value is None:
        return None
    return datetime.fromisoformat(value.upper().replace("Z", "+00:00"))


def utc_text(value: datetime | None) -> str | None:
    """An instant as the county file writes it: UTC, with Z."""
    if value is None:
        return None
    spec = "microseconds" if value.microsecond else "seconds"
    return value.astimezone(UTC).isoformat(timespec=spec).replace("+00:00", "Z")


def check_person(known, report, path: str, key: str | None) -> None:
    """Report a person key that names nobody (in the file or stored)."""
    if key is not None and key not in known.person_agency:
        report.problem(path, f"no person has key “{key}”")


def check_updates(updates: list[dict], where: str, known, report) -> None:
    """Updates name known people, and (at, by) is unique: the next import matches on it."""
    first: dict[tuple[datetime, str], int] = {}
    for u, update in enumerate(updates):
        check_person(known, report, f"{where}.updates[{u}].by", update["by"])
        pair = (instant(update["at"]), update["by"])
        if pair in first:
            report.problem(f"{where}.updates[{u}]", f"the same person's update at the same "
                                                    f"time as {where}.updates[{first[pair]}]")
        else:
            first[pair] = u


def update_log(updates, record: Callable) -> list[dict]:
    """An update log as the file holds it: oldest first, ties by the author's key."""
    return [record(u) for u in sorted(updates, key=lambda u: (u.at, u.by.key))]


def sync_update_log(writer, updates: list, entries: list[dict], record: Callable,
                    make: Callable[..., Any], values: Callable[[dict], dict]) -> list | None:
    """Match an update log (an action item's, a workgroup's) by (at, by).

    record(update) is an update's file record, values(entry) its fields besides
    time and author, make(at=, by=, **values) a new update. Changes updates in
    place; returns [before, after] if the log changed, else None.
    """
    before = update_log(updates, record)
    after = sorted(({k: v for k, v in dict(e, at=utc_text(instant(e["at"]))).items()
                     if v not in (None, "")} for e in entries),
                   key=lambda u: (instant(u["at"]), u["by"]))
    if before == after:
        return None
    sync_by_key(updates, entries, lambda u: (u.at, u.by.key),
                lambda e: (instant(e["at"]), e["by"]), values,
                lambda e, **v: make(at=instant(e["at"]), by=writer.people[e["by"]], **v))
    return [before, after]


def sync_by_key(rows: list, entries: list[dict], row_key: Callable, entry_key: Callable,
                values: Callable[[dict], dict], make: Callable[..., Any]) -> list:
    """Make rows (a relationship's list) hold one row per entry of the file, matched by key.

    A row whose row_key is an entry's entry_key gets values(entry) assigned in place (its id,
    and so what points at it, stays); an entry without one gets make(entry, **values(entry))
    appended; a row no entry names is removed. Returns the rows in the entries' order.
    """
    stored = {row_key(row): row for row in rows}
    matched = []
    for entry in entries:
        row = stored.pop(entry_key(entry), None)
        if row is None:
            row = make(entry, **values(entry))
            rows.append(row)
        else:
            assign_changes(row, values(entry))
        matched.append(row)
    for row in stored.values():
        rows.remove(row)
    return matched


def assign_changes(obj, values: dict) -> dict[str, list]:
    """Set the values that differ; return them as {field: [before, after]}."""
    changes = {}
    for name, value in values.items():
        before = getattr(obj, name)
        if before != value:
            changes[name] = [plain(before), plain(value)]
            setattr(obj, name, value)
    return changes
