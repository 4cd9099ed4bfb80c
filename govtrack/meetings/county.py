"""Meetings (agenda, attendance, minutes) and action items in the county file.

A meeting's start is written in its committee's time zone, with the offset of
that day, because that is how a clerk reads and types it; every other instant
is written in UTC. Optional fields a record leaves unset are left out, so a
file round-trips unchanged (an empty draft agenda, no attendance and blank
minutes are all "unset"; an action's update log is always written, as
county-format.md shows it).

Meetings and actions are matched by key and never deleted by an import (a file
may carry only part of a committee's history); within a meeting or an action
the file is authoritative for its agenda, attendance and update log.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from govtrack.actions.models import ActionItem, ActionUpdate
from govtrack.committees.models import Committee
from govtrack.county.sections import (
    CommitteeSection,
    assign_changes,
    check_person,
    check_updates,
    instant,
    sync_update_log,
    update_log,
    utc_text,
)
from govtrack.extensions import db
from govtrack.meetings.models import AgendaItem, Attendance, Meeting
from govtrack.meetings.services import video_link_problem

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


def _set(record: dict) -> dict:
    """The record without its unset fields (None, "" or [])."""
    return {name: value for name, value in record.items() if value not in (None, "", [])}


# --- export -------------------------------------------------------------------------


def _item_record(item: AgendaItem) -> dict:
    return _set({"title": item.title, "kind": item.kind, "minutes": item.minutes,
                 "presenter": item.presenter.key if item.presenter else None,
                 "workgroup": item.workgroup_key, "mou": item.mou_key,
                 "pdsa_cycle": item.pdsa_key, "notes": item.notes})


def _attendance_record(row: Attendance) -> dict:
    return _set({"person": row.person.key, "status": row.status,
                 "designee": row.designee.key if row.designee else None})


def _items_of(meeting: Meeting) -> list[dict]:
    return [_item_record(i) for i in sorted(meeting.items, key=lambda i: (i.position, i.id))]


def _attendance_of(meeting: Meeting) -> list[dict]:
    return sorted((_attendance_record(a) for a in meeting.attendance),
                  key=lambda a: a["person"])


def _meeting_record(meeting: Meeting, timezone: str) -> dict:
    record = _set({"key": meeting.key, "starts_at": local_text(meeting.starts_at, timezone),
                   "duration_minutes": meeting.duration_minutes,
                   "location": meeting.location, "video_link": meeting.video_link,
                   "status": meeting.status})
    items = _items_of(meeting)
    if items or meeting.agenda_status != "draft":
        record["agenda"] = {"status": meeting.agenda_status, "items": items}
    attendance = _attendance_of(meeting)
    if attendance:
        record["attendance"] = attendance
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
        .options(selectinload(Meeting.items), selectinload(Meeting.attendance))))


def _stored_actions(committee: Committee) -> list[ActionItem]:
    if committee.id is None:
        return []
    return list(db.session.scalars(
        select(ActionItem).where(ActionItem.committee_id == committee.id)
        .options(selectinload(ActionItem.updates))))


def export(committee: Committee) -> dict:
    """meetings (oldest first) and actions (by creation) of a committee record."""
    record = {}
    meetings = sorted(_stored_meetings(committee), key=lambda m: (m.starts_at, m.key))
    if meetings:
        record["meetings"] = [_meeting_record(m, committee.timezone) for m in meetings]
    actions = sorted(_stored_actions(committee), key=lambda a: (a.created_at, a.key))
    if actions:
        record["actions"] = [_action_record(a) for a in actions]
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
    for n, meeting in enumerate(meetings):
        where = f"{path}.meetings[{n}]"
        _unique("meetings", meeting["key"], where, seen, meeting_owners, record["key"], report)
        _check_meeting(meeting, where, known, report)
    meeting_keys = {m["key"] for m in meetings} | {
        key for key, owner in meeting_owners.items() if owner == record["key"]}
    for n, action in enumerate(actions):
        where = f"{path}.actions[{n}]"
        _unique("actions", action["key"], where, seen, action_owners, record["key"], report)
        _check_action(action, where, meeting_keys, known, report)


def _check_meeting(meeting: dict, where: str, known, report) -> None:
    link_problem = video_link_problem(meeting.get("video_link", ""))
    if link_problem:
        report.problem(f"{where}.video_link", link_problem)
    for i, item in enumerate(meeting.get("agenda", {}).get("items", [])):
        check_person(known, report, f"{where}.agenda.items[{i}].presenter", item.get("presenter"))
    listed: dict[str, int] = {}
    for a, row in enumerate(meeting.get("attendance", [])):
        at = f"{where}.attendance[{a}]"
        person, designee = row["person"], row.get("designee")
        check_person(known, report, f"{at}.person", person)
        check_person(known, report, f"{at}.designee", designee)
        if person in listed:
            report.problem(f"{at}.person", f"“{person}” is listed twice in this meeting's "
                                           f"attendance, also at {where}.attendance"
                                           f"[{listed[person]}]")
        else:
            listed[person] = a
        # status "designee" without one named is a designee whose name nobody
        # noted: pages say "a designee", and the member counts as represented.
        if row["status"] != "designee" and designee is not None:
            report.problem(f"{at}.designee", f"only a member who sent a designee names one; "
                                             f"the status is “{row['status']}”")
        elif designee is not None and designee == person:
            report.problem(f"{at}.designee", "a member cannot be their own designee")
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
    return rrulestr(committee.cadence_rrule, dtstart=committee.cadence_dtstart)


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


def _item_values(writer, position: int, entry: dict) -> dict:
    presenter = entry.get("presenter")
    return {"position": position, "title": entry["title"], "kind": entry["kind"],
            "minutes": entry["minutes"],
            "presenter": writer.people[presenter] if presenter else None,
            "workgroup_key": entry.get("workgroup"), "mou_key": entry.get("mou"),
            "pdsa_key": entry.get("pdsa_cycle"), "notes": entry.get("notes", "")}


def _sync_items(writer, meeting: Meeting, entries: list[dict]) -> list | None:
    """Bring the agenda to the file's, item by item in order; [before, after] if it changed.

    Items keep their rows where they stay, so what the file cannot say (the
    draft source that proposed an item, the item it was carried from) stays.
    """
    before = _items_of(meeting)
    after = [_set(dict(e)) for e in entries]
    if before == after:
        return None
    stored = sorted(meeting.items, key=lambda i: (i.position, i.id))
    for position, entry in enumerate(entries):
        values = _item_values(writer, position, entry)
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
        for item in gone:
            meeting.items.remove(item)
    return [before, after]


def _sync_attendance(writer, meeting: Meeting, entries: list[dict]) -> list | None:
    """Match attendance by person; [before, after] if it changed."""
    before = _attendance_of(meeting)
    after = sorted((_set(dict(e)) for e in entries), key=lambda a: a["person"])
    if before == after:
        return None
    rows = {row.person.key: row for row in meeting.attendance}
    for entry in entries:
        designee = entry.get("designee")
        values = {"status": entry["status"],
                  "designee": writer.people[designee] if designee else None}
        row = rows.pop(entry["person"], None)
        if row is None:
            meeting.attendance.append(Attendance(person=writer.people[entry["person"]],
                                                 **values))
        else:
            assign_changes(row, values)
    for row in rows.values():
        meeting.attendance.remove(row)
    return [before, after]


def _store_meetings(writer, committee: Committee, entries: list[dict]) -> dict[str, Meeting]:
    """Upsert the file's meetings; return every meeting of the committee by key."""
    meetings = {m.key: m for m in _stored_meetings(committee)}
    taken = {m.occurrence for m in meetings.values() if m.occurrence is not None}
    cadence = _cadence(committee) if entries else None
    for entry in entries:
        values = _meeting_values(entry)
        items = (entry.get("agenda") or {}).get("items", [])
        attendance = entry.get("attendance", [])
        meeting = meetings.get(entry["key"])
        if meeting is None:
            meeting = meetings[entry["key"]] = Meeting(
                committee=committee, key=entry["key"],
                occurrence=_occurrence(committee, cadence, values["starts_at"], taken),
                **values)
            for position, item in enumerate(items):
                meeting.items.append(AgendaItem(**_item_values(writer, position, item)))
            _sync_attendance(writer, meeting, attendance)
            writer.create(meeting, "meetings", committee)
            continue
        changes = assign_changes(meeting, values)
        if changes.keys() & CALENDAR_FIELDS:
            meeting.sequence += 1
        for name, change in (("agenda_items", _sync_items(writer, meeting, items)),
                             ("attendance", _sync_attendance(writer, meeting, attendance))):
            if change is not None:
                changes[name] = change
        writer.updated(meeting, "meetings", changes, committee)
    return meetings


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
                   meetings: dict[str, Meeting]) -> None:
    origins = {(e.get("origin") or {}).get("ref") for e in entries
               if (e.get("origin") or {}).get("kind") == "meeting"}
    if any(meetings[key].id is None for key in origins):
        db.session.flush()  # new meetings get the ids their actions point at
    actions = {a.key: a for a in _stored_actions(committee)}
    for entry in entries:
        values = _action_values(writer, entry, meetings)
        action = actions.get(entry["key"])
        if action is None:
            action = ActionItem(committee=committee, key=entry["key"], **values)
            _sync_updates(writer, action, entry.get("updates", []))
            writer.create(action, "actions", committee)
            continue
        owner = values.pop("owner")
        changes = assign_changes(action, values)
        if action.owner is not owner:
            changes["owner"] = [action.owner.key, owner.key]
            action.owner = owner
        change = _sync_updates(writer, action, entry.get("updates", []))
        if change is not None:
            changes["updates"] = change
        writer.updated(action, "actions", changes, committee)


def store(writer, committee: Committee, record: dict) -> None:
    """Upsert meetings and actions by key, their parts matched as the file lists them."""
    meetings = _store_meetings(writer, committee, record.get("meetings", []))
    _store_actions(writer, committee, record.get("actions", []), meetings)


SECTION = CommitteeSection(export=export, check=check, store=store)
