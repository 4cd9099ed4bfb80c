"""Rules for committees, memberships and the collaboration stage."""

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from zoneinfo import available_timezones

from govtrack import audit
from govtrack.agencies.models import SECTORS, Agency, Person
from govtrack.clock import today
from govtrack.committees.cadence import CadenceError, validate_rrule
from govtrack.committees.models import (
    CHAIR_ROLES,
    KINDS,
    ROLES,
    STAGES,
    Committee,
    Membership,
    StageChange,
)
from govtrack.editing import DomainError, apply_edit, unique_key
from govtrack.extensions import db

#: Sectors a cross-system mental-health / criminal-justice committee needs at
#: the table (Kamin et al.): missing ones are shown on the roster, because a
#: committee without, say, the defenders designs a process they then resist.
EXPECTED_SECTORS = (
    "law_enforcement", "prosecution", "public_defense", "courts", "corrections",
    "community_supervision", "mental_health_provider", "mental_health_authority",
    "health", "advocacy",
)

ROLE_ORDER = {role: n for n, role in enumerate(ROLES)}


@cache
def iana_zones() -> frozenset[str]:
    """Every IANA time zone name the machine knows."""
    return frozenset(available_timezones())


def timezone_choices() -> list[str]:
    """IANA zones offered in forms, U.S. ones first."""
    zones = sorted(iana_zones())
    return sorted((z for z in zones if "/" in z and not z.startswith("Etc/")),
                  key=lambda z: (not z.startswith("America/"), z))


def check_committee_fields(values: dict) -> None:
    """Domain rules on a committee's fields, before they are stored."""
    if values.get("kind") not in KINDS:
        raise DomainError("Choose standing or time-limited.", field="kind")
    if values.get("timezone") not in iana_zones():
        # ZoneInfo() alone would accept posix/ and right/ names and crash on "America".
        raise DomainError("Choose a time zone from the list.", field="timezone")
    if values["kind"] == "time_limited" and not values.get("end_date"):
        raise DomainError("A time-limited committee needs an end date.", field="end_date")
    rrule = values.get("cadence_rrule")
    if rrule:
        if not values.get("cadence_dtstart"):
            raise DomainError("Give the date and time of the first regular meeting.",
                              field="cadence_dtstart")
        try:
            validate_rrule(rrule, values["cadence_dtstart"])
        except CadenceError as exc:
            raise DomainError(str(exc), field="cadence_rrule") from exc


def create_committee(actor, *, name: str, kind: str = "standing", timezone: str =
                     "America/New_York", key: str | None = None, **values) -> Committee:
    """Set up a committee (administrators do this)."""
    values.update(name=name, kind=kind, timezone=timezone)
    check_committee_fields(values)
    committee = Committee(key=key or unique_key(Committee, name), **values)
    db.session.add(committee)
    audit.record(actor, "create", committee, committee=committee)
    return committee


def update_committee(actor, committee: Committee, expected_version: int | None,
                     **values) -> None:
    """Edit a committee's purpose, goals, cadence and set-up."""
    merged = {"kind": committee.kind, "timezone": committee.timezone,
              "end_date": committee.end_date, "cadence_rrule": committee.cadence_rrule,
              "cadence_dtstart": committee.cadence_dtstart} | values
    check_committee_fields(merged)
    apply_edit(committee, expected_version, values)
    audit.record(actor, "update", committee, committee=committee)


def change_stage(actor, committee: Committee, stage: str, since: date,
                 note: str = "") -> StageChange:
    """Record that the committee moved to a collaboration stage on a date."""
    if stage not in STAGES:
        raise DomainError("Choose a stage.", field="stage")
    if since > today():
        raise DomainError("The date cannot be in the future.", field="since")
    current = committee.stage
    if current is not None and since < current.since:
        raise DomainError(
            f"The committee has been in {current.label} since {current.since:%d %B %Y}; "
            "a new stage cannot start before that.", field="since")
    if current is not None and current.stage == stage:
        raise DomainError(f"The committee is already in {current.label}.", field="stage")
    change = StageChange(committee=committee, stage=stage, since=since, note=note)
    db.session.add(change)
    audit.record(actor, "create", change, committee=committee,
                 label=f"stage {STAGES[stage]}")
    return change


def _overlaps(a_start: date, a_end: date | None, b_start: date, b_end: date | None) -> bool:
    return a_start <= (b_end or date.max) and b_start <= (a_end or date.max)


def check_membership(committee: Committee, membership: Membership | None, *, person: Person,
                     role: str, start: date, end: date | None) -> None:
    """A person sits once at a time on a committee, and there is one chair at a time."""
    if role not in ROLES:
        raise DomainError("Choose a role.", field="role")
    if end is not None and end < start:
        raise DomainError("The end date cannot be before the start date.", field="end")
    for other in committee.memberships:
        if other is membership or not _overlaps(start, end, other.start, other.end):
            continue
        if other.person_id == person.id:
            raise DomainError(f"{person.name} is already a member for part of that time "
                              f"(from {other.start:%d %B %Y}).", field="person")
        if role == "chair" and other.role == "chair":
            raise DomainError(f"{other.person.name} is chair for part of that time; end that "
                              "membership or choose another role.", field="role")


CHAIR_SEAT_MESSAGE = ("Chair and co-chair seats change only through the chair's hand-over "
                      "(Hand over the chair, or The chair leaves, on the committee page).")


def check_seat_change(actor, membership: Membership | None, *, role: str, start: date,
                      end: date | None) -> None:
    """Chair and co-chair seats change only through the chair services; no one edits
    their own seat's role.

    Editing memberships is open to the secretary: without this rule a secretary
    demoted the chair to member and made her own seat the chair.
    """
    before = membership.role if membership is not None else None
    if role != before and (role in CHAIR_ROLES or before in CHAIR_ROLES):
        raise DomainError(CHAIR_SEAT_MESSAGE, field="role")
    if before in CHAIR_ROLES and (start, end) != (membership.start, membership.end):
        raise DomainError(CHAIR_SEAT_MESSAGE, field="end")
    if (membership is not None and role != before and actor is not None
            and getattr(actor, "person_id", None) == membership.person_id):
        raise DomainError("Nobody changes the role of their own seat: ask another editor.",
                          field="role")


def add_membership(actor, committee: Committee, *, person: Person, agency: Agency, role: str,
                   start: date, end: date | None = None) -> Membership:
    """Seat a person on the committee in any role but chair and co-chair."""
    check_seat_change(actor, None, role=role, start=start, end=end)
    return open_seat(actor, committee, person=person, agency=agency, role=role, start=start,
                     end=end)


def update_membership(actor, membership: Membership, expected_version: int | None, *,
                      agency: Agency, role: str, start: date, end: date | None) -> None:
    """Change a membership's role, agency or dates (ending it is setting an end).

    A chair or co-chair seat keeps its role and dates here: the chair services
    change them.
    """
    check_seat_change(actor, membership, role=role, start=start, end=end)
    change_seat(actor, membership, expected_version, agency=agency, role=role, start=start,
                end=end)


def open_seat(actor, committee: Committee, *, person: Person, agency: Agency, role: str,
              start: date, end: date | None = None) -> Membership:
    """Seat a person in any role: for the chair services, which check who may act."""
    check_membership(committee, None, person=person, role=role, start=start, end=end)
    membership = Membership(committee=committee, person=person, agency=agency, role=role,
                            start=start, end=end)
    db.session.add(membership)
    audit.record(actor, "create", membership, committee=committee)
    return membership


def change_seat(actor, membership: Membership, expected_version: int | None, *,
                agency: Agency, role: str, start: date, end: date | None) -> None:
    """Change any seat's role, agency or dates: for the chair services."""
    check_membership(membership.committee, membership, person=membership.person, role=role,
                     start=start, end=end)
    apply_edit(membership, expected_version,
               {"agency_id": agency.id, "role": role, "start": start, "end": end})
    audit.record(actor, "update", membership, committee=membership.committee)


@dataclass
class Roster:
    """Who sits on a committee on a day, and which sectors are at the table."""

    current: list[Membership]
    former: list[Membership]
    future: list[Membership]
    sectors_present: dict[str, list[Agency]] = field(default_factory=dict)
    sectors_missing: list[str] = field(default_factory=list)

    @property
    def sides_present(self) -> set[str]:
        """Sides with at least one agency at the table."""
        return {SECTORS[s][1] for s in self.sectors_present}


def roster(committee: Committee, on: date | None = None) -> Roster:
    """The committee's roster on a day (default today), with sector coverage."""
    day = on or today()
    current, former, future = [], [], []
    for m in committee.memberships:
        if m.start > day:
            future.append(m)
        elif m.holds_on(day):
            current.append(m)
        else:
            former.append(m)
    current.sort(key=lambda m: (ROLE_ORDER[m.role], m.person.name))
    # An earlier seat of someone still on the committee (a member who became
    # chair) is history, not a departure: it stays in the audit trail.
    sitting = {m.person_id for m in current} | {m.person_id for m in future}
    former = [m for m in former if m.person_id not in sitting]
    former.sort(key=lambda m: m.end or day, reverse=True)
    present: dict[str, list[Agency]] = {}
    for m in current:
        agencies = present.setdefault(m.agency.sector, [])
        if m.agency not in agencies:
            agencies.append(m.agency)
    missing = [s for s in EXPECTED_SECTORS if s not in present]
    ordered = {s: present[s] for s in SECTORS if s in present}
    return Roster(current, former, future, ordered, missing)


def dtstart_naive(value: datetime | None) -> datetime | None:
    """Cadence start times are wall-clock times in the committee's zone."""
    return value.replace(tzinfo=None) if value else None
