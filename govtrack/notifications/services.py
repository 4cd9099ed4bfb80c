"""notify(): the one way a notice reaches a person's inbox.

Each notice is also an outbox row: the reminders' delivery step
(govtrack/reminders/delivery.py, run by the scheduler) e-mails it after it is
committed, with a Message-ID derived from its key.
"""

from datetime import datetime
from functools import cache

from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from govtrack.clock import utcnow
from govtrack.extensions import db
from govtrack.notifications.models import DAILY_DIGEST, PENDING, Notification

#: inbox rows: every notice except the rows daily digest e-mails go from
_SHOWN = or_(Notification.kind.is_(None), Notification.kind != DAILY_DIGEST)


def notify(person, key: str, subject: str, body: str = "", link: str = "", *,
           kind: str | None = None, committee_id: int | None = None) -> Notification | None:
    """Put a notice in person's inbox, once per key; None if key was already used.

    Callers derive key from what the notice is about (say
    "mou:7:v2:sign-request:3:12"), so a sweep that runs twice, or an event
    handled twice, tells nobody twice. Leaves committing to the caller.
    """
    if _known(key):
        return None
    now = utcnow()
    notification = Notification(person_id=person.id, key=key, subject=subject[:300],
                                body=body, link=link[:500], created_at=now, kind=kind,
                                committee_id=committee_id, email_status=PENDING,
                                next_attempt_at=now)
    try:
        # A savepoint: another worker that told the same person the same thing a
        # moment ago makes this insert a duplicate; skip it, keep the caller's work.
        with db.session.begin_nested():
            db.session.add(notification)
    except IntegrityError:
        return None
    return notification


def _known(key: str) -> bool:
    """Whether a notice with key is stored or waiting in this transaction."""
    return any(isinstance(n, Notification) and n.key == key for n in db.session.new) or (
        db.session.scalar(select(Notification.id).where(Notification.key == key)) is not None)


# The statements every page runs, built once: SQLAlchemy keys its compiled-SQL cache by
# the statement, and working that key out for a fresh one costs CPU on every request.
_UNREAD_COUNT = select(func.count(Notification.id)).where(
    Notification.person_id == bindparam("person_id"), Notification.read_at.is_(None), _SHOWN)


@cache
def _inbox_query(unread_only: bool):
    query = select(Notification).where(Notification.person_id == bindparam("person_id"),
                                       _SHOWN)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return query.options(joinedload(Notification.committee)).order_by(
        Notification.created_at.desc(), Notification.id.desc())


def unread_count(person) -> int:
    """How many notices person has not read: one COUNT query (the header shows it)."""
    return db.session.scalar(_UNREAD_COUNT, {"person_id": person.id}) or 0


def inbox(person, unread_only: bool = False) -> list[Notification]:
    """person's notices, newest first."""
    return list(db.session.scalars(_inbox_query(unread_only), {"person_id": person.id}))


def notification_of(person, notification_id: int) -> Notification | None:
    """One of person's notices by id; None for anyone else's (a 404 in the views)."""
    return db.session.scalar(select(Notification).where(
        Notification.id == notification_id, Notification.person_id == person.id, _SHOWN))


def mark_read(notification: Notification, now: datetime | None = None) -> None:
    """Mark one notice read (reading it again keeps the first time)."""
    if notification.read_at is None:
        notification.read_at = now or utcnow()


def mark_all_read(person, now: datetime | None = None) -> int:
    """Mark every unread notice of person read; returns how many."""
    result = db.session.execute(
        update(Notification)
        .where(Notification.person_id == person.id, Notification.read_at.is_(None), _SHOWN)
        .values(read_at=now or utcnow()))
    return result.rowcount or 0
