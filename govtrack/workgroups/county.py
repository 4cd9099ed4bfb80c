"""Workgroups, their goals, milestones and updates in the county file.

Written the way meetings.county writes meetings and actions: instants in UTC
with Z, optional fields left out when unset (no charge, no lead, not closed,
no description, no owner, not done, an update without text), and the lists
(members, updates, goals, milestones) always written. Workgroups come oldest
first, their members by key, updates by time, goals in the order they were
set, milestones by due date.

A closed workgroup carries why it closed (`closed_reason`, `closed_note`); a
goal its `end_date` and, once achieved or cancelled, its `status` and
`status_at`; a milestone moved to another due date its `due_changes` (from,
to, when, by whom, why), oldest first. Each is optional: a file without them
gives an open goal, no reason, no re-dating.

Workgroups are matched by key and never deleted by an import (a file may
carry only part of a committee's history); within a workgroup the file is
authoritative for its members, updates (matched by time and author), goals
and their milestones (matched by key).

A goal's PDSA cycles (`pdsa_cycles`, written when it has any) are exported,
checked and stored by pdsa.county, called from here. An action's
`workgroup` (ActionItem.workgroup_key, stored by
meetings.county) must name a workgroup of the same committee, in the file or
stored. (An agenda item's `workgroup` is not checked: a report-back may name
a workgroup the file does not carry.)
"""

from datetime import date
from operator import itemgetter

from sqlalchemy import insert, or_, select
from sqlalchemy.orm import selectinload

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
from govtrack.pdsa.models import PdsaCycle
from govtrack.workgroups.models import (
    Goal,
    Milestone,
    MilestoneDueChange,
    Workgroup,
    WorkgroupUpdate,
)


def _set(record: dict, *always: str) -> dict:
    """The record without its unset fields (None or ""), except those always written."""
    return {name: value for name, value in record.items()
            if name in always or value not in (None, "")}


# --- export -------------------------------------------------------------------------


def _update_record(update: WorkgroupUpdate) -> dict:
    return _set({"at": utc_text(update.at), "by": update.by.key, "text": update.text})


def _due_change_record(change: MilestoneDueChange) -> dict:
    return _set({"from": change.old_due.isoformat(), "to": change.new_due.isoformat(),
                 "at": utc_text(change.at), "by": change.by.key if change.by else None,
                 "reason": change.reason})


def _due_changes_of(milestone: Milestone) -> list[dict]:
    changes = sorted(milestone.due_changes, key=lambda c: (c.at, c.id is None, c.id or 0))
    return [_due_change_record(c) for c in changes]


def _milestone_record(milestone: Milestone) -> dict:
    return _set({"key": milestone.key, "title": milestone.title,
                 "due": milestone.due.isoformat(),
                 "owner": milestone.owner.key if milestone.owner else None,
                 "status": milestone.status, "done_at": utc_text(milestone.done_at),
                 "due_changes": _due_changes_of(milestone) or None})


def _goal_record(goal: Goal) -> dict:
    record = _set({"key": goal.key, "title": goal.title, "description": goal.description,
                   "end_date": goal.end_date.isoformat() if goal.end_date else None,
                   "status": goal.status if goal.status != "open" else None,
                   "status_at": utc_text(goal.status_at)})
    record["milestones"] = [_milestone_record(m) for m in
                            sorted(goal.milestones, key=lambda m: (m.due, m.key))]
    from govtrack.pdsa.county import export_cycles

    cycles = export_cycles(goal)
    if cycles:
        record["pdsa_cycles"] = cycles
    return record


def _goals_of(workgroup: Workgroup) -> list[dict]:
    # in the order they were set; new ones (no id yet) last, in the order added
    goals = sorted(workgroup.goals, key=lambda g: (g.id is None, g.id or 0))
    return [_goal_record(g) for g in goals]


def _members_of(workgroup: Workgroup) -> list[str]:
    return sorted(p.key for p in workgroup.members)


def _workgroup_record(workgroup: Workgroup) -> dict:
    record = _set({"key": workgroup.key, "name": workgroup.name, "charge": workgroup.charge,
                   "lead": workgroup.lead.key if workgroup.lead else None})
    record["members"] = _members_of(workgroup)
    record["report_back"] = workgroup.report_back
    record["created_at"] = utc_text(workgroup.created_at)
    if workgroup.closed_at is not None:
        record["closed_at"] = utc_text(workgroup.closed_at)
        record.update(_set({"closed_reason": workgroup.closed_reason,
                            "closed_note": workgroup.closed_note}))
    record["updates"] = update_log(workgroup.updates, _update_record)
    record["goals"] = _goals_of(workgroup)
    return record


def _stored(committee: Committee) -> list[Workgroup]:
    """The committee's stored workgroups with everything the file holds, in six queries."""
    if committee.id is None:
        return []
    return list(db.session.scalars(
        select(Workgroup).where(Workgroup.committee_id == committee.id).options(
            selectinload(Workgroup.lead), selectinload(Workgroup.members),
            selectinload(Workgroup.updates).selectinload(WorkgroupUpdate.by),
            selectinload(Workgroup.goals).selectinload(Goal.milestones)
            .selectinload(Milestone.owner),
            selectinload(Workgroup.goals).selectinload(Goal.milestones)
            .selectinload(Milestone.due_changes).selectinload(MilestoneDueChange.by),
            selectinload(Workgroup.goals).selectinload(Goal.pdsa_cycles)
            .selectinload(PdsaCycle.phase_history))))


def export(committee: Committee) -> dict:
    """workgroups of a committee record, oldest first."""
    workgroups = sorted(_stored(committee), key=lambda wg: (wg.created_at, wg.key))
    return {"workgroups": [_workgroup_record(wg) for wg in workgroups]} if workgroups else {}


# --- checks -------------------------------------------------------------------------


def _first_paths(known) -> dict[str, dict[str, str]]:
    """Where each workgroup, goal and milestone key was first seen in this file.

    Keys are unique across the whole file, but a section checks one committee
    at a time; `known` lives for exactly one import, so it carries what
    earlier committees used.
    """
    seen = getattr(known, "workgroups_county_keys", None)
    if seen is None:
        seen = {"workgroup": {}, "goal": {}, "milestone": {}}
        known.workgroups_county_keys = seen
    return seen


def _stored_owners(record: dict) -> tuple[dict, dict, dict]:
    """Stored workgroups (key -> committee key), goals (-> workgroup) and milestones (-> goal).

    Workgroups: those the file names and the committee's own; goals and
    milestones: those the file names. Three queries.
    """
    workgroups = record.get("workgroups", [])
    goals = [g for wg in workgroups for g in wg.get("goals", [])]
    milestones = [m for g in goals for m in g.get("milestones", [])]
    workgroup_owner = dict(db.session.execute(
        select(Workgroup.key, Committee.key).join(Committee, Workgroup.committee_id == Committee.id)
        .where(or_(Workgroup.key.in_([wg["key"] for wg in workgroups]),
                   Committee.key == record["key"]))).all())
    goal_owner = dict(db.session.execute(
        select(Goal.key, Workgroup.key).join(Workgroup, Goal.workgroup_id == Workgroup.id)
        .where(Goal.key.in_([g["key"] for g in goals]))).all()) if goals else {}
    milestone_owner = dict(db.session.execute(
        select(Milestone.key, Goal.key).join(Goal, Milestone.goal_id == Goal.id)
        .where(Milestone.key.in_([m["key"] for m in milestones]))).all()) if milestones else {}
    return workgroup_owner, goal_owner, milestone_owner


def _unique(kind: str, key: str, path: str, seen: dict, report) -> None:
    if key in seen[kind]:
        report.problem(f"{path}.key", f"duplicate key “{key}”, also at {seen[kind][key]}")
    else:
        seen[kind][key] = path


def _not_moved(kind: str, key: str, path: str, owner: str | None, parent: str,
               parent_kind: str, report) -> None:
    if owner is not None and owner != parent:
        report.problem(f"{path}.key", f"the {kind} “{key}” belongs to {parent_kind} “{owner}”; "
                                      f"a {kind} cannot move to another {parent_kind}")


def check(record: dict, path: str, known, report) -> None:
    """References exist; keys are unique across the file; links name this committee's workgroups."""
    from govtrack.pdsa.county import check_cycles

    workgroups = record.get("workgroups", [])
    if not workgroups and not any(a.get("workgroup") for a in record.get("actions", [])):
        return
    seen = _first_paths(known)
    workgroup_owner, goal_owner, milestone_owner = _stored_owners(record)
    for n, workgroup in enumerate(workgroups):
        where = f"{path}.workgroups[{n}]"
        _unique("workgroup", workgroup["key"], where, seen, report)
        _not_moved("workgroup", workgroup["key"], where, workgroup_owner.get(workgroup["key"]),
                   record["key"], "committee", report)
        _check_workgroup(workgroup, where, known, report)
        for g, goal in enumerate(workgroup.get("goals", [])):
            at = f"{where}.goals[{g}]"
            _unique("goal", goal["key"], at, seen, report)
            _not_moved("goal", goal["key"], at, goal_owner.get(goal["key"]), workgroup["key"],
                       "workgroup", report)
            check_cycles(goal, at, known, report, record["timezone"])
            _check_goal(goal, at, report)
            for m, milestone in enumerate(goal.get("milestones", [])):
                spot = f"{at}.milestones[{m}]"
                _unique("milestone", milestone["key"], spot, seen, report)
                _not_moved("milestone", milestone["key"], spot,
                           milestone_owner.get(milestone["key"]), goal["key"], "goal", report)
                _check_milestone(milestone, spot, known, report)
                _check_due_changes(milestone, spot, known, report)
    # the committee's workgroups: the file's and those already stored
    keys = {wg["key"] for wg in workgroups} | {
        key for key, owner in workgroup_owner.items() if owner == record["key"]}
    for n, action in enumerate(record.get("actions", [])):
        key = action.get("workgroup")
        if key is not None and key not in keys:
            report.problem(f"{path}.actions[{n}].workgroup",
                           f"no workgroup of this committee has key “{key}”")


def _check_workgroup(workgroup: dict, where: str, known, report) -> None:
    check_person(known, report, f"{where}.lead", workgroup.get("lead"))
    listed: dict[str, int] = {}
    for n, member in enumerate(workgroup.get("members", [])):
        check_person(known, report, f"{where}.members[{n}]", member)
        if member in listed:
            report.problem(f"{where}.members[{n}]", f"“{member}” is listed twice, also at "
                                                    f"{where}.members[{listed[member]}]")
        else:
            listed[member] = n
    closed = instant(workgroup.get("closed_at"))
    if closed is not None and closed < instant(workgroup["created_at"]):
        report.problem(f"{where}.closed_at", "the workgroup is closed before it was created")
    for name in ("closed_reason", "closed_note"):
        if workgroup.get(name) and closed is None:
            report.problem(f"{where}.{name}", "only a closed workgroup (closed_at) has a "
                                              f"{name.replace('_', ' ')}")
    if (closed is not None and workgroup.get("closed_reason") not in (None, "achieved")
            and not (workgroup.get("closed_note") or "").strip()):
        report.problem(f"{where}.closed_note", "Say where the work went or why it stops: a "
                                               f"workgroup closed as "
                                               f"{workgroup['closed_reason']} has a note.")
    check_updates(workgroup.get("updates", []), where, known, report)


def _check_goal(goal: dict, where: str, report) -> None:
    """A status date goes with an achieved or cancelled goal; milestones fall before its end."""
    status = goal.get("status", "open")
    if goal.get("status_at") and status == "open":
        report.problem(f"{where}.status_at", "only an achieved or cancelled goal has a "
                                             "status_at")
    end = goal.get("end_date")
    if end is None:
        return
    for m, milestone in enumerate(goal.get("milestones", [])):
        if milestone["status"] == "open" and milestone["due"] > end:
            report.problem(f"{where}.milestones[{m}].due",
                           f"The goal ends on {end}; an open milestone cannot be due after it.")


def _check_due_changes(milestone: dict, where: str, known, report) -> None:
    """Re-datings name known people and chain: each moves from where the last one left it."""
    changes = milestone.get("due_changes", [])
    for c, change in enumerate(changes):
        at = f"{where}.due_changes[{c}]"
        check_person(known, report, f"{at}.by", change.get("by"))
        if change["from"] == change["to"]:
            report.problem(f"{at}.to", "a re-dating moves the milestone to another date")
        if c and change["from"] != changes[c - 1]["to"]:
            report.problem(f"{at}.from", f"the milestone was due {changes[c - 1]['to']} "
                                         f"after {where}.due_changes[{c - 1}]")
        if c and instant(change["at"]) < instant(changes[c - 1]["at"]):
            report.problem(f"{at}.at", f"before {where}.due_changes[{c - 1}]: re-datings are "
                                       "listed oldest first")
    if changes and changes[-1]["to"] != milestone["due"]:
        report.problem(f"{where}.due_changes[{len(changes) - 1}].to",
                       f"the last re-dating moves the milestone to its due date, "
                       f"{milestone['due']}")


def _check_milestone(milestone: dict, where: str, known, report) -> None:
    check_person(known, report, f"{where}.owner", milestone.get("owner"))
    if milestone.get("done_at") and milestone["status"] != "done":
        report.problem(f"{where}.done_at", f"only a milestone that is done has a done_at; "
                                           f"the status is “{milestone['status']}”")


# --- storing ------------------------------------------------------------------------


def _workgroup_values(writer, entry: dict) -> dict:
    lead = entry.get("lead")
    return {"name": entry["name"], "charge": entry.get("charge", ""),
            "lead": writer.people[lead] if lead else None,
            "report_back": entry.get("report_back", "every_meeting"),
            "created_at": instant(entry["created_at"]),
            "closed_at": instant(entry.get("closed_at")),
            "closed_reason": entry.get("closed_reason"),
            "closed_note": entry.get("closed_note", "")}


def _key(row) -> str:
    """The key a goal or milestone is matched by."""
    return row.key


def _goal_values(entry: dict) -> dict:
    end_date = entry.get("end_date")
    return {"title": entry["title"], "description": entry.get("description", ""),
            "end_date": date.fromisoformat(end_date) if end_date else None,
            "status": entry.get("status", "open"), "status_at": instant(entry.get("status_at"))}


def _milestone_values(writer, entry: dict) -> dict:
    owner = entry.get("owner")
    return {"title": entry["title"], "due": date.fromisoformat(entry["due"]),
            "owner": writer.people[owner] if owner else None, "status": entry["status"],
            "done_at": instant(entry.get("done_at"))}


def _sync_due_changes(writer, milestone: Milestone, entries: list[dict]) -> None:
    """The file is authoritative for a milestone's re-datings: replaced when they differ."""
    wanted = [_set({"from": e["from"], "to": e["to"], "at": utc_text(instant(e["at"])),
                    "by": e.get("by"), "reason": e.get("reason", "")}) for e in entries]
    if _due_changes_of(milestone) == wanted:
        return
    for change in list(milestone.due_changes):
        milestone.due_changes.remove(change)
    for entry in entries:
        by = entry.get("by")
        milestone.due_changes.append(MilestoneDueChange(
            old_due=date.fromisoformat(entry["from"]), new_due=date.fromisoformat(entry["to"]),
            at=instant(entry["at"]), by=writer.people[by] if by else None,
            reason=entry.get("reason", "")))


def _sync_members(writer, workgroup: Workgroup, keys: list[str]) -> list | None:
    before, after = _members_of(workgroup), sorted(set(keys))
    if before == after:
        return None
    workgroup.members = [writer.people[key] for key in after]
    return [before, after]


def _sync_updates(writer, workgroup: Workgroup, entries: list[dict]) -> list | None:
    return sync_update_log(writer, workgroup.updates, entries, _update_record, WorkgroupUpdate,
                           lambda e: {"text": e.get("text", "")})


def _sync_goals(writer, workgroup: Workgroup, entries: list[dict]) -> list | None:
    """Match goals, and each goal's milestones and PDSA cycles, by key; [before, after]."""
    from govtrack.pdsa.county import sync_cycles

    before = _goals_of(workgroup)
    goals = sync_by_key(workgroup.goals, entries, _key, itemgetter("key"), _goal_values,
                        lambda e, **v: Goal(key=e["key"], **v))
    for goal, entry in zip(goals, entries, strict=True):
        items = entry.get("milestones", [])
        milestones = sync_by_key(goal.milestones, items, _key, itemgetter("key"),
                                 lambda e: _milestone_values(writer, e),
                                 lambda e, **v: Milestone(key=e["key"], **v))
        for milestone, item in zip(milestones, items, strict=True):
            _sync_due_changes(writer, milestone, item.get("due_changes", []))
        sync_cycles(writer, goal, entry.get("pdsa_cycles", []))
    after = _goals_of(workgroup)
    return [before, after] if before != after else None


def _new_goals(writer, workgroup: Workgroup, entries: list[dict]) -> None:
    """A new workgroup's goals and their PDSA cycles; _insert_milestones adds the milestones
    once the goals have ids."""
    from govtrack.pdsa.county import sync_cycles

    for entry in entries:
        goal = Goal(key=entry["key"], **_goal_values(entry))
        workgroup.goals.append(goal)
        sync_cycles(writer, goal, entry.get("pdsa_cycles", []))


def _insert_milestones(writer, new: list[tuple[Workgroup, dict]]) -> None:
    """The milestones of new workgroups' goals in one insert, then their re-datings in
    another (an object each was most of the workgroups' time at national scale). Like the
    goals, they are part of their workgroup's record: its audit entry covers them."""
    goals = [(goal, entry) for workgroup, record in new
             for goal, entry in zip(workgroup.goals, record.get("goals", []), strict=True)]
    rows = [{"goal_id": goal.id, "key": item["key"], "version": 1,
             **{name: value.id if name == "owner" and value is not None else value
                for name, value in _milestone_values(writer, item).items()}}
            for goal, entry in goals for item in entry.get("milestones", [])]
    for goal, _ in goals:
        db.session.expire(goal, ["milestones"])  # read back from the rows if anyone asks
    if not rows:
        return
    for row in rows:
        row["owner_id"] = row.pop("owner")
    db.session.execute(insert(Milestone.__table__), rows)
    dated = {item["key"]: item["due_changes"] for _, entry in goals
             for item in entry.get("milestones", []) if item.get("due_changes")}
    if not dated:
        return
    ids = dict(db.session.execute(select(Milestone.key, Milestone.id).where(
        Milestone.key.in_(list(dated)))).all())
    db.session.execute(insert(MilestoneDueChange.__table__), [
        {"milestone_id": ids[key], "old_due": date.fromisoformat(change["from"]),
         "new_due": date.fromisoformat(change["to"]), "at": instant(change["at"]),
         "by_id": writer.people[change["by"]].id if change.get("by") else None,
         "reason": change.get("reason", "")}
        for key, changes in dated.items() for change in changes])


def store(writer, committee: Committee, record: dict) -> None:
    """Upsert workgroups by key; members, updates, goals and milestones as the file lists them."""
    entries = record.get("workgroups", [])
    if not entries:
        return
    workgroups = {wg.key: wg for wg in _stored(committee)}
    new: list[tuple[Workgroup, dict]] = []
    for entry in entries:
        values = _workgroup_values(writer, entry)
        workgroup = workgroups.get(entry["key"])
        if workgroup is None:
            workgroup = Workgroup(committee=committee, key=entry["key"], **values)
            _sync_members(writer, workgroup, entry.get("members", []))
            _new_goals(writer, workgroup, entry.get("goals", []))
            writer.create(workgroup, "workgroups", committee)
            new.append((workgroup, entry))
            continue
        lead = values.pop("lead")
        changes = assign_changes(workgroup, values)
        if workgroup.lead is not lead:
            changes["lead"] = [workgroup.lead.key if workgroup.lead else None,
                               lead.key if lead else None]
            workgroup.lead = lead
        for name, change in (
                ("members", _sync_members(writer, workgroup, entry.get("members", []))),
                ("updates", _sync_updates(writer, workgroup, entry.get("updates", []))),
                ("goals", _sync_goals(writer, workgroup, entry.get("goals", [])))):
            if change is not None:
                changes[name] = change
        writer.updated(workgroup, "workgroups", changes, committee)
    _insert_updates(writer, new)
    _insert_milestones(writer, new)


def _insert_updates(writer, new: list[tuple[Workgroup, dict]]) -> None:
    """The update logs of new workgroups in one insert, once they have ids (an object
    each was a good part of the workgroups' time at county scale)."""
    rows = [{"workgroup_id": None, "at": instant(update["at"]),
             "by_id": writer.people[update["by"]], "text": update.get("text", ""),
             "agenda_item_id": None, "workgroup": workgroup}
            for workgroup, entry in new for update in entry.get("updates", [])]
    if not new:
        return
    db.session.flush()  # ids for the new workgroups and goals (the milestones need them too)
    if not rows:
        return
    for row in rows:
        row["workgroup_id"], row["by_id"] = row.pop("workgroup").id, row["by_id"].id
    db.session.execute(insert(WorkgroupUpdate.__table__), rows)


SECTION = CommitteeSection(export=export, check=check, store=store)
