"""The agenda that drafts itself: every feature's agenda sources, in one ordered tuple."""

from datetime import date

from govtrack.actions import agenda as actions
from govtrack.chairs import agenda as chairs
from govtrack.clock import today
from govtrack.editing import DomainError
from govtrack.meetings import agenda as meetings
from govtrack.meetings.agenda_sources import AgendaSource, Proposed
from govtrack.meetings.models import AgendaItem, Meeting
from govtrack.meetings.services import add_item
from govtrack.pdsa import agenda as pdsa

#: where proposed agenda items come from, in the order a draft lists them
AGENDA_SOURCES: tuple[AgendaSource, ...] = (
    meetings.APPROVE_MINUTES, *actions.AGENDA_SOURCES, *chairs.AGENDA_SOURCES,
    meetings.ACCEPTED_REQUESTS, *pdsa.AGENDA_SOURCES)


def propose_agenda(meeting: Meeting, day: date | None = None) -> list[Proposed]:
    """Everything live state suggests for this meeting's agenda, not yet on it."""
    day = day or today()
    present = {i.source for i in meeting.items if i.source}
    proposals = []
    for source in AGENDA_SOURCES:
        proposals.extend(p for p in source.propose(meeting, day) if p.source not in present)
    return proposals


def draft_agenda(actor, meeting: Meeting, day: date | None = None) -> list[AgendaItem]:
    """Add live state's proposals to the draft; the chair then edits them."""
    if meeting.agenda_status == "published":
        raise DomainError("The agenda is published; add items one by one instead.")
    return [add_item(actor, meeting, title=p.title[:200], kind=p.kind, minutes=p.minutes,
                     presenter=p.presenter, source=p.source, **p.refs)
            for p in propose_agenda(meeting, day)]
