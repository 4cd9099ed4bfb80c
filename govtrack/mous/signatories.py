"""Who may sign for each agency, and telling them when an MOU awaits their signature.

Only the head of a party agency, or a person of that agency the head
authorised, signs for it. Who may sign is read from live state on the day
(the head, and the authorisations that hold), so a pending request "moves"
by itself when the head changes or an authorisation starts or ends. The
notices follow it: each is keyed by what it is about (MOU, version, party,
person), so telling twice tells nobody twice; the keys are the reminder sweep's
(mous.reminders), whose mou_signature_withdrawn kind catches authorisations
that end by date, which no event marks.
"""

from datetime import date, datetime, timedelta
from functools import cache

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import selectinload

from govtrack import audit
from govtrack.agencies.models import Agency, Person
from govtrack.clock import today, utcnow
from govtrack.editing import DomainError
from govtrack.extensions import db
from govtrack.mous.models import Mou, SignatoryAuthorisation, SigningEvent
from govtrack.notifications.models import Notification
from govtrack.notifications.services import notify
from govtrack.permissions import can_manage_signatories
from govtrack.reminders.kinds import Due

HEAD = "head"
AUTHORISED = "authorised_signatory"
#: the reminder kinds (mous.reminders) whose notices signing also sends at once
REQUESTED, WITHDRAWN, VOIDED, DECLINED = (
    "mou_signature_requested", "mou_signature_withdrawn", "mou_signatures_voided",
    "mou_signature_declined")

CAPACITY_LABELS = {HEAD: "head", AUTHORISED: "authorised signatory"}


class NotRegisterKeeper(DomainError):
    """Only the agency's head or an administrator keeps its register (a 403 in the views)."""


# --- who keeps and reads the register -----------------------------------------------------


# --- who may sign -------------------------------------------------------------------------


@cache
def _holding_query(of_people: bool):
    """_holding's statement, built once (My work asks it on every request): SQLAlchemy keys
    its compiled-SQL cache by the statement, and working that key out for a fresh one
    with loader options costs about a millisecond. Bound: "agency_ids", "day" and, when
    of_people, "person_ids"."""
    day = bindparam("day", type_=SignatoryAuthorisation.starts_on.type)
    query = (select(SignatoryAuthorisation)
             .where(SignatoryAuthorisation.agency_id.in_(bindparam("agency_ids", expanding=True)),
                    SignatoryAuthorisation.starts_on <= day,
                    or_(SignatoryAuthorisation.ends_on.is_(None),
                        SignatoryAuthorisation.ends_on >= day))
             .options(selectinload(SignatoryAuthorisation.person).selectinload(Person.account)))
    if of_people:
        query = query.where(
            SignatoryAuthorisation.person_id.in_(bindparam("person_ids", expanding=True)))
    return query


def _holding(day: date, agency_ids, person_ids=None) -> list[SignatoryAuthorisation]:
    """Authorisations of these agencies (and people) whose dates cover day, in one query."""
    params = {"agency_ids": list(agency_ids), "day": day}
    if person_ids is not None:
        params["person_ids"] = list(person_ids)
    return list(db.session.scalars(_holding_query(person_ids is not None), params))


def _may_act(authorisation: SignatoryAuthorisation, day: date, mou: Mou | None) -> bool:
    """The authorisation holds, and its person still works for the agency."""
    person = authorisation.person
    return (authorisation.holds_on(day, mou) and person.agency_id == authorisation.agency_id
            and person.active_on(day))


def capacities(account, agencies: list[Agency], mou: Mou | None,
               day: date) -> dict[int, str]:
    """agency id -> the capacity (HEAD, AUTHORISED) in which account may sign for it on day.

    Agencies account may not sign for are left out. mou None counts only the
    authorisations for every MOU.
    """
    if not account or not account.is_authenticated:
        return {}
    return person_capacities(account.person, agencies, mou, day)


def person_capacities(person: Person, agencies: list[Agency], mou: Mou | None, day: date,
                      holding: list[SignatoryAuthorisation] | None = None) -> dict[int, str]:
    """capacities() for a person; holding: their authorisations on day, if already loaded."""
    # A head marked as gone (or whose account is deactivated) no longer signs.
    found = ({a.id: HEAD for a in agencies if a.head_id is not None and a.head_id == person.id}
             if person.active_on(day) else {})
    # Only people of the agency are authorised (see authorise()), so at most one
    # agency is left to look up.
    rest = [a.id for a in agencies if a.id not in found and a.id == person.agency_id]
    if rest:
        if holding is None:
            holding = _holding(day, rest, [person.id])
        for authorisation in holding:
            if authorisation.agency_id in rest and _may_act(authorisation, day, mou):
                found[authorisation.agency_id] = AUTHORISED
    return found


def holding_of(person: Person, day: date) -> list[SignatoryAuthorisation]:
    """The authorisations of person whose dates cover day (for any MOU)."""
    return _holding(day, [person.agency_id], [person.id])


def signatories(agencies: list[Agency], mou: Mou | None, day: date,
                holding: list[SignatoryAuthorisation] | None = None) -> dict[int, list[Person]]:
    """agency id -> the people who may sign for it on day: the head first, then by name.

    holding: the authorisations holding on day of (at least) these agencies, when
    already loaded for many MOUs at once (the reminder sweep); else one query.
    """
    found: dict[int, list[Person]] = {a.id: [] for a in agencies}
    for agency in agencies:
        # head_id, not agency.head: the relationship lags a head just named in this session
        head = db.session.get(Person, agency.head_id) if agency.head_id else None
        if head is not None and head.active_on(day):
            found[agency.id].append(head)
    if agencies:
        if holding is None:
            holding = _holding(day, [a.id for a in agencies])
        authorised = sorted((a for a in holding
                             if a.agency_id in found and _may_act(a, day, mou)),
                            key=lambda a: a.person.name)
        for authorisation in authorised:
            people = found[authorisation.agency_id]
            if authorisation.person not in people:
                people.append(authorisation.person)
    return found


# --- the register -------------------------------------------------------------------------


def register(agency: Agency) -> list[SignatoryAuthorisation]:
    """Every authorisation ever given for agency, the latest first."""
    return list(db.session.scalars(
        select(SignatoryAuthorisation).where(SignatoryAuthorisation.agency_id == agency.id)
        .order_by(SignatoryAuthorisation.starts_on.desc(), SignatoryAuthorisation.id.desc())
        .options(selectinload(SignatoryAuthorisation.person),
                 selectinload(SignatoryAuthorisation.mou),
                 selectinload(SignatoryAuthorisation.granted_by),
                 selectinload(SignatoryAuthorisation.ended_by))))


def current(authorisation: SignatoryAuthorisation, day: date) -> bool:
    """Whether it holds on day or is still to start (the register's "current" list)."""
    return authorisation.ends_on is None or authorisation.ends_on >= day


def party_mous(agency: Agency) -> list[Mou]:
    """MOUs agency is a party to that may still be signed: those an authorisation can name."""
    return list(db.session.scalars(
        select(Mou).where(Mou.parties.any(Agency.id == agency.id),
                          Mou.status.in_(("draft", "in_review", "out_for_signature")))
        .order_by(Mou.title)))


def authorise(actor, agency: Agency, person: Person, *, starts_on: date,
              ends_on: date | None = None, mou: Mou | None = None,
              now: datetime | None = None) -> SignatoryAuthorisation:
    """The head (or an administrator) lets a person of the agency sign for it.

    Only people of the agency: a head vouches for their own staff, and the
    signature binds the agency through its own people. From a day (not
    before today: nobody is authorised after the fact), optionally until a
    last day, for one MOU of the agency or for all of them.
    """
    if not can_manage_signatories(actor, agency):
        raise NotRegisterKeeper(f"Only the head of {agency.name} or an administrator "
                                "authorises people to sign for it.")
    day = (now or utcnow()).date()
    if person.agency_id != agency.id:
        raise DomainError(f"{person.name} works for another agency; only people of "
                          f"{agency.name} sign for it.", "person")
    if not person.active_on(day):
        raise DomainError(f"{person.name} no longer works with the committees.", "person")
    if agency.head_id == person.id:
        raise DomainError(f"{person.name} heads {agency.name} and signs for it already.",
                          "person")
    if starts_on < day:
        raise DomainError("An authorisation starts today or later.", "starts_on")
    if ends_on is not None and ends_on < starts_on:
        raise DomainError("The last day cannot come before the first.", "ends_on")
    if mou is not None and agency.id not in {a.id for a in mou.parties}:
        raise DomainError(f"{agency.name} is not a party to that MOU.", "mou")
    authorisation = SignatoryAuthorisation(
        agency=agency, agency_id=agency.id, person=person, person_id=person.id, mou=mou,
        starts_on=starts_on, ends_on=ends_on, granted_by=actor.person,
        created_at=now or utcnow())
    db.session.add(authorisation)
    audit.record(actor, "create", authorisation)
    signatories_changed(agency, day=day)
    return authorisation


def end_authorisation(actor, authorisation: SignatoryAuthorisation,
                      now: datetime | None = None) -> SignatoryAuthorisation:
    """End an authorisation today: yesterday becomes its last day. Never deleted."""
    agency = authorisation.agency
    if not can_manage_signatories(actor, agency):
        raise NotRegisterKeeper(f"Only the head of {agency.name} or an administrator "
                                "ends an authorisation to sign for it.")
    now = now or utcnow()
    day = now.date()
    if authorisation.ended_at is not None or (authorisation.ends_on is not None
                                              and authorisation.ends_on < day):
        raise DomainError("This authorisation has already ended.")
    before = authorisation.ends_on
    authorisation.ends_on = day - timedelta(days=1)
    authorisation.ended_at, authorisation.ended_by = now, actor.person
    audit.record(actor, "update", authorisation, changes={
        "ends_on": [before.isoformat() if before else None, authorisation.ends_on.isoformat()],
        "ended_by": [None, actor.person.name]})
    signatories_changed(agency, day=day, reason=(
        f"The authorisation of {authorisation.person.name} to sign for {agency.name} "
        "has ended."))
    return authorisation


# --- telling them -------------------------------------------------------------------------


def _pending_loading():
    return (selectinload(Mou.parties), selectinload(Mou.versions),
            selectinload(Mou.events).selectinload(SigningEvent.agency))


def _due_parties(mou: Mou) -> list[Agency]:
    """The parties whose signature the MOU awaits now: unsigned, and it is their turn."""
    if mou.status != "out_for_signature":
        return []
    signed = mou.signed_parties()
    unsigned = [a for a in mou.parties if a.id not in signed]
    return unsigned[:1] if mou.signing_in_order else unsigned


def requested_prefix(mou: Mou) -> str:
    """The start of the keys of the current version's signature requests, up to the party."""
    return Due(REQUESTED, f"mou:{mou.id}", f"v{mou.current.number}-party-", 0, "").key[:-2]


def withdrawn(mou: Mou, agency: Agency, person_id: int, names: str, reason: str = "") -> Due:
    """The notice that a request to sign moved away from person_id (the sweep's key, too)."""
    return Due(WITHDRAWN, f"mou:{mou.id}", f"v{mou.current.number}-party-{agency.id}", person_id,
               f"You no longer sign “{mou.title}” for {agency.name}",
               f"{reason or f'Who may sign for {agency.name} has changed.'} The request "
               f"to sign “{mou.title}” for {agency.name} has moved to {names}.",
               f"/mous/{mou.key}", mou.committee_id)


def request_signatures(mou: Mou, day: date | None = None, reason: str = "") -> int:
    """Tell whoever may sign each party the MOU awaits, and anyone told before who no longer may.

    Returns how many notices were new. Safe to call after any change: the
    keys make each notice once.
    """
    due = _due_parties(mou)
    if not due:
        return 0
    if mou.id is None:
        db.session.flush()
    day = day or today()
    number = mou.current.number
    # The same key as the sweep's "signature requested" reminder (mous.reminders), so the
    # notice sent at once and the one the sweep derives later are one outbox row.
    prefix = requested_prefix(mou)
    asked: dict[int, set[int]] = {}
    for key, person_id in db.session.execute(select(Notification.key, Notification.person_id)
                                             .where(Notification.key.like(prefix + "%"))):
        asked.setdefault(int(key[len(prefix):].split(".")[0]), set()).add(person_id)
    by_party = signatories(due, mou, day)
    lead = f"{reason} " if reason else ""
    created = 0
    for agency in due:
        people = by_party[agency.id]
        for person in people:
            role = CAPACITY_LABELS[HEAD if person.id == agency.head_id else AUTHORISED]
            request = Due(REQUESTED, f"mou:{mou.id}", f"v{number}-party-{agency.id}", person.id,
                          f"Please sign “{mou.title}” for {agency.name}",
                          f"{lead}“{mou.title}” (version {number}) is out for signature and "
                          f"awaits {agency.name}. You may sign it for {agency.name} as its "
                          f"{role}.", f"/mous/{mou.key}/sign", mou.committee_id)
            created += notify(person, request.key, request.subject, request.body, request.link,
                              kind=REQUESTED, committee_id=mou.committee_id) is not None
        names = ", ".join(p.name for p in people) or "nobody yet: the agency has no head"
        for person_id in sorted(asked.get(agency.id, set()) - {p.id for p in people}):
            moved = withdrawn(mou, agency, person_id, names, reason)
            created += notify(db.session.get(Person, person_id), moved.key, moved.subject,
                              moved.body, moved.link, kind=WITHDRAWN,
                              committee_id=mou.committee_id) is not None
    return created


def signatories_changed(agency: Agency, day: date | None = None, reason: str = "") -> int:
    """The head of agency changed or an authorisation started or ended: move its requests."""
    mous = db.session.scalars(
        select(Mou).where(Mou.status == "out_for_signature",
                          Mou.parties.any(Agency.id == agency.id))
        .order_by(Mou.id).options(*_pending_loading()))
    return sum(request_signatures(mou, day, reason) for mou in mous)


def tell_voided(mou: Mou, events: list[SigningEvent], reason: str) -> int:
    """Tell each signer whose signature a new text voided, with the recorded reason."""
    created = 0
    for event in events:
        if event.person is None:
            continue
        # the sweep's "signatures voided" reminder has this key: one notice, not two
        key = Due(VOIDED, f"mou:{mou.id}", f"v{event.version_number}-voided", event.person.id,
                  "").key
        created += notify(
            event.person, key,
            f"Your signature on “{mou.title}” was voided",
            f"You signed version {event.version_number} for {event.agency.name}. {reason} "
            "The MOU is back in review; you will be asked to sign again when it goes out "
            "for signature.", f"/mous/{mou.key}", kind=VOIDED,
            committee_id=mou.committee_id) is not None
    return created
