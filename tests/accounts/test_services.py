"""Password policy, the login throttle and server-side sessions."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from govtrack.accounts import services
from govtrack.accounts.models import LoginSession
from tests.factories import PASSWORD

LIMITS = {"max_per_account": 5, "max_per_address": 20, "window_minutes": 15}


@pytest.mark.parametrize(("password", "problem"), [
    ("short-pass1", "at least 12"),
    ("password1234", "too common"),
    ("aaaaaaaaaaaaaaaa", "too common"),
    ("ababababababab", "too common"),
    ("dana.ortiz-rules-2026", "e-mail"),
])
def test_weak_passwords_are_refused(password, problem):
    assert problem in services.password_problem(password, "dana.ortiz@county.gov")


def test_a_long_uncommon_password_is_accepted():
    assert services.password_problem("river-lantern-copper-57", "dana@county.gov") is None


def test_passwords_are_stored_as_argon2id(db, make):
    account = make.account()
    services.set_password(None, account, "river-lantern-copper-57")
    assert account.password_hash.startswith("$argon2id$")
    assert "river-lantern" not in account.password_hash


def test_right_password_logs_in(db, make):
    account = make.account()
    result = services.authenticate(account.email.upper(), PASSWORD, "10.0.0.1", **LIMITS)
    assert result.account == account and not result.throttled


def test_deactivated_account_cannot_log_in(db, make):
    account = make.account(active=False)
    assert services.authenticate(account.email, PASSWORD, "10.0.0.1", **LIMITS).account is None


def test_five_failures_lock_the_account_even_for_the_right_password(db, make):
    account = make.account()
    for _ in range(5):
        assert services.authenticate(account.email, "wrong", "10.0.0.1", **LIMITS).account is None
    db.session.commit()
    result = services.authenticate(account.email, PASSWORD, "10.0.0.2", **LIMITS)
    assert result.throttled and result.account is None


def test_the_account_lock_lifts_after_the_window(db, make):
    account = make.account()
    start = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            services.authenticate(account.email, "wrong", "10.0.0.1", **LIMITS)
        db.session.commit()
    with time_machine.travel(start + timedelta(minutes=14), tick=False):
        assert services.authenticate(account.email, PASSWORD, "10.0.0.1", **LIMITS).throttled
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        assert services.authenticate(account.email, PASSWORD, "10.0.0.1", **LIMITS).account


def test_many_failures_from_one_address_lock_that_address(db, make):
    accounts = [make.account() for _ in range(3)]
    for n in range(20):
        services.authenticate(accounts[n % 2].email, "wrong", "10.9.9.9", **LIMITS)
    db.session.commit()
    assert services.authenticate(accounts[2].email, PASSWORD, "10.9.9.9", **LIMITS).throttled
    assert services.authenticate(accounts[2].email, PASSWORD, "10.1.1.1", **LIMITS).account


def test_ended_sessions_do_not_load(db, make):
    account = make.account()
    token = services.start_session(account, "10.0.0.1", "pytest")
    db.session.commit()
    assert services.load_session(token) == account
    services.end_session(account)
    db.session.commit()
    assert services.load_session(token) is None


def test_deactivation_ends_every_session(db, make):
    account = make.account()
    admin = make.account(admin=True)
    tokens = [services.start_session(account, "10.0.0.1", "pytest") for _ in range(2)]
    db.session.commit()
    services.set_active(admin, account, False)
    db.session.commit()
    assert all(services.load_session(t) is None for t in tokens)
    assert db.session.query(LoginSession).filter(LoginSession.ended_at.is_(None)).count() == 0


def test_an_administrator_cannot_lock_themselves_out(db, make):
    admin = make.account(admin=True)
    with pytest.raises(services.AccountError):
        services.set_active(admin, admin, False)
    with pytest.raises(services.AccountError):
        services.set_admin(admin, admin, False)


def test_one_account_per_person_and_per_email(db, make):
    account = make.account()
    other = make.person()
    with pytest.raises(services.AccountError, match="already exists"):
        services.create_account(None, other, account.email, "river-lantern-copper-57")
    with pytest.raises(services.AccountError, match="already has"):
        services.create_account(None, account.person, "new@example.org", "river-lantern-copper-57")
