"""Meeting, agenda item, attendance, agenda request, quorum rule and calendar feed records."""

from datetime import datetime, timedelta

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from govtrack.agencies.models import Person
from govtrack.clock import utcnow
from govtrack.committees.models import Committee
from govtrack.db_types import UTCDateTime
from govtrack.extensions import db

MEETING_STATUSES = {"scheduled": "Scheduled", "held": "Held", "cancelled": "Cancelled"}
ITEM_KINDS = {"report_back": "Report-back", "decision": "Decision",
              "discussion": "Discussion", "information": "Information"}
ATTENDANCE = {"present": "Present", "absent": "Absent", "designee": "Sent a designee"}
#: where a standing item goes on every agenda
PLACEMENTS = {"start": "Opens every agenda", "end": "Closes every agenda"}
REQUEST_STATUSES = {"pending": "Waiting for the chair", "accepted": "Accepted",
                    "declined": "Declined"}


class Meeting(db.Model):
    """One meeting of a committee: from its cadence or one-off."""

    __tablename__ = "meeting"
    __table_args__ = (UniqueConstraint("committee_id", "occurrence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committee.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    duration_minutes: Mapped[int] = mapped_column(default=90)
    location: Mapped[str] = mapped_column(String(500), default="")
    video_link: Mapped[str] = mapped_column(String(2000), default="")
    status: Mapped[str] = mapped_column(String(20), default="scheduled")
    #: the cadence occurrence (wall clock, committee's zone) it was made for;
    #: moving the meeting keeps it, so the schedule never re-creates it
    occurrence: Mapped[datetime | None]
    #: iCalendar SEQUENCE, raised on every change a calendar must see
    sequence: Mapped[int] = mapped_column(default=0)
    agenda_status: Mapped[str] = mapped_column(String(20), default="draft")
    agenda_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: when an item of the published agenda last changed (members are told once per stamp)
    agenda_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: when the start was last moved (members are told once per new start)
    moved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: when the meeting was cancelled (members are told once, as of this time); None for a
    #: meeting that is not cancelled, or was cancelled before govtrack kept the time
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    minutes_text: Mapped[str] = mapped_column(Text, default="")
    decisions: Mapped[list[str]] = mapped_column(JSON, default=list)
    minutes_approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    committee: Mapped[Committee] = relationship(
        backref=db.backref("meetings", order_by="Meeting.starts_at",
                           cascade="all, delete-orphan"))
    items: Mapped[list["AgendaItem"]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="AgendaItem.position",
        foreign_keys="AgendaItem.meeting_id")
    attendance: Mapped[list["Attendance"]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}

    @property
    def ends_at(self) -> datetime:
        """When the meeting ends."""
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def agenda_minutes(self) -> int:
        """Total time of the agenda's items."""
        return sum(item.minutes for item in self.items)

    @property
    def minutes_locked(self) -> bool:
        """Approved minutes are the record: read-only."""
        return self.minutes_approved_at is not None

    def __str__(self) -> str:
        return f"{self.committee.name} meeting of {self.starts_at:%Y-%m-%d}"


class AgendaItem(db.Model):
    """A timed agenda item, with its minute notes once the meeting is held."""

    __tablename__ = "agenda_item"
    #: a draft source's item is on a meeting once, however many chairs draft at once
    __table_args__ = (UniqueConstraint("meeting_id", "source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="discussion")
    minutes: Mapped[int] = mapped_column(default=10)
    presenter_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    #: indexed: My work finds a workgroup's last report-back among every meeting's items
    workgroup_key: Mapped[str | None] = mapped_column(String(80), index=True)
    mou_key: Mapped[str | None] = mapped_column(String(80))
    pdsa_key: Mapped[str | None] = mapped_column(String(80))
    measure_key: Mapped[str | None] = mapped_column(String(80))
    action_id: Mapped[int | None] = mapped_column(ForeignKey("action_item.id"))
    #: Markdown notes taken while minuting this item
    notes: Mapped[str] = mapped_column(Text, default="")
    #: the item of an earlier meeting it was carried over from
    carried_from_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_item.id"))
    #: which draft source proposed it (e.g. "approve_minutes"), so drafting twice adds nothing
    source: Mapped[str | None] = mapped_column(String(120))
    #: why the draft proposed it ("Reports back at every meeting.")
    why: Mapped[str] = mapped_column(String(1000), default="", server_default="")

    meeting: Mapped[Meeting] = relationship(back_populates="items", foreign_keys=[meeting_id])
    presenter: Mapped[Person | None] = relationship()

    @property
    def kind_label(self) -> str:
        """The kind in words."""
        return ITEM_KINDS[self.kind]

    def __str__(self) -> str:
        return self.title


class StandingItem(db.Model):
    """An item the committee puts on every agenda (call to order, public comment, adjourn)."""

    __tablename__ = "standing_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committee.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="information")
    minutes: Mapped[int] = mapped_column(default=5)
    #: "start" opens the agenda, "end" closes it
    placement: Mapped[str] = mapped_column(String(10), default="start")
    position: Mapped[int] = mapped_column(default=0)

    committee: Mapped[Committee] = relationship(
        backref=db.backref("standing_items", order_by="StandingItem.position",
                           cascade="all, delete-orphan"))

    @property
    def kind_label(self) -> str:
        """The kind in words."""
        return ITEM_KINDS[self.kind]

    @property
    def placement_label(self) -> str:
        """Where it goes, in words."""
        return PLACEMENTS[self.placement]

    def __str__(self) -> str:
        return f"standing item “{self.title}”"


class BacklogItem(db.Model):
    """An item waiting for a meeting: an accepted request, an item not reached or carried.

    It waits while no agenda item of a meeting that is not cancelled carries
    its source key; drafting the next agenda proposes it.
    """

    __tablename__ = "backlog_item"
    #: one entry per source: carrying twice or accepting twice adds nothing
    __table_args__ = (UniqueConstraint("committee_id", "source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committee.id"), index=True)
    #: the key the item takes onto an agenda ("request:12", "carried:40")
    source: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="discussion")
    minutes: Mapped[int] = mapped_column(default=10)
    presenter_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    workgroup_key: Mapped[str | None] = mapped_column(String(80))
    mou_key: Mapped[str | None] = mapped_column(String(80))
    pdsa_key: Mapped[str | None] = mapped_column(String(80))
    measure_key: Mapped[str | None] = mapped_column(String(80))
    notes: Mapped[str] = mapped_column(Text, default="")
    #: the item of a meeting it was carried from
    carried_from_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_item.id"))
    why: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the chair took it off the backlog without discussing it
    dropped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    committee: Mapped[Committee] = relationship()
    presenter: Mapped[Person | None] = relationship()

    @property
    def kind_label(self) -> str:
        """The kind in words."""
        return ITEM_KINDS[self.kind]

    def __str__(self) -> str:
        return f"backlog item “{self.title}”"


class Attendance(db.Model):
    """Whether a member was present, absent, or sent a designee."""

    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("meeting_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    status: Mapped[str] = mapped_column(String(20))
    designee_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))

    meeting: Mapped[Meeting] = relationship(back_populates="attendance")
    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    designee: Mapped[Person | None] = relationship(foreign_keys=[designee_id])

    def __str__(self) -> str:
        return f"{self.person.name}: {ATTENDANCE[self.status]}"


RSVPS = {"attending": "Attending", "designee": "Sending a designee",
         "apologies": "Apologies"}


class Rsvp(db.Model):
    """A member's answer before the meeting: attending, sending a designee, or apologies."""

    __tablename__ = "rsvp"
    __table_args__ = (UniqueConstraint("meeting_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"),
                                            index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    answer: Mapped[str] = mapped_column(String(20))
    #: the designee, when known ("a designee" when not)
    designee_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    meeting: Mapped[Meeting] = relationship(
        backref=db.backref("rsvps", cascade="all, delete-orphan"))
    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    designee: Mapped[Person | None] = relationship(foreign_keys=[designee_id])

    @property
    def answer_label(self) -> str:
        """The answer in words."""
        return RSVPS[self.answer]

    def __str__(self) -> str:
        return f"{self.person.name}: {RSVPS[self.answer]}"


class AgendaRequest(db.Model):
    """A member asks for an item on a coming agenda; the chair accepts or declines."""

    __tablename__ = "agenda_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committee.id"), index=True)
    #: indexed: the meeting page reads its pending requests (a county has thousands)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"), index=True)
    proposer_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="discussion")
    minutes: Mapped[int] = mapped_column(default=10)
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="pending")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    committee: Mapped[Committee] = relationship()
    meeting: Mapped[Meeting | None] = relationship()
    proposer: Mapped[Person] = relationship()

    def __str__(self) -> str:
        return f"agenda request: {self.title}"


VOTES = {"yes": "Yes", "no": "No", "abstain": "Abstain", "recused": "Recused"}
RESULTS = {"carried": "Carried", "defeated": "Defeated",
           "no_quorum": "Not decided: no quorum at the vote"}


class Motion(db.Model):
    """A decision put to a vote: the motion, who moved and seconded it, each member's vote.

    The quorum is judged at the moment of the vote and kept with it, so later
    changes to the attendance do not rewrite what the vote was worth.
    """

    __tablename__ = "motion"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_item.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    mover_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    seconder_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    #: carried, defeated or no_quorum
    result: Mapped[str] = mapped_column(String(20))
    #: the quorum in words at the moment of the vote
    quorum_statement: Mapped[str] = mapped_column(String(500), default="")
    voted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    meeting: Mapped[Meeting] = relationship(
        backref=db.backref("motions", order_by="Motion.id", cascade="all, delete-orphan"))
    mover: Mapped[Person] = relationship(foreign_keys=[mover_id])
    seconder: Mapped[Person | None] = relationship(foreign_keys=[seconder_id])
    #: the agenda item it was moved under, if any
    agenda_item: Mapped[AgendaItem | None] = relationship(foreign_keys=[agenda_item_id])
    votes: Mapped[list["Vote"]] = relationship(back_populates="motion",
                                               cascade="all, delete-orphan")

    @property
    def result_label(self) -> str:
        """The result in words."""
        return RESULTS[self.result]

    def tally(self) -> dict[str, int]:
        """Votes of each kind."""
        return {choice: sum(1 for v in self.votes if v.choice == choice) for choice in VOTES}

    def describe(self) -> str:
        """"Carried (yes 7, no 1, abstain 0, recused 1)"."""
        counts = ", ".join(f"{label.lower()} {n}" for label, n in
                           zip(VOTES.values(), self.tally().values(), strict=True))
        return f"{self.result_label} ({counts})"

    def __str__(self) -> str:
        return f"motion “{self.text[:80]}”"


class Vote(db.Model):
    """One member's vote on a motion (cast by them or their designee)."""

    __tablename__ = "vote"
    __table_args__ = (UniqueConstraint("motion_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    motion_id: Mapped[int] = mapped_column(ForeignKey("motion.id", ondelete="CASCADE"),
                                           index=True)
    #: the member whose vote it is
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    choice: Mapped[str] = mapped_column(String(10))

    motion: Mapped[Motion] = relationship(back_populates="votes")
    person: Mapped[Person] = relationship()

    @property
    def choice_label(self) -> str:
        """The vote in words."""
        return VOTES[self.choice]

    def __str__(self) -> str:
        return f"{self.person.name}: {VOTES[self.choice]}"


class QuorumRule(db.Model):
    """How many must be present, and which sides must be at the table."""

    __tablename__ = "quorum_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committee.id"), unique=True)
    #: present or represented members needed
    min_present: Mapped[int] = mapped_column(default=1)
    #: sides (criminal_justice, behavioural_health, community) that must be present
    required_sides: Mapped[list[str]] = mapped_column(JSON, default=list)

    committee: Mapped[Committee] = relationship(
        backref=db.backref("quorum_rule", uselist=False, cascade="all, delete-orphan"))

    def __str__(self) -> str:
        return f"quorum: {self.min_present} present"


class CalendarFeed(db.Model):
    """A private iCalendar feed URL of a committee or a person; revocable."""

    __tablename__ = "calendar_feed"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 of the token in the URL
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    committee_id: Mapped[int | None] = mapped_column(ForeignKey("committee.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    committee: Mapped[Committee | None] = relationship()
    person: Mapped[Person] = relationship()

    def __str__(self) -> str:
        return f"calendar feed of {self.committee.name if self.committee else self.person.name}"
