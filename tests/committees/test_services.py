"""Committee rules: stage history, memberships, roster, audit."""

from datetime import date, datetime

import pytest
import time_machine

from govtrack.audit.models import AuditEntry
from govtrack.committees import services
from govtrack.editing import DomainError, StaleEdit


def test_updating_a_committee_records_before_and_after(db, make):
    committee = make.committee(purpose="Old purpose")
    chair = make.account()
    services.update_committee(chair, committee, committee.version, purpose="Fewer arrests")
    db.session.commit()
    entry = db.session.query(AuditEntry).filter_by(action="update").one()
    assert entry.changes == {"purpose": ["Old purpose", "Fewer arrests"]}
    assert entry.actor_id == chair.id and entry.committee_id == committee.id


def test_an_edit_from_an_older_version_is_refused(db, make):
    committee = make.committee()
    opened_at = committee.version
    services.update_committee(None, committee, opened_at, purpose="First save")
    db.session.commit()
    with pytest.raises(StaleEdit):
        services.update_committee(None, committee, opened_at, purpose="Second save")


def test_a_time_limited_committee_needs_an_end_date(db, make):
    committee = make.committee()
    with pytest.raises(DomainError) as error:
        services.update_committee(None, committee, None, kind="time_limited", end_date=None)
    assert error.value.field == "end_date"


def test_a_cadence_needs_its_first_meeting(db, make):
    committee = make.committee()
    with pytest.raises(DomainError) as error:
        services.update_committee(None, committee, None, cadence_rrule="FREQ=MONTHLY;BYDAY=2TU",
                                  cadence_dtstart=None)
    assert error.value.field == "cadence_dtstart"


@time_machine.travel(datetime(2026, 6, 1, 12, 0), tick=False)
def test_stage_changes_move_forward_in_time(db, make):
    committee = make.committee()  # engagement since 2025-01-14
    services.change_stage(None, committee, "assessment", date(2025, 6, 1))
    assert committee.stage.stage == "assessment"
    with pytest.raises(DomainError, match="cannot start before"):
        services.change_stage(None, committee, "planning", date(2025, 5, 31))
    with pytest.raises(DomainError, match="future"):
        services.change_stage(None, committee, "planning", date(2026, 6, 2))
    with pytest.raises(DomainError, match="already in"):
        services.change_stage(None, committee, "assessment", date(2026, 1, 1))


def test_a_person_sits_once_at_a_time(db, make):
    committee = make.committee()
    person = make.person()
    make.membership(committee, person, start=date(2025, 1, 1), end=date(2025, 12, 31))
    with pytest.raises(DomainError, match="already a member"):
        services.add_membership(None, committee, person=person, agency=person.agency,
                                role="member", start=date(2025, 12, 31))
    services.add_membership(None, committee, person=person, agency=person.agency,
                            role="member", start=date(2026, 1, 1))


def test_there_is_one_chair_at_a_time(db, make):
    committee = make.committee()
    make.membership(committee, make.person(), role="chair", start=date(2025, 1, 1))
    other = make.person()
    with pytest.raises(DomainError) as error:
        services.open_seat(None, committee, person=other, agency=other.agency, role="chair",
                           start=date(2026, 1, 1))
    assert error.value.field == "role"
    services.open_seat(None, committee, person=other, agency=other.agency,
                       role="co_chair", start=date(2026, 1, 1))


def test_a_membership_cannot_end_before_it_starts(db, make):
    committee = make.committee()
    person = make.person()
    with pytest.raises(DomainError) as error:
        services.add_membership(None, committee, person=person, agency=person.agency,
                                role="member", start=date(2026, 2, 1), end=date(2026, 1, 31))
    assert error.value.field == "end"


@time_machine.travel(datetime(2026, 6, 1, 12, 0), tick=False)
def test_roster_shows_sectors_present_and_missing(db, make):
    committee = make.committee()
    police = make.agency(sector="law_enforcement")
    omh = make.agency(sector="mental_health_authority")
    make.membership(committee, make.person(agency=police), role="chair")
    make.membership(committee, make.person(agency=omh))
    make.membership(committee, make.person(agency=make.agency(sector="courts")),
                    end=date(2026, 1, 1))
    roster = services.roster(committee)
    assert set(roster.sectors_present) == {"law_enforcement", "mental_health_authority"}
    assert "courts" in roster.sectors_missing and "law_enforcement" not in roster.sectors_missing
    assert roster.current[0].role == "chair"
    assert len(roster.former) == 1
    assert roster.sides_present == {"criminal_justice", "behavioural_health"}


@time_machine.travel(datetime(2026, 6, 1, 12, 0), tick=False)
def test_a_person_who_left_is_no_longer_on_the_roster(db, make):
    committee = make.committee()
    person = make.person()
    make.membership(committee, person)
    person.active = False
    person.inactive_since = date(2026, 3, 1)
    db.session.commit()
    assert services.roster(committee).current == []
    assert committee.memberships[0].holds_on(date(2026, 2, 28))


@time_machine.travel(datetime(2026, 6, 1, 12, 0), tick=False)
def test_a_member_who_became_chair_is_not_listed_as_former(db, make):
    committee = make.committee()
    person = make.person()
    make.membership(committee, person, role="member", start=date(2025, 1, 1),
                    end=date(2025, 12, 31))
    make.membership(committee, person, role="chair", start=date(2026, 1, 1))
    roster = services.roster(committee)
    assert [m.role for m in roster.current] == ["chair"] and roster.former == []


def test_chair_seats_change_only_through_the_chair_services(db, make):
    committee = make.committee()
    chair = make.membership(committee, make.person(), role="chair", start=date(2025, 1, 1))
    secretary = make.account()
    seat = make.membership(committee, secretary.person, role="secretary")
    for role in ("chair", "co_chair"):
        with pytest.raises(DomainError, match="hand-over"):
            services.add_membership(secretary, committee, person=make.person(),
                                    agency=chair.agency, role=role, start=date(2026, 1, 1))
    with pytest.raises(DomainError, match="hand-over"):
        services.update_membership(secretary, chair, None, agency=chair.agency, role="member",
                                   start=chair.start, end=None)
    with pytest.raises(DomainError, match="hand-over"):
        services.update_membership(secretary, seat, None, agency=seat.agency, role="chair",
                                   start=seat.start, end=None)
    with pytest.raises(DomainError, match="own seat"):
        services.update_membership(secretary, seat, None, agency=seat.agency, role="member",
                                   start=seat.start, end=None)
