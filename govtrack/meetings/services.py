"""Meeting rules: schedule, agenda and its draft, attendance and quorum, minutes."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from govtrack import audit
from govtrack.actions.models import ActionItem
from govtrack.actions.services import create_action
from govtrack.agencies.models import SIDES, Person
from govtrack.clock import today, utcnow
from govtrack.committees.models import Committee
from govtrack.editing import AlreadyDone, DomainError, apply_edit
from govtrack.extensions import db
from govtrack.meetings.models import (
    ATTENDANCE,
    ITEM_KINDS,
    PLACEMENTS,
    RSVPS,
    VOTES,
    AgendaItem,
    AgendaRequest,
    Attendance,
    BacklogItem,
    Meeting,
    Motion,
    QuorumRule,
    Rsvp,
    StandingItem,
    Vote,
)
from govtrack.workgroups.models import Workgroup, WorkgroupUpdate

#: how far ahead `schedule` creates meetings from the cadence, by default
SCHEDULE_MONTHS = 6


def local(meeting: Meeting) -> datetime:
    """The meeting's start on the wall clock of its committee."""
    return meeting.starts_at.astimezone(ZoneInfo(meeting.committee.timezone))


def meeting_day(meeting: Meeting) -> date:
    """The meeting's date in the committee's time zone (DESIGN: dates of instants)."""
    return local(meeting).date()


def judged_on(meeting: Meeting, day: date) -> date:
    """The day a draft judges live state on: the meeting's day, or today if later.

    An agenda is for its meeting: a signature that will have stalled by then
    belongs on it, as does a workgroup that will have gone quiet.
    """
    return max(day, meeting_day(meeting))


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


LOCKED = ("The minutes of this meeting are approved: {what} can no longer be changed. "
          "To correct them, amend the minutes and give the reason.")


def refuse_if_locked(meeting: Meeting, what: str) -> None:
    """Approved minutes are the committee's record: its date, items, notes, decisions,
    attendance and the action items created at it change only by an amendment."""
    if meeting.minutes_locked:
        raise DomainError(LOCKED.format(what=what))


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
                          duration_minutes=committee.duration_minutes,
                          location=committee.default_location)
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


@dataclass
class CadenceChange:
    """What a new cadence did to the coming meetings made from the old one."""

    moved: list = field(default_factory=list)
    removed: list = field(default_factory=list)
    kept: list = field(default_factory=list)
    made: list = field(default_factory=list)

    def describe(self) -> str:
        """For the chair, after saving the cadence."""
        parts = []
        if self.moved:
            parts.append(f"{len(self.moved)} coming meetings moved to the new dates")
        if self.removed:
            parts.append(f"{len(self.removed)} removed")
        if self.made:
            parts.append(f"{len(self.made)} added")
        words = ("; ".join(parts) + ".") if parts else ""
        if self.kept:
            dates = ", ".join(f"{meeting_day(m):%-d %B %Y}" for m in self.kept)
            words += (f" Kept because their agenda has content: {dates}. Move or cancel "
                      "them if they no longer fit.")
        return words.strip()


def _has_agenda_content(meetings: list[Meeting]) -> set[int]:
    """Ids of meetings with items, members' requests or answers, or a published agenda."""
    asked = set(db.session.scalars(select(AgendaRequest.meeting_id).where(
        AgendaRequest.meeting_id.in_([m.id for m in meetings])))) if meetings else set()
    return {m.id for m in meetings
            if m.items or m.rsvps or m.agenda_status == "published" or m.id in asked}


def follow_cadence(actor, committee: Committee) -> CadenceChange:
    """After the cadence changed: move or remove the coming meetings made from the old one.

    A meeting whose agenda has content stays where it is and is pointed out
    to the chair; the others move to the new occurrences in order, or go.
    A meeting moves to the nearest new occurrence; the new occurrences up to
    the last one scheduled get a meeting each; one
    occurrence never has two (the unique key holds that too).
    """
    change = CadenceChange()
    now = utcnow()
    coming = sorted((m for m in committee.meetings if m.status == "scheduled"
                     and m.occurrence is not None and m.starts_at > now),
                    key=lambda m: m.starts_at)
    if not coming:
        return change
    new: list[datetime] = []
    horizon = datetime.combine(max(m.occurrence for m in coming).date(), datetime.max.time())
    if committee.cadence_rrule and committee.cadence_dtstart:
        rule = rrulestr(committee.cadence_rrule, dtstart=committee.cadence_dtstart)
        start = now.astimezone(ZoneInfo(committee.timezone)).replace(tzinfo=None)
        new = list(rule.between(start, horizon, inc=True))
        following = rule.after(horizon)  # where the last coming meeting may move to
        if following is not None:
            new.append(following)
    wanted = set(new)
    taken = {m.occurrence for m in committee.meetings if m.occurrence is not None}
    free = [o for o in new if o not in taken]
    content = _has_agenda_content(coming)
    for meeting in coming:
        if meeting.occurrence in wanted:
            continue
        if meeting.id in content:
            change.kept.append(meeting)
        elif free:
            # the nearest new date: a meeting of the second Tuesday becomes that month's
            # third Thursday, not the next free date in the list
            occurrence = min(free, key=lambda o: abs(o - meeting.occurrence))
            free.remove(occurrence)
            meeting.occurrence = occurrence
            meeting.starts_at = _to_utc(committee, occurrence)
            meeting.duration_minutes = committee.duration_minutes
            meeting.sequence += 1
            audit.record(actor, "update", meeting, committee=committee)
            change.moved.append(meeting)
        else:
            audit.record(actor, "delete", meeting, committee=committee)
            committee.meetings.remove(meeting)
            db.session.delete(meeting)
            change.removed.append(meeting)
    for occurrence in free:
        if occurrence > horizon:  # only a move target; schedule() makes it in its time
            continue
        meeting = Meeting(key=_key(committee, occurrence), committee=committee,
                          starts_at=_to_utc(committee, occurrence), occurrence=occurrence,
                          duration_minutes=committee.duration_minutes,
                          location=committee.default_location)
        db.session.add(meeting)
        audit.record(actor, "create", meeting, committee=committee)
        change.made.append(meeting)
    return change


def create_meeting(actor, committee: Committee, *, starts: datetime, duration_minutes: int,
                   location: str = "", video_link: str = "") -> Meeting | AlreadyDone:
    """A one-off meeting; starts is wall-clock time in the committee's zone.

    The same meeting submitted again (same start, length and place) is not
    made twice: the answer is the meeting the first submission made.
    """
    _check_times(duration_minutes)
    _check_video_link(video_link)
    same = db.session.scalar(select(Meeting).where(
        Meeting.committee_id == committee.id, Meeting.starts_at == _to_utc(committee, starts),
        Meeting.status != "cancelled", Meeting.duration_minutes == duration_minutes,
        Meeting.location == location, Meeting.video_link == video_link).limit(1))
    if same is not None:
        return AlreadyDone(same, "This meeting was already added; nothing changed.")
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
    refuse_if_locked(meeting, "its date and place")
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
    refuse_if_locked(meeting, "its status")
    if meeting.status == "held":
        raise DomainError("A meeting that was held cannot be cancelled.")
    meeting.status = "cancelled"
    # the "meeting cancelled" reminder is told once, as of this stamp
    meeting.cancelled_at = utcnow()
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


#: the records an agenda item may link to
LINKS = ("workgroup_key", "mou_key", "pdsa_key", "measure_key")


def add_item(actor, meeting: Meeting, *, title: str, kind: str, minutes: int,
             presenter: Person | None = None, source: str | None = None, why: str = "",
             **refs) -> AgendaItem:
    """Add an item at the end of the agenda, linked to the records refs name."""
    refuse_if_locked(meeting, "its agenda items")
    _check_item(title, kind, minutes)
    if set(refs) - set(LINKS) - {"action_id"}:
        raise ValueError(f"unknown links {set(refs) - set(LINKS)}")
    item = AgendaItem(meeting=meeting, title=title, kind=kind, minutes=minutes,
                      presenter=presenter, source=source, why=why[:1000],
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
                presenter: Person | None, **refs) -> None:
    """Change an agenda item (and, when given, the records it links to)."""
    refuse_if_locked(item.meeting, "its agenda items")
    _check_item(title, kind, minutes)
    item.title, item.kind, item.minutes = title, kind, minutes
    item.presenter = presenter
    if audit.record(actor, "update", item, committee=item.meeting.committee,
                    label=f"agenda item “{title}”"):
        _agenda_changed(item.meeting)
    for name, value in refs.items():
        if name not in LINKS:
            raise ValueError(f"unknown link {name}")
        setattr(item, name, value or None)
    audit.record(actor, "update", item, committee=item.meeting.committee,
                 label=f"agenda item “{title}”")


def remove_item(actor, item: AgendaItem) -> None:
    """Take an item off the agenda."""
    meeting = item.meeting
    refuse_if_locked(meeting, "its agenda items")
    if any(motion.agenda_item_id == item.id for motion in meeting.motions):
        # the approval of earlier minutes is found through the item its motion was taken on
        raise DomainError("A motion was voted on this item: remove the motion first.")
    audit.record(actor, "delete", item, committee=meeting.committee,
                 label=f"agenda item “{item.title}”")
    meeting.items.remove(item)
    db.session.delete(item)
    _agenda_changed(meeting)


def move_item(actor, item: AgendaItem, step: int) -> None:
    """Move an item up (-1) or down (+1) the agenda; the history records the new order."""
    meeting = item.meeting
    refuse_if_locked(meeting, "the order of its items")
    items = list(meeting.items)
    index = items.index(item)
    other = index + step
    if not 0 <= other < len(items):
        return
    items[index], items[other] = items[other], items[index]
    for position, each in enumerate(items, start=1):
        each.position = position
    _agenda_changed(item.meeting)
    audit.record(actor, "update", item, committee=meeting.committee,
                 label=f"agenda item “{item.title}”",
                 changes={"position": [index + 1, other + 1]})


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


def next_meeting(meeting: Meeting) -> Meeting | None:
    """The next scheduled meeting of the committee after this one, in one query."""
    return db.session.scalar(
        select(Meeting).where(Meeting.committee == meeting.committee,
                              Meeting.status == "scheduled", Meeting.starts_at > meeting.starts_at)
        .order_by(Meeting.starts_at, Meeting.id).limit(1))


def _refs(record) -> dict:
    return {name: getattr(record, name) for name in LINKS}


def carried_to(item: AgendaItem) -> AgendaItem | BacklogItem | None:
    """Where an item was carried (an agenda item, or the backlog), or None."""
    source = f"carried:{item.id}"
    placed = db.session.scalar(
        select(AgendaItem).join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(Meeting.committee_id == item.meeting.committee_id, AgendaItem.source == source,
               Meeting.status != "cancelled").limit(1))
    return placed or db.session.scalar(select(BacklogItem).where(
        BacklogItem.committee_id == item.meeting.committee_id, BacklogItem.source == source))


def carry_item(actor, item: AgendaItem) -> AgendaItem | BacklogItem:
    """Carry an item not reached, with its notes: onto the next meeting's draft, else the backlog.

    Carrying it again changes nothing: the item moves once.
    """
    done = carried_to(item)
    if done is not None:
        return done
    source = f"carried:{item.id}"
    target = next_meeting(item.meeting)
    if target is None or target.agenda_status == "published":
        return to_backlog(actor, item.meeting.committee, source=source, title=item.title,
                          kind=item.kind, minutes=item.minutes, presenter=item.presenter,
                          notes=item.notes, carried_from_id=item.id,
                          why=f"Not reached on {meeting_day(item.meeting):%-d %B %Y}.",
                          **_refs(item))
    carried = add_item(actor, target, title=item.title, kind=item.kind, minutes=item.minutes,
                       presenter=item.presenter, source=source,
                       why=f"Not reached on {meeting_day(item.meeting):%-d %B %Y}.",
                       **_refs(item))
    carried.notes = item.notes
    carried.carried_from_id = item.id
    return carried


# --- the backlog: items waiting for a meeting ---------------------------------------


def _placed(source_column, committee_id):
    """An agenda item of a meeting that is not cancelled carries this source."""
    return select(AgendaItem.id).join(Meeting, Meeting.id == AgendaItem.meeting_id).where(
        Meeting.committee_id == committee_id, Meeting.status != "cancelled",
        AgendaItem.source == source_column).exists()


def waiting(committee_id) -> tuple:
    """The conditions of a backlog item of the committee still waiting for a meeting: not
    dropped, not on the agenda of a meeting that is not cancelled."""
    return (BacklogItem.committee_id == committee_id, BacklogItem.dropped_at.is_(None),
            ~_placed(BacklogItem.source, committee_id))


@cache
def _backlog_query():
    """backlog's statement, built once (see meetings.views._meeting_query)."""
    committee_id = bindparam("committee_id", type_=BacklogItem.committee_id.type)
    return (select(BacklogItem).where(*waiting(committee_id))
            .options(joinedload(BacklogItem.presenter))
            .order_by(BacklogItem.created_at, BacklogItem.id))


def backlog(committee: Committee) -> list[BacklogItem]:
    """The committee's items waiting for a meeting, oldest first, in one query."""
    return list(db.session.scalars(_backlog_query(), {"committee_id": committee.id}))


def to_backlog(actor, committee: Committee, *, source: str, title: str, kind: str,
               minutes: int, presenter: Person | None = None, notes: str = "",
               carried_from_id: int | None = None, why: str = "", **refs) -> BacklogItem:
    """Put an item on the backlog once per source; a second time returns the first."""
    _check_item(title, kind, minutes)
    entry = db.session.scalar(select(BacklogItem).where(
        BacklogItem.committee_id == committee.id, BacklogItem.source == source))
    if entry is not None:
        return entry
    entry = BacklogItem(committee=committee, source=source, title=title, kind=kind,
                        minutes=minutes, presenter=presenter, notes=notes,
                        carried_from_id=carried_from_id, why=why[:1000], **refs)
    db.session.add(entry)
    audit.record(actor, "create", entry, committee=committee)
    return entry


def drop_from_backlog(actor, entry: BacklogItem) -> None:
    """Take an item off the backlog without discussing it (it stays in the history)."""
    if entry.dropped_at is not None:
        raise DomainError("This item was already taken off the backlog.")
    entry.dropped_at = utcnow()
    audit.record(actor, "update", entry, committee=entry.committee)


# --- standing items and the usual place -----------------------------------------------


def set_default_location(actor, committee: Committee, location: str) -> None | AlreadyDone:
    """Where the committee usually meets: new meetings and calendars use it."""
    if location == committee.default_location:
        return AlreadyDone(committee, "The usual place is already this; nothing changed.")
    committee.default_location = location
    audit.record(actor, "update", committee, committee=committee)
    return None


def add_standing_item(actor, committee: Committee, *, title: str, kind: str, minutes: int,
                      placement: str) -> StandingItem:
    """An item the committee puts on every agenda, set once."""
    _check_item(title, kind, minutes)
    if placement not in PLACEMENTS:
        raise DomainError("Choose where it goes on the agenda.", field="placement")
    item = StandingItem(committee=committee, title=title, kind=kind, minutes=minutes,
                        placement=placement,
                        position=max((i.position for i in committee.standing_items),
                                     default=0) + 1)
    db.session.add(item)
    audit.record(actor, "create", item, committee=committee)
    return item


def remove_standing_item(actor, item: StandingItem) -> None:
    """Stop putting an item on every agenda (agendas already drafted keep it)."""
    committee = item.committee
    audit.record(actor, "delete", item, committee=committee)
    committee.standing_items.remove(item)
    db.session.delete(item)


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


def decide_request(actor, request: AgendaRequest,
                   accept: bool) -> AgendaItem | BacklogItem | AlreadyDone | None:
    """Accept (onto its meeting's agenda, or the backlog) or decline a member's request.

    The same decision sent again changes nothing and says so.
    """
    wanted = "accepted" if accept else "declined"
    if request.status == wanted:
        return AlreadyDone(request, f"This request was already {wanted}; nothing changed.")
    if request.status != "pending":
        raise DomainError("This request was already decided.")
    request.status = "accepted" if accept else "declined"
    request.decided_at = utcnow()
    audit.record(actor, "update", request, committee=request.committee)
    if not accept:
        return None
    why = f"Asked for by {request.proposer.name}."
    if request.meeting is not None and request.meeting.status == "scheduled":
        return add_item(actor, request.meeting, title=request.title, kind=request.kind,
                        minutes=request.minutes, presenter=request.proposer,
                        source=f"request:{request.id}", why=why)
    # its meeting was held (or cancelled) meanwhile: the request waits for the next one
    return to_backlog(actor, request.committee, source=f"request:{request.id}",
                      title=request.title, kind=request.kind, minutes=request.minutes,
                      presenter=request.proposer, notes=request.note, why=why)


# --- attendance and quorum ----------------------------------------------------------


def expected_members(meeting: Meeting) -> list:
    """Memberships in force on the meeting's date, observers aside."""
    day = meeting_day(meeting)
    return [m for m in meeting.committee.memberships
            if m.holds_on(day) and m.role != "observer"]


def record_attendance(actor, meeting: Meeting,
                      marks: dict[int, tuple[str, Person | None]]) -> None:
    """Record who was present, absent or sent a designee (named when known); it was held."""
    refuse_if_locked(meeting, "its attendance")
    if meeting.status == "cancelled":
        raise DomainError("This meeting is cancelled.")
    if meeting_day(meeting) > today():
        raise DomainError("Attendance is taken on the day of the meeting or after it.")
    by_person = {a.person_id: a for a in meeting.attendance}
    for person_id, (status, designee) in marks.items():
        if status not in ATTENDANCE:
            raise DomainError("Choose present, absent or designee.")
        if status == "designee" and designee is not None and designee.id == person_id:
            # the county file refuses the same, so an export always imports again
            raise DomainError("A member cannot be their own designee.")
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


def rsvp(actor, meeting: Meeting, *, answer: str, designee: Person | None = None) -> Rsvp:
    """A member answers before the meeting: attending, sending a designee, or apologies."""
    if meeting.status != "scheduled" or meeting.starts_at <= utcnow():
        raise DomainError("Answers are given before the meeting starts.")
    if answer not in RSVPS:
        raise DomainError("Choose attending, a designee or apologies.", field="answer")
    person = actor.person
    if person.id not in {m.person_id for m in expected_members(meeting)}:
        raise DomainError("Only the committee's members answer for its meetings.")
    row = next((r for r in meeting.rsvps if r.person_id == person.id), None)
    if row is None:
        row = Rsvp(meeting=meeting, person=person, answer=answer)
        db.session.add(row)
    row.answer, row.answered_at = answer, utcnow()
    row.designee = designee if answer == "designee" else None
    audit.record(actor, "update", meeting, committee=meeting.committee,
                 changes={"rsvp": [None, f"{person.name}: {RSVPS[answer]}"]})
    return row


def marks_from_rsvps(meeting: Meeting) -> dict[int, tuple[str, int | None]]:
    """person id -> (attendance status, designee id) the grid starts from: recorded
    attendance if any, else each member's answer (attending -> present, apologies -> absent)."""
    if meeting.attendance:
        return {a.person_id: (a.status, a.designee_id) for a in meeting.attendance}
    start = {"attending": "present", "designee": "designee", "apologies": "absent"}
    return {r.person_id: (start[r.answer], r.designee_id) for r in meeting.rsvps}


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
                    required_sides: list[str]) -> QuorumRule | AlreadyDone:
    """Store the committee's quorum rule."""
    if min_present < 1:
        raise DomainError("At least one person must be present.", field="min_present")
    if set(required_sides) - set(SIDES):
        raise DomainError("Choose sides from the list.", field="required_sides")
    rule = committee.quorum_rule
    if rule is not None and (rule.min_present, sorted(rule.required_sides or [])) == (
            min_present, sorted(required_sides)):
        return AlreadyDone(rule, "The quorum rule already says this; nothing changed.")
    if rule is None:
        rule = QuorumRule(committee=committee)
        db.session.add(rule)
    rule.min_present, rule.required_sides = min_present, list(required_sides)
    audit.record(actor, "update", rule, committee=committee)
    return rule


# --- motions and votes ------------------------------------------------------------------


def voters(meeting: Meeting) -> list:
    """Memberships whose holder is present or represented: who votes (the designee for them)."""
    here = {a.person_id for a in meeting.attendance if a.status in ("present", "designee")}
    return [m for m in expected_members(meeting) if m.person_id in here]


def record_motion(actor, meeting: Meeting, *, text: str, mover: Person | None,
                  seconder: Person | None, votes: dict[int, str],
                  item: AgendaItem | None = None) -> Motion:
    """A motion put to the vote: who moved and seconded it, each present member's vote.

    The quorum is judged now, from the attendance recorded at this moment, and
    stated with the result.
    """
    refuse_if_locked(meeting, "its decisions")
    if meeting.status != "held":
        raise DomainError("Take the attendance first: votes are cast by members present.")
    if not text.strip():
        raise DomainError("Write the motion.", field="text")
    allowed = {m.person_id for m in voters(meeting)}
    if mover is None or mover.id not in allowed:
        raise DomainError("The mover must be a member present or represented.", field="mover")
    if seconder is not None and (seconder.id not in allowed or seconder.id == mover.id):
        raise DomainError("The seconder must be another member present or represented.",
                          field="seconder")
    if set(votes) - allowed:
        raise DomainError("Only members present or represented vote.")
    if any(choice not in VOTES for choice in votes.values()):
        raise DomainError("Choose yes, no, abstain or recused for each member.")
    at_vote = quorum(meeting)
    yes = sum(1 for c in votes.values() if c == "yes")
    no = sum(1 for c in votes.values() if c == "no")
    result = "no_quorum" if not at_vote.met else ("carried" if yes > no else "defeated")
    motion = Motion(meeting=meeting, agenda_item_id=item.id if item else None, text=text,
                    mover=mover, seconder=seconder, result=result,
                    quorum_statement=at_vote.describe())
    motion.votes = [Vote(person_id=person_id, choice=choice)
                    for person_id, choice in sorted(votes.items())]
    db.session.add(motion)
    audit.record(actor, "create", motion, committee=meeting.committee,
                 changes={"motion": [None, text], "result": [None, motion.describe()]})
    return motion


def delete_motion(actor, motion: Motion) -> None:
    """Remove a motion recorded by mistake, until the minutes are approved."""
    meeting = motion.meeting
    refuse_if_locked(meeting, "its decisions")
    audit.record(actor, "delete", motion, committee=meeting.committee)
    meeting.motions.remove(motion)
    db.session.delete(motion)


# --- minutes ---------------------------------------------------------------------------


def save_minutes(actor, meeting: Meeting, expected_version: int | None, *, text: str,
                 decisions: list[str], notes: dict[int, str]) -> None:
    """Save the minutes: notes per item, the general text, decisions."""
    refuse_if_locked(meeting, "its notes and decisions")
    apply_edit(meeting, expected_version, {"minutes_text": text, "decisions": decisions})
    for item in meeting.items:
        if item.id in notes and notes[item.id] != item.notes:
            item.notes = notes[item.id]
            audit.record(actor, "update", item, committee=meeting.committee,
                         label=f"minutes of “{item.title}”")
            _report_back_update(actor, item)
    audit.record(actor, "update", meeting, committee=meeting.committee)


def _report_back_update(actor, item: AgendaItem) -> None:
    """What is minuted under a report-back is the workgroup's update, dated at the meeting.

    It is activity for the workgroup's no_update rule: a workgroup that reports
    at every meeting has not gone quiet.
    """
    if item.kind != "report_back" or not item.workgroup_key:
        return
    workgroup = db.session.scalar(select(Workgroup).where(
        Workgroup.key == item.workgroup_key,
        Workgroup.committee_id == item.meeting.committee_id))
    if workgroup is None:
        return
    update = db.session.scalar(select(WorkgroupUpdate).where(
        WorkgroupUpdate.agenda_item_id == item.id))
    text = item.notes.strip()
    if update is not None and not text:
        db.session.delete(update)
        return
    by = item.presenter or (actor.person if actor is not None else None) or workgroup.lead
    if not text or by is None:
        return
    if update is None:
        update = WorkgroupUpdate(workgroup=workgroup, agenda_item_id=item.id,
                                 at=item.meeting.starts_at, by=by)
        db.session.add(update)
    update.text = text


def approve_minutes(actor, meeting: Meeting) -> None | AlreadyDone:
    """Lock the minutes: they are read-only afterwards.

    The web approves minutes only through a carried motion of a later meeting
    (`approve_by_motion`); this is its last step, and the county import's.
    """
    if meeting.minutes_locked:
        return AlreadyDone(meeting, "These minutes are already approved; nothing changed.")
    if meeting.status != "held":
        raise DomainError("Only the minutes of a meeting that was held can be approved.")
    meeting.minutes_approved_at = utcnow()
    audit.record(actor, "update", meeting, committee=meeting.committee)
    return None


APPROVE = "approve:"


def approved_by_item(item: AgendaItem) -> Meeting | None:
    """The earlier meeting whose minutes an "Approve the minutes of ..." item approves."""
    if not item.source or not item.source.startswith(APPROVE):
        return None
    return db.session.scalar(select(Meeting).where(
        Meeting.key == item.source.removeprefix(APPROVE),
        Meeting.committee_id == item.meeting.committee_id))


def approval_text(earlier: Meeting) -> str:
    """The words of the motion that approves a meeting's minutes."""
    return f"That the minutes of the meeting of {meeting_day(earlier):%-d %B %Y} be approved."


def approve_by_motion(actor, meeting: Meeting, item: AgendaItem, *, mover: Person | None,
                      seconder: Person | None, votes: dict[int, str],
                      text: str = "") -> Motion | AlreadyDone:
    """Approve an earlier meeting's minutes as a decision of this one: a motion and its vote.

    The motion is taken on this meeting's "Approve the minutes of ..." item;
    when it carries (with the quorum met at the vote) the earlier minutes lock.
    A motion that fails or lacks a quorum is recorded all the same, and the
    minutes stay open.
    """
    earlier = approved_by_item(item)
    if earlier is None or earlier.id == meeting.id:
        raise DomainError("This agenda item does not approve the minutes of a meeting.")
    if earlier.minutes_locked:
        return AlreadyDone(earlier, "These minutes are already approved; nothing changed.")
    if earlier.status != "held":
        raise DomainError("Only the minutes of a meeting that was held can be approved.")
    motion = record_motion(actor, meeting, text=text.strip() or approval_text(earlier),
                           mover=mover, seconder=seconder, votes=votes, item=item)
    if motion.result == "carried":
        approve_minutes(actor, earlier)
    return motion


def approval_motion(meeting: Meeting) -> Motion | None:
    """The carried motion of a later meeting that approved these minutes, if any."""
    if not meeting.minutes_locked:
        return None
    return db.session.scalar(
        select(Motion).join(AgendaItem, AgendaItem.id == Motion.agenda_item_id)
        .join(Meeting, Meeting.id == Motion.meeting_id)
        .where(AgendaItem.source == f"{APPROVE}{meeting.key}",
               Meeting.committee_id == meeting.committee_id, Motion.result == "carried")
        .options(joinedload(Motion.meeting), joinedload(Motion.mover),
                 joinedload(Motion.seconder))
        .order_by(Motion.id.desc()).limit(1))


def amend_minutes(actor, meeting: Meeting, expected_version: int | None, *, reason: str,
                  text: str, decisions: list[str], notes: dict[int, str]) -> None:
    """Correct approved minutes: an explicit amendment with its reason, kept in the history."""
    if not meeting.minutes_locked:
        raise DomainError("These minutes are not approved yet: correct them by editing them.")
    if not reason.strip():
        raise DomainError("Say why the approved minutes are amended.", field="reason")
    changes = {}
    if text != meeting.minutes_text:
        changes["minutes_text"] = [meeting.minutes_text, text]
    if list(decisions) != list(meeting.decisions or []):
        changes["decisions"] = [meeting.decisions, list(decisions)]
    amended_items = []
    for item in meeting.items:
        if item.id in notes and notes[item.id] != item.notes:
            changes[f"notes of “{item.title}”"] = [item.notes, notes[item.id]]
            amended_items.append(item)
    if not changes:
        raise DomainError("Nothing was changed: the amendment would be empty.", field="reason")
    apply_edit(meeting, expected_version, {"minutes_text": text, "decisions": list(decisions)})
    for item in amended_items:
        item.notes = notes[item.id]
        _report_back_update(actor, item)
    audit.record(actor, "amend", meeting, committee=meeting.committee,
                 changes={**changes, "reason": [None, reason.strip()]})


def pending_approvals(meeting: Meeting) -> dict[int, Meeting]:
    """Item id -> the earlier meeting whose minutes the item approves, still unapproved.

    "Approve the minutes of <date>" on this agenda carries the approve button.
    """
    keys = {item.source.removeprefix(APPROVE): item.id for item in meeting.items
            if item.source and item.source.startswith(APPROVE)}
    if not keys:
        return {}
    found = db.session.scalars(select(Meeting).where(
        Meeting.key.in_(sorted(keys)), Meeting.committee_id == meeting.committee_id,
        Meeting.minutes_approved_at.is_(None), Meeting.status == "held"))
    return {keys[m.key]: m for m in found}


# --- action items created while minuting ----------------------------------------------


def _minuted(meeting: Meeting, action: ActionItem) -> None:
    if action.meeting_id != meeting.id:
        raise DomainError("This action item was not created at this meeting.")


def add_minuted_action(actor, meeting: Meeting, *, title: str, owner: Person,
                       due: date | None) -> ActionItem:
    """An action item created while minuting, owned by a member, linked to the meeting."""
    refuse_if_locked(meeting, "the action items created at it")
    return create_action(actor, meeting.committee, title=title, owner=owner, due=due,
                         origin_kind="meeting", origin_ref=meeting.key, meeting=meeting)


def edit_minuted_action(actor, meeting: Meeting, action: ActionItem, *, title: str,
                        owner: Person, due: date | None) -> None:
    """Correct an action item created at the meeting, until its minutes are approved."""
    refuse_if_locked(meeting, "the action items created at it")
    _minuted(meeting, action)
    if not title.strip():
        raise DomainError("Say what is to be done.", field="title")
    if not any(m.person_id == owner.id and m.holds_on(today())
               for m in meeting.committee.memberships):
        raise DomainError(f"{owner.name} is not a member of {meeting.committee.name}.",
                          field="owner")
    action.title, action.owner, action.due = title, owner, due
    audit.record(actor, "update", action, committee=meeting.committee)


def delete_minuted_action(actor, meeting: Meeting, action: ActionItem) -> None:
    """Delete an action item created at the meeting by mistake, until its minutes are approved."""
    refuse_if_locked(meeting, "the action items created at it")
    _minuted(meeting, action)
    if action.updates:
        raise DomainError("Its owner has already updated it: cancel it from its page instead.")
    audit.record(actor, "delete", action, committee=meeting.committee)
    db.session.delete(action)


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
