"""The county view: every committee's flags and its workgroups' flags, as a grid.

For the county coordinator, who follows up with chairs: which committees
and workgroups are stalling, and why, across the county. Judging the whole
county takes seconds (tens of them nationally), so the view reads the
health snapshot the scheduler writes after each sweep (govtrack.health.snapshot),
a page of committees at a time, in a fixed number of queries; the CSV, every
committee at once, is written once per snapshot and filter and served as a file.
"""

import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from flask import Response, send_file

from govtrack.committees.models import Committee
from govtrack.health import snapshot as snapshots
from govtrack.health.models import HealthSnapshot
from govtrack.health.rules import Flag
from govtrack.health.services import RULES
from govtrack.spreadsheet import csv_chunks


@dataclass(frozen=True)
class Column:
    """A flag code of the grid, for committees or for workgroups."""

    kind: str
    code: str
    words: str


#: the grid's columns in the order of the health rules
COLUMNS = tuple(Column(r.kind, r.code, r.words.replace("{days}", "N"))
                for r in RULES if r.kind in ("committee", "workgroup"))


@dataclass
class CommitteeHealth:
    """One committee's row: its flags and, per workgroup flag, the workgroups that hold it."""

    committee: Committee
    sectors: set[str]
    flags: dict[str, Flag] = field(default_factory=dict)
    #: workgroup flag code -> [(workgroup key, name, flag)]
    workgroups: dict[str, list] = field(default_factory=dict)

    def cell(self, column: Column) -> list:
        """What the grid shows under column: the committee's flag or its workgroups'."""
        if column.kind == "committee":
            return [self.flags[column.code]] if column.code in self.flags else []
        return self.workgroups.get(column.code, [])

    def stalled(self) -> dict[str, tuple[str, list[Flag]]]:
        """Workgroup key -> (name, its flags): the committee's stalled workgroups."""
        found: dict[str, tuple[str, list[Flag]]] = {}
        for held in self.workgroups.values():
            for key, name, flag in held:
                found.setdefault(key, (name, []))[1].append(flag)
        return found


def county_health(snapshot: HealthSnapshot, code: str | None = None,
                  sector: str | None = None, offset: int = 0,
                  limit: int | None = None) -> list[CommitteeHealth]:
    """The snapshot's committees the filters keep, by name, with their flags: two queries."""
    rows = {c.id: CommitteeHealth(c, set(sectors.split()))
            for c, sectors in snapshots.committees(snapshot, code, sector, offset, limit)}
    for about, code, since, words, committee_id, _key, _name, workgroup_key, workgroup_name \
            in sorted(snapshots.committee_flags(snapshot, list(rows)),
                      key=lambda r: (r[7] or "", r[1])):
        row = rows[committee_id]
        held = Flag(code, since, words)
        if about == "committee":
            row.flags[code] = held
        else:
            row.workgroups.setdefault(code, []).append((workgroup_key, workgroup_name, held))
    return list(rows.values())


#: a column's place in the grid, for the CSV's order
_ORDER = {(c.kind, c.code): n for n, c in enumerate(COLUMNS)}
_LAST = len(_ORDER)


#: the CSV's header
CSV_HEADER = ["committee", "committee name", "about", "workgroup", "workgroup name", "flag",
              "since", "words"]
#: the CSV's file name for the browser
CSV_NAME = "county-health.csv"


def county_csv_file(snapshot: HealthSnapshot, code: str | None = None,
                    sector: str | None = None) -> Path:
    """The file of the CSV of the county view for these filters, written if it is not yet.

    Written once per snapshot and filter (a national one took 160 ms of CPU
    each time), to a temporary file renamed into place: a worker that writes
    the same file at the same time replaces it with the same bytes.
    """
    path = snapshots.rendering(snapshot, f"county-{code or 'any'}-{sector or 'any'}.csv")
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f"{path.name}.",
                                         suffix=".part")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.writelines(csv_chunks(CSV_HEADER, county_csv_rows(snapshot, code, sector)))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    snapshots.forget_renderings(older_than=snapshot)
    return path


def county_csv_download(snapshot: HealthSnapshot, code: str | None = None,
                        sector: str | None = None) -> Response:
    """The county view's CSV as an attachment from its file: an ETag and Last-Modified
    from the file, 304 Not Modified when the client has it, a range if asked."""
    for _ in range(3):
        try:
            path = county_csv_file(snapshot, code, sector)
            response = send_file(path, mimetype="text/csv", conditional=True, etag=True)
        except FileNotFoundError:  # forgotten while written or sent: see forget_renderings
            continue
        response.headers["Content-Disposition"] = f'attachment; filename="{CSV_NAME}"'
        return response
    raise RuntimeError("the county view's CSV was forgotten three times as it was written")


def county_csv_rows(snapshot: HealthSnapshot, code: str | None = None,
                    sector: str | None = None) -> Iterator[tuple[str, ...]]:
    """The CSV of the county view: a row per committee or workgroup flag, as the grid orders
    them (committee by name, then column, then workgroup key), all text; one query,
    run now, the rows worked out as they are read (csv_chunks writes them in chunks)."""
    found = snapshots.committee_flags(snapshot, code=code, sector=sector)
    found.sort(key=lambda r: (r[6], r[5], _ORDER.get((r[0], r[1]), _LAST), r[7] or ""))
    return ((key, name, about, workgroup_key or "", workgroup_name or "", flag_code,
             since.isoformat(), words)
            for about, flag_code, since, words, _id, key, name, workgroup_key, workgroup_name
            in found)
