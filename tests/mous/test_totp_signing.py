"""Signing an MOU with a TOTP code: the method recorded, refusals, the administrator's rule."""

from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import select

from govtrack.accounts import totp
from govtrack.editing import DomainError
from govtrack.mous import services
from govtrack.mous.models import SigningEvent
from govtrack.mous.services import Signing
from tests.accounts.enrol import code, enrol
from tests.factories import PASSWORD
from tests.mous.factories import make_mou, sign_as


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(datetime(2026, 3, 2, 14, 0, 10, tzinfo=UTC), tick=False):
        yield


def _signing(account, totp_code="", mou=None):
    return Signing(password=PASSWORD, consent=True, name=account.person.name, title="Head",
                   totp_code=totp_code, document_sha256=mou.current.digest if mou else "")


def test_an_enrolled_signer_gives_a_code_and_the_record_says_so(make, db):
    cast = make.cast()
    mou, head = make_mou(cast), cast["head"]
    enrol(head)
    event = services.sign(head, mou, head.person.agency, _signing(head, code(head), mou))
    assert event.auth_method == "password+totp"
    assert services.verify(mou).ok


def test_an_enrolled_signer_without_a_code_is_refused_on_the_code_field(make, db):
    cast = make.cast()
    mou, head = make_mou(cast), cast["head"]
    enrol(head)
    with pytest.raises(DomainError) as refused:
        services.sign(head, mou, head.person.agency, _signing(head, mou=mou))
    assert refused.value.field == "totp_code"
    with pytest.raises(DomainError, match="not right"):
        services.sign(head, mou, head.person.agency, _signing(head, "000000", mou))
    assert mou.events == []


def test_a_signer_without_totp_signs_by_password_unless_it_is_required(make, db):
    cast = make.cast()
    mou, head = make_mou(cast), cast["head"]
    totp.require_for_signing(cast["admin"], True)
    with pytest.raises(DomainError, match="requires a two-step") as refused:
        sign_as(head, mou, head.person.agency)
    assert refused.value.field == "totp_code" and mou.events == []
    totp.require_for_signing(cast["admin"], False)
    assert sign_as(head, mou, head.person.agency).auth_method == "password"


def _sign_data(mou, agency, **changes):
    return {"document_sha256": mou.current.digest, "party": agency.id,
            "password": PASSWORD, "consent": "y", "name": "Dana Ortiz",
            "title": "Sheriff", **changes}


def test_the_sign_page_asks_for_a_code_only_from_the_enrolled(client, make, db, login):
    cast = make.cast()
    mou, head = make_mou(cast), cast["head"]
    login(head)
    page = client.get(f"/mous/{mou.key}/sign").text
    assert 'name="totp_code"' not in page
    enrol(head)
    page = client.get(f"/mous/{mou.key}/sign").text
    field = next(line for line in page.splitlines() if 'name="totp_code"' in line)
    assert 'autocomplete="one-time-code"' in field and 'inputmode="numeric"' in field
    assert '<label class="usa-label" for="totp_code">' in page


def test_signing_through_the_form_with_and_without_the_code(client, make, db, login):
    cast = make.cast()
    mou, head = make_mou(cast), cast["head"]
    agency = head.person.agency
    enrol(head)
    login(head)
    response = client.post(f"/mous/{mou.key}/sign", data=_sign_data(mou, agency))
    assert response.status_code == 400
    assert 'id="totp_code-error"' in response.text and "6-digit code" in response.text
    response = client.post(f"/mous/{mou.key}/sign",
                           data=_sign_data(mou, agency, totp_code=code(head)))
    assert response.status_code == 302
    assert db.session.scalar(select(SigningEvent.auth_method)) == "password+totp"


def test_required_but_not_enrolled_links_to_enrolment(client, make, db, login):
    cast = make.cast()
    mou, head = make_mou(cast), cast["head"]
    totp.require_for_signing(cast["admin"], True)
    db.session.commit()
    login(head)
    page = client.get(f"/mous/{mou.key}/sign").text
    assert 'href="/account/totp"' in page and 'name="totp_code"' in page
    response = client.post(f"/mous/{mou.key}/sign", data=_sign_data(mou, head.person.agency))
    assert response.status_code == 400 and "requires a two-step sign-in code" in response.text
    assert db.session.scalar(select(SigningEvent)) is None


def test_wrong_passwords_at_signing_share_the_login_limit(client, make, db, login):
    cast = make.cast()
    mou, head = make_mou(cast), cast["head"]
    agency = head.person.agency
    login(head)
    for _ in range(5):
        response = client.post(f"/mous/{mou.key}/sign",
                               data=_sign_data(mou, agency, password="not the password"))
        assert response.status_code == 400 and "The password is not right" in response.text
    response = client.post(f"/mous/{mou.key}/sign", data=_sign_data(mou, agency))
    assert response.status_code == 400 and "Too many wrong passwords or codes" in response.text
    assert db.session.scalar(select(SigningEvent)) is None
    client.post("/logout")
    refused = client.post("/login", data={"email": head.email, "password": PASSWORD})
    assert refused.status_code == 429 and "Too many failed attempts" in refused.text
    with time_machine.travel(datetime(2026, 3, 2, 14, 16, tzinfo=UTC), tick=False):
        login(head)
        response = client.post(f"/mous/{mou.key}/sign", data=_sign_data(mou, agency))
        assert response.status_code == 302
