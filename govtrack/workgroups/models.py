"""Workgroup, member, update, goal and milestone records."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from govtrack.agencies.models import Person
from govtrack.clock import utcnow
from govtrack.committees.models import Committee
from govtrack.db_types import UTCDateTime
from govtrack.extensions import db

REPORT_BACK = {"every_meeting": "At every meeting", "monthly": "Monthly",
               "quarterly": "Quarterly"}
MILESTONE_STATUSES = {"open": "Open", "done": "Done", "cancelled": "Cancelled"}
CLOSE_REASONS = {"achieved": "Its charge was achieved", "merged": "Merged into other work",
                 "abandoned": "Abandoned"}
GOAL_STATUSES = {"open": "Open", "achieved": "Achieved", "cancelled": "Cancelled"}

workgroup_member = Table(
    "workgroup_member", db.metadata,
    Column("workgroup_id", ForeignKey("workgroup.id", ondelete="CASCADE"), primary_key=True),
    Column("person_id", ForeignKey("person.id"), primary_key=True),
    # the key leads with the workgroup; My work asks for a person's workgroups
    Index("ix_workgroup_member_person_id", "person_id"),
)


class Workgroup(db.Model):
    """A committee's workgroup: a charge, a lead, cross-agency members, goals."""

    __tablename__ = "workgroup"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committee.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    #: what the committee asked the workgroup to do
    charge: Mapped[str] = mapped_column(Text, default="")
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    report_back: Mapped[str] = mapped_column(String(20), default="every_meeting")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: why it closed: achieved, merged or abandoned (CLOSE_REASONS)
    closed_reason: Mapped[str | None] = mapped_column(String(20))
    #: what the committee should remember about it (where merged work went, lessons)
    closed_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    version: Mapped[int] = mapped_column(default=1)

    committee: Mapped[Committee] = relationship(
        backref=db.backref("workgroups", order_by="Workgroup.name",
                           cascade="all, delete-orphan"))
    lead: Mapped[Person | None] = relationship()
    members: Mapped[list[Person]] = relationship(secondary=workgroup_member,
                                                 order_by="Person.name")
    updates: Mapped[list["WorkgroupUpdate"]] = relationship(
        back_populates="workgroup", cascade="all, delete-orphan",
        order_by="WorkgroupUpdate.at")
    goals: Mapped[list["Goal"]] = relationship(
        back_populates="workgroup", cascade="all, delete-orphan", order_by="Goal.id")

    __mapper_args__ = {"version_id_col": version}

    @property
    def closed_reason_label(self) -> str:
        """Why it closed, in words ("" while open)."""
        return CLOSE_REASONS.get(self.closed_reason or "", "")

    def open_on(self, day: date) -> bool:
        """Open on day, on the committee's wall clock (see open_on)."""
        return open_on(self, day)

    def __str__(self) -> str:
        return self.name


class WorkgroupUpdate(db.Model):
    """A status update of the workgroup as a whole."""

    __tablename__ = "workgroup_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    workgroup_id: Mapped[int] = mapped_column(ForeignKey("workgroup.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    text: Mapped[str] = mapped_column(Text, default="")
    #: the report-back agenda item whose minuted notes this update is (DESIGN: report-back)
    agenda_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_item.id", ondelete="SET NULL"), unique=True)

    workgroup: Mapped[Workgroup] = relationship(back_populates="updates")
    by: Mapped[Person] = relationship()


class Goal(db.Model):
    """A workgroup goal, reached through milestones (and PDSA cycles)."""

    __tablename__ = "goal"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    workgroup_id: Mapped[int] = mapped_column(ForeignKey("workgroup.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    #: the date by which the goal should be reached; milestones fall before it
    end_date: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(20), default="open", server_default="open")
    #: when the goal was marked achieved or cancelled
    status_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    workgroup: Mapped[Workgroup] = relationship(back_populates="goals")
    milestones: Mapped[list["Milestone"]] = relationship(
        back_populates="goal", cascade="all, delete-orphan",
        order_by="(Milestone.due, Milestone.id)")

    __mapper_args__ = {"version_id_col": version}

    @property
    def status_label(self) -> str:
        """The status in words."""
        return GOAL_STATUSES[self.status]

    def __str__(self) -> str:
        return self.title


class Milestone(db.Model):
    """A dated step towards a goal, with an owner."""

    __tablename__ = "milestone"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goal.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    due: Mapped[date]
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    status: Mapped[str] = mapped_column(String(20), default="open")
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)

    goal: Mapped[Goal] = relationship(back_populates="milestones")
    owner: Mapped[Person | None] = relationship()
    #: every re-dating, oldest first: a slip stays visible after the new date is set
    due_changes: Mapped[list["MilestoneDueChange"]] = relationship(
        back_populates="milestone", cascade="all, delete-orphan",
        order_by="(MilestoneDueChange.at, MilestoneDueChange.id)")

    __mapper_args__ = {"version_id_col": version}

    def overdue_on(self, day: date) -> bool:
        """An open milestone due before day."""
        return self.status == "open" and self.due < day

    @property
    def first_due(self) -> date:
        """The due date the milestone was first given."""
        return self.due_changes[0].old_due if self.due_changes else self.due

    @property
    def slipped_days(self) -> int:
        """How many days later than first planned it is now due (0 if not later)."""
        return max(0, (self.due - self.first_due).days)

    def __str__(self) -> str:
        return self.title


class MilestoneDueChange(db.Model):
    """A milestone moved from one due date to another: who, when and why."""

    __tablename__ = "milestone_due_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    milestone_id: Mapped[int] = mapped_column(
        ForeignKey("milestone.id", ondelete="CASCADE"), index=True)
    old_due: Mapped[date]
    new_due: Mapped[date]
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    reason: Mapped[str] = mapped_column(Text, default="")

    milestone: Mapped[Milestone] = relationship(back_populates="due_changes")
    by: Mapped[Person | None] = relationship()


def day_of(workgroup, instant: datetime) -> date:
    """The date of an instant on the workgroup's committee's wall clock."""
    return instant.astimezone(ZoneInfo(workgroup.committee.timezone)).date()


def open_on(workgroup, day: date) -> bool:
    """Open on day: created on or before it and not closed on or before it.

    The one definition pages and health rules share: dates are the committee's
    wall-clock dates, so a workgroup closed at 22:00 in New York is closed that
    day everywhere. Takes a Workgroup or the rules' row-built record of one.
    """
    if day_of(workgroup, workgroup.created_at) > day:
        return False
    return workgroup.closed_at is None or day_of(workgroup, workgroup.closed_at) > day
