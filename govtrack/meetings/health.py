"""The meetings' committee health rules: no_meeting and attendance_falling (DESIGN.md).

Kamin, Weisman and Lamberti saw committees fade in two ways these rules
catch early: nobody calls the next meeting, and members stop coming before
anyone decides to stop.

"Before D" in DESIGN.md's table is read as "on or before D" for meetings:
only what happened up to D counts, and a meeting held on D has happened. It
is the one reading under which each rule's `since` column is also the first
day the flag holds (a meeting on D clears no_meeting on D, and
attendance_falling holds from the day of the meeting that started the run).
"""

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction
from functools import cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import String, bindparam, cast, func, inspect, select

from govtrack.accounts.models import Account
from govtrack.agencies.models import Person
from govtrack.committees.cadence import PERIOD_DAYS, CadenceError, parse_rule
from govtrack.committees.models import Committee, Membership
from govtrack.extensions import db
from govtrack.health.rules import Preloader, Rule
from govtrack.meetings.models import AgendaItem, Attendance, Meeting
from govtrack.meetings.services import expected_members, meeting_day

#: attendance below this share of the people expected flags a meeting
LOW_SHARE = Fraction(1, 2)
#: a fall of this much (25 points) from the three held meetings before also flags it
DROP = Fraction(1, 4)
#: meetings pooled in one share of attendance
POOL = 3
#: statuses of a member who was at the table, in person or through a designee
AT_THE_TABLE = frozenset({"present", "designee"})


def cadence_period_days(committee: Committee) -> int | None:
    """P: the cadence's FREQ in days times its INTERVAL; None without a (usable) cadence."""
    if not committee.cadence_rrule:
        return None
    try:
        parts = parse_rule(committee.cadence_rrule)
    except CadenceError:
        return None
    interval = parts.get("INTERVAL", "1")
    if parts.get("FREQ") not in PERIOD_DAYS or not interval.isdigit() or int(interval) < 1:
        return None
    return PERIOD_DAYS[parts["FREQ"]] * int(interval)


def end_of_day(committee: Committee, as_of: date) -> datetime:
    """The instant as_of ends on the committee's wall clock, in UTC."""
    end = datetime.combine(as_of + timedelta(days=1), time(), ZoneInfo(committee.timezone))
    return end.astimezone(UTC)


class Seat(NamedTuple):
    """A membership of a committee (observers aside) as expected_at reads it, from one row.

    holds_on is Membership.holds_on: in force on the day, its person still active.
    """

    person_id: int
    start: date
    end: date | None
    person_active: bool
    inactive_since: date | None
    has_account: bool
    account_active: bool | None
    #: the account's deactivated_at, its UTC date (as Person.active_on reads it)
    deactivated_on: date | None

    def holds_on(self, day: date) -> bool:
        """Whether the membership is in force on day and its person still active then."""
        if self.start > day or (self.end is not None and day > self.end):
            return False
        if not self.person_active and (self.inactive_since is None
                                       or day >= self.inactive_since):
            return False
        return not (self.has_account and not self.account_active
                    and (self.deactivated_on is None or self.deactivated_on <= day))


def load_seats(committee_ids: list[int]) -> dict[int, list[Seat]]:
    """committee id -> its memberships (observers aside) as Seats, in one query of rows."""
    found: dict[int, list[Seat]] = {cid: [] for cid in committee_ids}
    if not committee_ids:
        return found
    for row in db.session.execute(
            select(Membership.committee_id, Membership.person_id, Membership.start,
                   Membership.end, Person.active, Person.inactive_since, Account.id,
                   Account.active, Account.deactivated_at)
            .join(Person, Person.id == Membership.person_id)
            .outerjoin(Account, Account.person_id == Person.id)
            .where(Membership.committee_id.in_(committee_ids),
                   Membership.role != "observer")):
        (committee_id, person_id, start, end, active, inactive_since, account_id,
         account_active, deactivated_at) = row
        found[committee_id].append(Seat(
            person_id, start, end, active, inactive_since, account_id is not None,
            account_active, deactivated_at.date() if deactivated_at is not None else None))
    return found


class Mark(NamedTuple):
    """One person's attendance at a held meeting."""

    person_id: int
    status: str


@dataclass(eq=False)
class HeldMeeting:
    """A held meeting as the health rules read it: when it started and who came.

    attendance holds the marks of the people at the table (present, or
    represented by a designee) only: the rules count no other.

    Read as plain rows, not ORM objects: a county's health report reads tens of
    thousands of attendance marks. It answers what the rules ask of a Meeting
    (id, key, committee, starts_at, status, attendance), so the rules also take
    Meeting objects.
    """

    id: int
    key: str
    committee: Committee
    starts_at: datetime
    attendance: list[Mark] = field(default_factory=list)
    status: str = "held"
    #: person ids expected at the meeting, once expected_at() worked them out
    expected: frozenset[int] | None = None
    #: the committee's memberships, observers aside, as load_held read them
    seats: list[Seat] | None = None
    #: the meeting's date on the committee's wall clock (meeting_day), once worked out
    day: date | None = None
    #: person ids present or represented, once at_the_table() worked them out
    present: frozenset[int] | None = None
    #: the workgroup keys of its report-back items (workgroups.health reads them)
    reported: frozenset[str] = frozenset()


#: between the workgroup keys of a meeting's report-back items, as load_held reads them
KEYS_SEPARATOR = "\x1f"


@cache
def _held_query():
    """load_held's statement, built once: SQLAlchemy keys its compiled-SQL cache by the
    statement, and working that key out for a fresh one costs about a millisecond a query.
    Bound: "committee_ids", "end".

    One row per held meeting, its attendance marks (people at the table) as one string
    ("3:present,17:designee") and the workgroup keys of its report-back items as another:
    one query rather than three (the rows of a mark each cost more than the string).
    """
    marks = (select(func.aggregate_strings(
        cast(Attendance.person_id, String) + ":" + Attendance.status, ","))
        .where(Attendance.meeting_id == Meeting.id, Attendance.status.in_(AT_THE_TABLE))
        .scalar_subquery())
    reported = (select(func.aggregate_strings(AgendaItem.workgroup_key, KEYS_SEPARATOR))
                .where(AgendaItem.meeting_id == Meeting.id, AgendaItem.kind == "report_back",
                       AgendaItem.workgroup_key.is_not(None))
                .scalar_subquery())
    return (select(Meeting.id, Meeting.key, Meeting.committee_id, Meeting.starts_at,
                   marks.label("marks"), reported.label("reported"))
            .where(Meeting.committee_id.in_(bindparam("committee_ids", expanding=True)),
                   Meeting.status == "held",
                   Meeting.starts_at < bindparam("end", type_=Meeting.starts_at.type))
            .order_by(Meeting.starts_at, Meeting.id))


def load_held(committees: Iterable[Committee], as_of: date) -> dict[int, list[HeldMeeting]]:
    """committee id -> its held meetings up to the end of as_of (its zone), oldest first.

    Two queries for them all: the meetings with their attendance marks and
    report-back items, and the committees' memberships (who is expected at each
    meeting; for a committee whose memberships are loaded already, as on its
    pages, read from those).
    """
    committees = {c.id: c for c in committees if c.id is not None}
    found: dict[int, list[HeldMeeting]] = {cid: [] for cid in committees}
    if not committees:
        return found
    ends = {cid: end_of_day(c, as_of) for cid, c in committees.items()}
    params = {"committee_ids": list(committees), "end": max(ends.values())}
    for meeting_id, key, committee_id, starts_at, marks, reported in db.session.execute(
            _held_query(), params):
        if starts_at < ends[committee_id]:
            meeting = HeldMeeting(meeting_id, key, committees[committee_id], starts_at,
                                  reported=frozenset(reported.split(KEYS_SEPARATOR))
                                  if reported else frozenset())
            if marks:
                for mark in marks.split(","):
                    person_id, _, status = mark.partition(":")
                    meeting.attendance.append(Mark(int(person_id), status))
            found[committee_id].append(meeting)
    # who is expected, as rows, unless a page loaded the committee's members already
    seats = load_seats([cid for cid, c in committees.items() if not _members_loaded(c)])
    seats.update({cid: seats_of(c) for cid, c in committees.items() if _members_loaded(c)})
    for committee_id, meetings in found.items():
        for meeting in meetings:
            meeting.seats = seats.get(committee_id)
    return found


def seats_of(committee: Committee) -> list[Seat]:
    """The committee's loaded memberships (observers aside) as Seats, without a query.

    Each meeting then asks Seat.holds_on, a few comparisons, rather than
    Membership.holds_on through the person and their account.
    """
    found = []
    for membership in committee.memberships:
        if membership.role == "observer":
            continue
        person = membership.person
        account = person.account
        found.append(Seat(
            membership.person_id, membership.start, membership.end, person.active,
            person.inactive_since, account is not None,
            account.active if account is not None else None,
            account.deactivated_at.date() if account is not None
            and account.deactivated_at is not None else None))
    return found


def _members_loaded(committee) -> bool:
    """Whether the committee is an ORM Committee with its memberships loaded."""
    return isinstance(committee, Committee) and "memberships" in inspect(committee).dict


#: (as_of, {committee id: held meetings}) while the health of committees is read
_held: ContextVar[tuple[date, dict[int, list[HeldMeeting]]] | None] = ContextVar(
    "held_meetings", default=None)


def preloaded_held(committee: Committee, as_of: date) -> list[HeldMeeting] | None:
    """The committee's preloaded held meetings on as_of, or None if they were not preloaded."""
    loaded = _held.get()
    if loaded is None or loaded[0] != as_of:
        return None
    return loaded[1].get(committee.id)


@contextmanager
def _preload_held(committees, as_of: date) -> Iterator[None]:
    """Load the committees' held meetings with their attendance in one query, for every rule."""
    committees = [c for c in committees if c.id is not None]
    if not committees or all(preloaded_held(c, as_of) is not None for c in committees):
        yield
        return
    token = _held.set((as_of, load_held(committees, as_of)))
    try:
        yield
    finally:
        _held.reset(token)


def held_meetings(committee: Committee, as_of: date) -> list[HeldMeeting]:
    """The committee's held meetings up to the end of as_of (its zone), oldest first.

    With their attendance, in one query (none within preloaded()).
    """
    if committee.id is None:
        return []
    loaded = preloaded_held(committee, as_of)
    if loaded is not None:
        return list(loaded)
    return load_held([committee], as_of)[committee.id]


def last_held_day(committee: Committee, as_of: date) -> date | None:
    """The date (committee's zone) of its last held meeting up to as_of, in one query."""
    if committee.id is None:
        return None
    loaded = preloaded_held(committee, as_of)
    if loaded is not None:
        return meeting_day(loaded[-1]) if loaded else None
    last = db.session.scalar(
        select(func.max(Meeting.starts_at))
        .where(Meeting.committee_id == committee.id, Meeting.status == "held",
               Meeting.starts_at < end_of_day(committee, as_of)))
    return last.astimezone(ZoneInfo(committee.timezone)).date() if last else None


def expected_at(meeting: Meeting | HeldMeeting) -> frozenset[int]:
    """Ids of the people expected at a committee meeting: its members on the meeting's date.

    Observers aside (meetings.services.expected_members). Worked out once per
    HeldMeeting, however many rules and workgroups ask.
    """
    if not isinstance(meeting, HeldMeeting):
        return frozenset(m.person_id for m in expected_members(meeting))
    if meeting.expected is None:
        if meeting.seats is None:
            meeting.expected = frozenset(m.person_id for m in expected_members(meeting))
        else:
            day = day_of_meeting(meeting)
            meeting.expected = frozenset(s.person_id for s in meeting.seats if s.holds_on(day))
    return meeting.expected


def day_of_meeting(meeting: Meeting | HeldMeeting) -> date:
    """meeting_day(meeting), worked out once per HeldMeeting."""
    if not isinstance(meeting, HeldMeeting):
        return meeting_day(meeting)
    if meeting.day is None:
        meeting.day = meeting_day(meeting)
    return meeting.day


def at_the_table(meeting: Meeting | HeldMeeting) -> frozenset[int]:
    """Ids of the people present or represented at the meeting (once per HeldMeeting)."""
    if isinstance(meeting, HeldMeeting) and meeting.present is not None:
        return meeting.present
    present = frozenset(a.person_id for a in meeting.attendance if a.status in AT_THE_TABLE)
    if isinstance(meeting, HeldMeeting):
        meeting.present = present
    return present


def committee_members_on(committee: Committee) -> Callable[[Meeting], set[int]]:
    """People expected at a committee meeting: its members on the meeting's date.

    Observers aside: they sit in by choice, and the meeting page's attendance
    trend (meetings.services.expected_members) leaves them out too.
    """

    def expected(meeting: Meeting) -> set[int]:
        return set(expected_at(meeting))

    return expected


def attendance_share(meetings: Iterable[Meeting],
                     expected_people_of: Callable[[Meeting], set[int]]) -> Fraction | None:
    """People present or represented over people expected, pooled across the meetings.

    Someone at the table who was not expected (a guest) does not count; None
    when nobody was expected at all.
    """
    here = expected = 0
    for meeting in meetings:
        people = expected_people_of(meeting)
        here += len(people & at_the_table(meeting))
        expected += len(people)
    return Fraction(here, expected) if expected else None


def attendance_falling_since(held_meetings: Iterable[Meeting],
                             expected_people_of: Callable[[Meeting], set[int]],
                             as_of: date, committee: Committee | None = None) -> date | None:
    """Since when attendance has been falling as of as_of, or None if it is not.

    Judged at each held meeting M over the three held meetings ending at M:
    the pooled share of the people expected (expected_people_of(meeting): a
    committee's or a workgroup's members) who were present or represented is
    below 50 %, or 25 points or more below that of the three held meetings
    before those. It holds on as_of when it holds at the last held meeting up
    to as_of, since the date of the first meeting of that unbroken run.
    Meetings after as_of, and meetings not held, are ignored.
    """
    held = sorted((m for m in held_meetings
                   if m.status == "held" and day_of_meeting(m) <= as_of),
                  key=lambda m: (m.starts_at, m.id or 0))
    low, drop = LOW_SHARE, DROP
    if committee is not None:  # the committee's thresholds, DESIGN.md's 50 % and 25 points
        low = Fraction(committee.threshold("attendance_low_percent"), 100)
        drop = Fraction(committee.threshold("attendance_drop_points"), 100)
    # (present, expected) of each meeting, counted once however many pools it is in
    counted: dict[int, tuple[int, int]] = {}

    def counts_of(lo: int, hi: int) -> tuple[int, int]:
        """(present, expected) pooled over held[lo:hi]."""
        here = expected = 0
        for i in range(lo, hi):
            counts = counted.get(i)
            if counts is None:
                people = expected_people_of(held[i])
                counts = counted[i] = (len(people & at_the_table(held[i])), len(people))
            here += counts[0]
            expected += counts[1]
        return here, expected

    def falling_at(n: int) -> bool:
        """Whether attendance is falling at held[n], over the three held meetings ending
        there: the shares compared as integers, crossed (exactly as fractions would be)."""
        if n + 1 < POOL:
            return False
        here, expected = counts_of(n + 1 - POOL, n + 1)
        if not expected:
            return False
        if here * low.denominator < low.numerator * expected:  # share < low
            return True
        if n + 1 < 2 * POOL:
            return False
        here_before, expected_before = counts_of(n + 1 - 2 * POOL, n + 1 - POOL)
        if not expected_before:
            return False
        # share before - share >= drop
        return ((here_before * expected - here * expected_before) * drop.denominator
                >= drop.numerator * expected_before * expected)

    since = None
    for n in range(len(held) - 1, -1, -1):
        if not falling_at(n):
            break
        since = day_of_meeting(held[n])
    return since


def no_meeting_since(committee: Committee, as_of: date) -> date | None:
    """Since when the committee has gone 2 × P days without a held meeting, or None.

    It holds on as_of once as_of is 2 × P days or more after the last held
    meeting (or, before any, the cadence's start). A committee without a
    cadence has no period P, so this rule never holds for it: how often to
    meet is then the chair's call, and chair_vacant covers a committee nobody
    convenes.
    """
    period = cadence_period_days(committee)
    if period is None:
        return None
    last = last_held_day(committee, as_of)
    if last is None:
        if committee.cadence_dtstart is None:
            return None
        last = committee.cadence_dtstart.date()
    since = last + timedelta(days=2 * period)
    return since if since <= as_of else None


def attendance_falling(committee: Committee, as_of: date) -> date | None:
    """The committee's members come less: under half, or 25 points down."""
    return attendance_falling_since(held_meetings(committee, as_of),
                                    committee_members_on(committee), as_of, committee)


PRELOADERS = (Preloader("committee", _preload_held),)

RULES = (
    Rule("committee", "no_meeting", "No meeting was held for two cadence periods",
         no_meeting_since),
    Rule("committee", "attendance_falling", "Attendance is falling", attendance_falling),
)
