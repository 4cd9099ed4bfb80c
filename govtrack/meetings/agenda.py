"""The meetings' own agenda sources: approving the last minutes, members' accepted requests."""

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from govtrack.extensions import db
from govtrack.meetings.agenda_sources import AgendaSource, Proposed
from govtrack.meetings.models import AgendaRequest, Meeting
from govtrack.meetings.services import meeting_day, previous_meeting


def _approve_last_minutes(meeting: Meeting, day: date) -> list[Proposed]:
    last = previous_meeting(meeting)
    if last is None or last.minutes_locked:
        return []
    return [Proposed(f"approve:{last.key}", f"Approve the minutes of {meeting_day(last):%-d %B %Y}",
                     "decision", 5, why="The last meeting's minutes are not approved yet.")]


def _accepted_requests(meeting: Meeting, day: date) -> list[Proposed]:
    requests = db.session.scalars(select(AgendaRequest).where(
        AgendaRequest.committee_id == meeting.committee_id,
        AgendaRequest.status == "accepted",
        (AgendaRequest.meeting_id == meeting.id) | AgendaRequest.meeting_id.is_(None))
        .options(joinedload(AgendaRequest.proposer)))
    return [Proposed(f"request:{r.id}", r.title, r.kind, r.minutes, r.proposer,
                     why=f"Asked for by {r.proposer.name}.") for r in requests]


APPROVE_MINUTES = AgendaSource("Approval of the last meeting's minutes", _approve_last_minutes)
ACCEPTED_REQUESTS = AgendaSource("Members' accepted requests", _accepted_requests)
