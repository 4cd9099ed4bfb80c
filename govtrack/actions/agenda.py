"""The action items' agenda source: overdue actions, by owner."""

from datetime import date

from sqlalchemy import func, select

from govtrack.actions.models import OPEN_STATUSES, ActionItem
from govtrack.agencies.models import Person
from govtrack.extensions import db
from govtrack.meetings.agenda_sources import AgendaSource, Proposed
from govtrack.meetings.models import Meeting


def _overdue_actions(meeting: Meeting, day: date) -> list[Proposed]:
    # counted by owner in SQL: a committee may have hundreds overdue
    by_owner = db.session.execute(
        select(Person.name, func.count(ActionItem.id))
        .join(Person, Person.id == ActionItem.owner_id)
        .where(ActionItem.committee_id == meeting.committee_id,
               ActionItem.status.in_(OPEN_STATUSES), ActionItem.due < day)
        .group_by(Person.name)).all()
    if not by_owner:
        return []
    overdue = sum(n for _, n in by_owner)
    owners = sorted(name for name, _ in by_owner)
    return [Proposed("overdue-actions", f"Overdue action items ({overdue})", "discussion",
                     max(5, min(30, 3 * overdue)),
                     why="Due before today and still open: " + ", ".join(owners) + ".")]


AGENDA_SOURCES = (AgendaSource("Overdue action items", _overdue_actions),)
