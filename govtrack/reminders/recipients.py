"""What every feature's reminder kinds need: who sits where, who is still active, local times.

Each helper reads many records at once (one query), so a kind's due(now)
stays a fixed number of queries however many records it looks at. Imports
only the records it reads (no feature's services), so any feature's
reminders.py may use it.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy import select

from govtrack.accounts.models import Account
from govtrack.agencies.models import Person
from govtrack.committees.models import Committee, Membership
from govtrack.extensions import db

#: how long after its threshold a one-off reminder about something past is still worth
#: sending ("minutes not recorded", "milestone overdue", ...): a sweep down for a day or two
#: catches up, a county imported with years of history does not get years of reminders
LATE_LIMIT = timedelta(days=30)
#: how long after an event (published, changed, moved, declined) its reminder may still go
EVENT_LIMIT = timedelta(days=7)


def local_day(now: datetime, timezone: str) -> date:
    """The date of the instant now on a committee's wall clock."""
    return now.astimezone(ZoneInfo(timezone)).date()


def when(instant: datetime, timezone: str) -> str:
    """An instant as a committee reads it: "Tue 8 Dec 2026, 14:00 EST"."""
    local = instant.astimezone(ZoneInfo(timezone))
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M} {local.tzname()}"


@lru_cache(maxsize=4096)
def day_text(day: date) -> str:
    """A date in words: "8 Dec 2026" (worked out once per date: a sweep words thousands)."""
    return f"{day.day} {day:%b %Y}"


def short_day(day: date) -> str:
    """A date in a subject line: "8 Dec"."""
    return f"{day.day} {day:%b}"


def stamp(instant: datetime) -> str:
    """An instant as an occurrence: "20261201T140000Z" (the same instant, the same text)."""
    return instant.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def iso_week(day: date) -> str:
    """The ISO week of a day, as an occurrence of a weekly reminder: "2026-W48"."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def active_on(active: bool, inactive_since: date | None, account_active: bool | None,
            deactivated_at: datetime | None, day: date) -> bool:
    """Person.active_on, on columns read as rows (Person.active, Person.inactive_since,
    Account.active, Account.deactivated_at)."""
    if not active and (inactive_since is None or day >= inactive_since):
        return False
    return not (account_active is False
                and (deactivated_at is None or deactivated_at.date() <= day))


def _person_columns():
    return (Person.active, Person.inactive_since, Account.active, Account.deactivated_at)


def active_people(person_ids: Iterable[int | None], day: date) -> set[int]:
    """Those of person_ids still working with the committees on day, in one query."""
    ids = {i for i in person_ids if i is not None}
    if not ids:
        return set()
    rows = db.session.execute(
        select(Person.id, *_person_columns()).outerjoin(Account, Account.person_id == Person.id)
        .where(Person.id.in_(ids)))
    return {row[0] for row in rows if active_on(*row[1:], day)}


@dataclass(frozen=True)
class Seat:
    """A person sitting on a committee in a role."""

    person_id: int
    role: str


def seats(committee_ids: Iterable[int], day: date) -> dict[int, list[Seat]]:
    """committee id -> the seats in force on day (their people active), in one query."""
    ids = set(committee_ids)
    found: dict[int, list[Seat]] = {cid: [] for cid in ids}
    if not ids:
        return found
    rows = db.session.execute(
        select(Membership.committee_id, Membership.person_id, Membership.role,
               Membership.end, *_person_columns())
        .join(Person, Person.id == Membership.person_id)
        .outerjoin(Account, Account.person_id == Person.id)
        .where(Membership.committee_id.in_(ids), Membership.start <= day)
        .order_by(Membership.committee_id, Membership.person_id))
    seen: set[tuple[int, int, str]] = set()
    for committee_id, person_id, role, end, *person in rows:
        if (end is None or day <= end) and active_on(*person, day) and (
                (committee_id, person_id, role) not in seen):
            seen.add((committee_id, person_id, role))
            found[committee_id].append(Seat(person_id, role))
    return found


def holding(found: list[Seat], *roles: str) -> list[int]:
    """The people of found in one of roles (all of them when no role is named), once each."""
    people: list[int] = []
    for seat in found:
        if (not roles or seat.role in roles) and seat.person_id not in people:
            people.append(seat.person_id)
    return people


def committees(committee_ids: Iterable[int]) -> dict[int, Committee]:
    """committee id -> committee, in one query."""
    ids = set(committee_ids)
    if not ids:
        return {}
    return {c.id: c for c in db.session.scalars(select(Committee).where(Committee.id.in_(ids)))}
