"""Build the benchmark data set: python -m bench.make_dataset --scale county --out PATH.sqlite.

A deterministic county (or 10x "national") of committees and their history,
workgroups, measures, PDSA cycles and MOUs, inserted with SQLAlchemy Core
bulk inserts (COPY on PostgreSQL) so the county scale takes seconds and the
national one a couple of minutes:

    python -m bench.make_dataset --scale county --out bench/data/county.sqlite
    python -m bench.make_dataset --scale national --database-url postgresql+psycopg://...

The same seed, scale and as-of date always give the same rows. Dates are laid
out around the as-of date (by default the first day of the current month), so
the data stays current: meetings before it were held, after it are coming,
action items fall due on both sides of it.

Each kind of record has one `build_*` function, listed in SECTIONS in
dependency order. A feature that adds tables adds its function to SECTIONS,
reads what it needs from the Builder (people, committees, members,
workgroups) and writes its rows with `builder.insert(Model, rows)`; columns a
section leaves out get their model defaults. Bump DATASET_VERSION whenever
the rows change, so bench.run rebuilds a stale data set.
"""

import argparse
import json
import os
import random
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import chain
from operator import itemgetter
from pathlib import Path
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from sqlalchemy import JSON, bindparam, func, insert, select, text, update

#: raise whenever the builder makes different rows; bench.run rebuilds then
DATASET_VERSION = 5
#: the multiplier of every count; national is the PostgreSQL target of issue 8
SCALES = {"county": 1, "national": 10}
SEED = 20260308
#: every bench account logs in with this password (hashed once, shared by all)
PASSWORD = "bench-password-2026"
EMAIL_DOMAIN = "bench.example.org"
BATCH = 5000

# County-scale counts, from issue 8.
AGENCIES = 150
PEOPLE = 2000
COMMITTEES = 300
MEETINGS_PER_COMMITTEE = 12  # 3,600
PAST_MEETINGS = 9            # of the 12, before the as-of date
AGENDA_ITEMS = 40_000
ACTION_ITEMS = 60_000
ACTION_UPDATES = 150_000     # 0 to 5 per action item, 2.5 on average
WORKGROUPS = 1500
#: of the action items, the share that belongs to a workgroup
WORKGROUP_ACTIONS = 0.3
MEASURES = 200
POINTS = 36                  # a measure's data points: 3 years monthly, or 36 weeks
PDSA_CYCLES = 300            # in ramps of 1 to 3 under a goal
MOUS = 600

TOWNS = ["Alder", "Birch", "Cedar", "Dunmore", "Elmwood", "Fairview", "Glenwood", "Hartley",
         "Ironton", "Juniper", "Kingsley", "Lakeside", "Millbrook", "Northgate", "Oakdale",
         "Pinecrest", "Quarry", "Riverton", "Stonebridge", "Tamarack"]
AGENCY_KINDS = {
    "law_enforcement": ["Police Department", "Sheriff's Office"],
    "prosecution": ["District Attorney's Office"],
    "public_defense": ["Public Defender's Office"],
    "courts": ["Municipal Court", "Mental Health Court"],
    "corrections": ["County Jail", "Detention Center"],
    "community_supervision": ["Probation Department", "Pre-trial Services"],
    "mental_health_provider": ["Community Mental Health Center", "Crisis Stabilization Unit"],
    "mental_health_authority": ["Behavioral Health Authority"],
    "health": ["General Hospital", "Emergency Department"],
    "social_services": ["Human Services Department", "Housing Authority"],
    "advocacy": ["NAMI Chapter", "Peer Support Network"],
    "emergency_services": ["911 Communications", "EMS"],
    "other": ["County Administration", "United Way"],
}
FIRST = ["Ana", "Ben", "Carla", "David", "Elena", "Frank", "Grace", "Hassan", "Irene", "James",
         "Keiko", "Luis", "Maria", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Samuel", "Tara",
         "Uma", "Victor", "Wendy", "Xavier", "Yusuf", "Zoe"]
LAST = ["Abbott", "Baker", "Chen", "Diaz", "Evans", "Fischer", "Garcia", "Haddad", "Ivanova",
        "Johnson", "Kowalski", "Lopez", "Murphy", "Nguyen", "Okafor", "Patel", "Quinlan",
        "Rossi", "Schmidt", "Thompson", "Urquhart", "Vance", "Williams", "Yamamoto", "Zimmer"]
TITLES = ["Director", "Deputy Director", "Program Manager", "Captain", "Lieutenant",
          "Clinical Supervisor", "Case Manager", "Attorney", "Judge", "Coordinator", None]
TOPICS = ["Crisis Intervention Team", "Mental Health / Criminal Justice", "Jail In-Reach",
          "Reentry", "Homeless Outreach", "Substance Use Diversion", "Veterans Treatment",
          "Crisis Response Planning", "Data Sharing", "Youth Diversion", "Sequential Intercept",
          "Mobile Crisis", "Competency Restoration", "Familiar Faces"]
SUFFIXES = ["Steering Committee", "Coordinating Council", "Task Force", "Advisory Board",
            "Planning Committee"]
ZONES = ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"]
WEEKDAYS = ["MO", "TU", "WE", "TH"]
ACTION_VERBS = ["Draft", "Review", "Circulate", "Collect", "Report on", "Schedule", "Update",
                "Confirm", "Share", "Map"]
ACTION_OBJECTS = ["the crisis bed availability figures", "the CIT training roster",
                  "the data-sharing agreement", "the jail screening protocol",
                  "the quarterly diversion numbers", "the reentry resource guide",
                  "the grant report", "the 911 call-coding change", "the MOU draft",
                  "the peer-support referral form", "the warm hand-off checklist"]
ITEM_TITLES = ["Welcome and introductions", "Report-back: crisis response workgroup",
               "Report-back: data workgroup", "Jail diversion numbers this quarter",
               "Bed availability at the crisis centre", "CIT training schedule",
               "Grant renewal", "Review of open action items", "Public comment",
               "Case review (de-identified)", "Next steps and close"]
MEASURE_KINDS = [  # name, unit, direction, typical level
    ("Jail bookings of people with serious mental illness", "bookings", "down", 40),
    ("Crisis centre drop-offs by police", "drop-offs", "up", 25),
    ("Emergency department boarding hours, crisis patients", "hours", "down", 300),
    ("Patrol officers trained in CIT", "%", "up", 30),
    ("Repeat crisis contacts within 30 days", "people", "down", 18),
    ("Days from release to first appointment", "days", "down", 12),
    ("Mobile crisis responses", "responses", "up", 60),
    ("Use of force at crisis calls", "incidents", "down", 6)]
PDSA_CHANGES = ["Warm hand-off at the drop-off door", "Screen at booking with the BJMHS",
                "Peer specialist rides along on night shift", "Text reminder before the "
                "first appointment", "Dispatcher asks the three crisis questions"]
MOU_TITLES = ["Crisis drop-off protocol", "Jail and treatment data sharing",
              "Mobile crisis co-response", "Reentry warm hand-off", "Familiar faces case review",
              "Crisis stabilisation bed funding"]
MOU_CLAUSES = [
    "Purpose. The parties agree how a person in a mental health crisis reaches care.",
    "Drop-off. A CIT-trained officer may bring any adult in crisis to the centre, which "
    "accepts the person within ten minutes of arrival.",
    "Data. Each party reports its crisis calls, drop-offs and arrests of people in crisis "
    "to the committee every quarter, without names.",
    "Confidentiality. Health information is shared only as 42 CFR Part 2 and HIPAA allow.",
    "Term. This memorandum runs for three years and is reviewed after one.",
    "Disputes. The parties' liaisons meet within ten days of a written concern."]
OBLIGATIONS = [
    "Fund the police drop-off bed and report its use quarterly.",
    "Accept every police drop-off within ten minutes, around the clock.",
    "Send a CIT-trained officer to crisis calls where one is on duty.",
    "Screen every booking for serious mental illness within 24 hours.",
    "Share monthly counts of crisis calls, drop-offs and bookings.",
    "Give released people an appointment within seven days."]
WORKGROUP_NAMES = ["Crisis response", "Data sharing", "Training", "Jail in-reach", "Housing",
                   "Reentry planning", "Peer support", "Funding", "Policy review",
                   "Mobile crisis", "Youth services", "Veterans outreach", "Court liaison",
                   "Community education", "Familiar faces", "Dispatch protocols"]
WORKGROUP_CHARGES = [
    "Map the crisis pathway from the 911 call to treatment and propose one change a quarter.",
    "Agree the data each agency shares monthly and build the joint dashboard.",
    "Train patrol officers and dispatchers; track who is trained and who is due.",
    "Find people with serious mental illness at booking and connect them to care before release."]
GOAL_TITLES = ["Cut repeat crisis contacts by a quarter", "Train 40 % of patrol officers in CIT",
               "Share booking and treatment data monthly", "Open a 24/7 drop-off centre",
               "Connect every released person to an appointment within 7 days",
               "Halve ED boarding hours of people in crisis"]
MILESTONE_TITLES = ["Draft the protocol", "Agree the data fields", "Pilot in one district",
                    "Report to the committee", "Sign the data-sharing agreement",
                    "Hire the peer specialist", "Train the first cohort", "Evaluate the pilot"]
WORKGROUP_UPDATES = [
    "Met with the jail's medical provider; screening form agreed in principle.",
    "Data pulled for the last quarter; waiting on the hospital's figures.",
    "Training dates set for the next cohort; 18 officers signed up.",
    "No progress this month: the lead was on leave.",
    "Pilot running in the north district; first numbers look **promising**."]
NOTES = ["Discussed at length; agreed to bring figures next time.",
         "The workgroup reported progress on **referrals**; see the attached numbers.",
         "No objection. Carried.", "Deferred: the presenter was absent.",
         "- Calls up 12 %\n- Diversions up 8 %\n- Two repeat contacts"]


def schema_fingerprint() -> str:
    """A digest of every table, column and index the models declare.

    bench.run rebuilds a data set whose schema differs, e.g. after a feature
    added its tables or a page its index (a data set without it measures a
    full scan the product no longer makes).
    """
    import hashlib

    from govtrack import models  # noqa: F401  (registers every table)
    from govtrack.extensions import db

    names = sorted(f"{t.name}.{c.name}:{c.type!r}" for t in db.metadata.tables.values()
                   for c in t.columns)
    names += sorted(f"{t.name} index {i.name}" for t in db.metadata.tables.values()
                    for i in t.indexes)
    return hashlib.sha256("\n".join(names).encode()).hexdigest()[:16]


def default_as_of() -> date:
    """The first day of the current (UTC) month: stable for a month, then current again."""
    return datetime.now(UTC).date().replace(day=1)


def months_before(day: date, months: int) -> date:
    """The first day of the month `months` before day's month."""
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


@dataclass
class BuiltCommittee:
    """What later sections need to know about a built committee."""

    id: int
    key: str
    zone: str
    rrule: str
    dtstart: datetime
    founded: date
    size: int
    #: (membership id, person id, agency id, role, start, end)
    memberships: list[tuple] = field(default_factory=list)
    #: (meeting id, key, starts_at, status)
    meetings: list[tuple] = field(default_factory=list)
    workgroups: list["BuiltWorkgroup"] = field(default_factory=list)
    #: keys of the committee's measures, for its PDSA cycles' plans
    measure_keys: list[str] = field(default_factory=list)
    chair_person: int | None = None
    #: share of expected members at the table; falls over time in some committees
    turnout: float = 0.8
    falling: bool = False

    def members_on(self, day: date, observers: bool = False) -> list[tuple]:
        """Memberships in force on day."""
        return [m for m in self.memberships
                if m[4] <= day and (m[5] is None or day <= m[5])
                and (observers or m[3] != "observer")]

    def workgroups_open(self, at: datetime) -> list["BuiltWorkgroup"]:
        """Workgroups set up before the instant at and not closed by then."""
        return [w for w in self.workgroups
                if w.created_at < at and (w.closed_at is None or at < w.closed_at)]


@dataclass
class BuiltWorkgroup:
    """What later sections need to know about a built workgroup."""

    id: int
    key: str
    committee: BuiltCommittee
    created_at: datetime
    closed_at: datetime | None
    lead: int | None
    #: person ids of its members (the lead among them)
    members: list[int]
    #: (goal id, key, end date)
    goals: list[tuple] = field(default_factory=list)


@dataclass
class Builder:
    """The state shared by the sections: random source, ids, counts, built records."""

    session: object
    factor: int
    seed: int
    as_of: date
    rng: random.Random = field(init=False)
    counts: dict[str, int] = field(default_factory=dict)
    #: seconds each section took, to see what to speed up
    seconds: dict[str, float] = field(default_factory=dict)
    #: person id -> agency id
    person_agency: dict[int, int] = field(default_factory=dict)
    #: person id -> (name, title), for signatures
    person_names: dict[int, tuple[str, str | None]] = field(default_factory=dict)
    #: agency id -> name, and -> the person heading it (who signs its MOUs)
    agency_names: dict[int, str] = field(default_factory=dict)
    agency_heads: dict[int, int] = field(default_factory=dict)
    active_people: list[int] = field(default_factory=list)
    agency_ids: list[int] = field(default_factory=list)
    agency_keys: dict[int, str] = field(default_factory=dict)
    committees: list[BuiltCommittee] = field(default_factory=list)
    workgroups_all: list[BuiltWorkgroup] = field(default_factory=list)
    #: (action id, committee, owner person id, created_at, due, status)
    actions: list[tuple] = field(default_factory=list)

    def __post_init__(self):
        self.rng = random.Random(self.seed)

    def at(self, day: date, hour: int = 12) -> datetime:
        """An aware UTC instant on day."""
        return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)

    def insert(self, model, rows: Iterable[dict]) -> int:
        """Bulk-insert rows (dicts of column values, ids included); model may be a Table.

        Through the Core table, not the ORM's bulk mode: the ORM splits a batch
        wherever a row's None differs from the next one's, and was 5x slower.
        On PostgreSQL with COPY, which is several times faster again than
        multi-row INSERTs.
        """
        table = getattr(model, "__table__", model)
        if self.session.get_bind().dialect.name == "postgresql":
            total = self._copy(table, rows)
        else:
            statement = insert(table)
            batch, total = [], 0
            for row in rows:
                batch.append(row)
                if len(batch) >= BATCH:
                    self.session.execute(statement, batch)
                    total += len(batch)
                    batch = []
            if batch:
                self.session.execute(statement, batch)
                total += len(batch)
        self.counts[table.name] = self.counts.get(table.name, 0) + total
        return total

    def _copy(self, table, rows: Iterable[dict]) -> int:
        """COPY rows into table through the session's own connection (same transaction).

        What Core would do for us, done here: column defaults for the columns
        the rows leave out (features add columns while the builder stays the
        same), UTC instants stored naive, JSON as text.
        """
        from govtrack.db_types import UTCDateTime

        rows = iter(rows)
        first = next(rows, None)
        if first is None:
            return 0
        names = list(first)
        defaults = {}
        for column in table.columns:
            if column.key in first or column.default is None or not column.default.is_scalar \
                    and not column.default.is_callable:
                continue
            arg = column.default.arg
            defaults[column.key] = arg(None) if column.default.is_callable else arg
        convert = {}
        for n, name in enumerate([*names, *defaults]):
            kind = table.c[name].type
            if isinstance(kind, UTCDateTime):
                convert[n] = lambda v: v and v.astimezone(UTC).replace(tzinfo=None)
            elif isinstance(kind, JSON):
                convert[n] = lambda v: None if v is None else json.dumps(v)
        extra = [defaults[k] for k in defaults]
        pick = itemgetter(*names)
        quote = self.session.get_bind().dialect.identifier_preparer.quote
        columns = ", ".join(quote(name) for name in [*names, *defaults])
        raw = self.session.connection().connection.driver_connection
        total = 0
        with raw.cursor() as cursor, cursor.copy(
                f"COPY {quote(table.name)} ({columns}) FROM STDIN") as copy:
            for row in chain([first], rows):
                values = pick(row)
                values = [*values, *extra] if len(names) > 1 else [values, *extra]
                for n, fn in convert.items():
                    values[n] = fn(values[n])
                copy.write_row(values)
                total += 1
        return total


# --- sections, in dependency order ------------------------------------------------


def build_agencies(b: Builder) -> None:
    """150 agencies (x scale) across every sector; heads are set by build_people."""
    from govtrack.agencies.models import Agency

    sectors = list(AGENCY_KINDS)
    rows = []
    for n in range(1, AGENCIES * b.factor + 1):
        sector = sectors[n % len(sectors)] if n <= len(sectors) else b.rng.choice(sectors)
        name = f"{b.rng.choice(TOWNS)} {b.rng.choice(AGENCY_KINDS[sector])}"
        rows.append({"id": n, "key": f"a{n}", "name": name, "sector": sector, "head_id": None,
                     "version": 1})
        b.agency_ids.append(n)
        b.agency_keys[n] = f"a{n}"
        b.agency_names[n] = name
    b.insert(Agency, rows)


def build_people(b: Builder) -> None:
    """2,000 people (x scale), 3 % of them gone; the first active one heads each agency."""
    from govtrack.agencies.models import Agency, Person

    rows, heads = [], b.agency_heads
    for n in range(1, PEOPLE * b.factor + 1):
        agency = b.agency_ids[n - 1] if n <= len(b.agency_ids) else b.rng.choice(b.agency_ids)
        active = b.rng.random() >= 0.03
        name, title = f"{b.rng.choice(FIRST)} {b.rng.choice(LAST)}", b.rng.choice(TITLES)
        rows.append({
            "id": n, "key": f"p{n}", "name": name,
            "email": f"p{n}@{EMAIL_DOMAIN}", "title": title, "agency_id": agency,
            "active": active,
            "inactive_since": None if active else b.as_of - timedelta(days=b.rng.randint(1, 400)),
            "version": 1})
        b.person_agency[n] = agency
        b.person_names[n] = (name, title)
        if active:
            b.active_people.append(n)
            heads.setdefault(agency, n)
    b.insert(Person, rows)
    b.session.execute(
        update(Agency.__table__).where(Agency.__table__.c.id == bindparam("b_id"))
        .values(head_id=bindparam("b_head")),
        [{"b_id": agency, "b_head": person} for agency, person in heads.items()])


def build_accounts(b: Builder) -> None:
    """An account for everyone, all with PASSWORD (hashed once); p1 administers, 1 % closed."""
    from govtrack.accounts.models import Account
    from govtrack.accounts.services import hash_password

    password_hash = hash_password(PASSWORD)
    created = b.at(b.as_of - timedelta(days=900))

    def rows():
        for person in b.person_agency:
            closed = person != 1 and b.rng.random() < 0.01
            yield {"id": person, "person_id": person, "email": f"p{person}@{EMAIL_DOMAIN}",
                   "password_hash": password_hash, "is_admin": person == 1,
                   "active": not closed, "created_at": created,
                   "deactivated_at": b.at(b.as_of - timedelta(days=30)) if closed else None}

    b.insert(Account, rows())


def build_committees(b: Builder) -> None:
    """300 committees (x scale) with stage history, rotation policy and (half) a quorum rule."""
    from govtrack.chairs.models import RotationPolicy
    from govtrack.committees.models import STAGES, StageChange
    from govtrack.committees.models import Committee as CommitteeModel
    from govtrack.meetings.models import QuorumRule

    stages = list(STAGES)
    committees, changes, policies, quorums = [], [], [], []
    for n in range(1, COMMITTEES * b.factor + 1):
        founded = b.as_of - timedelta(days=b.rng.randint(800, 2500))
        zone = b.rng.choice(ZONES)
        rrule = f"FREQ=MONTHLY;BYDAY={b.rng.randint(1, 4)}{b.rng.choice(WEEKDAYS)}"
        dtstart = datetime(founded.year, founded.month, 1, b.rng.choice([9, 10, 13, 14, 15]),
                           b.rng.choice([0, 30]))
        # Mostly 8 to 25 members, a few large ones: about 15 on average.
        size = b.rng.randint(35, 45) if b.rng.random() < 0.03 else max(6, int(b.rng.gauss(15, 5)))
        time_limited = b.rng.random() < 0.2
        c = BuiltCommittee(n, f"c{n}", zone, rrule, dtstart, founded, size,
                      turnout=b.rng.uniform(0.55, 0.95), falling=b.rng.random() < 0.1)
        b.committees.append(c)
        committees.append({
            "id": n, "key": c.key,
            "name": f"{b.rng.choice(TOWNS)} {b.rng.choice(TOPICS)} {b.rng.choice(SUFFIXES)}",
            "kind": "time_limited" if time_limited else "standing",
            "purpose": "Reduce the number of people with mental illness in the county jail "
                       "by diverting them to treatment at every intercept.",
            "goals": ["Train 40 % of patrol officers in CIT",
                      "Open a 24/7 crisis drop-off centre",
                      "Share jail and treatment data monthly"][:b.rng.randint(1, 3)],
            "end_date": b.as_of + timedelta(days=b.rng.randint(60, 700)) if time_limited
            else None,
            "funding_source": "State reinvestment grant" if time_limited else None,
            "timezone": zone, "cadence_rrule": rrule, "cadence_dtstart": dtstart,
            "duration_minutes": b.rng.choice([60, 90, 120]), "stall_after_days": 30,
            "created_at": b.at(founded), "version": 1})
        since = founded
        for stage in stages[:b.rng.randint(1, 4)]:
            changes.append({"committee_id": n, "stage": stage, "since": since,
                            "note": f"Moved to {STAGES[stage].lower()}."})
            since = min(b.as_of, since + timedelta(days=b.rng.randint(60, 300)))
        policies.append({"id": n, "committee_id": n, "term_months": 12,
                         "mode": b.rng.choice(["alternate_sides"] * 7 + ["manual"] * 3),
                         "agency_order": [], "co_chair_other_side": b.rng.random() < 0.3,
                         "version": 1})
        if n % 2:
            quorums.append({"committee_id": n, "min_present": max(3, size // 3),
                            "required_sides": ["criminal_justice", "behavioural_health"]})
    b.insert(CommitteeModel, committees)
    b.insert(StageChange, changes)
    b.insert(RotationPolicy, policies)
    b.insert(QuorumRule, quorums)


def build_memberships(b: Builder) -> None:
    """About 15 members a committee: a chair, a secretary, sometimes a co-chair and observers.

    One in seven seats is a former one (ended before the as-of date).
    """
    from govtrack.committees.models import Membership

    rows, next_id = [], 1
    for c in b.committees:
        people = b.rng.sample(b.active_people, c.size)
        for n, person in enumerate(people):
            if n == 0:
                role = "chair"
            elif n == 1:
                role = "secretary"
            elif n == 2 and b.rng.random() < 0.3:
                role = "co_chair"
            else:
                role = "observer" if b.rng.random() < 0.05 else "member"
            # Chairs and the two before them sat from the start; others joined later.
            start = c.founded if n < 5 else c.founded + timedelta(
                days=b.rng.randint(0, max(0, (b.as_of - c.founded).days - 30)))
            end = None
            if n >= 5 and b.rng.random() < 1 / 7:
                end = start + timedelta(days=b.rng.randint(30, max(31, (b.as_of - start).days)))
                end = min(end, b.as_of - timedelta(days=1))
            agency = b.person_agency[person]
            c.memberships.append((next_id, person, agency, role, start, end))
            rows.append({"id": next_id, "committee_id": c.id, "person_id": person,
                         "agency_id": agency, "role": role, "start": start, "end": end,
                         "version": 1})
            next_id += 1
        c.chair_person = people[0]
    b.insert(Membership, rows)


def build_chair_terms(b: Builder) -> None:
    """Each committee's chair, the two before (12-month terms) and any co-chair.

    Most terms are well within their year; one committee in ten has a term
    ending within 60 days with no successor, one in twenty a vacant chair.
    """
    from govtrack.chairs.models import ChairTerm
    from govtrack.chairs.services import planned_end_for

    rows = []
    for c in b.committees:
        draw = b.rng.random()
        if draw < 0.05:
            start = b.as_of - timedelta(days=b.rng.randint(380, 480))  # vacant since it ended
        elif draw < 0.15:
            start = b.as_of - timedelta(days=b.rng.randint(310, 355))  # ends within 60 days
        else:
            start = b.as_of - timedelta(days=b.rng.randint(10, 290))
        start = max(start, c.founded)
        chair, agency = c.chair_person, b.person_agency[c.chair_person]
        rows.append({"committee_id": c.id, "person_id": chair, "agency_id": agency,
                     "start": start, "planned_end": planned_end_for(start, 12), "end": None,
                     "co_chair": False, "version": 1})
        co = [m for m in c.memberships if m[3] == "co_chair"]
        if co:
            rows.append({"committee_id": c.id, "person_id": co[0][1], "agency_id": co[0][2],
                         "start": start, "planned_end": planned_end_for(start, 12),
                         "end": None, "co_chair": True, "version": 1})
        successor_start = start
        for earlier in c.memberships[3:5]:  # founding members who chaired before
            term_start = successor_start - timedelta(days=365)
            if term_start < c.founded:
                break
            rows.append({"committee_id": c.id, "person_id": earlier[1], "agency_id": earlier[2],
                         "start": term_start, "planned_end": planned_end_for(term_start, 12),
                         "end": successor_start, "co_chair": False, "version": 1})
            successor_start = term_start
    b.insert(ChairTerm, rows)


def build_workgroups(b: Builder) -> None:
    """1,500 workgroups (x scale), shared out by committee size, with goals and milestones.

    Each has a lead and 3 to 8 members from the committee, 1 to 3 goals of 2
    to 4 milestones, and a stream of updates; one in ten is closed, and in
    one in seven the updates stopped months ago (so the stall rules fire).
    """
    from govtrack.workgroups.models import (
        Goal,
        Milestone,
        Workgroup,
        WorkgroupUpdate,
        workgroup_member,
    )

    seats = sum(c.size for c in b.committees)
    total = WORKGROUPS * b.factor
    workgroups, members, goals, milestones, updates = [], [], [], [], []
    now = b.at(b.as_of)
    for c in b.committees:
        current = c.members_on(b.as_of) or c.memberships
        names = b.rng.sample(WORKGROUP_NAMES, len(WORKGROUP_NAMES))
        for n in range(max(1, round(total * c.size / seats))):
            wid = len(b.workgroups_all) + 1
            age = max(31, (b.as_of - c.founded).days - 30)
            created = b.at(c.founded + timedelta(days=b.rng.randint(0, age - 31)), 16)
            closed = (created + timedelta(days=b.rng.randint(30, max(31, (now - created).days)))
                      if b.rng.random() < 0.1 else None)
            if closed is not None and closed >= now:
                closed = now - timedelta(days=1)
            people = [m[1] for m in b.rng.sample(current, min(len(current),
                                                              b.rng.randint(3, 8)))]
            lead = people[0] if b.rng.random() < 0.95 else None
            w = BuiltWorkgroup(wid, f"w{wid}", c, created, closed, lead, people)
            c.workgroups.append(w)
            b.workgroups_all.append(w)
            workgroups.append({
                "id": wid, "key": w.key, "committee_id": c.id,
                "name": f"{names[n % len(names)]} workgroup" + (
                    f" {n // len(names) + 1}" if n >= len(names) else ""),
                "charge": b.rng.choice(WORKGROUP_CHARGES), "lead_id": lead,
                "report_back": b.rng.choice(["every_meeting"] * 3 + ["monthly", "quarterly"]),
                "created_at": created, "closed_at": closed, "version": 1})
            members += [{"workgroup_id": wid, "person_id": p} for p in people]
            for _ in range(b.rng.randint(1, 3)):
                gid = len(goals) + 1
                end = b.as_of + timedelta(days=b.rng.randint(-60, 400))
                w.goals.append((gid, f"g{gid}", end))
                goals.append({"id": gid, "key": f"g{gid}", "workgroup_id": wid,
                              "title": b.rng.choice(GOAL_TITLES),
                              "description": "Agreed with the committee; reviewed quarterly.",
                              "end_date": end})
                start = created.date()
                for _ in range(b.rng.randint(2, 4)):
                    mid = len(milestones) + 1
                    due = start + timedelta(days=b.rng.randint(20, 500))
                    draw = b.rng.random()
                    if due < b.as_of:
                        status = "done" if draw < 0.75 else "cancelled" if draw < 0.8 else "open"
                    else:
                        status = "done" if draw < 0.1 else "open"
                    if status == "open":
                        due = min(due, end)  # an open milestone falls within its goal
                    done_at = (b.at(min(due - timedelta(days=b.rng.randint(0, 15)),
                                        b.as_of - timedelta(days=1)), 17)
                               if status == "done" else None)
                    milestones.append({
                        "id": mid, "key": f"mi{mid}", "goal_id": gid,
                        "title": b.rng.choice(MILESTONE_TITLES), "due": due,
                        "owner_id": b.rng.choice(people) if b.rng.random() < 0.9 else None,
                        "status": status, "done_at": done_at, "version": 1})
            # Updates every few weeks; in one in seven they stopped months ago.
            until = closed or now
            if b.rng.random() < 1 / 7:
                until = min(until, now - timedelta(days=b.rng.randint(45, 200)))
            span = (until - created).total_seconds()
            for _ in range(b.rng.randint(0, 12) if span > 0 else 0):
                updates.append({
                    "workgroup_id": wid, "at": created + timedelta(seconds=b.rng.uniform(0, span)),
                    "by_id": b.rng.choice(people), "text": b.rng.choice(WORKGROUP_UPDATES)})
    b.insert(Workgroup, workgroups)
    b.insert(workgroup_member, members)
    b.insert(Goal, goals)
    b.insert(Milestone, milestones)
    updates.sort(key=lambda u: (u["workgroup_id"], u["at"]))
    b.insert(WorkgroupUpdate, updates)


def _occurrences(c: BuiltCommittee, as_of: date) -> list[datetime]:
    """The committee's 12 cadence occurrences from PAST_MEETINGS months before as_of."""
    rule = rrulestr(c.rrule, dtstart=c.dtstart)
    first = months_before(as_of, PAST_MEETINGS)
    return list(rule.xafter(datetime(first.year, first.month, first.day), count=12, inc=True))


def build_meetings(b: Builder) -> None:
    """12 monthly meetings a committee (3,600): 9 before the as-of date, 3 coming.

    Past ones were held (1 in 20 cancelled), their agenda published and their
    minutes written, approved at the next meeting except the last one.
    """
    from govtrack.meetings.models import Meeting

    rows, next_id = [], 1
    for c in b.committees:
        occurrences = _occurrences(c, b.as_of)
        last_past = max((n for n, o in enumerate(occurrences) if o.date() < b.as_of), default=-1)
        for n, occurrence in enumerate(occurrences):
            starts = occurrence.replace(tzinfo=ZoneInfo(c.zone)).astimezone(UTC)
            past = occurrence.date() < b.as_of
            status = ("cancelled" if b.rng.random() < 0.05 else "held") if past else "scheduled"
            held = status == "held"
            approved = held and n < last_past
            key = f"m{next_id}"
            c.meetings.append((next_id, key, starts, status))
            rows.append({
                "id": next_id, "key": key, "committee_id": c.id, "starts_at": starts,
                "duration_minutes": 90, "location": "County Building, Room 101",
                "video_link": "https://video.example.org/" + c.key, "status": status,
                "occurrence": occurrence, "sequence": 1 if status == "cancelled" else 0,
                "agenda_status": "published" if past or n == last_past + 1 else "draft",
                "agenda_published_at": starts - timedelta(days=7) if past else None,
                "minutes_text": "The chair opened the meeting. Minutes as below." if held
                else "",
                "decisions": ["Adopt the crisis protocol", "Ask the jail for monthly numbers"]
                if held else [],
                "minutes_approved_at": starts + timedelta(days=30) if approved else None,
                "created_at": b.at(c.founded), "version": 1})
            next_id += 1
    b.insert(Meeting, rows)


def build_agenda(b: Builder) -> None:
    """40,000 agenda items (x scale): 6 to 16 a meeting, presented by members."""
    from govtrack.meetings.models import ITEM_KINDS, AgendaItem

    kinds = list(ITEM_KINDS)
    per_meeting = AGENDA_ITEMS / (COMMITTEES * MEETINGS_PER_COMMITTEE)

    def rows():
        for c in b.committees:
            for meeting_id, _key, starts, status in c.meetings:
                members = c.members_on(starts.date())
                # Report-back items name a workgroup open then; most report at most meetings.
                reporting = [w for w in c.workgroups_open(starts) if b.rng.random() < 0.7]
                count = max(1, round(b.rng.uniform(per_meeting - 5, per_meeting + 5)))
                for position in range(1, count + 1):
                    presenter = b.rng.choice(members)[1] if members and position > 1 else None
                    kind = b.rng.choice(kinds)
                    workgroup = reporting.pop().key if kind == "report_back" and reporting \
                        else None
                    yield {"meeting_id": meeting_id, "position": position,
                           "title": ITEM_TITLES[(position - 1) % len(ITEM_TITLES)],
                           "kind": kind, "minutes": b.rng.choice([5, 10, 15]),
                           "presenter_id": presenter, "workgroup_key": workgroup, "mou_key": None,
                           "pdsa_key": None, "action_id": None,
                           "notes": b.rng.choice(NOTES) if status == "held" else "",
                           "carried_from_id": None, "source": None}

    b.insert(AgendaItem, rows())


def build_attendance(b: Builder) -> None:
    """Attendance of every held meeting: each expected member present, absent or represented.

    Turnout differs by committee; in one committee in ten it falls meeting by
    meeting, so the attendance_falling health rule has something to find.
    """
    from govtrack.meetings.models import Attendance

    def rows():
        for c in b.committees:
            held = [m for m in c.meetings if m[3] == "held"]
            for n, (meeting_id, _key, starts, _status) in enumerate(held):
                turnout = c.turnout - (0.07 * n if c.falling else 0)
                for m in c.members_on(starts.date()):
                    draw = b.rng.random()
                    status = ("present" if draw < turnout else
                              "designee" if draw < turnout + 0.05 else "absent")
                    designee = b.rng.choice(b.active_people) if status == "designee" else None
                    if designee == m[1]:  # nobody is their own designee: the next person
                        designee = b.active_people[(b.active_people.index(designee) + 1)
                                                   % len(b.active_people)]
                    yield {"meeting_id": meeting_id, "person_id": m[1], "status": status,
                           "designee_id": designee}

    b.insert(Attendance, rows())


def build_agenda_requests(b: Builder) -> None:
    """Members' requests for items on coming meetings: 0 to 2 a meeting, mostly pending."""
    from govtrack.meetings.models import AgendaRequest

    def rows():
        for c in b.committees:
            members = c.members_on(b.as_of)
            # a minute apart: a proposer's requests are known by their time (county file)
            minute = 0
            for meeting_id, _key, _starts, status in c.meetings:
                if status != "scheduled" or not members:
                    continue
                for _ in range(b.rng.randint(0, 2)):
                    minute += 1
                    yield {"committee_id": c.id, "meeting_id": meeting_id,
                           "proposer_id": b.rng.choice(members)[1],
                           "title": "Update on " + b.rng.choice(ACTION_OBJECTS),
                           "kind": "discussion", "minutes": 10, "note": "",
                           "status": b.rng.choice(["pending"] * 3 + ["accepted"]),
                           "created_at": b.at(b.as_of - timedelta(days=3))
                           + timedelta(minutes=minute), "decided_at": None}

    b.insert(AgendaRequest, rows())


def build_actions(b: Builder) -> None:
    """60,000 action items (x scale), shared out by committee size, owned by members.

    Seven in ten come from a held meeting's minutes; three in ten belong to a
    workgroup open when they were made, owned by one of its members. Due dates
    fall on both sides of the as-of date; a quarter of those already due are
    still open (overdue), the rest done or cancelled.
    """
    from govtrack.actions.models import ActionItem

    seats = sum(c.size for c in b.committees)
    total = ACTION_ITEMS * b.factor
    next_id = 1

    def rows():
        nonlocal next_id
        for c in b.committees:
            owners = c.members_on(b.as_of) or c.memberships
            held = [m for m in c.meetings if m[3] == "held"]
            for _ in range(round(total * c.size / seats)):
                if held and b.rng.random() < 0.7:
                    meeting_id, meeting_key, starts, _status = b.rng.choice(held)
                    created, origin = starts + timedelta(hours=2), "meeting"
                else:
                    meeting_id = meeting_key = None
                    created = b.at(b.as_of - timedelta(days=b.rng.randint(1, 400)), 15)
                    origin = "other"
                due = created.date() + timedelta(days=b.rng.randint(7, 120))
                draw = b.rng.random()
                if due < b.as_of:
                    status = ("done" if draw < 0.7 else "cancelled" if draw < 0.75 else
                              b.rng.choice(["open", "in_progress", "blocked"]))
                else:
                    status = ("open" if draw < 0.5 else "in_progress" if draw < 0.85 else
                              "blocked" if draw < 0.9 else "done")
                owner = b.rng.choice(owners)[1]
                workgroup = None
                if b.rng.random() < WORKGROUP_ACTIONS:
                    open_then = c.workgroups_open(created)
                    if open_then:
                        chosen = b.rng.choice(open_then)
                        workgroup, owner = chosen.key, b.rng.choice(chosen.members)
                        if origin == "other":
                            origin, meeting_key = "workgroup", workgroup
                b.actions.append((next_id, c, owner, created, due, status))
                yield {"id": next_id, "key": f"x{next_id}", "committee_id": c.id,
                       "title": f"{b.rng.choice(ACTION_VERBS)} {b.rng.choice(ACTION_OBJECTS)}",
                       "description": "", "owner_id": owner, "due": due, "status": status,
                       "workgroup_key": workgroup, "origin_kind": origin,
                       "origin_ref": meeting_key,
                       "meeting_id": meeting_id, "created_at": created, "version": 1}
                next_id += 1

    b.insert(ActionItem, rows())


def build_action_updates(b: Builder) -> None:
    """150,000 updates (x scale): 0 to 5 an action item; the last one sets its status."""
    from govtrack.actions.models import ActionUpdate

    now = b.at(b.as_of)

    def rows():
        for action_id, c, owner, created, _due, status in b.actions:
            count = b.rng.randint(0, 5)
            span = max(3600, (now - created).total_seconds())
            offsets = sorted(b.rng.uniform(0, span) for _ in range(count))
            for n, offset in enumerate(offsets):
                last = n == count - 1
                yield {"action_id": action_id, "at": created + timedelta(seconds=offset),
                       "by_id": owner if b.rng.random() < 0.8 else c.chair_person,
                       "status": status if last else
                       b.rng.choice([None, None, "in_progress"]),
                       "note": "Spoke with the agency; waiting on figures." if not last
                       else f"Now {status.replace('_', ' ')}."}

    b.insert(ActionUpdate, rows())


def build_measures(b: Builder) -> None:
    """200 measures (x scale) of POINTS points each, more of them in larger committees.

    Monthly (four in five) or weekly, each with a noisy level; in two in five
    the level shifts the better way two thirds of the way along, and one in
    three of those has its baseline reset there.
    """
    from govtrack.pdsa.models import DataPoint, Measure

    weights = [c.size ** 2 for c in b.committees]
    chosen = b.rng.choices(b.committees, weights=weights, k=MEASURES * b.factor)
    measures, points = [], []
    for mid, c in enumerate(sorted(chosen, key=lambda c: c.id), start=1):
        name, unit, direction, level = b.rng.choice(MEASURE_KINDS)
        weekly = b.rng.random() < 0.2
        days = ([b.as_of - timedelta(days=7 * (POINTS - n)) for n in range(POINTS)] if weekly
                else [months_before(b.as_of, POINTS - n) for n in range(POINTS)])
        shift_at = POINTS * 2 // 3 if b.rng.random() < 0.4 else None
        better = -1 if direction == "down" else 1
        workgroup = b.rng.choice(c.workgroups).id if c.workgroups and b.rng.random() < 0.5 \
            else None
        key = f"me{mid}"
        c.measure_keys.append(key)
        measures.append({
            "id": mid, "key": key, "committee_id": c.id, "workgroup_id": workgroup,
            "name": name, "definition": f"{name}, counted by the source agency each period.",
            "unit": unit, "kind": b.rng.choice(["outcome"] * 3 + ["process", "balancing"]),
            "direction": direction, "frequency": "weekly" if weekly else "monthly",
            "source_agency_id": b.rng.choice(b.agency_ids),
            "rules": "ihi" if b.rng.random() < 0.2 else "anhoej",
            "baseline_points": 12 if b.rng.random() < 0.3 else None,
            "reset_on": days[shift_at] if shift_at and b.rng.random() < 1 / 3 else None,
            "show_limits": b.rng.random() < 0.3,
            "created_at": b.at(days[0] - timedelta(days=10)), "version": 1})
        for n, day in enumerate(days):
            value = level * (1 + 0.12 * b.rng.gauss(0, 1))
            if shift_at is not None and n >= shift_at:
                value += better * level * 0.3
            points.append({"measure_id": mid, "day": day, "value": round(max(0.0, value), 1),
                           "note": ""})
    b.insert(Measure, measures)
    b.insert(DataPoint, points)


def build_pdsa_cycles(b: Builder) -> None:
    """300 PDSA cycles (x scale) in ramps of 1 to 3 under workgroup goals, with phase history.

    Earlier cycles of a ramp are closed (adapted); the last is in any phase,
    stuck in it when its ramp started long ago.
    """
    from govtrack.pdsa.models import PHASES, PdsaCycle, PhaseChange

    open_workgroups = [w for w in b.workgroups_all if w.closed_at is None and w.goals]
    cycles, changes = [], []
    total = PDSA_CYCLES * b.factor
    while len(cycles) < total:
        w = b.rng.choice(open_workgroups)
        goal_id, _goal_key, _end = b.rng.choice(w.goals)
        start = b.as_of - timedelta(days=b.rng.randint(30, 300))
        previous = None
        ramp = min(b.rng.randint(1, 3), total - len(cycles))
        for n in range(ramp):
            cid = len(cycles) + 1
            phase = b.rng.choice(PHASES[:4]) if n == ramp - 1 and b.rng.random() < 0.8 \
                else "closed"
            # A fortnight to a month a phase; a cycle started long ago may be stuck in one.
            since, history = start, []
            for p in PHASES[:PHASES.index(phase) + 1]:
                history.append((p, min(since, b.as_of)))
                since += timedelta(days=b.rng.randint(14, 30))
            measures = w.committee.measure_keys
            cycles.append({
                "id": cid, "key": f"pd{cid}", "goal_id": goal_id,
                "title": f"{b.rng.choice(PDSA_CHANGES)} ({n + 1})",
                "owner_id": b.rng.choice(w.members), "phase": phase,
                "previous_id": previous,
                "objective": "Test whether the change reduces repeat crisis contacts.",
                "questions": "Do officers use it? Does the centre accept every drop-off?",
                "predictions": "Most eligible calls end at the centre, not the jail.",
                "who_what_where_when": "North district, night shift, for four weeks.",
                "measure_keys": " ".join(b.rng.sample(measures, min(len(measures), 2))),
                "study_due": history[0][1] + timedelta(days=45),
                "carried_out": "As planned, one week late." if len(history) > 1 else "",
                "observations": "Officers asked for a shorter form." if len(history) > 1 else "",
                "problems": "", "results": "Fewer repeat contacts than the baseline."
                if len(history) > 2 else "", "lessons": "", "decision": "adapt"
                if phase == "closed" else None, "reason": "",
                "created_at": b.at(start), "version": 1})
            changes += [{"cycle_id": cid, "phase": p, "since": day, "at": b.at(day, 18)}
                        for p, day in history]
            previous = cid
            start = max(start, history[-1][1])
    b.insert(PdsaCycle, cycles)
    b.insert(PhaseChange, changes)


def build_mous(b: Builder) -> None:
    """600 MOUs (x scale) between agencies at a committee's table, with a valid signing record.

    Statuses spread over draft, in review, out for signature and executed (a
    few expired, terminated or superseded by an executed amendment). Parties
    sign their head's way (re-authenticated by password, consent given);
    three MOUs in ten went through a second version, which voided the first's
    signatures. Every event hash is the model's own (SigningEvent.compute_hash
    on a transient copy), so services.verify() holds for every MOU.
    """
    from govtrack.agencies.models import Agency, Person
    from govtrack.mous import chain
    from govtrack.mous.models import Mou, MouVersion, SigningEvent, mou_party
    from govtrack.mous.services import CONSENT_SHA256, CONSENT_VERSION, intent_statement

    agencies = {a: Agency(id=a, key=b.agency_keys[a], name=b.agency_names[a])
                for a in b.agency_ids}
    people = {p: Person(id=p, key=f"p{p}", name=b.person_names[p][0])
              for p in set(b.agency_heads.values())}
    signable = [a for a in b.agency_ids if a in b.agency_heads]
    chosen = b.rng.choices(b.committees, weights=[c.size for c in b.committees],
                           k=MOUS * b.factor)
    mous, parties, versions, events = [], [], [], []
    statuses = (["draft"] * 12 + ["in_review"] * 12 + ["out_for_signature"] * 22
                + ["executed"] * 46 + ["expired"] * 3 + ["terminated"] * 2 + ["amend"] * 3)

    # The signer's capacity, once the signatory register has added its column.
    capacity = {"signed_as": "head"} if "signed_as" in SigningEvent.__table__.c else {}

    def event(mou, version, kind, agency, at, person=None, **fields):
        # Every row names the same columns (one statement for them all); "" as the app.
        fields = dict.fromkeys(("signer_name", "signer_title", "auth_method",
                                "consent_version", "consent_sha256", "intent", "reason",
                                "address", "user_agent", *capacity), "") | fields
        at = min(at, b.at(b.as_of) - timedelta(hours=3)).replace(microsecond=0)
        e = SigningEvent(mou=mou, version_number=version.number, kind=kind,
                         agency=agencies[agency], person=people.get(person), at=at,
                         document_sha256=version.digest,
                         previous_sha256=mou.chain_head or "", **fields)
        e.event_sha256 = e.compute_hash()
        mou.chain_head = e.event_sha256
        # sealed as mous.services._append_event seals, so services.verify() holds
        key_id = chain.current_key_id()
        events.append({"id": len(events) + 1, "mou_id": mou.id, "version_id": version.id,
                       "version_number": version.number, "kind": kind, "agency_id": agency,
                       "person_id": person, "at": at, "document_sha256": e.document_sha256,
                       "previous_sha256": e.previous_sha256, "event_sha256": e.event_sha256,
                       "key_id": key_id, "event_mac": chain.seal(key_id, e.event_sha256),
                       **fields})

    def sign(mou, version, agency, at):
        head = b.agency_heads[agency]
        name, title = b.person_names[head]
        event(mou, version, "signed", agency, at, head, **capacity, signer_name=name,
              signer_title=title or "Director", auth_method="password",
              consent_version=CONSENT_VERSION, consent_sha256=CONSENT_SHA256,
              intent=intent_statement(agencies[agency]),
              address=f"10.{agency % 250}.{head % 250}.{b.rng.randint(2, 250)}",
              user_agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/128.0")

    def new_version(mou_id, number, at, party_ids, sent):
        names = sorted(party_ids, key=lambda a: (b.agency_names[a], a))
        text_ = "\n\n".join(f"{n}. {clause}" for n, clause in enumerate(
            b.rng.sample(MOU_CLAUSES, 4), start=1)) + (
            f"\n\n5. Amendment. Version {number} replaces version {number - 1}."
            if number > 1 else "")
        obligations = [{"party": b.agency_keys[a], "text": b.rng.choice(OBLIGATIONS)}
                       for a in names]
        version = MouVersion(id=len(versions) + 1, number=number, text=text_,
                             obligations=obligations)
        versions.append({"id": version.id, "mou_id": mou_id, "number": number,
                         "text": text_, "obligations": obligations, "created_at": at,
                         "sent_for_signature_at": sent})
        return version

    def build_one(mou_id, c, status, supersedes=None, parties_of=None):
        at_table = sorted({m[2] for m in c.members_on(b.as_of)} & set(signable))
        count = b.rng.randint(2, 7)
        party_ids = parties_of or sorted(b.rng.sample(at_table, min(count, len(at_table))))
        while len(party_ids) < 2:
            party_ids = sorted(set(party_ids) | {b.rng.choice(signable)})
        early = status in ("draft", "in_review")
        created = b.at(b.as_of - timedelta(days=b.rng.randint(20, 300) if early
                                           else b.rng.randint(150, 900)), 14)
        key = f"mou{mou_id}"
        mou = Mou(id=mou_id, key=key)
        row = {"id": mou_id, "key": key,
               "title": f"{b.rng.choice(MOU_TITLES)} ({b.agency_names[party_ids[0]]} and "
                        f"{len(party_ids) - 1} more)",
               "purpose": "Divert people in a mental health crisis from jail to treatment.",
               "background": "Agreed at the committee after a year of joint case reviews.",
               "committee_id": c.id if b.rng.random() < 0.97 else None, "status": status,
               "effective": None, "expires": None, "review": None,
               "supersedes_id": supersedes, "created_at": created, "executed_at": None,
               "chain_head": None, "version": 1}
        parties.extend({"mou_id": mou_id, "agency_id": a} for a in party_ids)
        at = created + timedelta(days=b.rng.randint(5, 20))
        reached = status in ("out_for_signature", "executed", "expired", "superseded")
        if b.rng.random() < 0.3 and status != "draft":
            # A first text went out, some signed it, then the text changed: void them.
            first = new_version(mou_id, 1, created, party_ids, at)
            for agency in party_ids[:b.rng.randint(1, len(party_ids) - 1)]:
                at += timedelta(days=b.rng.randint(1, 6), hours=b.rng.randint(0, 8))
                sign(mou, first, agency, at)
            if b.rng.random() < 0.3:
                at += timedelta(days=2)
                head = b.agency_heads[party_ids[-1]]
                event(mou, first, "declined", party_ids[-1], at, head,
                      signer_name=b.person_names[head][0],
                      reason="Our counsel asks for a data-retention clause first.")
            at += timedelta(days=b.rng.randint(5, 30))
            current = new_version(mou_id, 2, at, party_ids,
                                  at + timedelta(days=7) if reached else None)
            reason = ("The text changed after this signature: version 2 replaces "
                      "version 1; please sign the new version.")
            for e in [e for e in mou.events if e.kind == "signed"]:
                event(mou, first, "voided", e.agency.id, at, reason=reason)
            at += timedelta(days=7)
        else:
            current = new_version(mou_id, 1, created,
                                  party_ids, at if reached else None)
        if status == "out_for_signature":
            for agency in b.rng.sample(party_ids, b.rng.randint(0, len(party_ids) - 1)):
                at += timedelta(days=b.rng.randint(1, 10), hours=b.rng.randint(0, 8))
                sign(mou, current, agency, at)
        elif status in ("executed", "expired", "superseded", "terminated"):
            for agency in b.rng.sample(party_ids, len(party_ids)):
                at += timedelta(days=b.rng.randint(1, 10), hours=b.rng.randint(0, 8))
                sign(mou, current, agency, at)
            row["executed_at"] = events[-1]["at"]
            effective = events[-1]["at"].date() + timedelta(days=b.rng.randint(1, 30))
            years = 1 if status == "expired" else b.rng.randint(2, 3)
            row |= {"effective": effective,
                    "expires": effective + timedelta(days=365 * years - 1),
                    "review": effective + timedelta(days=365)}
            if status == "expired":
                row["expires"] = min(row["expires"], b.as_of - timedelta(days=10))
        row["chain_head"] = mou.chain_head
        mous.append(row)
        return row, party_ids

    chosen.sort(key=lambda c: c.id)
    mou_id = 0
    while mou_id < len(chosen):
        c = chosen[mou_id]
        mou_id += 1
        status = b.rng.choice(statuses)
        if status != "amend" or mou_id == len(chosen):
            build_one(mou_id, c, "executed" if status == "amend" else status)
            continue
        # An executed MOU and its amendment (in the next slot): executed too, superseding
        # it, or under way.
        old, party_ids = build_one(mou_id, c, "executed")
        mou_id += 1
        then = b.rng.choice(["executed", "draft", "in_review", "out_for_signature"])
        build_one(mou_id, c, then, supersedes=old["id"], parties_of=party_ids)
        if then == "executed":
            old["status"] = "superseded"
    b.insert(Mou, mous)
    b.insert(mou_party, parties)
    b.insert(MouVersion, versions)
    b.insert(SigningEvent, events)


def build_audit(b: Builder) -> None:
    """The audit trail the import would have left: each committee, seat and meeting created."""
    from govtrack.audit.models import AuditEntry

    def rows():
        for c in b.committees:
            entries = [("Committee", c.id, c.key, b.at(c.founded))]
            entries += [("Membership", m[0], f"p{m[1]}", b.at(m[4])) for m in c.memberships]
            entries += [("Meeting", m[0], m[1], m[2] - timedelta(days=40)) for m in c.meetings]
            for object_type, object_id, label, at in entries:
                yield {"at": at, "actor_id": None, "actor_label": "system", "action": "create",
                       "object_type": object_type, "object_id": object_id,
                       "object_label": label, "committee_id": c.id, "changes": {}}

    b.insert(AuditEntry, rows())


#: every section, in the order foreign keys need; new features add theirs
SECTIONS: list[Callable[[Builder], None]] = [
    build_agencies, build_people, build_accounts, build_committees, build_memberships,
    build_chair_terms, build_workgroups, build_meetings, build_agenda, build_attendance,
    build_agenda_requests, build_actions, build_action_updates, build_measures,
    build_pdsa_cycles, build_mous, build_audit,
]


def _reset_sequences(session) -> None:
    """PostgreSQL: move every id sequence past the ids the builder chose."""
    from govtrack.extensions import db

    for table in db.metadata.sorted_tables:
        if "id" in table.c:
            session.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # noqa: S608
                f"coalesce((SELECT max(id) FROM {table.name}), 0) + 1, false)"))


def check_mous(factor: int) -> None:
    """services.verify() on every MOU (one in `factor` at a larger scale): the chains hold."""
    from govtrack.extensions import db
    from govtrack.mous.models import Mou
    from govtrack.mous.services import mou_loading, verify

    mous = db.session.scalars(select(Mou).where(Mou.id % factor == 0).options(*mou_loading()))
    for mou in mous:
        problems = verify(mou).problems
        if problems:
            raise SystemExit(f"{mou.key}: the built signing record does not verify: {problems}")
    db.session.remove()


def build(database_url: str, scale: str = "county", seed: int = SEED,
          as_of: date | None = None, replace: bool = False, verbose: bool = False) -> dict:
    """Create the schema in an empty database and fill it; return the row counts."""
    from govtrack import create_app
    from govtrack.agencies.models import Agency
    from govtrack.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench"})
    with app.app_context():
        if replace:
            db.drop_all()
        db.create_all()
        if db.session.scalar(select(func.count(Agency.id))):
            raise SystemExit("the database is not empty: pass --replace to rebuild it")
        if db.engine.dialect.name == "sqlite":
            # A scratch file until it is complete: no need to survive a power cut.
            db.session.execute(text("PRAGMA synchronous=OFF"))
        else:
            # No foreign-key triggers during the load: row by row they cost more than the
            # COPY itself. The rows are the same as at county scale on SQLite, where
            # every foreign key is checked.
            db.session.execute(text("SET LOCAL session_replication_role = replica"))
        builder = Builder(db.session, SCALES[scale], seed, as_of or default_as_of())
        for section in SECTIONS:
            start = time.perf_counter()
            section(builder)
            builder.seconds[section.__name__] = time.perf_counter() - start
        if db.engine.dialect.name == "postgresql":
            _reset_sequences(db.session)
        db.session.commit()
        start = time.perf_counter()
        check_mous(builder.factor)
        builder.seconds["check_mous"] = time.perf_counter() - start
        db.engine.dispose()
    if verbose:
        for name, seconds in builder.seconds.items():
            print(f"{name:>24}: {seconds:5.1f} s")
    return builder.counts


def sqlite_files(path: Path) -> list[Path]:
    """The database file at path and the journal files SQLite keeps beside it."""
    return [path] + [Path(f"{path}{suffix}") for suffix in ("-wal", "-shm", "-journal")]


def remove_sqlite(path: Path) -> None:
    """Delete the SQLite database at path with its journal files.

    Deleting the file alone leaves its -wal beside it, and SQLite replays that old
    log into the next database of the same name: "database disk image is malformed".
    """
    for file in sqlite_files(path):
        file.unlink(missing_ok=True)


def install_sqlite(built: Path, path: Path, meta: dict, meta_path: Path | None = None) -> None:
    """Move the finished database built to path, and its summary to meta_path (default
    PATH.json), so that a reader finds the old pair or the new one, never a mix.

    The built file is first made whole (its log written into it, journal mode DELETE), since
    the rename moves one file only; the old summary goes first, so a crash half-way leaves a
    database without a summary, which ensure_dataset rebuilds.
    """
    meta_path = meta_path or Path(f"{path}.json")
    with sqlite3.connect(built) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode=DELETE")
    conn.close()
    meta_path.unlink(missing_ok=True)
    for journal in sqlite_files(path)[1:]:
        journal.unlink(missing_ok=True)
    os.replace(built, path)
    partial_meta = meta_path.with_name(meta_path.name + ".building")
    partial_meta.write_text(json.dumps(meta, indent=2) + "\n")
    os.replace(partial_meta, meta_path)


def ensure_dataset(path: Path, rebuild: bool = False, env: dict | None = None) -> dict:
    """The summary of the county data set at path, built first (in a child process, with env)
    unless one of this DATASET_VERSION, schema, seed and as-of date is there."""
    meta_path = Path(f"{path}.json")
    wanted = {"version": DATASET_VERSION, "schema": schema_fingerprint(), "scale": "county",
              "seed": SEED, "as_of": default_as_of().isoformat()}
    if not rebuild and path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if all(meta.get(k) == v for k, v in wanted.items()):
            print(f"reusing {path} (as of {meta['as_of']})")
            return meta
    print(f"building {path} ...", flush=True)
    subprocess.run([sys.executable, "-m", "bench.make_dataset", "--scale", "county",
                    "--out", str(path)], cwd=Path(__file__).resolve().parent.parent,
                   check=True, env=env)
    return json.loads(meta_path.read_text())


def main(argv: list[str] | None = None) -> None:
    """Parse the command line, build, print the counts and the time taken."""
    parser = argparse.ArgumentParser(prog="python -m bench.make_dataset", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=SCALES, default="county")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--out", type=Path, help="SQLite file to write (replaced if present)")
    where.add_argument("--database-url", help="an empty database, e.g. postgresql://...")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--as-of", type=date.fromisoformat, default=None,
                        help="the day the data is laid around (default: 1st of this month)")
    parser.add_argument("--replace", action="store_true",
                        help="drop every table of --database-url first")
    parser.add_argument("--meta", type=Path, default=None,
                        help="write the JSON summary (version, counts, seconds) here "
                             "(default with --out: OUT.json)")
    args = parser.parse_args(argv)
    as_of = args.as_of or default_as_of()
    start = time.perf_counter()
    if args.out:
        # Build beside the target and move it in whole at the end: a half-built file is never
        # reused, and the target's old journal never meets the new file.
        partial = args.out.with_name(args.out.name + ".building")
        remove_sqlite(partial)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        counts = build(f"sqlite:///{partial.resolve()}", args.scale, args.seed, as_of,
                       verbose=True)
    else:
        counts = build(args.database_url, args.scale, args.seed, as_of, args.replace,
                       verbose=True)
    seconds = time.perf_counter() - start
    for table, count in counts.items():
        print(f"{table:>16}: {count:>9,}")
    print(f"built the {args.scale} data set (seed {args.seed}, as of {as_of}) "
          f"in {seconds:.1f} s")
    meta = {"version": DATASET_VERSION, "schema": schema_fingerprint(), "scale": args.scale,
            "seed": args.seed, "as_of": as_of.isoformat(), "seconds": round(seconds, 1),
            "counts": counts}
    if args.out:
        install_sqlite(partial, args.out, meta, args.meta)
    elif args.meta:
        args.meta.write_text(json.dumps(meta, indent=2) + "\n")

if __name__ == "__main__":
    main()
