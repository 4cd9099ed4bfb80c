"""Who may sign for an agency: the head, or a person the head authorised; the request
moves when either changes, and whoever may sign is told exactly once."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from click.testing import CliRunner
from sqlalchemy import select

from govtrack.agencies.services import update_agency
from govtrack.cli import govtrack_cli
from govtrack.editing import DomainError
from govtrack.mous import services, signatories
from govtrack.mous.models import SigningEvent
from govtrack.mous.services import NotSignatory
from govtrack.notifications.models import Notification
from govtrack.permissions.signing import can_sign_for
from govtrack.reminders.sweep import sweep
from tests.factories import PASSWORD
from tests.mous.factories import make_authorisation, make_mou, sign_as

MARCH_2 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def _notices(db, person, kind=None):
    found = list(db.session.scalars(select(Notification).where(
        Notification.person_id == person.id).order_by(Notification.id)))
    kinds = {"sign-request": "mou_signature_requested", "sign-withdrawn": "mou_signature_withdrawn",
             "voided": "mou_signatures_voided"}
    return [n for n in found if kind is None or n.kind == kinds[kind]]


def _sign_data(mou, agency):
    return {"document_sha256": mou.current.digest, "party": agency.id,
            "password": PASSWORD, "consent": "y", "name": "Sam Rivera",
            "title": "Deputy"}


@time_machine.travel(MARCH_2, tick=False)
def test_an_authorised_signatory_signs_within_the_dates_and_for_the_named_mou_only(make, db):
    cast = make.cast()
    mou = make_mou(cast)
    other = make_mou(cast, title="Crisis drop-off")
    agency = cast["head"].person.agency
    authorisation = make_authorisation(cast, mou=mou, starts_on=date(2026, 3, 10),
                                       ends_on=date(2026, 3, 20))
    deputy = authorisation.person.account

    def may(day, which=mou):
        return can_sign_for(deputy, agency, which, on=day)

    assert not may(date(2026, 3, 9)) and may(date(2026, 3, 10)) and may(date(2026, 3, 20))
    assert not may(date(2026, 3, 21))
    assert not may(date(2026, 3, 15), other) and not may(date(2026, 3, 15), None)
    with pytest.raises(NotSignatory):
        sign_as(deputy, mou, agency)  # 2 March: not yet
    with time_machine.travel(datetime(2026, 3, 15, 9, tzinfo=UTC), tick=False):
        with pytest.raises(NotSignatory):
            sign_as(deputy, other, agency)
        event = sign_as(deputy, mou, agency)
        db.session.commit()
    assert event.signed_as == signatories.AUTHORISED
    assert event.intent == (f"I sign this MOU on behalf of {agency.name} as its authorised "
                            "signatory.")
    assert services.verify(mou).ok
    head_event = sign_as(cast["head"], other, agency)
    assert head_event.signed_as == signatories.HEAD
    assert head_event.intent == f"I sign this MOU on behalf of {agency.name}."


@time_machine.travel(MARCH_2, tick=False)
def test_only_people_of_the_agency_are_authorised_by_its_head_from_today(make, db):
    cast = make.cast()
    agency = cast["head"].person.agency
    stranger = make.person()
    with pytest.raises(DomainError, match="works for another agency"):
        signatories.authorise(cast["head"], agency, stranger, starts_on=date(2026, 3, 2))
    deputy = make.person(agency=agency)
    with pytest.raises(DomainError, match="starts today or later"):
        signatories.authorise(cast["head"], agency, deputy, starts_on=date(2026, 3, 1))
    with pytest.raises(DomainError, match="last day"):
        signatories.authorise(cast["head"], agency, deputy, starts_on=date(2026, 3, 5),
                              ends_on=date(2026, 3, 4))
    with pytest.raises(signatories.NotRegisterKeeper):
        signatories.authorise(cast["chair"], agency, deputy, starts_on=date(2026, 3, 2))
    assert signatories.authorise(cast["admin"], agency, deputy, starts_on=date(2026, 3, 2))


def test_a_new_head_is_asked_once_and_the_old_head_can_no_longer_sign(make, db):
    cast = make.cast()
    mou = make_mou(cast)
    agency = cast["head"].person.agency
    old = cast["head"]
    assert len(_notices(db, old.person, "sign-request")) == 1
    successor = make.account(person=make.person(agency=agency, name="Rae Successor"))
    update_agency(cast["admin"], agency, None, name=agency.name, sector=agency.sector,
                  head=successor.person)
    db.session.commit()
    assert services.awaiting_signature(successor.person) == [(mou, agency)]
    asked = _notices(db, successor.person)
    assert [n.key for n in asked] == [
        f"mou_signature_requested.mou-{mou.id}.v1-party-{agency.id}.{successor.person.id}"]
    assert "Rae Successor is now the head" in asked[0].body
    assert services.awaiting_signature(old.person) == []
    assert not can_sign_for(old, agency, mou)
    with pytest.raises(NotSignatory):
        sign_as(old, mou, agency)
    [withdrawn] = _notices(db, old.person, "sign-withdrawn")
    assert "has moved to Rae Successor" in withdrawn.body
    # Saving the agency again, or the sweep, tells nobody twice.
    update_agency(cast["admin"], agency, None, name="Renamed", sector=agency.sector,
                  head=successor.person)
    sweep(deliver=False)
    db.session.expire_all()
    assert len(_notices(db, successor.person)) == 1


@time_machine.travel(MARCH_2, tick=False)
def test_an_ended_authorisation_moves_the_request_and_says_so(make, db):
    cast = make.cast()
    member_agency = cast["member"].person.agency  # no head: only authorised people sign
    mou = make_mou(cast)
    first = make.account(person=make.person(agency=member_agency, name="Ann First"))
    second = make.account(person=make.person(agency=member_agency, name="Bo Second"))
    given = signatories.authorise(cast["admin"], member_agency, first.person,
                                  starts_on=date(2026, 3, 2))
    db.session.commit()
    assert len(_notices(db, first.person, "sign-request")) == 1
    assert services.awaiting_signature(first.person) == [(mou, member_agency)]
    signatories.authorise(cast["admin"], member_agency, second.person,
                          starts_on=date(2026, 3, 2), mou=mou)
    signatories.end_authorisation(cast["admin"], given)
    db.session.commit()
    assert given.ends_on == date(2026, 3, 1) and given.ended_by == cast["admin"].person
    assert services.awaiting_signature(first.person) == []
    assert services.awaiting_signature(second.person) == [(mou, member_agency)]
    [moved] = _notices(db, first.person, "sign-withdrawn")
    assert "has ended" in moved.body and "has moved to Bo Second" in moved.body
    assert len(_notices(db, second.person, "sign-request")) == 1
    with pytest.raises(DomainError, match="already ended"):
        signatories.end_authorisation(cast["admin"], given)
    assert signatories.register(member_agency)[-1] is given  # kept, never deleted


def test_an_authorisation_that_ends_by_date_is_caught_by_the_sweep(make, db):
    with time_machine.travel(MARCH_2, tick=False):
        cast = make.cast()
        mou = make_mou(cast)
        agency = cast["head"].person.agency
        leaving = make_authorisation(cast, ends_on=date(2026, 3, 10))
        coming = make_authorisation(cast, starts_on=date(2026, 3, 11))
    assert len(_notices(db, leaving.person, "sign-request")) == 1
    assert _notices(db, coming.person) == []
    runner = CliRunner()
    with time_machine.travel(datetime(2026, 3, 11, 6, tzinfo=UTC), tick=False):
        result = runner.invoke(govtrack_cli, ["sweep"], obj=None, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        again = runner.invoke(govtrack_cli, ["sweep"], obj=None, catch_exceptions=False)
        assert again.output.startswith("0 new reminders"), again.output
        assert services.awaiting_signature(coming.person) == [(mou, agency)]
    db.session.expire_all()
    assert len(_notices(db, coming.person, "sign-request")) == 1
    assert len(_notices(db, leaving.person, "sign-withdrawn")) == 1


def test_voided_signers_are_told_why_and_asked_again_for_the_new_version(make, db):
    cast = make.cast()
    mou = make_mou(cast)
    agency = cast["head"].person.agency
    sign_as(cast["head"], mou, agency)
    db.session.commit()
    services.update_mou(cast["admin"], mou, None, title=mou.title, purpose="", background="",
                        text="A new clause.", obligations={
                            o["party"]: o["text"] for o in mou.current.obligations})
    db.session.commit()
    [voided] = _notices(db, cast["head"].person, "voided")
    recorded = next(e for e in mou.events if e.kind == "voided")
    assert recorded.reason in voided.body and "version 2 replaces version 1" in voided.body
    services.change_status(cast["admin"], mou, "out_for_signature")
    db.session.commit()
    keys = [n.key for n in _notices(db, cast["head"].person, "sign-request")]
    head = cast["head"].person.id
    assert keys == [f"mou_signature_requested.mou-{mou.id}.v1-party-{agency.id}.{head}",
                    f"mou_signature_requested.mou-{mou.id}.v2-party-{agency.id}.{head}"]


# --- through the pages ---------------------------------------------------------------------


def test_the_sign_page_lets_an_authorised_signatory_in_only_within_the_dates(
        client, make, db, login):
    with time_machine.travel(MARCH_2, tick=False):
        cast = make.cast()
        mou = make_mou(cast)
        other = make_mou(cast, title="Crisis drop-off")
        agency = cast["head"].person.agency
        deputy = make_authorisation(cast, mou=mou, starts_on=date(2026, 3, 10),
                                    ends_on=date(2026, 3, 20)).person.account
        login(deputy)
        assert client.get(f"/mous/{mou.key}/sign").status_code == 403
    # Logged in again on each day: a session does not last weeks.
    with time_machine.travel(datetime(2026, 3, 21, 9, tzinfo=UTC), tick=False):
        login(deputy)
        assert client.post(f"/mous/{mou.key}/sign",
                           data=_sign_data(mou, agency)).status_code == 403
    with time_machine.travel(datetime(2026, 3, 15, 9, tzinfo=UTC), tick=False):
        login(deputy)
        assert client.get(f"/mous/{other.key}/sign").status_code == 403
        page = client.get(f"/mous/{mou.key}/sign").get_data(as_text=True)
        assert "as its authorised signatory" in page
        assert "MOUs awaiting my signature" in client.get("/my-work").get_data(as_text=True)
        response = client.post(f"/mous/{mou.key}/sign", data=_sign_data(mou, agency))
        assert response.status_code == 302
    event = db.session.scalar(select(SigningEvent))
    assert event.signed_as == "authorised_signatory" and event.person_id == deputy.person_id


def test_changing_the_head_on_the_agency_form_moves_the_request(client, make, db, login):
    cast = make.cast()
    mou = make_mou(cast)
    agency = cast["head"].person.agency
    successor = make.account(person=make.person(agency=agency))
    login(cast["admin"])
    response = client.post(f"/agencies/{agency.key}/edit", data={
        "version": agency.version, "name": agency.name, "sector": agency.sector,
        "head": successor.person.id})
    assert response.status_code == 302
    client.post("/logout")
    login(successor)
    page = client.get("/my-work").get_data(as_text=True)
    assert f"Please sign “{mou.title}”" in page and "MOUs awaiting my signature" in page
    client.post("/logout")
    login(cast["head"])
    assert client.get(f"/mous/{mou.key}/sign").status_code == 403


@time_machine.travel(MARCH_2, tick=False)
def test_the_head_keeps_the_register_and_others_only_read_it_or_not(client, make, db, login):
    cast = make.cast()
    mou = make_mou(cast)
    agency = cast["head"].person.agency
    deputy = make.account(person=make.person(agency=agency, name="Dee Puty"))
    url = f"/agencies/{agency.key}/signatories"
    login(deputy)
    assert client.get(url).status_code == 200
    assert client.post(url, data={"person": deputy.person.id}).status_code == 403
    client.post("/logout")
    login(cast["member"])
    assert client.get(url).status_code == 403
    client.post("/logout")
    login(cast["head"])
    page = client.get(url).get_data(as_text=True)
    assert "Who may sign for" in page and "Authorise a person to sign" in page
    response = client.post(url, data={"person": deputy.person.id, "mou": mou.id,
                                      "starts_on": "2026-03-02", "ends_on": ""})
    assert response.status_code == 302
    refused = client.post(url, data={"person": deputy.person.id, "mou": 0,
                                     "starts_on": "2026-02-01"})
    assert refused.status_code == 200 and "starts today or later" in refused.get_data(
        as_text=True)
    [given] = signatories.register(agency)
    assert given.mou_id == mou.id and given.granted_by_id == cast["head"].person_id
    assert len(_notices(db, deputy.person, "sign-request")) == 1
    page = client.get(url).get_data(as_text=True)
    assert "Dee Puty" in page and mou.title in page
    assert client.post(f"{url}/{given.id}/end").status_code == 302
    db.session.expire_all()
    assert signatories.register(agency)[0].ended_at is not None
    assert not can_sign_for(deputy, agency, mou)


def test_a_head_marked_as_gone_neither_signs_nor_logs_in(client, make, db, login):
    from govtrack.agencies import services as agencies

    cast = make.cast()
    mou = make_mou(cast)
    head = cast["head"]
    agency = head.person.agency
    successor = make.person(agency=agency, name="Next Head")
    login(head)
    person = head.person
    with pytest.raises(DomainError) as asked:
        agencies.update_person(cast["admin"], person, None, name=person.name, agency=agency,
                               email=None, title=None, active=False)
    assert asked.value.field == "head_now"
    # as the defect was: the person is gone, but still named head
    person.active, person.inactive_since = False, date(2025, 1, 1)
    db.session.commit()
    assert not can_sign_for(head, agency, mou)
    with pytest.raises(NotSignatory):
        sign_as(head, mou, agency)
    assert client.get("/my-work").status_code == 302  # the session no longer holds
    assert client.post("/login", data={"email": head.email,
                                       "password": PASSWORD}).status_code == 200
    person.active, person.inactive_since = True, None
    db.session.commit()
    agencies.update_person(cast["admin"], person, None, name=person.name, agency=agency,
                           email=None, title=None, active=False, head_now=successor)
    db.session.commit()
    assert agency.head_id == successor.id and not person.active
