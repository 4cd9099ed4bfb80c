"""The people import as administrators and everyone else meet it."""

import re
from html import unescape
from io import BytesIO

import pytest
from sqlalchemy import func, select

from govtrack.agencies.models import Person

PEOPLE = ("\ufeffName,E-mail,Agency,Title\r\n"
          "Renée O’Brien,robrien@court.example.org,Alder County Court,\"Clerk,\r\nCivil\"\r\n"
          "Ann Lee,alee@court.example.org,court,Judge\r\n").encode()


def _count(db) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Person.id)))


def _upload(client, raw, name="people.csv"):
    return client.post("/people/import", data={"file": (BytesIO(raw), name)},
                       content_type="multipart/form-data")


def _carried(html: str) -> dict:
    form = html[html.index('action="/people/import/confirm"'):]
    return {name: unescape(value).replace("\n", "\r\n") for name, value in re.findall(
        r'name="(filename|encoding|text|digest|fingerprint)" type="hidden" value="([^"]*)"',
        form)}


def test_an_administrator_previews_then_imports_people_once(client, make, login, db):
    make.agency(name="Alder County Court", key="court", sector="courts")
    admin = make.account(admin=True)
    login(admin)
    assert 'href="/people/import"' in client.get("/agencies/").get_data(as_text=True)
    before = _count(db)
    html = _upload(client, PEOPLE).get_data(as_text=True)
    assert "Read as UTF-8 (with byte-order mark), cells separated by commas." in html
    assert "2 to add" in html and "Clerk,\nCivil" in html
    assert _count(db) == before
    carried = _carried(html)
    response = client.post("/people/import/confirm", data=carried,
                           content_type="multipart/form-data")
    assert response.status_code == 302 and _count(db) == before + 2
    renee = db.session.scalar(select(Person).where(Person.email == "robrien@court.example.org"))
    assert (renee.name, renee.title) == ("Renée O’Brien", "Clerk,\nCivil")
    again = client.post("/people/import/confirm", data=carried,
                        content_type="multipart/form-data")
    assert again.status_code == 302 and _count(db) == before + 2


def test_a_change_between_preview_and_confirm_shows_the_new_preview(client, make, login, db):
    court = make.agency(name="Alder County Court", key="court", sector="courts")
    make.person(agency=court, name="Ann Lee", email="alee@court.example.org", title="Clerk")
    login(make.account(admin=True))
    carried = _carried(_upload(client, PEOPLE).get_data(as_text=True))
    person = db.session.scalar(select(Person).where(Person.email == "alee@court.example.org"))
    person.title = "Magistrate"
    db.session.commit()
    response = client.post("/people/import/confirm", data=carried,
                           content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "changed since the preview" in html
    assert "<del>Magistrate</del> <ins>Judge</ins>" in html
    assert _count(db) == 2  # the head-less court's Ann, and the administrator


@pytest.mark.parametrize("who", ["chair", "secretary", "member", "head"])
def test_only_administrators_import_people(client, make, login, db, who):
    cast = make.cast()
    make.agency(name="Alder County Court", key="court", sector="courts")
    before = _count(db)
    login(cast[who])
    assert client.get("/people/import").status_code == 403
    assert _upload(client, PEOPLE).status_code == 403
    assert 'href="/people/import"' not in client.get("/agencies/").get_data(as_text=True)
    assert _count(db) == before


@pytest.mark.parametrize(("raw", "words"), [
    (b"", "big.csv is empty."),
    (b"PK\x03\x04\x14\x00\x06\x00\x08\x00", "big.csv is not a CSV text file"),
    (b"name,email,agency\n" + b"Ann,ann@example.org,court\n" * 7000,
     "big.csv is 182,018 bytes; the limit is 150,000 bytes."),
])
def test_a_file_refused_whole_is_named_on_the_file_field(client, make, login, db, raw, words):
    login(make.account(admin=True))
    before = _count(db)
    html = _upload(client, raw, "big.csv").get_data(as_text=True)
    assert words in html and 'aria-describedby="file-error"' in html
    assert "/people/import/confirm" not in html and _count(db) == before
