"""Enrol an account in TOTP for tests, on a clock frozen with time_machine."""

from datetime import timedelta

import pyotp

from govtrack.accounts import totp
from govtrack.clock import utcnow
from govtrack.extensions import db


def code(account, at=None, steps=0) -> str:
    """The code account's app shows at `at` (default now), moved by steps of 30 seconds."""
    return pyotp.TOTP(totp.secret_of(account)).at(
        (at or utcnow()) + timedelta(seconds=30 * steps))


def enrol(account) -> str:
    """Enrol account, confirming with the previous step's code so the current one is unused."""
    secret = totp.start_enrolment(account, account)
    totp.confirm_enrolment(account, account, code(account, steps=-1))
    db.session.commit()
    return secret
