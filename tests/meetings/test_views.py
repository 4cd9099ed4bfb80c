"""Meeting pages as the chair, the secretary and the members use them."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import time_machine

from govtrack.actions.models import ActionItem
from govtrack.meetings import services
from govtrack.meetings.models import Meeting

NOW = datetime(2026, 11, 22, 14, 0, tzinfo=UTC)


def _made(db, committee):
    """Meetings made through the pages (the cast brings one of its own)."""
    return db.session.query(Meeting).filter(Meeting.key.like(f"{committee.key}-%")).order_by(
        Meeting.starts_at)


def _cast(make, db):
    cast = make.cast(make.committee(cadence_rrule="FREQ=MONTHLY;BYDAY=2TU",
                                    cadence_dtstart=datetime(2025, 1, 14, 15, 0),
                                    timezone="America/New_York"))
    return cast


@time_machine.travel(NOW, tick=False)
def test_chair_schedules_drafts_edits_and_publishes_the_agenda(client, make, db, login):
    cast = _cast(make, db)
    committee = cast["committee"]
    login(cast["chair"])
    assert client.post(f"/committees/{committee.key}/meetings/schedule").status_code == 302
    meeting = _made(db, committee).first()
    assert meeting.starts_at == datetime(2026, 12, 8, 20, 0, tzinfo=UTC)
    client.post(f"/meetings/{meeting.key}/agenda/draft")
    page = client.get(f"/meetings/{meeting.key}").get_data(as_text=True)
    assert "Choose the next chair" in page  # no chair term: the seat is vacant
    client.post(f"/meetings/{meeting.key}/agenda/items/new", data={
        "title": "Crisis line data", "kind": "report_back", "minutes": "20",
        "presenter": cast["member"].person_id})
    db.session.expire_all()
    item = next(i for i in db.session.get(Meeting, meeting.id).items
                if i.title == "Crisis line data")
    client.post(f"/meetings/{meeting.key}/agenda/items/{item.id}/move",
                data={"direction": "up"})
    response = client.post(f"/meetings/{meeting.key}/agenda/publish")
    assert response.status_code == 302
    client.post("/logout")
    login(cast["member"])
    page = client.get(f"/meetings/{meeting.key}").get_data(as_text=True)
    assert "Crisis line data" in page and "15:00" in page
    assert page.index("Crisis line data") < page.index("Choose the next chair")


@time_machine.travel(NOW, tick=False)
def test_members_do_not_see_a_draft_agenda(client, make, db, login):
    cast = _cast(make, db)
    login(cast["chair"])
    client.post(f"/committees/{cast['committee'].key}/meetings/schedule")
    meeting = _made(db, cast['committee']).first()
    client.post(f"/meetings/{meeting.key}/agenda/items/new", data={
        "title": "Secret draft", "kind": "discussion", "minutes": "5", "presenter": "0"})
    client.post("/logout")
    login(cast["member"])
    page = client.get(f"/meetings/{meeting.key}").get_data(as_text=True)
    assert "Secret draft" not in page and "not published yet" in page
    assert client.get(f"/meetings/{meeting.key}/agenda/items/new").status_code == 403


@time_machine.travel(NOW, tick=False)
def test_publishing_an_empty_agenda_says_why(client, make, db, login):
    cast = _cast(make, db)
    login(cast["chair"])
    client.post(f"/committees/{cast['committee'].key}/meetings/schedule")
    meeting = _made(db, cast['committee']).first()
    response = client.post(f"/meetings/{meeting.key}/agenda/publish", follow_redirects=True)
    assert "empty agenda cannot be published" in response.get_data(as_text=True)


@time_machine.travel(NOW, tick=False)
def test_secretary_takes_attendance_and_minutes_with_two_actions(client, make, db, login):
    cast = _cast(make, db)
    committee = cast["committee"]
    login(cast["secretary"])
    response = client.post(f"/committees/{committee.key}/meetings/new", data={
        "day": "2026-11-22", "time": "09:00", "duration_minutes": "60", "location": "Room 4",
        "video_link": ""})
    assert response.status_code == 302
    meeting = _made(db, cast['committee']).one()
    page = client.get(f"/meetings/{meeting.key}/attendance").get_data(as_text=True)
    assert 'role="status"' in page
    marks = {f"status_{cast[r].person_id}": "present" for r in ("chair", "secretary")}
    marks[f"status_{cast['member'].person_id}"] = "absent"
    marks.update({f"designee_{cast[r].person_id}": "0" for r in ("chair", "secretary", "member")})
    assert client.post(f"/meetings/{meeting.key}/attendance", data=marks).status_code == 302
    client.post(f"/meetings/{meeting.key}/agenda/items/new", data={
        "title": "Jail data", "kind": "discussion", "minutes": "20", "presenter": "0"})
    db.session.expire_all()
    item = db.session.get(Meeting, meeting.id).items[0]
    response = client.post(f"/meetings/{meeting.key}/minutes", data={
        "version": db.session.get(Meeting, meeting.id).version,
        f"notes_{item.id}": "**Bookings** fell <script>x</script>",
        "text": "Quorum present.", "decisions": "Adopt the drop-off protocol\n"})
    assert response.status_code == 302
    for title in ("Send bed data", "Draft the MOU"):
        response = client.post(f"/meetings/{meeting.key}/minutes/actions", data={
            "title": title, "owner": cast["member"].person_id, "due": "2026-12-15"})
        assert response.status_code == 302
    assert db.session.query(ActionItem).filter_by(meeting_id=meeting.id).count() == 2
    page = client.get(f"/meetings/{meeting.key}").get_data(as_text=True)
    assert "<strong>Bookings</strong> fell" in page and "<script>x</script>" not in page
    assert "Adopt the drop-off protocol" in page and "Send bed data" in page
    assert "Quorum:" in page


@time_machine.travel(NOW, tick=False)
def test_approved_minutes_cannot_be_edited_through_the_page(client, make, db, login):
    cast = _cast(make, db)
    login(cast["secretary"])
    client.post(f"/committees/{cast['committee'].key}/meetings/new", data={
        "day": "2026-11-22", "time": "09:00", "duration_minutes": "60"})
    meeting = _made(db, cast['committee']).one()
    client.post(f"/meetings/{meeting.key}/attendance", data={})
    db.session.expire_all()
    version = db.session.get(Meeting, meeting.id).version
    services.approve_minutes(None, db.session.get(Meeting, meeting.id))
    db.session.commit()
    # a page opened before the approval and saved after it: refused, typing kept, reason given
    response = client.post(f"/meetings/{meeting.key}/minutes",
                           data={"text": "rewrite", "version": version + 1})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "minutes of this meeting are approved" in page and "rewrite" in page
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).minutes_text == ""
    assert client.get(f"/meetings/{meeting.key}/minutes").status_code == 302


@time_machine.travel(NOW, tick=False)
def test_a_meeting_ending_before_it_starts_is_refused(client, make, db, login):
    cast = _cast(make, db)
    login(cast["chair"])
    response = client.post(f"/committees/{cast['committee'].key}/meetings/new", data={
        "day": "2026-12-01", "time": "09:00", "duration_minutes": "-30"})
    assert response.status_code == 200
    assert 'id="duration_minutes-error"' in response.get_data(as_text=True)
    assert _made(db, cast['committee']).count() == 0


@time_machine.travel(NOW, tick=False)
def test_minutes_page_queries_do_not_grow_with_items_members_and_actions(web_app, client,
                                                                         make, db, login):
    from tests.helpers import count_queries

    cast = _cast(make, db)
    committee = cast["committee"]
    login(cast["chair"])
    client.post(f"/committees/{committee.key}/meetings/new", data={
        "day": "2026-11-22", "time": "09:00", "duration_minutes": "60"})
    meeting = _made(db, committee).one()
    url = f"/meetings/{meeting.key}"
    few = count_queries(web_app, lambda: client.get(f"{url}/minutes"))
    for n in range(12):
        person = make.person()
        make.membership(committee, person, start=date(2025, 1, 1))
        client.post(f"{url}/agenda/items/new", data={
            "title": f"Item {n}", "kind": "discussion", "minutes": "5", "presenter": "0"})
        assert client.post(f"{url}/minutes/actions", data={
            "title": f"Action {n}", "owner": person.id, "due": "2026-12-15"}).status_code == 302
    page = client.get(f"{url}/minutes").get_data(as_text=True)
    many = count_queries(web_app, lambda: client.get(f"{url}/minutes"))
    assert page.count('name="notes_') == 12 and "Action 11" in page
    # the session with its account, the meeting with its committee, its motions, answers,
    # items, attendance, the roster (the action owners to choose from), the action items
    # created at the meeting, unread notifications
    assert few == many == 9


@time_machine.travel(NOW, tick=False)
def test_meeting_page_queries_do_not_grow_with_items_and_members(web_app, client, make, db,
                                                                  login):
    from tests.helpers import count_queries

    cast = _cast(make, db)
    committee = cast["committee"]
    login(cast["chair"])
    client.post(f"/committees/{committee.key}/meetings/new", data={
        "day": "2026-12-01", "time": "09:00", "duration_minutes": "60"})
    meeting = _made(db, cast['committee']).one()
    url = f"/meetings/{meeting.key}"
    few = count_queries(web_app, lambda: client.get(url))
    for n in range(12):
        make.membership(committee, make.person(), start=date(2025, 1, 1))
        client.post(f"{url}/agenda/items/new", data={
            "title": f"Item {n}", "kind": "discussion", "minutes": "5", "presenter": "0"})
    many = count_queries(web_app, lambda: client.get(url))
    # the session with its account (one query), the meeting, roster, items, answers, the member's
    # designees, pending requests, unread notifications: no agenda source is read
    assert few == many == 8


def _held(make, committee, people, starts_at, present):
    """A held meeting at starts_at; the first `present` of people came, the others did not."""
    from govtrack.meetings.models import Attendance

    meeting = make.meeting(committee, starts_at=starts_at, status="held")
    for n, person in enumerate(people):
        meeting.attendance.append(Attendance(person=person,
                                             status="present" if n < present else "absent"))
    make.db.session.commit()
    return meeting


@time_machine.travel(NOW, tick=False)
def test_meeting_list_pages_past_meetings_in_a_fixed_number_of_queries(web_app, client, make,
                                                                       db, login):
    from datetime import timedelta

    from tests.helpers import count_queries

    cast = _cast(make, db)
    committee = cast["committee"]
    people = [cast[role].person for role in ("member", "secretary", "chair")]
    _held(make, committee, people, NOW - timedelta(days=1), present=3)
    login(cast["member"])
    url = f"/committees/{committee.key}/meetings"
    few = count_queries(web_app, lambda: client.get(url))
    for n in range(30):
        _held(make, committee, people, NOW - timedelta(days=30 * (n + 1)), present=n % 3)
    many = count_queries(web_app, lambda: client.get(url))
    assert few == many
    first = client.get(url).get_data(as_text=True)
    # the coming meeting first, then the newest 23 past ones; a plain link to page 2
    assert first.count(f'href="/meetings/{cast["meeting"].key}"') == 1
    assert '<nav aria-label="Pages of meetings" class="usa-pagination">' in first
    assert 'aria-label="Page 1 of 2" aria-current="page"' in first
    assert f'href="{url}?page=2"' in first and "21 November 2026" in first
    assert "of the meetings on this page" in first
    second = client.get(f"{url}?page=2").get_data(as_text=True)
    assert "Coming meetings" not in second and "Past meetings" in second
    assert 'aria-label="Page 2 of 2" aria-current="page"' in second
    assert "21 November 2026" not in second
    oldest = (NOW - timedelta(days=900)).astimezone(ZoneInfo("America/New_York"))
    assert f"{oldest:%-d %B %Y}" in second
    # a page past the end shows the last one
    assert client.get(f"{url}?page=9").get_data(as_text=True) == second


@time_machine.travel(NOW, tick=False)
def test_drafting_page_judges_the_workgroups_in_a_fixed_number_of_queries(
        web_app, client, make, db, login):
    """The draft agenda's stalled workgroups: their health read as rows, not one by one.

    The meeting page itself reads none of it: live state is read on the drafting page.
    """
    from datetime import timedelta

    from tests.helpers import count_queries

    cast = _cast(make, db)
    committee = cast["committee"]
    login(cast["chair"])
    client.post(f"/committees/{committee.key}/meetings/new", data={
        "day": "2026-12-01", "time": "09:00", "duration_minutes": "60"})
    meeting = _made(db, committee).one()
    page_url = f"/meetings/{meeting.key}"
    url = f"{page_url}/agenda/draft"

    def stalled_workgroups(n):
        for _ in range(n):
            workgroup = make.workgroup(committee, lead=cast["chair"].person,
                                       members=[cast["member"].person, make.person()])
            workgroup.created_at = NOW - timedelta(days=90)  # no activity since: stalled
        db.session.commit()

    stalled_workgroups(1)
    few = count_queries(web_app, lambda: client.get(url))
    page_few = count_queries(web_app, lambda: client.get(page_url))
    assert client.get(url).get_data(as_text=True).count("Stalled workgroup:") == 1
    stalled_workgroups(5)
    many = count_queries(web_app, lambda: client.get(url))
    assert client.get(url).get_data(as_text=True).count("Stalled workgroup:") == 6
    # the session and its account, the meeting, the roster as rows (who may draft; the
    # chair's checks), what is on the agenda (as rows);
    # per source: the meetings' own and the overdue actions (standing items, the last
    # meeting, the backlog, the overdue actions by owner: one query), the open workgroups'
    # health rows and what their rules read (read once for the report-backs and the stalled
    # workgroups: the last report-backs come from them, the leads, the
    # cycles due for Study from the committee's PDSA cycles the rules read), MOUs, measures
    # with their points, chair terms (the proposals' links are named as their sources read
    # them), unread notifications
    assert few == many == 13
    # an MOU awaiting signatures (its versions, parties and events), a measure with points,
    # a standing item, a backlog item, an overdue action: each read with its source's rows
    from govtrack.actions.services import create_action
    from govtrack.pdsa import services as pdsa_services
    from tests.mous.factories import make_mou

    make_mou(cast).current.sent_for_signature_at = NOW - timedelta(days=60)
    measure = pdsa_services.create_measure(cast["chair"], committee, name="Bed waits")
    for month, value in enumerate([9, 11, 10.5, 9.5, 10.2, 9.8, 10.1, 9.9, 10.4] + [4] * 8):
        pdsa_services.add_point(cast["chair"], measure,
                                date(2025, 1, 1) + timedelta(days=31 * month), value)
    services.add_standing_item(cast["chair"], committee, title="Public comment",
                               kind="discussion", minutes=5, placement="end")
    services.to_backlog(cast["chair"], committee, source="request:1", title="Jail data",
                        kind="discussion", minutes=10, presenter=cast["member"].person)
    create_action(cast["chair"], committee, title="Send the data", owner=cast["member"].person,
                  due=date(2026, 10, 1))
    db.session.commit()
    assert count_queries(web_app, lambda: client.get(url)) == 14
    page = client.get(url).get_data(as_text=True)
    for proposed in ("Signatures awaited: Jail in-reach protocol", "The measure “Bed waits”",
                     "Public comment", "Jail data", "Overdue action items (1)"):
        assert proposed in page
    assert count_queries(web_app, lambda: client.get(page_url)) == page_few < few
    assert "Stalled workgroup:" not in client.get(page_url).get_data(as_text=True)
