"""The action items' agenda source: overdue actions, by owner."""


from functools import cache

from sqlalchemy import bindparam, func, select

from govtrack.actions.models import OPEN_STATUSES, ActionItem
from govtrack.agencies.models import Person
from govtrack.extensions import db
from govtrack.meetings.agenda_sources import AgendaSource, Draft, Proposed


@cache
def _overdue_query():
    """The overdue action items' count by owner, built once (see meetings.views._meeting_query):
    counted in SQL (a committee may have hundreds overdue), then each owner's name read by
    key (joined to the people, PostgreSQL hashed all 20,000 of them). Bound: "committee_id",
    "day"."""
    by_owner = (
        select(ActionItem.owner_id, func.count(ActionItem.id).label("n"))
        .where(ActionItem.committee_id == bindparam("committee_id"),
               ActionItem.status.in_(OPEN_STATUSES),
               ActionItem.due < bindparam("day", type_=ActionItem.due.type))
        .group_by(ActionItem.owner_id).subquery())
    return select(select(Person.name).where(Person.id == by_owner.c.owner_id).scalar_subquery(),
                  by_owner.c.n)


def _overdue_actions(draft: Draft) -> list[Proposed]:
    meeting, day = draft.meeting, draft.day
    by_owner = db.session.execute(_overdue_query(), {
        "committee_id": meeting.committee_id, "day": day}).all()
    if not by_owner:
        return []
    overdue = sum(n for _, n in by_owner)
    owners = sorted({name for name, _ in by_owner})
    return [Proposed("overdue-actions", f"Overdue action items ({overdue})", "discussion",
                     max(5, min(30, 3 * overdue)),
                     why="Due before today and still open: " + ", ".join(owners) + ".")]


AGENDA_SOURCES = (AgendaSource("Overdue action items", _overdue_actions),)
