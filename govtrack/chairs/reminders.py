"""The chair's reminder kinds: a term ending with no successor, the seat vacant.

Kamin, Weisman and Lamberti saw committees stop meeting when the chair left
and nobody felt it was theirs to call the next meeting. So the chair and the
members hear ahead of a term's end, and when the seat falls vacant so does the
head of the former chair's agency, who must convene the meeting that picks the
successor (chairs.services.Vacancy.convener).
"""

from datetime import date, datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import configure_mappers, joinedload

from govtrack.agencies.models import Agency
from govtrack.chairs.health import committee_records
from govtrack.chairs.models import ChairTerm, chair_loading
from govtrack.chairs.services import WARN_DAYS, Vacancy, term_ending, vacancy
from govtrack.committees.models import Committee, membership_loading
from govtrack.extensions import db
from govtrack.reminders.kinds import Due, ReminderKind
from govtrack.reminders.recipients import (
    active_people,
    day_text,
    holding,
    local_day,
    seats,
)

#: days before a chair term's planned end the committee is told, farthest first
TERM_DAYS = (WARN_DAYS, 30)


def _committees(now: datetime, *where) -> list[Committee]:
    """Committees still running, with their chair terms and memberships, in a fixed few queries."""
    # Committee.chair_terms is a backref: it exists once the mappers are configured,
    # which the first query of a process does; this may be the first.
    configure_mappers()
    return list(db.session.scalars(
        select(Committee).where(or_(Committee.end_date.is_(None),
                                    Committee.end_date >= now.date() - timedelta(days=1)),
                                *where)
        .order_by(Committee.id).options(*chair_loading(many=True), *membership_loading())))


def _running(committee: Committee, day: date) -> bool:
    return committee.end_date is None or committee.end_date >= day


def _term_ending(days: int, closer: int | None):
    code = f"chair_term_ending_{days}d"

    def due(now: datetime) -> list[Due]:
        """The chair's term ends within `days` (not yet `closer`) days with no successor named."""
        # Only a term planned to end within `days` can be ending (a day's margin for the
        # zones): the rule itself (chairs.services.term_ending) judges those committees.
        soon = select(ChairTerm.id).where(
            ChairTerm.committee_id == Committee.id, ChairTerm.co_chair.is_(False),
            ChairTerm.planned_end >= now.date() - timedelta(days=1),
            ChairTerm.planned_end <= now.date() + timedelta(days=days + 1)).exists()
        ending = []
        for committee in _committees(now, soon):
            day = local_day(now, committee.timezone)
            found = term_ending(committee, day) if _running(committee, day) else None
            if found is not None:
                left = (found.term.planned_end - day).days
                if (closer or -1) < left <= days:
                    ending.append((committee, found.term, left))
        people = seats({c.id for c, _, _ in ending}, now.date())
        reminders = []
        for committee, term, left in ending:
            for person_id in holding(people[committee.id]):
                reminders.append(Due(
                    code, f"chair_term:{term.id}", f"{days}d", person_id,
                    f"{committee.name}: the chair's term ends {day_text(term.planned_end)}",
                    f"The term of {term.person.name} ({term.agency.name}) as chair of "
                    f"{committee.name} ends in {left} days, on {day_text(term.planned_end)}, "
                    "and no successor is named. Agree the next chair under the rotation "
                    "policy and record the hand-over.",
                    f"/committees/{committee.key}/chair/handover", committee.id))
        return reminders

    due.__name__ = code
    return due


def chair_vacant(now: datetime) -> list[Due]:
    """No chair holds: the members and the head who must convene, once per vacancy (mandatory).

    Every running committee is judged from rows (chairs.health.committee_records,
    what the rule reads); only the former chairs' terms of the vacant ones are
    then read as objects, with their people, agencies and heads.
    """
    vacant = []
    since = now.date() - timedelta(days=1)  # _committees' margin for the zones
    for committee in sorted(committee_records(), key=lambda c: c.id):
        if committee.end_date is not None and committee.end_date < since:
            continue
        day = local_day(now, committee.timezone)
        found = vacancy(committee, day) if _running(committee, day) else None
        if found is not None:
            vacant.append((committee, found))
    terms = {t.id: t for t in db.session.scalars(
        select(ChairTerm).where(ChairTerm.id.in_([v.former.id for _, v in vacant if v.former]))
        .options(joinedload(ChairTerm.person),
                 joinedload(ChairTerm.agency).joinedload(Agency.head)))} if any(
        v.former for _, v in vacant) else {}
    people = seats({c.id for c, _ in vacant}, now.date())
    conveners = active_people((terms[v.former.id].agency.head_id for _, v in vacant
                               if v.former), now.date())
    reminders = []
    for committee, found in vacant:
        former_term = terms[found.former.id] if found.former else None
        found = Vacancy(found.since, former_term)
        convener = found.convener
        duty = ""
        recipients = holding(people[committee.id])
        if convener is not None:
            duty = (f" {found.convening_agency.name} held the chair last: its head, "
                    f"{convener.name}, convenes the meeting that picks the next chair.")
            if convener.id in conveners and convener.id not in recipients:
                recipients.insert(0, convener.id)
        former = (f"since the term of {found.former.person.name} stopped"
                  if found.former else "and no chair was ever named")
        for person_id in recipients:
            reminders.append(Due(
                "chair_vacant", f"committee:{committee.id}", f"since-{found.since.isoformat()}",
                person_id, f"{committee.name} has no chair",
                f"The chair of {committee.name} has been vacant since "
                f"{day_text(found.since)}, {former}.{duty} A committee without a chair stops "
                "meeting: name the successor and record the hand-over.",
                f"/committees/{committee.key}/chair/handover", committee.id))
    return reminders


REMINDERS = (
    *(ReminderKind(f"chair_term_ending_{days}d",
                   f"The chair's term ends in {days} days with no successor",
                   _term_ending(days, closer))
      for days, closer in zip(TERM_DAYS, (*TERM_DAYS[1:], None), strict=True)),
    ReminderKind("chair_vacant", "A committee has no chair", chair_vacant, mandatory=True),
)
