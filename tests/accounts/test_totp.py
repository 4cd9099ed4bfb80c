"""Two-step sign-in codes: enrolment, replay, clock drift, removal and the signing rule."""

import re
from datetime import UTC, datetime

import pyotp
import pytest
import time_machine
from sqlalchemy import select, text

from govtrack.accounts import totp
from govtrack.accounts.services import AccountError
from govtrack.audit.models import AuditEntry
from tests.accounts.enrol import code, enrol
from tests.factories import PASSWORD

#: ten seconds into a 30-second step, so a step never turns over mid-test
T0 = datetime(2026, 3, 2, 14, 0, 10, tzinfo=UTC)


@pytest.fixture
def frozen():
    """The clock stopped at T0; move it with frozen.shift(seconds)."""
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def _audit_text(db) -> str:
    return repr([e.changes for e in db.session.scalars(select(AuditEntry))])


def test_enrolment_round_trip_with_a_real_code(make, db, frozen):
    account = make.account()
    secret = totp.start_enrolment(account, account)
    assert totp.pending(account) and not totp.enrolled(account)
    totp.confirm_enrolment(account, account, pyotp.TOTP(secret).now())
    assert totp.enrolled(account) and account.totp_enrolled_at == T0
    assert account.totp_last_step == pyotp.TOTP(secret).timecode(T0)
    changes = _audit_text(db)
    assert "enrolled" in changes and secret not in changes


def test_a_wrong_code_is_refused_and_enrolment_stays_pending(make, db, frozen):
    account = make.account()
    secret = totp.start_enrolment(account, account)
    right = pyotp.TOTP(secret).now()
    off_by_one = str((int(right) + 1) % 1_000_000).zfill(6)
    for wrong in [off_by_one, "12345", "abcdef", "", "１２３４５６"]:
        with pytest.raises(AccountError, match="not right") as refused:
            totp.confirm_enrolment(account, account, wrong)
        assert refused.value.field == "code"
    assert totp.pending(account)


def test_a_code_already_used_is_refused(make, db, frozen):
    account = make.account()
    enrol(account)
    now_code = code(account)
    totp.verify(account, now_code)
    with pytest.raises(AccountError, match="already used"):
        totp.verify(account, now_code)
    # the previous step's code is in the window, but older than the one used
    with pytest.raises(AccountError, match="already used"):
        totp.verify(account, code(account, steps=-1))


def test_codes_change_with_the_clock_and_old_ones_expire(make, db, frozen):
    account = make.account()
    enrol(account)
    first = code(account)
    totp.verify(account, first)
    frozen.shift(30)  # one step on: a new code, the old one only a replay
    second = code(account)
    assert second != first
    with pytest.raises(AccountError, match="already used"):
        totp.verify(account, first)
    totp.verify(account, second)
    frozen.shift(90)  # three steps on: an unused code from before is out of the window
    stale = code(account, steps=-2)
    with pytest.raises(AccountError, match="not right"):
        totp.verify(account, stale)
    # a phone one step behind or ahead is accepted
    totp.verify(account, code(account, steps=-1))
    totp.verify(account, code(account, steps=1))


def test_spaces_inside_a_code_are_ignored(make, db, frozen):
    account = make.account()
    enrol(account)
    typed = code(account)
    totp.verify(account, f" {typed[:3]} {typed[3:]} ")


def test_starting_again_while_enrolled_is_refused(make, db, frozen):
    account = make.account()
    enrol(account)
    with pytest.raises(AccountError, match="already set up"):
        totp.start_enrolment(account, account)


def test_removing_needs_the_password_and_a_current_code(make, db, frozen):
    account = make.account()
    secret = enrol(account)
    with pytest.raises(AccountError) as refused:
        totp.remove(account, account, password="wrong", code=code(account))
    assert refused.value.field == "password"
    with pytest.raises(AccountError) as refused:
        totp.remove(account, account, password=PASSWORD, code="000000")
    assert refused.value.field == "code"
    totp.remove(account, account, password=PASSWORD, code=code(account))
    assert not totp.enrolled(account) and account.totp_secret is None
    assert secret not in _audit_text(db)


def test_an_administrator_removes_a_lost_phones_code_with_their_own_password(make, db, frozen):
    account, admin = make.account(), make.account(admin=True)
    enrol(account)
    with pytest.raises(AccountError) as refused:
        totp.remove(admin, account, password="wrong")
    assert refused.value.field == "your_password" and account.totp_secret is not None
    totp.remove(admin, account, password=PASSWORD)
    assert account.totp_secret is None
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry.actor_id == admin.id and entry.changes == {"totp": ["enrolled", None]}


def test_reauthentication_reports_the_method(make, db, frozen):
    account = make.account()
    assert totp.reauthenticate(account, PASSWORD, "") == "password"
    with pytest.raises(AccountError) as refused:
        totp.reauthenticate(account, "wrong", "")
    assert refused.value.field == "password"
    with pytest.raises(AccountError, match="requires") as refused:
        totp.reauthenticate(account, PASSWORD, "", require_totp=True)
    assert refused.value.field == "totp_code"
    enrol(account)
    with pytest.raises(AccountError, match="6-digit") as refused:
        totp.reauthenticate(account, PASSWORD, "")
    assert refused.value.field == "totp_code"
    assert totp.reauthenticate(account, PASSWORD, code(account), require_totp=True) \
        == "password+totp"


def test_the_signing_rule_is_a_setting_and_its_changes_are_audited(make, db):
    admin = make.account(admin=True)
    assert not totp.signing_requires_totp()
    totp.require_for_signing(admin, True)
    assert totp.signing_requires_totp()
    totp.require_for_signing(admin, True)  # unchanged: no new entry
    totp.require_for_signing(admin, False)
    assert not totp.signing_requires_totp()
    entries = list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    assert [e.action for e in entries] == ["create", "update"]
    assert entries[1].changes == {"value": ["yes", "no"]}


# ---- pages ---------------------------------------------------------------------------


def test_enrolment_pages_show_the_key_uri_and_an_svg_qr_code(client, make, db, login, frozen):
    account = make.account()
    login(account)
    page = client.get("/account/totp")
    assert page.status_code == 200 and "Set up a two-step sign-in code" in page.text
    assert client.post("/account/totp/start").status_code == 302
    page = client.get("/account/totp")
    db.session.expire_all()
    secret = totp.secret_of(db.session.get(type(account), account.id))
    grouped = " ".join(secret[i:i + 4] for i in range(0, 32, 4))
    assert grouped in page.text
    assert f"otpauth://totp/govtrack:{account.email.replace('@', '%40')}?secret={secret}" \
        in page.text
    svg = re.search(r"<svg .*?</svg>", page.text, re.S).group(0)
    assert 'role="img"' in svg and "<title>" in svg
    assert "style" not in svg and "<script" not in page.text
    assert "unsafe-inline" not in page.headers["Content-Security-Policy"]
    assert 'autocomplete="one-time-code"' in page.text and 'inputmode="numeric"' in page.text


def test_a_wrong_code_is_shown_next_to_the_field_and_kept(client, make, db, login, frozen):
    account = make.account()
    login(account)
    client.post("/account/totp/start")
    response = client.post("/account/totp", data={"code": "000001"})
    assert response.status_code == 200
    assert "This code is not right." in response.text and 'value="000001"' in response.text
    assert 'id="code-error"' in response.text
    db.session.expire_all()
    account = db.session.get(type(account), account.id)
    response = client.post("/account/totp", data={"code": code(account)})
    assert response.status_code == 302
    db.session.expire_all()
    assert totp.enrolled(db.session.get(type(account), account.id))
    assert "is set up" in client.get("/account/totp").text


def test_removing_through_the_page(client, make, db, login, frozen):
    account = make.account()
    enrol(account)
    login(account)
    response = client.post("/account/totp/remove", data={"password": PASSWORD, "code": "x"})
    assert response.status_code == 200 and "This code is not right." in response.text
    response = client.post("/account/totp/remove",
                           data={"password": PASSWORD, "code": code(account)})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(type(account), account.id).totp_secret is None


def test_the_password_page_links_to_the_two_step_code(client, make, login):
    login(make.account())
    assert "/account/totp" in client.get("/account/password").text


@pytest.mark.parametrize("admin", [False, True])
def test_only_administrators_require_totp_for_signing(client, make, db, login, admin):
    login(make.account(admin=admin))
    response = client.post("/admin/accounts/signing-policy", data={"require_totp": "y"})
    assert response.status_code == (302 if admin else 403)
    db.session.expire_all()
    assert totp.signing_requires_totp() is admin
    if admin:
        assert "checked" in client.get("/admin/accounts/").text
        assert client.post("/admin/accounts/signing-policy", data={}).status_code == 302
        db.session.expire_all()
        assert not totp.signing_requires_totp()


def test_an_administrator_removes_an_accounts_code(client, make, db, login, frozen):
    account = make.account()
    enrol(account)
    login(make.account(admin=True))
    assert "Set up" in client.get(f"/admin/accounts/{account.id}").text
    assert client.post(f"/admin/accounts/{account.id}/totp/remove").status_code == 400
    response = client.post(f"/admin/accounts/{account.id}/totp/remove",
                           data={"your_password": PASSWORD})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(type(account), account.id).totp_secret is None
    assert client.post(f"/admin/accounts/{account.id}/totp/remove",
                       data={"your_password": PASSWORD}).status_code == 400


def test_a_code_another_worker_used_is_refused_from_a_stale_copy(make, db, frozen):
    # the step is claimed by a conditional UPDATE, not judged from the loaded attribute
    account = make.account()
    enrol(account)
    typed = code(account)
    db.session.execute(text("UPDATE account SET totp_last_step = :step WHERE id = :id"),
                       {"step": account.totp_last_step + 1, "id": account.id})
    with pytest.raises(AccountError, match="already used"):
        totp.verify(account, typed)


def test_the_secret_is_stored_encrypted_and_one_stored_in_clear_still_works(make, db, frozen):
    account = make.account()
    secret = enrol(account)
    db.session.commit()
    stored = db.session.scalar(text("SELECT totp_secret FROM account WHERE id = :id"),
                               {"id": account.id})
    assert secret not in stored and stored.startswith(totp.SEALED_PREFIX)
    assert totp.secret_of(account) == secret
    legacy = make.account()
    legacy.totp_secret, legacy.totp_enrolled_at = secret, account.totp_enrolled_at
    db.session.commit()
    assert totp.reauthenticate(legacy, PASSWORD, code(legacy, steps=1)) == "password+totp"
    assert totp.encrypt_stored_secrets() == 1
    assert legacy.totp_secret.startswith(totp.SEALED_PREFIX)
    assert totp.secret_of(legacy) == secret
