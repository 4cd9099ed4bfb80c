"""The sweep: derive every due reminder from live state, store each once, deliver.

A job, not a service: it owns its transactions. Each reminder is inserted
with INSERT ... ON CONFLICT (key) DO NOTHING, so a repeated sweep, a sweep
that died half-way and two sweeps at once all end with one row per reminder.
"""

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, time
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select, update

from govtrack.clock import utcnow
from govtrack.extensions import db
from govtrack.health.services import collector_paused
from govtrack.notifications.models import (
    DAILY_DIGEST,
    DIGEST,
    PENDING,
    Notification,
)
from govtrack.reminders import delivery, lease
from govtrack.reminders.kinds import Due, ReminderKind, forget_shared_reads, shared_reads
from govtrack.reminders.services import email_statuses, reminder_kinds
from govtrack.reminders.upsert import insert_ignoring_duplicates

log = logging.getLogger(__name__)


@dataclass
class SweepReport:
    """What one sweep did (or, dry, would do)."""

    acted: bool = True
    created: int = 0
    #: the kinds whose due() raised: logged, and the other kinds swept all the same
    failed_kinds: list[str] = field(default_factory=list)
    digests: int = 0
    delivered: delivery.DeliveryReport = field(default_factory=delivery.DeliveryReport)
    #: dry run only: the reminders that would be created, and the e-mails that would go
    would_create: list[tuple[Due, str]] = field(default_factory=list)
    would_send: list[Notification] = field(default_factory=list)


@contextmanager
def deriving() -> Iterator[None]:
    """The block in which a sweep derives its reminders, kind after kind.

    Kinds that read the same rows read them once (kinds.shared_reads), and
    Python's cyclic garbage collector waits until the end: the kinds make
    tens of thousands of rows, tuples and reminders, hardly any in cycles, and
    each batch of them set off a collection walking everything alive (a fifth
    of the sweep's time).
    """
    with collector_paused(), shared_reads():
        yield


def due_reminders(at: datetime, kinds: Iterable[ReminderKind],
                  failed: list[str] | None = None) -> list[Due]:
    """Every reminder due at the instant at, one per key (the first one derived wins).

    A kind that raises is logged and named in failed: one feature's bug must
    not stop every other feature's reminders. Kinds that read the same rows
    read them once (kinds.shared_reads).
    """
    seen: dict[str, Due] = {}
    with deriving():
        for kind in kinds:
            try:
                dues = list(kind.due(at))
            except Exception:
                log.exception("reminder kind %s failed; the other kinds are swept", kind.code)
                db.session.rollback()
                forget_shared_reads()
                if failed is not None:
                    failed.append(kind.code)
                continue
            for due in dues:
                seen.setdefault(due.key, due)
    return list(seen.values())


def _existing_keys(keys: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), 500):
        found.update(db.session.scalars(
            select(Notification.key).where(Notification.key.in_(keys[start:start + 500]))))
    return found


def _new(dues: list[Due], kinds) -> list[tuple[Due, str]]:
    """The reminders not stored yet, each with the outbox state it starts in."""
    known = _existing_keys([d.key for d in dues])
    fresh = [d for d in dues if d.key not in known]
    statuses = email_statuses({(d.person_id, d.kind) for d in fresh}, kinds)
    return [(d, statuses[(d.person_id, d.kind)]) for d in fresh]


def store(dues: list[Due], kinds, now: datetime | None = None) -> int:
    """Insert the reminders not stored yet, in batches, committing each; how many were new."""
    created = 0
    fresh = _new(dues, kinds)
    # End the reading transaction: on SQLite a write after reads fails if another
    # process (a sender) wrote in between; each batch below starts with its write.
    db.session.rollback()
    for start in range(0, len(fresh), 200):
        now_ = now or utcnow()
        rows = [{"person_id": d.person_id, "key": d.key, "kind": d.kind,
                 "subject": d.subject[:300], "body": d.body, "link": d.link[:500],
                 "committee_id": d.committee_id, "created_at": now_, "email_status": status,
                 "attempts": 0, "last_error": "",
                 "next_attempt_at": now_ if status == PENDING else None,
                 "attachments": [asdict(a) for a in d.attachments]}
                for d, status in fresh[start:start + 200]]
        result = db.session.execute(
            insert_ignoring_duplicates(Notification, ["key"]).returning(Notification.id), rows)
        created += len(result.all())
        db.session.commit()
    return created


# -- the daily digest -------------------------------------------------------

def _zone(config) -> ZoneInfo:
    return ZoneInfo(config["DIGEST_TIMEZONE"])


def digest_time(config) -> time:
    """DIGEST_TIME as a time of day."""
    return time.fromisoformat(config["DIGEST_TIME"])


def digest_due(now: datetime, config) -> bool:
    """Whether today's digests are owed: past DIGEST_TIME locally and not made yet today.

    Lets the regular sweep catch up on a digest the scheduler was down for.
    """
    local = now.astimezone(_zone(config))
    if local.time() < digest_time(config):
        return False
    last = lease.last_done(lease.DIGEST)
    return last is None or last.astimezone(_zone(config)).date() < local.date()


def make_digests(now: datetime, config) -> int:
    """One digest e-mail per person with notices waiting for it; commits; how many made.

    Keyed by person and local day, so a second run on the same day makes none;
    notices arriving after today's digest wait for tomorrow's.
    """
    day = now.astimezone(_zone(config)).date()
    waiting = (Notification.email_status == DIGEST, Notification.digest_id.is_(None),
               Notification.created_at <= now)
    people = list(db.session.scalars(
        select(Notification.person_id).where(*waiting).distinct()
        .order_by(Notification.person_id)))
    db.session.rollback()  # each person's digest starts with its write (see store)
    made = 0
    for person_id in people:
        inserted = db.session.execute(
            insert_ignoring_duplicates(Notification, ["key"]).returning(Notification.id),
            [{"person_id": person_id, "key": f"digest.{person_id}.{day.isoformat()}",
              "kind": DAILY_DIGEST, "subject": f"Your govtrack digest of {day:%d %B %Y}",
              "body": "", "link": "/inbox", "created_at": now, "read_at": now,
              "email_status": PENDING, "attempts": 0, "last_error": "",
              "next_attempt_at": now, "attachments": []}]).scalar()
        if inserted is not None:
            count = db.session.execute(
                update(Notification).where(Notification.person_id == person_id, *waiting)
                .values(digest_id=inserted),
                execution_options={"synchronize_session": False}).rowcount
            db.session.execute(
                update(Notification).where(Notification.id == inserted)
                .values(subject=f"Your govtrack digest of {day:%d %B %Y}: {count} "
                                f"{'notice' if count == 1 else 'notices'}"),
                execution_options={"synchronize_session": False})
            made += 1
        db.session.commit()
    return made


# -- the jobs ---------------------------------------------------------------

def sweep(at: datetime | None = None, kinds: Iterable[ReminderKind] | None = None, *,
          holder: str | None = None, deliver: bool = True, digests: bool | None = None,
          config=None) -> SweepReport:
    """One sweep, if no other is acting: store what is due at `at`, make owed digests, deliver.

    at is the instant the kinds evaluate (default now); rows are stamped with
    the real time. digests=None makes them when owed (digest_due).
    """
    config = config or current_app.config
    kinds = reminder_kinds(kinds)
    with lease.acting(lease.SWEEP, holder, config["REMINDER_LEASE_SECONDS"]) as acting:
        if not acting:
            return SweepReport(acted=False)
        now = utcnow()
        report = SweepReport()
        report.created = store(due_reminders(at or now, kinds, report.failed_kinds), kinds)
        if digests or (digests is None and digest_due(now, config)):
            report.digests = make_digests(now, config)
            lease.record_done(lease.DIGEST)
        lease.record_done(lease.SWEEP)
        if deliver:
            report.delivered = delivery.deliver(config, kinds=kinds)
        return report


def digest(holder: str | None = None, config=None) -> SweepReport:
    """The daily digest job: a sweep that makes today's digests whatever the hour."""
    return sweep(holder=holder, digests=True, config=config)


def dry_run(at: datetime | None = None, kinds: Iterable[ReminderKind] | None = None
            ) -> SweepReport:
    """What a sweep at `at` would create and send; stores nothing."""
    kinds = reminder_kinds(kinds)
    now = utcnow()
    try:
        report = SweepReport()
        report.would_create = _new(due_reminders(at or now, kinds, report.failed_kinds), kinds)
        report.would_send = list(db.session.scalars(
            select(Notification).where(*delivery.due_for_sending(now))
            .order_by(Notification.next_attempt_at, Notification.id)))
    finally:
        db.session.rollback()
    return report
