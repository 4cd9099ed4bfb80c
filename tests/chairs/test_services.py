"""Chair rotation, succession checks and hand-over."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from govtrack.audit.models import AuditEntry
from govtrack.chairs import services
from govtrack.chairs.models import ChairTerm, RotationPolicy
from govtrack.editing import DomainError
from govtrack.health.services import flags_for


def at(day: date):
    """Move the clock to noon UTC on day."""
    return time_machine.travel(datetime(day.year, day.month, day.day, 12, tzinfo=UTC),
                               tick=False)


@pytest.mark.parametrize(("start", "months", "planned_end"), [
    (date(2025, 1, 14), 12, date(2026, 1, 13)),
    (date(2024, 2, 29), 12, date(2025, 2, 28)),
    (date(2024, 2, 29), 48, date(2028, 2, 28)),
    (date(2025, 1, 31), 1, date(2025, 2, 28)),
    (date(2024, 1, 31), 1, date(2024, 2, 29)),
    (date(2025, 8, 31), 1, date(2025, 9, 30)),
    (date(2025, 3, 1), 12, date(2026, 2, 28)),
    (date(2025, 12, 31), 2, date(2026, 2, 28)),
])
def test_terms_end_the_day_before_their_anniversary(start, months, planned_end):
    assert services.planned_end_for(start, months) == planned_end


@pytest.fixture
def county(make):
    """Two sides' agencies with two members each on one committee."""

    def build(policy=None, start=date(2021, 1, 1)):
        committee = make.committee()
        agencies = {
            "sheriff": make.agency(sector="law_enforcement", key=f"sheriff-{committee.id}"),
            "da": make.agency(sector="prosecution", key=f"da-{committee.id}"),
            "omh": make.agency(sector="mental_health_authority", key=f"omh-{committee.id}"),
            "clinic": make.agency(sector="mental_health_provider", key=f"clinic-{committee.id}"),
        }
        people = {}
        for name, agency in agencies.items():
            people[name] = make.person(agency=agency)
            make.membership(committee, people[name], start=start)
        if policy:
            committee.rotation_policy = RotationPolicy(**policy)
            make.db.session.commit()
        return committee, agencies, people

    return build


def _hand_over_in_turn(db, committee, years: int) -> list[ChairTerm]:
    """Follow the proposal at the start of each term, as a committee would."""
    day = date(2021, 1, 1)
    for _ in range(years):
        with at(day):
            proposal = services.propose_next(committee, day)
            assert proposal.eligible, proposal.note
            services.hand_over(None, committee, person=proposal.eligible[0].person,
                               start=proposal.start)
            db.session.commit()
            day = services.current_term(committee, proposal.start).planned_end + \
                timedelta(days=1)
    return services.chairs(committee)


def test_alternating_sides_over_five_years(db, county):
    committee, _, _ = county({"mode": "alternate_sides", "term_months": 12})
    terms = _hand_over_in_turn(db, committee, 5)
    assert [t.agency.side for t in terms] == [
        "criminal_justice", "behavioural_health", "criminal_justice", "behavioural_health",
        "criminal_justice"]
    assert [t.start for t in terms] == [date(y, 1, 1) for y in range(2021, 2026)]
    assert all(a.end == b.start for a, b in zip(terms, terms[1:], strict=False))


def test_a_fixed_agency_order_over_five_years(db, county, make):
    committee, agencies, _ = county({"mode": "agency_order", "term_months": 12,
                                     "agency_order": []})
    order = [agencies["omh"].key, agencies["sheriff"].key, agencies["clinic"].key]
    committee.rotation_policy.agency_order = order
    db.session.commit()
    terms = _hand_over_in_turn(db, committee, 5)
    assert [t.agency.key for t in terms] == order + order[:2]


def test_two_committees_with_different_policies_propose_differently(db, county):
    alternating, _, _ = county({"mode": "alternate_sides", "term_months": 12})
    manual, _, _ = county({"mode": "manual", "term_months": 24})
    with at(date(2022, 1, 1)):
        a = services.propose_next(alternating)
        m = services.propose_next(manual)
    assert a.side == "criminal_justice" and len(a.eligible) == 2
    assert m.side is None and len(m.eligible) == 4
    assert (m.planned_end - m.start).days > 700


def test_when_the_next_side_has_nobody_the_other_side_is_proposed_and_said(db, county, make):
    committee, _, people = county({"mode": "alternate_sides", "term_months": 12})
    with at(date(2022, 1, 1)):
        services.hand_over(None, committee, person=people["sheriff"], start=date(2022, 1, 1))
        db.session.commit()
        for m in committee.memberships:
            if m.agency.side == "behavioural_health":
                m.end = date(2022, 6, 30)
        db.session.commit()
    with at(date(2022, 12, 1)):
        proposal = services.propose_next(committee)
    assert proposal.side == "criminal_justice"
    assert [m.person for m in proposal.eligible] == [people["da"]]
    assert "behavioural health" in proposal.note and "instead" in proposal.note


def test_overlapping_chair_terms_are_refused_clearly(db, county):
    committee, _, people = county()
    with at(date(2022, 1, 1)):
        services.hand_over(None, committee, person=people["sheriff"], start=date(2022, 1, 1))
        services.hand_over(None, committee, person=people["omh"], start=date(2023, 1, 1))
        db.session.commit()
        with pytest.raises(DomainError, match="overlaps"):
            services.hand_over(None, committee, person=people["da"], start=date(2022, 6, 1))


def test_hand_over_ends_the_term_moves_roles_and_is_recorded(db, county):
    committee, _, people = county()
    with at(date(2022, 1, 1)):
        services.hand_over(None, committee, person=people["sheriff"], start=date(2022, 1, 1))
        db.session.commit()
    with at(date(2022, 12, 1)):
        services.hand_over(None, committee, person=people["omh"], start=date(2023, 1, 1))
        db.session.commit()
    first, second = services.chairs(committee)
    assert first.end == date(2023, 1, 1) and second.planned_end == date(2023, 12, 31)
    roles = {(m.person_id, m.role): (m.start, m.end) for m in committee.memberships}
    assert roles[(people["sheriff"].id, "chair")] == (date(2022, 1, 1), date(2022, 12, 31))
    assert roles[(people["sheriff"].id, "member")][0] == date(2023, 1, 1)
    assert roles[(people["omh"].id, "chair")] == (date(2023, 1, 1), None)
    assert db.session.query(AuditEntry).filter_by(action="handover").count() == 2


def test_a_chair_seated_without_a_term_steps_down_at_the_hand_over(db, county, make):
    """A chair seated as a membership only (an imported committee) has no term to end:
    the hand-over still ends that chair seat instead of refusing the successor."""
    committee, agencies, people = county()
    sitting = make.person(agency=agencies["sheriff"])
    make.membership(committee, sitting, role="chair", start=date(2021, 1, 1))
    with at(date(2022, 12, 1)):
        services.hand_over(None, committee, person=people["omh"], start=date(2023, 1, 1))
        db.session.commit()
    roles = {(m.person_id, m.role): (m.start, m.end) for m in committee.memberships}
    assert roles[(sitting.id, "chair")] == (date(2021, 1, 1), date(2022, 12, 31))
    assert roles[(sitting.id, "member")] == (date(2023, 1, 1), None)
    assert roles[(people["omh"].id, "chair")] == (date(2023, 1, 1), None)


def test_an_interim_chair_finishes_the_term(db, county):
    committee, _, people = county()
    with at(date(2022, 1, 1)):
        services.hand_over(None, committee, person=people["sheriff"], start=date(2022, 1, 1))
        db.session.commit()
    with at(date(2022, 5, 10)):
        services.hand_over(None, committee, person=people["da"], start=date(2022, 5, 10),
                           interim=True, note="Lt. left for the state police")
        db.session.commit()
    interim = services.current_term(committee, date(2022, 6, 1))
    assert interim.person == people["da"] and interim.planned_end == date(2022, 12, 31)
    entry = db.session.query(AuditEntry).filter_by(action="handover") \
        .order_by(AuditEntry.id).all()[-1]
    assert "state police" in entry.changes["record"][1]


# --- health rules, both sides of each threshold -----------------------------------


def _chaired(db, county, planned_end=date(2025, 12, 31)):
    committee, agencies, people = county()
    term = ChairTerm(committee=committee, person=people["sheriff"],
                     agency=agencies["sheriff"], start=date(2025, 1, 1), planned_end=planned_end)
    db.session.add(term)
    db.session.commit()
    return committee, agencies, people, term


def codes(committee, day):
    return {f.code: f.since for f in flags_for("committee", committee, day)}


def test_term_ending_flag_starts_sixty_days_before_the_planned_end(db, county):
    committee, _, _, _ = _chaired(db, county)
    assert "chair_term_ending" not in codes(committee, date(2025, 10, 31))
    assert codes(committee, date(2025, 11, 1)) == {"chair_term_ending": date(2025, 11, 1)}
    assert codes(committee, date(2025, 12, 31)) == {"chair_term_ending": date(2025, 11, 1)}


def test_naming_a_successor_clears_the_term_ending_flag(db, county):
    committee, agencies, people, _ = _chaired(db, county)
    db.session.add(ChairTerm(committee=committee, person=people["omh"], agency=agencies["omh"],
                             start=date(2026, 1, 1), planned_end=date(2026, 12, 31)))
    db.session.commit()
    assert codes(committee, date(2025, 12, 1)) == {}


def test_a_lapsed_term_leaves_the_chair_vacant_from_the_next_day(db, county):
    committee, _, _, _ = _chaired(db, county)
    assert "chair_vacant" not in codes(committee, date(2025, 12, 31))
    assert codes(committee, date(2026, 1, 1))["chair_vacant"] == date(2026, 1, 1)
    assert codes(committee, date(2026, 5, 1))["chair_vacant"] == date(2026, 1, 1)


def test_a_chair_whose_membership_ends_leaves_the_seat_vacant(db, county):
    committee, _, people, _ = _chaired(db, county)
    membership = next(m for m in committee.memberships if m.person == people["sheriff"])
    membership.end = date(2025, 6, 30)
    db.session.commit()
    assert "chair_vacant" not in codes(committee, date(2025, 6, 30))
    assert codes(committee, date(2025, 7, 1)) == {"chair_vacant": date(2025, 7, 1)}


def test_deactivating_the_chairs_account_leaves_the_seat_vacant(db, county, make):
    committee, agencies, people, _ = _chaired(db, county)
    head = people["da"]
    agencies["sheriff"].head = make.person(agency=agencies["sheriff"])
    db.session.commit()
    account = make.account(person=people["sheriff"])
    with at(date(2025, 8, 15)):
        from govtrack.accounts.services import set_active

        set_active(None, account, False)
        db.session.commit()
    assert "chair_vacant" not in codes(committee, date(2025, 8, 14))
    assert codes(committee, date(2025, 8, 15)) == {"chair_vacant": date(2025, 8, 15)}
    vacancy = services.vacancy(committee, date(2025, 9, 1))
    assert vacancy.convener == agencies["sheriff"].head and vacancy.convener != head


def test_the_rules_read_rows_when_no_page_loaded_the_roster(db, county, make):
    """A page that loads neither roster nor chair terms gets the same flags, from rows."""
    committee, agencies, people, _ = _chaired(db, county)
    membership = next(m for m in committee.memberships if m.person == people["sheriff"])
    membership.end = date(2025, 6, 30)
    db.session.commit()
    expected = {day: codes(committee, day) for day in (
        date(2025, 6, 30), date(2025, 7, 1), date(2026, 2, 1))}
    assert expected[date(2025, 7, 1)] == {"chair_vacant": date(2025, 7, 1)}
    db.session.expire_all()
    assert {day: codes(committee, day) for day in expected} == expected
    assert "memberships" not in committee.__dict__ and "chair_terms" not in committee.__dict__
    # a change the session has not sent yet counts, as with a lazy load of the roster
    membership = db.session.get(type(membership), membership.id)
    membership.end = None
    assert codes(committee, date(2025, 7, 1)) == {}


def test_a_committee_that_never_had_a_chair_is_vacant_since_its_first_member(db, county):
    committee, _, _ = county(start=date(2024, 3, 1))
    assert codes(committee, date(2024, 2, 28)) == {}
    assert codes(committee, date(2024, 3, 1)) == {"chair_vacant": date(2024, 3, 1)}


def test_the_convener_is_the_head_of_the_former_chairs_agency(db, county, make):
    committee, agencies, people, term = _chaired(db, county)
    sheriff = make.person(agency=agencies["sheriff"], name="Sheriff Ortiz")
    agencies["sheriff"].head = sheriff
    # the sheriff chairs another committee: that does not change who convenes this one
    other = make.committee()
    make.membership(other, sheriff, role="chair", start=date(2024, 1, 1))
    db.session.add(ChairTerm(committee=other, person=sheriff, agency=agencies["sheriff"],
                             start=date(2024, 1, 1), planned_end=date(2026, 12, 31)))
    db.session.commit()
    duties = services.convening_duties(sheriff, [committee, other], date(2026, 2, 1))
    assert [(c, v.since) for c, v in duties] == [(committee, date(2026, 1, 1))]
    assert services.convening_duties(people["da"], [committee], date(2026, 2, 1)) == []


def test_outlook_shows_the_next_three_terms(db, county):
    committee, _, people = county({"mode": "alternate_sides", "term_months": 12})
    with at(date(2022, 1, 1)):
        services.hand_over(None, committee, person=people["omh"], start=date(2022, 1, 1))
        db.session.commit()
        outlook = services.outlook(committee)
    assert [(o.start, o.turn) for o in outlook] == [
        (date(2023, 1, 1), "A criminal justice agency"),
        (date(2024, 1, 1), "A behavioural health agency"),
        (date(2025, 1, 1), "A criminal justice agency")]


def test_an_interim_takes_over_the_leaving_chairs_open_work(db, county, make):
    from govtrack.actions.models import ActionItem
    from govtrack.meetings.models import AgendaItem, Meeting

    committee, _, people = county()
    with at(date(2022, 1, 1)):
        services.hand_over(None, committee, person=people["sheriff"], start=date(2022, 1, 1))
        db.session.commit()
    open_item = ActionItem(key="a-open", committee=committee, title="Call the jail",
                           owner=people["sheriff"])
    done_item = ActionItem(key="a-done", committee=committee, title="Old", status="done",
                           owner=people["sheriff"])
    meeting = Meeting(key="m-draft", committee=committee,
                      starts_at=datetime(2022, 6, 1, 14, tzinfo=UTC))
    meeting.items.append(AgendaItem(title="Chair's report", presenter=people["sheriff"]))
    db.session.add_all([open_item, done_item, meeting])
    db.session.commit()
    with at(date(2022, 5, 10)):
        done = services.hand_over(None, committee, person=people["da"], start=date(2022, 5, 10),
                                  interim=True)
        db.session.commit()
    assert open_item.owner == people["da"] and done_item.owner == people["sheriff"]
    assert meeting.items[0].presenter == people["da"]
    assert any("1 open action items move" in line for line in done)


def test_a_chair_seated_without_a_term_who_leaves_hands_over_the_open_work(db, county, make):
    from govtrack.actions.models import ActionItem

    committee, agencies, people = county()
    sitting = make.person(agency=agencies["sheriff"])
    make.membership(committee, sitting, role="chair", start=date(2021, 1, 1))
    item = ActionItem(key="a-seat", committee=committee, title="Call the jail", owner=sitting)
    db.session.add(item)
    db.session.commit()
    with at(date(2022, 5, 10)):
        done = services.hand_over(None, committee, person=people["da"], start=date(2022, 5, 10),
                                  interim=True)
        db.session.commit()
    assert item.owner == people["da"]
    assert any("chair seat ends on 10 May 2022" in line for line in done)
