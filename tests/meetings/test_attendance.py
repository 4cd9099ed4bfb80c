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


def _row_choices(page: str, person_id: int) -> set[str]:
    """The names offered as designee on one member's row of the grid."""
    select = re.search(rf'<select[^>]*name="designee_{person_id}"[^>]*>(.*?)</select>', page,
                       re.S).group(1)
    return {name.split(" — ")[0] for name in re.findall(r">([^<]+)</option>", select)} - {"—"}


@time_machine.travel(NOW, tick=False)
def test_each_row_offers_the_designees_of_that_members_agencies(client, login, db, make):
    cast = make.cast(make.committee(timezone="America/New_York"))
    meeting, member, chair = cast["meeting"], cast["member"], cast["chair"]
    meeting.starts_at = NOW - timedelta(hours=1)
    colleague = make.person(name="Colleague Of Member", agency=member.person.agency)
    make.person(name="Retired Colleague", agency=member.person.agency, active=False)
    deputy = make.person(name="Deputy Of Chair", agency=chair.person.agency)
    named = make.person(name="Named Elsewhere")  # named in the member's answer: kept
    db.session.add(Rsvp(meeting=meeting, person_id=member.person_id, answer="designee",
                        designee=named))
    # a member seated for another agency than their own: both agencies' people
    envoy = make.person(name="Envoy")
    seat = make.agency()
    make.membership(meeting.committee, envoy, agency=seat)
    seat_colleague = make.person(name="Seat Colleague", agency=seat)
    db.session.commit()
    login(chair)
    page = client.get(f"/meetings/{meeting.key}/attendance").get_data(as_text=True)
    assert _row_choices(page, member.person_id) == {colleague.name, named.name}
    assert _row_choices(page, chair.person_id) == {deputy.name}
    assert _row_choices(page, envoy.id) == {seat_colleague.name}
    assert "Colleague Of Member" not in _row_choices(page, chair.person_id)
    assert f'<option selected value="{named.id}">' in page  # the grid starts from the answer

    # a designee from another member's list is refused on that row, the grid kept as typed
    response = client.post(f"/meetings/{meeting.key}/attendance", data={
        f"status_{member.person_id}": "designee", f"designee_{member.person_id}": deputy.id,
        f"status_{chair.person_id}": "present", f"designee_{chair.person_id}": "0",
        f"status_{envoy.id}": "absent", f"designee_{envoy.id}": "0"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'id="designee_{member.person_id}-error"' in page
    assert "Choose a designee from this member&#39;s list" in page
    assert f'id="designee_{chair.person_id}-error"' not in page
    assert re.search(rf'<input checked[^>]*name="status_{chair.person_id}"[^>]*value="present"',
                     page)
    assert db.session.query(Attendance).count() == 0

    response = client.post(f"/meetings/{meeting.key}/attendance", data={
        f"status_{member.person_id}": "designee", f"designee_{member.person_id}": colleague.id,
        f"status_{chair.person_id}": "present", f"designee_{chair.person_id}": "0",
        f"status_{envoy.id}": "designee", f"designee_{envoy.id}": seat_colleague.id})
    assert response.status_code == 302
    recorded = {a.person_id: (a.status, a.designee_id) for a in db.session.query(Attendance)}
    assert recorded[member.person_id] == ("designee", colleague.id)
    assert recorded[envoy.id] == ("designee", seat_colleague.id)
    assert recorded[chair.person_id] == ("present", None)


@time_machine.travel(NOW, tick=False)
def test_the_grid_takes_a_fixed_number_of_queries_however_many_members(web_app, client,
                                                                      login, db, make):
    from datetime import date

    from tests.helpers import count_queries

    cast = make.cast(make.committee(timezone="America/New_York"))
    meeting, committee = cast["meeting"], cast["committee"]
    login(cast["chair"])
    url = f"/meetings/{meeting.key}/attendance"
    few = count_queries(web_app, lambda: client.get(url))
    for _ in range(12):
        person = make.person()
        make.person(agency=person.agency)
        make.membership(committee, person, start=date(2025, 1, 1))
    many_page = client.get(url).get_data(as_text=True)
    many = count_queries(web_app, lambda: client.get(url))
    # the session with its account, the meeting with its committee and quorum rule, the
    # roster, every row's designees, the attendance, the answers, unread notifications
    assert few == many == 7
    assert many_page.count("<fieldset") == 15
