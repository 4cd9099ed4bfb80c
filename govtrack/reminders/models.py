"""Reminder preferences, and the lease that lets one sweep act at a time."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from govtrack.clock import utcnow
from govtrack.db_types import UTCDateTime
from govtrack.extensions import db

#: how a person wants a kind of reminder by e-mail (the inbox always has it)
IMMEDIATELY, IN_DIGEST, OFF = "immediately", "digest", "off"
DELIVERIES = {IMMEDIATELY: "Immediately", IN_DIGEST: "In the daily digest", OFF: "Not at all"}


class ReminderPreference(db.Model):
    """How one person gets one kind of reminder by e-mail; no row means immediately."""

    __tablename__ = "reminder_preference"
    __table_args__ = (UniqueConstraint("person_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    #: a ReminderKind's code
    kind: Mapped[str] = mapped_column(String(60))
    delivery: Mapped[str] = mapped_column(String(12), default=IMMEDIATELY)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __str__(self) -> str:
        return f"{self.kind}: {DELIVERIES.get(self.delivery, self.delivery)}"


class SchedulerLease(db.Model):
    """A named job's lease: whoever holds it until `until` is the one that acts.

    Taken with a conditional UPDATE, so however many schedulers run on however
    many hosts, one sweep acts at a time; a holder that died loses it when
    `until` passes.
    """

    __tablename__ = "scheduler_lease"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    #: "host:pid" of the holder ("" when free)
    holder: Mapped[str] = mapped_column(String(200), default="")
    until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: when the job last finished (the outbox page warns when it is too long ago)
    last_done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
