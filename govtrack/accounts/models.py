"""Account, login session and login attempt records."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import BigInteger, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from govtrack.agencies.models import Person
from govtrack.clock import utcnow
from govtrack.db_types import UTCDateTime
from govtrack.extensions import db


class Account(UserMixin, db.Model):
    """A person's way in: an e-mail, an Argon2id hash and an admin flag."""

    __tablename__ = "account"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), unique=True)
    #: lower-cased; the login name
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    is_admin: Mapped[bool] = mapped_column(default=False)
    #: sees every committee's health across the county, read-only, to follow up with chairs
    is_county_coordinator: Mapped[bool] = mapped_column(default=False, server_default=false())
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: base32 TOTP secret (RFC 6238); set at the start of enrolment, never audited
    #: encrypted under TOTP_SECRET_KEYS (accounts.totp.seal_secret); never in clear
    totp_secret: Mapped[str | None] = mapped_column(String(200))
    #: when a code confirmed the secret; until then the enrolment is pending
    totp_enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the 30-second time step of the last code accepted; older or equal steps are refused
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)

    person: Mapped[Person] = relationship(lazy="joined", innerjoin=True, back_populates="account")

    #: set by the user loader to the server-side session this request runs in
    login_session = None

    @property
    def is_active(self) -> bool:
        """Flask-Login refuses inactive accounts."""
        return self.active

    def get_id(self) -> str:
        """Flask-Login stores the server-side session token, not the account id.

        Ending the session row then refuses any replay of the cookie.
        """
        return self.login_session.token if self.login_session else ""

    def __str__(self) -> str:
        return self.person.name if self.person else self.email


class LoginSession(db.Model):
    """A server-side session: the cookie only names it, so it can be ended."""

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 of the token held in the cookie; a leaked table gives no sessions
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    address: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(400))

    account: Mapped[Account] = relationship()

    #: the clear token, known only in the request that created or loaded it
    token = None


class LoginAttempt(db.Model):
    """One try at logging in, counted by every worker through the database."""

    __tablename__ = "login_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    succeeded: Mapped[bool] = mapped_column(default=False)


class SiteSetting(db.Model):
    """A setting an administrator changes at run time, e.g. requiring TOTP to sign MOUs."""

    __tablename__ = "site_setting"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    value: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def __str__(self) -> str:
        return f"setting {self.key}"
