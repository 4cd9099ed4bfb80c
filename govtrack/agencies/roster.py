"""The people CSV an administrator imports: name, e-mail, agency, title.

A row whose e-mail belongs to someone already recorded updates that person
(their name, agency, title); any other row adds a person. An empty title
keeps the title on record, so a sheet without titles wipes none.
"""

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from govtrack.agencies import services
from govtrack.agencies.models import Agency, Person
from govtrack.extensions import db
from govtrack.uploads.csvfile import Column, FileRefused, Plan, Problem, Step, read_table

EMAIL = Column("email", "E-mail", ("email address", "e-mail address", "mail", "courriel"))
COLUMNS = (
    Column("name", "Name", ("full name", "person", "person name", "member", "member name")),
    EMAIL,
    Column("agency", "Agency", ("organisation", "organization", "employer", "agency name",
                                "department")),
    Column("title", "Title", ("job title", "position", "job"), required=False),
)
#: what the person form accepts in each field, and so each cell
MAX_LENGTH = {"name": 200, "email": 320, "title": 200}


def check_email(value: str) -> str | None:
    """Why value is not an e-mail address, or None."""
    if not value:
        return "The e-mail address is missing."
    if len(value) > MAX_LENGTH["email"]:
        return f"At most {MAX_LENGTH['email']} characters."
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return f"“{value[:60]}” is not an e-mail address (like name@agency.gov)."
    return None


def _plain(name: str) -> str:
    # Spreadsheets turn a typed ' into ’ (Sheriff’s Office): both name the same agency.
    return " ".join(name.lower().replace("\u2019", "'").replace("\u2018", "'").split())


def email_problem(email: str, seen: dict[str, int], line: int) -> str | None:
    """Why a row's e-mail cannot be read, or None; seen records each address's first line."""
    why = check_email(email)
    if why:
        return why
    if email.lower() in seen:
        return f"{email} is also on line {seen[email.lower()]}."
    seen[email.lower()] = line
    return None


def agency_finder() -> dict[str, Agency]:
    """Every agency by its name and its key, lower-cased: what a cell may say."""
    found = {}
    for agency in db.session.scalars(select(Agency)):
        found[agency.key.lower()] = agency
        found[_plain(agency.name)] = agency
    return found


def find_agency(agencies: dict[str, Agency], cell: str) -> Agency | None:
    """The agency a cell names (its name or key; case, spacing and quote marks aside)."""
    return agencies.get(_plain(cell))


def people_by_email(emails) -> dict[str, list[Person]]:
    """The people recorded with each of emails (lower-cased), in one query."""
    wanted = {e.lower() for e in emails if e}
    found: dict[str, list[Person]] = {}
    if not wanted:
        return found
    for person in db.session.scalars(select(Person).where(
            func.lower(Person.email).in_(wanted)).options(selectinload(Person.agency))
            .order_by(Person.id)):
        found.setdefault(person.email.lower(), []).append(person)
    return found


def plan_people(text: str, encoding: str, filename: str, *, lock: bool = False) -> Plan:
    """What importing the people CSV would do, and every bad row. Changes nothing.

    lock: on confirm, hold the agencies' rows so two imports at once (a double
    click) run one after the other and the second finds the people the first
    added. A write rather than SELECT ... FOR UPDATE, which SQLite ignores.
    """
    try:
        table = read_table(text, encoding, COLUMNS, filename)
    except FileRefused as exc:
        return Plan(filename, None, problems=[Problem(1, "", str(exc))])
    if lock:
        db.session.execute(update(Agency).values(name=Agency.name))
    plan = Plan(filename, table, problems=list(table.problems))
    agencies = agency_finder()
    known = people_by_email(row["email"] for row in table.rows)
    heads = {a.head_id: a for a in agencies.values() if a.head_id}
    seen: dict[str, int] = {}
    for row in table.rows:
        problems = []

        def bad(column: str, message: str, row=row, problems=problems) -> None:
            problems.append(Problem(row.line, row.where[column], message))

        for name, limit in MAX_LENGTH.items():
            if len(row[name]) > limit and name != "email":
                bad(name, f"At most {limit} characters.")
        if not row["name"]:
            bad("name", "The name is missing.")
        email = row["email"]
        why = email_problem(email, seen, row.line)
        if why:
            bad("email", why)
        agency = find_agency(agencies, row["agency"])
        if not row["agency"]:
            bad("agency", "The agency is missing.")
        elif agency is None:
            bad("agency", f"No agency is called “{row['agency'][:80]}”. Check the spelling, "
                          "or add the agency first (Agencies, Add an agency).")
        matches = [] if why else known.get(email.lower(), [])
        if len(matches) > 1:
            bad("email", f"{len(matches)} people have this e-mail address "
                         f"({', '.join(p.name for p in matches)}); correct them first.")
        person = matches[0] if len(matches) == 1 else None
        if person is not None and not person.active:
            bad("email", f"{person.name} has this e-mail address and left the committees; "
                         "mark them as still working with the committees on their page first.")
        if (person is not None and agency is not None and person.agency_id != agency.id
                and person.id in heads):
            bad("agency", f"{person.name} heads {heads[person.id].name}; name a new head "
                          "there first.")
        if problems:
            plan.problems.extend(problems)
            continue
        plan.steps.append(_step(row, person, agency))
    plan.problems.sort(key=lambda p: p.line)
    return plan


def _step(row, person: Person | None, agency: Agency) -> Step:
    name, email, title = row["name"], row["email"], row["title"]
    if person is None:
        changes = [("Name", "", name), ("E-mail", "", email), ("Agency", "", agency.name)]
        if title:
            changes.append(("Title", "", title))
        return Step(row.line, "create", name, changes, ("new", email.lower()),
                    lambda actor: services.create_person(actor, name=name, agency=agency,
                                                         email=email, title=title or None))
    title = title or person.title or ""
    if email.lower() == (person.email or "").lower():
        email = person.email  # the address it was found by: its case is no change
    changes = [(what, before, after) for what, before, after in (
        ("Name", person.name, name), ("E-mail", person.email, email),
        ("Agency", person.agency.name, agency.name), ("Title", person.title or "", title))
        if before != after]
    version = person.version
    identity = ("person", person.id, version)
    if not changes:
        return Step(row.line, "unchanged", person.name, [], identity)
    return Step(row.line, "update", person.name, changes, identity,
                lambda actor: services.update_person(
                    actor, person, version, name=name, agency=agency, email=email,
                    title=title or None, active=True))
