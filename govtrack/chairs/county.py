"""The rotation policy and chair terms in the county file."""

from datetime import date, timedelta

from govtrack.chairs.models import ChairTerm, RotationPolicy
from govtrack.county.sections import CommitteeSection, assign_changes


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def export(committee) -> dict:
    """rotation and chair_terms of a committee record."""
    record = {}
    policy = committee.rotation_policy
    if policy is not None:
        record["rotation"] = {"term_months": policy.term_months, "mode": policy.mode,
                              "agency_order": list(policy.agency_order or []),
                              "co_chair_other_side": policy.co_chair_other_side}
    if committee.chair_terms:
        record["chair_terms"] = [
            {"person": t.person.key, "agency": t.agency.key, "start": t.start.isoformat(),
             "planned_end": t.planned_end.isoformat(), "end": _day(t.end),
             "co_chair": t.co_chair}
            for t in sorted(committee.chair_terms,
                            key=lambda t: (t.start, t.co_chair, t.person.key))]
    return record


def check(record: dict, path: str, known, report) -> None:
    """References exist; terms end after they start; chair terms do not overlap."""
    rotation = record.get("rotation")
    if rotation:
        for n, key in enumerate(rotation.get("agency_order", [])):
            if key not in known.agency_keys:
                report.problem(f"{path}.rotation.agency_order[{n}]", f"no agency has key “{key}”")
        if rotation["mode"] == "agency_order" and len(rotation.get("agency_order", [])) < 2:
            report.problem(f"{path}.rotation.agency_order",
                           "a fixed order of agencies names at least two")
    spans = []
    #: (person, start, co_chair) -> where first seen: how the import knows a term
    first: dict[tuple, int] = {}
    for n, term in enumerate(record.get("chair_terms", [])):
        where = f"{path}.chair_terms[{n}]"
        identity = (term["person"], term["start"], term.get("co_chair", False))
        if identity in first:
            # an ended-on-its-first-day term overlaps nothing, but a seat holds one term
            # of a person from a day: the import would keep only one of the two
            report.problem(f"{where}.start", f"{path}.chair_terms[{first[identity]}] is "
                                             "this person's term in this seat from the same "
                                             "day; a term is known by its holder, seat and "
                                             "start")
        else:
            first[identity] = n
        if term["person"] not in known.person_agency:
            report.problem(f"{where}.person", f"no person has key “{term['person']}”")
        if term["agency"] not in known.agency_keys:
            report.problem(f"{where}.agency", f"no agency has key “{term['agency']}”")
        start, planned = date.fromisoformat(term["start"]), date.fromisoformat(term["planned_end"])
        end = date.fromisoformat(term["end"]) if term.get("end") else None
        if planned < start:
            report.problem(f"{where}.planned_end", "the planned end is before the start")
            continue
        if end is not None and end < start:
            report.problem(f"{where}.end", "the end is before the start")
            continue
        stop = min(end or date.max, planned + timedelta(days=1))
        co_chair = term.get("co_chair", False)
        for m, other_start, other_stop, other_co, other_person in spans:
            same_seat = (not co_chair and not other_co) or (
                co_chair and other_co and other_person == term["person"])
            if same_seat and start < other_stop and other_start < stop:
                report.problem(f"{where}.start", f"overlaps {path}.chair_terms[{m}]: a "
                                                 "committee has one chair at a time")
        spans.append((n, start, stop, co_chair, term["person"]))


def store(writer, committee, record: dict) -> None:
    """Upsert the policy; match terms by (person, start, co-chair); drop the rest."""
    rotation = record.get("rotation")
    policy = committee.rotation_policy
    if rotation:
        values = {"term_months": rotation.get("term_months", 12), "mode": rotation["mode"],
                  "agency_order": list(rotation.get("agency_order", [])),
                  "co_chair_other_side": rotation.get("co_chair_other_side", False)}
        if policy is None:
            committee.rotation_policy = RotationPolicy(**values)
            writer.create(committee.rotation_policy, "rotation", committee)
        else:
            writer.updated(policy, "rotation", assign_changes(policy, values), committee)
    elif policy is not None:
        writer.deleted(policy, "rotation", committee)
        committee.rotation_policy = None
    wanted = {(t["person"], date.fromisoformat(t["start"]), t.get("co_chair", False)): t
              for t in record.get("chair_terms", [])}
    kept = set()
    for term in list(committee.chair_terms):
        key = (term.person.key, term.start, term.co_chair)
        entry = wanted.get(key)
        if entry is None or key in kept:
            writer.deleted(term, "chair_terms", committee)
            committee.chair_terms.remove(term)
            continue
        kept.add(key)
        changes = assign_changes(term, {
            "planned_end": date.fromisoformat(entry["planned_end"]),
            "end": date.fromisoformat(entry["end"]) if entry.get("end") else None})
        agency = writer.agencies[entry["agency"]]
        if term.agency is not agency:
            changes["agency"] = [term.agency.key, agency.key]
            term.agency = agency
        writer.updated(term, "chair_terms", changes, committee)
    for key, entry in wanted.items():
        if key not in kept:
            term = ChairTerm(committee=committee, person=writer.people[entry["person"]],
                             agency=writer.agencies[entry["agency"]], start=key[1],
                             planned_end=date.fromisoformat(entry["planned_end"]),
                             end=date.fromisoformat(entry["end"]) if entry.get("end") else None,
                             co_chair=key[2])
            writer.create(term, "chair_terms", committee)


SECTION = CommitteeSection(export=export, check=check, store=store)
