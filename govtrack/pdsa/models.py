"""Measure, data point, PDSA cycle and phase change records."""

from datetime import date, datetime

from sqlalchemy import Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from govtrack.agencies.models import Agency, Person
from govtrack.clock import utcnow
from govtrack.committees.models import Committee
from govtrack.db_types import UTCDateTime
from govtrack.extensions import db
from govtrack.workgroups.models import Goal, Workgroup

MEASURE_KINDS = {"outcome": "Outcome", "process": "Process", "balancing": "Balancing"}
DIRECTIONS = {"down": "Lower is better", "up": "Higher is better"}
FREQUENCIES = {"weekly": "Weekly", "monthly": "Monthly", "quarterly": "Quarterly",
               "yearly": "Yearly"}
#: a cycle moves forward one phase at a time; closed ends it
PHASES = ("plan", "do", "study", "act", "closed")
PHASE_NAMES = {"plan": "Plan", "do": "Do", "study": "Study", "act": "Act", "closed": "Closed"}
DECISIONS = {"adopt": "Adopt", "adapt": "Adapt", "abandon": "Abandon"}


class Measure(db.Model):
    """An outcome, process or balancing measure with dated points and a run chart."""

    __tablename__ = "measure"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committee.id"), index=True)
    workgroup_id: Mapped[int | None] = mapped_column(ForeignKey("workgroup.id"))
    name: Mapped[str] = mapped_column(String(200))
    definition: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[str] = mapped_column(String(50), default="")
    kind: Mapped[str] = mapped_column(String(20), default="outcome")
    #: the direction of improvement: "down" when lower is better
    direction: Mapped[str] = mapped_column(String(10), default="down")
    frequency: Mapped[str] = mapped_column(String(20), default="monthly")
    source_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    #: "anhoej" (default) or "ihi": which run-chart rules judge the points
    rules: Mapped[str] = mapped_column(String(20), default="anhoej")
    #: how many first points of a segment give its median; None: all of them
    baseline_points: Mapped[int | None]
    #: a new baseline starts here, after a sustained shift; the chart shows both medians
    reset_on: Mapped[date | None]
    #: draw the XmR (individuals) limits from the average moving range
    show_limits: Mapped[bool] = mapped_column(default=False)
    #: the value the committee aims for, drawn as the goal line; None: no target
    target: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    committee: Mapped[Committee] = relationship(
        backref=db.backref("measures", order_by="Measure.name", cascade="all, delete-orphan"))
    workgroup: Mapped[Workgroup | None] = relationship()
    source_agency: Mapped[Agency | None] = relationship()
    points: Mapped[list["DataPoint"]] = relationship(
        back_populates="measure", cascade="all, delete-orphan", order_by="DataPoint.day")

    __mapper_args__ = {"version_id_col": version}

    def __str__(self) -> str:
        return self.name


class DataPoint(db.Model):
    """One dated value of a measure; a date has one value."""

    __tablename__ = "data_point"
    __table_args__ = (UniqueConstraint("measure_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measure.id", ondelete="CASCADE"),
                                            index=True)
    day: Mapped[date]
    value: Mapped[float] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")

    measure: Mapped[Measure] = relationship(back_populates="points")

    def __str__(self) -> str:
        return f"{self.day.isoformat()}: {self.value:g}"


class PdsaCycle(db.Model):
    """A Plan-Do-Study-Act cycle under a workgroup goal; cycles chain into a ramp."""

    __tablename__ = "pdsa_cycle"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goal.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    phase: Mapped[str] = mapped_column(String(10), default="plan")
    #: the cycle this one follows in the ramp (an adapted one, usually)
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("pdsa_cycle.id"))
    # Plan
    objective: Mapped[str] = mapped_column(Text, default="")
    questions: Mapped[str] = mapped_column(Text, default="")
    predictions: Mapped[str] = mapped_column(Text, default="")
    who_what_where_when: Mapped[str] = mapped_column(Text, default="")
    #: keys of the measures to collect, space-separated
    measure_keys: Mapped[str] = mapped_column(Text, default="")
    study_due: Mapped[date | None]
    # Do
    carried_out: Mapped[str] = mapped_column(Text, default="")
    observations: Mapped[str] = mapped_column(Text, default="")
    problems: Mapped[str] = mapped_column(Text, default="")
    # Study
    results: Mapped[str] = mapped_column(Text, default="")
    lessons: Mapped[str] = mapped_column(Text, default="")
    # Act
    decision: Mapped[str | None] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    goal: Mapped[Goal] = relationship(
        backref=db.backref("pdsa_cycles", order_by="PdsaCycle.id", cascade="all, delete-orphan"))
    owner: Mapped[Person | None] = relationship()
    #: set after the cycles are inserted (post_update), so a ramp that branches is stored
    #: in the order it was written, not in the order its links would force
    previous: Mapped["PdsaCycle | None"] = relationship(remote_side=[id], post_update=True)
    phase_history: Mapped[list["PhaseChange"]] = relationship(
        back_populates="cycle", cascade="all, delete-orphan",
        order_by="(PhaseChange.since, PhaseChange.id)")

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_adaptable(self) -> bool:
        """An adapted cycle starts from one whose decision is adapt, once it reached Act."""
        return self.decision == "adapt" and self.phase in ("act", "closed")

    @property
    def phase_since(self) -> date | None:
        """The date the cycle entered its current phase."""
        dates = [c.since for c in self.phase_history if c.phase == self.phase]
        return max(dates) if dates else None

    @property
    def started_on(self) -> date | None:
        """The date of its first phase (Plan)."""
        return min((c.since for c in self.phase_history), default=None)

    @property
    def measures(self) -> list[str]:
        """Keys of the measures the plan collects."""
        return self.measure_keys.split()

    def __str__(self) -> str:
        return self.title


class PhaseChange(db.Model):
    """The day a cycle entered a phase: the cycle's dated phase history."""

    __tablename__ = "pdsa_phase_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("pdsa_cycle.id", ondelete="CASCADE"),
                                          index=True)
    phase: Mapped[str] = mapped_column(String(10))
    since: Mapped[date]
    #: when it was recorded (the audit trail has who)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    cycle: Mapped[PdsaCycle] = relationship(back_populates="phase_history")

    def __str__(self) -> str:
        return f"{PHASE_NAMES[self.phase]} since {self.since.isoformat()}"
