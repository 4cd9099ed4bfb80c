"""A new cadence moves or removes the coming meetings without content and keeps the others."""

from datetime import UTC, date, datetime

import time_machine
from sqlalchemy import select

from govtrack.meetings import services
from govtrack.meetings.models import Meeting

NOW = datetime(2026, 11, 22, 14, 0, tzinfo=UTC)


@time_machine.travel(NOW, tick=False)
def test_a_new_cadence_moves_empty_meetings_and_keeps_those_with_an_agenda(client, login, db,
                                                                          make):
    cast = make.cast(make.committee(cadence_rrule="FREQ=MONTHLY;BYDAY=2TU",
                                    cadence_dtstart=datetime(2025, 1, 14, 15, 0),
                                    duration_minutes=90, timezone="America/New_York"))
    committee = cast["committee"]
    made = services.schedule(None, committee, until=date(2027, 3, 31))
    services.add_item(None, made[1], title="Budget", kind="decision", minutes=10)  # January
    db.session.commit()
    january = made[1]
    change = services.follow_cadence(None, committee)  # nothing changed: nothing moves
    assert (change.moved, change.removed, change.kept, change.made) == ([], [], [], [])
    committee.cadence_rrule = "FREQ=MONTHLY;BYDAY=3TH"
    change = services.follow_cadence(None, committee)
    db.session.commit()
    assert [services.meeting_day(m) for m in change.moved] == [
        date(2026, 12, 17), date(2027, 2, 18), date(2027, 3, 18)]
    assert change.kept == [january] and services.meeting_day(january) == date(2027, 1, 12)
    assert [services.meeting_day(m) for m in change.made] == [date(2027, 1, 21)]
    assert "Kept because their agenda has content: 12 January 2027" in change.describe()
    occurrences = db.session.scalars(select(Meeting.occurrence).where(
        Meeting.committee_id == committee.id)).all()
    assert len(occurrences) == len(set(occurrences))
    assert all(m.sequence == 1 for m in change.moved)
    assert services.schedule(None, committee, until=date(2027, 3, 31)) == []


@time_machine.travel(NOW, tick=False)
def test_saving_a_new_cadence_on_the_committee_page_says_what_moved(client, login, db, make):
    cast = make.cast(make.committee(cadence_rrule="FREQ=MONTHLY;BYDAY=2TU",
                                    cadence_dtstart=datetime(2025, 1, 14, 15, 0),
                                    duration_minutes=90, timezone="America/New_York"))
    committee = cast["committee"]
    services.schedule(None, committee, until=date(2027, 1, 31))
    db.session.commit()
    login(cast["chair"])
    data = {"version": committee.version, "name": committee.name, "kind": committee.kind,
            "purpose": committee.purpose, "goals": "", "timezone": committee.timezone,
            "frequency": "monthly", "week_of_month": "3", "weekday": "TH",
            "first_meeting": "2025-01-16", "start_time": "15:00", "duration_minutes": "90",
            "cadence_rrule": "", "stall_after_days": "30"}
    response = client.post(f"/committees/{committee.key}/edit", data=data,
                           follow_redirects=True)
    assert "2 coming meetings moved to the new dates" in response.get_data(as_text=True)
    days = sorted(services.meeting_day(m) for m in db.session.scalars(
        select(Meeting).where(Meeting.committee_id == committee.id,
                              Meeting.occurrence.is_not(None))))
    assert days == [date(2026, 12, 17), date(2027, 1, 21)]
