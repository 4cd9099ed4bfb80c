"""Meetings (agenda, attendance, minutes) and action items in the county file.

A meeting's start is written in its committee's time zone, with the offset of
that day, because that is how a clerk reads and types it; every other instant
is written in UTC. Optional fields a record leaves unset are left out, so a
file round-trips unchanged (an empty draft agenda, no attendance and blank
minutes are all "unset"; an action's update log is always written, as
county-format.md shows it).

Meetings and actions are matched by key and never deleted by an import (a file
may carry only part of a committee's history); within a meeting or an action
the file is authoritative for its agenda, attendance, RSVPs, motions and update
log. Agenda requests (known by proposer and time) and backlog entries (known by
what they came from) are history too: matched, never deleted. The quorum rule
and the standing items follow the file.

The stamps reminders and calendars read (agenda published and changed, moved,
cancelled, the calendar sequence, the cadence occurrence) come from the file,
never the clock: an import that stamped them would announce a county's old
agendas, moves and cancellations to every member again.

Rows that name others by database id (an item's source "request:12", an item
carried from item 40) are written with the other row's file reference instead,
so a file means the same in any database.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime
from operator import itemgetter
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from sqlalchemy import func, insert, or_, select
from sqlalchemy.orm import aliased, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from govtrack.actions.models import ActionItem, ActionUpdate
from govtrack.agencies.models import Person
from govtrack.clock import utcnow
from govtrack.committees.models import Committee
from govtrack.county.sections import (
    CommitteeSection,
    assign_changes,
    check_person,
    check_updates,
    instant,
    sync_by_key,
    sync_update_log,
    update_log,
    utc_text,
)
from govtrack.extensions import db
from govtrack.meetings.models import (
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
from govtrack.meetings.services import video_link_problem
from govtrack.pdsa.models import Measure

#: meeting fields a calendar shows: changing one raises the iCalendar SEQUENCE
CALENDAR_FIELDS = frozenset({"starts_at", "duration_minutes", "location", "video_link",
                             "status"})


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _spec(value: datetime) -> str:
    return "microseconds" if value.microsecond else "seconds"


def local_text(value: datetime, timezone: str) -> str:
    """An instant on the wall clock of a zone, with that day's offset."""
    return value.astimezone(ZoneInfo(timezone)).isoformat(timespec=_spec(value))


def _local_wall(meeting: Meeting, timezone: str) -> datetime:
    """The meeting's start on its committee's wall clock, without the offset."""
    return meeting.starts_at.astimezone(ZoneInfo(timezone)).replace(tzinfo=None)


def _set(record: dict) -> dict:
    """The record without its unset fields (None, "" or [])."""
    return {name: value for name, value in record.items() if value not in (None, "", [])}


# --- export -------------------------------------------------------------------------


#: sources that name a row by its id: the file names the row instead
_BY_ID = re.compile(r"^(request|carried):\d+$")


def _request_ref(request: AgendaRequest) -> dict:
    return {"proposer": request.proposer.key, "created_at": utc_text(request.created_at)}


@dataclass
class _Refs:
    """How rows named by id are written: actions by key, agenda requests by proposer and
    time, agenda items by meeting and position (the ids of one database mean nothing in
    another)."""

    actions: dict[int, str]
    requests: dict[int, dict]
    items: dict[int, dict]

    @classmethod
    def of(cls, actions: list, requests: list, meetings: list) -> "_Refs":
        """The references of a committee's stored rows."""
        items = {item.id: {"meeting": meeting.key, "item": n} for meeting in meetings
                 for n, item in enumerate(_ordered(meeting.items)) if item.id is not None}
        return cls({a.id: a.key for a in actions if a.id is not None},
                   {r.id: _request_ref(r) for r in requests if r.id is not None}, items)

    def source(self, source: str | None) -> dict:
        """What proposed a row, as the file writes it: a request, an item carried, a key."""
        if source is None:
            return {}
        if not _BY_ID.match(source):
            return {"source": source}
        kind, number = source.split(":")
        if kind == "request":
            ref = self.requests.get(int(number))
            return {"request": ref} if ref else {}
        ref = self.items.get(int(number))
        return {"carried_from": ref} if ref else {}


def _item_record(item: AgendaItem, refs: _Refs) -> dict:
    return _set({"title": item.title, "kind": item.kind, "minutes": item.minutes,
                 "presenter": item.presenter.key if item.presenter else None,
                 "workgroup": item.workgroup_key, "mou": item.mou_key,
                 "pdsa_cycle": item.pdsa_key, "measure": item.measure_key,
                 "action": refs.actions.get(item.action_id), "notes": item.notes,
                 "why": item.why, **refs.source(item.source)})


def _attendance_record(row: Attendance) -> dict:
    return _set({"person": row.person.key, "status": row.status,
                 "designee": row.designee.key if row.designee else None})


def _ordered(items: list[AgendaItem]) -> list[AgendaItem]:
    """Agenda items in their order (items not flushed yet after the stored ones)."""
    return sorted(items, key=lambda i: (i.position, i.id is None, i.id or 0))


def _items_of(meeting: Meeting, refs: _Refs) -> list[dict]:
    return [_item_record(i, refs) for i in _ordered(meeting.items)]


def _rsvp_record(row: Rsvp) -> dict:
    return _set({"person": row.person.key, "answer": row.answer,
                 "designee": row.designee.key if row.designee else None,
                 "answered_at": utc_text(row.answered_at)})


def _rsvps_of(meeting: Meeting) -> list[dict]:
    return sorted((_rsvp_record(r) for r in meeting.rsvps), key=lambda r: r["person"])


def _motion_record(motion: Motion, positions: dict[int, int]) -> dict:
    item = motion.agenda_item
    return _set({"text": motion.text, "mover": motion.mover.key,
                 "seconder": motion.seconder.key if motion.seconder else None,
                 "result": motion.result, "quorum_statement": motion.quorum_statement,
                 "voted_at": utc_text(motion.voted_at),
                 "item": positions.get(id(item)) if item is not None else None,
                 "votes": sorted(({"person": v.person.key, "vote": v.choice}
                                  for v in motion.votes), key=lambda v: v["person"])})


def _motions_of(meeting: Meeting) -> list[dict]:
    """The meeting's motions in the order they were recorded (by id: the app records them as
    they are voted, an import in the file's order), so two motions of the same moment and
    words still come back out in the order they went in."""
    positions = {id(item): n for n, item in enumerate(_ordered(meeting.items))}
    return [_motion_record(m, positions) for m in meeting.motions]


def _attendance_of(meeting: Meeting) -> list[dict]:
    return sorted((_attendance_record(a) for a in meeting.attendance),
                  key=lambda a: a["person"])


def _meeting_record(meeting: Meeting, timezone: str, refs: _Refs) -> dict:
    record = _set({"key": meeting.key, "starts_at": local_text(meeting.starts_at, timezone),
                   "duration_minutes": meeting.duration_minutes,
                   "location": meeting.location, "video_link": meeting.video_link,
                   "status": meeting.status, "moved_at": utc_text(meeting.moved_at),
                   "cancelled_at": utc_text(meeting.cancelled_at)})
    if meeting.sequence:
        record["sequence"] = meeting.sequence
    if meeting.occurrence is not None and meeting.occurrence != _local_wall(meeting, timezone):
        # moved off its cadence date: the schedule must not make that date's meeting again
        record["occurrence"] = meeting.occurrence.isoformat(timespec="seconds")
    items = _items_of(meeting, refs)
    if items or meeting.agenda_status != "draft":
        record["agenda"] = {"status": meeting.agenda_status, "items": items,
                            **_set({"published_at": utc_text(meeting.agenda_published_at),
                                    "changed_at": utc_text(meeting.agenda_changed_at)})}
    attendance = _attendance_of(meeting)
    if attendance:
        record["attendance"] = attendance
    rsvps = _rsvps_of(meeting)
    if rsvps:
        record["rsvps"] = rsvps
    motions = _motions_of(meeting)
    if motions:
        record["motions"] = motions
    minutes = _set({"text": meeting.minutes_text, "decisions": list(meeting.decisions or []),
                    "approved_at": utc_text(meeting.minutes_approved_at)
                    if meeting.minutes_approved_at else None})
    if minutes:
        record["minutes"] = minutes
    return record


def _update_record(update: ActionUpdate) -> dict:
    return _set({"at": utc_text(update.at), "by": update.by.key, "status": update.status,
                 "note": update.note})


def _action_record(action: ActionItem) -> dict:
    record = _set({"key": action.key, "title": action.title, "description": action.description,
                   "owner": action.owner.key, "due": action.due.isoformat() if action.due else None,
                   "status": action.status, "workgroup": action.workgroup_key,
                   "created_at": utc_text(action.created_at)})
    if action.origin_kind != "other" or action.origin_ref:
        record["origin"] = _set({"kind": action.origin_kind, "ref": action.origin_ref})
    record["updates"] = update_log(action.updates, _update_record)
    return record


def _stored_meetings(committee: Committee) -> list[Meeting]:
    if committee.id is None:
        return []
    return list(db.session.scalars(
        select(Meeting).where(Meeting.committee_id == committee.id)
        .options(selectinload(Meeting.items), selectinload(Meeting.attendance),
                 selectinload(Meeting.rsvps),
                 selectinload(Meeting.motions).selectinload(Motion.votes))))


def _request_record(request: AgendaRequest) -> dict:
    return _set({**_request_ref(request),
                 "meeting": request.meeting.key if request.meeting else None,
                 "title": request.title, "kind": request.kind, "minutes": request.minutes,
                 "note": request.note, "status": request.status,
                 "decided_at": utc_text(request.decided_at)})


def _request_order(record: dict) -> tuple:
    return instant(record["created_at"]), record["proposer"]


def _stored_requests(committee: Committee) -> list[AgendaRequest]:
    if committee.id is None:
        return []
    return list(db.session.scalars(
        select(AgendaRequest).where(AgendaRequest.committee_id == committee.id)
        .options(selectinload(AgendaRequest.proposer), selectinload(AgendaRequest.meeting))))


def _own_source(created_at: datetime) -> str:
    """The source of a backlog entry the file names no source for: unique, and portable."""
    return f"county:{utc_text(created_at)}"


def _backlog_record(entry: BacklogItem, refs: _Refs) -> dict:
    source = {} if entry.source == _own_source(entry.created_at) else refs.source(entry.source)
    return _set({"title": entry.title, "kind": entry.kind, "minutes": entry.minutes,
                 "presenter": entry.presenter.key if entry.presenter else None,
                 "workgroup": entry.workgroup_key, "mou": entry.mou_key,
                 "pdsa_cycle": entry.pdsa_key, "measure": entry.measure_key,
                 "notes": entry.notes, "why": entry.why, **source,
                 "created_at": utc_text(entry.created_at),
                 "dropped_at": utc_text(entry.dropped_at)})


def _stored_backlog(committee: Committee) -> list[BacklogItem]:
    if committee.id is None:
        return []
    return list(db.session.scalars(
        select(BacklogItem).where(BacklogItem.committee_id == committee.id)
        .options(selectinload(BacklogItem.presenter))))


def _backlog_of(entries: list[BacklogItem], refs: _Refs) -> list[dict]:
    return [_backlog_record(e, refs) for e in sorted(
        entries, key=lambda e: (e.created_at, e.id is None, e.id or 0))]


def _stored_actions(committee: Committee) -> list[ActionItem]:
    if committee.id is None:
        return []
    return list(db.session.scalars(
        select(ActionItem).where(ActionItem.committee_id == committee.id)
        .options(selectinload(ActionItem.updates))))


def _exported_actions(committee: Committee) -> list[SimpleNamespace]:
    """The committee's actions with their update logs, read as rows in two queries.

    Stand-ins with the attributes _action_record reads: an ORM object for each
    of a county's 60,000 actions and 150,000 updates was most of the export's
    time, and an export changes none of them.
    """
    if committee.id is None:
        return []
    owner, author = aliased(Person), aliased(Person)
    actions = {row.id: SimpleNamespace(**row._asdict(), owner=SimpleNamespace(key=row.owner_key),
                                       updates=[])
               for row in db.session.execute(
                   select(ActionItem.id, ActionItem.key, ActionItem.title,
                          ActionItem.description, ActionItem.due, ActionItem.status,
                          ActionItem.workgroup_key, ActionItem.origin_kind,
                          ActionItem.origin_ref, ActionItem.created_at,
                          owner.key.label("owner_key"))
                   .join(owner, owner.id == ActionItem.owner_id)
                   .where(ActionItem.committee_id == committee.id))}
    for row in db.session.execute(
            select(ActionUpdate.action_id, ActionUpdate.at, ActionUpdate.status,
                   ActionUpdate.note, author.key.label("by_key"))
            .join(author, author.id == ActionUpdate.by_id)
            .join(ActionItem, ActionItem.id == ActionUpdate.action_id)
            .where(ActionItem.committee_id == committee.id)):
        actions[row.action_id].updates.append(SimpleNamespace(
            at=row.at, status=row.status, note=row.note, by=SimpleNamespace(key=row.by_key)))
    return list(actions.values())


def _standing_record(item: StandingItem) -> dict:
    return {"title": item.title, "kind": item.kind, "minutes": item.minutes,
            "placement": item.placement}


def _standing_items(committee: Committee) -> list[StandingItem]:
    return sorted(committee.standing_items, key=lambda i: (i.position, i.id is None, i.id or 0))


def export(committee: Committee) -> dict:
    """Quorum rule, standing items, meetings (oldest first) and actions (by creation)."""
    record = {}
    rule = committee.quorum_rule
    if rule is not None:
        record["quorum"] = {"min_present": rule.min_present,
                            "required_sides": list(rule.required_sides or [])}
    standing = [_standing_record(i) for i in _standing_items(committee)]
    if standing:
        record["standing_items"] = standing
    stored_actions = _exported_actions(committee)
    requests = _stored_requests(committee)
    meetings = sorted(_stored_meetings(committee), key=lambda m: (m.starts_at, m.key))
    refs = _Refs.of(stored_actions, requests, meetings)
    if meetings:
        record["meetings"] = [_meeting_record(m, committee.timezone, refs) for m in meetings]
    actions = sorted(stored_actions, key=lambda a: (a.created_at, a.key))
    if actions:
        record["actions"] = [_action_record(a) for a in actions]
    if requests:
        record["agenda_requests"] = sorted((_request_record(r) for r in requests),
                                           key=_request_order)
    backlog = _backlog_of(_stored_backlog(committee), refs)
    if backlog:
        record["backlog"] = backlog
    return record


# --- checks -------------------------------------------------------------------------


def _first_paths(known) -> dict[str, dict[str, str]]:
    """Where each meeting and action key was first seen in this file.

    Keys are unique across the whole file, but a section checks one committee
    at a time; the import's `known` lives for exactly one import, so it
    carries what earlier committees used.
    """
    seen = getattr(known, "meetings_county_keys", None)
    if seen is None:
        seen = {"meetings": {}, "actions": {}}
        known.meetings_county_keys = seen
    return seen


def _owners(model, keys: list[str], committee_key: str) -> dict[str, str]:
    """Stored records of model: key -> committee key, for keys and for the committee's own."""
    rows = db.session.execute(
        select(model.key, Committee.key).join(Committee, model.committee_id == Committee.id)
        .where(or_(model.key.in_(keys), Committee.key == committee_key)))
    return dict(rows.all())


def _unique(kind: str, key: str, path: str, seen: dict, owners: dict, committee_key: str,
            report) -> None:
    noun, article = ("meeting", "a") if kind == "meetings" else ("action", "an")
    if key in seen[kind]:
        report.problem(f"{path}.key", f"duplicate key “{key}”, also at {seen[kind][key]}")
    else:
        seen[kind][key] = path
    owner = owners.get(key)
    if owner is not None and owner != committee_key:
        report.problem(f"{path}.key", f"the {noun} “{key}” belongs to committee “{owner}”; "
                                      f"{article} {noun} cannot move to another committee")


def check(record: dict, path: str, known, report) -> None:
    """References exist; keys are unique across the file; meetings and actions make sense."""
    meetings, actions = record.get("meetings", []), record.get("actions", [])
    seen = _first_paths(known)
    meeting_owners = _owners(Meeting, [m["key"] for m in meetings], record["key"])
    action_owners = _owners(ActionItem, [a["key"] for a in actions], record["key"])
    meeting_keys = {m["key"] for m in meetings} | {
        key for key, owner in meeting_owners.items() if owner == record["key"]}
    links = _Links(
        actions={a["key"] for a in actions} | {
            key for key, owner in action_owners.items() if owner == record["key"]},
        measures=_measure_keys(record, meetings),
        requests=_request_keys(record),
        items=_item_counts(record, meetings, meeting_keys))
    for n, meeting in enumerate(meetings):
        where = f"{path}.meetings[{n}]"
        _unique("meetings", meeting["key"], where, seen, meeting_owners, record["key"], report)
        _check_meeting(meeting, where, known, report)
        _check_links(meeting, where, links, report)
        _check_rsvps(meeting, where, known, report)
        _check_motions(meeting, where, known, report,
                       _voters(meeting, record["memberships"], record["timezone"]))
    for n, action in enumerate(actions):
        where = f"{path}.actions[{n}]"
        _unique("actions", action["key"], where, seen, action_owners, record["key"], report)
        _check_action(action, where, meeting_keys, known, report)
    _check_requests(record, path, meeting_keys, known, report)
    _check_backlog(record, path, links, known, report)
    _check_occurrences(record, path, report)


def _check_occurrences(record: dict, path: str, report) -> None:
    """A given occurrence is a real time, and no two meetings of the committee stand on
    one (stored meetings the file does not move keep theirs)."""
    meetings = record.get("meetings", [])
    if not any(m.get("occurrence") for m in meetings):
        return
    held: dict[datetime, str] = {}
    stored = dict(db.session.execute(
        select(Meeting.key, Meeting.occurrence).join(Committee)
        .where(Committee.key == record["key"], Meeting.occurrence.is_not(None))).tuples().all())
    given: dict[str, tuple[datetime, str]] = {}
    for n, meeting in enumerate(meetings):
        at = f"{path}.meetings[{n}].occurrence"
        if meeting.get("occurrence"):
            try:
                given[meeting["key"]] = (_wall(meeting["occurrence"]), at)
            except ValueError:
                report.problem(at, f"“{meeting['occurrence']}” is not a date and time")
    for key, occurrence in stored.items():
        if key not in given:
            held[occurrence] = f"the stored meeting “{key}”"
    for key, (occurrence, at) in given.items():
        if occurrence in held:
            report.problem(at, f"{held[occurrence]} already stands on this cadence date")
        else:
            held[occurrence] = f"the meeting “{key}” ({at})"


@dataclass
class _Links:
    """Keys an agenda item of the committee may link to, besides its own meetings'."""

    actions: set[str]
    measures: set[str]
    #: (proposer, created_at) of the committee's agenda requests, in the file or stored
    requests: set[tuple[str, datetime]]
    #: meeting key -> how many agenda items it has (the file's count if it lists it)
    items: dict[str, int]


def _items_in(meeting: dict) -> list[dict]:
    return (meeting.get("agenda") or {}).get("items", [])


def _measure_keys(record: dict, meetings: list[dict]) -> set[str]:
    """The committee's measures: the file's, and the stored ones its items and backlog name."""
    named = [entry["measure"] for entry in [*(i for m in meetings for i in _items_in(m)),
                                            *record.get("backlog", [])]
             if entry.get("measure")]
    owners = _owners(Measure, named, record["key"]) if named else {}
    return {m["key"] for m in record.get("measures", [])} | {
        key for key, owner in owners.items() if owner == record["key"]}


def _request_keys(record: dict) -> set[tuple[str, datetime]]:
    stored = set()
    if any(e.get("request") for e in _sourced(record)):
        stored = set(db.session.execute(
            select(Person.key, AgendaRequest.created_at)
            .join(Person, AgendaRequest.proposer_id == Person.id)
            .join(Committee, AgendaRequest.committee_id == Committee.id)
            .where(Committee.key == record["key"])).tuples().all())
    return stored | {(r["proposer"], instant(r["created_at"]))
                     for r in record.get("agenda_requests", [])}


def _sourced(record: dict) -> list[dict]:
    """The committee's agenda items and backlog entries: what may name a source."""
    return [*(i for m in record.get("meetings", []) for i in _items_in(m)),
            *record.get("backlog", [])]


def _item_counts(record: dict, meetings: list[dict], meeting_keys: set[str]) -> dict[str, int]:
    counts = {}
    if any(e.get("carried_from") for e in _sourced(record)):
        counts = dict(db.session.execute(
            select(Meeting.key, func.count(AgendaItem.id))
            .join(Committee, Meeting.committee_id == Committee.id)
            .outerjoin(AgendaItem, AgendaItem.meeting_id == Meeting.id)
            .where(Committee.key == record["key"]).group_by(Meeting.key)).tuples().all())
    counts.update({m["key"]: len(_items_in(m)) for m in meetings})
    return {key: n for key, n in counts.items() if key in meeting_keys}


def _source_identity(entry: dict) -> tuple | None:
    """What an item or backlog entry came from, comparable however its time is written."""
    if entry.get("request"):
        return "request", entry["request"]["proposer"], instant(entry["request"]["created_at"])
    if entry.get("carried_from"):
        return "carried", entry["carried_from"]["meeting"], entry["carried_from"]["item"]
    if entry.get("source"):
        return "source", entry["source"]
    return None


def _check_source(entry: dict, at: str, links: _Links, report) -> None:
    """At most one of source, request, carried_from; the request or item exists."""
    given = [name for name in ("source", "request", "carried_from") if entry.get(name)]
    if len(given) > 1:
        report.problem(f"{at}.{given[1]}", f"an entry comes from one place; it also names "
                                           f"“{given[0]}”")
        return
    source, request, carried = entry.get("source"), entry.get("request"), entry.get("carried_from")
    if source and (_BY_ID.match(source) or source.startswith("county:")):
        report.problem(f"{at}.source", "a source naming a request or an item by id is written "
                                       "as “request” or “carried_from”")
    if request and (request["proposer"], instant(request["created_at"])) not in links.requests:
        report.problem(f"{at}.request", f"no agenda request of this committee is "
                                        f"{request['proposer']}'s of {request['created_at']}")
    if carried:
        count = links.items.get(carried["meeting"])
        if count is None:
            report.problem(f"{at}.carried_from.meeting", f"no meeting of this committee has "
                                                         f"key “{carried['meeting']}”")
        elif carried["item"] >= count:
            report.problem(f"{at}.carried_from.item", f"the meeting “{carried['meeting']}” has "
                                                      f"no item {carried['item']} (items count "
                                                      f"from 0; it has {count})")


def _check_measure(entry: dict, at: str, links: _Links, report) -> None:
    if entry.get("measure") is not None and entry["measure"] not in links.measures:
        report.problem(f"{at}.measure", f"no measure of this committee has key "
                                        f"“{entry['measure']}”")


def _check_links(meeting: dict, where: str, links: _Links, report) -> None:
    """An item's action and measure are the committee's own; sources exist, once a meeting."""
    first: dict[tuple, int] = {}
    for i, item in enumerate(_items_in(meeting)):
        at = f"{where}.agenda.items[{i}]"
        if item.get("action") is not None and item["action"] not in links.actions:
            report.problem(f"{at}.action", f"no action of this committee has key "
                                           f"“{item['action']}”")
        _check_measure(item, at, links, report)
        _check_source(item, at, links, report)
        if item.get("carried_from") == {"meeting": meeting["key"], "item": i}:
            report.problem(f"{at}.carried_from", "an item cannot be carried over from itself")
        identity = _source_identity(item)
        if identity is not None and identity in first:
            report.problem(at, f"comes from the same place as {where}.agenda.items"
                               f"[{first[identity]}]; an agenda has it once")
        elif identity is not None:
            first[identity] = i


def _check_requests(record: dict, path: str, meeting_keys: set[str], known, report) -> None:
    """Proposers are known, each request once, its meeting the committee's; decided ones only
    carry a decision time."""
    first: dict[tuple, int] = {}
    for n, request in enumerate(record.get("agenda_requests", [])):
        at = f"{path}.agenda_requests[{n}]"
        check_person(known, report, f"{at}.proposer", request["proposer"])
        identity = (request["proposer"], instant(request["created_at"]))
        if identity in first:
            report.problem(f"{at}.created_at", f"the same person's request at the same time as "
                                               f"{path}.agenda_requests[{first[identity]}]")
        else:
            first[identity] = n
        meeting = request.get("meeting")
        if meeting is not None and meeting not in meeting_keys:
            report.problem(f"{at}.meeting", f"no meeting of this committee has key “{meeting}”")
        if request["status"] == "pending" and request.get("decided_at"):
            report.problem(f"{at}.decided_at", "a pending request is not decided yet")


def _check_backlog(record: dict, path: str, links: _Links, known, report) -> None:
    """Presenters known, links the committee's, each source once on the backlog."""
    first: dict[tuple, int] = {}
    for n, entry in enumerate(record.get("backlog", [])):
        at = f"{path}.backlog[{n}]"
        check_person(known, report, f"{at}.presenter", entry.get("presenter"))
        _check_measure(entry, at, links, report)
        _check_source(entry, at, links, report)
        identity = _source_identity(entry) or ("created_at", instant(entry["created_at"]))
        if identity in first:
            report.problem(at, f"comes from the same place as {path}.backlog[{first[identity]}]"
                               "; the backlog holds it once (an entry without a source is "
                               "known by its created_at)")
        else:
            first[identity] = n


def _check_rsvps(meeting: dict, where: str, known, report) -> None:
    """RSVPs name known people, each once; only an answer "designee" names one."""
    _check_people_rows(meeting, where, "rsvps", "answer", known, report,
                       twice="answered twice for this meeting",
                       sender="a member sending a designee")


def _check_people_rows(meeting: dict, where: str, section: str, status: str, known, report,
                       *, twice: str, sender: str) -> None:
    """Rows of a meeting's attendance or RSVPs: known people, each once, and a designee only
    for the status "designee" (which may also leave the designee unnamed)."""
    listed: dict[str, int] = {}
    for r, row in enumerate(meeting.get(section, [])):
        at = f"{where}.{section}[{r}]"
        person, designee = row["person"], row.get("designee")
        check_person(known, report, f"{at}.person", person)
        check_person(known, report, f"{at}.designee", designee)
        if person in listed:
            report.problem(f"{at}.person", f"“{person}” {twice}, also at "
                                           f"{where}.{section}[{listed[person]}]")
        else:
            listed[person] = r
        if designee is not None and row[status] != "designee":
            report.problem(f"{at}.designee", f"only {sender} names one; the {status} is "
                                             f"“{row[status]}”")
        elif designee is not None and designee == person:
            report.problem(f"{at}.designee", "a member cannot be their own designee")


def _voters(meeting: dict, memberships: list[dict], timezone: str) -> set[str]:
    """Who may move, second and vote: members on the meeting's day (observers aside)
    present or represented by a designee, as meetings.services.voters has it."""
    day = instant(meeting["starts_at"]).astimezone(ZoneInfo(timezone)).date()
    members = {m["person"] for m in memberships if m["role"] != "observer"
               and date.fromisoformat(m["start"]) <= day
               and (m.get("end") is None or day <= date.fromisoformat(m["end"]))}
    here = {a["person"] for a in meeting.get("attendance", [])
            if a["status"] in ("present", "designee")}
    return members & here


def _check_motions(meeting: dict, where: str, known, report, voters: set[str]) -> None:
    """Movers, seconders and voters are members present or represented at the meeting;
    each votes once; items exist."""
    items = len((meeting.get("agenda") or {}).get("items", []))

    def present(path: str, key: str | None, role: str) -> None:
        check_person(known, report, path, key)
        if key is not None and key in known.person_agency and key not in voters:
            report.problem(path, f"“{key}” {role}, but was not a member present or "
                                 "represented at this meeting (its attendance)")

    for m, motion in enumerate(meeting.get("motions", [])):
        at = f"{where}.motions[{m}]"
        present(f"{at}.mover", motion["mover"], "moves it")
        present(f"{at}.seconder", motion.get("seconder"), "seconds it")
        if motion.get("seconder") is not None and motion["seconder"] == motion["mover"]:
            report.problem(f"{at}.seconder", "the seconder must be another member than the "
                                             "mover")
        item = motion.get("item")
        if item is not None and item >= items:
            report.problem(f"{at}.item", f"the meeting's agenda has no item {item} (items "
                                         f"count from 0; it has {items})")
        voted: dict[str, int] = {}
        for v, vote in enumerate(motion.get("votes", [])):
            present(f"{at}.votes[{v}].person", vote["person"], "votes")
            if vote["person"] in voted:
                report.problem(f"{at}.votes[{v}].person",
                               f"“{vote['person']}” votes twice, also at "
                               f"{at}.votes[{voted[vote['person']]}]")
            else:
                voted[vote["person"]] = v


def _check_meeting(meeting: dict, where: str, known, report) -> None:
    link_problem = video_link_problem(meeting.get("video_link", ""))
    if link_problem:
        report.problem(f"{where}.video_link", link_problem)
    for i, item in enumerate(meeting.get("agenda", {}).get("items", [])):
        check_person(known, report, f"{where}.agenda.items[{i}].presenter", item.get("presenter"))
    # status "designee" without one named is a designee whose name nobody
    # noted: pages say "a designee", and the member counts as represented.
    _check_people_rows(meeting, where, "attendance", "status", known, report,
                       twice="is listed twice in this meeting's attendance",
                       sender="a member who sent a designee")
    agenda = meeting.get("agenda") or {}
    if agenda.get("status") != "published":
        for name in ("published_at", "changed_at"):
            if agenda.get(name) is not None:
                report.problem(f"{where}.agenda.{name}", "only a published agenda has a "
                                                         "publication or change time")
    elif agenda.get("changed_at") is not None and agenda.get("published_at") is None:
        report.problem(f"{where}.agenda.changed_at", "a change to a published agenda needs "
                                                     "the time it was published (published_at)")
    if meeting.get("cancelled_at") is not None and meeting["status"] != "cancelled":
        report.problem(f"{where}.cancelled_at", f"only a cancelled meeting has a cancellation "
                                                f"time; the status is “{meeting['status']}”")
    approved = instant(meeting.get("minutes", {}).get("approved_at"))
    if approved is not None and approved < instant(meeting["starts_at"]):
        report.problem(f"{where}.minutes.approved_at",
                       "the minutes are approved before the meeting starts")


def _check_action(action: dict, where: str, meeting_keys: set[str], known, report) -> None:
    check_person(known, report, f"{where}.owner", action["owner"])
    origin = action.get("origin") or {}
    if origin.get("kind") == "meeting":
        ref = origin.get("ref")
        if ref is None:
            report.problem(f"{where}.origin.ref", "name the meeting the action came from")
        elif ref not in meeting_keys:
            report.problem(f"{where}.origin.ref", f"no meeting of this committee has key “{ref}”")
    check_updates(action.get("updates", []), where, known, report)


# --- storing ------------------------------------------------------------------------


def _cadence(committee: Committee):
    """The committee's cadence as a dateutil rule, or None."""
    if not committee.cadence_rrule or not committee.cadence_dtstart:
        return None
    # cached: each new meeting asks it again, and a rule is iterated from its start
    return rrulestr(committee.cadence_rrule, dtstart=committee.cadence_dtstart, cache=True)


def _wall(text: str) -> datetime:
    """A wall-clock time of the file (no offset), as the cadence's occurrences are kept."""
    return datetime.fromisoformat(text)


def _occurrence(committee: Committee, cadence, starts_at: datetime,
                taken: set) -> datetime | None:
    """The cadence occurrence a new meeting stands on, so `schedule` does not make it again.

    Only when the meeting starts exactly on one (the file does not say whether
    a meeting was moved from another) and no other meeting claims it.
    """
    if cadence is None:
        return None
    wall = starts_at.astimezone(ZoneInfo(committee.timezone)).replace(tzinfo=None)
    if wall in taken or not cadence.between(wall, wall, inc=True):
        return None
    taken.add(wall)
    return wall


def _meeting_values(entry: dict) -> dict:
    agenda, minutes = entry.get("agenda") or {}, entry.get("minutes") or {}
    return {"starts_at": instant(entry["starts_at"]),
            "duration_minutes": entry["duration_minutes"],
            "location": entry.get("location", ""), "video_link": entry.get("video_link", ""),
            "status": entry["status"], "agenda_status": agenda.get("status", "draft"),
            "minutes_text": minutes.get("text", ""),
            "decisions": list(minutes.get("decisions", [])),
            "minutes_approved_at": instant(minutes.get("approved_at"))}


#: the stamps the reminders read ("agenda published", "agenda changed", "meeting moved",
#: "meeting cancelled"):
#: meeting column -> where the file holds it (in the agenda or the meeting)
_STAMPS = {"agenda_published_at": ("agenda", "published_at"),
           "agenda_changed_at": ("agenda", "changed_at"), "moved_at": (None, "moved_at"),
           "cancelled_at": (None, "cancelled_at")}


def _stamps(entry: dict) -> dict:
    """The reminders' stamps the file gives (one it leaves out is not touched).

    They come from the file, never the clock: stamped at the moment of import,
    a county's old agendas and moves would be announced to every member again.
    """
    values = {}
    for column, (part, name) in _STAMPS.items():
        holder = (entry.get(part) or {}) if part else entry
        if name in holder:
            values[column] = instant(holder[name])
    if entry["status"] != "cancelled":
        values["cancelled_at"] = None  # a meeting the file does not cancel keeps no such time
    return values


def _begun(entry: dict) -> datetime:
    """The earliest instant the file shows the meeting existed: its creation.

    A coming meeting the file says nothing else of was made no later than now.
    """
    agenda = entry.get("agenda") or {}
    instants = [entry["starts_at"], entry.get("moved_at"), entry.get("cancelled_at"),
                agenda.get("published_at"), agenda.get("changed_at"),
                *(r["answered_at"] for r in entry.get("rsvps", []))]
    return min([instant(i) for i in instants if i is not None] + [utcnow()])


def _item_values(writer, position: int, entry: dict, action_ids: dict[str, int]) -> dict:
    """An item's fields; an action not stored yet is linked once it is (_link_actions), a
    source once requests and items have ids (_assign_sources)."""
    presenter = entry.get("presenter")
    return {"position": position, "title": entry["title"], "kind": entry["kind"],
            "minutes": entry["minutes"],
            "presenter": writer.people[presenter] if presenter else None,
            "workgroup_key": entry.get("workgroup"), "mou_key": entry.get("mou"),
            "pdsa_key": entry.get("pdsa_cycle"), "measure_key": entry.get("measure"),
            "action_id": action_ids.get(entry.get("action")),
            "notes": entry.get("notes", ""), "why": entry.get("why", "")}


def _as_written(entry: dict) -> dict:
    """An item or backlog entry of the file as the export would write it."""
    record = _set(dict(entry))
    if record.get("request"):
        record["request"] = {"proposer": record["request"]["proposer"],
                             "created_at": utc_text(instant(record["request"]["created_at"]))}
    for name in ("created_at", "dropped_at"):
        if record.get(name):
            record[name] = utc_text(instant(record[name]))
    return record


def _sync_items(writer, meeting: Meeting, entries: list[dict], refs: _Refs) -> list | None:
    """Bring the agenda to the file's, item by item in order; [before, after] if it changed.

    Items keep their rows where they stay, so what the file cannot say stays.
    """
    before = _items_of(meeting, refs)
    after = [_as_written(e) for e in entries]
    if before == after:
        return None
    stored = sorted(meeting.items, key=lambda i: (i.position, i.id))
    action_ids = {key: id_ for id_, key in refs.actions.items()}
    for position, entry in enumerate(entries):
        values = _item_values(writer, position, entry, action_ids)
        if position < len(stored):
            assign_changes(stored[position], values)
        else:
            meeting.items.append(AgendaItem(**values))
    gone = stored[len(entries):]
    if gone:
        # An item carried from one that leaves would point at nothing.
        ids = [item.id for item in gone]
        for carried in db.session.scalars(
                select(AgendaItem).where(AgendaItem.carried_from_id.in_(ids))):
            carried.carried_from_id = None
        for waiting in db.session.scalars(
                select(BacklogItem).where(BacklogItem.carried_from_id.in_(ids))):
            waiting.carried_from_id = None
        for item in gone:
            meeting.items.remove(item)
    return [before, after]


def _sync_attendance(writer, meeting: Meeting, entries: list[dict]) -> list | None:
    """Match attendance by person; [before, after] if it changed."""
    before = _attendance_of(meeting)
    after = sorted((_set(dict(e)) for e in entries), key=lambda a: a["person"])
    if before == after:
        return None
    sync_by_key(meeting.attendance, entries, _person_key, itemgetter("person"),
                lambda e: {"status": e["status"], "designee": _designee(writer, e)},
                lambda e, **v: Attendance(person=writer.people[e["person"]], **v))
    return [before, after]


def _sync_rsvps(writer, meeting: Meeting, entries: list[dict]) -> list | None:
    """Match RSVPs by person; [before, after] if they changed."""
    before = _rsvps_of(meeting)
    after = sorted((_set(dict(e, answered_at=utc_text(instant(e["answered_at"]))))
                    for e in entries), key=lambda r: r["person"])
    if before == after:
        return None
    sync_by_key(meeting.rsvps, entries, _person_key, itemgetter("person"),
                lambda e: {"answer": e["answer"], "designee": _designee(writer, e),
                           "answered_at": instant(e["answered_at"])},
                lambda e, **v: Rsvp(person=writer.people[e["person"]], **v))
    return [before, after]


def _person_key(row) -> str:
    """The key an attendance row or RSVP is matched by: its person's."""
    return row.person.key


def _designee(writer, entry: dict):
    """The person an attendance or RSVP entry names as designee, if any."""
    designee = entry.get("designee")
    return writer.people[designee] if designee else None


def _sync_motions(writer, meeting: Meeting, entries: list[dict]) -> list | None:
    """Bring the motions to the file's; [before, after] if they changed.

    A motion has no key, so a changed list replaces the meeting's motions: a
    vote is a record of its moment, not a row anyone edits.
    """
    before = _motions_of(meeting)
    after = [_set(dict(e, voted_at=utc_text(instant(e["voted_at"])),
                       votes=sorted(e.get("votes", []), key=lambda v: v["person"])))
             for e in entries]
    if before == after:
        return None
    for motion in list(meeting.motions):
        meeting.motions.remove(motion)
    items = _ordered(meeting.items)
    for entry in entries:
        seconder, item = entry.get("seconder"), entry.get("item")
        motion = Motion(text=entry["text"], mover=writer.people[entry["mover"]],
                        seconder=writer.people[seconder] if seconder else None,
                        result=entry["result"],
                        quorum_statement=entry.get("quorum_statement", ""),
                        voted_at=instant(entry["voted_at"]),
                        agenda_item=items[item] if item is not None else None)
        motion.votes = [Vote(person=writer.people[v["person"]], choice=v["vote"])
                        for v in entry.get("votes", [])]
        meeting.motions.append(motion)
    return [before, after]


def _store_meetings(writer, committee: Committee, entries: list[dict], stored: list[Meeting],
                    refs: _Refs) -> dict[str, Meeting]:
    """Upsert the file's meetings; return every meeting of the committee by key."""
    meetings = {m.key: m for m in stored}
    action_ids = {key: id_ for id_, key in refs.actions.items()}
    given = {e["key"]: _wall(e["occurrence"]) for e in entries if e.get("occurrence")}
    leaving = [m for key, m in meetings.items()
               if key in given and m.occurrence not in (None, given[key])]
    if leaving:
        # Meetings that swap occurrences let go of theirs first: a committee holds one once.
        for meeting in leaving:
            meeting.occurrence = None
        db.session.flush()
    taken = {m.occurrence for m in meetings.values() if m.occurrence is not None} | set(
        given.values())
    cadence = _cadence(committee) if entries else None
    new: list[tuple[Meeting, dict]] = []
    for entry in entries:
        values = _meeting_values(entry)
        if entry["key"] in given:
            values["occurrence"] = given[entry["key"]]
        items = (entry.get("agenda") or {}).get("items", [])
        attendance = entry.get("attendance", [])
        meeting = meetings.get(entry["key"])
        if meeting is None:
            if "occurrence" not in values:
                values["occurrence"] = _occurrence(committee, cadence, values["starts_at"],
                                                   taken)
            meeting = meetings[entry["key"]] = Meeting(
                committee=committee, key=entry["key"], sequence=entry.get("sequence", 0),
                created_at=_begun(entry), **values, **_stamps(entry))
            writer.create(meeting, "meetings", committee)
            new.append((meeting, entry))
            continue
        changes = assign_changes(meeting, values | _stamps(entry))
        if changes.keys() & CALENDAR_FIELDS:
            meeting.sequence += 1
        # A calendar ignores an update whose SEQUENCE is not higher than the one it
        # holds: the file's is taken when higher, never one that goes back.
        if entry.get("sequence", 0) > meeting.sequence:
            changes |= assign_changes(meeting, {"sequence": entry["sequence"]})
        for name, change in (
                ("agenda_items", _sync_items(writer, meeting, items, refs)),
                ("attendance", _sync_attendance(writer, meeting, attendance)),
                ("rsvps", _sync_rsvps(writer, meeting, entry.get("rsvps", []))),
                ("motions", _sync_motions(writer, meeting, entry.get("motions", [])))):
            if change is not None:
                changes[name] = change
        writer.updated(meeting, "meetings", changes, committee)
    _insert_attendance(writer, new)
    _insert_items(writer, new, action_ids)
    return meetings


def _insert_items(writer, new: list[tuple[Meeting, dict]], action_ids: dict[str, int]) -> None:
    """The agenda items of new meetings in one insert, read back as the meetings' items;
    then their motions, which name items (a unit-of-work insert per item was most of
    the meetings' time at county scale)."""
    rows = []
    for meeting, entry in new:
        for position, item in enumerate(_items_in(entry)):
            values = _item_values(writer, position, item, action_ids)
            presenter = values.pop("presenter")
            rows.append({"meeting_id": meeting.id, "source": None, "carried_from_id": None,
                         "presenter_id": presenter.id if presenter else None, **values})
    by_meeting: dict[int, list[AgendaItem]] = {meeting.id: [] for meeting, _ in new}
    if rows:
        db.session.execute(insert(AgendaItem.__table__), rows)
        for item in db.session.scalars(select(AgendaItem).where(
                AgendaItem.meeting_id.in_(list(by_meeting))).order_by(
                AgendaItem.meeting_id, AgendaItem.position)):
            by_meeting[item.meeting_id].append(item)
    for meeting, entry in new:
        set_committed_value(meeting, "items", by_meeting[meeting.id])
        set_committed_value(meeting, "motions", [])  # a new meeting has none: no query
        _sync_motions(writer, meeting, entry.get("motions", []))


def _insert_attendance(writer, new: list[tuple[Meeting, dict]]) -> None:
    """The attendance and RSVPs of new meetings in two inserts, once the meetings have ids
    (a row object each was a good part of an import's time)."""
    if not new:
        return
    db.session.flush()

    def person_id(key: str | None) -> int | None:
        return writer.people[key].id if key else None

    attendance = [{"meeting_id": meeting.id, "person_id": person_id(row["person"]),
                   "status": row["status"], "designee_id": person_id(row.get("designee"))}
                  for meeting, entry in new for row in entry.get("attendance", [])]
    rsvps = [{"meeting_id": meeting.id, "person_id": person_id(row["person"]),
              "answer": row["answer"], "designee_id": person_id(row.get("designee")),
              "answered_at": instant(row["answered_at"])}
             for meeting, entry in new for row in entry.get("rsvps", [])]
    for model, rows in ((Attendance, attendance), (Rsvp, rsvps)):
        if rows:
            db.session.execute(insert(model.__table__), rows)


def _action_values(writer, entry: dict, meetings: dict[str, Meeting]) -> dict:
    origin = entry.get("origin") or {}
    values = {"title": entry["title"], "description": entry.get("description", ""),
              "owner": writer.people[entry["owner"]], "due": _day(entry.get("due")),
              "status": entry["status"], "workgroup_key": entry.get("workgroup"),
              "origin_kind": origin.get("kind", "other"), "origin_ref": origin.get("ref"),
              "created_at": instant(entry["created_at"])}
    if values["origin_kind"] == "meeting":
        # The minutes' action table lists the actions whose meeting_id is theirs.
        values["meeting_id"] = meetings[values["origin_ref"]].id
    return values


def _sync_updates(writer, action: ActionItem, entries: list[dict]) -> list | None:
    return sync_update_log(writer, action.updates, entries, _update_record, ActionUpdate,
                           lambda e: {"status": e.get("status"), "note": e.get("note", "")})


def _store_actions(writer, committee: Committee, entries: list[dict],
                   meetings: dict[str, Meeting], actions: dict[str, ActionItem]
                   ) -> dict[str, int]:
    """Upsert the file's actions (actions: the stored ones by key); return the ids of the
    committee's actions by key."""
    ids = {key: action.id for key, action in actions.items()}
    new = [entry for entry in entries if entry["key"] not in actions]
    if new:
        ids |= _insert_actions(writer, committee, new, meetings)
    for entry in entries:
        action = actions.get(entry["key"])
        if action is None:
            continue
        values = _action_values(writer, entry, meetings)
        owner = values.pop("owner")
        changes = assign_changes(action, values)
        if action.owner is not owner:
            changes["owner"] = [action.owner.key, owner.key]
            action.owner = owner
        change = _sync_updates(writer, action, entry.get("updates", []))
        if change is not None:
            changes["updates"] = change
        writer.updated(action, "actions", changes, committee)
    return ids


def _insert_actions(writer, committee: Committee, entries: list[dict],
                    meetings: dict[str, Meeting]) -> dict[str, int]:
    """Insert new actions and their update logs in two statements; their ids by key.

    At county scale an object each, with its updates, was most of an import's
    time; new rows need none of the matching the ORM path does.
    """
    db.session.flush()  # the committee, its new meetings and new people get their ids
    rows = []
    for entry in entries:
        values = _action_values(writer, entry, meetings)
        rows.append({"key": entry["key"], "committee_id": committee.id,
                     "owner_id": values.pop("owner").id, "meeting_id": None, "version": 1,
                     **values})
    # A plain executemany, then the ids by key: RETURNING made the ORM insert a row at a time.
    db.session.execute(insert(ActionItem.__table__), rows)
    ids = dict(db.session.execute(select(ActionItem.key, ActionItem.id).where(
        ActionItem.committee_id == committee.id)).all())
    for row in rows:
        row["id"] = ids[row["key"]]
    updates = [{"action_id": ids[entry["key"]], "at": instant(update["at"]),
                "by_id": writer.people[update["by"]].id, "status": update.get("status"),
                "note": update.get("note", "")}
               for entry in entries for update in entry.get("updates", [])]
    if updates:
        db.session.execute(insert(ActionUpdate.__table__), updates)
    writer.inserted("actions", ActionItem, rows, committee, label=lambda row: row["title"])
    return ids


def _link_actions(meetings: dict[str, Meeting], entries: list[dict],
                  action_ids: dict[str, int]) -> None:
    """Point agenda items at the actions they name, now that new actions have ids.

    An item naming an action new in this file was stored without it (the
    meeting's audit entry already holds the file's item, action included).
    """
    named = [(meetings[e["key"]], n, item["action"]) for e in entries
             for n, item in enumerate((e.get("agenda") or {}).get("items", []))
             if item.get("action")]
    for meeting, position, key in named:
        item = _ordered(meeting.items)[position]
        if item.action_id != action_ids[key]:
            item.action_id = action_ids[key]


def _store_quorum(writer, committee: Committee, quorum: dict | None) -> None:
    rule = committee.quorum_rule
    if quorum is None:
        if rule is not None:
            writer.deleted(rule, "quorum", committee)
            committee.quorum_rule = None
        return
    values = {"min_present": quorum["min_present"],
              "required_sides": list(quorum.get("required_sides", []))}
    if rule is None:
        committee.quorum_rule = QuorumRule(**values)
        writer.create(committee.quorum_rule, "quorum", committee)
    else:
        writer.updated(rule, "quorum", assign_changes(rule, values), committee)


def _store_standing_items(writer, committee: Committee, entries: list[dict]) -> None:
    """Match standing items by their place in the list; the file is authoritative."""
    stored = _standing_items(committee)
    for position, entry in enumerate(entries):
        values = {"title": entry["title"], "kind": entry["kind"], "minutes": entry["minutes"],
                  "placement": entry["placement"], "position": position}
        if position < len(stored):
            writer.updated(stored[position], "standing_items",
                           assign_changes(stored[position], values), committee)
        else:
            item = StandingItem(**values)
            committee.standing_items.append(item)
            writer.create(item, "standing_items", committee)
    for item in stored[len(entries):]:
        writer.deleted(item, "standing_items", committee)
        committee.standing_items.remove(item)


def _request_values(writer, entry: dict, meetings: dict[str, Meeting]) -> dict:
    meeting = entry.get("meeting")
    return {"meeting": meetings[meeting] if meeting else None, "title": entry["title"],
            "kind": entry["kind"], "minutes": entry["minutes"], "note": entry.get("note", ""),
            "status": entry["status"], "decided_at": instant(entry.get("decided_at"))}


def _store_requests(writer, committee: Committee, entries: list[dict], stored: list,
                    meetings: dict[str, Meeting]) -> dict[tuple[str, datetime], AgendaRequest]:
    """Match agenda requests by (proposer, created_at); none is deleted (history)."""
    requests = {(r.proposer.key, r.created_at): r for r in stored}
    for entry in entries:
        key = (entry["proposer"], instant(entry["created_at"]))
        values = _request_values(writer, entry, meetings)
        request = requests.get(key)
        if request is None:
            request = requests[key] = AgendaRequest(
                committee=committee, proposer=writer.people[entry["proposer"]],
                created_at=key[1], **values)
            writer.create(request, "agenda_requests", committee)
            continue
        meeting = values.pop("meeting")
        changes = assign_changes(request, values)
        if request.meeting is not meeting:
            changes["meeting"] = [request.meeting.key if request.meeting else None,
                                  meeting.key if meeting else None]
            request.meeting = meeting
        writer.updated(request, "agenda_requests", changes, committee)
    return requests


def _db_source(entry: dict, requests: dict, meetings: dict[str, Meeting]
               ) -> tuple[str | None, AgendaItem | None]:
    """The source (and item carried from) a file entry stands for, in this database."""
    if entry.get("request"):
        ref = entry["request"]
        return f"request:{requests[(ref['proposer'], instant(ref['created_at']))].id}", None
    if entry.get("carried_from"):
        ref = entry["carried_from"]
        item = _ordered(meetings[ref["meeting"]].items)[ref["item"]]
        return f"carried:{item.id}", item
    return entry.get("source"), None


def _assign_sources(entries: list[dict], requests: dict, meetings: dict[str, Meeting]) -> None:
    """Set what proposed each agenda item, now that requests and items have ids.

    The meeting's audit entry already holds the change: _sync_items compares the
    items as the file writes them, sources included.
    """
    changed = []
    for entry in entries:
        items = _ordered(meetings[entry["key"]].items)
        for item, item_entry in zip(items, _items_in(entry), strict=True):
            source, carried = _db_source(item_entry, requests, meetings)
            carried_id = carried.id if carried is not None else None
            if (item.source, item.carried_from_id) != (source, carried_id):
                changed.append((item, source, carried_id))
    if any(item.source is not None for item, _, _ in changed):
        # A meeting holds a source once: items that swap sources let go of theirs first.
        for item, _, _ in changed:
            item.source = None
        db.session.flush()
    for item, source, carried_id in changed:
        item.source, item.carried_from_id = source, carried_id


def _store_backlog(writer, committee: Committee, entries: list[dict], requests: dict,
                   meetings: dict[str, Meeting]) -> None:
    """Match backlog entries by what they came from; none is deleted (history)."""
    stored = {e.source: e for e in _stored_backlog(committee)}
    for entry in entries:
        created = instant(entry["created_at"])
        source, carried = _db_source(entry, requests, meetings)
        source = source or _own_source(created)
        presenter = writer.people[entry["presenter"]] if entry.get("presenter") else None
        values = {"title": entry["title"], "kind": entry["kind"], "minutes": entry["minutes"],
                  "workgroup_key": entry.get("workgroup"), "mou_key": entry.get("mou"),
                  "pdsa_key": entry.get("pdsa_cycle"), "measure_key": entry.get("measure"),
                  "notes": entry.get("notes", ""), "why": entry.get("why", ""),
                  "created_at": created, "dropped_at": instant(entry.get("dropped_at")),
                  "carried_from_id": carried.id if carried is not None else None}
        row = stored.get(source)
        if row is None:
            row = stored[source] = BacklogItem(committee=committee, source=source,
                                               presenter=presenter, **values)
            writer.create(row, "backlog", committee)
            continue
        changes = assign_changes(row, values)
        if row.presenter is not presenter:
            changes["presenter"] = [row.presenter.key if row.presenter else None,
                                    presenter.key if presenter else None]
            row.presenter = presenter
        writer.updated(row, "backlog", changes, committee)


def store(writer, committee: Committee, record: dict) -> None:
    """Upsert meetings and actions by key, their parts matched as the file lists them."""
    _store_quorum(writer, committee, record.get("quorum"))
    _store_standing_items(writer, committee, record.get("standing_items", []))
    entries = record.get("meetings", [])
    stored_actions = {a.key: a for a in _stored_actions(committee)}
    stored_requests = _stored_requests(committee)
    stored_meetings = _stored_meetings(committee)
    refs = _Refs.of(list(stored_actions.values()), stored_requests, stored_meetings)
    meetings = _store_meetings(writer, committee, entries, stored_meetings, refs)
    action_ids = _store_actions(writer, committee, record.get("actions", []), meetings,
                                stored_actions)
    _link_actions(meetings, entries, action_ids)
    requests = _store_requests(writer, committee, record.get("agenda_requests", []),
                               stored_requests, meetings)
    backlog = record.get("backlog", [])
    if any(_items_in(e) for e in entries) or backlog:
        db.session.flush()  # requests and items get the ids sources name
        _assign_sources(entries, requests, meetings)
        _store_backlog(writer, committee, backlog, requests, meetings)


SECTION = CommitteeSection(export=export, check=check, store=store)
