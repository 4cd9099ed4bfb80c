"""The members CSV a chair imports: person (by e-mail), role, agency represented, start.

A person with an open seat (no end, or an end still to come) has that seat
changed; anyone else is seated. Chair and co-chair seats are never imported:
they change only through the chair's hand-over (services.check_seat_change),
so a roster cannot make anyone chair or unseat the chair.
"""

from datetime import date

from sqlalchemy import update

from govtrack.agencies.roster import (
    EMAIL,
    agency_finder,
    email_problem,
    find_agency,
    people_by_email,
)
from govtrack.clock import today
from govtrack.committees import services
from govtrack.committees.models import CHAIR_ROLES, ROLES, Committee, Membership
from govtrack.editing import DomainError
from govtrack.extensions import db
from govtrack.uploads.csvfile import Column, FileRefused, Plan, Problem, Step, read_table

COLUMNS = (
    EMAIL,
    Column("role", "Role", ("committee role", "seat", "position on committee"), required=False),
    Column("agency", "Agency represented", (
        "agency", "represents", "representing", "organisation", "organization",
        "on behalf of"), required=False),
    Column("start", "Start date", ("start", "from", "since", "member since", "joined",
                                   "date joined", "start of term")),
)
#: what a role cell may say, lower-cased, for each role an import may give
ROLE_WORDS = {"member": "member", "voting member": "member", "secretary": "secretary",
              "observer": "observer", "non-voting member": "observer"}
#: what a chair's seat is called, to refuse it with the reason rather than "unknown role"
CHAIR_WORDS = {"chair", "co-chair", "cochair", "co chair", "co_chair", "chairperson",
               "chairman", "chairwoman", "vice chair", "vice-chair"}
FIELD_COLUMN = {"role": "role", "start": "start", "end": "start", "person": "email"}


def _role(cell: str) -> tuple[str | None, str | None]:
    """The role a cell gives (empty: member), or why it is refused."""
    words = " ".join(cell.lower().split())
    if not words:
        return "member", None
    if words in ROLE_WORDS or words in ROLES and words not in CHAIR_ROLES:
        return ROLE_WORDS.get(words, words), None
    if words in CHAIR_WORDS or words in CHAIR_ROLES:
        return None, ("Chair and co-chair seats are not imported: they change only through "
                      "the chair's hand-over (Hand over the chair, on the committee page). "
                      "Leave this row out of the file.")
    return None, f"“{cell[:40]}” is not a role: write member, secretary or observer."


def _start(cell: str) -> tuple[date | None, str | None]:
    if not cell:
        return None, "The start date is missing."
    try:
        return date.fromisoformat(cell), None
    except ValueError:
        return None, f"“{cell[:40]}” is not a date: write it as YYYY-MM-DD (2026-03-01)."


def plan_members(actor, committee: Committee, text: str, encoding: str, filename: str, *,
                 lock: bool = False) -> Plan:
    """What importing the members CSV would do to committee, and every bad row.

    Changes nothing. lock: on confirm, hold the committee's row so two imports
    at once run one after the other and the second finds the first's seats.
    """
    try:
        table = read_table(text, encoding, COLUMNS, filename)
    except FileRefused as exc:
        return Plan(filename, None, problems=[Problem(1, "", str(exc))])
    if lock:
        db_lock(committee)
    plan = Plan(filename, table, problems=list(table.problems))
    agencies = agency_finder()
    known = people_by_email(row["email"] for row in table.rows)
    day = today()
    seen: dict[str, int] = {}
    for row in table.rows:
        problems = []

        def bad(column: str, message: str, row=row, problems=problems) -> None:
            problems.append(Problem(row.line, row.where.get(column, ""), message))

        email = row["email"]
        why = email_problem(email, seen, row.line)
        person = None
        if why:
            bad("email", why)
        else:
            matches = known.get(email.lower(), [])
            if not matches:
                bad("email", f"Nobody is recorded with the e-mail {email}. An administrator "
                             "adds people first (Agencies, Import people from CSV).")
            elif len(matches) > 1:
                bad("email", f"{len(matches)} people have this e-mail address; an "
                             "administrator corrects them first.")
            elif not matches[0].active_on(day):
                bad("email", f"{matches[0].name} no longer works with the committees.")
            else:
                person = matches[0]
        role, why = _role(row["role"])
        if why:
            bad("role", why)
        start, why = _start(row["start"])
        if why:
            bad("start", why)
        agency = person.agency if person is not None else None
        if row["agency"]:
            agency = find_agency(agencies, row["agency"])
            if agency is None:
                bad("agency", f"No agency is called “{row['agency'][:80]}”. Check the "
                              "spelling against the Agencies page.")
        if not problems:
            try:
                step = _step(actor, committee, row.line, person, agency, role, start, day)
            except DomainError as exc:
                bad(FIELD_COLUMN.get(exc.field, ""), str(exc))
            else:
                plan.steps.append(step)
        plan.problems.extend(problems)
    plan.problems.sort(key=lambda p: p.line)
    return plan


def db_lock(committee: Committee) -> None:
    """Hold the committee's row until the transaction ends, and read its seats again.

    A write, not SELECT ... FOR UPDATE: SQLite has no row locks, but a write
    makes a second confirm wait for the first to commit, then read what it
    stored (a double click once seated everyone twice). The seats were loaded
    before the lock, so they are read again.
    """
    db.session.execute(update(Committee).where(Committee.id == committee.id)
                       .values(name=Committee.name))
    db.session.expire(committee, ["memberships"])


def _step(actor, committee: Committee, line: int, person, agency, role: str, start: date,
          day: date) -> Step:
    """The step for one valid row; DomainError if the seat rules refuse it."""
    open_seats = [m for m in committee.memberships
                  if m.person_id == person.id and (m.end is None or m.end >= day)]
    seat: Membership | None = max(open_seats, key=lambda m: m.start, default=None)
    label = f"{person.name} ({person.agency.name})"
    if seat is None:
        services.check_seat_change(actor, None, role=role, start=start, end=None)
        services.check_membership(committee, None, person=person, role=role, start=start,
                                  end=None)
        changes = [("Role", "", ROLES[role]), ("Agency represented", "", agency.name),
                   ("Start", "", start.isoformat())]
        return Step(line, "create", label, changes,
                    ("new", person.id, person.version, role, agency.id, start),
                    lambda acting: services.add_membership(
                        acting, committee, person=person, agency=agency, role=role,
                        start=start))
    changes = [(what, before, after) for what, before, after in (
        ("Role", ROLES[seat.role], ROLES[role]),
        ("Agency represented", seat.agency.name, agency.name),
        ("Start", seat.start.isoformat(), start.isoformat())) if before != after]
    identity = ("seat", seat.id, seat.version)
    if not changes:
        return Step(line, "unchanged", label, [], identity)
    if seat.role in CHAIR_ROLES:
        raise DomainError(f"{person.name} holds the {ROLES[seat.role].lower()}'s seat, which "
                          "changes only through the chair's hand-over: leave them out of "
                          "the file, or give their seat as it is.", field="role")
    services.check_seat_change(actor, seat, role=role, start=start, end=seat.end)
    services.check_membership(committee, seat, person=person, role=role, start=start,
                              end=seat.end)
    version = seat.version
    return Step(line, "update", label, changes, (*identity, role, agency.id, start),
                lambda acting: services.update_membership(
                    acting, seat, version, agency=agency, role=role, start=start,
                    end=seat.end))
