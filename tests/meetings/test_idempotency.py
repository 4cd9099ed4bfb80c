"""Submitting twice changes nothing and says so; submitting in parallel never ends in a 500."""

from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import func, select

from govtrack.committees.models import Committee
from govtrack.extensions import db as _db
from govtrack.meetings import drafting, services
from govtrack.meetings.models import AgendaItem, AgendaRequest, Meeting, QuorumRule
from govtrack.mous import services as mou_services
from govtrack.mous.models import Mou
from tests.helpers import in_parallel

NOW = datetime(2026, 11, 22, 14, 0, tzinfo=UTC)
NEW_MEETING = {"day": "2026-12-01", "time": "09:00", "duration_minutes": "60",
               "location": "Room B", "video_link": ""}


@pytest.fixture
def cast(make, db):
    return make.cast(make.committee(cadence_rrule="FREQ=MONTHLY;BYDAY=2TU",
                                    cadence_dtstart=datetime(2025, 1, 14, 15, 0),
                                    timezone="America/New_York"))


def _count(model, *where):
    _db.session.expire_all()
    return _db.session.scalar(select(func.count()).select_from(model).where(*where))


def _flashes(client) -> str:
    return client.get("/my-work").get_data(as_text=True)


@time_machine.travel(NOW, tick=False)
def test_the_same_new_meeting_sent_twice_is_made_once_and_says_so(client, login, cast):
    committee = cast["committee"]
    login(cast["chair"])
    first = client.post(f"/committees/{committee.key}/meetings/new", data=NEW_MEETING)
    second = client.post(f"/committees/{committee.key}/meetings/new", data=NEW_MEETING,
                         follow_redirects=True)
    assert first.status_code == 302 and second.status_code == 200
    assert "This meeting was already added; nothing changed." in second.get_data(as_text=True)
    assert _count(Meeting, Meeting.committee_id == committee.id,
                  Meeting.location == "Room B") == 1


@time_machine.travel(NOW, tick=False)
def test_two_parallel_new_meetings_make_one_and_no_500(app, client, login, cast):
    committee = cast["committee"]
    login(cast["chair"])

    def other_submit():
        services.create_meeting(None, _db.session.get(Committee, committee.id),
                                starts=datetime(2026, 12, 1, 9, 0), duration_minutes=60,
                                location="Room B")

    in_parallel(app, other_submit)
    response = client.post(f"/committees/{committee.key}/meetings/new", data=NEW_MEETING)
    assert response.status_code == 302
    [meeting] = _db.session.scalars(select(Meeting).where(Meeting.location == "Room B"))
    assert response.headers["Location"].endswith(f"/meetings/{meeting.key}")
    assert "already added" in _flashes(client)


@time_machine.travel(NOW, tick=False)
def test_parallel_schedule_meetings_makes_each_occurrence_once(app, client, login, cast):
    committee = cast["committee"]
    login(cast["chair"])
    in_parallel(app, lambda: services.schedule(None, _db.session.get(Committee, committee.id)))
    response = client.post(f"/committees/{committee.key}/meetings/schedule")
    assert response.status_code == 302
    assert "already scheduled" in _flashes(client)
    occurrences = _db.session.scalars(select(Meeting.occurrence).where(
        Meeting.committee_id == committee.id, Meeting.occurrence.is_not(None))).all()
    assert len(occurrences) == len(set(occurrences)) == 6  # December to May


@time_machine.travel(NOW, tick=False)
def test_parallel_first_quorum_rules_make_one_rule(app, client, login, cast):
    committee = cast["committee"]
    login(cast["chair"])
    in_parallel(app, lambda: services.set_quorum_rule(
        None, _db.session.get(Committee, committee.id), min_present=3, required_sides=[]))
    response = client.post(f"/committees/{committee.key}/quorum", data={"min_present": "3"})
    assert response.status_code == 302
    assert _count(QuorumRule, QuorumRule.committee_id == committee.id) == 1
    assert "already says this" in _flashes(client)


@time_machine.travel(NOW, tick=False)
def test_accepting_a_request_twice_or_in_parallel_adds_one_item(app, client, login, cast):
    meeting = cast["meeting"]
    request = _db.session.scalar(select(AgendaRequest).where(
        AgendaRequest.meeting_id == meeting.id))
    login(cast["chair"])
    in_parallel(app, lambda: services.decide_request(
        None, _db.session.get(AgendaRequest, request.id), accept=True))
    url = f"/agenda-requests/{request.id}/decide"
    assert client.post(url, data={"decision": "accept"}).status_code == 302
    assert client.post(url, data={"decision": "accept"}).status_code == 302
    assert "already accepted; nothing changed" in _flashes(client)
    assert _count(AgendaItem, AgendaItem.source == f"request:{request.id}") == 1


@time_machine.travel(NOW, tick=False)
def test_drafting_in_parallel_adds_each_proposal_once(app, client, login, cast):
    meeting = cast["meeting"]
    meeting.agenda_status = "draft"
    _db.session.commit()
    login(cast["chair"])
    in_parallel(app, lambda: drafting.draft_agenda(None, _db.session.get(Meeting, meeting.id)))
    assert client.post(f"/meetings/{meeting.key}/agenda/draft").status_code == 302
    assert "Nothing new to add" in _flashes(client)
    sources = _db.session.scalars(select(AgendaItem.source).where(
        AgendaItem.meeting_id == meeting.id, AgendaItem.source.is_not(None))).all()
    assert sources and len(sources) == len(set(sources))


def test_the_same_new_mou_sent_twice_or_in_parallel_is_drafted_once(app, client, login, cast):
    login(cast["chair"])
    parties = [cast["member"].person.agency.id, cast["head"].person.agency.id]
    data = {"title": "Crisis drop-off", "committee": cast["committee"].id, "parties": parties,
            "text": "Police bring people to the centre."}

    def other_submit():
        from govtrack.agencies.models import Agency

        mou_services.create_mou(None, title="Crisis drop-off",
                                committee=_db.session.get(Committee, cast["committee"].id),
                                parties=[_db.session.get(Agency, i) for i in parties],
                                text="Police bring people to the centre.")

    in_parallel(app, other_submit)
    assert client.post("/mous/new", data=data).status_code == 302
    assert client.post("/mous/new", data=data).status_code == 302
    assert "already drafted; nothing changed" in _flashes(client)
    assert _count(Mou) == 1
