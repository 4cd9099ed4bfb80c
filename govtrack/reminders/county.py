"""People's reminder preferences in the county file.

A person record lists, under `reminders`, each kind of reminder the person
gets other than immediately by e-mail (the default, which needs no row): in
the daily digest, or not at all. The file is authoritative for the people it
lists: a kind a person's record leaves out goes back to immediately.
"""

from sqlalchemy import select

from govtrack import audit
from govtrack.clock import utcnow
from govtrack.county.sections import assign_changes
from govtrack.extensions import db
from govtrack.reminders.models import IMMEDIATELY, ReminderPreference
from govtrack.reminders.services import allowed_deliveries, reminder_kinds


def export() -> dict[int, list[dict]]:
    """person id -> the person's record's reminders, by kind code, for kinds in force."""
    codes = [kind.code for kind in reminder_kinds()]
    rows = db.session.scalars(select(ReminderPreference).where(
        ReminderPreference.delivery != IMMEDIATELY, ReminderPreference.kind.in_(codes)))
    records: dict[int, list[dict]] = {}
    for row in sorted(rows, key=lambda r: (r.person_id, r.kind)):
        records.setdefault(row.person_id, []).append({"kind": row.kind,
                                                      "delivery": row.delivery})
    return records


def check(data: dict, report) -> None:
    """Each kind exists, once per person, and a mandatory one is not switched off."""
    by_code = {kind.code: kind for kind in reminder_kinds()}
    for n, person in enumerate(data["people"]):
        first: dict[str, int] = {}
        for r, choice in enumerate(person.get("reminders", [])):
            where = f"$.people[{n}].reminders[{r}]"
            kind = by_code.get(choice["kind"])
            if kind is None:
                report.problem(f"{where}.kind", f"there is no kind of reminder called "
                                                f"“{choice['kind']}”")
                continue
            if choice["kind"] in first:
                report.problem(f"{where}.kind", f"“{choice['kind']}” is chosen twice, also at "
                                                f"$.people[{n}].reminders"
                                                f"[{first[choice['kind']]}]")
            else:
                first[choice["kind"]] = r
            if choice["delivery"] not in allowed_deliveries(kind):
                report.problem(f"{where}.delivery", f"“{kind.words}” cannot be switched off")


def store(writer, data: dict) -> None:
    """Bring each listed person's choices to the file's; people have ids by now."""
    people = [(writer.people[p["key"]], p.get("reminders", [])) for p in data["people"]]
    ids = [person.id for person, _ in people]
    stored: dict[tuple[int, str], ReminderPreference] = {
        (row.person_id, row.kind): row for row in db.session.scalars(
            select(ReminderPreference).where(ReminderPreference.person_id.in_(ids)))}
    for person, choices in people:
        wanted = {c["kind"]: c["delivery"] for c in choices}
        for (person_id, code), row in stored.items():
            if person_id == person.id and code not in wanted and row.delivery != IMMEDIATELY:
                _change(writer, person, row, IMMEDIATELY)
        for code, delivery in wanted.items():
            row = stored.get((person.id, code))
            if row is None:
                row = ReminderPreference(person_id=person.id, kind=code, delivery=delivery,
                                         updated_at=utcnow())
                writer.create(row, "reminders", None, f"{person.name}: {row}")
            elif row.delivery != delivery:
                _change(writer, person, row, delivery)
            else:
                writer.report.unchanged["reminders"] += 1


def _change(writer, person, row: ReminderPreference, delivery: str) -> None:
    changes = assign_changes(row, {"delivery": delivery})
    row.updated_at = utcnow()
    audit.record(writer.actor, "update", row, changes=changes, label=f"{person.name}: {row}")
    writer.report.updated["reminders"] += 1
