"""Notification records: the in-app inbox, and the reminders outbox its e-mail goes from."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from govtrack.agencies.models import Person
from govtrack.clock import utcnow
from govtrack.db_types import UTCDateTime
from govtrack.extensions import db

#: e-mail states of a notice: waiting to be sent (or retried), sent, refused for good
#: (an administrator may retry it), not to be mailed (preference, no address), or
#: left to the person's daily digest
PENDING, SENT, FAILED, SKIPPED, DIGEST = "pending", "sent", "failed", "skipped", "digest"
EMAIL_STATUSES = (PENDING, SENT, FAILED, SKIPPED, DIGEST)
#: the kind of the row a daily digest e-mail goes from (never shown in the inbox)
DAILY_DIGEST = "daily_digest"


class Notification(db.Model):
    """One notice to one person, shown in their inbox until they mark it read.

    The same row is the reminder's outbox entry: its e-mail is sent from it,
    with a Message-ID derived from key, so in-app and e-mail never disagree.
    """

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_person_read", "person_id", "read_at"),
                      Index("ix_notification_email_due", "email_status", "next_attempt_at"))

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
    #: the reminder kind's code (None for a notice sent by an event, not by the sweep)
    kind: Mapped[str | None] = mapped_column(String(60))
    committee_id: Mapped[int | None] = mapped_column(ForeignKey("committee.id"), index=True)
    email_status: Mapped[str] = mapped_column(String(10), default=PENDING,
                                              server_default=PENDING)
    #: delivery attempts so far (counted when a sender claims the row)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    last_error: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: when a pending e-mail may next be tried (backoff after a failure)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: a sender's claim: until then no other sender takes the row; a crashed
    #: sender's rows are taken again once it has passed
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    message_id: Mapped[str | None] = mapped_column(String(300))
    #: files built when the e-mail is sent: [{"filename", "mimetype", "source", "document"}]
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list,
                                                               server_default="[]")
    #: the daily digest e-mail (a row of kind DAILY_DIGEST) that lists this notice
    digest_id: Mapped[int | None] = mapped_column(ForeignKey("notification.id"), index=True)

    person: Mapped[Person] = relationship()
    #: the committee the notice is about, named in the inbox (None for a person's own notices)
    committee = relationship("Committee")

    def __str__(self) -> str:
        return self.subject
