"""The county view: every committee's flags and its workgroups' flags, as a grid.

For the county coordinator, who follows up with chairs: which committees
and workgroups are stalling, and why, across the county. Read in a fixed
number of queries however many committees and workgroups there are.
"""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from govtrack.agencies.models import SECTORS
from govtrack.chairs.models import chair_loading
from govtrack.committees.models import Committee, members_loading
from govtrack.extensions import db
from govtrack.health.rules import Flag
from govtrack.health.services import RULES, flags_for, preloaded
from govtrack.workgroups.health import open_workgroups


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

    def has(self, code: str) -> bool:
        """Whether the committee or one of its workgroups holds the flag code (STALLED: any
        workgroup flag)."""
        if code == STALLED:
            return any(self.workgroups.values())
        return code in self.flags or bool(self.workgroups.get(code))

    def stalled(self) -> dict[str, tuple[str, list[Flag]]]:
        """Workgroup key -> (name, its flags): the committee's stalled workgroups."""
        found: dict[str, tuple[str, list[Flag]]] = {}
        for held in self.workgroups.values():
            for key, name, flag in held:
                found.setdefault(key, (name, []))[1].append(flag)
        return found


#: the filter for every workgroup that holds a flag, whichever: "stalled workgroups"
STALLED = "stalled"


def county_health(day: date, code: str | None = None,
                  sector: str | None = None) -> list[CommitteeHealth]:
    """Every committee with its flags and its open workgroups' flags on day, filtered."""
    committees = list(db.session.scalars(select(Committee).order_by(Committee.name).options(
        *members_loading(many=True), *chair_loading())))
    rows = []
    with preloaded("committee", committees, day):
        records = open_workgroups(committees, day)
        every = [r for rs in records.values() for r in rs]
        with preloaded("workgroup", every, day):
            for committee in committees:
                row = CommitteeHealth(committee, {
                    m.agency.sector for m in committee.memberships if m.holds_on(day)})
                row.flags = {f.code: f for f in flags_for("committee", committee, day)}
                for record in records[committee.id]:
                    for flag in flags_for("workgroup", record, day):
                        row.workgroups.setdefault(flag.code, []).append(
                            (record.key, record.name, flag))
                rows.append(row)
    if sector in SECTORS:
        rows = [r for r in rows if sector in r.sectors]
    if code:
        rows = [r for r in rows if r.has(code)]
    return rows
