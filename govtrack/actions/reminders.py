"""The action items' reminder kinds: due soon, overdue (weekly), the chair's weekly roll-up.

Workgroups stop following through quietly (Kamin, Weisman and Lamberti): an
owner hears of an item before it is due and every week it stays overdue, and
the chair sees the committee's overdue items once a week rather than at the
next meeting. Each kind reads the open items near its threshold in one query.
"""

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from govtrack.actions.models import OPEN_STATUSES, STATUSES, ActionItem
from govtrack.committees.models import Committee
from govtrack.extensions import db
from govtrack.reminders.kinds import Due, ReminderKind
from govtrack.reminders.recipients import (
    active_people,
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


def _open_items(*where) -> list[ActionItem]:
    """Open action items matching where, each with its committee and owner, in one query."""
    return list(db.session.scalars(
        select(ActionItem).join(ActionItem.committee).join(ActionItem.owner)
        .where(ActionItem.status.in_(OPEN_STATUSES), ActionItem.due.is_not(None), *where)
        .options(contains_eager(ActionItem.committee), contains_eager(ActionItem.owner))
        .order_by(ActionItem.due, ActionItem.id)))


def link(item: ActionItem) -> str:
    """Where the owner updates it: its workgroup's page, else their own work."""
    return f"/workgroups/{item.workgroup_key}" if item.workgroup_key else "/my-work"


def _today(item: ActionItem, now: datetime) -> date:
    return local_day(now, item.committee.timezone)


def due_soon(now: datetime) -> list[Due]:
    """Open items due within 3 days (due date included): the owner, once."""
    # a day's margin either side: each committee's date is judged in its zone
    items = _open_items(ActionItem.due >= now.date() - timedelta(days=1),
                        ActionItem.due <= now.date() + timedelta(days=SOON_DAYS + 1))
    active = active_people((i.owner_id for i in items), now.date())
    reminders = []
    for item in items:
        left = (item.due - _today(item, now)).days
        if not 0 <= left <= SOON_DAYS or item.owner_id not in active:
            continue
        when = {0: "today", 1: "tomorrow"}.get(left, f"in {left} days")
        reminders.append(Due(
            "action_due_soon", f"action_item:{item.id}", f"{SOON_DAYS}d", item.owner_id,
            f"Action item due {when}: {item.title}",
            f"“{item.title}” ({item.committee.name}) is due {day_text(item.due)} and is "
            f"{STATUSES[item.status].lower()}. Mark it done, or say what holds it up.",
            link(item), item.committee_id))
    return reminders


def overdue_week(due: date, today: date) -> int:
    """Which week of being overdue today is: 1 from the day after the due date."""
    return (today - due - timedelta(days=1)).days // 7 + 1


def overdue(now: datetime) -> list[Due]:
    """Open items past their due date: the owner, once a week while it stays overdue.

    The occurrence names the due date and the week, counted from the day
    after it: moving the due date starts a new series, each week has its key.
    """
    items = _open_items(ActionItem.due < now.date() + timedelta(days=1))
    active = active_people((i.owner_id for i in items), now.date())
    reminders = []
    for item in items:
        today = _today(item, now)
        if not item.due < today or item.owner_id not in active:
            continue
        late = (today - item.due).days
        week = overdue_week(item.due, today)
        reminders.append(Due(
            "action_overdue", f"action_item:{item.id}", f"due-{item.due.isoformat()}-week-{week}",
            item.owner_id, f"Action item overdue: {item.title}",
            f"“{item.title}” ({item.committee.name}) was due {day_text(item.due)}, "
            f"{late} day{'s' * (late > 1)} ago, and is {STATUSES[item.status].lower()}. "
            "Mark it done, give a new due date, or say what blocks it.",
            link(item), item.committee_id))
    return reminders


def overdue_rollup(now: datetime) -> list[Due]:
    """The chair's weekly list of the committee's overdue items (ISO week)."""
    items = _open_items(ActionItem.due < now.date() + timedelta(days=1))
    by_committee: dict[int, list[ActionItem]] = {}
    for item in items:
        if item.due < _today(item, now):
            by_committee.setdefault(item.committee_id, []).append(item)
    found = seats(by_committee, now.date())
    reminders = []
    for committee_id, late in by_committee.items():
        committee: Committee = late[0].committee
        lines = [f"- {i.title} ({i.owner.name}, due {day_text(i.due)})"
                 for i in late[:ROLLUP_LISTED]]
        if len(late) > ROLLUP_LISTED:
            lines.append(f"- and {len(late) - ROLLUP_LISTED} more")
        owners = len({i.owner_id for i in late})
        body = (f"{len(late)} action item{'s' * (len(late) > 1)} of {committee.name} "
                f"{'are' if len(late) > 1 else 'is'} overdue, held by {owners} "
                f"{'people' if owners > 1 else 'person'}:\n" + "\n".join(lines))
        week = iso_week(local_day(now, committee.timezone))
        for person_id in holding(found[committee_id], "chair"):
            reminders.append(Due(
                "action_overdue_rollup", f"committee:{committee_id}", week, person_id,
                f"{committee.name}: {len(late)} overdue action "
                f"item{'s' * (len(late) > 1)} this week",
                body, f"/committees/{committee.key}/dashboard", committee_id))
    return reminders


REMINDERS = (
    ReminderKind("action_due_soon", f"An action item of yours is due in {SOON_DAYS} days",
                 due_soon),
    ReminderKind("action_overdue", "An action item of yours is overdue (weekly)", overdue),
    ReminderKind("action_overdue_rollup",
                 "Your committee's overdue action items, weekly (chair)", overdue_rollup),
)
