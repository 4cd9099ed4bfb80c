"""The agenda that drafts itself: every feature's agenda sources, in one ordered tuple."""

from datetime import date
from types import SimpleNamespace

from govtrack.actions import agenda as actions
from govtrack.chairs import agenda as chairs
from govtrack.clock import today
from govtrack.editing import DomainError
from govtrack.meetings import agenda as meetings
from govtrack.meetings import links
from govtrack.meetings.agenda_sources import AgendaSource, Draft, Proposed
from govtrack.meetings.models import AgendaItem, Meeting
from govtrack.meetings.services import add_item
from govtrack.mous import agenda as mous
from govtrack.pdsa import agenda as pdsa
from govtrack.workgroups import agenda as workgroups

#: where proposed agenda items come from, in the order a draft lists them
AGENDA_SOURCES: tuple[AgendaSource, ...] = (
    meetings.STANDING_OPENING, meetings.APPROVE_MINUTES, *workgroups.AGENDA_SOURCES,
    *actions.AGENDA_SOURCES, *mous.AGENDA_SOURCES, *pdsa.AGENDA_SOURCES,
    *chairs.AGENDA_SOURCES, meetings.BACKLOG, meetings.STANDING_CLOSING)

#: items from these sources stay at the end of the agenda however often the chair drafts
CLOSING = "standing-end:"


def propose_agenda(meeting: Meeting, day: date | None = None,
                   items: list | None = None) -> list[Proposed]:
    """Everything live state suggests for this meeting's agenda, not yet on it.

    items: what is on the agenda, as rows of source, kind and workgroup_key, when the
    caller read them so rather than the meeting's items.
    """
    draft = Draft(meeting, day or today(), items)
    present = {i.source for i in draft.items if i.source}
    proposals = []
    for source in AGENDA_SOURCES:
        for proposed in source.propose(draft):
            if proposed.source not in present:
                present.add(proposed.source)
                proposals.append(proposed)
    return proposals


def proposal_links(committee, proposals: list[Proposed]) -> list[list[links.Link]]:
    """Each proposal's links, in order: named as its source read them, the others (the
    backlog's) read in one query per kind of record."""
    unnamed = [SimpleNamespace(id=n, **{column: None if column in p.names else p.refs.get(column)
                                        for column in links.KINDS})
               for n, p in enumerate(proposals)]
    read = links.links_of(committee, unnamed)
    found = []
    for n, proposal in enumerate(proposals):
        by_endpoint = {link.endpoint: link for link in read[n]}
        found.append([links.Link(kind, proposal.names[column], endpoint, proposal.refs[column])
                      if column in proposal.names else by_endpoint[endpoint]
                      for column, (kind, endpoint) in links.KINDS.items()
                      if column in proposal.names and proposal.refs.get(column)
                      or endpoint in by_endpoint])
    return found


def draft_agenda(actor, meeting: Meeting, day: date | None = None) -> list[AgendaItem]:
    """Add live state's proposals to the draft; the chair then edits them.

    Each source key is added once: drafting again adds only what is new.
    """
    if meeting.agenda_status == "published":
        raise DomainError("The agenda is published; add items one by one instead.")
    if meeting.status != "scheduled":
        raise DomainError("Only the agenda of a coming meeting can be drafted.")
    added = [add_item(actor, meeting, title=p.title[:200], kind=p.kind, minutes=p.minutes,
                      presenter=p.presenter, source=p.source, why=p.why, **p.refs)
             for p in propose_agenda(meeting, day)]
    if added:
        # closing standing items (public comment, adjourn) stay last
        ordered = sorted(meeting.items, key=lambda i: (bool(i.source and
                                                            i.source.startswith(CLOSING)),
                                                       i.position))
        for position, item in enumerate(ordered, start=1):
            item.position = position
    return added
