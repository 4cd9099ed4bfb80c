"""MOU pages: signing through the browser's form, refusals, certificate and Word file."""

import io
from datetime import date

from docx import Document
from sqlalchemy import select, text

from govtrack.mous.models import Mou, MouVersion, SigningEvent
from tests.factories import PASSWORD
from tests.mous.factories import make_mou


def _sign_data(mou, agency, **changes):
    data = {"document_sha256": mou.current.digest, "party": agency.id,
            "password": PASSWORD, "consent": "y", "name": "Dana Ortiz",
            "title": "Sheriff"}
    data.update(changes)
    return data


def test_the_head_signs_and_the_last_signature_shows_the_certificate(client, make, db, login):
    cast = make.cast()
    member_agency = cast["member"].person.agency
    mou = make_mou(cast, parties=[member_agency, cast["head"].person.agency])
    other = make.account()
    other.person.agency = member_agency
    member_agency.head = other.person
    db.session.commit()
    login(cast["head"])
    page = client.get("/mous/").get_data(as_text=True)
    assert "MOUs awaiting my signature" in page and mou.title in page
    page = client.get(f"/mous/{mou.key}/sign").get_data(as_text=True)
    assert f"I sign this MOU on behalf of {cast['head'].person.agency.name}." in page
    response = client.post(f"/mous/{mou.key}/sign", data=_sign_data(
        mou, cast["head"].person.agency),
                           headers={"User-Agent": "Firefox/140"})
    assert response.status_code == 302
    event = db.session.scalar(select(SigningEvent))
    assert event.signer_name == "Dana Ortiz" and event.user_agent == "Firefox/140"
    assert event.address == "127.0.0.1"
    client.post("/logout")
    login(other)
    response = client.post(f"/mous/{mou.key}/sign", data=_sign_data(mou, member_agency))
    assert response.headers["Location"].endswith(f"/mous/{mou.key}/certificate")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Certificate of completion" in page and "Signing record verified" in page
    db.session.expire_all()
    assert db.session.get(Mou, mou.id).status == "executed"


def test_a_member_who_is_not_the_head_gets_403(client, make, db, login):
    cast = make.cast()
    mou = make_mou(cast)
    login(cast["member"])
    assert client.get(f"/mous/{mou.key}/sign").status_code == 403
    response = client.post(f"/mous/{mou.key}/sign",
                           data=_sign_data(mou, cast["member"].person.agency))
    assert response.status_code == 403
    assert db.session.scalar(select(SigningEvent)) is None


def test_a_wrong_password_or_no_consent_is_refused_on_the_form(client, make, db, login):
    cast = make.cast()
    mou = make_mou(cast)
    agency = cast["head"].person.agency
    login(cast["head"])
    response = client.post(f"/mous/{mou.key}/sign", data=_sign_data(mou, agency, password="nope"))
    assert response.status_code == 400 and "The password is not right." in response.text
    data = _sign_data(mou, agency)
    del data["consent"]
    response = client.post(f"/mous/{mou.key}/sign", data=data)
    assert response.status_code == 400 and "consent" in response.text
    assert db.session.scalar(select(SigningEvent)) is None


def test_signing_twice_is_refused(client, make, db, login):
    cast = make.cast()
    mou = make_mou(cast)
    agency = cast["head"].person.agency
    login(cast["head"])
    assert client.post(f"/mous/{mou.key}/sign", data=_sign_data(mou, agency)).status_code == 302
    response = client.post(f"/mous/{mou.key}/sign", data=_sign_data(mou, agency))
    assert response.status_code == 400
    assert len(db.session.scalars(select(SigningEvent)).all()) == 1


def test_editing_an_executed_mou_is_refused_through_the_routes(client, make, db, login):
    cast = make.cast()
    mou = make_mou(cast, status="executed")
    login(cast["chair"])
    response = client.get(f"/mous/{mou.key}/edit")
    assert response.status_code == 302
    response = client.post(f"/mous/{mou.key}/edit", data={
        "title": "Changed", "text": "Changed", "version": mou.version}, follow_redirects=True)
    assert "never edited in place" in response.text
    db.session.expire_all()
    assert db.session.get(Mou, mou.id).title == "Jail in-reach protocol"
    assert [v.text for v in db.session.scalars(select(MouVersion))] == [
        "The parties agree to screen every booking for mental illness."]
    client.post(f"/mous/{mou.key}/status", data={"to": "out_for_signature"})
    db.session.expire_all()
    assert db.session.get(Mou, mou.id).status == "executed"


def test_the_chair_drafts_edits_and_sends_an_mou(client, make, db, login):
    cast = make.cast()
    login(cast["chair"])
    parties = [cast["member"].person.agency, cast["head"].person.agency]
    response = client.post("/mous/new", data={
        "title": "Crisis drop-off", "committee": cast["committee"].id,
        "parties": [a.id for a in parties], "text": "Police bring people to the centre."})
    assert response.status_code == 302
    mou = db.session.scalar(select(Mou))
    response = client.post(f"/mous/{mou.key}/edit", data={
        "title": "Crisis drop-off", "version": mou.version, "parties": [a.id for a in parties],
        "committee": cast["committee"].id, "text": "Police bring people to the centre.",
        f"obligation_{parties[0].id}": "Staff the centre around the clock."})
    assert response.status_code == 302, response.text
    for to in ("in_review", "out_for_signature"):
        client.post(f"/mous/{mou.key}/status", data={"to": to})
    db.session.expire_all()
    mou = db.session.get(Mou, mou.id)
    assert mou.status == "out_for_signature" and mou.current.sent_for_signature_at
    assert mou.current.obligations == [{"party": parties[0].key,
                                        "text": "Staff the centre around the clock."}]
    page = client.get(f"/mous/{mou.key}").get_data(as_text=True)
    assert "Staff the centre around the clock." in page


def test_a_tampered_version_is_shown_as_such(client, make, db, login):
    cast = make.cast()
    mou = make_mou(cast, status="executed")
    db.session.execute(text("UPDATE mou_version SET text = 'Nothing.'"))
    db.session.commit()
    login(cast["member"])
    page = client.get(f"/mous/{mou.key}").get_data(as_text=True)
    assert "Tampering detected" in page and "no longer matches the hash" in page


def test_the_word_file_holds_the_signature_records_and_the_hash(client, make, db, login):
    cast = make.cast()
    mou = make_mou(cast, status="executed")
    digest = mou.current.digest
    events = list(mou.events)
    login(cast["member"])
    response = client.get(f"/mous/{mou.key}/document.docx")
    assert response.status_code == 200
    doc = Document(io.BytesIO(response.data))
    body = "\n".join(p.text for p in doc.paragraphs)
    cells = "\n".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
    assert "Certificate of completion" in body and digest in body
    for event in events:
        assert event.event_sha256 in body and event.intent in body
        assert event.signer_name in cells
    assert "screen every booking" in body


def test_the_certificate_checks_a_hash(client, make, db, login):
    cast = make.cast()
    mou = make_mou(cast, status="executed")
    login(cast["head"])
    page = client.post(f"/mous/{mou.key}/certificate", data={"sha256": mou.current.digest})
    assert "matches version 1, which was signed" in page.text
    page = client.post(f"/mous/{mou.key}/certificate", data={"sha256": "0" * 64})
    assert "matches no signed version" in page.text


def test_my_agency_view_lists_awaiting_and_promised(client, make, db, login):
    cast = make.cast()
    mou = make_mou(cast)
    login(cast["head"])
    page = client.get("/mous/mine").get_data(as_text=True)
    assert "MOUs awaiting my signature" in page
    assert f"{cast['head'].person.agency.name} shares its data monthly." in page
    assert mou.title in page


def test_outsiders_do_not_see_the_mou(client, make, db, login):
    cast = make.cast()
    mou = make_mou(cast)
    login(cast["outsider"])
    assert client.get(f"/mous/{mou.key}").status_code == 404
    assert mou.title not in client.get("/mous/").get_data(as_text=True)


def test_the_mou_page_runs_a_fixed_number_of_queries(web_app, client, make, db, login):
    from datetime import date

    from govtrack.mous import services
    from tests.helpers import count_queries

    cast = make.cast()
    mou = make_mou(cast)
    party = cast["member"].person.agency
    services.track_obligation(cast["admin"], mou, title="Share data", owner=cast["member"].person,
                              due=date(2027, 1, 1))
    db.session.commit()
    login(cast["chair"])
    url = f"/mous/{mou.key}"
    few = count_queries(web_app, lambda: client.get(url))
    for n in range(5):
        make.membership(cast["committee"], make.person(agency=party))
        services.track_obligation(cast["admin"], mou, title=f"Share data {n}",
                                  owner=make.person(agency=party), due=date(2027, 1, n + 1))
    db.session.commit()
    many = count_queries(web_app, lambda: client.get(url))
    # session and account 2, the MOU with its committee and what it amends 1, the roster,
    # its amendments, parties (with heads and accounts), versions, events (with agencies
    # and people) 5, owners to choose, action items, who may sign, unread notices 4
    assert few == many <= 12
    assert "Share data 4" in client.get(url).get_data(as_text=True)


def test_a_signature_binds_to_the_version_the_signer_was_shown(client, make, db, login):
    from govtrack.mous import services

    cast = make.cast()
    mou = make_mou(cast)
    agency = cast["head"].person.agency
    login(cast["head"])
    page = client.get(f"/mous/{mou.key}/sign").get_data(as_text=True)
    shown = mou.current.digest
    assert f'value="{shown}"' in page
    # the chair makes version 2 and sends it again while the head reads version 1
    services.update_mou(cast["chair"], mou, None, title=mou.title, purpose="", background="",
                        text="The parties agree to something else.", obligations={})
    services.change_status(cast["chair"], mou, "out_for_signature")
    db.session.commit()
    response = client.post(f"/mous/{mou.key}/sign",
                           data=_sign_data(mou, agency, document_sha256=shown))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The text changed since you opened it" in page
    assert "The parties agree to something else." in page
    assert f'value="{mou.current.digest}"' in page
    db.session.expire_all()
    assert db.session.scalar(select(SigningEvent).where(SigningEvent.kind == "signed")) is None
    response = client.post(f"/mous/{mou.key}/sign", data=_sign_data(mou, agency,
                                                                     document_sha256=""))
    assert response.status_code == 400
    assert client.post(f"/mous/{mou.key}/sign",
                       data=_sign_data(mou, agency)).status_code == 302


def test_declining_needs_the_password_and_tells_the_parties_and_the_chair(client, make, db,
                                                                         login):
    from govtrack.chairs.models import ChairTerm
    from govtrack.notifications.models import Notification

    cast = make.cast()
    member_agency = cast["member"].person.agency
    member_agency.head = cast["member"].person
    chair = cast["chair"].person
    db.session.add(ChairTerm(committee=cast["committee"], person=chair, agency=chair.agency,
                             start=date(2025, 1, 1), planned_end=date(2030, 1, 1)))
    db.session.commit()
    mou = make_mou(cast)
    agency = cast["head"].person.agency
    login(cast["head"])
    data = {"party": agency.id, "reason": "Our counsel has not reviewed it.",
            "document_sha256": mou.current.digest}
    response = client.post(f"/mous/{mou.key}/decline", data=data | {"password": "wrong"})
    assert response.status_code == 400
    assert client.post(f"/mous/{mou.key}/decline", data=data).status_code == 400
    db.session.expire_all()
    assert db.session.scalar(select(SigningEvent)) is None
    response = client.post(f"/mous/{mou.key}/decline", data=data | {"password": PASSWORD})
    assert response.status_code == 302
    event = db.session.scalar(select(SigningEvent))
    assert event.kind == "declined" and event.auth_method == "password"
    told = {n.person_id: n.body for n in db.session.scalars(
        select(Notification).where(Notification.kind == "mou_signature_declined"))}
    assert set(told) == {cast["member"].person_id, chair.id}
    assert all("Our counsel has not reviewed it." in body for body in told.values())


def test_an_obligations_owner_outside_the_committee_sees_and_updates_only_that_item(
        client, make, db, login):
    from govtrack.actions.models import ActionItem
    from govtrack.mous import services

    cast = make.cast()
    cast["committee"].name = "Jail Deaths Review Committee"
    mou = make_mou(cast)
    owner = make.account(person=make.person(agency=cast["head"].person.agency))
    action = services.track_obligation(cast["chair"], mou, title="Share booking data",
                                       owner=owner.person, due=None)
    db.session.commit()
    login(owner)
    page = client.get("/my-work").get_data(as_text=True)
    assert "Share booking data" in page and "Jail Deaths Review Committee" not in page
    response = client.post(f"/actions/{action.key}/update", data={
        f"a{action.id}-status": "in_progress", f"a{action.id}-note": "Started.",
        f"a{action.id}-version": action.version})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(ActionItem, action.id).status == "in_progress"
    assert client.get(f"/committees/{cast['committee'].key}").status_code == 404
    other = cast["workgroup"]
    assert client.get(f"/workgroups/{other.key}").status_code == 404


def test_a_typed_name_unlike_the_accounts_is_printed_beside_it(client, make, db, login):
    """Issue 16: the typed name is not checked, the record shows both (a decision), and the
    certificate says what verification proves and what it does not (defect 9)."""
    from govtrack.mous.services import VERIFICATION_DOES_NOT_PROVE

    cast = make.cast()
    mou = make_mou(cast)
    agency = cast["head"].person.agency
    login(cast["head"])
    response = client.post(f"/mous/{mou.key}/sign", data=_sign_data(
        mou, agency, name="Sheriff Someone Else"))
    assert response.status_code == 302
    page = client.get(f"/mous/{mou.key}/certificate").get_data(as_text=True)
    assert "Sheriff Someone Else" in page
    assert f"typed; the account is {cast['head'].person.name}" in page
    assert "Who sat at the keyboard" in page and "receipts" in page
    db.session.expire_all()
    db.session.get(Mou, mou.id).status = "executed"  # the Word file's certificate section
    db.session.commit()
    words = "\n".join(p.text for p in Document(io.BytesIO(
        client.get(f"/mous/{mou.key}/document.docx").data)).paragraphs)
    assert "Signer (as typed): Sheriff Someone Else" in words
    assert f"Account holder: {cast['head'].person.name}" in words
    assert f"It does not prove: {' '.join(VERIFICATION_DOES_NOT_PROVE)}" in words


def test_mous_mine_runs_a_fixed_number_of_queries_however_many_mous_await(
        web_app, client, make, db, login):
    from tests.helpers import count_queries

    cast = make.cast()
    make_mou(cast, title="Protocol 0")
    login(cast["head"])
    few = count_queries(web_app, lambda: client.get("/mous/mine"))
    for n in range(1, 5):
        make_mou(cast, title=f"Protocol {n}")
    make_mou(cast, status="executed", title="Signed protocol")
    many = count_queries(web_app, lambda: client.get("/mous/mine"))
    # session and account 2, agencies headed, authorisations held, MOUs awaiting with
    # parties, versions and who signed 4, live MOUs with their current versions, action
    # items, unread notices
    assert few == many <= 11
    page = client.get("/mous/mine").get_data(as_text=True)
    assert all(f"Protocol {n}" in page for n in range(5))


def test_the_mou_page_runs_a_fixed_number_of_queries_however_many_parties(
        web_app, client, make, db, login):
    from tests.helpers import count_queries

    def headed_agency():
        account = make.account()
        account.person.agency.head = account.person
        db.session.commit()
        return account.person.agency

    cast = make.cast()
    two = make_mou(cast, title="Two parties")
    six = make_mou(cast, title="Six parties", parties=[
        cast["member"].person.agency, cast["head"].person.agency,
        *(headed_agency() for _ in range(4))])
    login(cast["chair"])
    few = count_queries(web_app, lambda: client.get(f"/mous/{two.key}"))
    many = count_queries(web_app, lambda: client.get(f"/mous/{six.key}"))
    assert few == many <= 12
