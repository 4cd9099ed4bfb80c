"""Reminder preferences and the outbox: the rules people and administrators act through.

Services take the acting account, write the audit trail and leave committing
to the caller. The sweep and the delivery step (sweep.py, delivery.py) are
jobs: they own their transactions.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from govtrack import audit, features
from govtrack.clock import utcnow
from govtrack.editing import DomainError
from govtrack.extensions import db
from govtrack.notifications.models import (
    DIGEST,
    EMAIL_STATUSES,
    FAILED,
    PENDING,
    SENT,
    SKIPPED,
    Notification,
)
from govtrack.permissions import can_change_reminders
from govtrack.reminders import lease
from govtrack.reminders.kinds import ReminderKind
from govtrack.reminders.models import DELIVERIES, IMMEDIATELY, IN_DIGEST, OFF, ReminderPreference

#: the outbox state a new reminder starts in, by the person's choice
_STATUS_BY_DELIVERY = {IMMEDIATELY: PENDING, IN_DIGEST: DIGEST, OFF: SKIPPED}


def reminder_kinds(kinds: Iterable[ReminderKind] | None = None) -> tuple[ReminderKind, ...]:
    """The kinds in force: the features' list unless a caller (a test) names others."""
    return tuple(features.REMINDER_KINDS if kinds is None else kinds)


def allowed_deliveries(kind: ReminderKind) -> list[str]:
    """The choices a person has for kind: a mandatory one cannot be switched off."""
    return [d for d in DELIVERIES if not (kind.mandatory and d == OFF)]


def preferences_of(person, kinds: Iterable[ReminderKind] | None = None) -> dict[str, str]:
    """person's choice for every kind (immediately unless they chose otherwise)."""
    kinds = reminder_kinds(kinds)
    stored = dict(db.session.execute(
        select(ReminderPreference.kind, ReminderPreference.delivery)
        .where(ReminderPreference.person_id == person.id)).tuples().all())
    return {kind.code: _effective(kind, stored.get(kind.code)) for kind in kinds}


def _effective(kind: ReminderKind | None, delivery: str | None) -> str:
    """A stored choice as it applies now: a kind made mandatory later is not off."""
    if delivery not in DELIVERIES or (delivery == OFF and kind is not None and kind.mandatory):
        return IMMEDIATELY
    return delivery


def set_preferences(actor, person, choices: dict[str, str],
                    kinds: Iterable[ReminderKind] | None = None) -> int:
    """Store person's choices by kind code; returns how many changed.

    Refuses "not at all" for a mandatory kind: a signature request or a
    vacant chair left unread is exactly the failure govtrack exists to stop.
    """
    if not can_change_reminders(actor, person):
        raise DomainError("Only the person themselves can change their reminders.")
    by_code = {kind.code: kind for kind in reminder_kinds(kinds)}
    existing = {p.kind: p for p in db.session.scalars(
        select(ReminderPreference).where(ReminderPreference.person_id == person.id))}
    changed = 0
    for code, delivery in choices.items():
        kind = by_code.get(code)
        if kind is None:
            raise DomainError(f"There is no kind of reminder called {code!r}.")
        if delivery not in allowed_deliveries(kind):
            raise DomainError(f"“{kind.words}” cannot be switched off.", field=code)
        row = existing.get(code)
        if row is None:
            if delivery == IMMEDIATELY:
                continue  # the default needs no row
            row = ReminderPreference(person_id=person.id, kind=code, delivery=delivery,
                                     updated_at=utcnow())
            db.session.add(row)
            audit.record(actor, "create", row, label=f"{person.name}: {row}")
        elif row.delivery != delivery:
            row.delivery, row.updated_at = delivery, utcnow()
            audit.record(actor, "update", row, label=f"{person.name}: {row}")
        else:
            continue
        changed += 1
    return changed


def email_statuses(pairs: Iterable[tuple[int, str]],
                   kinds: Iterable[ReminderKind] | None = None) -> dict[tuple[int, str], str]:
    """The outbox state new reminders start in, per (person id, kind code), in one query."""
    pairs = set(pairs)
    by_code = {kind.code: kind for kind in reminder_kinds(kinds)}
    stored: dict[tuple[int, str], str] = {}
    person_ids = sorted({person_id for person_id, _ in pairs})
    for start in range(0, len(person_ids), 500):
        chunk = person_ids[start:start + 500]
        for person_id, code, delivery in db.session.execute(
                select(ReminderPreference.person_id, ReminderPreference.kind,
                       ReminderPreference.delivery)
                .where(ReminderPreference.person_id.in_(chunk))):
            stored[(person_id, code)] = delivery
    return {pair: _STATUS_BY_DELIVERY[_effective(by_code.get(pair[1]), stored.get(pair))]
            for pair in pairs}


# -- the outbox -------------------------------------------------------------

#: what the outbox page shows, and in which order
OUTBOX_TABS = (PENDING, FAILED, SENT, DIGEST, SKIPPED)


def outbox(status: str, limit: int = 200) -> list[Notification]:
    """The outbox rows in one state, those needing attention first; two queries."""
    if status not in EMAIL_STATUSES:
        raise DomainError(f"No such state: {status!r}.")
    order = ((Notification.sent_at.desc(),) if status == SENT
             else (Notification.next_attempt_at, Notification.created_at.desc()))
    return list(db.session.scalars(
        select(Notification).where(Notification.email_status == status)
        .options(selectinload(Notification.person))
        .order_by(*order, Notification.id.desc()).limit(limit)))


def outbox_counts() -> dict[str, int]:
    """How many rows are in each state: one GROUP BY query."""
    counts = dict.fromkeys(EMAIL_STATUSES, 0)
    counts.update(db.session.execute(
        select(Notification.email_status, func.count(Notification.id))
        .group_by(Notification.email_status)).tuples().all())
    return counts


def retry_now(actor, notification: Notification, now: datetime | None = None) -> None:
    """Put a pending or failed e-mail back at the head of the queue, now.

    The attempts already made stay counted; only the wait is cut short.
    """
    if notification.email_status not in (PENDING, FAILED):
        raise DomainError("Only a pending or failed e-mail can be retried.")
    notification.email_status = PENDING
    notification.next_attempt_at = now or utcnow()
    notification.lease_until = None
    audit.record(actor, "update", notification, label=f"e-mail “{notification.subject}”",
                 changes={"email_status": ["retry now", PENDING]})


def outbox_row(notification_id: int) -> Notification | None:
    """One outbox row (any kind but the digests' own rows, which are retried the same way)."""
    return db.session.get(Notification, notification_id)


def sweep_health(interval_minutes: float, now: datetime | None = None) -> str | None:
    """A warning when the scheduler has not swept for twice its interval; None when fine."""
    now = now or utcnow()
    last = lease.last_done(lease.SWEEP)
    if last is None:
        return ("The scheduler has never swept: reminders are not being sent. "
                "Start it with `flask --app wsgi govtrack scheduler`.")
    if now - last > timedelta(minutes=2 * interval_minutes):
        minutes = int((now - last).total_seconds() // 60)
        return (f"The scheduler last swept {minutes} minutes ago (it should every "
                f"{interval_minutes:g} minutes): check that `flask --app wsgi govtrack "
                "scheduler` is running.")
    return None

