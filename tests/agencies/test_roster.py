"""The people CSV: a preview that stores nothing, a confirm that stores it once."""

import pytest
from sqlalchemy import func, select

from govtrack.agencies.models import Person
from govtrack.agencies.roster import plan_people
from govtrack.audit.models import AuditEntry
from govtrack.editing import AlreadyDone, DomainError
from govtrack.uploads.csvfile import confirm, decode, digest


def _plan(raw: bytes, filename="people.csv"):
    text, encoding = decode(raw, filename)
    return text, plan_people(text, encoding, filename)


def _people(db) -> int:
    return db.session.scalar(select(func.count(Person.id)))


def test_preview_plans_adds_changes_and_unchanged_and_stores_nothing(db, make):
    sheriff = make.agency(name="Alder County Sheriff's Office", key="sheriff")
    make.person(agency=sheriff, name="Dana Ortiz", email="dortiz@sheriff.example.org",
                title="Sheriff")
    make.person(agency=sheriff, name="Sam Lee", email="slee@sheriff.example.org", title="Sgt")
    before = _people(db)
    raw = ("Name;E-mail;Agency;Title\r\n"
           "Dana Ortiz;DOrtiz@sheriff.example.org;alder county sheriff's office;\r\n"
           "Samuel Lee;slee@sheriff.example.org;sheriff;Sergeant\r\n"
           "Renée O’Brien;robrien@sheriff.example.org;Sheriff;Crisis coordinator\r\n"
           ).encode("cp1252")
    _, plan = _plan(raw)
    assert not plan.problems and plan.ok
    assert [s.label for s in plan.of("create")] == ["Renée O’Brien"]
    assert [(s.label, s.changes) for s in plan.of("update")] == [
        ("Sam Lee", [("Name", "Sam Lee", "Samuel Lee"), ("Title", "Sgt", "Sergeant")])]
    assert [s.label for s in plan.of("unchanged")] == ["Dana Ortiz"]  # empty title keeps
    db.session.rollback()
    assert _people(db) == before


def test_bad_rows_are_listed_with_their_line_column_and_a_plain_message(db, make):
    make.agency(name="Riverton Police Department", key="rpd")
    raw = (b"name,email,agency\n"
           b"Ann Lee,ann@example.org,Riverton Police Department\n"
           b",nobody@example.org,rpd\n"
           b"Bob Ray,not-an-address,rpd\n"
           b"Cy Dee,ann@example.org,rpd\n"
           b'"Di\nEve",di@example.org,Riverton Police Dept\n')
    _, plan = _plan(raw)
    assert not plan.ok
    assert [(p.line, p.column) for p in plan.problems] == [
        (3, "name (column A)"), (4, "email (column B)"), (5, "email (column B)"),
        (6, "agency (column C)")]
    messages = [p.message for p in plan.problems]
    assert messages[0] == "The name is missing."
    assert "is not an e-mail address" in messages[1]
    assert messages[2] == "ann@example.org is also on line 2."
    assert "No agency is called “Riverton Police Dept”" in messages[3]


def test_confirm_stores_what_was_previewed_once_with_audit_entries(db, make):
    make.agency(name="Riverton Police Department", key="rpd")
    admin = make.account(admin=True)
    raw = b"name,email,agency,title\nAnn Lee,ann@example.org,rpd,Officer\n"
    text, plan = _plan(raw)
    fingerprint = plan.fingerprint
    again = plan_people(text, "utf-8", "people.csv", lock=True)
    assert confirm(admin, again, text, digest(text), fingerprint) is again
    db.session.commit()
    ann = db.session.scalar(select(Person).where(Person.email == "ann@example.org"))
    assert (ann.name, ann.agency.key, ann.title) == ("Ann Lee", "rpd", "Officer")
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.object_type == "Person", AuditEntry.object_id == ann.id))
    assert entry.action == "create" and entry.actor_id == admin.id
    # the same confirm again (a double click, a re-sent form) stores nothing
    third = plan_people(text, "utf-8", "people.csv", lock=True)
    assert isinstance(confirm(admin, third, text, digest(text), fingerprint), AlreadyDone)
    db.session.commit()
    assert db.session.scalar(select(func.count(Person.id)).where(
        Person.email == "ann@example.org")) == 1


def test_confirm_refuses_when_the_records_changed_since_the_preview(db, make):
    rpd = make.agency(name="Riverton Police Department", key="rpd")
    ann = make.person(agency=rpd, name="Ann Lee", email="ann@example.org", title="Officer")
    admin = make.account(admin=True)
    text, plan = _plan(b"name,email,agency,title\nAnn Lee,ann@example.org,rpd,Sergeant\n")
    ann.title = "Lieutenant"  # someone edits Ann between the preview and the confirm
    db.session.commit()
    again = plan_people(text, "utf-8", "people.csv", lock=True)
    with pytest.raises(DomainError, match="changed since the preview"):
        confirm(admin, again, text, digest(text), plan.fingerprint)
    with pytest.raises(DomainError, match="did not come back intact"):
        confirm(admin, again, text + "x", digest(text), again.fingerprint)
