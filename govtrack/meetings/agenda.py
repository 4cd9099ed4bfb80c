"""The meetings' own agenda sources: standing items, approving the last minutes, the backlog."""


from govtrack.meetings.agenda_sources import AgendaSource, Draft, Proposed
from govtrack.meetings.models import Meeting
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


def _standing(placement: str):
    def propose(draft: Draft) -> list[Proposed]:
        meeting = draft.meeting
        return [Proposed(f"standing-{placement}:{item.id}", item.title, item.kind, item.minutes,
                         why="A standing item: the committee puts it on every agenda.")
                for item in meeting.committee.standing_items if item.placement == placement]
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
