"""The action items' agenda source: overdue actions, by owner."""


from sqlalchemy import func, select

from govtrack.actions.models import OPEN_STATUSES, ActionItem
from govtrack.agencies.models import Person
from govtrack.meetings.agenda_sources import AgendaSource, Draft, Proposed


def overdue_by_owner(committee_id, day) -> tuple:
    """The committee's open action items due before day, counted by owner: the counts
    (a subquery of owner_id, n) and each owner's name read by key (joined to the people,
    PostgreSQL hashed all 20,000 of them). Counted in SQL: a committee may have hundreds
    overdue. meetings.agenda reads them with the meetings' own sources' rows."""
    by_owner = (
        select(ActionItem.owner_id, func.count(ActionItem.id).label("n"))
        .where(ActionItem.committee_id == committee_id, ActionItem.status.in_(OPEN_STATUSES),
               ActionItem.due < day)
        .group_by(ActionItem.owner_id).subquery())
    return by_owner, select(Person.name).where(Person.id == by_owner.c.owner_id).scalar_subquery()


def _overdue_actions(draft: Draft) -> list[Proposed]:
    # (owner's name, count) rows, read with the meetings' own sources' in one query
    # (imported here: meetings.agenda builds that query with overdue_by_owner)
    from govtrack.meetings.agenda import overdue_rows

    by_owner = overdue_rows(draft)
    if not by_owner:
        return []
    overdue = sum(n for _, n in by_owner)
    owners = sorted({name for name, _ in by_owner})
    return [Proposed("overdue-actions", f"Overdue action items ({overdue})", "discussion",
                     max(5, min(30, 3 * overdue)),
                     why="Due before today and still open: " + ", ".join(owners) + ".")]


AGENDA_SOURCES = (AgendaSource("Overdue action items", _overdue_actions),)
