"""Rotation policy and chair term records."""

from datetime import date

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from govtrack.agencies.models import Agency, Person
from govtrack.committees.models import Committee
from govtrack.extensions import db

MODES = {
    "alternate_sides": "Alternate between criminal-justice and behavioural-health agencies",
    "agency_order": "Follow a fixed order of agencies",
    "manual": "Chosen by the committee each time",
}


class RotationPolicy(db.Model):
    """How a committee's chair rotates.

    Kamin et al. recommend a yearly rotation between criminal-justice and
    behavioural-health agencies, so that there is always a line of succession.
    """

    __tablename__ = "rotation_policy"

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committee.id"), unique=True)
    term_months: Mapped[int] = mapped_column(default=12)
    mode: Mapped[str] = mapped_column(String(20), default="alternate_sides")
    #: agency keys in rotation order (mode agency_order)
    agency_order: Mapped[list[str]] = mapped_column(JSON, default=list)
    co_chair_other_side: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(default=1)

    committee: Mapped[Committee] = relationship(
        backref=db.backref("rotation_policy", uselist=False, cascade="all, delete-orphan"))

    __mapper_args__ = {"version_id_col": version}

    def __str__(self) -> str:
        return f"rotation policy: {MODES[self.mode]}, {self.term_months}-month terms"


class ChairTerm(db.Model):
    """A person chairs (or co-chairs) a committee for an agency, for a term."""

    __tablename__ = "chair_term"
    __table_args__ = (UniqueConstraint("committee_id", "start", "co_chair", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committee.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    start: Mapped[date]
    #: last day of the term as planned (inclusive)
    planned_end: Mapped[date]
    #: the day the term actually stopped (exclusive: the successor's first day)
    end: Mapped[date | None]
    co_chair: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(default=1)

    committee: Mapped[Committee] = relationship(
        backref=db.backref("chair_terms", order_by="ChairTerm.start",
                           cascade="all, delete-orphan"))
    person: Mapped[Person] = relationship()
    agency: Mapped[Agency] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @property
    def label(self) -> str:
        """Chair or co-chair, in words."""
        return "Co-chair" if self.co_chair else "Chair"

    def __str__(self) -> str:
        return f"{self.label} term of {self.person.name} from {self.start.isoformat()}"


def chair_terms_query():
    """The chair terms of one committee (bind committee_id) as chair_loading() loads them.

    For a page that reads them by a statement of its own, built once (see
    committees.models.members_query).
    """
    from sqlalchemy import bindparam, select
    from sqlalchemy.orm import joinedload

    from govtrack.accounts.models import Account

    return (select(ChairTerm).where(ChairTerm.committee_id == bindparam("committee_id"))
            .options(joinedload(ChairTerm.person).joinedload(Person.account)
                     .lazyload(Account.person),
                     joinedload(ChairTerm.agency).joinedload(Agency.head))
            .order_by(ChairTerm.start))


def chair_loading(many: bool = False) -> tuple:
    """Loader options for the chair terms and policy a committee page shows, in two queries.

    Each term's person (with their account, which decides whether the term
    still holds) and agency (with its head, who convenes during a vacancy)
    are joined to the terms. many: for all the committees at once, one query
    per relationship (see committees.models.members_loading).
    """
    from sqlalchemy.orm import joinedload, selectinload

    from govtrack.accounts.models import Account

    terms = selectinload(Committee.chair_terms)
    if many:
        return (terms.selectinload(ChairTerm.person).selectinload(Person.account),
                terms.selectinload(ChairTerm.agency).selectinload(Agency.head),
                selectinload(Committee.rotation_policy))
    return (terms.joinedload(ChairTerm.person).joinedload(Person.account)
            .lazyload(Account.person),
            terms.joinedload(ChairTerm.agency).joinedload(Agency.head),
            joinedload(Committee.rotation_policy))
