"""Password policy, authentication with a shared throttle, server-side sessions."""

from contextlib import suppress
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from govtrack import audit
from govtrack.accounts.models import Account, LoginAttempt, LoginSession, SiteSetting
from govtrack.clock import utcnow
from govtrack.editing import DomainError
from govtrack.extensions import db
from govtrack.tokens import new_token, token_hash

MIN_PASSWORD_LENGTH = 12
_hasher = PasswordHasher()  # Argon2id with the library's current parameters
#: verified against when the account does not exist, so timing reveals nothing
_DUMMY_HASH = _hasher.hash("not a real password, only for timing")


def configure_hasher(time_cost: int | None, memory_cost: int | None) -> None:
    """Set Argon2id's cost (tests lower it; production keeps the library's defaults)."""
    global _hasher, _DUMMY_HASH
    kwargs = {k: v for k, v in (("time_cost", time_cost), ("memory_cost", memory_cost)) if v}
    _hasher = PasswordHasher(**kwargs)
    _DUMMY_HASH = _hasher.hash("not a real password, only for timing")


class AccountError(DomainError):
    """A rule about accounts was broken; the message is for the user."""


class FailedReauthentication(AccountError):
    """A wrong password or code given to confirm an act, or one tried while locked.

    The act is refused and its work rolled back, but the failure must count
    toward the lock all the same: `counted` is the unsaved failed attempt, which
    govtrack.forms.save stores after the rollback.
    """

    def __init__(self, message: str, field: str | None, counted: "LoginAttempt"):
        super().__init__(message, field)
        self.counted = counted


@cache
def common_passwords() -> frozenset[str]:
    """Passwords attackers try first, lower-cased."""
    text = resources.files("govtrack.accounts").joinpath("common_passwords.txt").read_text()
    return frozenset(line.strip().lower() for line in text.splitlines()
                     if line.strip() and not line.startswith("#"))


def password_problem(password: str, email: str = "") -> str | None:
    """Why password is refused, or None if it is acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters."
    lowered = password.lower()
    if lowered in common_passwords() or len(set(lowered)) < 4:
        return "This password is too common. Choose a less predictable one."
    local = email.split("@")[0].lower()
    if len(local) >= 4 and local in lowered:
        return "Do not use your e-mail address in your password."
    return None


def hash_password(password: str) -> str:
    """Argon2id hash of password."""
    return _hasher.hash(password)


def verify_password(account: Account | None, password: str) -> bool:
    """Check password, re-hashing when the parameters have grown."""
    if account is None:
        with suppress(VerificationError):
            _hasher.verify(_DUMMY_HASH, password)
        return False
    try:
        _hasher.verify(account.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if _hasher.check_needs_rehash(account.password_hash):
        account.password_hash = _hasher.hash(password)
    return True


@dataclass
class LoginResult:
    """What authenticate() decided."""

    account: Account | None = None
    throttled: bool = False


def recent_failures(column, value, window_start) -> int:
    return db.session.scalar(
        select(func.count(LoginAttempt.id)).where(
            column == value, LoginAttempt.at >= window_start,
            LoginAttempt.succeeded.is_(False)))


def authenticate(email: str, password: str, address: str, *, max_per_account: int,
                 max_per_address: int, window_minutes: int) -> LoginResult:
    """Check a login, throttled per account and per address.

    Failures are rows in the database, so the limit holds whichever worker or
    host answers. A throttled attempt is refused before the password is
    checked, so guessing gains nothing.
    """
    email = email.strip().lower()
    now = utcnow()
    window_start = now - timedelta(minutes=window_minutes)
    if (recent_failures(LoginAttempt.email, email, window_start) >= max_per_account
            or recent_failures(LoginAttempt.address, address, window_start)
            >= max_per_address):
        # Refused attempts count too: an address that keeps guessing stays locked.
        db.session.add(LoginAttempt(email=email[:320], address=address[:64], at=now))
        return LoginResult(throttled=True)
    account = db.session.scalar(select(Account).where(Account.email == email))
    # A person marked as gone logs in no more, whatever their account says.
    ok = verify_password(account, password) and account.active and account.person.active
    db.session.add(LoginAttempt(email=email[:320], address=address[:64], at=now, succeeded=ok))
    return LoginResult(account=account if ok else None)


def start_session(account: Account, address: str | None, user_agent: str | None) -> str:
    """Open a server-side session for account; return the token for the cookie."""
    token = new_token()
    row = LoginSession(token_hash=token_hash(token), account=account,
                       address=(address or "")[:64], user_agent=(user_agent or "")[:400])
    row.token = token
    db.session.add(row)
    account.login_session = row
    return token


@cache
def _session_query():
    """load_session's statement, built once: every page runs it, and SQLAlchemy's cache key
    of a fresh statement with loader options costs CPU each time."""
    return (select(LoginSession).where(LoginSession.token_hash == bindparam("token_hash"),
                                       LoginSession.ended_at.is_(None))
            # the account and its person in the same query: every page asks for them
            .options(joinedload(LoginSession.account, innerjoin=True)))


def load_session(token: str) -> Account | None:
    """The account of a live session token, or None if ended, unknown or deactivated."""
    if not token:
        return None
    row = db.session.scalar(_session_query(), {"token_hash": token_hash(token)})
    if row is None or not row.account.active or not row.account.person.active:
        return None
    row.token = token
    row.account.login_session = row
    # Whether a membership holds reads person.account (Person.active_on): hand
    # the person the account in hand, so permission checks cost no query.
    set_committed_value(row.account.person, "account", row.account)
    return row.account


def end_session(account: Account) -> None:
    """End the session the account is using now."""
    row = account.login_session
    if row is not None and row.ended_at is None:
        row.ended_at = utcnow()


def end_all_sessions(account: Account) -> None:
    """End every session of account, on every device."""
    db.session.execute(
        update(LoginSession)
        .where(LoginSession.account_id == account.id, LoginSession.ended_at.is_(None))
        .values(ended_at=utcnow()))


def create_account(actor, person, email: str, password: str, is_admin: bool = False) -> Account:
    """Give person an account; the password must pass the policy."""
    email = email.strip().lower()
    problem = password_problem(password, email)
    if problem:
        raise AccountError(problem, field="password")
    if db.session.scalar(select(Account.id).where(Account.email == email)):
        raise AccountError("An account with this e-mail address already exists.", field="email")
    if db.session.scalar(select(Account.id).where(Account.person_id == person.id)):
        raise AccountError(f"{person.name} already has an account.", field="person")
    account = Account(person=person, email=email, password_hash=hash_password(password),
                      is_admin=is_admin)
    db.session.add(account)
    audit.record(actor, "create", account, label=f"account {email}")
    return account


def set_password(actor, account: Account, password: str) -> None:
    """Reset account's password and end all its sessions."""
    problem = password_problem(password, account.email)
    if problem:
        raise AccountError(problem, field="password")
    account.password_hash = hash_password(password)
    end_all_sessions(account)
    audit.record(actor, "update", account, label=f"account {account.email}",
                 changes={"password": ["(hidden)", "(reset)"]})


def set_active(actor, account: Account, active: bool) -> None:
    """Deactivate (ending every session at once) or reactivate an account."""
    if actor is not None and actor.id == account.id and not active:
        raise AccountError("You cannot deactivate your own account.")
    account.active = active
    account.deactivated_at = None if active else utcnow()
    if not active:
        end_all_sessions(account)
    audit.record(actor, "update", account, label=f"account {account.email}")


def set_admin(actor, account: Account, is_admin: bool) -> None:
    """Grant or withdraw administration."""
    if actor is not None and actor.id == account.id and not is_admin:
        raise AccountError("You cannot remove your own administrator rights.")
    account.is_admin = is_admin
    audit.record(actor, "update", account, label=f"account {account.email}")


def set_county_coordinator(actor, account: Account, coordinator: bool) -> None:
    """Grant or withdraw the county coordinator's read-only view of every committee."""
    account.is_county_coordinator = coordinator
    audit.record(actor, "update", account, label=f"account {account.email}")


def get_setting(key: str, default: str = "") -> str:
    """The value an administrator set for key, or default."""
    value = db.session.scalar(select(SiteSetting.value).where(SiteSetting.key == key))
    return default if value is None else value


def set_setting(actor, key: str, value: str) -> SiteSetting:
    """Store a site setting, auditing the change (nothing is written if it is unchanged)."""
    row = db.session.scalar(select(SiteSetting).where(SiteSetting.key == key))
    if row is None:
        row = SiteSetting(key=key, value=value)
        db.session.add(row)
        audit.record(actor, "create", row)
    elif row.value != value:
        audit.record(actor, "update", row, changes={"value": [row.value, value]})
        row.value = value
    return row
