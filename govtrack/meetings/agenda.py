"""The meetings' own agenda sources: standing items, approving the last minutes, the backlog."""

from functools import cache

from sqlalchemy import bindparam, select

from govtrack.extensions import db
from govtrack.meetings.agenda_sources import AgendaSource, Draft, Proposed
from govtrack.meetings.models import Meeting, StandingItem
from govtrack.meetings.services import backlog, meeting_day, previous_meeting


def approve_source(meeting: Meeting) -> str:
    """The source key of the item that approves a meeting's minutes."""
    return f"approve:{meeting.key}"


def _approve_last_minutes(draft: Draft) -> list[Proposed]:
    meeting = draft.meeting
    last = previous_meeting(meeting)
    if last is None or last.minutes_locked:
        return []
    return [Proposed(approve_source(last), f"Approve the minutes of {meeting_day(last):%-d %B %Y}",
                     "decision", 5, why="The last meeting's minutes are not approved yet.")]


@cache
def _standing_query():
    """The committee's standing items (bound "committee_id") as rows, in their order, built
    once (see meetings.views._meeting_query)."""
    return (select(StandingItem.id, StandingItem.title, StandingItem.kind,
                   StandingItem.minutes, StandingItem.placement)
            .where(StandingItem.committee_id == bindparam("committee_id"))
            .order_by(StandingItem.position, StandingItem.id))


def _standing(placement: str):
    def propose(draft: Draft) -> list[Proposed]:
        # as rows, read once for the opening and the closing items: loading the
        # committee's relationship cost the draft a millisecond or two
        items = draft.shared("standing items", lambda: db.session.execute(
            _standing_query(), {"committee_id": draft.meeting.committee_id}).all())
        return [Proposed(f"standing-{placement}:{item.id}", item.title, item.kind, item.minutes,
                         why="A standing item: the committee puts it on every agenda.")
                for item in items if item.placement == placement]
    return propose


def _backlog(draft: Draft) -> list[Proposed]:
    """Items waiting for a meeting: accepted requests, items not reached or carried."""
    meeting = draft.meeting
    return [Proposed(entry.source, entry.title, entry.kind, entry.minutes, entry.presenter,
                     refs={name: getattr(entry, name) for name in
                           ("workgroup_key", "mou_key", "pdsa_key", "measure_key")
                           if getattr(entry, name)},
                     why="On the backlog: " + (entry.why or "waiting for a meeting."))
            for entry in backlog(meeting.committee)]


STANDING_OPENING = AgendaSource("Standing items that open every agenda", _standing("start"))
STANDING_CLOSING = AgendaSource("Standing items that close every agenda", _standing("end"))
APPROVE_MINUTES = AgendaSource("Approval of the last meeting's minutes", _approve_last_minutes)
BACKLOG = AgendaSource("The backlog: accepted requests, items not reached or carried", _backlog)
