"""The MOUs' reminder kinds: signatures requested and pending, declined, voided; expiry.

Who may sign is mous.signatories' rule (the head, or a person the head
authorised, on the day): the catch-up `flask govtrack notify` once did by hand.
An MOU negotiated for months can die at the signature stage or quietly run
out; these put both in front of the people who can act, in time.
"""

from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from govtrack.agencies.models import Agency, Person
from govtrack.extensions import db
from govtrack.health.services import flags_for
from govtrack.mous.health import EXPIRING_DAYS, report_loading
from govtrack.mous.models import Mou, SigningEvent
from govtrack.mous.signatories import (
    AUTHORISED,
    CAPACITY_LABELS,
    HEAD,
    REQUESTED,
    WITHDRAWN,
    _due_parties,
    _holding,
    _pending_loading,
    requested_prefix,
    signatories,
    withdrawn,
)
from govtrack.notifications.models import Notification
from govtrack.reminders.kinds import Due, ReminderKind, read_once
from govtrack.reminders.recipients import (
    EVENT_LIMIT,
    LATE_LIMIT,
    active_people,
    day_text,
    holding,
    seats,
    when,
)

#: days between reminders of a signature still pending
PENDING_EVERY = 3
#: days before expiry the parties' heads and the chair are told, farthest first
EXPIRY_DAYS = (EXPIRING_DAYS, 30)
#: time zone of an MOU no committee sponsors
DEFAULT_ZONE = "America/New_York"


def _zone(mou: Mou) -> str:
    return mou.committee.timezone if mou.committee is not None else DEFAULT_ZONE


def _day(mou: Mou, now: datetime) -> date:
    return now.astimezone(ZoneInfo(_zone(mou))).date()


def _load_people(ids) -> list[Person]:
    """These people (with their accounts) in the session at once, for get().

    The caller holds on to the list: the session keeps loaded objects only while
    something refers to them.
    """
    ids = {i for i in ids if i is not None}
    if not ids:
        return []
    return list(db.session.scalars(select(Person).where(Person.id.in_(ids))
                                   .options(selectinload(Person.account))))


def _signers(mous: list[Mou], now: datetime) -> dict[int, dict[int, list[Person]]]:
    """mou id -> party id -> who may sign for it now (mous.signatories), in a fixed few queries."""
    parties = {a.id: a for m in mous for a in m.parties}
    heads = _load_people(a.head_id for a in parties.values())
    # one query per date the MOUs' zones are on now (one or two), not one per MOU
    held = {day: _holding(day, list(parties)) for day in {_day(m, now) for m in mous}}
    found = {m.id: signatories(list(m.parties), m, _day(m, now), held[_day(m, now)])
             for m in mous}
    del heads  # held until signatories() found them in the session
    return found


def _turn_started(mou: Mou, agency: Agency) -> datetime | None:
    """When the party's turn to sign the current version began."""
    start = mou.current.sent_for_signature_at
    if start is not None and mou.signing_in_order:
        signed = [e.at for e in mou.signed_parties().values()]
        start = max([start, *signed])
    return start


def _pending(now: datetime) -> list[Mou]:
    return list(db.session.scalars(
        select(Mou).where(Mou.status == "out_for_signature").order_by(Mou.id)
        .options(*_pending_loading(), selectinload(Mou.committee))))


def _pending_signers(now: datetime) -> tuple[list[Mou], dict[int, dict[int, list[Person]]]]:
    """The MOUs out for signature and who may sign for each party: read once for the
    requested, pending and withdrawn kinds of a sweep."""

    def read():
        mous = _pending(now)
        return mous, _signers(mous, now)

    return read_once(("mous_pending_signers", now), read)


def _requests(now: datetime, repeat: bool) -> list[Due]:
    mous, signers = _pending_signers(now)
    active = active_people((p.id for by in signers.values() for ps in by.values() for p in ps),
                           now.date())
    reminders = []
    for mou in mous:
        number = mou.current.number
        for agency in _due_parties(mou):
            started = _turn_started(mou, agency)
            if started is None or started > now:
                continue
            period = (now - started) // timedelta(days=PENDING_EVERY)
            if repeat and period == 0:
                continue
            for person in signers[mou.id][agency.id]:
                if person.id not in active:
                    continue
                role = CAPACITY_LABELS[HEAD if person.id == agency.head_id else AUTHORISED]
                if repeat:
                    days = (now - started).days
                    reminders.append(Due(
                        "mou_signature_pending", f"mou:{mou.id}",
                        f"v{number}-party-{agency.id}-reminder-{period}", person.id,
                        f"Still awaiting your signature: “{mou.title}” for {agency.name}",
                        f"“{mou.title}” (version {number}) has awaited the signature of "
                        f"{agency.name} for {days} days. You may sign it for {agency.name} as "
                        f"its {role}, or decline with a reason.",
                        f"/mous/{mou.key}/sign", mou.committee_id))
                else:
                    reminders.append(Due(
                        "mou_signature_requested", f"mou:{mou.id}",
                        f"v{number}-party-{agency.id}", person.id,
                        f"Please sign “{mou.title}” for {agency.name}",
                        f"“{mou.title}” (version {number}) is out for signature and awaits "
                        f"{agency.name}. You may sign it for {agency.name} as its {role}.",
                        f"/mous/{mou.key}/sign", mou.committee_id))
    return reminders


def signature_requested(now: datetime) -> list[Due]:
    """An MOU awaits a party's signature: whoever may sign for it, once per version (mandatory).

    Who may sign is read on the day, so a newly authorised signatory or a new
    head is asked as soon as they may sign.
    """
    return _requests(now, repeat=False)


def signature_pending(now: datetime) -> list[Due]:
    """The signature is still pending: whoever may sign, every 3 days from the party's turn."""
    return _requests(now, repeat=True)


# --- declined, voided: every party's signatories and the chair -----------------------------


def _events(now: datetime, kind: str) -> list[SigningEvent]:
    return list(db.session.scalars(
        select(SigningEvent).where(SigningEvent.kind == kind, SigningEvent.at <= now,
                                   SigningEvent.at > now - EVENT_LIMIT)
        .order_by(SigningEvent.id)
        .options(selectinload(SigningEvent.agency), selectinload(SigningEvent.mou)
                 .selectinload(Mou.parties), selectinload(SigningEvent.mou)
                 .selectinload(Mou.committee))))


def _everyone(mous: list[Mou], now: datetime) -> dict[int, list[int]]:
    """mou id -> every party's signatories and the sponsoring committee's chair, active."""
    signers = _signers(mous, now)
    chairs = seats({m.committee_id for m in mous if m.committee_id}, now.date())
    found = {}
    for mou in mous:
        people = [p.id for a in mou.parties for p in signers[mou.id][a.id]]
        people += holding(chairs.get(mou.committee_id, []), "chair")
        found[mou.id] = list(dict.fromkeys(people))
    active = active_people((p for ps in found.values() for p in ps), now.date())
    return {mid: [p for p in ps if p in active] for mid, ps in found.items()}


def signature_declined(now: datetime) -> list[Due]:
    """A party declined to sign: every party's signatories and the chair, once per refusal."""
    events = _events(now, "declined")
    people = _everyone(list({e.mou_id: e.mou for e in events}.values()), now)
    reminders = []
    for event in events:
        mou = event.mou
        reason = f" The reason given: {event.reason}" if event.reason else ""
        for person_id in people[mou.id]:
            reminders.append(Due(
                "mou_signature_declined", f"mou:{mou.id}", f"declined-{event.id}", person_id,
                f"{event.agency.name} declined to sign “{mou.title}”",
                f"{event.signer_name or 'Its signatory'} declined to sign version "
                f"{event.version_number} of “{mou.title}” for {event.agency.name} on "
                f"{when(event.at, _zone(mou))}.{reason}", f"/mous/{mou.key}", mou.committee_id))
    return reminders


def signatures_voided(now: datetime) -> list[Due]:
    """A new text voided the signatures given: every party's signatories and the chair, once."""
    events = _events(now, "voided")
    by_version: dict[tuple[int, int], list[SigningEvent]] = defaultdict(list)
    for event in events:
        by_version[(event.mou_id, event.version_number)].append(event)
    people = _everyone(list({e.mou_id: e.mou for e in events}.values()), now)
    reminders = []
    for (_, number), voided in by_version.items():
        mou = voided[0].mou
        names = ", ".join(dict.fromkeys(e.agency.name for e in voided))
        reason = voided[0].reason
        for person_id in people[mou.id]:
            reminders.append(Due(
                "mou_signatures_voided", f"mou:{mou.id}", f"v{number}-voided", person_id,
                f"Signatures on “{mou.title}” were voided",
                f"The text of “{mou.title}” changed after version {number} was signed, so the "
                f"signatures of {names} are void. {reason} Everyone signs the new version "
                "when it goes out for signature.", f"/mous/{mou.key}", mou.committee_id))
    return reminders


# --- expiring, lapsed: party heads and the chair --------------------------------------------


def _heads_and_chair(mous: list[Mou], now: datetime) -> dict[int, list[int]]:
    chairs = seats({m.committee_id for m in mous if m.committee_id}, now.date())
    found = {m.id: list(dict.fromkeys(
        [a.head_id for a in m.parties if a.head_id is not None]
        + holding(chairs.get(m.committee_id, []), "chair"))) for m in mous}
    active = active_people((p for ps in found.values() for p in ps), now.date())
    return {mid: [p for p in ps if p in active] for mid, ps in found.items()}


def _expiring(days: int, closer: int | None):
    code = f"mou_expiring_{days}d"

    def due(now: datetime) -> list[Due]:
        """Executed MOUs expiring within `days` days (not yet `closer`), no renewal under way."""
        mous = list(db.session.scalars(
            select(Mou).where(Mou.status == "executed",
                              Mou.expires >= now.date() - timedelta(days=1),
                              Mou.expires <= now.date() + timedelta(days=days + 1))
            .order_by(Mou.id).options(*report_loading(), selectinload(Mou.committee))))
        chosen = []
        for mou in mous:
            day = _day(mou, now)
            left = (mou.expires - day).days
            if (closer or -1) < left <= days and any(
                    f.code == "expiring" for f in flags_for("mou", mou, day)):
                chosen.append((mou, left))
        people = _heads_and_chair([m for m, _ in chosen], now)
        reminders = []
        for mou, left in chosen:
            for person_id in people[mou.id]:
                reminders.append(Due(
                    code, f"mou:{mou.id}", f"expires-{mou.expires.isoformat()}-{days}d",
                    person_id, f"“{mou.title}” expires {day_text(mou.expires)}",
                    f"“{mou.title}” expires in {left} days, on {day_text(mou.expires)}, and "
                    "no renewal is under way. Start a renewal or an amendment, or let the "
                    "committee decide to let it end.", f"/mous/{mou.key}", mou.committee_id))
        return reminders

    due.__name__ = code
    return due


def lapsed(now: datetime) -> list[Due]:
    """An MOU's expiry date passed with no executed renewal: party heads and the chair, once."""
    mous = list(db.session.scalars(
        select(Mou).where(Mou.status.in_(("executed", "expired")),
                          Mou.expires < now.date() + timedelta(days=1),
                          Mou.expires >= now.date() - LATE_LIMIT - timedelta(days=1))
        .order_by(Mou.id).options(*report_loading(), selectinload(Mou.committee))))
    chosen = []
    for mou in mous:
        day = _day(mou, now)
        if (0 < (day - mou.expires).days <= LATE_LIMIT.days
                and any(f.code == "lapsed" for f in flags_for("mou", mou, day))):
            chosen.append(mou)
    people = _heads_and_chair(chosen, now)
    reminders = []
    for mou in chosen:
        for person_id in people[mou.id]:
            reminders.append(Due(
                "mou_lapsed", f"mou:{mou.id}", f"lapsed-{mou.expires.isoformat()}", person_id,
                f"“{mou.title}” has lapsed",
                f"“{mou.title}” expired on {day_text(mou.expires)} and no renewal was "
                "executed. What the parties promised no longer binds them: renew it, or "
                "record that it ended.", f"/mous/{mou.key}", mou.committee_id))
    return reminders


def signature_withdrawn(now: datetime) -> list[Due]:
    """People asked to sign a pending party who may no longer sign for it (the request moved).

    An authorisation that ends by its date has no event to hook: this finds,
    from the requests already sent, whoever was asked and no longer may.
    """
    mous, signers = _pending_signers(now)
    asked: dict[tuple[int, int], set[int]] = defaultdict(set)
    prefixes = {m.id: requested_prefix(m) for m in mous}
    if prefixes:
        rows = db.session.execute(select(Notification.key, Notification.person_id).where(
            Notification.kind == REQUESTED, or_(*(Notification.key.like(f"{p}%")
                                                  for p in prefixes.values()))))
        by_prefix = {p: mou_id for mou_id, p in prefixes.items()}
        for key, person_id in rows:
            prefix = key[:key.rindex("-party-") + len("-party-")]
            if prefix in by_prefix:
                asked[(by_prefix[prefix], int(key[len(prefix):].split(".")[0]))].add(person_id)
    reminders = []
    for mou in mous:
        for agency in _due_parties(mou):
            now_signing = signers[mou.id][agency.id]
            names = ", ".join(p.name for p in now_signing) or "nobody yet: the agency has no head"
            for person_id in sorted(asked[(mou.id, agency.id)] - {p.id for p in now_signing}):
                reminders.append(withdrawn(mou, agency, person_id, names))
    return reminders


REMINDERS = (
    ReminderKind("mou_signature_requested", "An MOU awaits your signature",
                 signature_requested, mandatory=True),
    ReminderKind("mou_signature_pending",
                 f"An MOU still awaits your signature (every {PENDING_EVERY} days)",
                 signature_pending),
    ReminderKind(WITHDRAWN, "You no longer sign an MOU for your agency", signature_withdrawn),
    ReminderKind("mou_signature_declined", "A party declined to sign an MOU",
                 signature_declined),
    ReminderKind("mou_signatures_voided", "Signatures on an MOU were voided",
                 signatures_voided),
    *(ReminderKind(f"mou_expiring_{days}d", f"An MOU expires in {days} days",
                   _expiring(days, closer))
      for days, closer in zip(EXPIRY_DAYS, (*EXPIRY_DAYS[1:], None), strict=True)),
    ReminderKind("mou_lapsed", "An MOU has lapsed", lapsed),
)
