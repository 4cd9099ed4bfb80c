"""Meeting rules: schedule, agenda and its draft, attendance and quorum, minutes."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from sqlalchemy import select

from govtrack import audit
from govtrack.agencies.models import SIDES, Person
from govtrack.clock import today, utcnow
from govtrack.committees.models import Committee
from govtrack.editing import DomainError, apply_edit
from govtrack.extensions import db
from govtrack.meetings.models import (
    ATTENDANCE,
    ITEM_KINDS,
    AgendaItem,
    AgendaRequest,
    Attendance,
    Meeting,
    QuorumRule,
)

#: how far ahead `schedule` creates meetings from the cadence, by default
SCHEDULE_MONTHS = 6


def local(meeting: Meeting) -> datetime:
    """The meeting's start on the wall clock of its committee."""
    return meeting.starts_at.astimezone(ZoneInfo(meeting.committee.timezone))


def meeting_day(meeting: Meeting) -> date:
    """The meeting's date in the committee's time zone (DESIGN: dates of instants)."""
    return local(meeting).date()


def _to_utc(committee: Committee, wall_clock: datetime) -> datetime:
    return wall_clock.replace(tzinfo=ZoneInfo(committee.timezone)).astimezone(UTC)


def _key(committee: Committee, wall_clock: datetime) -> str:
    base = f"{committee.key}-{wall_clock:%Y-%m-%d}"[:76]
    taken = set(db.session.scalars(select(Meeting.key).where(Meeting.key.like(f"{base}%"))))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _check_times(duration: int) -> None:
    if not 5 <= duration <= 1440:
        raise DomainError("A meeting lasts from 5 minutes to 24 hours.",
                          field="duration_minutes")


def schedule(actor, committee: Committee, until: date | None = None) -> list[Meeting]:
    """Create the cadence's meetings from today until `until` that do not exist yet.

    Each meeting remembers its occurrence, so a moved or cancelled one is never
    made again.
    """
    if not committee.cadence_rrule or not committee.cadence_dtstart:
        raise DomainError("Set the committee's regular meetings first.")
    start_day = today()
    until = until or (start_day + timedelta(days=31 * SCHEDULE_MONTHS))
    rule = rrulestr(committee.cadence_rrule, dtstart=committee.cadence_dtstart)
    window_start = datetime.combine(start_day, datetime.min.time())
    window_end = datetime.combine(until, datetime.max.time())
    existing = {m.occurrence for m in committee.meetings if m.occurrence is not None}
    made = []
    for occurrence in rule.between(window_start, window_end, inc=True):
        if occurrence in existing:
            continue
        meeting = Meeting(key=_key(committee, occurrence), committee=committee,
                          starts_at=_to_utc(committee, occurrence), occurrence=occurrence,
                          duration_minutes=committee.duration_minutes)
        db.session.add(meeting)
        audit.record(actor, "create", meeting, committee=committee)
        made.append(meeting)
    return made


def video_link_problem(link: str) -> str | None:
    """Why a video link is refused, or None: only http(s) addresses with a host.

    The link is rendered as an href; a javascript: address would run in the
    page of whoever clicks it.
    """
    if not link:
        return None
    parts = urlsplit(link)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return "Enter a web address starting with https:// (or http://)."
    return None


def _check_video_link(link: str) -> None:
    problem = video_link_problem(link)
    if problem:
        raise DomainError(problem, "video_link")


def create_meeting(actor, committee: Committee, *, starts: datetime, duration_minutes: int,
                   location: str = "", video_link: str = "") -> Meeting:
    """A one-off meeting; starts is wall-clock time in the committee's zone."""
    _check_times(duration_minutes)
    _check_video_link(video_link)
    meeting = Meeting(key=_key(committee, starts), committee=committee,
                      starts_at=_to_utc(committee, starts), duration_minutes=duration_minutes,
                      location=location, video_link=video_link)
    db.session.add(meeting)
    audit.record(actor, "create", meeting, committee=committee)
    return meeting


def update_meeting(actor, meeting: Meeting, expected_version: int | None, *, starts: datetime,
                   duration_minutes: int, location: str, video_link: str) -> None:
    """Move or change one meeting; calendars see a higher SEQUENCE."""
    _check_times(duration_minutes)
    _check_video_link(video_link)
    if meeting.status == "cancelled":
        raise DomainError("This meeting is cancelled.")
    before = meeting.starts_at
    apply_edit(meeting, expected_version, {
        "starts_at": _to_utc(meeting.committee, starts), "duration_minutes": duration_minutes,
        "location": location, "video_link": video_link})
    if meeting.starts_at != before:
        # the "meeting moved" reminder is derived from this stamp
        meeting.moved_at = utcnow()
    if audit.record(actor, "update", meeting, committee=meeting.committee):
        meeting.sequence += 1


def cancel_meeting(actor, meeting: Meeting) -> None:
    """Cancel one occurrence; the others stay as they are."""
    if meeting.status == "held":
        raise DomainError("A meeting that was held cannot be cancelled.")
    meeting.status = "cancelled"
    meeting.sequence += 1
    audit.record(actor, "update", meeting, committee=meeting.committee)


# --- agenda --------------------------------------------------------------------


def _check_item(title: str, kind: str, minutes: int) -> None:
    if not title.strip():
        raise DomainError("Give the item a title.", field="title")
    if kind not in ITEM_KINDS:
        raise DomainError("Choose a kind of item.", field="kind")
    if not 1 <= minutes <= 480:
        raise DomainError("An item takes from 1 to 480 minutes.", field="minutes")


def add_item(actor, meeting: Meeting, *, title: str, kind: str, minutes: int,
             presenter: Person | None = None, source: str | None = None,
             **refs) -> AgendaItem:
    """Add an item at the end of the agenda."""
    _check_item(title, kind, minutes)
    item = AgendaItem(meeting=meeting, title=title, kind=kind, minutes=minutes,
                      presenter=presenter, source=source,
                      position=max((i.position for i in meeting.items), default=0) + 1, **refs)
    db.session.add(item)
    audit.record(actor, "create", item, committee=meeting.committee,
                 label=f"agenda item “{title}”")
    _agenda_changed(meeting)
    return item


def _agenda_changed(meeting: Meeting) -> None:
    """Stamp a change to a published agenda: the "agenda changed" reminder tells members."""
    if meeting.agenda_status == "published":
        meeting.agenda_changed_at = utcnow()


def update_item(actor, item: AgendaItem, *, title: str, kind: str, minutes: int,
                presenter: Person | None) -> None:
    """Change an agenda item."""
    _check_item(title, kind, minutes)
    item.title, item.kind, item.minutes = title, kind, minutes
    item.presenter = presenter
    if audit.record(actor, "update", item, committee=item.meeting.committee,
                    label=f"agenda item “{title}”"):
        _agenda_changed(item.meeting)


def remove_item(actor, item: AgendaItem) -> None:
    """Take an item off the agenda."""
    meeting = item.meeting
    audit.record(actor, "delete", item, committee=meeting.committee,
                 label=f"agenda item “{item.title}”")
    meeting.items.remove(item)
    db.session.delete(item)
    _agenda_changed(meeting)


def move_item(actor, item: AgendaItem, step: int) -> None:
    """Move an item up (-1) or down (+1) the agenda."""
    items = list(item.meeting.items)
    index = items.index(item)
    other = index + step
    if not 0 <= other < len(items):
        return
    items[index], items[other] = items[other], items[index]
    for position, each in enumerate(items, start=1):
        each.position = position
    _agenda_changed(item.meeting)


@dataclass
class Timing:
    """The agenda's total time against the meeting's length."""

    total: int
    available: int

    @property
    def over(self) -> int:
        """Minutes the agenda runs over the meeting (0 if it fits)."""
        return max(0, self.total - self.available)


def timing(meeting: Meeting) -> Timing:
    """How the agenda's items fit the meeting's duration."""
    return Timing(meeting.agenda_minutes, meeting.duration_minutes)


def item_starts(meeting: Meeting) -> list[tuple[AgendaItem, datetime]]:
    """Each item with its planned start on the committee's wall clock.

    The arithmetic is done in UTC, so an agenda that crosses a change of
    daylight-saving time shows the times a clock on the wall will show.
    """
    zone = ZoneInfo(meeting.committee.timezone)
    result, offset = [], 0
    for item in meeting.items:
        result.append((item, (meeting.starts_at + timedelta(minutes=offset)).astimezone(zone)))
        offset += item.minutes
    return result


def publish(actor, meeting: Meeting) -> None:
    """Publish the agenda: members see it, calendars update."""
    if not meeting.items:
        raise DomainError("An empty agenda cannot be published. Draft or add items first.")
    if meeting.status == "cancelled":
        raise DomainError("This meeting is cancelled.")
    meeting.agenda_status = "published"
    meeting.agenda_published_at = utcnow()
    meeting.sequence += 1
    audit.record(actor, "update", meeting, committee=meeting.committee)


# --- the agenda that drafts itself ----------------------------------------------


def previous_meeting(meeting: Meeting) -> Meeting | None:
    """The last held meeting of the committee before this one, in one query."""
    return db.session.scalar(
        select(Meeting).where(Meeting.committee == meeting.committee, Meeting.status == "held",
                              Meeting.starts_at < meeting.starts_at)
        .order_by(Meeting.starts_at.desc(), Meeting.id.desc()).limit(1))


def next_meeting(meeting: Meeting) -> Meeting | None:
    """The next scheduled meeting of the committee after this one, in one query."""
    return db.session.scalar(
        select(Meeting).where(Meeting.committee == meeting.committee,
                              Meeting.status == "scheduled", Meeting.starts_at > meeting.starts_at)
        .order_by(Meeting.starts_at, Meeting.id).limit(1))


def carry_item(actor, item: AgendaItem) -> AgendaItem:
    """Carry an item not reached to the next scheduled meeting, with its notes."""
    target = next_meeting(item.meeting)
    if target is None:
        raise DomainError("Schedule the next meeting first.")
    carried = add_item(actor, target, title=item.title, kind=item.kind, minutes=item.minutes,
                       presenter=item.presenter, source=f"carried:{item.id}",
                       workgroup_key=item.workgroup_key, mou_key=item.mou_key,
                       pdsa_key=item.pdsa_key)
    carried.notes = item.notes
    carried.carried_from_id = item.id
    return carried


# --- members ask for items ---------------------------------------------------------


def request_item(actor, meeting: Meeting, *, title: str, kind: str, minutes: int,
                 note: str = "") -> AgendaRequest:
    """A member proposes an item for a coming meeting (one not yet held or cancelled)."""
    if meeting.status != "scheduled" or meeting.starts_at <= utcnow():
        raise DomainError("Items are requested only for meetings still to come; this one "
                          f"was on {meeting.starts_at:%-d %B %Y}. Request it for the next "
                          "meeting.")
    _check_item(title, kind, minutes)
    request = AgendaRequest(committee=meeting.committee, meeting=meeting, proposer=actor.person,
                            title=title, kind=kind, minutes=minutes, note=note)
    db.session.add(request)
    audit.record(actor, "create", request, committee=meeting.committee)
    return request


def decide_request(actor, request: AgendaRequest, accept: bool) -> AgendaItem | None:
    """Accept (onto its meeting's agenda) or decline a member's request."""
    if request.status != "pending":
        raise DomainError("This request was already decided.")
    request.status = "accepted" if accept else "declined"
    request.decided_at = utcnow()
    audit.record(actor, "update", request, committee=request.committee)
    if accept and request.meeting is not None and request.meeting.status == "scheduled":
        return add_item(actor, request.meeting, title=request.title, kind=request.kind,
                        minutes=request.minutes, presenter=request.proposer,
                        source=f"request:{request.id}")
    return None


# --- attendance and quorum ----------------------------------------------------------


def expected_members(meeting: Meeting) -> list:
    """Memberships in force on the meeting's date, observers aside."""
    day = meeting_day(meeting)
    return [m for m in meeting.committee.memberships
            if m.holds_on(day) and m.role != "observer"]


def record_attendance(actor, meeting: Meeting,
                      marks: dict[int, tuple[str, Person | None]]) -> None:
    """Record who was present, absent or sent a designee; the meeting was held."""
    if meeting.status == "cancelled":
        raise DomainError("This meeting is cancelled.")
    if meeting_day(meeting) > today():
        raise DomainError("Attendance is taken on the day of the meeting or after it.")
    by_person = {a.person_id: a for a in meeting.attendance}
    for person_id, (status, designee) in marks.items():
        if status not in ATTENDANCE:
            raise DomainError("Choose present, absent or designee.")
        if status == "designee" and designee is None:
            raise DomainError("Name the designee.", field=f"designee-{person_id}")
        row = by_person.get(person_id)
        if row is None:
            row = Attendance(meeting=meeting, person_id=person_id)
            db.session.add(row)
        row.status = status
        row.designee = designee if status == "designee" else None
    if meeting.status != "held":
        meeting.status = "held"
    audit.record(actor, "update", meeting, committee=meeting.committee,
                 changes={"attendance": [None, f"{len(marks)} members marked"]})


@dataclass
class Quorum:
    """Whether enough people, and the required sides, are at the table."""

    present: int
    needed: int
    missing_sides: list[str]

    @property
    def met(self) -> bool:
        """Quorum holds."""
        return self.present >= self.needed and not self.missing_sides

    def describe(self) -> str:
        """In words, for the attendance page."""
        words = f"{self.present} of {self.needed} needed present or represented"
        if self.missing_sides:
            words += "; missing: " + ", ".join(SIDES[s].lower() for s in self.missing_sides)
        return ("Quorum: " if self.met else "No quorum: ") + words + "."


def quorum(meeting: Meeting, marks: dict[int, str] | None = None) -> Quorum:
    """Quorum from recorded attendance (or from marks being taken)."""
    rule = meeting.committee.quorum_rule
    members = expected_members(meeting)
    if marks is None:
        marks = {a.person_id: a.status for a in meeting.attendance}
    here = [m for m in members if marks.get(m.person_id) in ("present", "designee")]
    needed = rule.min_present if rule else len(members) // 2 + 1
    sides = {m.agency.side for m in here}
    missing = [s for s in (rule.required_sides if rule else []) if s not in sides]
    return Quorum(len(here), needed, missing)


def set_quorum_rule(actor, committee: Committee, *, min_present: int,
                    required_sides: list[str]) -> QuorumRule:
    """Store the committee's quorum rule."""
    if min_present < 1:
        raise DomainError("At least one person must be present.", field="min_present")
    if set(required_sides) - set(SIDES):
        raise DomainError("Choose sides from the list.", field="required_sides")
    rule = committee.quorum_rule
    if rule is None:
        rule = QuorumRule(committee=committee)
        db.session.add(rule)
    rule.min_present, rule.required_sides = min_present, list(required_sides)
    audit.record(actor, "update", rule, committee=committee)
    return rule


# --- minutes ---------------------------------------------------------------------------


def save_minutes(actor, meeting: Meeting, expected_version: int | None, *, text: str,
                 decisions: list[str], notes: dict[int, str]) -> None:
    """Save the minutes: notes per item, the general text, decisions."""
    if meeting.minutes_locked:
        raise DomainError("These minutes are approved and can no longer be changed.")
    apply_edit(meeting, expected_version, {"minutes_text": text, "decisions": decisions})
    for item in meeting.items:
        if item.id in notes and notes[item.id] != item.notes:
            item.notes = notes[item.id]
            audit.record(actor, "update", item, committee=meeting.committee,
                         label=f"minutes of “{item.title}”")
    audit.record(actor, "update", meeting, committee=meeting.committee)


def approve_minutes(actor, meeting: Meeting) -> None:
    """Approve the minutes (at the next meeting); they are read-only afterwards."""
    if meeting.minutes_locked:
        raise DomainError("These minutes are already approved.")
    if meeting.status != "held":
        raise DomainError("Only the minutes of a meeting that was held can be approved.")
    meeting.minutes_approved_at = utcnow()
    audit.record(actor, "update", meeting, committee=meeting.committee)


def attendance_history(committee: Committee, meetings: list[Meeting] | None = None
                       ) -> list[tuple[Meeting, int, int]]:
    """Held meetings with (present or represented, expected), oldest first: the trend.

    Of the given meetings (default: all the committee's); their attendance is
    read in one query, as (meeting, person) pairs.
    """
    held = sorted((m for m in (committee.meetings if meetings is None else meetings)
                   if m.status == "held"), key=lambda m: m.starts_at)
    at_table: dict[int, set[int]] = {m.id: set() for m in held}
    if held:
        for meeting_id, person_id in db.session.execute(
                select(Attendance.meeting_id, Attendance.person_id).where(
                    Attendance.meeting_id.in_(list(at_table)),
                    Attendance.status.in_(("present", "designee")))):
            at_table[meeting_id].add(person_id)
    rows = []
    for meeting in held:
        expected = {m.person_id for m in expected_members(meeting)}
        rows.append((meeting, len(at_table[meeting.id] & expected), len(expected)))
    return rows


def expected_members_today(committee: Committee) -> list:
    """Current memberships, observers aside: who can present or own an action."""
    day = today()
    return [m for m in committee.memberships if m.holds_on(day) and m.role != "observer"]


def upcoming_meeting(committee: Committee) -> Meeting | None:
    """The next scheduled meeting of a committee (for its page), in one query."""
    return db.session.scalar(
        select(Meeting).where(Meeting.committee_id == committee.id,
                              Meeting.status == "scheduled",
                              Meeting.starts_at >= utcnow())
        .order_by(Meeting.starts_at, Meeting.id).limit(1))
