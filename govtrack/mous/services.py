"""The MOU rules: lifecycle, versions, signing and its hash chain, who may see and sign.

Kamin, Weisman and Lamberti's county negotiated its MOU for months and then
had nothing that held the parties to what they had promised. So a signature
binds to the SHA-256 of the exact text signed, every signing event is chained
to the one before, and an executed MOU is never edited in place.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache

from sqlalchemy import bindparam, exists, or_, select, update
from sqlalchemy.orm import aliased, joinedload, load_only, selectinload

from govtrack import audit
from govtrack.accounts.totp import reauthenticate, signing_requires_totp
from govtrack.actions.models import ActionItem
from govtrack.agencies.models import Agency, Person
from govtrack.chairs.services import current_co_chairs, current_term
from govtrack.clock import today, utcnow
from govtrack.committees.models import Committee
from govtrack.editing import AlreadyDone, DomainError, apply_edit, unique_key
from govtrack.extensions import db
from govtrack.mous import chain
from govtrack.mous.models import (
    CANONICAL_FORMAT,
    EXECUTED_STATUSES,
    STATUSES,
    Mou,
    MouVersion,
    SigningEvent,
    mou_party,
    same_terms,
    sha256_hex,
    standing_signatures,
    terms_of,
)
from govtrack.mous.signatories import (
    AUTHORISED,
    DECLINED,
    HEAD,
    capacities,
    holding_of,
    person_capacities,
    request_signatures,
    signatories,
    tell_voided,
)
from govtrack.notifications.services import notify
from govtrack.permissions import can_view_mou, is_admin
from govtrack.reminders.kinds import Due

#: allowed moves by hand; "executed" is reached only by the last signature and
#: "superseded" only when an amendment is executed
TRANSITIONS = {
    "draft": {"in_review", "terminated"},
    "in_review": {"draft", "out_for_signature", "terminated"},
    "out_for_signature": {"in_review", "terminated"},
    "executed": {"expired", "terminated"},
    "expired": set(),
    "terminated": set(),
    "superseded": set(),
}

#: the consent to do business electronically; a new wording needs a new version
CONSENT_VERSION = "2026-01"
CONSENT_TEXT = (
    "I agree to sign this memorandum of understanding electronically. My electronic "
    "signature has the same effect as my handwritten signature. I may ask the sponsoring "
    "committee for a paper copy of the executed memorandum.")
CONSENT_SHA256 = sha256_hex(CONSENT_TEXT)

#: what the certificate says verification proves, and what it does not (docs/security.md)
VERIFICATION_PROVES = (
    "Each signed version's stored text and terms still hash to the SHA-256 its signers "
    "bound themselves to.",
    "No signing event was changed, removed or inserted since it was recorded, unless by "
    "someone holding this server's signing key as well as its database: every event is "
    "chained to the one before and sealed with an HMAC under a key kept outside the "
    "database.",
)
VERIFICATION_DOES_NOT_PROVE = (
    "Who sat at the keyboard: a signature proves the account's password (and code, if "
    "enrolled) was given, not the person; the typed name is shown beside the account's.",
    "That the record is complete against someone holding both the database and the key: "
    "compare the chain head and document SHA-256 with the receipts the parties were sent.",
    "Anything about versions signed before issue 16 beyond their text and obligations "
    "(canonical format 1), nor the events sealed only after the fact by seal-chains.",
)

EXECUTED_EDIT_MESSAGE = ("An executed MOU is never edited in place: start an amendment, "
                         "which supersedes it once executed.")


def mou_loading():
    """Loader options for an MOU page: parties, versions, events with their people.

    The parties' heads come with their accounts: whether a head still signs
    (Person.active_on) reads the account, once per party otherwise. What is one
    row per row it joins to (committee, amended MOU, heads, the events' agencies
    and people) is joined rather than fetched apart: six queries in all, each
    costing more CPU than the rows it brings.
    """
    return (selectinload(Mou.parties).joinedload(Agency.head).joinedload(Person.account),
            selectinload(Mou.versions),
            selectinload(Mou.events).options(joinedload(SigningEvent.agency),
                                              joinedload(SigningEvent.person)),
            joinedload(Mou.committee).selectinload(Committee.memberships),
            joinedload(Mou.supersedes), selectinload(Mou.superseded_by))


def intent_statement(agency: Agency, capacity: str = HEAD) -> str:
    """What the signer reads and adopts; an authorised signatory says so."""
    if capacity == AUTHORISED:
        return f"I sign this MOU on behalf of {agency.name} as its authorised signatory."
    return f"I sign this MOU on behalf of {agency.name}."


# --- who may see, edit and sign -------------------------------------------------------


def signing_capacity(account, agency: Agency, mou: Mou | None = None,
                     on: date | None = None) -> str | None:
    """HEAD or AUTHORISED if account may sign for agency on a day (default today), else None."""
    return capacities(account, [agency], mou, on or today()).get(agency.id)


def signable_parties(account, mou: Mou, on: date | None = None) -> list[Agency]:
    """The parties of mou this account may sign for (whether or not it is their turn)."""
    found = capacities(account, mou.parties, mou, on or today())
    return [a for a in mou.parties if a.id in found]


def intents_for(account, mou: Mou) -> dict[int, str]:
    """agency id -> the intent statement account adopts when signing for it."""
    found = capacities(account, mou.parties, mou, today())
    return {a.id: intent_statement(a, found.get(a.id, HEAD)) for a in mou.parties}


# --- creating and editing -------------------------------------------------------------


def _obligations(parties: list[Agency], obligations: dict[str, str]) -> list[dict]:
    """The obligations list of a version: one entry per party that promises something."""
    return [{"party": a.key, "text": obligations[a.key].strip()} for a in parties
            if (obligations.get(a.key) or "").strip()]


def _check_fields(values: dict, parties: list[Agency]) -> None:
    if len({a.id for a in parties}) < 2:
        raise DomainError("An MOU needs at least two parties.", "parties")
    effective, expires = values.get("effective"), values.get("expires")
    if effective and expires and expires < effective:
        raise DomainError("The MOU cannot expire before it takes effect.", "expires")


def create_mou(actor, *, title: str, committee: Committee | None, parties: list[Agency],
               text: str = "", purpose: str = "", background: str = "",
               obligations: dict[str, str] | None = None, effective: date | None = None,
               expires: date | None = None, review: date | None = None,
               supersedes: Mou | None = None) -> Mou | AlreadyDone:
    """A draft MOU with its first version; the same draft submitted again is not made twice."""
    values = {"effective": effective, "expires": expires}
    _check_fields(values, parties)
    same = _same_draft(title=title, committee=committee, parties=parties, text=text,
                       purpose=purpose, background=background, effective=effective,
                       expires=expires, review=review, supersedes=supersedes)
    if same is not None:
        return AlreadyDone(same, "This MOU was already drafted; nothing changed.")
    mou = Mou(key=unique_key(Mou, f"mou-{title}"), title=title, committee=committee,
              purpose=purpose, background=background, parties=list(parties),
              effective=effective, expires=expires, review=review, supersedes=supersedes,
              status="draft")
    mou.versions.append(MouVersion(number=1, text=text, terms=terms_of(mou),
                                   obligations=_obligations(parties, obligations or {})))
    db.session.add(mou)
    audit.record(actor, "create", mou, committee=committee)
    return mou


#: how long an identical new draft counts as the same submission sent again
REPEAT_WINDOW = timedelta(hours=1)


def _same_draft(*, title, committee, parties, text, purpose, background, effective, expires,
                review, supersedes) -> Mou | None:
    """A draft made moments ago from the very same form, if any."""
    candidates = db.session.scalars(select(Mou).where(
        Mou.title == title, Mou.status == "draft",
        Mou.committee_id == (committee.id if committee else None),
        Mou.created_at >= utcnow() - REPEAT_WINDOW))
    wanted = {p.id for p in parties}
    for mou in candidates:
        if ({p.id for p in mou.parties} == wanted and mou.purpose == purpose
                and mou.background == background and mou.effective == effective
                and mou.expires == expires and mou.review == review
                and mou.supersedes_id == (supersedes.id if supersedes else None)
                and len(mou.versions) == 1 and mou.versions[0].text == text):
            return mou
    return None


def refuse_if_executed(mou: Mou) -> None:
    """Refuse any edit of an MOU that is no longer being drafted or signed."""
    if not mou.is_editable:
        raise DomainError(EXECUTED_EDIT_MESSAGE if mou.status == "executed" else
                          f"A {mou.status_label.lower()} MOU cannot be edited.")


def update_mou(actor, mou: Mou, expected_version: int | None, *, title: str, purpose: str,
               background: str, text: str, obligations: dict[str, str],
               parties: list[Agency] | None = None, effective: date | None = None,
               expires: date | None = None, review: date | None = None,
               signing_in_order: bool | None = None,
               positions: dict[int, int] | None = None) -> Mou:
    """Change an MOU being drafted, reviewed or signed.

    In draft the text changes in place; once review started a new text is a
    new version, and a new version voids every signature of the old one and
    sends the MOU back to review, so each party signs what it now says.
    signing_in_order and positions (agency id -> place, 1 first) set the
    optional signing order; None leaves it as it is.
    """
    refuse_if_executed(mou)
    current = mou.current
    terms_before = current.agreed_terms()
    order_before = list(mou.parties)
    parties = list(parties) if parties is not None else list(mou.parties)
    _check_fields({"effective": effective, "expires": expires}, parties)
    apply_edit(mou, expected_version, {"title": title, "purpose": purpose,
                                       "background": background, "effective": effective,
                                       "expires": expires, "review": review})
    if {a.id for a in parties} != {a.id for a in mou.parties}:
        if mou.status not in ("draft", "in_review"):
            raise DomainError("The parties can change only in draft or in review; send the "
                              "MOU back to review first.", "parties")
        audit.record(actor, "update", mou, committee=mou.committee,
                     changes={"parties": [[a.key for a in mou.parties],
                                          [a.key for a in parties]]})
        mou.parties = parties
    _set_signing_order(actor, mou, order_before, parties, signing_in_order, positions)
    new_obligations = _obligations(parties, obligations)
    new_terms = terms_of(mou)
    # Compared regardless of party order: listing the parties in signing order
    # is no new text. Every term the parties agree to counts, not the text alone:
    # dates and purpose once changed after two parties signed, voiding nothing.
    if text != current.text or not same_terms(new_terms, terms_before) or (
            sorted(new_obligations, key=_obligation_key)
            != sorted(current.obligations or [], key=_obligation_key)):
        if mou.status == "draft" and not any(e.version_id == current.id for e in mou.events):
            current.text, current.obligations = text, new_obligations
            current.terms, current.canonical_format = new_terms, CANONICAL_FORMAT
            audit.record(actor, "update", mou, committee=mou.committee,
                         changes={"text": [None, f"version {current.number} revised"]})
        else:
            _new_version(actor, mou, text, new_obligations)
    audit.record(actor, "update", mou, committee=mou.committee)
    return mou


def _obligation_key(obligation: dict) -> tuple[str, str]:
    return obligation["party"], obligation["text"]


def _set_signing_order(actor, mou: Mou, before: list[Agency], parties: list[Agency],
                       in_order: bool | None, positions: dict[int, int] | None) -> None:
    """Parties sign one after another (lowest position first), or in any order.

    Changes only in draft or in review, like the parties: once out for
    signature, parties may already have signed on the strength of the order.
    """
    kept = [a for a in before if a in parties]
    added = sorted((a for a in parties if a not in before), key=lambda a: a.name)
    if in_order is None:
        in_order = mou.signing_in_order
        positions = None
    if in_order and positions:
        given = [positions[a.id] for a in parties if positions.get(a.id) is not None]
        if len(given) != len(set(given)):
            raise DomainError("Give each party its own place in the signing order.",
                              "signing_in_order")
        order = sorted(parties, key=lambda a: (positions.get(a.id) is None,
                                               positions.get(a.id) or 0, a.name))
    else:
        order = kept + added
    was = [a.key for a in before] if mou.signing_in_order else None
    now = [a.key for a in order] if in_order else None
    if was == now:
        return
    if mou.status not in ("draft", "in_review"):
        raise DomainError("The signing order can change only in draft or in review; send "
                          "the MOU back to review first.", "signing_in_order")
    audit.record(actor, "update", mou, committee=mou.committee,
                 changes={"signing_order": [was, now]})
    mou.signing_in_order = in_order
    _write_positions(mou, order)


def _write_positions(mou: Mou, order: list[Agency]) -> None:
    """Store each party's place (0 for all without an order) and reload the parties."""
    db.session.flush()
    for n, agency in enumerate(order, start=1):
        db.session.execute(update(mou_party).where(
            mou_party.c.mou_id == mou.id, mou_party.c.agency_id == agency.id)
            .values(position=n if mou.signing_in_order else 0))
    db.session.expire(mou, ["parties"])


def _new_version(actor, mou: Mou, text: str, obligations: list[dict]) -> MouVersion:
    old = mou.current
    signed = mou.signed_parties(old)
    version = MouVersion(number=old.number + 1, text=text, obligations=obligations,
                         terms=terms_of(mou))
    mou.versions.append(version)
    db.session.flush()
    reason = (f"The terms changed after this signature: version {version.number} replaces "
              f"version {old.number}; please sign the new version.")
    for event in signed.values():
        _append_event(mou, old, "voided", event.agency, reason=reason)
    tell_voided(mou, list(signed.values()), reason)
    changes = {"version": [old.number, version.number]}
    if signed:
        changes["voided_signatures"] = [sorted(e.agency.key for e in signed.values()), None]
    if mou.status == "out_for_signature":
        changes["status"] = [mou.status, "in_review"]
        mou.status = "in_review"
    audit.record(actor, "new_version", mou, committee=mou.committee, changes=changes)
    return version


def change_status(actor, mou: Mou, to: str, now: datetime | None = None) -> Mou:
    """Move the MOU along its lifecycle, refusing any move TRANSITIONS does not allow."""
    if to not in TRANSITIONS.get(mou.status, set()):
        raise DomainError(f"A {mou.status_label.lower()} MOU cannot move to “{to}”.", "to")
    before = mou.status
    if to == "out_for_signature":
        if len(mou.parties) < 2:
            raise DomainError("An MOU needs at least two parties.", "to")
        if mou.current.sent_for_signature_at is None:
            mou.current.sent_for_signature_at = (now or utcnow()).replace(microsecond=0)
        _name_parties_as_sent(mou)
    mou.status = to
    audit.record(actor, "status", mou, committee=mou.committee,
                 changes={"status": [before, to]})
    if to == "out_for_signature":
        request_signatures(mou, (now or utcnow()).date())
    return mou


def _name_parties_as_sent(mou: Mou) -> None:
    """Name the parties in the version sent for signature as their agencies are named now.

    The names stay what they were when the version was made until it is sent;
    once a party signed or declined it, the version is never rewritten, and a
    later rename of an agency leaves what was signed as it was (same_terms).
    """
    current = mou.current
    if current.terms is None or any(e.version_id == current.id for e in mou.events):
        return
    now = terms_of(mou)
    if now != current.terms and same_terms(now, current.terms):
        current.terms = now


def amend(actor, mou: Mou) -> Mou:
    """A new draft MOU that supersedes an executed one once it is executed itself."""
    if mou.status != "executed":
        raise DomainError("Only an executed MOU is amended; edit this one instead.")
    if any(m.status not in ("terminated",) for m in mou.superseded_by):
        raise DomainError("An amendment of this MOU is already under way.")
    current = mou.current
    return create_mou(actor, title=f"{mou.title} (amendment)", committee=mou.committee,
                      parties=list(mou.parties), text=current.text, purpose=mou.purpose,
                      background=mou.background,
                      obligations={o["party"]: o["text"] for o in current.obligations or []},
                      effective=mou.effective, expires=mou.expires, review=mou.review,
                      supersedes=mou)


# --- signing ----------------------------------------------------------------------------


def _append_event(mou: Mou, version: MouVersion, kind: str, agency: Agency,
                  person=None, at: datetime | None = None, as_recorded: bool = False,
                  **fields) -> SigningEvent:
    """Add a link to the MOU's hash chain; the only way events are written.

    The app records events to the second; as_recorded keeps at as another
    record gives it (an imported county file), fractions of a second and all,
    so the file's signing record comes back out exactly as it went in.
    """
    previous = mou.events[-1].event_sha256 if mou.events else ""
    # Column defaults apply only at flush; the hash must cover the values stored.
    fields = dict.fromkeys((
        "signer_name", "signer_title", "auth_method", "consent_version", "consent_sha256",
        "intent", "reason", "address", "user_agent"), "") | fields
    event = SigningEvent(mou=mou, version=version, version_id=version.id,
                         version_number=version.number, kind=kind, agency=agency,
                         agency_id=agency.id, person=person,
                         at=at if as_recorded else (at or utcnow()).replace(microsecond=0),
                         document_sha256=version.digest, previous_sha256=previous, **fields)
    event.event_sha256 = event.compute_hash()
    event.key_id = chain.current_key_id()
    event.event_mac = chain.seal(event.key_id, event.event_sha256)
    db.session.add(event)
    mou.chain_head = event.event_sha256
    return event


@dataclass
class Signing:
    """What the signer typed and ticked, and where they signed from."""

    password: str
    consent: bool
    name: str
    title: str
    address: str = ""
    user_agent: str = ""
    #: the 6-digit code from the signer's authenticator app, if they enrolled
    totp_code: str = ""
    #: SHA-256 of the version the signer was shown: they sign that, or nothing
    document_sha256: str = ""


class TextChanged(DomainError):
    """The current version is not the one the signer read."""


def check_version_shown(mou: Mou, document_sha256: str) -> None:
    """Refuse to bind a signature (or a refusal) to a version the signer was not shown.

    A head who opened version 1, and submitted after the chair had made and
    re-sent version 2, used to sign version 2 unseen.
    """
    if (document_sha256 or "").strip().lower() != mou.current.digest:
        raise TextChanged(f"The text changed since you opened it: version "
                          f"{mou.current.number} is shown below. Read it, then sign again.")


def sign(account, mou: Mou, agency: Agency, signing: Signing,
         now: datetime | None = None) -> SigningEvent:
    """Sign the current version for agency, after re-authentication and consent.

    The last party's signature executes the MOU (and supersedes the one it amends);
    any other tells the signatories of the party whose turn it is next.
    """
    day = (now or utcnow()).date()
    capacity = signing_capacity(account, agency, mou, day)
    if capacity is None or agency.id not in {a.id for a in mou.parties}:
        raise NotSignatory(f"Only the head of {agency.name}, or a person the head "
                           "authorised, signs for it.")
    if mou.status != "out_for_signature":
        raise DomainError(f"The MOU is {mou.status_label.lower()}, not out for signature.")
    if agency.id in mou.signed_parties():
        raise DomainError(f"{agency.name} has already signed version {mou.current.number}.",
                          "party")
    first = mou.waiting_for(agency)
    if first is not None:
        raise DomainError(f"Waiting for {first.name} to sign first.", "party")
    check_version_shown(mou, signing.document_sha256)
    auth_method = reauthenticate(account, signing.password, signing.totp_code,
                                 require_totp=signing_requires_totp(),
                                 address=signing.address)
    if not signing.consent:
        raise DomainError("Tick the box to consent to signing electronically.", "consent")
    if not signing.name.strip():
        raise DomainError("Type your name.", "name")
    event = _append_event(
        mou, mou.current, "signed", agency, person=account.person, at=now,
        signer_name=signing.name.strip(), signer_title=signing.title.strip(),
        auth_method=auth_method, consent_version=CONSENT_VERSION,
        consent_sha256=CONSENT_SHA256, intent=intent_statement(agency, capacity),
        signed_as=capacity, address=(signing.address or "")[:64],
        user_agent=(signing.user_agent or "")[:400])
    audit.record(account, "sign", mou, committee=mou.committee, changes={
        "signature": [None, {"party": agency.key, "version": mou.current.number,
                             "document_sha256": event.document_sha256}]})
    if len(mou.signed_parties()) == len(mou.parties):
        _execute(account, mou, event.at)
    else:
        request_signatures(mou, day)
    return event


def _execute(actor, mou: Mou, at: datetime) -> None:
    mou.status, mou.executed_at = "executed", at
    audit.record(actor, "status", mou, committee=mou.committee,
                 changes={"status": ["out_for_signature", "executed"]})
    _send_receipts(mou)
    old = mou.supersedes
    if old is not None and old.status in ("executed", "expired"):
        audit.record(actor, "status", old, committee=old.committee,
                     changes={"status": [old.status, "superseded"]})
        old.status = "superseded"


def _send_receipts(mou: Mou) -> int:
    """Give each party's signatory the document digest and the chain head, to keep.

    Held outside govtrack, they let a party show later that the record was
    changed, even by someone who holds the database and the signing key.
    """
    version = mou.current
    signed = mou.signed_parties(version)
    return sum(notify(
        event.person, f"mou:{mou.id}:v{version.number}:receipt:{event.agency_id}:"
        f"{event.person.id}",
        f"Receipt: “{mou.title}” is executed",
        f"Every party signed version {version.number} of “{mou.title}”; you signed for "
        f"{event.agency.name}. Keep this receipt: the document's SHA-256 is "
        f"{version.digest} and the signing record's chain head is {mou.chain_head}. "
        "The certificate of completion checks a document against these.",
        f"/mous/{mou.key}/certificate") is not None
        for event in signed.values() if event.person is not None)


def decline(account, mou: Mou, agency: Agency, reason: str, confirm: Signing,
            now: datetime | None = None) -> SigningEvent:
    """A party refuses to sign, with its reason; the MOU goes back to review.

    A signing act like a signature: recorded in the chain under the signer's
    name, it needs the same re-authentication, binds to the version shown, and
    tells the other parties' signatories and the chair why. Of confirm, only
    the password, code, digest and where from count.
    """
    day = (now or utcnow()).date()
    if (signing_capacity(account, agency, mou, day) is None
            or agency.id not in {a.id for a in mou.parties}):
        raise NotSignatory(f"Only the head of {agency.name}, or a person the head "
                           "authorised, declines for it.")
    if mou.status != "out_for_signature":
        raise DomainError(f"The MOU is {mou.status_label.lower()}, not out for signature.")
    if not reason.strip():
        raise DomainError("Say why the agency declines.", "reason")
    check_version_shown(mou, confirm.document_sha256)
    auth_method = reauthenticate(account, confirm.password, confirm.totp_code,
                                 require_totp=signing_requires_totp(),
                                 address=confirm.address)
    event = _append_event(mou, mou.current, "declined", agency, person=account.person,
                          at=now, signer_name=account.person.name, reason=reason.strip(),
                          auth_method=auth_method, address=(confirm.address or "")[:64],
                          user_agent=(confirm.user_agent or "")[:400])
    audit.record(account, "decline", mou, committee=mou.committee,
                 changes={"declined": [None, {"party": agency.key, "reason": reason.strip()}],
                          "status": [mou.status, "in_review"]})
    mou.status = "in_review"
    _tell_declined(mou, event, day)
    return event


def _tell_declined(mou: Mou, event: SigningEvent, day: date) -> int:
    """Tell the other parties' signatories and the chair who declined, and why."""
    people = {}
    others = [a for a in mou.parties if a.id != event.agency_id]
    for found in signatories(others, mou, day).values():
        people |= {p.id: p for p in found}
    if mou.committee is not None:
        chair = current_term(mou.committee, day)
        for term in ([chair] if chair else []) + current_co_chairs(mou.committee, day):
            people[term.person_id] = term.person
    people.pop(event.person_id, None)
    number = event.version_number
    if event.id is None:
        db.session.flush()
    # the sweep's "declined" reminder (mous.reminders) has these keys: told once, not twice
    return sum(notify(
        person, Due(DECLINED, f"mou:{mou.id}", f"declined-{event.id}", person.id, "").key,
        f"{event.agency.name} declined to sign “{mou.title}”",
        f"{event.signer_name} declined to sign version {number} for {event.agency.name}: "
        f"{event.reason} The MOU is back in review.", f"/mous/{mou.key}", kind=DECLINED,
        committee_id=mou.committee_id) is not None
        for person in sorted(people.values(), key=lambda p: p.id))


class NotSignatory(DomainError):
    """The acting person may not sign for that agency (a 403 in the views)."""


# --- verification -------------------------------------------------------------------------


@dataclass
class Verification:
    """The result of checking an MOU's signing record against its stored versions."""

    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the record is intact."""
        return not self.problems


def verify(mou: Mou) -> Verification:
    """Recompute every event hash, the chain's links and each signed version's hash.

    A removed event breaks the link of the one after it (or the chain head); an
    altered event no longer matches its own hash; a version whose stored text
    changed after signing no longer matches the hash its signatures hold.
    """
    result = Verification()
    previous = ""
    for n, event in enumerate(mou.events, start=1):
        if event.previous_sha256 != previous:
            result.problems.append(f"Event {n} does not follow the event before it: an "
                                   "event was removed or inserted.")
        if event.compute_hash() != event.event_sha256:
            result.problems.append(f"Event {n} ({event.kind_label.lower()} for "
                                   f"{event.agency.name}) was altered after it was recorded.")
        elif not chain.sealed_correctly(event.key_id, event.event_sha256, event.event_mac):
            # The hashes can be recomputed by whoever can write the database; the seal
            # needs the key, which the database never holds.
            result.problems.append(
                f"Event {n} ({event.kind_label.lower()} for {event.agency.name}) does not "
                f"carry the seal of this server's signing key"
                f"{f' {event.key_id}' if event.key_id else ''}: it was written or "
                "rewritten outside govtrack.")
        if event.kind == "signed" and event.version.digest != event.document_sha256:
            result.problems.append(
                f"Version {event.version_number} no longer matches the hash "
                f"{event.agency.name} signed: its stored text was changed.")
        previous = event.event_sha256
    if (mou.chain_head or "") != previous:
        result.problems.append("The last recorded event is missing from the signing record.")
    signed = mou.signed_parties()
    missing = [a.name for a in mou.parties if a.id not in signed]
    if mou.status in EXECUTED_STATUSES:
        if missing:
            result.problems.append("Executed without a signature of " + ", ".join(missing) + ".")
        elif signed and mou.executed_at != max(e.at for e in signed.values()):
            result.problems.append("The recorded time of execution is not the time of the "
                                   "last signature.")
    elif mou.status not in STATUSES:
        result.problems.append(f"The status “{mou.status}” is no status an MOU can have.")
    elif signed and not missing and mou.status != "terminated":
        result.problems.append("Every party signed, yet the MOU is recorded as "
                               f"{mou.status_label.lower()}, not executed.")
    version = mou.current if mou.versions else None
    if version is not None and version.terms is not None and not same_terms(terms_of(mou),
                                                                            version.terms):
        result.problems.append(f"The MOU's title, purpose, background, dates or parties "
                               f"differ from version {version.number}, which states the "
                               "terms its parties sign.")
    return result


def seal_events(reseal: bool = False) -> tuple[int, list[tuple[str, str]]]:
    """Seal with the current key every event that has no seal (or, with reseal, an older one).

    An MOU whose unkeyed chain does not verify is left unsealed and reported:
    sealing must not vouch for a record already altered.
    """
    current = chain.current_key_id()
    sealed, refused = 0, []
    for mou in db.session.scalars(select(Mou).order_by(Mou.id).options(*mou_loading())):
        todo = [e for e in mou.events if not e.event_mac or (reseal and e.key_id != current)]
        if not todo:
            continue
        broken, previous = None, ""
        for n, event in enumerate(mou.events, start=1):
            if event.compute_hash() != event.event_sha256 or event.previous_sha256 != previous:
                broken = f"event {n} does not match its hash or the event before it"
                break
            if event.event_mac and not chain.sealed_correctly(
                    event.key_id, event.event_sha256, event.event_mac):
                broken = f"event {n} carries a seal that does not verify"
                break
            previous = event.event_sha256
        if broken is None and (mou.chain_head or "") != previous:
            broken = "the chain head does not name the last event"
        if broken:
            refused.append((mou.key, broken))
            continue
        for event in todo:
            event.key_id, event.event_mac = current, chain.seal(current, event.event_sha256)
            sealed += 1
    return sealed, refused


def matches_executed(mou: Mou, digest: str) -> MouVersion | None:
    """The executed version whose hash is digest, if any (the verification page)."""
    digest = digest.strip().lower()
    for version in mou.versions:
        if version.digest == digest and mou.signed_parties(version):
            return version
    return None


# --- what agency heads see --------------------------------------------------------------


#: statuses in which an MOU binds its parties or is about to: what their heads follow
LIVE_STATUSES = ("in_review", "out_for_signature", "executed")


@cache
def _awaiting_queries():
    """awaiting_signature's statements, built once (My work asks them on every request; see
    signatories._holding_query): the MOUs out for signature with a party headed by
    "person_id" or among "agency_ids"; the signing events of "mou_ids" as rows."""
    return (select(Mou).join(mou_party, mou_party.c.mou_id == Mou.id)
            .join(Agency, Agency.id == mou_party.c.agency_id)
            .where(Mou.status == "out_for_signature",
                   or_(Agency.head_id == bindparam("person_id"),
                       mou_party.c.agency_id.in_(bindparam("agency_ids", expanding=True))))
            .order_by(Mou.title)
            .options(selectinload(Mou.parties), selectinload(Mou.versions)),
            select(SigningEvent.mou_id, SigningEvent.version_id, SigningEvent.kind,
                   SigningEvent.agency_id)
            .where(SigningEvent.mou_id.in_(bindparam("mou_ids", expanding=True)))
            .order_by(SigningEvent.id))


def awaiting_signature(person, on: date | None = None,
                       headed: list[Agency] | None = None) -> list[tuple[Mou, Agency]]:
    """(MOU, party) pairs awaiting person's signature, as head or authorised signatory.

    Only parties that have not signed, and whose turn it is under a signing order.
    Of the signing events it reads only who signed which version, as bare rows:
    a head may be asked by dozens of MOUs, each with its history. headed: the
    agencies person heads, when the caller has read them: heading none and
    authorised for none, person is asked nothing, and the MOUs are not read.
    """
    day = on or today()
    holding = holding_of(person, day)
    if headed == [] and not holding:
        return []
    awaiting, signed_query = _awaiting_queries()
    mous = list(db.session.scalars(awaiting, {
        "person_id": person.id,
        "agency_ids": sorted({a.agency_id for a in holding})}).unique())
    if not mous:
        return []
    events: dict[int, list] = {}
    for row in db.session.execute(signed_query, {"mou_ids": [m.id for m in mous]}):
        events.setdefault(row.mou_id, []).append(row)
    rows = []
    for mou in mous:
        found = person_capacities(person, mou.parties, mou, day, holding)
        signed = standing_signatures(events.get(mou.id, []), mou.current.id)
        rows += [(mou, agency) for agency in mou.parties if agency.id in found
                 and agency.id not in signed and mou.waiting_for(agency, signed) is None]
    return rows


def promised_by(agencies: list[Agency]) -> list[tuple[Mou, Agency, str, list[ActionItem]]]:
    """Every obligation of these agencies in live MOUs, with the action items tracking them.

    Each MOU comes with its current version alone, in the same query: the
    obligations are all this reads of it, and a head's agencies are in dozens.
    """
    if not agencies:
        return []
    later = aliased(MouVersion)
    pairs = db.session.execute(
        select(Mou, MouVersion).join(MouVersion, MouVersion.mou_id == Mou.id)
        .where(Mou.status.in_(LIVE_STATUSES),
               Mou.id.in_(select(mou_party.c.mou_id).where(
                   mou_party.c.agency_id.in_([a.id for a in agencies]))),
               ~exists().where(later.mou_id == Mou.id, later.number > MouVersion.number))
        .order_by(Mou.title, Mou.id)
        .options(load_only(MouVersion.number, MouVersion.obligations))).all()
    actions = obligation_actions([mou for mou, _ in pairs])
    rows = []
    for mou, current in pairs:
        for agency in agencies:
            for text in current.obligations_of(agency.key):
                rows.append((mou, agency, text, [a for a in actions.get(mou.key, [])
                                                 if a.owner.agency_id == agency.id]))
    return rows


def obligation_actions(mous: list[Mou]) -> dict[str, list[ActionItem]]:
    """MOU key -> the action items tracking its obligations, in one query."""
    if not mous:
        return {}
    found: dict[str, list[ActionItem]] = {}
    for action in db.session.scalars(
            select(ActionItem).where(ActionItem.origin_kind == "mou",
                                     ActionItem.origin_ref.in_([m.key for m in mous]))
            .options(joinedload(ActionItem.owner)).order_by(ActionItem.due)):
        found.setdefault(action.origin_ref, []).append(action)
    return found


def track_obligation(actor, mou: Mou, *, title: str, owner, due: date | None) -> ActionItem:
    """An action item owned by a party's person that tracks one of its obligations."""
    if mou.committee is None:
        raise DomainError("Only an MOU sponsored by a committee tracks action items.")
    if owner.agency_id not in {a.id for a in mou.parties}:
        raise DomainError("The owner must work for one of the parties.", "owner")
    action = ActionItem(key=unique_key(ActionItem, f"{mou.key}-{title}"),
                        committee=mou.committee, title=title, owner=owner, due=due,
                        origin_kind="mou", origin_ref=mou.key)
    db.session.add(action)
    audit.record(actor, "create", action, committee=mou.committee)
    return action


def visible_mous(account) -> list[Mou]:
    """The MOUs account may see, by title."""
    query = select(Mou).order_by(Mou.title).options(*mou_loading())
    if not is_admin(account):
        committee_ids = select(Committee.id).where(Committee.memberships.any(
            person_id=account.person_id))
        query = query.where(or_(
            Mou.parties.any(Agency.id == account.person.agency_id),
            Mou.committee_id.in_(committee_ids)))
    return [m for m in db.session.scalars(query) if can_view_mou(account, m)]
