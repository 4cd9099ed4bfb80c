"""The meetings' reminder kinds: a meeting coming, its agenda, its minutes.

Kamin, Weisman and Lamberti saw members drift away from committees whose
meetings came as a surprise and whose minutes never came at all; these
reminders keep the rhythm without anyone chasing by hand. Each kind reads
the meetings near its threshold in one query, then who sits on their
committees in one more.
"""

from collections.abc import Iterator
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from govtrack.extensions import db
from govtrack.meetings.models import AgendaItem, Meeting
from govtrack.reminders.kinds import Attachment, Due, ReminderKind
from govtrack.reminders.recipients import (
    EVENT_LIMIT,
    LATE_LIMIT,
    Seat,
    holding,
    local_day,
    seats,
    short_day,
    stamp,
    when,
)

#: days before a meeting its members are reminded, farthest first
AHEAD_DAYS = (7, 1)
#: days before a meeting by which the agenda should be published
AGENDA_DAYS = 5
#: days after a meeting by which the secretary, then the chair, should have minutes
MINUTES_SECRETARY_DAYS = 3
MINUTES_CHAIR_DAYS = 7
#: days before the next meeting the chair is told last minutes still await approval
APPROVAL_DAYS = 7


def _meetings(*where) -> list[Meeting]:
    """Meetings matching where, each with its committee, in one query."""
    return list(db.session.scalars(
        select(Meeting).join(Meeting.committee).where(*where)
        .options(contains_eager(Meeting.committee)).order_by(Meeting.starts_at, Meeting.id)))


def _seats_of(meetings: list[Meeting], now: datetime) -> dict[int, list[Seat]]:
    return seats({m.committee_id for m in meetings}, now.date())


def _attachments(meeting: Meeting, agenda: bool = True) -> tuple[Attachment, ...]:
    """The meeting as .ics and, once published, the agenda as .docx."""
    source = f"meeting:{meeting.id}"
    files = []
    if agenda and meeting.agenda_status == "published":
        files.append(Attachment(f"agenda-{meeting.key}.docx",
                                "application/vnd.openxmlformats-officedocument."
                                "wordprocessingml.document", source, "agenda.docx"))
    files.append(Attachment(f"meeting-{meeting.key}.ics", "text/calendar", source,
                            "meeting.ics"))
    return tuple(files)


def _where(meeting: Meeting) -> str:
    place = [p for p in (meeting.location, meeting.video_link) if p]
    return f" Where: {', '.join(place)}." if place else ""


def _day(meeting: Meeting) -> str:
    return short_day(local_day(meeting.starts_at, meeting.committee.timezone))


def _to(meeting: Meeting, people: list[int], kind: str, occurrence: str, subject: str,
        body: str, attachments: tuple[Attachment, ...] = ()) -> Iterator[Due]:
    for person_id in people:
        yield Due(kind, f"meeting:{meeting.id}", occurrence, person_id, subject, body,
                  f"/meetings/{meeting.key}", meeting.committee_id, attachments)


# --- a meeting is coming ------------------------------------------------------------------


def _coming(days: int, closer: int | None):
    code = f"meeting_{days}d"

    def due(now: datetime) -> list[Due]:
        """Scheduled meetings starting within `days` (but not yet within `closer`) days."""
        start = now + timedelta(days=closer) if closer else now
        meetings = _meetings(Meeting.status == "scheduled", Meeting.starts_at > start,
                             Meeting.starts_at <= now + timedelta(days=days))
        found = _seats_of(meetings, now)
        reminders = []
        for meeting in meetings:
            tz = meeting.committee.timezone
            agenda = ("The agenda is attached." if meeting.agenda_status == "published"
                      else "The agenda is not published yet.")
            away = (local_day(meeting.starts_at, tz) - local_day(now, tz)).days
            subject = (f"{meeting.committee.name} meets {when(meeting.starts_at, tz)} ("
                       + {0: "today", 1: "tomorrow"}.get(away, f"in {away} days") + ")")
            body = (f"The {meeting.committee.name} meeting starts "
                    f"{when(meeting.starts_at, tz)} and lasts {meeting.duration_minutes} "
                    f"minutes.{_where(meeting)} {agenda}")
            reminders += _to(meeting, holding(found[meeting.committee_id]), code, f"{days}d",
                             subject, body, _attachments(meeting))
        return reminders

    due.__name__ = code
    return due


# --- the agenda ---------------------------------------------------------------------------


def _tell(now: datetime, meetings: list[Meeting], code: str, roles: tuple[str, ...],
          occurrence, words, attachments=None) -> list[Due]:
    """One reminder per meeting and person seated in `roles` (every member if none).

    occurrence(meeting) names the event, words(meeting, tz) gives (subject, body) and
    attachments(meeting) the files; the kinds below differ only in these.
    """
    found = _seats_of(meetings, now)
    reminders = []
    for meeting in meetings:
        subject, body = words(meeting, meeting.committee.timezone)
        files = attachments(meeting) if attachments else ()
        reminders += _to(meeting, holding(found[meeting.committee_id], *roles), code,
                         occurrence(meeting), subject, body, files)
    return reminders


def _calendar_only(meeting: Meeting) -> tuple[Attachment, ...]:
    return _attachments(meeting, agenda=False)


def agenda_unpublished(now: datetime) -> list[Due]:
    """The agenda of a meeting within 5 days is still a draft: chair and secretary."""
    meetings = _meetings(Meeting.status == "scheduled", Meeting.agenda_status != "published",
                         Meeting.starts_at > now,
                         Meeting.starts_at <= now + timedelta(days=AGENDA_DAYS))
    return _tell(now, meetings, "agenda_unpublished", ("chair", "secretary"),
                 lambda meeting: f"{AGENDA_DAYS}d",
                 lambda meeting, tz: (
                     f"Agenda for {meeting.committee.name}, {_day(meeting)}: not published yet",
                     f"The meeting starts {when(meeting.starts_at, tz)}. Members should see "
                     f"the agenda {AGENDA_DAYS} days ahead: draft it from live state, then "
                     "publish it."))


def agenda_published(now: datetime) -> list[Due]:
    """The agenda of a coming meeting was published: members, at once, with the agenda."""
    meetings = _meetings(Meeting.status == "scheduled", Meeting.agenda_status == "published",
                         Meeting.starts_at > now, Meeting.agenda_published_at <= now,
                         Meeting.agenda_published_at > now - EVENT_LIMIT)
    return _tell(now, meetings, "agenda_published", (),
                 lambda meeting: f"published-{stamp(meeting.agenda_published_at)}",
                 lambda meeting, tz: (
                     f"Agenda for {meeting.committee.name}, {_day(meeting)}: published",
                     f"The agenda of the meeting of {when(meeting.starts_at, tz)} is "
                     f"published and attached.{_where(meeting)}"),
                 _attachments)


def agenda_changed(now: datetime) -> list[Due]:
    """An item of a published agenda changed: members, once per change stamp."""
    meetings = _meetings(Meeting.status == "scheduled", Meeting.agenda_status == "published",
                         Meeting.starts_at > now, Meeting.agenda_changed_at <= now,
                         Meeting.agenda_changed_at > now - EVENT_LIMIT,
                         Meeting.agenda_changed_at > Meeting.agenda_published_at)
    return _tell(now, meetings, "agenda_changed", (),
                 lambda meeting: f"changed-{stamp(meeting.agenda_changed_at)}",
                 lambda meeting, tz: (
                     f"Agenda for {meeting.committee.name}, {_day(meeting)}: changed",
                     f"The published agenda of the meeting of {when(meeting.starts_at, tz)} "
                     f"changed on {when(meeting.agenda_changed_at, tz)}. The new agenda is "
                     "attached."),
                 _attachments)


# --- moved, cancelled ---------------------------------------------------------------------


def meeting_moved(now: datetime) -> list[Due]:
    """A coming meeting moved: members, once per new start."""
    meetings = _meetings(Meeting.status == "scheduled", Meeting.starts_at > now,
                         Meeting.moved_at <= now, Meeting.moved_at > now - EVENT_LIMIT)
    return _tell(now, meetings, "meeting_moved", (),
                 lambda meeting: f"to-{stamp(meeting.starts_at)}",
                 lambda meeting, tz: (
                     f"{meeting.committee.name} meeting moved to {when(meeting.starts_at, tz)}",
                     f"The meeting now starts {when(meeting.starts_at, tz)} and lasts "
                     f"{meeting.duration_minutes} minutes.{_where(meeting)} The attached "
                     "calendar entry updates your calendar."),
                 _calendar_only)


def meeting_cancelled(now: datetime) -> list[Due]:
    """A coming meeting was cancelled within the last week: members, once.

    Read from the time it was cancelled, never from the status alone: a county
    imported with cancelled meetings to come does not announce them again.
    """
    meetings = _meetings(Meeting.status == "cancelled", Meeting.starts_at > now,
                         Meeting.cancelled_at <= now, Meeting.cancelled_at > now - EVENT_LIMIT)
    return _tell(now, meetings, "meeting_cancelled", (),
                 lambda meeting: f"cancelled-{stamp(meeting.cancelled_at)}",
                 lambda meeting, tz: (
                     f"{meeting.committee.name}, {_day(meeting)}: meeting cancelled",
                     f"The meeting of {when(meeting.starts_at, tz)} was cancelled on "
                     f"{when(meeting.cancelled_at, tz)}. The attached calendar entry removes "
                     "it from your calendar."),
                 _calendar_only)


# --- minutes ------------------------------------------------------------------------------


def _noted(meetings: list[Meeting]) -> set[int]:
    """Ids of those meetings with a note minuted under one of their items, in one query."""
    if not meetings:
        return set()
    return set(db.session.scalars(
        select(AgendaItem.meeting_id).where(
            AgendaItem.meeting_id.in_([m.id for m in meetings]), AgendaItem.notes != "")
        .group_by(AgendaItem.meeting_id)))


def _recorded(meeting: Meeting, noted: set[int]) -> bool:
    """Minutes are recorded once any text, decision or item note is saved."""
    return bool(meeting.minutes_text.strip() or meeting.decisions or meeting.id in noted)


def _minutes_missing(days: int, roles: tuple[str, ...], code: str):
    def due(now: datetime) -> list[Due]:
        """Held meetings `days` days ago (at most LATE_LIMIT more) with no minutes recorded."""
        # a day's margin either side: the threshold is judged on each committee's dates
        meetings = _meetings(Meeting.status == "held", Meeting.minutes_approved_at.is_(None),
                             Meeting.starts_at <= now - timedelta(days=days - 1),
                             Meeting.starts_at > now - timedelta(days=days + 1) - LATE_LIMIT)
        noted = _noted(meetings)
        found = _seats_of(meetings, now)
        reminders = []
        for meeting in meetings:
            tz = meeting.committee.timezone
            held = local_day(meeting.starts_at, tz)
            since = (local_day(now, tz) - held).days
            if not days <= since < days + LATE_LIMIT.days or _recorded(meeting, noted):
                continue
            subject = (f"Minutes of {meeting.committee.name}, {_day(meeting)}: "
                       "not recorded yet")
            body = (f"The meeting of {when(meeting.starts_at, tz)} was held {since} days ago "
                    "and has no minutes yet. Record the notes, decisions and action items "
                    "while people still remember them.")
            reminders += _to(meeting, holding(found[meeting.committee_id], *roles), code,
                             f"{days}d", subject, body)
        return reminders

    due.__name__ = code
    return due


def minutes_awaiting_approval(now: datetime) -> list[Due]:
    """Recorded minutes are not approved and the next meeting is within 7 days: the chair."""
    coming = _meetings(Meeting.status == "scheduled", Meeting.starts_at > now,
                       Meeting.starts_at <= now + timedelta(days=APPROVAL_DAYS))
    following: dict[int, Meeting] = {}
    for meeting in coming:
        following.setdefault(meeting.committee_id, meeting)  # the earliest of each committee
    if not following:
        return []
    waiting = _meetings(Meeting.committee_id.in_(list(following)), Meeting.status == "held",
                        Meeting.minutes_approved_at.is_(None), Meeting.starts_at <= now,
                        Meeting.starts_at > now - timedelta(days=120))
    noted = _noted(waiting)
    found = _seats_of(waiting, now)
    reminders = []
    for meeting in waiting:
        if not _recorded(meeting, noted):
            continue
        nxt = following[meeting.committee_id]
        tz = meeting.committee.timezone
        subject = (f"Minutes of {meeting.committee.name}, {_day(meeting)}: awaiting approval")
        body = (f"Put the approval of these minutes on the agenda of the meeting of "
                f"{when(nxt.starts_at, tz)}.")
        reminders += _to(meeting, holding(found[meeting.committee_id], "chair"),
                         "minutes_awaiting_approval", f"before-meeting-{nxt.id}", subject,
                         body)
    return reminders


REMINDERS = (
    *(ReminderKind(f"meeting_{days}d",
                   f"A meeting of your committee is {days} day{'s' * (days > 1)} away",
                   _coming(days, closer))
      for days, closer in zip(AHEAD_DAYS, (*AHEAD_DAYS[1:], None), strict=True)),
    ReminderKind("agenda_unpublished",
                 f"An agenda is not published {AGENDA_DAYS} days before the meeting "
                 "(chair, secretary)", agenda_unpublished),
    ReminderKind("agenda_published", "An agenda was published", agenda_published),
    ReminderKind("agenda_changed", "A published agenda changed", agenda_changed),
    ReminderKind("meeting_moved", "A meeting moved", meeting_moved),
    ReminderKind("meeting_cancelled", "A meeting was cancelled", meeting_cancelled),
    ReminderKind("minutes_missing_3d",
                 f"Minutes not recorded {MINUTES_SECRETARY_DAYS} days after a meeting "
                 "(secretary)",
                 _minutes_missing(MINUTES_SECRETARY_DAYS, ("secretary",), "minutes_missing_3d")),
    ReminderKind("minutes_missing_7d",
                 f"Minutes not recorded {MINUTES_CHAIR_DAYS} days after a meeting (chair)",
                 _minutes_missing(MINUTES_CHAIR_DAYS, ("chair",), "minutes_missing_7d")),
    ReminderKind("minutes_awaiting_approval",
                 "Minutes await approval before the next meeting (chair)",
                 minutes_awaiting_approval),
)
