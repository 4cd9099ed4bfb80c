"""Members answer before the meeting; the attendance grid starts from their answers."""

import re
from datetime import UTC, datetime, timedelta

import time_machine

from govtrack.meetings.models import Attendance, Meeting, Rsvp

NOW = datetime(2026, 11, 22, 14, 0, tzinfo=UTC)


@time_machine.travel(NOW, tick=False)
def test_members_answer_from_the_meeting_page_and_the_grid_starts_from_it(client, login, db,
                                                                          make):
    cast = make.cast(make.committee(timezone="America/New_York"))
    meeting, member = cast["meeting"], cast["member"]
    designee = make.person(agency=member.person.agency)
    login(member)
    page = client.get(f"/meetings/{meeting.key}").get_data(as_text=True)
    assert f'action="/meetings/{meeting.key}/rsvp"' in page and "js/designee.js" in page
    assert client.post(f"/meetings/{meeting.key}/rsvp", data={
        "answer": "designee", "designee": designee.id}).status_code == 302
    client.post(f"/meetings/{meeting.key}/rsvp", data={"answer": "designee",
                                                       "designee": designee.id})
    [answer] = db.session.query(Rsvp).all()  # answering again changes the one answer
    assert (answer.person_id, answer.designee_id) == (member.person_id, designee.id)
    client.post("/logout")
    login(cast["chair"])
    client.post(f"/meetings/{meeting.key}/rsvp", data={"answer": "apologies", "designee": "0"})
    with time_machine.travel(NOW + timedelta(hours=3), tick=False):
        assert client.post(f"/meetings/{meeting.key}/rsvp", data={
            "answer": "attending"}).status_code == 403  # the meeting has started
        grid = client.get(f"/meetings/{meeting.key}/attendance").get_data(as_text=True)
        checked = set(re.findall(r'<input checked[^>]*name="status_(\d+)"[^>]*value="(\w+)"',
                                 grid))
        assert (str(member.person_id), "designee") in checked  # from the answer
        assert (str(cast["chair"].person_id), "absent") in checked  # apologies
        assert "Everyone present" in grid
        response = client.post(f"/meetings/{meeting.key}/attendance",
                               data={"everyone_present": "1"})
        assert response.status_code == 302
    db.session.expire_all()
    marks = {a.person_id: a.status for a in db.session.query(Attendance)}
    assert set(marks.values()) == {"present"} and len(marks) == 3
    assert db.session.get(Meeting, meeting.id).status == "held"


@time_machine.travel(NOW, tick=False)
def test_a_designee_need_not_be_named(db, make):
    from govtrack.meetings import services

    cast = make.cast(make.committee(timezone="America/New_York"))
    meeting = cast["meeting"]
    meeting.starts_at = NOW - timedelta(hours=1)
    db.session.commit()
    services.record_attendance(None, meeting, {cast["member"].person_id: ("designee", None)})
    db.session.commit()
    [row] = meeting.attendance
    assert row.status == "designee" and row.designee is None


@time_machine.travel(NOW, tick=False)
def test_a_designee_is_chosen_from_the_committees_agencies_not_the_whole_county(
        client, login, db, make):
    cast = make.cast(make.committee(timezone="America/New_York"))
    meeting, member = cast["meeting"], cast["member"]
    colleague = make.person(name="Colleague Of Member", agency=member.person.agency)
    stranger = make.person(name="Stranger Elsewhere")
    login(member)
    page = client.get(f"/meetings/{meeting.key}").get_data(as_text=True)
    assert "Colleague Of Member" in page and "Stranger Elsewhere" not in page
    response = client.post(f"/meetings/{meeting.key}/rsvp", data={
        "answer": "designee", "designee": stranger.id})
    assert response.status_code == 302
    assert db.session.query(Rsvp).count() == 0  # not a valid choice: nothing recorded
    client.post(f"/meetings/{meeting.key}/rsvp", data={"answer": "designee",
                                                       "designee": colleague.id})
    assert db.session.query(Rsvp).one().designee_id == colleague.id


@time_machine.travel(NOW, tick=False)
def test_a_member_cannot_be_their_own_designee(db, make):
    import pytest

    from govtrack.editing import DomainError
    from govtrack.meetings import services

    cast = make.cast(make.committee(timezone="America/New_York"))
    meeting, member = cast["meeting"], cast["member"]
    meeting.starts_at = NOW - timedelta(hours=1)
    db.session.commit()
    with pytest.raises(DomainError, match="cannot be their own designee"):
        services.record_attendance(None, meeting,
                                   {member.person_id: ("designee", member.person)})
