"""Hypothesis strategies for valid county files, one function per section of the schema.

`counties()` draws a whole file: agencies, people, committees (each with its
sections) and MOUs. Every section is drawn by its own function taking `draw`
and a `Context` (the keys drawn so far), so a field added to a section is one
line in that section's function, and a new section is one function added to
COMMITTEE_SECTIONS. Every file drawn is valid: the schema, the references and
the domain rules (no overlapping memberships or chair terms, phase history one
step at a time, signatures by parties, nothing dated after today) all hold.
Each optional field is sometimes there and sometimes not, and (as another tool
may write it) sometimes null where the schema allows that.

Instants are drawn to the second and written as the export writes them: UTC
with Z, except a meeting's start, which is on its committee's wall clock with
that day's offset. `canonical()` puts a file's arrays in one order where the
format leaves their order open, for comparing an export with the file.
"""

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from hypothesis import strategies as st

from govtrack import features
from govtrack.county.services import load_schema

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


def note(max_size: int = 40) -> st.SearchStrategy[str]:
    """Text with something in it besides white space (a reason, a note that must say something)."""
    return text(1, max_size).filter(lambda value: value.strip())


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
    record = {"key": key, "name": draw(line()),
              "email": draw(st.none() | st.just(f"{key}@example.org")),
              "agency": agency_key, "title": draw(st.none() | line()), "active": active,
              "inactive_since": None if active else draw(st.none() | days().map(date.isoformat))}
    optional(record, draw, "reminders", reminder_choices())
    return record


#: every kind of reminder govtrack sends, and whether it is mandatory (never off)
REMINDER_KINDS = {kind.code: kind.mandatory for kind in features.REMINDER_KINDS}


def reminder_choices() -> st.SearchStrategy[list[dict]]:
    """A person's choices other than immediately: each kind once, a mandatory one never off."""
    return st.lists(st.sampled_from(sorted(REMINDER_KINDS)), unique=True, max_size=3).flatmap(
        lambda kinds: st.tuples(*(st.sampled_from(("digest",) if REMINDER_KINDS[k]
                                                  else ("digest", "off")) for k in kinds)).map(
            lambda deliveries: [{"kind": k, "delivery": d}
                                for k, d in zip(kinds, deliveries, strict=True)]))


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
    memberships: list[dict] = field(default_factory=list)
    meetings: list[str] = field(default_factory=list)
    workgroups: list[str] = field(default_factory=list)
    measures: list[str] = field(default_factory=list)
    #: the agenda requests drawn, as items name them ({"proposer", "created_at"})
    requests: list[dict] = field(default_factory=list)
    #: (meeting key, position) of every agenda item drawn
    items: list[tuple[str, int]] = field(default_factory=list)
    #: the cadence occurrences meetings were moved off
    occurrences: set[str] = field(default_factory=set)
    #: the starts the committee's cadence gives (wall clock), if it has one
    cadence: list[datetime] = field(default_factory=list)


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
        start = datetime.fromisoformat(record["cadence"]["dtstart"])
        com.cadence = rrulestr(record["cadence"]["rrule"], dtstart=start).between(
            start, datetime.combine(LAST_DAY, time()), inc=True)
    stages = draw(st.lists(st.sampled_from(("engagement", "assessment", "planning",
                                            "monitoring", "problem_solving", "transition")),
                           max_size=4))
    sinces = draw(st.lists(days(), min_size=len(stages), max_size=len(stages), unique=True))
    record["stage_history"] = [{"stage": s, "since": d.isoformat()}
                               for s, d in zip(stages, sorted(sinces), strict=True)]
    record["memberships"] = com.memberships = memberships(draw, ctx)
    thresholds = {}
    for name, top in THRESHOLDS.items():
        optional(thresholds, draw, name, st.integers(1, top))
    optional(record, draw, "thresholds", st.just(thresholds))
    optional(record, draw, "default_location", line())
    if draw(st.booleans()):
        record["quorum"] = {"min_present": draw(st.integers(1, 1000))}
        optional(record["quorum"], draw, "required_sides", st.lists(st.sampled_from(
            ("criminal_justice", "behavioural_health", "community")), unique=True))
    optional(record, draw, "standing_items", st.lists(standing_item(), min_size=1,
                                                       max_size=3))
    return record


#: the thresholds a committee may set besides stall_after_days, and each one's highest value
THRESHOLDS = {"pdsa_phase_days": 365, "pdsa_study_late_days": 365,
              "attendance_low_percent": 100, "attendance_drop_points": 100,
              "mou_stall_days": 365, "mou_expiring_days": 730}
ITEM_KINDS = ("report_back", "decision", "discussion", "information")


def standing_item() -> st.SearchStrategy[dict]:
    """An item put on every agenda, at its start or its end."""
    return st.fixed_dictionaries({"title": line(), "kind": st.sampled_from(ITEM_KINDS),
                                  "minutes": st.integers(1, 480),
                                  "placement": st.sampled_from(("start", "end"))})


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
        cursor = min(end or planned + timedelta(days=1), planned + timedelta(days=1))
        if any((t["person"], t["start"]) == (holder, start.isoformat()) for t in terms):
            continue  # after a term ended on its first day: one term of a person a day
        terms.append({"person": holder, "agency": ctx.people[holder],
                      "start": start.isoformat(), "planned_end": planned.isoformat(),
                      "end": end.isoformat() if end else None, "co_chair": False})
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


def attendance(draw, ctx: Context, members: list[str]) -> list[dict]:
    """Some people (often the committee's members), each once: present, absent, or a
    designee named or not."""
    rows = []
    pool = sorted(set(members)) if members and draw(st.booleans()) else sorted(ctx.people)
    for key in draw(st.lists(st.sampled_from(pool), unique=True, max_size=4)):
        row = {"person": key, "status": draw(st.sampled_from(("present", "absent",
                                                              "designee")))}
        others = sorted(set(ctx.people) - {key})
        if row["status"] == "designee" and others and draw(st.booleans()):
            row["designee"] = draw(st.sampled_from(others))
        rows.append(row)
    return rows


def agenda_item(draw, ctx: Context, com: CommitteeContext) -> dict:
    """An agenda item; its links name records by key as the agenda keeps them (its action
    and what proposed it are drawn once the committee's actions and requests are)."""
    item = {"title": draw(line()), "kind": draw(st.sampled_from(ITEM_KINDS)),
            "minutes": draw(st.integers(1, 480))}
    optional(item, draw, "presenter", st.sampled_from(sorted(ctx.people)))
    optional(item, draw, "notes", text())
    optional(item, draw, "mou", st.just("mou-elsewhere"))
    if com.workgroups:
        optional(item, draw, "workgroup", st.sampled_from(com.workgroups))
    if com.measures:
        optional(item, draw, "measure", st.sampled_from(com.measures))
    optional(item, draw, "why", text())
    return item


def voters(meeting: dict, com: CommitteeContext) -> list[str]:
    """Members on the meeting's day (observers aside) it marks present or represented."""
    day = datetime.fromisoformat(meeting["starts_at"]).date()
    members = {m["person"] for m in com.memberships if m["role"] != "observer"
               and date.fromisoformat(m["start"]) <= day
               and (m["end"] is None or day <= date.fromisoformat(m["end"]))}
    return sorted(members & {a["person"] for a in meeting.get("attendance", [])
                             if a["status"] in ("present", "designee")})


def rsvps(draw, ctx: Context, starts: datetime) -> list[dict]:
    """Members' answers before the meeting, one a person; only "designee" names one."""
    rows = []
    for key in draw(st.lists(st.sampled_from(sorted(ctx.people)), unique=True, max_size=3)):
        row = {"person": key, "answer": draw(st.sampled_from(("attending", "designee",
                                                              "apologies"))),
               "answered_at": utc(starts - timedelta(hours=draw(st.integers(1, 2000))))}
        others = sorted(set(ctx.people) - {key})
        if row["answer"] == "designee" and others:
            optional(row, draw, "designee", st.sampled_from(others))
        rows.append(row)
    return rows


def motions(draw, record: dict, com: CommitteeContext, starts: datetime) -> list[dict]:
    """Motions moved, seconded and voted on by members present or represented."""
    people = voters(record, com)
    items = len(record.get("agenda", {}).get("items", []))
    result = []
    for n in range(draw(st.integers(0, 3)) if people else 0):
        mover = draw(st.sampled_from(people))
        motion = {"text": draw(line()), "mover": mover,
                  "result": draw(st.sampled_from(("carried", "defeated", "no_quorum"))),
                  "voted_at": utc(starts + timedelta(minutes=10 * n + draw(st.integers(0, 9))))}
        if result and draw(st.booleans()):
            # the same moment and words as the one before (a motion put twice, a clerk's
            # rounding), or an earlier moment: the file's order is the record's
            motion["voted_at"] = draw(st.sampled_from(
                (result[-1]["voted_at"], utc(starts + timedelta(minutes=draw(
                    st.integers(0, 9)))))))
            if draw(st.booleans()):
                motion["text"] = result[-1]["text"]
        if len(people) > 1:
            optional(motion, draw, "seconder", st.sampled_from([p for p in people
                                                                if p != mover]))
        optional(motion, draw, "quorum_statement", line())
        if items:
            optional(motion, draw, "item", st.integers(0, items - 1))
        optional(motion, draw, "votes", st.lists(
            st.tuples(st.sampled_from(people), st.sampled_from(("yes", "no", "abstain",
                                                                "recused"))),
            unique_by=lambda vote: vote[0], min_size=1).map(
            lambda votes: [{"person": p, "vote": v} for p, v in votes]))
        result.append(motion)
    return result


def meeting(draw, ctx: Context, com: CommitteeContext) -> dict:
    """A meeting, its start on the committee's wall clock; agenda, attendance, RSVPs,
    motions, minutes and the stamps reminders and calendars read."""
    key = ctx.key(f"{com.key}-m")
    com.meetings.append(key)
    member = draw(st.none() | st.sampled_from(com.memberships)) if com.memberships else None
    if com.cadence and draw(st.booleans()):
        # on a date of its cadence: the meeting stands on that occurrence
        starts = draw(st.sampled_from(com.cadence)).replace(
            tzinfo=ZoneInfo(com.timezone)).astimezone(UTC)
    elif member is not None:
        # in some member's time on the committee, so there is someone to move a motion
        end = date.fromisoformat(member["end"]) if member["end"] else LAST_DAY
        starts = draw(instants(date.fromisoformat(member["start"]), end))
    else:
        starts = draw(instants())
    local = starts.astimezone(ZoneInfo(com.timezone))
    record = {"key": key, "starts_at": local.isoformat(),
              "duration_minutes": draw(st.integers(5, 1440)),
              "status": draw(st.sampled_from(("scheduled", "held", "cancelled")))}
    optional(record, draw, "location", line())
    optional(record, draw, "video_link", st.just(f"https://meet.example.org/{key}"))
    optional(record, draw, "moved_at", instants().map(utc))
    if record["status"] == "cancelled":
        optional(record, draw, "cancelled_at", instants().map(utc))
    optional(record, draw, "sequence", st.integers(1, 10**6))
    # moved off its cadence date: a wall-clock time of its own, no other meeting's
    occurrence = (local.replace(tzinfo=None) - timedelta(days=draw(st.integers(1, 9)))
                  ).isoformat(timespec="seconds")
    if occurrence not in com.occurrences and draw(st.booleans()):
        com.occurrences.add(occurrence)
        record["occurrence"] = occurrence
    items = [agenda_item(draw, ctx, com) for _ in range(draw(st.integers(0, 3)))]
    status = draw(st.sampled_from(("draft", "published")))
    if items or status == "published":
        record["agenda"] = {"status": status, "items": items}
        if status == "published" and draw(st.booleans()):
            published = draw(instants())
            record["agenda"]["published_at"] = utc(published)
            optional(record["agenda"], draw, "changed_at", st.integers(1, 10**6).map(
                lambda s: utc(published + timedelta(seconds=s))))
    rows = attendance(draw, ctx, [m["person"] for m in com.memberships])
    if (member is not None and member["person"] not in {r["person"] for r in rows}
            and draw(st.booleans())):
        rows.append({"person": member["person"], "status": "present"})
    if rows:
        record["attendance"] = rows
    optional(record, draw, "rsvps", st.just(rsvps(draw, ctx, starts)))
    found = motions(draw, record, com, starts)
    if found:
        record["motions"] = found
    minutes = {}
    optional(minutes, draw, "text", text())
    optional(minutes, draw, "decisions", st.lists(text(), min_size=1, max_size=2))
    if draw(st.booleans()):
        minutes["approved_at"] = utc(starts + timedelta(days=draw(st.integers(0, 60))))
    if minutes:
        record["minutes"] = minutes
    return record


#: a source naming a row by id, or govtrack's own: refused in a file
_NOT_A_SOURCE = re.compile(r"^((request|carried):\d+$|county:)")


def sources(com: CommitteeContext) -> st.SearchStrategy[str]:
    """A source key a draft gives an item, as govtrack writes them or any other."""
    keys = [f"approve:{m}" for m in com.meetings] + [
        f"workgroup-report:{w}" for w in com.workgroups]
    return (st.sampled_from(keys) if keys else st.nothing()) | line().filter(
        lambda value: not _NOT_A_SOURCE.match(value))


def origin(draw, com: CommitteeContext, taken: set) -> dict:
    """What proposed an item or backlog entry: nothing, a request, an item carried over, or
    another source; one taken already (the agenda or backlog holds each once) is not drawn."""
    choices = ["none", "source"]
    if com.requests:
        choices.append("request")
    if com.items:
        choices.append("carried_from")
    kind = draw(st.sampled_from(choices))
    if kind == "none":
        return {}
    if kind == "source":
        value = draw(sources(com))
        identity = ("source", value)
    elif kind == "request":
        value = draw(st.sampled_from(com.requests))
        identity = ("request", value["proposer"], value["created_at"])
    else:
        meeting, item = draw(st.sampled_from(com.items))
        value = {"meeting": meeting, "item": item}
        identity = ("carried", meeting, item)
    if identity in taken:
        return {}
    taken.add(identity)
    return {kind: value}


def agenda_requests(draw, ctx: Context, com: CommitteeContext) -> list[dict]:
    """Members' requests for agenda items, each known by its proposer and time."""
    result, seen = [], set()
    for _ in range(draw(st.integers(0, 3))):
        request = {"proposer": draw(st.sampled_from(sorted(ctx.people))),
                   "created_at": utc(draw(instants())), "title": draw(line()),
                   "kind": draw(st.sampled_from(ITEM_KINDS)),
                   "minutes": draw(st.integers(1, 480)),
                   "status": draw(st.sampled_from(("pending", "accepted", "declined")))}
        if (request["proposer"], request["created_at"]) in seen:
            continue
        seen.add((request["proposer"], request["created_at"]))
        if com.meetings:
            optional(request, draw, "meeting", st.sampled_from(com.meetings))
        optional(request, draw, "note", text())
        if request["status"] != "pending":
            optional(request, draw, "decided_at", instants().map(utc))
        com.requests.append({"proposer": request["proposer"],
                             "created_at": request["created_at"]})
        result.append(request)
    return result


def backlog(draw, ctx: Context, com: CommitteeContext) -> list[dict]:
    """Items waiting for a meeting, each from its own place (or known by its time)."""
    result, taken = [], set()
    when = draw(instants())
    for _ in range(draw(st.integers(0, 3))):
        entry = agenda_item(draw, ctx, com)
        if com.workgroups:
            optional(entry, draw, "pdsa_cycle", st.just("pdsa-elsewhere"))
        entry |= origin(draw, com, taken)
        when += timedelta(seconds=draw(st.integers(1, 10**7)))  # distinct times
        entry["created_at"] = utc(when)
        optional(entry, draw, "dropped_at", st.integers(1, 10**6).map(
            lambda s, start=when: utc(start + timedelta(seconds=s))))
        result.append(entry)
    return result


def link_agendas(draw, meetings: list[dict], actions: list[dict], com: CommitteeContext) -> None:
    """Link agenda items to the committee's actions and to what proposed them."""
    keys = [a["key"] for a in actions]
    for record in meetings:
        taken: set = set()
        for n, item in enumerate(record.get("agenda", {}).get("items", [])):
            if keys:
                optional(item, draw, "action", st.sampled_from(keys))
            found = origin(draw, com, taken)
            if found.get("carried_from") != {"meeting": record["key"], "item": n}:
                item |= found


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
                 "phase_history": [phase_change(draw, p, d, com)
                                   for p, d in zip(steps, sinces, strict=True)]}
        optional(cycle, draw, "owner", st.sampled_from(sorted(ctx.people)))
        plan = {}
        optional(plan, draw, "objective", text())
        optional(plan, draw, "predictions", text())
        optional(plan, draw, "questions", text())
        optional(plan, draw, "who_what_where_when", text())
        if com.measures:
            optional(plan, draw, "measures", st.lists(st.sampled_from(com.measures),
                                                      min_size=1, max_size=2, unique=True))
        if plan:
            cycle["plan"] = plan
        if phase in ("study", "act", "closed"):
            cycle["do"] = {"carried_out": draw(text())}
            optional(cycle["do"], draw, "observations", text())
            optional(cycle["do"], draw, "problems", text())
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


def phase_change(draw, phase: str, since: date, com: CommitteeContext) -> dict:
    """A change of phase, recorded on its day or later (`at` only when not at the start
    of that day on the committee's clock, which is what a change without one means)."""
    change = {"phase": phase, "since": since.isoformat()}
    if draw(st.booleans()):
        midnight = datetime.combine(since, time(), tzinfo=ZoneInfo(com.timezone))
        change["at"] = utc(midnight + timedelta(seconds=draw(st.integers(1, 3 * 86400))))
    return change


def due_changes(draw, ctx: Context, due: date) -> list[dict]:
    """Re-datings that chain, oldest first, the last one to the milestone's due date."""
    dates = draw(st.lists(days(), max_size=3))
    dates = [d for n, d in enumerate(dates) if n == 0 or d != dates[n - 1]]
    if dates and dates[-1] == due:
        dates.pop()
    if not dates:
        return []
    chain, at = [*dates, due], draw(instants())
    changes = []
    for before, after in zip(chain, chain[1:], strict=False):
        at += timedelta(seconds=draw(st.integers(0, 10**7)))
        change = {"from": before.isoformat(), "to": after.isoformat(), "at": utc(at)}
        optional(change, draw, "by", st.sampled_from(sorted(ctx.people)))
        optional(change, draw, "reason", text())
        changes.append(change)
    return changes


def goal(draw, ctx: Context, com: CommitteeContext) -> dict:
    """A goal with its milestones (some re-dated) and PDSA cycles; open or reached."""
    record = {"key": ctx.key("g"), "title": draw(line()), "milestones": []}
    optional(record, draw, "description", text())
    end = draw(st.none() | days())
    if end is not None:
        record["end_date"] = end.isoformat()
    if draw(st.booleans()):
        record["status"] = draw(st.sampled_from(("achieved", "cancelled")))
        optional(record, draw, "status_at", instants().map(utc))
    for _ in range(draw(st.integers(0, 2))):
        status = draw(st.sampled_from(("open", "done", "cancelled")))
        # an open milestone is due by the goal's end
        due = draw(days(end=end if end is not None and status == "open" else LAST_DAY))
        milestone = {"key": ctx.key("ms"), "title": draw(line()),
                     "due": due.isoformat(), "status": status}
        optional(milestone, draw, "owner", st.sampled_from(sorted(ctx.people)))
        if status == "done":
            optional(milestone, draw, "done_at", instants().map(utc))
        changes = due_changes(draw, ctx, due)
        if changes:
            milestone["due_changes"] = changes
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
        reason = draw(st.none() | st.sampled_from(("achieved", "merged", "abandoned")))
        if reason is not None:
            record["closed_reason"] = reason
        # merged or abandoned: the note says where the work went or why it stopped
        if reason in ("merged", "abandoned"):
            record["closed_note"] = draw(note())
        else:
            optional(record, draw, "closed_note", text())
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
    # each written only when not the default (monthly; anhoej, all points, no limits)
    optional(record, draw, "frequency", st.sampled_from(("weekly", "quarterly", "yearly")))
    chart = {}
    optional(chart, draw, "rules", st.just("ihi"))
    optional(chart, draw, "baseline_points", st.integers(2, 100))
    optional(chart, draw, "reset_on", days().map(date.isoformat))
    optional(chart, draw, "show_limits", st.just(True))
    optional(chart, draw, "target", st.integers(-10**6, 10**6) | st.floats(
        -1e6, 1e6, allow_nan=False, allow_infinity=False))
    optional(record, draw, "chart", st.just(chart))
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
    com.items = [(m["key"], n) for m in meetings
                 for n in range(len(m.get("agenda", {}).get("items", [])))]
    actions = [action(draw, ctx, com) for _ in range(draw(st.integers(0, 3)))]
    requests = agenda_requests(draw, ctx, com)
    link_agendas(draw, meetings, actions, com)
    waiting = backlog(draw, ctx, com)
    for name, records in (("workgroups", groups), ("measures", measures),
                          ("meetings", meetings), ("actions", actions),
                          ("agenda_requests", requests), ("backlog", waiting)):
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
    events: dict[str, list] = {"signatures": [], "declines": [], "voids": []}
    when = created + timedelta(days=200)
    for number in range(1, len(versions) + 1):
        last = number == len(versions)
        for party in parties:
            staff = [p for p, a in ctx.people.items() if a == party] or sorted(ctx.people)
            # what happens to this party's signature of this version, in time order
            steps = draw(st.lists(st.sampled_from(("decline", "sign", "void")), max_size=4))
            if executed and last:
                steps.append("sign")  # an MOU in force holds every party's signature of it
            holding = False
            for step in steps:
                if holding != (step == "void"):
                    continue  # signs (or declines) while not signed; voids what it signed
                # a fraction of a second now and then: another tool's record keeps one
                when += timedelta(hours=draw(st.integers(1, 500)),
                                  microseconds=draw(st.sampled_from((0, 1, 250_000, 999_999))))
                event = {"party": party, "version": number}
                if step == "void":
                    event["at"] = utc(when)
                    optional(event, draw, "person", st.sampled_from(staff))
                    optional(event, draw, "reason", text())
                    events["voids"].append(event)
                elif step == "decline":
                    event |= {"person": draw(st.sampled_from(staff)), "at": utc(when),
                              "reason": draw(note())}
                    optional(event, draw, "title", line())
                    events["declines"].append(event)
                else:
                    event |= {"person": draw(st.sampled_from(staff)), "signed_at": utc(when)}
                    optional(event, draw, "title", line())
                    optional(event, draw, "signed_as", st.sampled_from(
                        ("head", "authorised_signatory")))
                    events["signatures"].append(event)
                holding = step == "sign"
    record = {"key": ctx.key("mou"), "title": draw(line()), "status": status,
              "parties": parties, "versions": versions,
              "signatures": events["signatures"]} | _set_only(events, "declines", "voids")
    optional(record, draw, "purpose", text())
    optional(record, draw, "background", text())
    optional(record, draw, "committee", st.sampled_from(ctx.committees))
    if draw(st.booleans()):
        # began before its first version (without it, the MOU began with that version)
        record["created_at"] = utc(created - timedelta(seconds=draw(st.integers(1, 10**7))))
    optional(record, draw, "signing_order", st.permutations(parties))
    effective = draw(st.none() | days())
    if effective:
        record["effective"] = effective.isoformat()
        optional(record, draw, "expires", days(effective, date(2030, 1, 1)).map(date.isoformat))
    optional(record, draw, "review", days().map(date.isoformat))
    if others:
        optional(record, draw, "supersedes", st.sampled_from(others))
    return record


def _set_only(record: dict, *names: str) -> dict:
    """The named fields of record that hold something."""
    return {name: record[name] for name in names if record[name]}


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
    file = {"format": "govtrack-county/1", "agencies": agencies, "people": people,
            "committees": committees, "mous": mous}
    optional(file, draw, "signatories", st.just(signatories(draw, ctx, mous)))
    if draw(st.booleans()):
        # another tool writes an unset field as null where govtrack leaves it out
        with_nulls(draw, file, load_schema())
    return file


def _nullable(schema: dict) -> bool:
    types = schema.get("type", [])
    return "null" in (types if isinstance(types, list) else [types]) or any(
        option.get("type") == "null" for option in schema.get("anyOf", []))


def _object_schema(schema: dict) -> dict | None:
    """The part of schema that describes an object (itself, or one of its anyOf)."""
    if "properties" in schema:
        return schema
    return next((option for option in schema.get("anyOf", []) if "properties" in option), None)


def with_nulls(draw, value, schema: dict) -> None:
    """Write some optional fields the record leaves out as null, where the schema allows it
    (an action's origin aside: its kind decides whether it needs a ref)."""
    if isinstance(value, list) and "items" in schema:
        for item in value:
            with_nulls(draw, item, schema["items"])
        return
    described = _object_schema(schema) if isinstance(value, dict) else None
    if described is None:
        return
    required = set(described.get("required", []))
    for name, part in described["properties"].items():
        if name in value:
            with_nulls(draw, value[name], part)
        elif (name not in required and name != "ref" and _nullable(part)
              and draw(st.booleans())):
            value[name] = None


def signatories(draw, ctx: Context, mous: list[dict]) -> list[dict]:
    """The register of who may sign for an agency: some for one MOU, some ended."""
    result, seen = [], set()
    for _ in range(draw(st.integers(1, 3))):
        person = draw(st.sampled_from(sorted(ctx.people)))
        agency = draw(st.sampled_from(ctx.agencies))
        starts = draw(days())
        entry = {"agency": agency, "person": person, "starts_on": starts.isoformat()}
        own = [m["key"] for m in mous if agency in m["parties"]]
        if own:
            optional(entry, draw, "mou", st.sampled_from(own))
        if (agency, person, entry.get("mou"), starts) in seen:
            continue
        seen.add((agency, person, entry.get("mou"), starts))
        optional(entry, draw, "ends_on", days(starts).map(date.isoformat))
        optional(entry, draw, "granted_by", st.sampled_from(sorted(ctx.people)))
        if draw(st.booleans()):
            # written only when not the first day at 00:00 UTC, what an undated grant means
            granted = datetime.combine(starts, time(), tzinfo=UTC)
            entry["granted_at"] = utc(granted - timedelta(seconds=draw(st.integers(1, 10**7))))
        if draw(st.booleans()):
            entry["ended_at"] = utc(draw(instants(starts)))
            optional(entry, draw, "ended_by", st.sampled_from(sorted(ctx.people)))
        result.append(entry)
    return result


# --- comparing ---------------------------------------------------------------------------------

#: arrays whose order the file keeps; every other array's order is open
ORDERED = frozenset({"items", "goals", "pdsa_cycles", "decisions", "agency_order",
                     "phase_history", "versions", "standing_items", "signing_order",
                     "due_changes", "motions"})
#: the fields that tell the records of an open array apart
IDENTITY = ("key", "number", "person", "role", "stage", "start", "since", "at", "by", "date",
            "party", "version", "signed_at", "co_chair", "created_at", "proposer", "voted_at",
            "agency", "mou", "starts_on", "kind")


def canonical(value, name: str = ""):
    """value with every open array in one order (records by IDENTITY, strings sorted)."""
    if isinstance(value, dict):
        return {k: canonical(v, k) for k, v in value.items() if k != "exported_at"}
    if isinstance(value, list):
        items = [canonical(v) for v in value]
        if name in ORDERED:
            return items
        if all(isinstance(v, dict) for v in items):
            # a field given as null sorts as one left out (the export leaves it out)
            return sorted(items, key=lambda r: tuple(
                "" if r.get(f) is None else str(r[f]) for f in IDENTITY))
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
