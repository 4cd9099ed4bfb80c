"""The members CSV a chair imports: seats previewed, stored once, chair seats untouchable."""

from datetime import date

from sqlalchemy import func, select

from govtrack.audit.models import AuditEntry
from govtrack.committees.models import Membership
from govtrack.committees.roster import plan_members
from govtrack.editing import AlreadyDone
from govtrack.uploads.csvfile import confirm, decode, digest


def _plan(actor, committee, raw: bytes):
    text, encoding = decode(raw, "members.csv")
    return text, plan_members(actor, committee, text, encoding, "members.csv")


def _seats(db, committee) -> int:
    return db.session.scalar(select(func.count(Membership.id)).where(
        Membership.committee_id == committee.id))


def _roster(make):
    cast = make.cast()
    committee = cast["committee"]
    court = make.agency(name="Alder County Court", key="court", sector="courts")
    new = make.person(agency=court, name="Renée O’Brien", email="robrien@court.example.org")
    return cast, committee, court, new


def test_a_windows_1252_semicolon_roster_plans_seats_and_stores_nothing(db, make):
    cast, committee, court, new = _roster(make)
    member = cast["member"].person
    member.email = "member@example.org"
    db.session.commit()
    before = _seats(db, committee)
    raw = ("E-mail;Role;Agency represented;Start date\r\n"
           "ROBRIEN@court.example.org;Observer;;2026-02-01\r\n"
           f"member@example.org;secretary;{court.name};2025-01-01\r\n").encode("cp1252")
    _, plan = _plan(cast["chair"], committee, raw)
    assert not plan.problems and plan.ok
    assert [(s.label, s.changes) for s in plan.of("create")] == [(
        "Renée O’Brien (Alder County Court)",
        [("Role", "", "Observer"), ("Agency represented", "", "Alder County Court"),
         ("Start", "", "2026-02-01")])]
    assert plan.of("update")[0].changes == [
        ("Role", "Member", "Secretary"),
        ("Agency represented", member.agency.name, "Alder County Court")]
    db.session.rollback()
    assert _seats(db, committee) == before


def test_chair_roles_and_bad_rows_are_refused_with_line_and_column(db, make):
    cast, committee, _, new = _roster(make)
    chair = cast["chair"].person
    chair.email = "chair@example.org"
    db.session.commit()
    raw = (b"email,role,agency,start\n"
           b"robrien@court.example.org,Co-chair,,2026-02-01\n"
           b"chair@example.org,member,,2025-01-01\n"
           b"nobody@example.org,member,,2026-02-01\n"
           b"robrien@court.example.org,member,,01/02/2026\n"
           b"robrien@court.example.org,member,Nowhere Agency,2026-02-01\n")
    _, plan = _plan(cast["chair"], committee, raw)
    assert not plan.ok and not plan.steps
    got = [(p.line, p.column.split(" (")[0]) for p in plan.problems]
    assert got == [(2, "role"), (3, "role"), (4, "email"), (5, "email"), (5, "start"),
                   (6, "email"), (6, "agency")]
    text = " ".join(p.message for p in plan.problems)
    assert "Chair and co-chair seats are not imported" in text
    assert "chair's seat, which changes only through the chair's hand-over" in text
    assert "Nobody is recorded with the e-mail nobody@example.org" in text
    assert "is not a date: write it as YYYY-MM-DD" in text
    assert "also on line 2" in text


def test_confirm_seats_once_with_audit_entries_on_the_committee(db, make):
    cast, committee, court, new = _roster(make)
    raw = b"email,role,start\nrobrien@court.example.org,member,2026-02-01\n"
    text, plan = _plan(cast["chair"], committee, raw)
    fingerprint = plan.fingerprint
    again = plan_members(cast["chair"], committee, text, "utf-8", "m.csv", lock=True)
    assert confirm(cast["chair"], again, text, digest(text), fingerprint) is again
    db.session.commit()
    seat = db.session.scalar(select(Membership).where(Membership.person_id == new.id))
    assert (seat.role, seat.agency_id, seat.start) == ("member", court.id, date(2026, 2, 1))
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.object_type == "Membership", AuditEntry.object_id == seat.id))
    assert entry.committee_id == committee.id and entry.actor_id == cast["chair"].id
    db.session.expire_all()
    third = plan_members(cast["chair"], committee, text, "utf-8", "m.csv", lock=True)
    assert isinstance(confirm(cast["chair"], third, text, digest(text), fingerprint),
                      AlreadyDone)
    db.session.commit()
    assert db.session.scalar(select(func.count(Membership.id)).where(
        Membership.person_id == new.id)) == 1
