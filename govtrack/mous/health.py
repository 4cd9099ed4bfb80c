"""The MOU health rules of DESIGN.md: signature_stalled, expiring and lapsed.

An MOU negotiated for months can still die at the signature stage or quietly
run out; these flags put both on the agenda in time.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from typing import NamedTuple

from sqlalchemy import (
    Date,
    Integer,
    String,
    and_,
    bindparam,
    literal_column,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import aliased, selectinload

from govtrack.agencies.models import Agency
from govtrack.committees.models import Committee, ThresholdSettings
from govtrack.db_types import UTCDateTime
from govtrack.extensions import db
from govtrack.health.rules import Rule
from govtrack.mous.models import EXECUTED_STATUSES, Mou, MouVersion, SigningEvent, mou_party

#: days out for signature before the signatures count as stalled
STALL_DAYS = 30
#: days before expiry from which an executed MOU is expiring
EXPIRING_DAYS = 90


def _days(mou: Mou, name: str, default: int) -> int:
    """The sponsoring committee's threshold; the default for an MOU without one."""
    return mou.committee.threshold(name) if mou.committee is not None else default


def _signed_by(mou: Mou, as_of: date) -> set[int]:
    """Parties whose signature of the current version was given up to as_of."""
    return {agency_id for agency_id, event in mou.signed_parties().items()
            if event.at.date() <= as_of}


def signature_stalled(mou: Mou, as_of: date) -> date | None:
    """Out for signature 30 days or more without every party's signature."""
    sent = mou.current.sent_for_signature_at
    if mou.status != "out_for_signature" or sent is None:
        return None
    since = sent.date() + timedelta(days=_days(mou, "mou_stall_days", STALL_DAYS))
    if as_of < since or len(_signed_by(mou, as_of)) == len(mou.parties):
        return None
    return since


def _renewals(mou: Mou, as_of: date) -> list[Mou]:
    """MOUs that name this one in `supersedes`, created up to as_of."""
    return [m for m in mou.superseded_by if m.created_at.date() <= as_of]


def expiring(mou: Mou, as_of: date) -> date | None:
    """Executed, expires within 90 days after D, and no renewal is in progress."""
    if mou.status != "executed" or mou.expires is None:
        return None
    ahead = _days(mou, "mou_expiring_days", EXPIRING_DAYS)
    if not as_of <= mou.expires <= as_of + timedelta(days=ahead):
        return None
    if any(m.status != "terminated" for m in _renewals(mou, as_of)):
        return None
    return mou.expires - timedelta(days=ahead)


def lapsed(mou: Mou, as_of: date) -> date | None:
    """Its expiry date is before D and no executed renewal supersedes it."""
    if mou.expires is None or mou.expires >= as_of:
        return None
    if any(m.status in EXECUTED_STATUSES and m.executed_at is not None
           and m.executed_at.date() <= as_of for m in _renewals(mou, as_of)):
        return None
    return mou.expires + timedelta(days=1)


class VersionRecord(NamedTuple):
    """An MOU's current version as the rules read it."""

    id: int
    sent_for_signature_at: datetime | None


class EventRecord(NamedTuple):
    """A signing event as Mou.signed_parties reads it."""

    version_id: int
    kind: str
    agency_id: int
    at: datetime


@dataclass(eq=False)
class MouRecord:
    """An MOU as the rules read it, built from rows (the health report reads them all).

    versions holds its current version only; events, the signing events of an
    MOU out for signature (the only ones the rules read); parties, the ids of
    its parties; superseded_by, the records of the MOUs that name it, by id.
    """

    id: int
    key: str
    status: str
    expires: date | None
    created_at: datetime
    executed_at: datetime | None
    supersedes_id: int | None
    versions: list[VersionRecord] = field(default_factory=list)
    events: list[EventRecord] = field(default_factory=list)
    parties: list[int] = field(default_factory=list)
    superseded_by: list["MouRecord"] = field(default_factory=list)
    #: the sponsoring committee's thresholds (None: an MOU no committee sponsors)
    committee: ThresholdSettings | Committee | None = None
    #: its title and its parties' names, by agency id (read for the draft agenda only)
    title: str = ""
    party_names: dict[int, str] = field(default_factory=dict)

    #: the same as the model's
    current = Mou.current
    signed_parties = Mou.signed_parties


def mou_records() -> list[MouRecord]:
    """Every MOU, by key, with what its rules read: four queries of rows."""
    names = ("mou_stall_days", "mou_expiring_days")
    rows = db.session.execute(
        select(Mou.id, Mou.key, Mou.status, Mou.expires, Mou.created_at, Mou.executed_at,
               Mou.supersedes_id, Mou.committee_id, *(getattr(Committee, n) for n in names))
        .outerjoin(Committee, Committee.id == Mou.committee_id).order_by(Mou.key))
    records = [MouRecord(*row[:7], committee=ThresholdSettings(dict(zip(names, row[8:],
                                                                        strict=True)))
                         if row[7] is not None else None) for row in rows]
    by_id = {m.id: m for m in records}
    for mou in sorted(records, key=lambda m: m.id):
        if mou.supersedes_id is not None and mou.supersedes_id in by_id:
            by_id[mou.supersedes_id].superseded_by.append(mou)
    latest = {}
    for mou_id, version_id, sent in db.session.execute(
            select(MouVersion.mou_id, MouVersion.id, MouVersion.sent_for_signature_at)
            .order_by(MouVersion.number, MouVersion.id)):
        latest[mou_id] = VersionRecord(version_id, sent)
    for mou_id, version in latest.items():
        by_id[mou_id].versions.append(version)
    for mou_id, agency_id in db.session.execute(
            select(mou_party.c.mou_id, mou_party.c.agency_id)):
        by_id[mou_id].parties.append(agency_id)
    for mou_id, version_id, kind, agency_id, at in db.session.execute(
            select(SigningEvent.mou_id, SigningEvent.version_id, SigningEvent.kind,
                   SigningEvent.agency_id, SigningEvent.at)
            .join(Mou, Mou.id == SigningEvent.mou_id)
            .where(Mou.status == "out_for_signature").order_by(SigningEvent.id)):
        by_id[mou_id].events.append(EventRecord(version_id, kind, agency_id, at))
    return records


#: the parts of _flaggable_query's rows: an MOU that can hold a flag, an MOU renewing one,
#: then the flaggable MOUs' versions, parties and signing events
_FLAGGABLE, _RENEWAL, _VERSION, _PARTY, _EVENT = range(5)


@cache
def _flaggable_query():
    """flaggable_mou_records' one statement, built once (see meetings.views._meeting_query).

    Bound: "committee_id", "until". The committee's MOUs that can hold a flag by until (out
    for signature, or expiring by then), the MOUs that renew them, and the flaggable ones'
    versions, parties and signing events: five parts of one UNION ALL (one query, not four),
    each part's row in the same columns, told apart by "part", in each part's order.
    """
    def flaggable(mou):
        return and_(mou.committee_id == bindparam("committee_id"),
                    or_(mou.status == "out_for_signature",
                        mou.expires <= bindparam("until", type_=Mou.expires.type)))

    candidate, flagged = aliased(Mou), aliased(Mou)
    flaggable_ids = select(flagged.id).where(flaggable(flagged))

    def part(number, mou_id, a=None, b=None, c=None, text=None, key=None, status=None,
             day=None, at=None, executed_at=None):
        # columns typed by the first part, which names them (UNION takes its types)
        def typed(value, kind):
            return null().cast(kind) if value is None else value
        return select(literal_column(str(number), Integer).label("part"),
                      mou_id.label("mou_id"), typed(a, Integer).label("a"),
                      typed(b, Integer).label("b"), typed(c, Integer).label("c"),
                      typed(text, String).label("text"), typed(key, String).label("key"),
                      typed(status, String).label("status"), typed(day, Date).label("day"),
                      typed(at, UTCDateTime).label("at"),
                      typed(executed_at, UTCDateTime).label("executed_at"))

    def mou_part(number):
        return part(number, Mou.id, c=Mou.supersedes_id, text=Mou.title, key=Mou.key,
                    status=Mou.status, day=Mou.expires, at=Mou.created_at,
                    executed_at=Mou.executed_at)

    # each part by an index (one OR of the first two had PostgreSQL read every MOU)
    query = union_all(
        mou_part(_FLAGGABLE).where(flaggable(Mou)),
        mou_part(_RENEWAL).where(Mou.supersedes_id.in_(
            select(candidate.id).where(flaggable(candidate)))),
        part(_VERSION, MouVersion.mou_id, a=MouVersion.number, b=MouVersion.id,
             at=MouVersion.sent_for_signature_at).where(MouVersion.mou_id.in_(flaggable_ids)),
        part(_PARTY, mou_party.c.mou_id, a=mou_party.c.mou_id, b=mou_party.c.position,
             c=Agency.id, text=Agency.name).join(Agency, Agency.id == mou_party.c.agency_id)
        .where(mou_party.c.mou_id.in_(flaggable_ids)),
        part(_EVENT, SigningEvent.mou_id, a=SigningEvent.id, b=SigningEvent.version_id,
             c=SigningEvent.agency_id, text=SigningEvent.kind, at=SigningEvent.at)
        .where(SigningEvent.mou_id.in_(flaggable_ids)))
    # versions by number, parties by MOU, position and name, events by id
    return query.order_by(*(query.selected_columns[n] for n in ("part", "a", "b", "text")))


def flaggable_mou_records(committee: Committee, until: date) -> list[MouRecord]:
    """The committee's MOUs that can hold a flag on a day up to until, by title, as rows.

    Only an MOU out for signature or expiring by until can; each comes with what
    its rules read (its renewals among them) and with its title and parties'
    names (the draft agenda shows them): one query of rows, none of MOU objects
    with their collections.
    """
    rows = db.session.execute(_flaggable_query(),
                              {"committee_id": committee.id, "until": until}).all()
    parts = {n: [] for n in range(5)}
    for row in rows:
        parts[row.part].append(row)
    flaggable = {row.mou_id for row in parts[_FLAGGABLE]}
    by_id = {}
    for row in sorted(parts[_FLAGGABLE] + parts[_RENEWAL], key=lambda row: row.mou_id):
        if row.mou_id not in by_id:  # an MOU both flaggable and renewing one comes twice
            by_id[row.mou_id] = MouRecord(row.mou_id, row.key, row.status, row.day, row.at,
                                          row.executed_at, row.c, committee=committee,
                                          title=row.text)
    records = [by_id[i] for i in sorted(flaggable)]
    for mou in by_id.values():
        if mou.supersedes_id in by_id:
            by_id[mou.supersedes_id].superseded_by.append(mou)
    if not records:
        return []
    latest = {}
    for row in parts[_VERSION]:
        latest[row.mou_id] = VersionRecord(row.b, row.at)
    for mou_id, version in latest.items():
        by_id[mou_id].versions.append(version)
    for row in parts[_PARTY]:
        by_id[row.mou_id].parties.append(row.c)
        by_id[row.mou_id].party_names[row.c] = row.text
    for row in parts[_EVENT]:
        by_id[row.mou_id].events.append(EventRecord(row.b, row.text, row.c, row.at))
    return sorted(records, key=lambda m: (m.title, m.id))


def report_loading() -> tuple:
    """Loader options for what the MOU rules read: parties, versions, events, renewals.

    Not the people and committees an MOU's page shows (services.mou_loading).
    """
    return (selectinload(Mou.parties), selectinload(Mou.versions), selectinload(Mou.events),
            selectinload(Mou.superseded_by), selectinload(Mou.committee))


RULES = (
    Rule("mou", "signature_stalled", "Signatures stalled", signature_stalled,
         remedy="the committee asks the parties still to sign for a date"),
    Rule("mou", "expiring", "Expiring", expiring,
         remedy="decide whether to renew it, and who drafts the renewal"),
    Rule("mou", "lapsed", "Lapsed", lapsed,
         remedy="renew it, or record that it ended"),
)
