"""The members import as the chair, the secretary and strangers meet it."""

import re
from html import unescape
from io import BytesIO

import pytest
from sqlalchemy import func, select

from govtrack.committees.models import Membership

ROSTER = ("Name;E-mail;Role;Agency represented;Start date\r\n"
          "Renée O’Brien;robrien@court.example.org;observer;;2026-02-01\r\n").encode("cp1252")


def _setup(make, db):
    cast = make.cast()
    court = make.agency(name="Alder County Court", key="court", sector="courts")
    person = make.person(agency=court, name="Renée O’Brien", email="robrien@court.example.org")
    return cast, cast["committee"], person


def _seats(db, person) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Membership.id)).where(
        Membership.person_id == person.id))


def _upload(client, committee, raw, name="members.csv"):
    return client.post(f"/committees/{committee.key}/members/import",
                       data={"file": (BytesIO(raw), name)},
                       content_type="multipart/form-data")


def _carried(html: str) -> dict:
    """The hidden fields of the confirm form, as the browser would send them back."""
    form = html[html.index('/members/import/confirm"'):]
    return {name: unescape(value) for name, value in re.findall(
        r'name="(filename|encoding|text|digest|fingerprint)" type="hidden" value="([^"]*)"',
        form)}


def test_the_chair_reaches_the_import_from_the_committee_page(client, make, login, db):
    cast, committee, _ = _setup(make, db)
    login(cast["chair"])
    page = client.get(f"/committees/{committee.key}").get_data(as_text=True)
    assert f'href="/committees/{committee.key}/members/import"' in page
    client.post("/logout")
    login(cast["secretary"])
    page = client.get(f"/committees/{committee.key}").get_data(as_text=True)
    assert "/members/import" not in page


def test_preview_stores_nothing_and_confirm_stores_it_once(client, make, login, db):
    cast, committee, person = _setup(make, db)
    login(cast["chair"])
    response = _upload(client, committee, ROSTER)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Read as Windows-1252, cells separated by semicolons." in html
    assert "Renée O’Brien (Alder County Court)" in html and "1 to add" in html
    assert _seats(db, person) == 0
    carried = _carried(html)
    # a browser sends the hidden text's line breaks as CR LF
    carried["text"] = carried["text"].replace("\n", "\r\n")
    confirm_url = f"/committees/{committee.key}/members/import/confirm"
    first = client.post(confirm_url, data=carried, content_type="multipart/form-data")
    assert first.status_code == 302 and _seats(db, person) == 1
    assert "1 member added" in client.get(first.headers["Location"]).get_data(as_text=True)
    second = client.post(confirm_url, data=carried, content_type="multipart/form-data")
    assert second.status_code == 302 and _seats(db, person) == 1
    page = client.get(second.headers["Location"]).get_data(as_text=True)
    assert "already recorded; nothing changed" in page


def test_a_bad_file_is_explained_on_the_file_field(client, make, login, db):
    cast, committee, person = _setup(make, db)
    login(cast["chair"])
    html = _upload(client, committee, b"name,title\nAnn,Boss\n", "wrong.csv").get_data(
        as_text=True)
    assert 'id="file-error"' in html and 'aria-describedby="file-error"' in html
    assert "Line 1 of wrong.csv must name the columns" in html
    html = _upload(client, committee, ROSTER.replace(b"2026-02-01", b"1 Feb")).get_data(
        as_text=True)
    assert "members.csv has 1 problem" in html and "is not a date" in html
    assert "Start date (column E)" in html and "/members/import/confirm" not in html
    assert _seats(db, person) == 0


def test_an_altered_preview_is_refused_and_stores_nothing(client, make, login, db):
    cast, committee, person = _setup(make, db)
    login(cast["chair"])
    carried = _carried(_upload(client, committee, ROSTER).get_data(as_text=True))
    carried["text"] = carried["text"].replace("observer", "secretary")
    response = client.post(f"/committees/{committee.key}/members/import/confirm",
                           data=carried, content_type="multipart/form-data")
    assert response.status_code == 400 and _seats(db, person) == 0
    assert "did not come back intact" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["chair", "Co-chair"])
def test_a_roster_naming_a_chair_stores_nothing(client, make, login, db, role):
    cast, committee, person = _setup(make, db)
    login(cast["admin"])
    raw = f"email,role,start\nrobrien@court.example.org,{role},2026-02-01\n".encode()
    html = _upload(client, committee, raw).get_data(as_text=True)
    assert "Chair and co-chair seats are not imported" in html
    assert "/members/import/confirm" not in html and _seats(db, person) == 0


@pytest.mark.parametrize(("who", "status"), [("secretary", 403), ("member", 403),
                                              ("outsider", 404)])
def test_only_the_chair_and_administrators_import(client, make, login, db, who, status):
    cast, committee, person = _setup(make, db)
    login(cast["chair"])
    carried = _carried(_upload(client, committee, ROSTER).get_data(as_text=True))
    client.post("/logout")
    login(cast[who])
    assert _upload(client, committee, ROSTER).status_code == status
    response = client.post(f"/committees/{committee.key}/members/import/confirm",
                           data=carried, content_type="multipart/form-data")
    assert response.status_code == status and _seats(db, person) == 0
