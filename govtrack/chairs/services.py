"""Chair rotation and succession, computed from live state.

Kamin, Weisman and Lamberti found committees stop meeting when the chair
leaves: members defer to each other, and some fear that calling a meeting
makes them the next chair. So govtrack keeps a line of succession (a rotation
policy and its outlook), warns before a term ends with no successor, and when
the seat falls vacant names who must convene the meeting that picks the next
chair: the head of the former chair's agency.
"""

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta

from govtrack import audit
from govtrack.actions import handover as actions_handover
from govtrack.agencies.models import SIDES, Agency, Person
from govtrack.chairs.handover import HandoverStep, run_steps
from govtrack.chairs.models import MODES, ChairTerm, RotationPolicy
from govtrack.clock import today
from govtrack.committees.models import Committee, Membership
from govtrack.committees.services import change_seat, open_seat
from govtrack.editing import DomainError, apply_edit
from govtrack.extensions import db
from govtrack.meetings import handover as meetings_handover

#: the chair term must be named this many days before it ends
WARN_DAYS = 60
#: sides the chair alternates between; community agencies chair in manual mode
ROTATING_SIDES = ("criminal_justice", "behavioural_health")


def anniversary(start: date, months: int) -> date:
    """The day `months` after start; a day the month lacks rolls to the 1st of the next.

    So a term from 29 February 2024 runs to 28 February 2025 and one from
    31 January, for one month, to the last day of February.
    """
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    if start.day > calendar.monthrange(year, month)[1]:
        return date(year + month // 12, month % 12 + 1, 1)
    return date(year, month, start.day)


def planned_end_for(start: date, months: int) -> date:
    """The last day of a term of `months` starting on start."""
    return anniversary(start, months) - timedelta(days=1)


def policy_of(committee: Committee) -> RotationPolicy:
    """The committee's rotation policy, or the research's default (not stored)."""
    return committee.rotation_policy or RotationPolicy(
        term_months=12, mode="alternate_sides", agency_order=[], co_chair_other_side=False)


def set_policy(actor, committee: Committee, expected_version: int | None, *, term_months: int,
               mode: str, agency_order: list[str], co_chair_other_side: bool) -> RotationPolicy:
    """Store the committee's rotation policy."""
    if mode not in MODES:
        raise DomainError("Choose how the chair rotates.", field="mode")
    if not 1 <= term_months <= 60:
        raise DomainError("A term lasts from 1 to 60 months.", field="term_months")
    if mode == "agency_order" and len(agency_order) < 2:
        raise DomainError("Name at least two agencies, in order.", field="agency_order")
    if len(set(agency_order)) != len(agency_order):
        raise DomainError("Name each agency once.", field="agency_order")
    values = {"term_months": term_months, "mode": mode, "agency_order": agency_order,
              "co_chair_other_side": co_chair_other_side}
    policy = committee.rotation_policy
    if policy is None:
        policy = RotationPolicy(committee=committee, **values)
        db.session.add(policy)
        audit.record(actor, "create", policy, committee=committee)
    else:
        apply_edit(policy, expected_version, values)
        audit.record(actor, "update", policy, committee=committee)
    return policy


# --- when a term holds -------------------------------------------------------


def _membership_cover_end(memberships: list[Membership], start: date) -> date:
    """The first day from start on which no membership of the list covers the day."""
    covered = start
    for m in sorted(memberships, key=lambda m: m.start):
        if m.start <= covered and (m.end is None or m.end >= covered):
            if m.end is None:
                return date.max
            covered = m.end + timedelta(days=1)
    return covered


def stopped_on(term: ChairTerm, committee: Committee) -> date:
    """The first day from its start on which the term no longer holds.

    A term holds while it has started, is within its planned end, has not
    ended, and its person is an active member of the committee (a left
    person or a deactivated account counts as gone).
    """
    person = term.person
    stops = [term.planned_end + timedelta(days=1)]
    if term.end is not None:
        stops.append(term.end)
    mine = [m for m in committee.memberships if m.person_id == term.person_id]
    stops.append(_membership_cover_end(mine, term.start))
    if not person.active:
        stops.append(person.inactive_since or term.start)
    account = person.account
    if account is not None and not account.active:
        stops.append(account.deactivated_at.date() if account.deactivated_at else term.start)
    return max(term.start, min(stops))


def holds_on(term: ChairTerm, committee: Committee, day: date) -> bool:
    """Whether the term is in force on day."""
    return term.start <= day < stopped_on(term, committee)


def chairs(committee: Committee) -> list[ChairTerm]:
    """The committee's chair terms, co-chairs aside, oldest first."""
    return [t for t in committee.chair_terms if not t.co_chair]


def current_term(committee: Committee, day: date, co_chair: bool = False) -> ChairTerm | None:
    """The chair (or co-chair) term in force on day."""
    for term in reversed(committee.chair_terms):
        if term.co_chair == co_chair and holds_on(term, committee, day):
            return term
    return None


def current_co_chairs(committee: Committee, day: date) -> list[ChairTerm]:
    """Co-chair terms in force on day."""
    return [t for t in committee.chair_terms if t.co_chair and holds_on(t, committee, day)]


def successor_of(committee: Committee, term: ChairTerm) -> ChairTerm | None:
    """The next chair term recorded after term, if one is named."""
    later = [t for t in chairs(committee) if t.start > term.start]
    return min(later, key=lambda t: t.start) if later else None


# --- succession checks (also the health rules chair_vacant, chair_term_ending) --


@dataclass
class Vacancy:
    """The chair seat is empty on a day."""

    since: date
    former: ChairTerm | None

    @property
    def convening_agency(self) -> Agency | None:
        """The former chair's agency must convene the meeting that picks the successor."""
        return self.former.agency if self.former else None

    @property
    def convener(self) -> Person | None:
        """The head of the former chair's agency."""
        agency = self.convening_agency
        return agency.head if agency else None


def vacancy(committee: Committee, day: date) -> Vacancy | None:
    """The vacancy of the chair on day, if no chair term holds."""
    started = [t for t in chairs(committee) if t.start <= day]
    if any(holds_on(t, committee, day) for t in started):
        return None
    held = [(stopped_on(t, committee), t) for t in started]
    held = [(stop, t) for stop, t in held if stop > t.start]
    if held:
        stop, former = max(held, key=lambda pair: (pair[0], pair[1].start))
        return Vacancy(since=stop, former=former)
    starts = [m.start for m in committee.memberships if m.start <= day]
    return Vacancy(since=min(starts), former=None) if starts else None


@dataclass
class TermEnding:
    """The chair's term ends soon and no successor is named."""

    term: ChairTerm
    since: date

    @property
    def days_left(self) -> int:
        """Days from today to the planned end."""
        return (self.term.planned_end - today()).days


def term_ending(committee: Committee, day: date) -> TermEnding | None:
    """The current term ends within WARN_DAYS of day with no later term recorded."""
    term = current_term(committee, day)
    if term is None or (term.planned_end - day).days > WARN_DAYS:
        return None
    if successor_of(committee, term) is not None:
        return None
    return TermEnding(term, term.planned_end - timedelta(days=WARN_DAYS))


@dataclass
class ChairAlert:
    """What the people running a committee must act on: a vacant seat or an ending term."""

    vacancy: Vacancy | None
    ending: TermEnding | None


def chair_alert(committee: Committee, day: date | None = None) -> ChairAlert | None:
    """The chair's vacancy or term ending with no successor on day, if either holds.

    Reads the chair terms and the memberships' dates only (chairs.models.chair_loading
    and committees.models.membership_loading), not the roster's people.
    """
    day = day or today()
    alert = ChairAlert(vacancy(committee, day), term_ending(committee, day))
    return alert if alert.vacancy or alert.ending else None


# --- who is next ----------------------------------------------------------------


def _other_side(side: str) -> str:
    return "behavioural_health" if side == "criminal_justice" else "criminal_justice"


@dataclass
class Proposal:
    """Whose turn it is under the policy, and who could take the chair."""

    start: date
    planned_end: date
    side: str | None = None
    agency: Agency | None = None
    eligible: list[Membership] = field(default_factory=list)
    #: said on the page when the policy's choice had nobody eligible
    note: str | None = None
    co_chair_side: str | None = None
    co_chair_eligible: list[Membership] = field(default_factory=list)

    @property
    def turn(self) -> str:
        """Whose turn it is, in words."""
        if self.agency is not None:
            return self.agency.name
        if self.side is not None:
            return f"a {SIDES[self.side].lower()} agency"
        return "the committee's choice"


def members_on(committee: Committee, day: date, exclude: set[int]) -> list[Membership]:
    members = [m for m in committee.memberships
               if m.holds_on(day) and m.role != "observer" and m.person_id not in exclude]
    return sorted(members, key=lambda m: (m.agency.name, m.person.name))


def propose_next(committee: Committee, day: date | None = None) -> Proposal:
    """The next chair under the policy, starting when the current term ends."""
    day = day or today()
    policy = policy_of(committee)
    term = current_term(committee, day)
    last = term or (chairs(committee)[-1] if chairs(committee) else None)
    start = term.planned_end + timedelta(days=1) if term else day
    proposal = Proposal(start=start, planned_end=planned_end_for(start, policy.term_months))
    exclude = {term.person_id} if term else set()
    # Eligible on the later of today and the start, so a person already gone is not proposed.
    members = members_on(committee, max(start, day), exclude) or members_on(
        committee, day, exclude)
    if policy.mode == "alternate_sides":
        side = _other_side(last.agency.side) if last else "criminal_justice"
        eligible = [m for m in members if m.agency.side == side]
        if not eligible:
            other = _other_side(side)
            eligible = [m for m in members if m.agency.side == other]
            proposal.note = (f"It is the turn of a {SIDES[side].lower()} agency, but none of "
                             f"its members can take the chair; proposing the "
                             f"{SIDES[other].lower()} side instead.")
            side = other
        proposal.side, proposal.eligible = side, eligible
    elif policy.mode == "agency_order" and policy.agency_order:
        keys = policy.agency_order
        position = keys.index(last.agency.key) + 1 if last and last.agency.key in keys else 0
        for step in range(len(keys)):
            key = keys[(position + step) % len(keys)]
            eligible = [m for m in members if m.agency.key == key]
            if eligible:
                proposal.agency, proposal.eligible = eligible[0].agency, eligible
                if step:
                    wanted = keys[position % len(keys)]
                    proposal.note = (f"It is the turn of “{wanted}”, but none of its people "
                                     f"sits on the committee; proposing the next agency in "
                                     f"the order instead.")
                break
        else:
            proposal.eligible = members
            proposal.note = "No agency in the order has a member who can take the chair."
    else:
        proposal.eligible = members
    if policy.co_chair_other_side and proposal.side:
        proposal.co_chair_side = _other_side(proposal.side)
        proposal.co_chair_eligible = [m for m in members
                                      if m.agency.side == proposal.co_chair_side]
    return proposal


@dataclass
class OutlookTerm:
    """One future term under the policy."""

    start: date
    planned_end: date
    turn: str


def outlook(committee: Committee, day: date | None = None, terms: int = 3) -> list[OutlookTerm]:
    """The next terms under the policy, so everyone sees the line of succession."""
    day = day or today()
    policy = policy_of(committee)
    term = current_term(committee, day)
    recorded = successor_of(committee, term) if term else None
    base = recorded or term
    start = base.planned_end + timedelta(days=1) if base else day
    side = base.agency.side if base else None
    key = base.agency.key if base else None
    result = []
    for _ in range(terms):
        if policy.mode == "alternate_sides":
            side = _other_side(side) if side else "criminal_justice"
            turn = f"A {SIDES[side].lower()} agency"
        elif policy.mode == "agency_order" and policy.agency_order:
            keys = policy.agency_order
            key = keys[(keys.index(key) + 1) % len(keys)] if key in keys else keys[0]
            agency = next((m.agency for m in committee.memberships if m.agency.key == key), None)
            turn = agency.name if agency else key
        else:
            turn = "Chosen by the committee"
        end = planned_end_for(start, policy.term_months)
        result.append(OutlookTerm(start, end, turn))
        start = end + timedelta(days=1)
    return result


# --- hand-over -----------------------------------------------------------------

#: what an early hand-over does to the outgoing chair's open work, in order
HANDOVER_STEPS: tuple[HandoverStep, ...] = (actions_handover.STEP, meetings_handover.STEP)


def _check_overlap(committee: Committee, person: Person, start: date, planned_end: date,
                   co_chair: bool, ending: ChairTerm | None) -> None:
    for term in committee.chair_terms:
        if term is ending or term.co_chair != co_chair:
            continue
        stop = stopped_on(term, committee) if term.end is None else term.end
        stop = min(stop, term.planned_end + timedelta(days=1))
        if term.start <= planned_end and start < stop and (
                not co_chair or term.person_id == person.id):
            raise DomainError(
                f"{term.person.name}'s term ({term.start:%d %B %Y} to "
                f"{term.planned_end:%d %B %Y}) overlaps; choose a start after it ends.",
                field="start")


def _role_follows(actor, committee: Committee, person: Person, role: str, on: date) -> None:
    """End the person's current membership the day before and open one in the new role."""
    current = next((m for m in committee.memberships if m.person_id == person.id
                    and m.start <= on and (m.end is None or m.end >= on)), None)
    if current is not None and current.role == role:
        return
    agency = current.agency if current else person.agency
    if current is not None:
        if current.start == on:
            change_seat(actor, current, None, agency=agency, role=role, start=on,
                              end=current.end)
            return
        change_seat(actor, current, None, agency=agency, role=current.role,
                          start=current.start, end=on - timedelta(days=1))
    open_seat(actor, committee, person=person, agency=agency, role=role, start=on)


def _step_down(actor, committee: Committee, person: Person, on: date) -> None:
    """The outgoing chair's chair membership ends; they stay on as a member if they were."""
    seat = next((m for m in committee.memberships if m.person_id == person.id
                 and m.role == "chair" and m.start < on and (m.end is None or m.end >= on)),
                None)
    if seat is None:
        return
    stays = seat.end
    change_seat(actor, seat, None, agency=seat.agency, role="chair", start=seat.start,
                      end=on - timedelta(days=1))
    open_seat(actor, committee, person=person, agency=seat.agency, role="member",
                   start=on, end=stays)


def _seats_without_term(committee: Committee, person: Person, start: date,
                        outgoing: ChairTerm | None) -> list[Membership]:
    """Chair seats open at start that no chair term accounts for.

    A committee imported or seated before its terms were recorded has a chair
    membership and no term; the hand-over ends that seat as it would a term's.
    """
    return [m for m in committee.memberships
            if m.role == "chair" and m.person_id != person.id
            and (outgoing is None or m.person_id != outgoing.person_id)
            and m.start < start and (m.end is None or m.end >= start)]


def hand_over(actor, committee: Committee, *, person: Person, start: date,
              agency: Agency | None = None, interim: bool = False,
              co_chair: Person | None = None, note: str = "") -> list[str]:
    """Confirm the next chair from start; return what was done, for the record.

    The outgoing term ends when the new one starts; memberships' roles follow.
    An interim chair finishes the outgoing term; otherwise a full term runs.
    """
    policy = policy_of(committee)
    # The outgoing term is the last one not yet closed, even if it lapsed unnoticed.
    open_terms = [t for t in chairs(committee) if t.end is None and t.start < start]
    outgoing = max(open_terms, key=lambda t: t.start) if open_terms else None
    if outgoing is not None and outgoing.person_id == person.id:
        raise DomainError(f"{person.name} already chairs the committee.", field="person")
    membership = next((m for m in committee.memberships
                       if m.person_id == person.id and m.holds_on(max(start, today()))), None)
    if membership is None:
        raise DomainError(f"{person.name} must be an active member of the committee.",
                          field="person")
    planned_end = (outgoing.planned_end if interim and outgoing
                   else planned_end_for(start, policy.term_months))
    if planned_end < start:
        raise DomainError("The term would end before it starts.", field="start")
    _check_overlap(committee, person, start, planned_end, False, outgoing)
    done = []
    if outgoing is not None:
        outgoing.end = min(start, outgoing.planned_end + timedelta(days=1))
        audit.record(actor, "update", outgoing, committee=committee)
        _step_down(actor, committee, outgoing.person, start)
        done.append(f"{outgoing.person.name}'s term ends on {start:%d %B %Y}.")
    seated = [seat.person for seat in _seats_without_term(committee, person, start, outgoing)]
    for sitting in seated:
        _step_down(actor, committee, sitting, start)
        done.append(f"{sitting.name}'s chair seat ends on {start:%d %B %Y}.")
    term = ChairTerm(committee=committee, person=person, agency=agency or membership.agency,
                     start=start, planned_end=planned_end)
    db.session.add(term)
    audit.record(actor, "create", term, committee=committee)
    _role_follows(actor, committee, person, "chair", start)
    done.append(f"{person.name} chairs from {start:%d %B %Y} to {planned_end:%d %B %Y}"
                f"{' (interim, finishing the term)' if interim else ''}.")
    if co_chair is not None:
        _check_overlap(committee, co_chair, start, planned_end, True, None)
        db.session.add(ChairTerm(committee=committee, person=co_chair,
                                 agency=co_chair.agency, start=start,
                                 planned_end=planned_end, co_chair=True))
        _role_follows(actor, committee, co_chair, "co_chair", start)
        done.append(f"{co_chair.name} co-chairs alongside.")
    outgoing_person = outgoing.person if outgoing else next(iter(seated), None)
    if interim and outgoing_person is not None:
        done.extend(run_steps(HANDOVER_STEPS, actor, committee, outgoing_person, person, start))
    if note:
        done.append(f"Note: {note}")
    audit.record(actor, "handover", committee, committee=committee,
                 changes={"chair": [outgoing_person.name if outgoing_person else None,
                                    person.name], "record": [None, " ".join(done)]},
                 label=f"chair of {committee.name}")
    return done


def convening_duties(person: Person, committees: list[Committee],
                     day: date | None = None) -> list[tuple[Committee, Vacancy]]:
    """Committees whose vacant chair this person must convene the successor meeting for."""
    day = day or today()
    duties = []
    for committee in committees:
        found = vacancy(committee, day)
        if found and found.convener is not None and found.convener.id == person.id:
            duties.append((committee, found))
    return duties


@dataclass
class Succession:
    """Everything the committee page says about its chair."""

    policy: RotationPolicy
    current: ChairTerm | None
    co_chairs: list[ChairTerm]
    successor: ChairTerm | None
    vacancy: Vacancy | None
    ending: TermEnding | None
    outlook: list[OutlookTerm]
    history: list[ChairTerm]


def succession(committee: Committee, day: date | None = None) -> Succession:
    """The chair, co-chairs, warnings, outlook and history of a committee on day."""
    day = day or today()
    current = current_term(committee, day)
    return Succession(
        policy=policy_of(committee), current=current,
        co_chairs=current_co_chairs(committee, day),
        successor=successor_of(committee, current) if current else None,
        vacancy=vacancy(committee, day), ending=term_ending(committee, day),
        outlook=outlook(committee, day),
        history=sorted(committee.chair_terms, key=lambda t: (t.start, t.co_chair),
                       reverse=True))
