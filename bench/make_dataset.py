"""Build the benchmark data set: python -m bench.make_dataset --scale county --out PATH.sqlite.

A deterministic county (or 10x "national") of committees and their history,
inserted with SQLAlchemy Core bulk inserts so the county scale takes seconds:

    python -m bench.make_dataset --scale county --out bench/data/county.sqlite
    python -m bench.make_dataset --scale national --database-url postgresql://...

The same seed, scale and as-of date always give the same rows. Dates are laid
out around the as-of date (by default the first day of the current month), so
the data stays current: meetings before it were held, after it are coming,
action items fall due on both sides of it.

Each kind of record has one `build_*` function, listed in SECTIONS in
dependency order. A feature that adds tables (workgroups, PDSA cycles and
measures, MOUs and their signatures) adds its function to SECTIONS, reads what
it needs from the Builder (people, committees, members) and writes its rows
with `builder.insert(Model, rows)`. Bump DATASET_VERSION whenever the rows
change, so bench.run rebuilds a stale data set.
"""

import argparse
import json
import os
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from sqlalchemy import bindparam, func, insert, select, text, update

#: raise whenever the builder makes different rows; bench.run rebuilds then
DATASET_VERSION = 1
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
NOTES = ["Discussed at length; agreed to bring figures next time.",
         "The workgroup reported progress on **referrals**; see the attached numbers.",
         "No objection. Carried.", "Deferred: the presenter was absent.",
         "- Calls up 12 %\n- Diversions up 8 %\n- Two repeat contacts"]


def schema_fingerprint() -> str:
    """A digest of every table and column the models declare.

    bench.run rebuilds a data set whose schema differs, e.g. after a feature
    added its tables.
    """
    import hashlib

    from govtrack import models  # noqa: F401  (registers every table)
    from govtrack.extensions import db

    names = sorted(f"{t.name}.{c.name}:{c.type!r}" for t in db.metadata.tables.values()
                   for c in t.columns)
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
    chair_person: int | None = None
    #: share of expected members at the table; falls over time in some committees
    turnout: float = 0.8
    falling: bool = False

    def members_on(self, day: date, observers: bool = False) -> list[tuple]:
        """Memberships in force on day."""
        return [m for m in self.memberships
                if m[4] <= day and (m[5] is None or day <= m[5])
                and (observers or m[3] != "observer")]


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
    active_people: list[int] = field(default_factory=list)
    agency_ids: list[int] = field(default_factory=list)
    agency_keys: dict[int, str] = field(default_factory=dict)
    committees: list[BuiltCommittee] = field(default_factory=list)
    #: (action id, committee, owner person id, created_at, due, status)
    actions: list[tuple] = field(default_factory=list)

    def __post_init__(self):
        self.rng = random.Random(self.seed)

    def at(self, day: date, hour: int = 12) -> datetime:
        """An aware UTC instant on day."""
        return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)

    def insert(self, model, rows: Iterable[dict]) -> int:
        """Bulk-insert rows (dicts of column values, ids included) in batches of BATCH.

        Through the Core table, not the ORM's bulk mode: the ORM splits a batch
        wherever a row's None differs from the next one's, and was 5x slower.
        """
        statement = insert(model.__table__)
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
        name = model.__tablename__
        self.counts[name] = self.counts.get(name, 0) + total
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
    b.insert(Agency, rows)


def build_people(b: Builder) -> None:
    """2,000 people (x scale), 3 % of them gone; the first active one heads each agency."""
    from govtrack.agencies.models import Agency, Person

    rows, heads = [], {}
    for n in range(1, PEOPLE * b.factor + 1):
        agency = b.agency_ids[n - 1] if n <= len(b.agency_ids) else b.rng.choice(b.agency_ids)
        active = b.rng.random() >= 0.03
        rows.append({
            "id": n, "key": f"p{n}", "name": f"{b.rng.choice(FIRST)} {b.rng.choice(LAST)}",
            "email": f"p{n}@{EMAIL_DOMAIN}", "title": b.rng.choice(TITLES), "agency_id": agency,
            "active": active,
            "inactive_since": None if active else b.as_of - timedelta(days=b.rng.randint(1, 400)),
            "version": 1})
        b.person_agency[n] = agency
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
                count = max(1, round(b.rng.uniform(per_meeting - 5, per_meeting + 5)))
                for position in range(1, count + 1):
                    presenter = b.rng.choice(members)[1] if members and position > 1 else None
                    yield {"meeting_id": meeting_id, "position": position,
                           "title": ITEM_TITLES[(position - 1) % len(ITEM_TITLES)],
                           "kind": b.rng.choice(kinds), "minutes": b.rng.choice([5, 10, 15]),
                           "presenter_id": presenter, "workgroup_key": None, "mou_key": None,
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
                    yield {"meeting_id": meeting_id, "person_id": m[1], "status": status,
                           "designee_id": b.rng.choice(b.active_people)
                           if status == "designee" else None}

    b.insert(Attendance, rows())


def build_agenda_requests(b: Builder) -> None:
    """Members' requests for items on coming meetings: 0 to 2 a meeting, mostly pending."""
    from govtrack.meetings.models import AgendaRequest

    def rows():
        for c in b.committees:
            members = c.members_on(b.as_of)
            for meeting_id, _key, _starts, status in c.meetings:
                if status != "scheduled" or not members:
                    continue
                for _ in range(b.rng.randint(0, 2)):
                    yield {"committee_id": c.id, "meeting_id": meeting_id,
                           "proposer_id": b.rng.choice(members)[1],
                           "title": "Update on " + b.rng.choice(ACTION_OBJECTS),
                           "kind": "discussion", "minutes": 10, "note": "",
                           "status": b.rng.choice(["pending"] * 3 + ["accepted"]),
                           "created_at": b.at(b.as_of - timedelta(days=3)), "decided_at": None}

    b.insert(AgendaRequest, rows())


def build_actions(b: Builder) -> None:
    """60,000 action items (x scale), shared out by committee size, owned by members.

    Seven in ten come from a held meeting's minutes. Due dates fall on both
    sides of the as-of date; a quarter of those already due are still open
    (overdue), the rest done or cancelled.
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
                b.actions.append((next_id, c, owner, created, due, status))
                yield {"id": next_id, "key": f"x{next_id}", "committee_id": c.id,
                       "title": f"{b.rng.choice(ACTION_VERBS)} {b.rng.choice(ACTION_OBJECTS)}",
                       "description": "", "owner_id": owner, "due": due, "status": status,
                       "workgroup_key": None, "origin_kind": origin, "origin_ref": meeting_key,
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


#: every section, in the order foreign keys need; new features append theirs
#: (build_workgroups, build_pdsa_cycles, build_measures, build_mous, ...)
SECTIONS: list[Callable[[Builder], None]] = [
    build_agencies, build_people, build_accounts, build_committees, build_memberships,
    build_chair_terms, build_meetings, build_agenda, build_attendance, build_agenda_requests,
    build_actions, build_action_updates, build_audit,
]


def _reset_sequences(session) -> None:
    """PostgreSQL: move every id sequence past the ids the builder chose."""
    from govtrack.extensions import db

    for table in db.metadata.sorted_tables:
        if "id" in table.c:
            session.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # noqa: S608
                f"coalesce((SELECT max(id) FROM {table.name}), 0) + 1, false)"))


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
        builder = Builder(db.session, SCALES[scale], seed, as_of or default_as_of())
        for section in SECTIONS:
            start = time.perf_counter()
            section(builder)
            builder.seconds[section.__name__] = time.perf_counter() - start
        if db.engine.dialect.name == "postgresql":
            _reset_sequences(db.session)
        db.session.commit()
        db.engine.dispose()
    if verbose:
        for name, seconds in builder.seconds.items():
            print(f"{name:>24}: {seconds:5.1f} s")
    return builder.counts


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
    args = parser.parse_args(argv)
    as_of = args.as_of or default_as_of()
    start = time.perf_counter()
    if args.out:
        # Build beside the target and rename at the end: a half-built file is never reused.
        args.out.parent.mkdir(parents=True, exist_ok=True)
        partial = args.out.with_name(args.out.name + ".building")
        for path in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
            path.unlink(missing_ok=True)
        counts = build(f"sqlite:///{partial.resolve()}", args.scale, args.seed, as_of,
                       verbose=True)
        os.replace(partial, args.out)
    else:
        counts = build(args.database_url, args.scale, args.seed, as_of, args.replace,
                       verbose=True)
    seconds = time.perf_counter() - start
    for table, count in counts.items():
        print(f"{table:>16}: {count:>9,}")
    print(f"built the {args.scale} data set (seed {args.seed}, as of {as_of}) "
          f"in {seconds:.1f} s")
    if args.out:
        meta = {"version": DATASET_VERSION, "schema": schema_fingerprint(),
                "scale": args.scale, "seed": args.seed, "as_of": as_of.isoformat(),
                "seconds": round(seconds, 1), "counts": counts}
        Path(f"{args.out}.json").write_text(json.dumps(meta, indent=2) + "\n")


if __name__ == "__main__":
    main()
