"""Agency and person records."""

from datetime import date

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.orm.util import identity_key

from govtrack.extensions import db

#: sector code -> (label, side). Sides drive chair rotation and quorum rules;
#: the codes are those of county.schema.json.
SECTORS: dict[str, tuple[str, str]] = {
    "law_enforcement": ("Law enforcement", "criminal_justice"),
    "prosecution": ("Prosecution", "criminal_justice"),
    "public_defense": ("Public defence", "criminal_justice"),
    "courts": ("Courts", "criminal_justice"),
    "corrections": ("Corrections (jail, prison)", "criminal_justice"),
    "community_supervision": ("Community supervision (probation, parole, pre-trial)",
                              "criminal_justice"),
    "mental_health_provider": ("Mental-health provider", "behavioural_health"),
    "mental_health_authority": ("Mental-health authority", "behavioural_health"),
    "health": ("Health (hospital, emergency department)", "behavioural_health"),
    "social_services": ("Social services", "community"),
    "advocacy": ("Advocacy (peer and family organisations)", "community"),
    "emergency_services": ("Emergency services (911, EMS)", "community"),
    "other": ("Other", "community"),
}

SIDES = {
    "criminal_justice": "Criminal justice",
    "behavioural_health": "Behavioural health",
    "community": "Community",
}

KEY_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$"


class Agency(db.Model):
    """An organisation that sends people to committees and signs MOUs."""

    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: external id from the county file; references between records use it
    key: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    sector: Mapped[str] = mapped_column(String(40))
    head_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", use_alter=True, ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(default=1)

    head: Mapped["Person | None"] = relationship(foreign_keys=[head_id], post_update=True)
    people: Mapped[list["Person"]] = relationship(
        back_populates="agency", foreign_keys="Person.agency_id", order_by="Person.name")

    __mapper_args__ = {"version_id_col": version}

    @property
    def side(self) -> str:
        """The side (criminal justice, behavioural health, community) of the sector."""
        return SECTORS[self.sector][1]

    @property
    def sector_label(self) -> str:
        """The sector in words."""
        return SECTORS[self.sector][0]

    def __str__(self) -> str:
        return self.name


class Person(db.Model):
    """Someone who works for an agency; may or may not have an account."""

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    title: Mapped[str | None] = mapped_column(String(200))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    inactive_since: Mapped[date | None]
    version: Mapped[int] = mapped_column(default=1)

    agency: Mapped[Agency] = relationship(back_populates="people", foreign_keys=[agency_id])
    account = relationship("Account", back_populates="person", uselist=False, viewonly=True)

    __mapper_args__ = {"version_id_col": version}

    def active_on(self, day: date) -> bool:
        """Whether the person still worked with the committees on day.

        An account deactivated on or before day counts as gone: the person
        can no longer act for anyone.
        """
        if not self.active and (self.inactive_since is None or day >= self.inactive_since):
            return False
        account = self.account
        return not (account is not None and not account.active
                    and (account.deactivated_at is None
                         or account.deactivated_at.date() <= day))

    def __str__(self) -> str:
        return self.name


def people_by_id(ids: set[int]) -> dict[int, "Person"]:
    """These people by id: from the session when the page read them already (a committee's
    roster, say), else in one query."""
    found = {i: p for i in ids
             if (p := db.session.identity_map.get(identity_key(Person, i))) is not None}
    if missing := ids - found.keys():
        found |= {p.id: p for p in db.session.scalars(select(Person).where(
            Person.id.in_(sorted(missing))))}
    return found
