"""Action item and action update records."""

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from govtrack.agencies.models import Person
from govtrack.clock import utcnow
from govtrack.committees.models import Committee
from govtrack.db_types import UTCDateTime
from govtrack.extensions import db

STATUSES = {"open": "Open", "in_progress": "In progress", "blocked": "Blocked",
            "done": "Done", "cancelled": "Cancelled"}
#: statuses of work still to do; overdue rules look only at these
OPEN_STATUSES = frozenset({"open", "in_progress", "blocked"})
ORIGINS = {"meeting": "Meeting", "workgroup": "Workgroup", "mou": "MOU obligation",
           "pdsa": "PDSA cycle", "other": "Other"}


class ActionItem(db.Model):
    """A task with one owner (a person, hence an agency) and a due date."""

    __tablename__ = "action_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committee.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    due: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(20), default="open")
    #: key of the workgroup it belongs to, if any
    workgroup_key: Mapped[str | None] = mapped_column(String(80), index=True)
    origin_kind: Mapped[str] = mapped_column(String(20), default="other")
    #: key of the meeting, workgroup, MOU or PDSA cycle it came from
    origin_ref: Mapped[str | None] = mapped_column(String(80), index=True)
    #: the meeting whose minutes created it, for the minutes' action table
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    committee: Mapped[Committee] = relationship()
    owner: Mapped[Person] = relationship()
    updates: Mapped[list["ActionUpdate"]] = relationship(
        back_populates="action", cascade="all, delete-orphan", order_by="ActionUpdate.at")

    __mapper_args__ = {"version_id_col": version}

    @property
    def status_label(self) -> str:
        """The status in words."""
        return STATUSES[self.status]

    def overdue_on(self, day: date) -> bool:
        """Open work whose due date is before day."""
        return self.status in OPEN_STATUSES and self.due is not None and self.due < day

    def __str__(self) -> str:
        return self.title


class ActionUpdate(db.Model):
    """Who said what about an action item, and the status it moved to."""

    __tablename__ = "action_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action_item.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    status: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")

    action: Mapped[ActionItem] = relationship(back_populates="updates")
    by: Mapped[Person] = relationship()

    @property
    def status_label(self) -> str:
        """The status it moved to, in words ("" for a note alone)."""
        return STATUSES[self.status] if self.status else ""
