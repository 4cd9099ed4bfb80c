"""The optional signing order: only the first party that has not signed may sign, and
each party's signatories are told when their turn comes."""

import pytest
from sqlalchemy import select

from govtrack.editing import DomainError
from govtrack.extensions import db as _db
from govtrack.mous import services
from govtrack.notifications.models import Notification
from tests.factories import PASSWORD
from tests.mous.factories import make_mou, sign_as


def _asked(person):
    return [n for n in _db.session.scalars(select(Notification).where(
        Notification.person_id == person.id)) if n.kind == "mou_signature_requested"]


def _in_order(make, cast):
    """An MOU in which the member's agency (with a head of its own) signs before the head's."""
    first_agency = cast["member"].person.agency
    first_head = make.account(person=make.person(agency=first_agency, name="First Head"))
    first_agency.head = first_head.person
    _db.session.commit()
    mou = make_mou(cast, status="in_review")
    second_agency = cast["head"].person.agency
    services.update_mou(
        cast["admin"], mou, None, title=mou.title, purpose="", background="",
        text=mou.current.text, obligations={o["party"]: o["text"]
                                            for o in mou.current.obligations},
        signing_in_order=True, positions={first_agency.id: 1, second_agency.id: 2})
    services.change_status(cast["admin"], mou, "out_for_signature")
    _db.session.commit()
    return mou, first_head, first_agency, second_agency


def test_out_of_turn_signing_is_refused_and_the_next_party_is_told(make, db):
    cast = make.cast()
    mou, first_head, first_agency, second_agency = _in_order(make, cast)
    assert [a.id for a in mou.parties] == [first_agency.id, second_agency.id]
    assert len(_asked(first_head.person)) == 1 and _asked(cast["head"].person) == []
    assert services.awaiting_signature(cast["head"].person) == []
    with pytest.raises(DomainError, match=f"Waiting for {first_agency.name} to sign first"):
        sign_as(cast["head"], mou, second_agency)
    sign_as(first_head, mou, first_agency)
    db.session.commit()
    assert len(_asked(cast["head"].person)) == 1
    assert services.awaiting_signature(cast["head"].person) == [(mou, second_agency)]
    sign_as(cast["head"], mou, second_agency)
    db.session.commit()
    assert mou.status == "executed" and services.verify(mou).ok
    assert len(_asked(first_head.person)) == 1  # told once, not again


def test_the_order_changes_only_in_draft_or_review_and_places_must_differ(make, db):
    cast = make.cast()
    mou = make_mou(cast, status="in_review")
    a, b = mou.parties
    values = {"title": mou.title, "purpose": "", "background": "", "text": mou.current.text,
              "obligations": {o["party"]: o["text"] for o in mou.current.obligations}}
    with pytest.raises(DomainError, match="its own place"):
        services.update_mou(cast["admin"], mou, None, signing_in_order=True,
                            positions={a.id: 1, b.id: 1}, **values)
    db.session.rollback()
    services.update_mou(cast["admin"], mou, None, signing_in_order=True,
                        positions={a.id: 2, b.id: 1}, **values)
    db.session.commit()
    assert mou.signing_in_order and [p.id for p in mou.parties] == [b.id, a.id]
    assert len(mou.versions) == 1  # listing the parties in order is no new text
    services.change_status(cast["admin"], mou, "out_for_signature")
    with pytest.raises(DomainError, match="only in draft or in review"):
        services.update_mou(cast["admin"], mou, None, signing_in_order=False, **values)


def test_the_sign_page_says_whose_turn_it_is_and_refuses_the_post(client, make, db, login):
    cast = make.cast()
    mou, first_head, first_agency, second_agency = _in_order(make, cast)
    login(cast["head"])
    message = f"Waiting for {first_agency.name} to sign first"
    assert message in client.get(f"/mous/{mou.key}").get_data(as_text=True)
    assert message in client.get(f"/mous/{mou.key}/sign").get_data(as_text=True)
    response = client.post(f"/mous/{mou.key}/sign", data={
        "party": second_agency.id, "password": PASSWORD, "consent": "y", "name": "Dana",
        "title": "Sheriff", "document_sha256": mou.current.digest})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert mou.signed_parties() == {}


def test_the_edit_form_sets_the_order_while_in_review(client, make, db, login):
    cast = make.cast()
    mou = make_mou(cast, status="in_review")
    a, b = sorted(mou.parties, key=lambda p: p.name)
    login(cast["admin"])
    page = client.get(f"/mous/{mou.key}/edit").get_data(as_text=True)
    assert "The parties sign one after another" in page
    data = {"version": mou.version, "title": mou.title, "text": mou.current.text,
            "parties": [a.id, b.id], "signing_in_order": "y",
            f"position_{a.id}": "2", f"position_{b.id}": "1",
            **{f"obligation_{p.id}": p.name + " shares its data monthly." for p in (a, b)}}
    assert client.post(f"/mous/{mou.key}/edit", data=data).status_code == 302
    db.session.expire_all()
    assert mou.signing_in_order and [p.id for p in mou.parties] == [b.id, a.id]
    services.change_status(cast["admin"], mou, "out_for_signature")
    db.session.commit()
    page = client.get(f"/mous/{mou.key}/edit").get_data(as_text=True)
    assert "The parties sign one after another" not in page
