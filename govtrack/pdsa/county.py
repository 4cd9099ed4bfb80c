"""Measures with their points, and PDSA cycles, in the county file.

Measures are a committee section (`measures`), by key, each with its points
by date; a measure's chart settings (frequency, rule set, baseline, reset,
limits) are not in the file and an import leaves them as they are. Measures
are matched by key and never deleted by an import; within a measure the file
is authoritative for its points (matched by date).

PDSA cycles sit under their workgroup goal (`pdsa_cycles`); workgroups.county
calls export_cycles, check_cycles and sync_cycles where it handles goals. A
goal's cycles are written when it has any, oldest first; within a goal the
file is authoritative for its cycles (matched by key) and their phase
history. A cycle's `previous` names a cycle of the same goal.
"""

import math
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from govtrack.clock import today
from govtrack.committees.models import Committee
from govtrack.county.sections import CommitteeSection, assign_changes
from govtrack.extensions import db
from govtrack.pdsa.models import PHASES, DataPoint, Measure, PdsaCycle, PhaseChange
from govtrack.workgroups.models import Goal, Workgroup


def _set(record: dict, *always: str) -> dict:
    return {name: value for name, value in record.items()
            if name in always or value not in (None, "", [], {})}


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() and abs(value) < 2 ** 53 else value


# --- measures: export -----------------------------------------------------------------


def _point_record(point: DataPoint) -> dict:
    return _set({"date": point.day.isoformat(), "value": _number(point.value),
                 "note": point.note}, "value")


def _points_of(measure: Measure) -> list[dict]:
    return [_point_record(p) for p in sorted(measure.points, key=lambda p: p.day)]


def _measure_record(measure: Measure) -> dict:
    record = _set({"key": measure.key, "name": measure.name, "definition": measure.definition,
                   "unit": measure.unit, "kind": measure.kind, "direction": measure.direction,
                   "workgroup": measure.workgroup.key if measure.workgroup else None,
                   "source_agency": measure.source_agency.key if measure.source_agency
                   else None})
    record["points"] = _points_of(measure)
    return record


def _stored(committee: Committee) -> list[Measure]:
    if committee.id is None:
        return []
    return list(db.session.scalars(
        select(Measure).where(Measure.committee_id == committee.id).options(
            selectinload(Measure.points), selectinload(Measure.workgroup),
            selectinload(Measure.source_agency))))


def export(committee: Committee) -> dict:
    """measures of a committee record, by key."""
    measures = sorted(_stored(committee), key=lambda m: m.key)
    return {"measures": [_measure_record(m) for m in measures]} if measures else {}


# --- measures: checks -----------------------------------------------------------------


def _seen(known) -> dict[str, dict[str, str]]:
    """Where each measure and cycle key was first seen in this file (one import's)."""
    seen = getattr(known, "pdsa_county_keys", None)
    if seen is None:
        seen = {"measure": {}, "cycle": {}}
        known.pdsa_county_keys = seen
    return seen


def _unique(kind: str, key: str, path: str, known, report) -> None:
    seen = _seen(known)[kind]
    if key in seen:
        report.problem(f"{path}.key", f"duplicate key “{key}”, also at {seen[key]}")
    else:
        seen[key] = path


def check(record: dict, path: str, known, report) -> None:
    """Keys unique and not moved; references exist; points as add_point accepts them."""
    measures = record.get("measures", [])
    if not measures:
        return
    owner = dict(db.session.execute(
        select(Measure.key, Committee.key).join(Committee, Measure.committee_id == Committee.id)
        .where(Measure.key.in_([m["key"] for m in measures]))).all())
    workgroups = {wg["key"] for wg in record.get("workgroups", [])} | set(db.session.scalars(
        select(Workgroup.key).join(Committee, Workgroup.committee_id == Committee.id)
        .where(Committee.key == record["key"])))
    on = today()
    for n, measure in enumerate(measures):
        where = f"{path}.measures[{n}]"
        _unique("measure", measure["key"], where, known, report)
        stored_in = owner.get(measure["key"])
        if stored_in is not None and stored_in != record["key"]:
            report.problem(f"{where}.key", f"the measure “{measure['key']}” belongs to "
                                           f"committee “{stored_in}”; a measure cannot move "
                                           "to another committee")
        if measure.get("workgroup") and measure["workgroup"] not in workgroups:
            report.problem(f"{where}.workgroup",
                           f"no workgroup of this committee has key “{measure['workgroup']}”")
        agency = measure.get("source_agency")
        if agency and agency not in known.agency_keys:
            report.problem(f"{where}.source_agency", f"no agency has key “{agency}”")
        first: dict[str, int] = {}
        for p, point in enumerate(measure.get("points", [])):
            at = f"{where}.points[{p}]"
            if point["date"] in first:
                report.problem(f"{at}.date", f"{point['date']} is also at "
                                             f"{where}.points[{first[point['date']]}]")
            else:
                first[point["date"]] = p
            if date.fromisoformat(point["date"]) > on:
                report.problem(f"{at}.date", "The date is in the future.")
            value = point["value"]
            if isinstance(value, bool) or not math.isfinite(value) or abs(value) > 1e12:
                report.problem(f"{at}.value", "not a usable number")


# --- measures: storing ----------------------------------------------------------------


def _sync_points(measure: Measure, entries: list[dict]) -> list | None:
    before = _points_of(measure)
    points = {p.day: p for p in measure.points}
    for entry in entries:
        day = date.fromisoformat(entry["date"])
        values = {"value": float(entry["value"]), "note": entry.get("note", "")}
        point = points.pop(day, None)
        if point is None:
            measure.points.append(DataPoint(day=day, **values))
        else:
            assign_changes(point, values)
    for point in points.values():
        measure.points.remove(point)
    after = _points_of(measure)
    return [before, after] if before != after else None


def store(writer, committee: Committee, record: dict) -> None:
    """Upsert measures by key, their points as the file lists them."""
    entries = record.get("measures", [])
    if not entries:
        return
    measures = {m.key: m for m in _stored(committee)}
    workgroups = {wg.key: wg for wg in committee.workgroups}
    for entry in entries:
        values = {"name": entry["name"], "definition": entry.get("definition", ""),
                  "unit": entry.get("unit", ""), "kind": entry.get("kind", "outcome"),
                  "direction": entry.get("direction", "down")}
        workgroup = workgroups[entry["workgroup"]] if entry.get("workgroup") else None
        agency = writer.agencies[entry["source_agency"]] if entry.get("source_agency") else None
        measure = measures.get(entry["key"])
        if measure is None:
            measure = Measure(key=entry["key"], committee=committee, workgroup=workgroup,
                              source_agency=agency, **values)
            _sync_points(measure, entry.get("points", []))
            writer.create(measure, "measures", committee)
            continue
        changes = assign_changes(measure, values)
        if measure.workgroup is not workgroup:
            changes["workgroup"] = [measure.workgroup.key if measure.workgroup else None,
                                    workgroup.key if workgroup else None]
            measure.workgroup = workgroup
        if measure.source_agency is not agency:
            changes["source_agency"] = [
                measure.source_agency.key if measure.source_agency else None,
                agency.key if agency else None]
            measure.source_agency = agency
        points = _sync_points(measure, entry.get("points", []))
        if points is not None:
            changes["points"] = points
        writer.updated(measure, "measures", changes, committee)


# --- PDSA cycles under a goal -----------------------------------------------------------

PLAN = ("objective", "questions", "predictions", "who_what_where_when")
DO = ("carried_out", "observations", "problems")
STUDY = ("results", "lessons")


def _cycle_record(cycle: PdsaCycle) -> dict:
    plan = _set({name: getattr(cycle, name) for name in PLAN} | {"measures": cycle.measures})
    record = _set({"key": cycle.key, "title": cycle.title,
                   "owner": cycle.owner.key if cycle.owner else None, "phase": cycle.phase})
    record["phase_history"] = [{"phase": c.phase, "since": c.since.isoformat()}
                               for c in sorted(cycle.phase_history, key=lambda c: (
                                   c.since, PHASES.index(c.phase)))]
    record.update(_set({
        "plan": plan,
        "do": _set({name: getattr(cycle, name) for name in DO}),
        "study": _set({name: getattr(cycle, name) for name in STUDY}),
        "act": _set({"decision": cycle.decision, "reason": cycle.reason}),
        "study_due": cycle.study_due.isoformat() if cycle.study_due else None,
        "previous": cycle.previous.key if cycle.previous else None}))
    return record


def export_cycles(goal: Goal) -> list[dict]:
    """The goal's cycles as the file writes them, oldest first (new ones last)."""
    cycles = sorted(goal.pdsa_cycles, key=lambda c: (c.id is None, c.id or 0))
    return [_cycle_record(c) for c in cycles]


def check_cycles(goal: dict, path: str, known, report) -> None:
    """Keys unique and not moved; people exist; the phase history a cycle can have."""
    cycles = goal.get("pdsa_cycles", [])
    if not cycles:
        return
    owner = dict(db.session.execute(
        select(PdsaCycle.key, Goal.key).join(Goal, PdsaCycle.goal_id == Goal.id)
        .where(PdsaCycle.key.in_([c["key"] for c in cycles]))).all())
    keys = {c["key"] for c in cycles}
    on = today()
    for n, cycle in enumerate(cycles):
        where = f"{path}.pdsa_cycles[{n}]"
        _unique("cycle", cycle["key"], where, known, report)
        stored_in = owner.get(cycle["key"])
        if stored_in is not None and stored_in != goal["key"]:
            report.problem(f"{where}.key", f"the cycle “{cycle['key']}” belongs to goal "
                                           f"“{stored_in}”; a cycle cannot move to another goal")
        person = cycle.get("owner")
        if person is not None and person not in known.person_agency:
            report.problem(f"{where}.owner", f"no person has key “{person}”")
        previous = cycle.get("previous")
        if previous is not None and (previous not in keys or previous == cycle["key"]):
            report.problem(f"{where}.previous",
                           f"no other cycle of this goal has key “{previous}”")
        _check_history(cycle, where, on, report)


def _check_history(cycle: dict, where: str, on: date, report) -> None:
    history = cycle["phase_history"]
    last = None
    for h, change in enumerate(history):
        at = f"{where}.phase_history[{h}]"
        since = date.fromisoformat(change["since"])
        expected = PHASES[0] if last is None else (
            PHASES[PHASES.index(last[0]) + 1] if last[0] != "closed" else None)
        if change["phase"] != expected:
            report.problem(f"{at}.phase", "a cycle starts in plan and moves one phase "
                                          "forward at a time; expected "
                                          f"{expected or 'nothing after closed'}")
            return
        if last is not None and since < last[1]:
            report.problem(f"{at}.since", "before the previous phase change")
        if since > on:
            report.problem(f"{at}.since", "The date cannot be in the future.")
        last = (change["phase"], since)
    if last is not None and last[0] != cycle["phase"]:
        report.problem(f"{where}.phase", f"the phase history ends in {last[0]}")
    if cycle["phase"] == "closed" and not cycle.get("act", {}).get("decision"):
        report.problem(f"{where}.act.decision", "a closed cycle has a decision")


def _cycle_values(writer, entry: dict) -> dict:
    plan, do = entry.get("plan", {}), entry.get("do", {})
    study, act = entry.get("study", {}), entry.get("act", {})
    values = {"title": entry["title"], "phase": entry["phase"],
              "measure_keys": " ".join(plan.get("measures", [])),
              "study_due": date.fromisoformat(entry["study_due"]) if entry.get("study_due")
              else None,
              "decision": act.get("decision"), "reason": act.get("reason", "")}
    values |= {name: plan.get(name, "") for name in PLAN}
    values |= {name: do.get(name, "") for name in DO}
    values |= {name: study.get(name, "") for name in STUDY}
    return values


def sync_cycles(writer, goal: Goal, entries: list[dict]) -> None:
    """Match the goal's cycles by key and make them as the file has them (checked already)."""
    cycles = {c.key: c for c in goal.pdsa_cycles}
    placed: dict[str, PdsaCycle] = {}
    for entry in entries:
        values = _cycle_values(writer, entry)
        cycle = cycles.pop(entry["key"], None)
        if cycle is None:
            cycle = PdsaCycle(key=entry["key"], **values)
            goal.pdsa_cycles.append(cycle)
        else:
            assign_changes(cycle, values)
        person = writer.people[entry["owner"]] if entry.get("owner") else None
        if cycle.owner is not person:
            cycle.owner = person
        wanted = [(h["phase"], date.fromisoformat(h["since"])) for h in entry["phase_history"]]
        if [(c.phase, c.since) for c in cycle.phase_history] != wanted:
            for change in list(cycle.phase_history):
                cycle.phase_history.remove(change)
            for phase, since in wanted:
                cycle.phase_history.append(PhaseChange(phase=phase, since=since))
        placed[entry["key"]] = cycle
    for entry in entries:
        previous = placed.get(entry["previous"]) if entry.get("previous") else None
        cycle = placed[entry["key"]]
        if cycle.previous is not previous:
            cycle.previous = previous
    for cycle in cycles.values():
        goal.pdsa_cycles.remove(cycle)


SECTION = CommitteeSection(export=export, check=check, store=store)
