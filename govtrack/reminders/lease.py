"""One sweep acts at a time: a lease row in the database, and a PostgreSQL advisory lock.

The lease row works on every database and survives a holder that died (it
expires); the advisory lock, held on its own connection for the whole sweep,
also covers a sweep that outlives its lease, and PostgreSQL drops it the
moment the holder's connection dies.
"""

import os
import socket
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, text, update

from govtrack.clock import utcnow
from govtrack.extensions import db
from govtrack.reminders.models import SchedulerLease
from govtrack.reminders.upsert import insert_ignoring_duplicates

#: the lease every sweep and digest run takes
SWEEP = "sweep"
#: a row that only records when the day's digests were last made
DIGEST = "digest"


def holder_name() -> str:
    """This process, as a lease holder: host and pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _ensure_row(name: str) -> None:
    db.session.execute(insert_ignoring_duplicates(SchedulerLease, ["name"]),
                       [{"name": name, "holder": "", "until": None}])


def take(name: str, holder: str, seconds: float, now: datetime | None = None) -> bool:
    """Take the lease if it is free, expired or already ours; commits."""
    now = now or utcnow()
    _ensure_row(name)
    result = db.session.execute(
        update(SchedulerLease)
        .where(SchedulerLease.name == name,
               or_(SchedulerLease.until.is_(None), SchedulerLease.until < now,
                   SchedulerLease.holder == holder))
        .values(holder=holder, until=now + timedelta(seconds=seconds)),
        execution_options={"synchronize_session": False})
    db.session.commit()
    return result.rowcount == 1


def release(name: str, holder: str) -> None:
    """Give the lease back at once (only if still ours); commits."""
    db.session.execute(
        update(SchedulerLease)
        .where(SchedulerLease.name == name, SchedulerLease.holder == holder)
        .values(holder="", until=None),
        execution_options={"synchronize_session": False})
    db.session.commit()


def record_done(name: str, now: datetime | None = None) -> None:
    """Note that the job finished now (the outbox page's health line reads it); commits."""
    _ensure_row(name)
    db.session.execute(update(SchedulerLease).where(SchedulerLease.name == name)
                       .values(last_done_at=now or utcnow()),
                       execution_options={"synchronize_session": False})
    db.session.commit()


def last_done(name: str) -> datetime | None:
    """When the job last finished, or None if never."""
    return db.session.scalar(select(SchedulerLease.last_done_at)
                             .where(SchedulerLease.name == name))


def _advisory_key(name: str) -> int:
    return zlib.crc32(f"govtrack:{name}".encode())


@contextmanager
def acting(name: str, holder: str | None = None, seconds: float = 600) -> Iterator[bool]:
    """Yield True to the one process that may act now, False to every other."""
    holder = holder or holder_name()
    connection = None
    if db.engine.dialect.name == "postgresql":
        connection = db.engine.connect()
        got = connection.scalar(select(func.pg_try_advisory_lock(_advisory_key(name))))
        connection.commit()
        if not got:
            connection.close()
            yield False
            return
    try:
        if not take(name, holder, seconds):
            yield False
            return
        try:
            yield True
        finally:
            db.session.rollback()
            release(name, holder)
    finally:
        if connection is not None:
            try:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"),
                                   {"key": _advisory_key(name)})
                connection.commit()
            except Exception:
                # Never hand the pool a connection that may still hold the lock.
                connection.invalidate()
                raise
            finally:
                connection.close()
