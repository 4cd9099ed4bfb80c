"""The action items' reminder kinds: due soon, overdue (weekly), the chair's weekly roll-up.

Workgroups stop following through quietly (Kamin, Weisman and Lamberti): an
owner hears of an item before it is due and every week it stays overdue, and
the chair sees the committee's overdue items once a week rather than at the
next meeting. Each kind reads the open items near its threshold in one query.
"""

from datetime import date, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import select

from govtrack.accounts.models import Account
from govtrack.actions.models import OPEN_STATUSES, STATUSES, ActionItem
from govtrack.agencies.models import Person
from govtrack.committees.models import Committee
from govtrack.extensions import db
from govtrack.reminders.kinds import Due, ReminderKind, read_once
from govtrack.reminders.recipients import (
    active_on,
    day_text,
    holding,
    iso_week,
    local_day,
    seats,
)

#: days before its due date an owner is reminded
SOON_DAYS = 3
#: items a roll-up lists by name; the rest are counted
ROLLUP_LISTED = 25


class OpenItem(NamedTuple):
    """An open action item as the reminders read it: a row, not an ORM object.

    A county has tens of thousands of open items; as objects with their
    committees and owners they took most of the sweep's time.
    """

    id: int
    title: str
    due: date
    status: str
    workgroup_key: str | None
    committee_id: int
    committee_key: str
    committee_name: str
    timezone: str
    owner_id: int
    owner_name: str


def _open_items(now: datetime, *where) -> tuple[list[OpenItem], set[int]]:
    """Open items matching where, in one query; and which owners are active on now's date."""
    rows = db.session.execute(
        select(ActionItem.id, ActionItem.title, ActionItem.due, ActionItem.status,
               ActionItem.workgroup_key, ActionItem.committee_id, Committee.key, Committee.name,
               Committee.timezone, ActionItem.owner_id, Person.name, Person.active,
               Person.inactive_since, Account.active, Account.deactivated_at)
        .join(Committee, Committee.id == ActionItem.committee_id)
        .join(Person, Person.id == ActionItem.owner_id)
        .outerjoin(Account, Account.person_id == Person.id)
        .where(ActionItem.status.in_(OPEN_STATUSES), ActionItem.due.is_not(None), *where)
        .order_by(ActionItem.due, ActionItem.id))
    items, active, judged, day = [], set(), set(), now.date()
    make = OpenItem._make
    for row in rows:
        row = tuple(row)  # plain tuples: slicing a Row costs more than the rest of the loop
        items.append(make(row[:11]))
        owner_id = row[9]
        if owner_id not in judged:  # an owner's columns are the same on each of their items
            judged.add(owner_id)
            if active_on(*row[11:], day):
                active.add(owner_id)
    return items, active


def link(item: OpenItem) -> str:
    """Where the owner updates it: its workgroup's page, else their own work."""
    return f"/workgroups/{item.workgroup_key}" if item.workgroup_key else "/my-work"


def _today(item: OpenItem, now: datetime, days: dict[str, date]) -> date:
    """The date of now on the item's committee's wall clock (worked out once per zone)."""
    if item.timezone not in days:
        days[item.timezone] = local_day(now, item.timezone)
    return days[item.timezone]


def due_soon(now: datetime) -> list[Due]:
    """Open items due within 3 days (due date included): the owner, once."""
    # a day's margin either side: each committee's date is judged in its zone
    items, active = _open_items(now, ActionItem.due >= now.date() - timedelta(days=1),
                                ActionItem.due <= now.date() + timedelta(days=SOON_DAYS + 1))
    days: dict[str, date] = {}
    reminders = []
    for item in items:
        left = (item.due - _today(item, now, days)).days
        if not 0 <= left <= SOON_DAYS or item.owner_id not in active:
            continue
        when = {0: "today", 1: "tomorrow"}.get(left, f"in {left} days")
        reminders.append(Due(
            "action_due_soon", f"action_item:{item.id}", f"{SOON_DAYS}d", item.owner_id,
            f"Action item due {when}: {item.title}",
            f"“{item.title}” ({item.committee_name}) is due {day_text(item.due)} and is "
            f"{STATUSES[item.status].lower()}. Mark it done, or say what holds it up.",
            link(item), item.committee_id))
    return reminders


def _overdue_items(now: datetime) -> tuple[list[OpenItem], set[int]]:
    """Open items due before tomorrow (UTC), read once for both overdue kinds of a sweep."""
    return read_once(("action_items_overdue", now), lambda: _open_items(
        now, ActionItem.due < now.date() + timedelta(days=1)))


def overdue_week(due: date, today: date) -> int:
    """Which week of being overdue today is: 1 from the day after the due date."""
    return (today - due - timedelta(days=1)).days // 7 + 1


def overdue(now: datetime) -> list[Due]:
    """Open items past their due date: the owner, once a week while it stays overdue.

    The occurrence names the due date and the week, counted from the day
    after it: moving the due date starts a new series, each week has its key.
    """
    items, active = _overdue_items(now)
    days: dict[str, date] = {}
    reminders = []
    for item in items:
        today = _today(item, now, days)
        if not item.due < today or item.owner_id not in active:
            continue
        late = (today - item.due).days
        week = overdue_week(item.due, today)
        reminders.append(Due(
            "action_overdue", f"action_item:{item.id}", f"due-{item.due.isoformat()}-week-{week}",
            item.owner_id, f"Action item overdue: {item.title}",
            f"“{item.title}” ({item.committee_name}) was due {day_text(item.due)}, "
            f"{late} day{'s' * (late > 1)} ago, and is {STATUSES[item.status].lower()}. "
            "Mark it done, give a new due date, or say what blocks it.",
            link(item), item.committee_id))
    return reminders


def overdue_rollup(now: datetime) -> list[Due]:
    """The chair's weekly list of the committee's overdue items (ISO week)."""
    items, _ = _overdue_items(now)
    days: dict[str, date] = {}
    by_committee: dict[int, list[OpenItem]] = {}
    for item in items:
        if item.due < _today(item, now, days):
            by_committee.setdefault(item.committee_id, []).append(item)
    found = seats(by_committee, now.date())
    reminders = []
    for committee_id, late in by_committee.items():
        first = late[0]
        lines = [f"- {i.title} ({i.owner_name}, due {day_text(i.due)})"
                 for i in late[:ROLLUP_LISTED]]
        if len(late) > ROLLUP_LISTED:
            lines.append(f"- and {len(late) - ROLLUP_LISTED} more")
        owners = len({i.owner_id for i in late})
        body = (f"{len(late)} action item{'s' * (len(late) > 1)} of {first.committee_name} "
                f"{'are' if len(late) > 1 else 'is'} overdue, held by {owners} "
                f"{'people' if owners > 1 else 'person'}:\n" + "\n".join(lines))
        week = iso_week(_today(first, now, days))
        for person_id in holding(found[committee_id], "chair"):
            reminders.append(Due(
                "action_overdue_rollup", f"committee:{committee_id}", week, person_id,
                f"{first.committee_name}: {len(late)} overdue action "
                f"item{'s' * (len(late) > 1)} this week",
                body, f"/committees/{first.committee_key}/dashboard", committee_id))
    return reminders


REMINDERS = (
    ReminderKind("action_due_soon", f"An action item of yours is due in {SOON_DAYS} days",
                 due_soon),
    ReminderKind("action_overdue", "An action item of yours is overdue (weekly)", overdue),
    ReminderKind("action_overdue_rollup",
                 "Your committee's overdue action items, weekly (chair)", overdue_rollup),
)
