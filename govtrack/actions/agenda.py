"""The action items' agenda source: overdue actions, by owner."""


from functools import cache

from sqlalchemy import bindparam, func, select

from govtrack.actions.models import OPEN_STATUSES, ActionItem
from govtrack.agencies.models import Person
from govtrack.extensions import db
from govtrack.meetings.agenda_sources import AgendaSource, Draft, Proposed

#: the name the overdue counts by owner are shared under in a draft
OVERDUE = "overdue actions by owner"


def overdue_by_owner(committee_id, day) -> tuple:
    """The committee's open action items due before day, counted by owner: the counts
    (a subquery of owner_id, n) and each owner's name read by key (joined to the people,
    PostgreSQL hashed all 20,000 of them). Counted in SQL: a committee may have hundreds
    overdue. meetings.agenda reads them with the meetings' own sources' rows too."""
    by_owner = (
        select(ActionItem.owner_id, func.count(ActionItem.id).label("n"))
        .where(ActionItem.committee_id == committee_id, ActionItem.status.in_(OPEN_STATUSES),
               ActionItem.due < day)
        .group_by(ActionItem.owner_id).subquery())
    return by_owner, select(Person.name).where(Person.id == by_owner.c.owner_id).scalar_subquery()


@cache
def _overdue_query():
    """The overdue counts with their owners' names, built once (see
    meetings.views._meeting_query). Bound: "committee_id", "day"."""
    by_owner, owner_name = overdue_by_owner(bindparam("committee_id"),
                                            bindparam("day", type_=ActionItem.due.type))
    return select(owner_name, by_owner.c.n)


def _overdue_actions(draft: Draft) -> list[Proposed]:
    # (owner's name, count): read with the meetings' own sources' rows in one query when
    # they were read first (meetings.agenda shares them under OVERDUE), else here
    by_owner = draft.shared(OVERDUE, lambda: db.session.execute(_overdue_query(), {
        "committee_id": draft.meeting.committee_id, "day": draft.day}).all())
    if not by_owner:
        return []
    overdue = sum(n for _, n in by_owner)
    owners = sorted({name for name, _ in by_owner})
    return [Proposed("overdue-actions", f"Overdue action items ({overdue})", "discussion",
                     max(5, min(30, 3 * overdue)),
                     why="Due before today and still open: " + ", ".join(owners) + ".")]


AGENDA_SOURCES = (AgendaSource("Overdue action items", _overdue_actions),)
