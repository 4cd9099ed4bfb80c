"""Fixtures for the reminder kinds: the clock, a committee with its people, a sweep."""

from contextlib import contextmanager
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine

from govtrack.extensions import db as _db
from govtrack.features import REMINDER_KINDS

ZONE = ZoneInfo("America/New_York")


def ny(day, hour=10, minute=0) -> datetime:
    """An instant on the committee's wall clock (New York), as aware UTC."""
    return datetime.combine(day, time(hour, minute), ZONE).astimezone(UTC)


@pytest.fixture
def at():
    """at(instant): a block in which the clock stands still at instant."""

    @contextmanager
    def travel(instant: datetime):
        with time_machine.travel(instant, tick=False):
            yield instant

    return travel


@pytest.fixture
def local():
    """local(day, hour=10, minute=0): an instant on the committee's New York wall clock."""
    return ny


@pytest.fixture
def sweep(app):
    """sweep(code, now): the reminders of one kind due at now, as the engine derives them."""
    kinds = {kind.code: kind for kind in REMINDER_KINDS}

    def derive(code: str, now: datetime) -> list:
        _db.session.expire_all()
        return list(kinds[code].due(now))

    return derive


@pytest.fixture
def keys(sweep, at):
    """keys(code, instant): the outbox keys of one kind's reminders due at instant, sorted."""

    def derive(code: str, instant: datetime) -> list[str]:
        with at(instant):
            return sorted(due.key for due in sweep(code, instant))

    return derive


@pytest.fixture
def board(db, make):
    """A committee in New York with a chair, a secretary, two members and an observer.

    Returns a dict: committee, and the Person of each role.
    """
    committee = make.committee(name="CIT Steering Committee", timezone="America/New_York",
                               cadence_rrule="FREQ=MONTHLY;BYDAY=2TU")
    found = {"committee": committee}
    for role in ("chair", "secretary", "member", "member2", "observer"):
        person = make.account().person
        make.membership(committee, person, role=role.rstrip("2"))
        found[role] = person
    return found


@pytest.fixture
def meeting_of(db):
    """meeting_of(committee, starts_at, status=..., published=...): a meeting with one item."""
    from govtrack.meetings.models import AgendaItem, Meeting

    made = iter(range(1, 1000))

    def make(committee, starts_at, status="scheduled", published=False, **values):
        meeting = Meeting(key=f"{committee.key}-m{next(made)}", committee=committee,
                          starts_at=starts_at, status=status,
                          agenda_status="published" if published else "draft",
                          agenda_published_at=starts_at.replace(day=1) if published else None,
                          **values)
        meeting.items.append(AgendaItem(title="Report-back", kind="report_back", minutes=10,
                                        position=1))
        db.session.add(meeting)
        db.session.commit()
        return meeting

    return make


@pytest.fixture
def workgroup_of(db):
    """workgroup_of(board, created_at): a workgroup led by the member, with one goal."""
    from govtrack.workgroups.models import Goal, Workgroup

    made = iter(range(1, 1000))

    def make(board, created_at, report_back="every_meeting", lead=None):
        n = next(made)
        workgroup = Workgroup(key=f"wg-r{n}", committee=board["committee"],
                              name=f"Data sharing {n}", lead=lead or board["member"],
                              members=[board["member"], board["member2"]],
                              report_back=report_back, created_at=created_at)
        workgroup.goals.append(Goal(key=f"goal-r{n}", title="Share jail data"))
        db.session.add(workgroup)
        db.session.commit()
        return workgroup

    return make


@pytest.fixture
def action_of(db):
    """action_of(board, owner, due, status="open", **values): an action item."""
    from govtrack.actions.models import ActionItem

    made = iter(range(1, 10000))

    def make(board, owner, due, status="open", **values):
        item = ActionItem(key=f"act-r{next(made)}", committee=board["committee"],
                          title="Send the booking data", owner=owner, due=due, status=status,
                          **values)
        db.session.add(item)
        db.session.commit()
        return item

    return make


@pytest.fixture
def mou_cast(db, make):
    """mou_cast(status): (cast, MOU) between the member's and the head's agencies.

    Each party has a head who may sign (the member heads their own agency).
    """
    from tests.mous.factories import make_mou

    def build(status="out_for_signature", **values):
        cast = make.cast()
        member = cast["member"].person
        member.agency.head = member
        db.session.commit()
        return cast, make_mou(cast, status=status, **values)

    return build
