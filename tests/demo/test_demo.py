"""The demo county loads cleanly, round-trips, and gives each kind of user a login."""

from datetime import date, timedelta

from jsonschema import Draft202012Validator, FormatChecker
from sqlalchemy import func, select

from govtrack.accounts.models import Account
from govtrack.accounts.services import verify_password
from govtrack.agencies.models import Agency, Person
from govtrack.audit.models import AuditEntry
from govtrack.committees.models import Committee, Membership
from govtrack.committees.services import roster
from govtrack.county.services import (
    UNSTORED_SECTIONS,
    export_county,
    import_county,
    load_schema,
)
from govtrack.demo import DEMO_LOGINS, DEMO_PASSWORD, demo_county, load_demo
from tests.county.files import canonical

#: the day the demo was written; its history stops there
WRITTEN = date(2026, 11, 22)


def committee(db, key):
    """The stored committee with key."""
    return db.session.scalar(select(Committee).where(Committee.key == key))


def person(db, key):
    """The stored person with key."""
    return db.session.scalar(select(Person).where(Person.key == key))


def loaded(db):
    """Run load_demo and commit, as `flask govtrack load-demo` does."""
    report = load_demo()
    assert report.ok, report.problems
    db.session.commit()
    return report


def test_demo_file_is_valid_and_uses_only_what_govtrack_stores():
    data = demo_county()
    validator = Draft202012Validator(load_schema(), format_checker=FormatChecker())
    assert list(validator.iter_errors(data)) == []
    assert {m["key"]: m["status"] for m in data["mous"]} == {
        "mou-crisis-dropoff": "executed", "mou-crisis-dropoff-2026": "draft",
        "mou-jail-inreach": "executed", "mou-pretrial-referral": "out_for_signature"}
    for record in data["committees"]:
        assert not set(UNSTORED_SECTIONS) & set(record)


def test_demo_file_imports_cleanly(db):
    data = demo_county()
    report = import_county(data)
    assert report.ok, report.problems
    assert report.ignored == []
    assert report.created == {
        "agencies": len(data["agencies"]), "people": len(data["people"]),
        "committees": 3,
        "memberships": sum(len(c["memberships"]) for c in data["committees"]),
        "stage_history": sum(len(c["stage_history"]) for c in data["committees"]),
        "rotation": 3,
        "chair_terms": sum(len(c["chair_terms"]) for c in data["committees"]),
        "meetings": sum(len(c.get("meetings", [])) for c in data["committees"]),
        "actions": sum(len(c.get("actions", [])) for c in data["committees"]),
        "workgroups": sum(len(c.get("workgroups", [])) for c in data["committees"]),
        "measures": sum(len(c.get("measures", [])) for c in data["committees"]),
        "mous": len(data["mous"]),
        "quorum": sum(1 for c in data["committees"] if c.get("quorum")),
        "standing_items": sum(len(c.get("standing_items", [])) for c in data["committees"]),
        "agenda_requests": sum(len(c.get("agenda_requests", [])) for c in data["committees"]),
        "backlog": sum(len(c.get("backlog", [])) for c in data["committees"]),
        "reminders": sum(len(p.get("reminders", [])) for p in data["people"]),
        "signatories": len(data.get("signatories", []))}


def test_demo_county_round_trips(db):
    loaded(db)
    assert canonical(export_county()) == canonical(demo_county())


def test_load_demo_twice_changes_nothing_the_second_time(db):
    first = loaded(db)
    entries = db.session.scalar(select(func.count(AuditEntry.id)))
    second = loaded(db)
    assert first.created["accounts"] == len(DEMO_LOGINS)
    assert not any(second.created.values())
    assert not any(second.updated.values())
    assert second.unchanged == first.created
    assert db.session.scalar(select(func.count(AuditEntry.id))) == entries
    assert db.session.scalar(select(func.count(Account.id))) == len(DEMO_LOGINS)


def test_load_demo_stops_without_accounts_when_the_county_is_refused(db):
    # A stored agency headed by the Public Defender: the demo would move her out of it.
    other = Agency(key="legal-aid", name="Legal Aid Society", sector="public_defense")
    db.session.add(other)
    db.session.flush()
    okafor = Person(key="p-okafor", name="Grace Okafor", agency=other)
    other.head = okafor
    db.session.add(okafor)
    db.session.commit()
    report = load_demo()
    assert [path for path, _ in report.problems] == ["$.people[9].agency"]
    assert "accounts" not in report.created
    db.session.rollback()
    assert db.session.scalar(select(func.count(Account.id))) == 0


def test_demo_logins_are_the_roles_they_claim(db):
    loaded(db)
    day = date(2026, 11, 1)
    logins = {login["role"]: login for login in DEMO_LOGINS}
    accounts = {role: db.session.scalar(select(Account).where(Account.email == login["email"]))
                for role, login in logins.items()}
    assert {role for role, account in accounts.items() if account.is_admin} == \
        {"Administrator"}
    for role, account in accounts.items():
        assert account.person.key == logins[role]["person"]
        assert account.email == account.person.email
    assert verify_password(accounts["CIT member"], DEMO_PASSWORD)
    coordinator = accounts["County coordinator"]
    assert coordinator.is_county_coordinator and not coordinator.is_admin
    assert {a.email for a in accounts.values() if a.is_county_coordinator} == {coordinator.email}
    assert db.session.scalar(select(func.count(Membership.id)).where(
        Membership.person_id == coordinator.person_id)) == 0  # reads all, sits nowhere
    cit = committee(db, "cit")
    assert {m.role for m in cit.memberships
            if m.person.key == "p-kowalski" and m.holds_on(day)} == {"chair"}
    assert {m.role for m in cit.memberships
            if m.person.key == "p-nguyen" and m.holds_on(day)} == {"member"}
    head = accounts["Agency head"].person
    assert head.agency.head is head
    for key in ("cit", "mhcj", "inreach"):
        assert not [m for m in committee(db, key).memberships
                    if m.person is head and m.role in ("chair", "co_chair")]


def test_demo_committees_cover_the_sectors_but_one(db):
    loaded(db)
    day = date(2026, 11, 1)
    assert roster(committee(db, "mhcj"), on=day).sectors_missing == []
    # the defenders' unit lead left the project: the seat and the chair are empty
    assert roster(committee(db, "inreach"), on=day).sectors_missing == ["public_defense"]
    assert roster(committee(db, "cit"), on=day).sectors_missing == ["public_defense"]


def test_demo_committees_are_set_up_as_the_county_runs_them(db):
    loaded(db)
    cit, mhcj, inreach = (committee(db, key) for key in ("cit", "mhcj", "inreach"))
    assert (cit.kind, cit.cadence_rrule, cit.cadence_dtstart.time().isoformat(),
            cit.duration_minutes) == ("standing", "FREQ=MONTHLY;BYDAY=2TU", "15:00:00", 90)
    assert (mhcj.kind, mhcj.cadence_rrule) == ("standing", "FREQ=MONTHLY;BYDAY=3TH")
    assert (inreach.kind, inreach.end_date) == ("time_limited", date(2027, 9, 30))
    assert "Justice and Mental Health Collaboration Program" in inreach.funding_source
    assert {c.timezone for c in (cit, mhcj, inreach)} == {"America/New_York"}
    for record in (cit, mhcj, inreach):
        assert record.purpose and len(record.goals) >= 3
        assert all(date(2023, 1, 1) <= s.since <= WRITTEN for s in record.stage_history)
        # only a named successor's hand-over lies in the future
        handovers = {t.start for t in record.chair_terms if t.start > WRITTEN}
        assert all((m.start <= WRITTEN or m.start in handovers)
                   and (m.end is None or m.end <= WRITTEN or m.end + timedelta(days=1)
                        in handovers) for m in record.memberships)
        assert any(m.end is not None for m in record.memberships)
        roles = {m.role for m in record.memberships}
        assert {"chair", "co_chair", "secretary", "member", "observer"} <= roles


def test_every_demo_agency_has_a_head_who_works_there(db):
    loaded(db)
    agencies = list(db.session.scalars(select(Agency)))
    assert len(agencies) >= 12
    assert all(a.head is not None and a.head.agency is a for a in agencies)
    assert all(p.email.endswith(".example.org") for p in db.session.scalars(select(Person)))


def test_demo_inreach_ramp_and_its_measure_shift_after_the_first_cycle(db):
    from govtrack.pdsa import runchart
    from govtrack.pdsa.models import Measure
    from govtrack.pdsa.services import analysis, ramp, signal_text
    from govtrack.workgroups.models import Goal

    loaded(db)
    goal = db.session.scalar(select(Goal).where(Goal.key == "g-inreach-first-contact"))
    assert goal.workgroup.committee.key == "inreach"
    cycles = ramp(goal)
    assert [(c.phase, c.decision) for c in cycles] == [
        ("closed", "adopt"), ("closed", "adapt"), ("do", None)]
    assert cycles[2].previous is cycles[1]
    assert WRITTEN < cycles[2].study_due <= WRITTEN + timedelta(days=21)
    assert all(c.since <= WRITTEN for cycle in cycles for c in cycle.phase_history)

    measure = db.session.scalar(select(Measure).where(Measure.key == "m-inreach-first-contact"))
    assert (len(measure.points), measure.direction, measure.workgroup) == (
        24, "down", goal.workgroup)
    result = analysis(measure)
    centre = result.current.median
    first_start = cycles[0].started_on
    shifts = [s for s in runchart.shifts(result.values, centre)
              if s.side < 0 and result.dates[s.indices[0]] > first_start]
    assert shifts and len(shifts[0].indices) >= runchart.SHIFT
    assert signal_text(measure).startswith("Improvement: unusually long run below the median")
