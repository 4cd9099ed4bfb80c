"""Meeting rules: schedule from the cadence, agenda and its draft, attendance, minutes."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from govtrack.actions.models import ActionItem
from govtrack.actions.services import create_action
from govtrack.chairs.models import ChairTerm
from govtrack.editing import DomainError
from govtrack.meetings import drafting, services
from govtrack.meetings.models import Meeting, QuorumRule

NOW = datetime(2026, 11, 22, 14, 0, tzinfo=UTC)


@pytest.fixture
def committee(make):
    """A committee meeting monthly on the second Tuesday at 15:00 New York time."""
    return make.committee(cadence_rrule="FREQ=MONTHLY;BYDAY=2TU",
                          cadence_dtstart=datetime(2025, 1, 14, 15, 0), duration_minutes=90,
                          timezone="America/New_York")


@time_machine.travel(NOW, tick=False)
def test_schedule_creates_the_coming_occurrences_once(db, committee):
    made = services.schedule(None, committee, until=date(2027, 3, 31))
    db.session.commit()
    assert [services.local(m).strftime("%Y-%m-%d %H:%M") for m in made] == [
        "2026-12-08 15:00", "2027-01-12 15:00", "2027-02-09 15:00", "2027-03-09 15:00"]
    assert made[0].starts_at == datetime(2026, 12, 8, 20, 0, tzinfo=UTC)  # EST
    assert made[3].starts_at == datetime(2027, 3, 9, 20, 0, tzinfo=UTC)
    assert services.schedule(None, committee, until=date(2027, 3, 31)) == []


@time_machine.travel(NOW, tick=False)
def test_a_moved_or_cancelled_occurrence_is_not_made_again(db, committee):
    first, second = services.schedule(None, committee, until=date(2027, 1, 31))
    db.session.commit()
    services.update_meeting(None, first, first.version, starts=datetime(2026, 12, 10, 10, 0),
                            duration_minutes=60, location="Room 4", video_link="")
    services.cancel_meeting(None, second)
    db.session.commit()
    assert first.sequence == 1 and second.sequence == 1 and second.status == "cancelled"
    assert services.schedule(None, committee, until=date(2027, 1, 31)) == []
    assert services.local(first).strftime("%d %H:%M") == "10 10:00"


def test_a_meeting_cannot_last_less_than_five_minutes(db, committee):
    with pytest.raises(DomainError) as error:
        services.create_meeting(None, committee, starts=datetime(2027, 1, 5, 9, 0),
                                duration_minutes=0)
    assert error.value.field == "duration_minutes"


def _meeting(committee, starts=datetime(2026, 12, 8, 15, 0), status="scheduled"):
    meeting = services.create_meeting(None, committee, starts=starts, duration_minutes=60)
    meeting.status = status
    return meeting


def test_agenda_items_are_timed_and_checked_against_the_duration(db, committee):
    meeting = _meeting(committee)
    services.add_item(None, meeting, title="Welcome", kind="information", minutes=5)
    services.add_item(None, meeting, title="Data review", kind="discussion", minutes=70)
    db.session.commit()
    starts = [(i.title, t.strftime("%H:%M")) for i, t in services.item_starts(meeting)]
    assert starts == [("Welcome", "15:00"), ("Data review", "15:05")]
    assert services.timing(meeting).over == 15


@pytest.mark.parametrize("minutes", [0, -5, 481, 10**9])
def test_absurd_item_durations_are_refused(db, committee, minutes):
    meeting = _meeting(committee)
    with pytest.raises(DomainError) as error:
        services.add_item(None, meeting, title="x", kind="discussion", minutes=minutes)
    assert error.value.field == "minutes"


def test_an_empty_agenda_cannot_be_published(db, committee):
    meeting = _meeting(committee)
    with pytest.raises(DomainError, match="empty agenda"):
        services.publish(None, meeting)
    assert meeting.agenda_status == "draft"


def test_reordering_moves_items(db, committee):
    meeting = _meeting(committee)
    a = services.add_item(None, meeting, title="A", kind="discussion", minutes=5)
    b = services.add_item(None, meeting, title="B", kind="discussion", minutes=5)
    db.session.commit()
    services.move_item(None, b, -1)
    db.session.commit()
    db.session.refresh(meeting)
    assert [i.title for i in meeting.items] == ["B", "A"]
    services.move_item(None, a, 1)  # already last: nothing moves
    assert [i.title for i in meeting.items] == ["B", "A"]


@time_machine.travel(NOW, tick=False)
def test_draft_proposes_from_live_state_and_not_twice(db, committee, make):
    chair = make.person()
    member = make.person()
    make.membership(committee, chair, role="chair", start=date(2025, 1, 1))
    make.membership(committee, member, start=date(2025, 1, 1))
    db.session.add(ChairTerm(committee=committee, person=chair, agency=chair.agency,
                             start=date(2026, 1, 1), planned_end=date(2026, 12, 31)))
    last = _meeting(committee, starts=datetime(2026, 11, 10, 15, 0), status="held")
    coming = _meeting(committee)
    create_action(None, committee, title="Share the data", owner=member, due=date(2026, 11, 1),
                  origin_kind="meeting", origin_ref=last.key, meeting=last)
    db.session.commit()
    titles = [i.title for i in drafting.draft_agenda(None, coming)]
    assert titles == ["Approve the minutes of 10 November 2026",
                      "Overdue action items (1)", "Confirm the next chair"]
    db.session.commit()
    assert drafting.draft_agenda(None, coming) == []


@time_machine.travel(NOW, tick=False)
def test_attendance_and_a_quorum_that_needs_both_sides(db, committee, make):
    police = make.person(agency=make.agency(sector="law_enforcement"))
    clinic = make.person(agency=make.agency(sector="mental_health_provider"))
    other = make.person(agency=make.agency(sector="advocacy"))
    for person in (police, clinic, other):
        make.membership(committee, person, start=date(2025, 1, 1))
    db.session.add(QuorumRule(committee=committee, min_present=2,
                              required_sides=["criminal_justice", "behavioural_health"]))
    meeting = _meeting(committee, starts=datetime(2026, 11, 22, 9, 0))
    db.session.commit()
    marks = {police.id: "present", clinic.id: "absent", other.id: "present"}
    q = services.quorum(meeting, marks)
    assert not q.met and q.missing_sides == ["behavioural_health"]
    deputy = make.person(agency=clinic.agency)
    services.record_attendance(None, meeting, {
        police.id: ("present", None), clinic.id: ("designee", deputy),
        other.id: ("absent", None)})
    db.session.commit()
    assert services.quorum(meeting).met and meeting.status == "held"
    # DESIGN: a designee is named when known, "a designee" when not
    services.record_attendance(None, meeting, {clinic.id: ("designee", None)})
    assert services.quorum(meeting).met


def test_attendance_is_not_taken_for_a_meeting_next_month(db, committee):
    meeting = _meeting(committee, starts=datetime(2099, 1, 1, 9, 0))
    with pytest.raises(DomainError):
        services.record_attendance(None, meeting, {})


@time_machine.travel(NOW, tick=False)
def test_approved_minutes_are_read_only(db, committee):
    meeting = _meeting(committee, starts=datetime(2026, 11, 10, 15, 0), status="held")
    item = services.add_item(None, meeting, title="Data", kind="discussion", minutes=10)
    db.session.commit()
    services.save_minutes(None, meeting, meeting.version, text="We met.",
                          decisions=["Adopt the protocol"], notes={item.id: "- point"})
    services.approve_minutes(None, meeting)
    db.session.commit()
    with pytest.raises(DomainError, match="approved"):
        services.save_minutes(None, meeting, meeting.version, text="Changed", decisions=[],
                              notes={})
    assert meeting.minutes_text == "We met."


def test_minutes_of_a_meeting_not_held_cannot_be_approved(db, committee):
    meeting = _meeting(committee)
    with pytest.raises(DomainError):
        services.approve_minutes(None, meeting)


@time_machine.travel(NOW, tick=False)
def test_an_item_not_reached_is_carried_with_its_notes(db, committee):
    held = _meeting(committee, starts=datetime(2026, 11, 10, 15, 0), status="held")
    coming = _meeting(committee)
    item = services.add_item(None, held, title="Bed registry", kind="discussion", minutes=15)
    item.notes = "Started; ran out of time."
    db.session.commit()
    carried = services.carry_item(None, item)
    db.session.commit()
    assert carried.meeting == coming and carried.notes == "Started; ran out of time."
    assert carried.carried_from_id == item.id


@time_machine.travel(NOW, tick=False)
def test_a_members_request_lands_on_the_agenda_when_accepted(db, committee, make):
    member = make.account()
    make.membership(committee, member.person, start=date(2025, 1, 1))
    meeting = _meeting(committee)
    request = services.request_item(member, meeting, title="Bed wait data", kind="discussion",
                                    minutes=10)
    db.session.commit()
    item = services.decide_request(None, request, accept=True)
    db.session.commit()
    assert item.title == "Bed wait data" and item.presenter == member.person
    with pytest.raises(DomainError, match="already decided"):
        services.decide_request(None, request, accept=False)


def test_an_action_owner_must_sit_on_the_committee(db, committee, make):
    with pytest.raises(DomainError) as error:
        create_action(None, committee, title="x", owner=make.person(), due=None)
    assert error.value.field == "owner"
    assert db.session.query(ActionItem).count() == 0


def test_attendance_history_pools_present_and_designees(db, committee, make):
    people = [make.person() for _ in range(4)]
    for person in people:
        make.membership(committee, person, start=date(2025, 1, 1))
    meeting = Meeting(key="m-1", committee=committee, status="held",
                      starts_at=datetime(2026, 1, 13, 20, 0, tzinfo=UTC))
    db.session.add(meeting)
    db.session.commit()
    services.record_attendance(None, meeting, {
        people[0].id: ("present", None), people[1].id: ("designee", people[3]),
        people[2].id: ("absent", None)})
    db.session.commit()
    assert [(here, expected) for _, here, expected in
            services.attendance_history(committee)] == [(2, 4)]


@time_machine.travel(NOW, tick=False)
def test_items_are_requested_only_for_meetings_still_to_come(db, committee, make):
    member = make.account()
    make.membership(committee, member.person, start=date(2025, 1, 1))
    months_ago = _meeting(committee, starts=datetime(2026, 6, 9, 15, 0))
    held = _meeting(committee, starts=datetime(2026, 11, 10, 15, 0), status="held")
    cancelled = _meeting(committee, starts=datetime(2026, 12, 15, 15, 0), status="cancelled")
    for meeting in (months_ago, held, cancelled):
        with pytest.raises(DomainError, match="meetings still to come"):
            services.request_item(member, meeting, title="Too late", kind="discussion",
                                  minutes=10)
    services.request_item(member, _meeting(committee), title="In time", kind="discussion",
                          minutes=10)


def test_a_video_link_is_http_or_https_only(db, committee):
    for link in ("javascript:alert(1)", "javascript://x.org/%0aalert(1)", "data:text/html,x",
                 "ftp://x.org/", "https:///nohost"):
        with pytest.raises(DomainError, match="https://"):
            services.create_meeting(None, committee, starts=datetime(2027, 1, 5, 10),
                                    duration_minutes=60, video_link=link)
    services.create_meeting(None, committee, starts=datetime(2027, 1, 5, 10),
                            duration_minutes=60, video_link="https://meet.county.gov/x")
