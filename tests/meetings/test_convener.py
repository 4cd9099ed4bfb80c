"""During a vacancy the convener calls the meeting that picks the next chair and sets its agenda."""

from datetime import UTC, date, datetime

import time_machine

from govtrack.chairs.models import ChairTerm
from govtrack.meetings.models import Meeting

NOW = datetime(2026, 11, 22, 14, 0, tzinfo=UTC)


@time_machine.travel(NOW, tick=False)
def test_the_convener_schedules_the_meeting_and_sets_its_agenda_nothing_more(client, login,
                                                                            db, make):
    committee = make.committee(timezone="America/New_York")
    sheriff = make.agency(sector="law_enforcement")
    chair = make.person(agency=sheriff)
    make.membership(committee, chair, role="chair", start=date(2025, 1, 1),
                    end=date(2026, 6, 30))
    member = make.person()
    make.membership(committee, member, start=date(2025, 1, 1))
    db.session.add(ChairTerm(committee=committee, person=chair, agency=sheriff,
                             start=date(2025, 1, 1), planned_end=date(2027, 12, 31)))
    head = make.account(person=make.person(agency=sheriff))
    sheriff.head = head.person
    db.session.commit()
    login(head)
    listing = client.get(f"/committees/{committee.key}/meetings").get_data(as_text=True)
    assert f"/committees/{committee.key}/meetings/new" in listing
    response = client.post(f"/committees/{committee.key}/meetings/new", data={
        "day": "2026-12-03", "time": "10:00", "duration_minutes": "60"})
    assert response.status_code == 302
    meeting = db.session.query(Meeting).one()
    url = f"/meetings/{meeting.key}"
    assert client.post(f"{url}/agenda/draft").status_code == 302
    assert client.post(f"{url}/agenda/items/new", data={
        "title": "Hear the candidates", "kind": "discussion", "minutes": "20",
        "presenter": "0"}).status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Choose the next chair" in page and "Hear the candidates" in page
    assert client.post(f"{url}/agenda/publish").status_code == 302
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).agenda_status == "published"
    # nothing more: the meeting's running, minutes and the committee's rules stay the chair's
    for path in (f"{url}/edit", f"{url}/attendance", f"{url}/minutes",
                 f"/committees/{committee.key}/quorum",
                 f"/committees/{committee.key}/standing-items"):
        assert client.get(path).status_code == 403, path
    assert client.post(f"{url}/cancel").status_code == 403
    assert client.post(f"/committees/{committee.key}/meetings/schedule").status_code == 403
