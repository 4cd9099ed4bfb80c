"""Notification records: the in-app inbox."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from govtrack.agencies.models import Person
from govtrack.clock import utcnow
from govtrack.db_types import UTCDateTime
from govtrack.extensions import db


class Notification(db.Model):
    """One notice to one person, shown in their inbox until they mark it read."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_person_read", "person_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    #: idempotency key naming what the notice is about: a second notify() with it does nothing
    key: Mapped[str] = mapped_column(String(200), unique=True)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    #: a path inside govtrack (no host: the sweep runs outside any request)
    link: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    person: Mapped[Person] = relationship()

    def __str__(self) -> str:
        return self.subject
