"""What My work shows: my open action items, next meetings, report-backs due, a chair's to-do.

Read in a fixed number of queries however many committees, meetings and
workgroups a person has, as rows rather than objects: the page only shows
them, and a row costs a fraction of an object to load. Times are given on each
committee's wall clock: a member in one county sitting on a committee in
another sees the time the meeting is held, with its zone.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, func, literal, select, union_all
from sqlalchemy.orm import aliased, joinedload

from govtrack.actions.models import OPEN_STATUSES, STATUSES, ActionItem, ActionUpdate
from govtrack.clock import today, utcnow
from govtrack.committees.models import EDITOR_ROLES, Committee, Membership
from govtrack.extensions import db
from govtrack.health.services import preloaded
from govtrack.meetings.models import AgendaItem, Meeting
from govtrack.workgroups.health import open_workgroups
from govtrack.workgroups.models import Workgroup, open_on, workgroup_member
from govtrack.workgroups.services import stall_reasons

#: how long a report-back counts for, by schedule; "every_meeting" is due at every meeting
REPORT_BACK_DAYS = {"monthly": 28, "quarterly": 84}


def local_time(instant: datetime, committee: Committee) -> str:
    """An instant on the committee's wall clock: "Tue 8 Dec 2026, 14:00 EST"."""
    local = instant.astimezone(ZoneInfo(committee.timezone))
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M %Z}"


class MyAction(NamedTuple):
    """One of my open action items as My work shows it, with its last update."""

    id: int
    key: str
    committee_id: int
    title: str
    due: date | None
    status: str
    workgroup_key: str | None
    origin_kind: str | None
    version: int
    committee_name: str
    updated_at: datetime | None
    update_note: str | None

    @property
    def status_label(self) -> str:
        """The status in words."""
        return STATUSES[self.status]

    def overdue_on(self, day: date) -> bool:
        """Open work whose due date is before day (ActionItem.overdue_on)."""
        return self.status in OPEN_STATUSES and self.due is not None and self.due < day


class MeetingRow(NamedTuple):
    """What My work shows and links of a meeting."""

    id: int
    key: str
    committee_id: int
    starts_at: datetime
    location: str | None
    agenda_status: str
    #: "next" (from now on) or "held" (before now, minutes not approved)
    kind: str


class WorkgroupRow(NamedTuple):
    """What My work shows and links of a workgroup; committee is set for my seats' only."""

    id: int
    key: str
    name: str
    committee_id: int
    created_at: datetime
    closed_at: datetime | None
    report_back: str
    member: bool
    #: when its last report-back before now was given (None: never)
    reported: datetime | None
    #: whether it reports back at its committee's next meeting
    on_next_agenda: bool
    committee: Committee | None = None

    def open_on(self, day: date) -> bool:
        """Workgroup.open_on, on its committee's wall clock."""
        return open_on(self, day)


@dataclass
class NextMeeting:
    """A meeting ahead of one of my committees."""

    meeting: MeetingRow
    committee: Committee
    when: str


@dataclass
class ReportBack:
    """One of my workgroups reports back at its committee's next meeting."""

    workgroup: WorkgroupRow
    meeting: MeetingRow
    when: str
    on_agenda: bool


@dataclass
class ToDo:
    """A chair's next step: words and the page where it is done."""

    words: str
    endpoint: str
    key: str


@dataclass
class MyWork:
    """Everything My work shows besides action items and notices."""

    meetings: list[NextMeeting] = field(default_factory=list)
    report_backs: list[ReportBack] = field(default_factory=list)
    todo: list[tuple[Committee, list[ToDo]]] = field(default_factory=list)
    #: workgroup key -> workgroup, for naming and linking action items
    workgroups: dict[str, WorkgroupRow] = field(default_factory=dict)


# The statements below are built once: SQLAlchemy keys its compiled-SQL cache by the
# statement, and working that key out for a fresh one costs about a millisecond a query
# (see meetings.views._meeting_query).


@cache
def _actions_query():
    """The open action items owned by "person_id" with their committee's name and their last
    update (the latest "at", the latest written of equals), as rows: one query, where
    objects with their whole update logs took two and a tenth of the page's time."""
    last = aliased(ActionUpdate)
    latest = (select(ActionUpdate.id).where(ActionUpdate.action_id == ActionItem.id)
              .order_by(ActionUpdate.at.desc(), ActionUpdate.id.desc()).limit(1)
              .correlate(ActionItem).scalar_subquery())
    return (select(ActionItem.id, ActionItem.key, ActionItem.committee_id, ActionItem.title,
                   ActionItem.due, ActionItem.status, ActionItem.workgroup_key,
                   ActionItem.origin_kind, ActionItem.version, Committee.name,
                   last.at, last.note)
            .join(Committee, Committee.id == ActionItem.committee_id)
            .outerjoin(last, last.id == latest)
            .where(ActionItem.owner_id == bindparam("person_id"),
                   ActionItem.status.in_(OPEN_STATUSES)))


def my_actions(person, day: date) -> list[MyAction]:
    """Everything open assigned to person across all committees: overdue first, then by due.

    Done and cancelled items stay out, so the page does not grow with a
    person's history.
    """
    actions = [MyAction(*row) for row in db.session.execute(_actions_query(),
                                                           {"person_id": person.id})]
    return sorted(actions, key=lambda a: (not a.overdue_on(day), a.due or date.max, a.title))


def _now():
    return bindparam("now", type_=Meeting.starts_at.type)


def _report_backs_of(workgroup_key):
    """The report-back items of the workgroup of workgroup_key, at meetings not cancelled.

    The kind is written into the SQL, not bound: with it bound, PostgreSQL never found
    a plan for every kind good enough to keep, and planned the statement on each request.
    """
    return (select(Meeting.starts_at).join(AgendaItem, AgendaItem.meeting_id == Meeting.id)
            .where(AgendaItem.workgroup_key == workgroup_key,
                   AgendaItem.kind == literal("report_back", literal_execute=True),
                   Meeting.status != "cancelled"))


@cache
def _workgroups_query():
    """Workgroups named by "keys" (my action items') or with "person_id" as a member, as
    rows: each with whether that person is a member, when it last reported back before
    "now", and whether it reports back at its committee's next meeting (the first not
    cancelled from "now" on, the earliest written of those at the same time).

    The report-backs ride along, where they were a query of their own. The ids
    as a UNION, each side by its index: "key IN ... OR id IN (...)" made
    PostgreSQL scan every workgroup (25 ms at national scale).
    """
    named = select(Workgroup.id).where(Workgroup.key.in_(bindparam("keys", expanding=True)))
    mine = select(workgroup_member.c.workgroup_id).where(
        workgroup_member.c.person_id == bindparam("person_id"))
    reported = (_report_backs_of(Workgroup.key).where(Meeting.starts_at < _now())
                .with_only_columns(func.max(Meeting.starts_at)).scalar_subquery())
    following = aliased(Meeting)
    next_meeting = (select(following.id).where(
        following.committee_id == Workgroup.committee_id, following.starts_at >= _now(),
        following.status != "cancelled")
        .order_by(following.starts_at, following.id).limit(1)
        .correlate(Workgroup).scalar_subquery())
    on_next_agenda = _report_backs_of(Workgroup.key).where(Meeting.id == next_meeting).exists()
    return select(Workgroup.id, Workgroup.key, Workgroup.name, Workgroup.committee_id,
                  Workgroup.created_at, Workgroup.closed_at, Workgroup.report_back,
                  Workgroup.id.in_(mine).label("member"), reported.label("reported"),
                  on_next_agenda.label("on_next_agenda")).where(
        Workgroup.id.in_(named.union(mine)))


def _meeting_columns(kind: str):
    return (Meeting.id, Meeting.key, Meeting.committee_id, Meeting.starts_at, Meeting.location,
            Meeting.agenda_status, literal(kind).label("kind"))


@cache
def _meetings_query():
    """In one query, as rows: the meetings of "committee_ids" from "now" on, not cancelled,
    soonest first, up to "limit" ("next"); then the meetings of "led_ids" before "now"
    whose minutes are not approved, newest first ("held")."""
    upcoming = (select(*_meeting_columns("next"))
                .where(Meeting.committee_id.in_(bindparam("committee_ids", expanding=True)),
                       Meeting.starts_at >= _now(), Meeting.status != "cancelled")
                .order_by(Meeting.starts_at, Meeting.id).limit(bindparam("limit"))
                .subquery())
    unapproved = (select(*_meeting_columns("held"))
                  .where(Meeting.committee_id.in_(bindparam("led_ids", expanding=True)),
                         Meeting.starts_at < _now(), Meeting.status != "cancelled",
                         Meeting.minutes_approved_at.is_(None)).subquery())
    return union_all(select(upcoming), select(unapproved))


def my_work(person, actions: list[MyAction], now: datetime | None = None,
            limit: int = 5, seats: list[Membership] | None = None) -> MyWork:
    """person's next meetings, their workgroups' report-backs due, a chair's to-do list.

    seats: person's memberships in force today with their committees, when the
    page has read them already (then neither is read again).
    """
    now = now or utcnow()
    day = today()
    if seats is None:
        seats = [m for m in db.session.scalars(select(Membership).where(
            Membership.person_id == person.id).options(joinedload(Membership.committee)))
            if m.holds_on(day)]
    committee_ids = {m.committee_id for m in seats}
    led = {m.committee_id for m in seats if m.role in EDITOR_ROLES}
    committees = {m.committee_id: m.committee for m in seats}
    found = MyWork()
    keys = sorted({a.workgroup_key for a in actions if a.workgroup_key})
    rows = [WorkgroupRow(*row, committee=committees.get(row.committee_id))
            for row in db.session.execute(_workgroups_query(),
                                          {"keys": keys, "person_id": person.id, "now": now})]
    found.workgroups = {wg.key: wg for wg in rows}
    if not committee_ids:
        return found
    # the next meeting of each committee and the ones after it up to the limit; the
    # meetings of the committees I lead whose minutes wait for approval
    upcoming: list[MeetingRow] = []
    unapproved: dict[int, MeetingRow] = {}
    for meeting in sorted((MeetingRow(*row) for row in db.session.execute(_meetings_query(), {
            "committee_ids": sorted(committee_ids), "led_ids": sorted(led), "now": now,
            "limit": limit + len(committee_ids)})), key=lambda m: (m.starts_at, m.id)):
        if meeting.kind == "next":
            upcoming.append(meeting)
        else:  # the latest held one of each committee
            unapproved[meeting.committee_id] = meeting
    found.meetings = [NextMeeting(m, committees[m.committee_id],
                                  local_time(m.starts_at, committees[m.committee_id]))
                      for m in upcoming[:limit]]
    following: dict[int, MeetingRow] = {}
    for meeting in upcoming:
        following.setdefault(meeting.committee_id, meeting)
    found.report_backs = _report_backs(
        [wg for wg in rows if wg.member and wg.committee is not None and wg.open_on(day)],
        committees, following)
    found.todo = _todo([committees[i] for i in sorted(led)], following, unapproved, day)
    return found


def _report_backs(workgroups: list[WorkgroupRow], committees: dict[int, Committee],
                  following: dict[int, MeetingRow]) -> list[ReportBack]:
    """My open workgroups due to report back at their committee's next meeting."""
    due = []
    for wg in sorted(workgroups, key=lambda w: w.name):
        meeting = following.get(wg.committee_id)
        if meeting is None:
            continue
        window = REPORT_BACK_DAYS.get(wg.report_back)
        before = wg.reported
        if window and before and meeting.starts_at - before < timedelta(days=window):
            continue
        due.append(ReportBack(wg, meeting, local_time(meeting.starts_at,
                                                      committees[wg.committee_id]),
                              wg.on_next_agenda))
    return due


def _todo(committees: list[Committee], following: dict[int, MeetingRow],
          unapproved: dict[int, MeetingRow], day: date) -> list[tuple[Committee, list[ToDo]]]:
    """For the committees I chair or run: draft the agenda, approve the minutes, stalled work.

    unapproved: the latest meeting held of each whose minutes are not approved.
    """
    if not committees:
        return []
    records = open_workgroups(committees, day)
    every = [r for rs in records.values() for r in rs]
    with preloaded("workgroup", every, day):
        stalled = {r.id: stall_reasons(r, day) for r in every}
    out = []
    for committee in committees:
        items = []
        meeting = following.get(committee.id)
        if meeting is not None and meeting.agenda_status != "published":
            items.append(ToDo(f"Draft and publish the agenda for "
                              f"{local_time(meeting.starts_at, committee)}",
                              "meetings.meeting_detail", meeting.key))
        held = unapproved.get(committee.id)
        if held is not None and meeting is not None and meeting.starts_at > held.starts_at:
            # the approval is a motion of the next meeting, on its agenda item
            items.append(ToDo(f"Approve the minutes of "
                              f"{local_time(held.starts_at, committee)} at the meeting of "
                              f"{local_time(meeting.starts_at, committee)}",
                              "meetings.meeting_detail", meeting.key))
        elif held is not None:
            items.append(ToDo(f"Approve the minutes of "
                              f"{local_time(held.starts_at, committee)}",
                              "meetings.meeting_detail", held.key))
        for record in records[committee.id]:
            if stalled.get(record.id):
                items.append(ToDo(f"{record.name} has stalled: {'; '.join(stalled[record.id])}",
                                  "workgroups.workgroup_detail", record.key))
        if items:
            out.append((committee, items))
    return out
