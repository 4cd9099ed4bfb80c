"""Hypothesis strategies for valid county files, one function per section of the schema.

`counties()` draws a whole file: agencies, people, committees (each with its
sections) and MOUs. Every section is drawn by its own function taking `draw`
and a `Context` (the keys drawn so far), so a field added to a section is one
line in that section's function, and a new section is one function added to
COMMITTEE_SECTIONS. Every file drawn is valid: the schema, the references and
the domain rules (no overlapping memberships or chair terms, phase history one
step at a time, signatures by parties, nothing dated after today) all hold.

Instants are drawn to the second and written as the export writes them: UTC
with Z, except a meeting's start, which is on its committee's wall clock with
that day's offset. `canonical()` puts a file's arrays in one order where the
format leaves their order open, for comparing an export with the file.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

#: zones with odd offsets, both hemispheres' daylight saving, and none at all
TIMEZONES = ("America/New_York", "America/St_Johns", "Europe/Berlin", "Asia/Kolkata",
             "Australia/Adelaide", "Pacific/Chatham", "America/Los_Angeles", "UTC")
SECTORS = ("law_enforcement", "prosecution", "public_defense", "courts", "corrections",
           "community_supervision", "mental_health_provider", "mental_health_authority",
           "health", "social_services", "advocacy", "emergency_services", "other")
FIRST_DAY, LAST_DAY = date(2016, 1, 1), date(2025, 6, 30)
PHASES = ("plan", "do", "study", "act", "closed")

#: any Unicode a person may type: no control characters but tab and line feed, no
#: lone surrogates (import refuses those, see county.services._BAD_CHARACTER)
CHARACTERS = st.characters(exclude_categories=("Cs", "Cc"), include_characters="\t\n")


def text(min_size: int = 1, max_size: int = 40) -> st.SearchStrategy[str]:
    """Unicode text of a few words at most."""
    return st.text(CHARACTERS, min_size=min_size, max_size=max_size)


def line(max_size: int = 40) -> st.SearchStrategy[str]:
    """A name or title: one line of Unicode, never empty."""
    return st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1,
                   max_size=max_size)


def days(start: date = FIRST_DAY, end: date = LAST_DAY) -> st.SearchStrategy[date]:
    """A day between start and end."""
    return st.dates(min_value=start, max_value=max(start, end))


def instants(start: date = FIRST_DAY, end: date = LAST_DAY) -> st.SearchStrategy[datetime]:
    """An instant to the second between the two days, aware, in UTC."""
    return st.datetimes(min_value=datetime.combine(start, datetime.min.time()),
                        max_value=datetime.combine(max(start, end), datetime.min.time()),
                        ).map(lambda d: d.replace(microsecond=0, tzinfo=UTC))


def utc(value: datetime) -> str:
    """An instant as the county file writes it: UTC, with Z."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def optional(record: dict, draw, name: str, strategy: st.SearchStrategy) -> None:
    """Set record[name] to a drawn value, or leave it out (a coin decides)."""
    if draw(st.booleans()):
        record[name] = draw(strategy)


@dataclass
class Context:
    """The keys drawn so far, for references between sections."""

    agencies: list[str] = field(default_factory=list)
    #: person key -> agency key
    people: dict[str, str] = field(default_factory=dict)
    committees: list[str] = field(default_factory=list)
    counter: int = 0

    def key(self, prefix: str) -> str:
        """A key unique in the whole file."""
        self.counter += 1
        return f"{prefix}-{self.counter}"


# --- agencies and people --------------------------------------------------------------------


def agency(draw, ctx: Context) -> dict:
    """An agency; its head is named once the people are drawn."""
    key = ctx.key("ag")
    ctx.agencies.append(key)
    return {"key": key, "name": draw(line()), "sector": draw(st.sampled_from(SECTORS)),
            "head": None}


def person(draw, ctx: Context) -> dict:
    """A person of one of the agencies, active or gone since a day."""
    key = ctx.key("p")
    agency_key = draw(st.sampled_from(ctx.agencies))
    ctx.people[key] = agency_key
    active = draw(st.booleans())
    return {"key": key, "name": draw(line()),
            "email": draw(st.none() | st.just(f"{key}@example.org")),
            "agency": agency_key, "title": draw(st.none() | line()), "active": active,
            "inactive_since": None if active else draw(st.none() | days().map(date.isoformat))}


def heads(draw, ctx: Context, agencies: list[dict]) -> None:
    """Some agencies are headed by one of their own people."""
    for record in agencies:
        staff = [p for p, a in ctx.people.items() if a == record["key"]]
        if staff and draw(st.booleans()):
            record["head"] = draw(st.sampled_from(staff))


# --- a committee and its sections --------------------------------------------------------------


@dataclass
class CommitteeContext:
    """What a committee's sections share: its key, zone and the keys drawn in it."""

    key: str
    timezone: str
    meetings: list[str] = field(default_factory=list)
    workgroups: list[str] = field(default_factory=list)
    measures: list[str] = field(default_factory=list)


def committee_core(draw, ctx: Context, com: CommitteeContext) -> dict:
    """The committee's own fields, its stage history and its memberships."""
    kind = draw(st.sampled_from(("standing", "time_limited")))
    record = {"key": com.key, "name": draw(line()), "kind": kind,
              "purpose": draw(text(0, 80)), "goals": draw(st.lists(text(), max_size=3)),
              "end_date": draw(days(date(2024, 1, 1), date(2030, 1, 1))).isoformat()
              if kind == "time_limited" else None,
              "funding_source": draw(st.none() | line()), "timezone": com.timezone,
              "stall_after_days": draw(st.integers(1, 365))}
    if draw(st.booleans()):
        record["cadence"] = {
            "rrule": draw(st.sampled_from(("FREQ=MONTHLY;BYDAY=2TU", "FREQ=WEEKLY;BYDAY=WE",
                                           "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=15"))),
            "dtstart": f"{draw(days()).isoformat()}T{draw(st.integers(7, 19)):02d}:"
                       f"{draw(st.sampled_from((0, 15, 30))):02d}:00",
            "duration_minutes": draw(st.integers(5, 1440))}
    stages = draw(st.lists(st.sampled_from(("engagement", "assessment", "planning",
                                            "monitoring", "problem_solving", "transition")),
                           max_size=4))
    sinces = draw(st.lists(days(), min_size=len(stages), max_size=len(stages), unique=True))
    record["stage_history"] = [{"stage": s, "since": d.isoformat()}
                               for s, d in zip(stages, sorted(sinces), strict=True)]
    record["memberships"] = memberships(draw, ctx)
    return record


def memberships(draw, ctx: Context) -> list[dict]:
    """Each person at most once, some ended; one chair at most."""
    people = draw(st.lists(st.sampled_from(sorted(ctx.people)), unique=True, max_size=5))
    chair = draw(st.none() | st.sampled_from(people)) if people else None
    result = []
    for key in people:
        start = draw(days())
        role = "chair" if key == chair else draw(st.sampled_from(
            ("co_chair", "secretary", "member", "observer")))
        result.append({"person": key, "agency": draw(st.sampled_from(ctx.agencies)),
                       "role": role, "start": start.isoformat(),
                       "end": draw(st.none() | days(start).map(date.isoformat))})
    return result


def chairs(draw, ctx: Context, com: CommitteeContext) -> dict:
    """A rotation policy, and chair terms one after another (some lapsed, some ended early)."""
    record = {}
    if draw(st.booleans()):
        mode = draw(st.sampled_from(("alternate_sides", "agency_order", "manual")))
        order = (draw(st.lists(st.sampled_from(ctx.agencies), min_size=2, max_size=3,
                               unique=True)) if mode == "agency_order" and
                 len(ctx.agencies) >= 2 else [])
        if mode == "agency_order" and not order:
            mode = "manual"
        record["rotation"] = {"term_months": draw(st.integers(1, 60)), "mode": mode,
                              "agency_order": order,
                              "co_chair_other_side": draw(st.booleans())}
    terms, cursor = [], draw(days(FIRST_DAY, date(2020, 1, 1)))
    for _ in range(draw(st.integers(0, 3))):
        start = cursor + timedelta(days=draw(st.integers(0, 90)))
        planned = start + timedelta(days=draw(st.integers(0, 700)))
        # None with a planned end in the past: a term that lapsed, nobody handed over
        end = draw(st.none() | days(start, planned))
        holder = draw(st.sampled_from(sorted(ctx.people)))
        terms.append({"person": holder, "agency": ctx.people[holder],
                      "start": start.isoformat(), "planned_end": planned.isoformat(),
                      "end": end.isoformat() if end else None, "co_chair": False})
        cursor = min(end or planned + timedelta(days=1), planned + timedelta(days=1))
    if draw(st.booleans()):
        holder = draw(st.sampled_from(sorted(ctx.people)))
        start = draw(days())
        terms.append({"person": holder, "agency": ctx.people[holder],
                      "start": start.isoformat(),
                      "planned_end": (start + timedelta(days=365)).isoformat(), "end": None,
                      "co_chair": True})
    if terms:
        record["chair_terms"] = terms
    return record


def attendance(draw, ctx: Context) -> list[dict]:
    """Some people, each once: present, absent, or a designee named or not."""
    rows = []
    for key in draw(st.lists(st.sampled_from(sorted(ctx.people)), unique=True, max_size=4)):
        row = {"person": key, "status": draw(st.sampled_from(("present", "absent",
                                                              "designee")))}
        others = sorted(set(ctx.people) - {key})
        if row["status"] == "designee" and others and draw(st.booleans()):
            row["designee"] = draw(st.sampled_from(others))
        rows.append(row)
    return rows


def agenda_item(draw, ctx: Context) -> dict:
    """An agenda item; its links name records by key as the agenda keeps them."""
    item = {"title": draw(line()), "kind": draw(st.sampled_from(
        ("report_back", "decision", "discussion", "information"))),
        "minutes": draw(st.integers(1, 480))}
    optional(item, draw, "presenter", st.sampled_from(sorted(ctx.people)))
    optional(item, draw, "notes", text())
    optional(item, draw, "mou", st.just("mou-elsewhere"))
    return item


def meeting(draw, ctx: Context, com: CommitteeContext) -> dict:
    """A meeting, its start on the committee's wall clock; agenda, attendance, minutes."""
    key = ctx.key(f"{com.key}-m")
    com.meetings.append(key)
    starts = draw(instants())
    record = {"key": key,
              "starts_at": starts.astimezone(ZoneInfo(com.timezone)).isoformat(),
              "duration_minutes": draw(st.integers(5, 1440)),
              "status": draw(st.sampled_from(("scheduled", "held", "cancelled")))}
    optional(record, draw, "location", line())
    optional(record, draw, "video_link", st.just(f"https://meet.example.org/{key}"))
    items = [agenda_item(draw, ctx) for _ in range(draw(st.integers(0, 3)))]
    status = draw(st.sampled_from(("draft", "published")))
    if items or status == "published":
        record["agenda"] = {"status": status, "items": items}
    rows = attendance(draw, ctx)
    if rows:
        record["attendance"] = rows
    minutes = {}
    optional(minutes, draw, "text", text())
    optional(minutes, draw, "decisions", st.lists(text(), min_size=1, max_size=2))
    if draw(st.booleans()):
        minutes["approved_at"] = utc(starts + timedelta(days=draw(st.integers(0, 60))))
    if minutes:
        record["minutes"] = minutes
    return record


def update_log(draw, ctx: Context, fields: dict[str, st.SearchStrategy]) -> list[dict]:
    """Updates with distinct (at, by), each with some of fields."""
    log, seen = [], set()
    for _ in range(draw(st.integers(0, 3))):
        entry = {"at": utc(draw(instants())), "by": draw(st.sampled_from(sorted(ctx.people)))}
        if (entry["at"], entry["by"]) in seen:
            continue
        seen.add((entry["at"], entry["by"]))
        for name, strategy in fields.items():
            optional(entry, draw, name, strategy)
        log.append(entry)
    return log


ACTION_STATUSES = ("open", "in_progress", "blocked", "done", "cancelled")


def action(draw, ctx: Context, com: CommitteeContext) -> dict:
    """An action item with its origin and update log."""
    record = {"key": ctx.key(f"{com.key}-a"), "title": draw(line()),
              "owner": draw(st.sampled_from(sorted(ctx.people))),
              "status": draw(st.sampled_from(ACTION_STATUSES)),
              "created_at": utc(draw(instants())),
              "updates": update_log(draw, ctx, {"status": st.sampled_from(ACTION_STATUSES),
                                                "note": text()})}
    optional(record, draw, "description", text())
    optional(record, draw, "due", days().map(date.isoformat))
    if com.workgroups:
        optional(record, draw, "workgroup", st.sampled_from(com.workgroups))
    origins = [{"kind": "other", "ref": "paper-file"}, {"kind": "mou", "ref": "mou-x"}]
    origins += [{"kind": "meeting", "ref": key} for key in com.meetings]
    optional(record, draw, "origin", st.sampled_from(origins))
    return record


def pdsa_cycles(draw, ctx: Context, com: CommitteeContext) -> list[dict]:
    """A ramp of cycles under a goal, each one phase at a time, the later after the earlier."""
    cycles = []
    for _ in range(draw(st.integers(0, 4))):
        phase = draw(st.sampled_from(PHASES))
        steps = PHASES[:PHASES.index(phase) + 1]
        sinces = sorted(draw(st.lists(days(), min_size=len(steps), max_size=len(steps))))
        cycle = {"key": ctx.key("pdsa"), "title": draw(line()), "phase": phase,
                 "phase_history": [{"phase": p, "since": d.isoformat()}
                                   for p, d in zip(steps, sinces, strict=True)]}
        optional(cycle, draw, "owner", st.sampled_from(sorted(ctx.people)))
        plan = {}
        optional(plan, draw, "objective", text())
        optional(plan, draw, "predictions", text())
        if com.measures:
            optional(plan, draw, "measures", st.lists(st.sampled_from(com.measures),
                                                      min_size=1, max_size=2, unique=True))
        if plan:
            cycle["plan"] = plan
        if phase in ("study", "act", "closed"):
            cycle["do"] = {"carried_out": draw(text())}
            optional(cycle, draw, "study_due", days().map(date.isoformat))
        if phase in ("act", "closed"):
            cycle["study"] = {"results": draw(text()), "lessons": draw(text())}
        if phase == "closed":
            cycle["act"] = {"decision": draw(st.sampled_from(("adopt", "adapt", "abandon"))),
                            "reason": draw(text())}
        if cycles and draw(st.booleans()):
            # any earlier cycle: ramps that branch, and several ramps under one goal
            cycle["previous"] = draw(st.sampled_from([c["key"] for c in cycles]))
        cycles.append(cycle)
    return cycles


def goal(draw, ctx: Context, com: CommitteeContext) -> dict:
    """A goal with its milestones and PDSA cycles."""
    record = {"key": ctx.key("g"), "title": draw(line()), "milestones": []}
    optional(record, draw, "description", text())
    for _ in range(draw(st.integers(0, 2))):
        status = draw(st.sampled_from(("open", "done", "cancelled")))
        milestone = {"key": ctx.key("ms"), "title": draw(line()),
                     "due": draw(days()).isoformat(), "status": status}
        optional(milestone, draw, "owner", st.sampled_from(sorted(ctx.people)))
        if status == "done":
            optional(milestone, draw, "done_at", instants().map(utc))
        record["milestones"].append(milestone)
    cycles = pdsa_cycles(draw, ctx, com)
    if cycles:
        record["pdsa_cycles"] = cycles
    return record


def workgroup(draw, ctx: Context, com: CommitteeContext) -> dict:
    """A workgroup, open or closed, with members, its update log and goals."""
    key = ctx.key(f"{com.key}-w")
    com.workgroups.append(key)
    created = draw(instants())
    record = {"key": key, "name": draw(line()),
              "members": draw(st.lists(st.sampled_from(sorted(ctx.people)), unique=True,
                                       max_size=3)),
              "report_back": draw(st.sampled_from(("every_meeting", "monthly", "quarterly"))),
              "created_at": utc(created),
              "updates": update_log(draw, ctx, {"text": text()}),
              "goals": []}
    optional(record, draw, "charge", text())
    optional(record, draw, "lead", st.sampled_from(sorted(ctx.people)))
    if draw(st.booleans()):
        record["closed_at"] = utc(draw(instants(created.date() + timedelta(days=1))))
    return record


def measure(draw, ctx: Context, com: CommitteeContext) -> dict:
    """A measure with points on distinct days."""
    key = ctx.key(f"{com.key}-measure")
    com.measures.append(key)
    record = {"key": key, "name": draw(line()),
              "kind": draw(st.sampled_from(("outcome", "process", "balancing"))),
              "direction": draw(st.sampled_from(("up", "down"))), "points": []}
    optional(record, draw, "definition", text())
    optional(record, draw, "unit", line(20))
    if com.workgroups:
        optional(record, draw, "workgroup", st.sampled_from(com.workgroups))
    optional(record, draw, "source_agency", st.sampled_from(ctx.agencies))
    for day in sorted(draw(st.lists(days(), unique=True, max_size=4))):
        point = {"date": day.isoformat(),
                 "value": draw(st.integers(-10**9, 10**9) | st.floats(
                     -1e9, 1e9, allow_nan=False, allow_infinity=False))}
        optional(point, draw, "note", text())
        record["points"].append(point)
    return record


def committee_work(draw, ctx: Context, com: CommitteeContext) -> dict:
    """Workgroups (with goals and cycles), measures, meetings and actions, in that order
    (actions and cycles refer to the others)."""
    record = {}
    groups = [workgroup(draw, ctx, com) for _ in range(draw(st.integers(0, 2)))]
    measures = [measure(draw, ctx, com) for _ in range(draw(st.integers(0, 2)))]
    for group in groups:
        group["goals"] = [goal(draw, ctx, com) for _ in range(draw(st.integers(0, 2)))]
    meetings = [meeting(draw, ctx, com) for _ in range(draw(st.integers(0, 3)))]
    actions = [action(draw, ctx, com) for _ in range(draw(st.integers(0, 3)))]
    for name, records in (("workgroups", groups), ("measures", measures),
                          ("meetings", meetings), ("actions", actions)):
        if records:
            record[name] = records
    return record


#: a committee record is the union of these; a new committee section adds its function here
COMMITTEE_SECTIONS = (committee_core, chairs, committee_work)


def committee(draw, ctx: Context) -> dict:
    """A committee with every section."""
    com = CommitteeContext(key=ctx.key("c"), timezone=draw(st.sampled_from(TIMEZONES)))
    ctx.committees.append(com.key)
    record: dict = {}
    for section in COMMITTEE_SECTIONS:
        record.update(section(draw, ctx, com))
    return record


# --- MOUs ------------------------------------------------------------------------------------


def mou(draw, ctx: Context, others: list[str]) -> dict:
    """An MOU with one to three versions (the earlier ones superseded) and signatures."""
    parties = draw(st.lists(st.sampled_from(ctx.agencies), min_size=2, max_size=3, unique=True))
    status = draw(st.sampled_from(("draft", "in_review", "out_for_signature", "executed",
                                   "expired", "terminated", "superseded")))
    created = draw(instants(FIRST_DAY, date(2022, 1, 1)))
    versions = []
    for number in range(1, draw(st.integers(1, 3)) + 1):
        version = {"number": number, "text": draw(text(0, 80)),
                   "obligations": [{"party": p, "text": draw(text())} for p in
                                   draw(st.lists(st.sampled_from(parties), max_size=2))],
                   "created_at": utc(created + timedelta(days=30 * number))}
        if draw(st.booleans()):
            version["sent_for_signature_at"] = utc(created + timedelta(days=30 * number + 1))
        versions.append(version)
    executed = status in ("executed", "expired", "terminated", "superseded")
    signatures, when = [], created + timedelta(days=200)
    for number in range(1, len(versions) + 1):
        last = number == len(versions)
        for party in parties:
            if (executed and last) or draw(st.booleans()):
                staff = [p for p, a in ctx.people.items() if a == party] or sorted(ctx.people)
                when += timedelta(hours=draw(st.integers(1, 500)))
                signature = {"party": party, "person": draw(st.sampled_from(staff)),
                             "version": number, "signed_at": utc(when)}
                optional(signature, draw, "title", line())
                signatures.append(signature)
    record = {"key": ctx.key("mou"), "title": draw(line()), "status": status,
              "parties": parties, "versions": versions, "signatures": signatures}
    optional(record, draw, "purpose", text())
    optional(record, draw, "committee", st.sampled_from(ctx.committees))
    effective = draw(st.none() | days())
    if effective:
        record["effective"] = effective.isoformat()
        optional(record, draw, "expires", days(effective, date(2030, 1, 1)).map(date.isoformat))
    optional(record, draw, "review", days().map(date.isoformat))
    if others:
        optional(record, draw, "supersedes", st.sampled_from(others))
    return record


@st.composite
def counties(draw) -> dict:
    """A valid county file using every section of the schema."""
    ctx = Context()
    agencies = [agency(draw, ctx) for _ in range(draw(st.integers(2, 4)))]
    people = [person(draw, ctx) for _ in range(draw(st.integers(2, 6)))]
    heads(draw, ctx, agencies)
    committees = [committee(draw, ctx) for _ in range(draw(st.integers(1, 2)))]
    mous: list[dict] = []
    for _ in range(draw(st.integers(0, 2))):
        mous.append(mou(draw, ctx, [m["key"] for m in mous]))
    return {"format": "govtrack-county/1", "agencies": agencies, "people": people,
            "committees": committees, "mous": mous}


# --- comparing ---------------------------------------------------------------------------------

#: arrays whose order the file keeps; every other array's order is open
ORDERED = frozenset({"items", "goals", "pdsa_cycles", "decisions", "agency_order",
                     "phase_history", "versions"})
#: the fields that tell the records of an open array apart
IDENTITY = ("key", "number", "person", "role", "stage", "start", "since", "at", "by", "date",
            "party", "version", "signed_at", "co_chair")


def canonical(value, name: str = ""):
    """value with every open array in one order (records by IDENTITY, strings sorted)."""
    if isinstance(value, dict):
        return {k: canonical(v, k) for k, v in value.items() if k != "exported_at"}
    if isinstance(value, list):
        items = [canonical(v) for v in value]
        if name in ORDERED:
            return items
        if all(isinstance(v, dict) for v in items):
            return sorted(items, key=lambda r: tuple(str(r.get(f, "")) for f in IDENTITY))
        return sorted(items, key=repr)
    return value


def missing_from(exported, given, path: str = "$") -> list[str]:
    """Where the export lacks or changes what the file gave (export may add defaults).

    A field the file gives as unset (None, "", [] or {}) may be left out of
    the export; every other field must come back equal.
    """
    if isinstance(given, dict):
        if not isinstance(exported, dict):
            return [f"{path}: {exported!r} is not an object"]
        found = []
        for name, value in given.items():
            if name not in exported:
                if value not in (None, "", [], {}):
                    found.append(f"{path}.{name}: missing from the export")
                continue
            found += missing_from(exported[name], value, f"{path}.{name}")
        return found
    if isinstance(given, list):
        if not isinstance(exported, list) or len(exported) != len(given):
            return [f"{path}: {len(given)} items in the file, export has {exported!r}"[:500]]
        return [p for n, (e, g) in enumerate(zip(exported, given, strict=True))
                for p in missing_from(e, g, f"{path}[{n}]")]
    if exported != given or type(exported) is bool and type(given) is not bool:
        return [f"{path}: the file has {given!r}, the export {exported!r}"[:500]]
    return []
