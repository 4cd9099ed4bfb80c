"""Two-step sign-in codes (TOTP, RFC 6238): enrolment, checking a code, re-authentication.

An account enrols by being given a secret (pending), then typing a current code
from an authenticator app (enrolled). A code is accepted once: the time step it
belongs to is stored, and that step and every earlier one are refused after.
The secret itself is never written to the audit trail.
"""

import base64
import os
from datetime import datetime, timedelta

import pyotp
import segno
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app
from markupsafe import Markup
from sqlalchemy import or_, select, update

from govtrack import audit
from govtrack.accounts.models import Account, LoginAttempt
from govtrack.accounts.services import (
    AccountError,
    FailedReauthentication,
    get_setting,
    recent_failures,
    set_password,
    set_setting,
    verify_password,
)
from govtrack.clock import utcnow
from govtrack.extensions import db

ISSUER = "govtrack"
#: codes one step either side of now are accepted, for clocks a little apart
VALID_WINDOW = 1
#: the site setting: "yes" when every signatory must give a code to sign an MOU
REQUIRE_FOR_SIGNING = "require_totp_for_signing"

#: the authentication methods reauthenticate() reports, as signing records hold them
BY_PASSWORD = "password"  # noqa: S105 - a method's name, not a password
BY_PASSWORD_AND_TOTP = "password+totp"  # noqa: S105


def enrolled(account: Account) -> bool:
    """Whether account has a confirmed TOTP secret."""
    return bool(account.totp_secret) and account.totp_enrolled_at is not None


def pending(account: Account) -> bool:
    """Whether account was given a secret it has not yet confirmed with a code."""
    return bool(account.totp_secret) and account.totp_enrolled_at is None


#: how an encrypted secret begins: "enc1:<key id>:<base64 of nonce and ciphertext>"
SEALED_PREFIX = "enc1:"
#: what the encryption binds the ciphertext to, so it cannot be reused elsewhere
_AAD = b"govtrack totp secret"


def _secret_keys() -> list[tuple[str, bytes]]:
    return current_app.config["TOTP_SECRET_KEYRING"]


def seal_secret(secret: str) -> str:
    """The secret encrypted (AES-256-GCM) under the current key, which the database lacks.

    Whoever reads the account table (an administrator of the database, a
    stolen backup) must not be able to make codes from it.
    """
    key_id, key = _secret_keys()[-1]
    nonce = os.urandom(12)
    sealed = AESGCM(key[:32]).encrypt(nonce, secret.encode(), _AAD)
    return f"{SEALED_PREFIX}{key_id}:{base64.b64encode(nonce + sealed).decode()}"


def secret_of(account: Account) -> str | None:
    """account's TOTP secret in clear (a secret stored before encryption is read as is)."""
    stored = account.totp_secret
    if not stored or not stored.startswith(SEALED_PREFIX):
        return stored
    key_id, _, data = stored.removeprefix(SEALED_PREFIX).partition(":")
    key = dict(_secret_keys()).get(key_id)
    if key is None:
        raise AccountError("The key that encrypts this two-step code is missing from the "
                           "server's configuration (TOTP_SECRET_KEYS).")
    raw = base64.b64decode(data)
    return AESGCM(key[:32]).decrypt(raw[:12], raw[12:], _AAD).decode()


def encrypt_stored_secrets() -> int:
    """Encrypt the secrets stored in clear (before encryption at rest); returns how many."""
    done = 0
    for account in db.session.scalars(select(Account).where(Account.totp_secret.is_not(None))):
        if not account.totp_secret.startswith(SEALED_PREFIX):
            account.totp_secret = seal_secret(account.totp_secret)
            done += 1
    return done


def _label(account: Account) -> str:
    return f"account {account.email}"


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step within the window whose code is code, or None.

    pyotp's verify() says only yes or no; the step is needed to refuse a replay.
    """
    code = "".join(code.split())
    if not (len(code) == 6 and code.isascii() and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for offset in range(-VALID_WINDOW, VALID_WINDOW + 1):
        if pyotp.utils.strings_equal(code, totp.generate_otp(current + offset)):
            return current + offset
    return None


def _accept(account: Account, code: str, field: str, now: datetime | None) -> None:
    """Accept code for account's secret once, or raise AccountError on field.

    The step is claimed by a conditional UPDATE, so two workers given the same
    code at once cannot both accept it.
    """
    step = _matching_step(secret_of(account) or "", code or "", now or utcnow())
    if step is None:
        raise AccountError("This code is not right. Type the 6 digits your app shows now.", field)
    claimed = db.session.execute(
        update(Account)
        .where(Account.id == account.id,
               or_(Account.totp_last_step.is_(None), Account.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session="fetch"))
    if claimed.rowcount != 1:
        raise AccountError("This code was already used. Wait for your app to show a new one.",
                           field)


def verify(account: Account, code: str, *, field: str = "code",
           now: datetime | None = None) -> None:
    """Check a code from an enrolled account, refusing a wrong or replayed one."""
    if not enrolled(account):
        raise AccountError("You have not set up a two-step sign-in code.", field)
    _accept(account, code, field, now)


def start_enrolment(actor, account: Account) -> str:
    """Give account a new secret, pending until a code confirms it; return the secret."""
    if enrolled(account):
        raise AccountError("A two-step sign-in code is already set up. Remove it first.")
    secret = pyotp.random_base32()
    account.totp_secret = seal_secret(secret)
    account.totp_enrolled_at = None
    account.totp_last_step = None
    audit.record(actor, "update", account, label=_label(account),
                 changes={"totp": [None, "enrolment started"]})
    return secret


def confirm_enrolment(actor, account: Account, code: str, now: datetime | None = None) -> None:
    """Enrol account once it types a current code for its pending secret."""
    if not pending(account):
        raise AccountError("Start setting up the two-step sign-in code first.", "code")
    _accept(account, code, "code", now)
    account.totp_enrolled_at = now or utcnow()
    audit.record(actor, "update", account, label=_label(account),
                 changes={"totp": ["enrolment started", "enrolled"]})


def remove(actor, account: Account, *, password: str | None = None, code: str | None = None,
           now: datetime | None = None, address: str = "") -> None:
    """Remove account's TOTP secret.

    The account itself proves it is them with its password and a current code;
    an administrator (for a lost phone) confirms with their own password.
    """
    if not account.totp_secret:
        raise AccountError("No two-step sign-in code is set up.")
    if actor is not None and actor.id == account.id:
        reauthenticate(account, password or "", (code or "") if enrolled(account) else None,
                       now=now, address=address, fields=("password", "code"))
    elif actor is not None:
        reauthenticate(actor, password or "", None, address=address,
                       fields=("your_password", "your_password"))
    before = "enrolled" if enrolled(account) else "enrolment started"
    account.totp_secret = None
    account.totp_enrolled_at = None
    account.totp_last_step = None
    audit.record(actor, "update", account, label=_label(account),
                 changes={"totp": [before, None]})


def signing_requires_totp() -> bool:
    """Whether an administrator requires a TOTP code from everyone who signs MOUs."""
    return get_setting(REQUIRE_FOR_SIGNING) == "yes"


def require_for_signing(actor, required: bool) -> None:
    """Require (or stop requiring) a TOTP code to sign MOUs."""
    set_setting(actor, REQUIRE_FOR_SIGNING, "yes" if required else "no")


def reauthenticate(account: Account, password: str, code: str | None = "", *,
                   require_totp: bool = False, now: datetime | None = None,
                   address: str = "",
                   fields: tuple[str, str] = ("password", "totp_code")) -> str:
    """Confirm it is account's holder before a binding act; return the method used.

    The one place a logged-in person's password is checked (signing, declining,
    changing one's password, removing one's code, an administrator's resets):
    throttled with login's count, and every wrong password or code counted, so
    no door lets a stolen session guess the password unhindered. The password
    always; a TOTP code too when the account has enrolled (code None: the act
    asks for the password only), and enrolment itself when require_totp.
    Raises AccountError naming the field (of fields: the password's, the code's),
    FailedReauthentication for a guess.
    """
    password_field, code_field = fields
    def failed(message: str, field: str) -> FailedReauthentication:
        return FailedReauthentication(message, field, LoginAttempt(
            email=account.email[:320], address=(address or "")[:64], at=utcnow(),
            succeeded=False))

    if reauthentication_throttled(account):
        # Refused attempts count too, as at login: a door that keeps guessing stays locked.
        raise failed("Too many wrong passwords or codes. Wait "
                     f"{current_app.config['LOGIN_WINDOW_MINUTES']} minutes and try again.",
                     password_field)
    if not verify_password(account, password or ""):
        raise failed("The password is not right.", password_field)
    if code is None:
        return BY_PASSWORD
    if not enrolled(account):
        if require_totp:
            raise AccountError(
                "An administrator requires a two-step sign-in code to sign MOUs. Set one up "
                "under your account (Two-step sign-in code), then sign.", code_field)
        return BY_PASSWORD
    if not (code or "").strip():
        raise AccountError("Type the 6-digit code from your authenticator app.", code_field)
    try:
        _accept(account, code, code_field, now)
    except AccountError as exc:
        raise failed(str(exc), code_field) from exc
    return BY_PASSWORD_AND_TOTP


def reauthentication_throttled(account: Account) -> bool:
    """Whether account has failed too often lately, at login or re-authenticating.

    Signing and logging in share one count per account (in the database, so
    every worker sees it): a guessed password is as dangerous at either door.
    """
    cfg = current_app.config
    window_start = utcnow() - timedelta(minutes=cfg["LOGIN_WINDOW_MINUTES"])
    return (recent_failures(LoginAttempt.email, account.email, window_start)
            >= cfg["LOGIN_MAX_FAILURES_PER_ACCOUNT"])


def change_own_password(account: Account, current: str, password: str, *,
                        address: str = "") -> None:
    """The account's holder changes its password, confirming the current one."""
    reauthenticate(account, current, None, address=address, fields=("current", "code"))
    set_password(account, account, password)


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(account: Account) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret_of(account)).provisioning_uri(name=account.email,
                                                           issuer_name=ISSUER)


def qr_svg(uri: str) -> Markup:
    """The URI as an inline SVG QR code: attributes only, no style or script (the CSP)."""
    svg = segno.make(uri, error="m").svg_inline(
        scale=4, dark="#1b1b1b", light="#ffffff", svgclass="gt-qr", lineclass=None,
        title="QR code for your authenticator app")
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S704 - segno's own output
