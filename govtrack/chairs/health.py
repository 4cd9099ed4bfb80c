"""The chair's health rules: chair_vacant and chair_term_ending (DESIGN.md).

The rules take a Committee, or for the health report a CommitteeRecord built
from rows (committee_records): what the rules of every feature read of a
committee, with the memberships' dates and the chair terms the chair's rules
read, without loading thousands of ORM objects.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import NamedTuple

from sqlalchemy import bindparam, select

from govtrack.accounts.models import Account
from govtrack.agencies.models import Person
from govtrack.chairs.models import ChairTerm
from govtrack.chairs.services import ChairAlert, chair_alert, term_ending, vacancy
from govtrack.committees.models import (
    THRESHOLDS,
    Committee,
    Membership,
    per_transaction,
    roster_rows,
    threshold_or_default,
)
from govtrack.extensions import db
from govtrack.health.rules import Rule


class AccountState(NamedTuple):
    """A chair's account as chairs.services.stopped_on reads it."""

    active: bool
    deactivated_at: datetime | None


class PersonState(NamedTuple):
    """A chair as chairs.services.stopped_on reads them: still active, and their account."""

    active: bool
    inactive_since: date | None
    account: AccountState | None


class MembershipDates(NamedTuple):
    """A membership as the chair's rules read it: whose, and when."""

    person_id: int
    start: date
    end: date | None


class TermRecord(NamedTuple):
    """A chair term as the chair's rules read it."""

    id: int
    person_id: int
    start: date
    planned_end: date
    end: date | None
    co_chair: bool
    person: PersonState


@dataclass(eq=False)
class CommitteeRecord:
    """A committee as the health rules read it, built from rows rather than ORM objects.

    memberships are ordered by start and chair_terms by start, as on Committee.
    """

    id: int
    key: str
    name: str
    timezone: str
    cadence_rrule: str | None
    cadence_dtstart: datetime | None
    stall_after_days: int
    end_date: date | None
    memberships: list[MembershipDates] = field(default_factory=list)
    chair_terms: list[TermRecord] = field(default_factory=list)
    #: the committee's own health thresholds (None: the default), by name
    settings: dict = field(default_factory=dict)

    def threshold(self, name: str) -> int:
        """As Committee.threshold: its own setting, or the default."""
        return threshold_or_default(name, self.settings.get(name))


def committee_records(people: bool = True) -> list[CommitteeRecord]:
    """Every committee, by key, with what the health rules read: three queries of rows.

    people=False: one query, without the memberships and chair terms (for rules
    that read neither, as the workgroups' do).
    """
    names = list(THRESHOLDS)
    records = [CommitteeRecord(*row[:8], settings=dict(zip(names, row[8:], strict=True)))
               for row in db.session.execute(
                   select(Committee.id, Committee.key, Committee.name, Committee.timezone,
                          Committee.cadence_rrule, Committee.cadence_dtstart,
                          Committee.stall_after_days, Committee.end_date,
                          *(getattr(Committee, n) for n in names)).order_by(Committee.key))]
    if not people:
        return records
    by_id = {c.id: c for c in records}
    for committee_id, person_id, start, end in db.session.execute(
            select(Membership.committee_id, Membership.person_id, Membership.start,
                   Membership.end).order_by(Membership.start, Membership.id)):
        by_id[committee_id].memberships.append(MembershipDates(person_id, start, end))
    for row in db.session.execute(
            select(ChairTerm.committee_id, ChairTerm.id, ChairTerm.person_id, ChairTerm.start,
                   ChairTerm.planned_end, ChairTerm.end, ChairTerm.co_chair, Person.active,
                   Person.inactive_since, Account.id, Account.active, Account.deactivated_at)
            .join(Person, Person.id == ChairTerm.person_id)
            .outerjoin(Account, Account.person_id == Person.id)
            .order_by(ChairTerm.start, ChairTerm.id)):
        account = AccountState(row[10], row[11]) if row[9] is not None else None
        by_id[row[0]].chair_terms.append(TermRecord(
            *row[1:7], PersonState(row[7], row[8], account)))
    return records


def chair_alerts(committees: list[Committee], day: date) -> list[tuple[Committee, ChairAlert]]:
    """(committee, alert) for each of these committees whose chair is vacant or ending on day.

    chair_alert judged on CommitteeRecords of two queries of rows (the
    memberships' dates, the chair terms), not on committees loaded with every
    membership and term as ORM objects: a third of My work's time for a chair.
    """
    records = {c.id: CommitteeRecord(c.id, c.key, c.name, c.timezone, c.cadence_rrule,
                                     c.cadence_dtstart, c.stall_after_days, c.end_date)
               for c in committees}
    if not records:
        return []
    _read_people(records)
    return [(c, alert) for c in sorted(committees, key=lambda c: c.id)
            if (alert := chair_alert(records[c.id], day)) is not None]


def _read_people(records: dict[int, CommitteeRecord]) -> None:
    """Fill the records' memberships' dates and chair terms, in two queries of rows."""
    ids = {"committee_ids": sorted(records)}
    for committee_id, person_id, start, end in db.session.execute(_alert_queries()[0], ids):
        records[committee_id].memberships.append(MembershipDates(person_id, start, end))
    _read_terms(records)


def _read_terms(records: dict[int, CommitteeRecord]) -> None:
    """Fill the records' chair terms, in one query of rows."""
    ids = {"committee_ids": sorted(records)}
    for row in db.session.execute(_alert_queries()[1], ids):
        account = AccountState(row[10], row[11]) if row[9] is not None else None
        records[row[0]].chair_terms.append(TermRecord(
            *row[1:7], PersonState(row[7], row[8], account)))


@cache
def _alert_queries():
    """chair_alerts' statements, built once (see meetings.views._meeting_query), as
    committee_records' for the committees of "committee_ids"."""
    of = bindparam("committee_ids", expanding=True)
    return (select(Membership.committee_id, Membership.person_id, Membership.start,
                   Membership.end).where(Membership.committee_id.in_(of))
            .order_by(Membership.start, Membership.id),
            select(ChairTerm.committee_id, ChairTerm.id, ChairTerm.person_id, ChairTerm.start,
                   ChairTerm.planned_end, ChairTerm.end, ChairTerm.co_chair, Person.active,
                   Person.inactive_since, Account.id, Account.active, Account.deactivated_at)
            .join(Person, Person.id == ChairTerm.person_id)
            .outerjoin(Account, Account.person_id == Person.id)
            .where(ChairTerm.committee_id.in_(of))
            .order_by(ChairTerm.start, ChairTerm.id))


def succession_of(committee):
    """What the succession checks (vacancy, term_ending) read of committee, cheaply.

    A committee whose chair terms and memberships a page loaded, or a record,
    as it is; else a CommitteeRecord of two queries of rows, read once a
    transaction: the memberships' dates (committees.models.roster_rows, which a
    permission question may have read already) and the chair terms with their
    people's and accounts' states. A page need not load the roster and the
    chair's history as ORM objects (people, accounts, agencies) for a few dates.
    """
    if not isinstance(committee, Committee) or committee.id is None:
        return committee
    if "chair_terms" in committee.__dict__ and "memberships" in committee.__dict__:
        return committee
    known = per_transaction("chairs.succession_of")
    if known is None or committee.id not in known:
        record = CommitteeRecord(committee.id, committee.key, committee.name,
                                 committee.timezone, committee.cadence_rrule,
                                 committee.cadence_dtstart, committee.stall_after_days,
                                 committee.end_date)
        record.memberships = [MembershipDates(row.person_id, row.start, row.end)
                              for row in roster_rows(committee.id)]
        _read_terms({committee.id: record})
        if known is None:
            return record
        known[committee.id] = record
    return known[committee.id]


def chair_vacant(committee, as_of):
    """No chair term holds on the as-of date."""
    found = vacancy(succession_of(committee), as_of)
    return found.since if found else None


def chair_term_ending(committee, as_of):
    """The chair's term ends within 60 days and no successor is recorded."""
    found = term_ending(succession_of(committee), as_of)
    return found.since if found else None


RULES = (
    Rule("committee", "chair_vacant", "The chair is vacant", chair_vacant),
    Rule("committee", "chair_term_ending",
         "The chair's term ends soon and no successor is named", chair_term_ending),
)
