"""Committee, membership and stage-history records."""

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import NamedTuple

from sqlalchemy import JSON, ForeignKey, Index, String, Text, bindparam, event, select
from sqlalchemy.orm import (
    Mapped,
    Session,
    joinedload,
    mapped_column,
    relationship,
    selectinload,
)

from govtrack.agencies.models import Agency, Person
from govtrack.clock import utcnow
from govtrack.db_types import UTCDateTime
from govtrack.extensions import db

KINDS = {"standing": "Standing", "time_limited": "Time-limited"}

#: The six steps of the collaborative framework applied at the system level
#: (Kamin, Weisman and Lamberti), in order.
STAGES = {
    "engagement": "Engagement",
    "assessment": "Assessment",
    "planning": "Planning & intervention",
    "monitoring": "Progress monitoring",
    "problem_solving": "Problem solving",
    "transition": "Transition",
}

ROLES = {
    "chair": "Chair",
    "co_chair": "Co-chair",
    "secretary": "Secretary",
    "member": "Member",
    "observer": "Observer",
}

#: roles that may edit the committee
EDITOR_ROLES = frozenset({"chair", "co_chair", "secretary"})
#: seats that change only through the chair services (hand-over, leave), never by
#: editing a membership: a secretary once demoted the chair and took the seat
CHAIR_ROLES = frozenset({"chair", "co_chair"})


@dataclass(frozen=True)
class Threshold:
    """A number in DESIGN.md's health rules that a committee may change."""

    label: str
    default: int
    unit: str
    low: int
    high: int


#: every threshold of the health rules, by the Committee column that holds it
THRESHOLDS = {
    "stall_after_days": Threshold("A workgroup with no activity is flagged after", 30,
                                  "days", 1, 365),
    "pdsa_phase_days": Threshold("A PDSA cycle is stuck after, in one phase", 60, "days",
                                 1, 365),
    "pdsa_study_late_days": Threshold("A PDSA cycle in Do is stuck this long past its study "
                                      "date", 14, "days", 1, 365),
    "attendance_low_percent": Threshold("Attendance is falling below this share", 50, "%",
                                        1, 100),
    "attendance_drop_points": Threshold("…or when it drops by this many points", 25,
                                        "points", 1, 100),
    "mou_stall_days": Threshold("An MOU out for signature stalls after", 30, "days", 1, 365),
    "mou_expiring_days": Threshold("An executed MOU is flagged as expiring this long before "
                                   "its expiry", 90, "days", 1, 730),
}


class Committee(db.Model):
    """A standing or time-limited cross-system committee."""

    __tablename__ = "committee"
    #: lists of committees go by name: the county view reads a page of 25 of them in
    #: this order instead of sorting all 3,000 (national scale)
    __table_args__ = (Index("ix_committee_name", "name", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="standing")
    #: the shared problem statement the agencies signed up to
    purpose: Mapped[str] = mapped_column(Text, default="")
    goals: Mapped[list[str]] = mapped_column(JSON, default=list)
    end_date: Mapped[date | None]
    funding_source: Mapped[str | None] = mapped_column(String(500))
    #: IANA zone in which meeting times and dates are read
    timezone: Mapped[str] = mapped_column(String(64), default="America/New_York")
    #: RFC 5545 RRULE of regular meetings, e.g. FREQ=MONTHLY;BYDAY=2TU
    cadence_rrule: Mapped[str | None] = mapped_column(String(500))
    #: first regular meeting, wall-clock time in the committee's timezone
    cadence_dtstart: Mapped[datetime | None]
    duration_minutes: Mapped[int] = mapped_column(default=90)
    #: where meetings take place unless a meeting says otherwise (calendar, new meetings)
    default_location: Mapped[str] = mapped_column(String(500), default="", server_default="")
    stall_after_days: Mapped[int] = mapped_column(default=30)
    # The health rules' other thresholds; None keeps DESIGN.md's default (THRESHOLDS).
    pdsa_phase_days: Mapped[int | None]
    pdsa_study_late_days: Mapped[int | None]
    attendance_low_percent: Mapped[int | None]
    attendance_drop_points: Mapped[int | None]
    mou_stall_days: Mapped[int | None]
    mou_expiring_days: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="committee", cascade="all, delete-orphan",
        order_by="Membership.start")
    stage_history: Mapped[list["StageChange"]] = relationship(
        back_populates="committee", cascade="all, delete-orphan",
        order_by="(StageChange.since, StageChange.id)")

    __mapper_args__ = {"version_id_col": version}

    def threshold(self, name: str) -> int:
        """A health rule's threshold for this committee: its own setting, or the default."""
        return threshold_or_default(name, getattr(self, name))

    @property
    def stage(self) -> "StageChange | None":
        """The stage the committee is in now: the latest of its history."""
        return self.stage_history[-1] if self.stage_history else None

    def __str__(self) -> str:
        return self.name


def threshold_or_default(name: str, value: int | None) -> int:
    """A committee's setting of a health threshold, or the design's default where it has none."""
    return THRESHOLDS[name].default if value is None else value


@dataclass(frozen=True)
class ThresholdSettings:
    """A committee's health thresholds read as a row, for rules that read rows, not models."""

    values: dict

    def threshold(self, name: str) -> int:
        """As Committee.threshold."""
        return threshold_or_default(name, self.values.get(name))


class StageChange(db.Model):
    """The committee entered a collaboration stage on a date."""

    __tablename__ = "stage_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committee.id"), index=True)
    stage: Mapped[str] = mapped_column(String(30))
    since: Mapped[date]
    note: Mapped[str] = mapped_column(Text, default="")

    committee: Mapped[Committee] = relationship(back_populates="stage_history")

    @property
    def label(self) -> str:
        """The stage in words."""
        return STAGES[self.stage]

    def __str__(self) -> str:
        return f"{self.label} since {self.since.isoformat()}"


class Membership(db.Model):
    """A person sits on a committee in a role, representing an agency, for a time."""

    __tablename__ = "membership"

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committee.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    #: the agency represented, usually but not always the person's employer
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    role: Mapped[str] = mapped_column(String(20), default="member")
    start: Mapped[date]
    end: Mapped[date | None]
    version: Mapped[int] = mapped_column(default=1)

    committee: Mapped[Committee] = relationship(back_populates="memberships")
    person: Mapped[Person] = relationship()
    agency: Mapped[Agency] = relationship()

    __mapper_args__ = {"version_id_col": version}

    def holds_on(self, day: date) -> bool:
        """Whether the membership is in force on day (its person still active)."""
        return (self.start <= day and (self.end is None or day <= self.end)
                and self.person.active_on(day))

    @property
    def role_label(self) -> str:
        """The role in words."""
        return ROLES[self.role]

    def __str__(self) -> str:
        return f"{self.person.name} ({ROLES[self.role]})"


def members_loading(many: bool = False) -> tuple:
    """Loader options for who sits on a committee: memberships, people, accounts, agencies.

    Whether a membership holds depends on its person and their account, so
    both come along, joined to the memberships with their agencies: one query
    of rows, not one per relationship. An account's person is the one just
    loaded (lazyload finds it in the identity map).

    many: for all the committees at once (the health report), one query per
    relationship instead. Under CPython 3.11.7, joined loading of a whole
    county made a process that ran the report twice crash at the session's
    close (a segmentation fault in the interpreter's dict code); this way it
    does not, and is as fast at that size.
    """
    from govtrack.accounts.models import Account

    members = selectinload(Committee.memberships)
    if many:
        return (members.selectinload(Membership.person).selectinload(Person.account),
                members.selectinload(Membership.agency))
    return (members.joinedload(Membership.person).joinedload(Person.account)
            .lazyload(Account.person),
            members.joinedload(Membership.agency))


def members_query():
    """The memberships of one committee (bind committee_id) as members_loading() loads them.

    For a page that reads them by a statement of its own, built once, instead of
    through its committee's query: a list loaded that way carries the loader options
    of that query, and working out its cache key costs about half a millisecond.
    """
    from govtrack.accounts.models import Account

    return (select(Membership).where(Membership.committee_id == bindparam("committee_id"))
            .options(joinedload(Membership.person).joinedload(Person.account)
                     .lazyload(Account.person), joinedload(Membership.agency))
            .order_by(Membership.start))


def roster_loading() -> tuple:
    """Loader options for the roster and stage history of committees, many at once.

    A page of one committee takes members_loading() and the stage history instead.
    """
    return (*members_loading(many=True), selectinload(Committee.stage_history))


def membership_loading() -> tuple:
    """Loader options for the memberships alone (dates, roles, people's ids), in one query.

    Enough for the chair's succession checks (chairs.services.vacancy,
    term_ending), which read when each seat starts and ends, not who sits in it.
    """
    return (selectinload(Committee.memberships),)


class SeatRow(NamedTuple):
    """A membership as a row: whose seat, in what role, from when to when."""

    person_id: int
    role: str
    start: date
    end: date | None


@cache
def _roster_rows_query():
    """The memberships of one committee (bound "committee_id") as rows, by start, built once."""
    return (select(Membership.person_id, Membership.role, Membership.start, Membership.end)
            .where(Membership.committee_id == bindparam("committee_id"))
            .order_by(Membership.start, Membership.id))


def roster_rows(committee_id: int) -> list[SeatRow]:
    """The committee's memberships as rows, read once a transaction.

    Who holds a seat in what role, without the people, accounts and agencies of
    members_loading: what a permission question (permissions.committee_roles)
    and the chair's succession checks (chairs.health.succession_of) read on a
    page that shows no roster, one query for both.
    """
    known = per_transaction("committees.roster_rows")
    if known is None or committee_id not in known:
        found = [SeatRow(*row) for row in db.session.execute(
            _roster_rows_query(), {"committee_id": committee_id})]
        if known is None:
            return found
        known[committee_id] = found
    return known[committee_id]


#: session.info keys of what per_transaction keeps
_KEPT: set[str] = set()


def per_transaction(name: str) -> dict | None:
    """A dict kept under name until the session's transaction ends or it writes; None while
    the session holds changes not yet flushed (then read afresh: the query's autoflush sends
    them first, so a service that changed a seat and asks again sees its change)."""
    session = db.session()
    if session.new or session.dirty or session.deleted:
        return None
    _KEPT.add(name)
    return session.info.setdefault(name, {})


@event.listens_for(Session, "after_begin")
@event.listens_for(Session, "after_flush")
@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_soft_rollback")
def _forget(session, *args) -> None:
    """What per_transaction kept is read again in each transaction, and after the session
    writes or rolls back: what it wrote may have changed it."""
    for name in _KEPT:
        session.info.pop(name, None)
