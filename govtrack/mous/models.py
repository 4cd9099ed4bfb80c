"""MOU, version and signing-event records."""

import hashlib
import json
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from govtrack.agencies.models import Agency, Person
from govtrack.clock import utcnow
from govtrack.committees.models import Committee
from govtrack.db_types import UTCDateTime
from govtrack.extensions import db

STATUSES = {"draft": "Draft", "in_review": "In review",
            "out_for_signature": "Out for signature", "executed": "Executed",
            "expired": "Expired", "terminated": "Terminated", "superseded": "Superseded"}
#: statuses in which the text may still change (a new version once review started)
EDITABLE_STATUSES = frozenset({"draft", "in_review", "out_for_signature"})
#: statuses of an MOU that was executed at some point
EXECUTED_STATUSES = frozenset({"executed", "expired", "superseded"})
EVENT_KINDS = {"signed": "Signed", "declined": "Declined", "voided": "Signature voided"}

mou_party = Table(
    "mou_party", db.metadata,
    Column("mou_id", ForeignKey("mou.id", ondelete="CASCADE"), primary_key=True),
    Column("agency_id", ForeignKey("agency.id"), primary_key=True),
    #: place in the signing order (1 signs first); 0 for all when the MOU has no order
    Column("position", Integer, nullable=False, default=0, server_default="0"),
)


#: How MouVersion.canonical renders a version. 1: number, text and obligations only
#: (versions made before issue 16; their signatures still verify against that form).
#: 2: also every term the parties agree to: title, purpose, background, effective,
#: expiry and review dates, and the parties. Stored with each version, so a
#: version's canonical form stays reproducible whatever later formats add.
CANONICAL_FORMAT = 2


def terms_of(mou: "Mou") -> dict:
    """The terms of mou as they read now, in the JSON shape a version stores them."""
    return {"title": mou.title, "purpose": mou.purpose or "",
            "background": mou.background or "",
            "effective": mou.effective.isoformat() if mou.effective else None,
            "expires": mou.expires.isoformat() if mou.expires else None,
            "review": mou.review.isoformat() if mou.review else None,
            "parties": sorted(({"key": a.key, "name": a.name} for a in mou.parties),
                              key=lambda p: p["key"])}


def same_terms(these: dict | None, those: dict | None) -> bool:
    """Whether two sets of terms bind the parties to the same thing.

    A party is bound by who it is (its key), not by what its name reads today:
    renaming an agency neither voids a signature nor makes a new version, and
    the versions already made keep the names they were made (or sent) with.
    """
    def binding(terms):
        if terms is None:
            return None
        return {**terms, "parties": sorted(p["key"] for p in terms.get("parties") or [])}

    return binding(these) == binding(those)


def sha256_hex(text: str) -> str:
    """SHA-256 of text encoded as UTF-8, in hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def standing_signatures(events, version_id: int) -> dict:
    """agency id -> event, for the signatures of a version that no later event voided.

    events: in the order recorded; anything with version_id, kind and agency_id
    (the events themselves, or bare rows of those columns when only who signed
    matters, as on a head's list of MOUs awaiting signature).
    """
    found = {}
    for event in events:
        if event.version_id != version_id:
            continue
        if event.kind == "signed":
            found[event.agency_id] = event
        elif event.kind == "voided":
            found.pop(event.agency_id, None)
    return found


class Mou(db.Model):
    """A memorandum of understanding between agencies, sponsored by a committee."""

    __tablename__ = "mou"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(Text, default="")
    background: Mapped[str] = mapped_column(Text, default="")
    committee_id: Mapped[int | None] = mapped_column(ForeignKey("committee.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    effective: Mapped[date | None]
    expires: Mapped[date | None]
    review: Mapped[date | None]
    #: the MOU this one amends or renews; it becomes superseded when this is executed
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("mou.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    executed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: event_hash of the last signing event: a removed last event shows as a mismatch
    chain_head: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(default=1)
    #: parties sign one after another, in the order of mou_party.position
    signing_in_order: Mapped[bool] = mapped_column(default=False, server_default=false())

    committee: Mapped[Committee | None] = relationship()
    #: in signing order when the MOU has one, else by name (every position is 0)
    parties: Mapped[list[Agency]] = relationship(
        secondary=mou_party, order_by=lambda: [mou_party.c.position, Agency.name])
    versions: Mapped[list["MouVersion"]] = relationship(
        back_populates="mou", cascade="all, delete-orphan", order_by="MouVersion.number")
    events: Mapped[list["SigningEvent"]] = relationship(
        back_populates="mou", cascade="all, delete-orphan", order_by="SigningEvent.id")
    supersedes: Mapped["Mou | None"] = relationship(
        remote_side=[id], backref=db.backref("superseded_by", order_by="Mou.id"))

    __mapper_args__ = {"version_id_col": version}

    @property
    def status_label(self) -> str:
        """The status in words (as stored, if the database holds an unknown status)."""
        return STATUSES.get(self.status, self.status)

    @property
    def is_editable(self) -> bool:
        """Whether its text may still change: never once executed (DESIGN.md, MOU)."""
        return self.status in EDITABLE_STATUSES

    @property
    def current(self) -> "MouVersion":
        """The latest version: the one parties review and sign."""
        return self.versions[-1]

    def signed_parties(self, version: "MouVersion | None" = None) -> dict[int, "SigningEvent"]:
        """agency id -> signing event, for the valid signatures of a version (default current)."""
        return standing_signatures(self.events, (version or self.current).id)

    def waiting_for(self, agency: Agency, signed: dict | None = None) -> Agency | None:
        """The party that must sign before agency may, under a signing order; else None.

        signed: signed_parties(), when the caller has it already.
        """
        if not self.signing_in_order:
            return None
        signed = self.signed_parties() if signed is None else signed
        first = next((a for a in self.parties if a.id not in signed), None)
        return first if first is not None and first.id != agency.id else None

    def __str__(self) -> str:
        return self.title


class MouVersion(db.Model):
    """One text of an MOU with each party's obligations; signatures bind to it."""

    __tablename__ = "mou_version"
    __table_args__ = (UniqueConstraint("mou_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mou_id: Mapped[int] = mapped_column(ForeignKey("mou.id"), index=True)
    number: Mapped[int]
    text: Mapped[str] = mapped_column(Text, default="")
    #: [{"party": agency key, "text": what that party promises}], in party order
    obligations: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_for_signature_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: CANONICAL_FORMAT this version is rendered (and its signatures hashed) in
    canonical_format: Mapped[int] = mapped_column(default=CANONICAL_FORMAT,
                                                  server_default="1")
    #: terms_of(mou) when this version was made (format 2 on); None in format 1
    terms: Mapped[dict | None] = mapped_column(JSON)

    mou: Mapped[Mou] = relationship(back_populates="versions")

    def canonical(self) -> str:
        """The exact thing a signature binds to: JSON of the version, sorted keys.

        Format 1 covers the number, text and obligations; format 2 adds every
        term (title, purpose, background, dates, parties) and the format itself.
        """
        content = {"number": self.number, "obligations": self.obligations or [],
                   "text": self.text}
        # None only before the first flush, which stores the default.
        form = self.canonical_format or CANONICAL_FORMAT
        if form != 1:
            content |= {"format": form, "terms": self.terms}
        return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))

    def agreed_terms(self) -> dict:
        """The terms this version states (format 1 stored none: the MOU's own, as they read)."""
        return self.terms if self.terms is not None else terms_of(self.mou)

    @property
    def digest(self) -> str:
        """SHA-256 of the canonical rendering, as the stored text reads now."""
        return sha256_hex(self.canonical())

    def obligations_of(self, agency_key: str) -> list[str]:
        """What one party promises in this version."""
        return [o["text"] for o in self.obligations or [] if o["party"] == agency_key]


class SigningEvent(db.Model):
    """A signature, a refusal to sign, or a voided signature: one link of the MOU's hash chain.

    Rows are written once and never changed: a signature made void by a new
    text is answered by a "voided" event, so the chain keeps the history.
    """

    __tablename__ = "mou_signing_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    mou_id: Mapped[int] = mapped_column(ForeignKey("mou.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("mou_version.id"))
    version_number: Mapped[int]
    kind: Mapped[str] = mapped_column(String(20))
    #: the party the event is about
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    #: who signed or declined (None for a signature voided by the system)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    signer_name: Mapped[str] = mapped_column(String(200), default="")
    signer_title: Mapped[str] = mapped_column(String(200), default="")
    #: how the signer proved who they were just before signing: password, imported
    auth_method: Mapped[str] = mapped_column(String(40), default="")
    #: the signer's capacity: "head" or "authorised_signatory" ("" before the register,
    #: and for imports)
    signed_as: Mapped[str] = mapped_column(String(30), default="", server_default="")
    consent_version: Mapped[str] = mapped_column(String(40), default="")
    consent_sha256: Mapped[str] = mapped_column(String(64), default="")
    intent: Mapped[str] = mapped_column(Text, default="")
    #: why a party declined, or why a signature was voided
    reason: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    address: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(400), default="")
    #: SHA-256 of the version's canonical rendering when the event was written
    document_sha256: Mapped[str] = mapped_column(String(64))
    previous_sha256: Mapped[str] = mapped_column(String(64), default="")
    event_sha256: Mapped[str] = mapped_column(String(64))
    #: id of the key (outside the database) whose HMAC of event_sha256 is event_mac
    key_id: Mapped[str] = mapped_column(String(40), default="", server_default="")
    event_mac: Mapped[str] = mapped_column(String(64), default="", server_default="")

    mou: Mapped[Mou] = relationship(back_populates="events")
    version: Mapped[MouVersion] = relationship()
    agency: Mapped[Agency] = relationship()
    person: Mapped[Person | None] = relationship()

    @property
    def kind_label(self) -> str:
        """The kind in words (as stored, if the database holds an unknown kind)."""
        return EVENT_KINDS.get(self.kind, self.kind)

    def chained_fields(self, agency_key: str, person_key: str | None) -> dict:
        """What the event hash covers: every field but the ids the database assigns."""
        fields = {"mou": self.mou.key, "version": self.version_number, "kind": self.kind,
                 "agency": agency_key, "person": person_key, "signer_name": self.signer_name,
                 "signer_title": self.signer_title, "auth_method": self.auth_method,
                 "consent_version": self.consent_version,
                 "consent_sha256": self.consent_sha256, "intent": self.intent,
                 "reason": self.reason, "at": self.at.isoformat(), "address": self.address,
                 "user_agent": self.user_agent, "document_sha256": self.document_sha256,
                 "previous_sha256": self.previous_sha256}
        # Added with the signatory register: left out when empty, so the hashes of
        # events recorded before it still verify.
        if self.signed_as:
            fields["signed_as"] = self.signed_as
        return fields

    def compute_hash(self) -> str:
        """SHA-256 of the chained fields as sorted JSON."""
        fields = self.chained_fields(self.agency.key,
                                     self.person.key if self.person else None)
        return sha256_hex(json.dumps(fields, sort_keys=True, ensure_ascii=False,
                                     separators=(",", ":")))


class SignatoryAuthorisation(db.Model):
    """A person the head of an agency authorised to sign MOUs for it: the register.

    Rows are never deleted: ending an authorisation sets its last day, so the
    register keeps who could sign for whom, and when.
    """

    __tablename__ = "mou_signatory_authorisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    #: the one MOU it covers; None for every MOU of the agency
    mou_id: Mapped[int | None] = mapped_column(ForeignKey("mou.id"), index=True)
    starts_on: Mapped[date]
    #: the last day it holds; None until further notice
    ends_on: Mapped[date | None]
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    agency: Mapped[Agency] = relationship()
    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    mou: Mapped[Mou | None] = relationship()
    granted_by: Mapped[Person | None] = relationship(foreign_keys=[granted_by_id])
    ended_by: Mapped[Person | None] = relationship(foreign_keys=[ended_by_id])

    def holds_on(self, day: date, mou: Mou | None = None) -> bool:
        """Whether it lets its person sign on day (for mou, if given)."""
        if self.starts_on > day or (self.ends_on is not None and day > self.ends_on):
            return False
        return self.mou_id is None or (mou is not None and self.mou_id == mou.id)

    def __str__(self) -> str:
        return f"{self.person.name} signs for {self.agency.name}"
