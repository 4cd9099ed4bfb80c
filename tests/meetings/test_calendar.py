"""Calendar feeds: private revocable URLs, parsed back with icalendar."""

import hashlib
import re
from datetime import date, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from govtrack.audit.models import AuditEntry
from govtrack.clock import utcnow
from govtrack.editing import DomainError
from govtrack.meetings import calendar
from govtrack.meetings.feeds import agenda_url
from govtrack.meetings.models import CalendarFeed, Meeting

SOON = timedelta(days=14)


def _meeting(make, committee, starts_in=SOON, **values):
    meeting = Meeting(key=f"{committee.key}-{len(committee.meetings)}", committee=committee,
                      starts_at=(utcnow() + starts_in).replace(microsecond=0), **values)
    make.db.session.add(meeting)
    make.db.session.commit()
    return meeting


def _uids(meetings) -> set[str]:
    return {f"{meeting.key}@govtrack" for meeting in meetings}


def _events(client, token) -> dict:
    response = client.get(f"/calendar/{token}.ics")
    assert response.status_code == 200
    return {str(event["UID"]): event
            for event in Calendar.from_ical(response.data).walk("VEVENT")}


@pytest.fixture
def cast(make):
    return make.cast(make.committee(name="CIT Steering Committee", timezone="America/Chicago"))


@pytest.fixture
def feed(make, cast):
    """A committee feed of the member, and its clear token."""
    member = cast["member"]
    token = calendar.create_feed(member, member.person, cast["committee"])
    make.db.session.commit()
    return token


def test_feed_is_an_icalendar_file_nobody_caches(client, make, cast, feed):
    _meeting(make, cast["committee"])
    response = client.get(f"/calendar/{feed}.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    parsed = Calendar.from_ical(response.data)
    assert str(parsed["X-WR-CALNAME"]) == "CIT Steering Committee meetings"
    assert str(parsed["VERSION"]) == "2.0"


def test_event_carries_times_summary_place_and_agenda_link(web_app, client, make, cast, feed):
    meeting = _meeting(make, cast["committee"], location="Room 101",
                       video_link="https://video.example.org/cit", duration_minutes=75)
    event = _events(client, feed)[f"{meeting.key}@govtrack"]
    assert event.decoded("DTSTART") == meeting.starts_at
    assert event.decoded("DTSTART").utcoffset() == timedelta(0)
    assert event.decoded("DTEND") == meeting.starts_at + timedelta(minutes=75)
    assert "DTSTAMP" in event
    assert str(event["SUMMARY"]) == "CIT Steering Committee meeting"
    assert str(event["LOCATION"]) == "Room 101"
    with web_app.test_request_context():
        link = agenda_url(meeting)
    assert link.startswith("http://localhost/")
    assert f"Agenda: {link}" in str(event["DESCRIPTION"])
    assert "https://video.example.org/cit" in str(event["DESCRIPTION"])
    assert str(event["URL"]) == link
    assert str(event["STATUS"]) == "CONFIRMED"


def test_uids_are_stable_and_sequence_rises_with_the_meeting(client, make, cast, feed):
    meeting = _meeting(make, cast["committee"])
    first = _events(client, feed)
    assert set(first) == set(_events(client, feed)) == _uids(cast["committee"].meetings)
    assert first[f"{meeting.key}@govtrack"]["SEQUENCE"] == 0
    meeting.starts_at += timedelta(hours=2)
    meeting.sequence += 1
    make.db.session.commit()
    moved = _events(client, feed)[f"{meeting.key}@govtrack"]
    assert moved["SEQUENCE"] == 1
    assert moved.decoded("DTSTART") == meeting.starts_at


def test_cancelled_meeting_is_status_cancelled_without_a_reminder(client, make, cast, feed):
    held = _meeting(make, cast["committee"])
    cancelled = _meeting(make, cast["committee"], starts_in=SOON * 2, status="cancelled",
                         sequence=3)
    events = _events(client, feed)
    gone = events[f"{cancelled.key}@govtrack"]
    assert str(gone["STATUS"]) == "CANCELLED"
    assert gone["SEQUENCE"] == 3
    assert gone.walk("VALARM") == []
    alarms = events[f"{held.key}@govtrack"].walk("VALARM")
    assert len(alarms) == 1
    assert alarms[0]["TRIGGER"].dt == timedelta(days=-1)
    assert alarms[0]["TRIGGER"].to_ical() == b"-P1D"
    assert str(alarms[0]["ACTION"]) == "DISPLAY"


def test_feed_reaches_back_ninety_days_only(client, make, cast, feed):
    recent = _meeting(make, cast["committee"], starts_in=-timedelta(days=80))
    old = _meeting(make, cast["committee"], starts_in=-timedelta(days=100))
    uids = set(_events(client, feed))
    assert f"{recent.key}@govtrack" in uids
    assert f"{old.key}@govtrack" not in uids


def test_hostile_names_survive_the_feed(client, make, cast, feed):
    committee = cast["committee"]
    committee.name = ("<script>alert('x')</script>, ; \\ \u202eRTL 😀 " + "long " * 100)[:200]
    make.db.session.commit()
    meeting = _meeting(make, committee, location="Room; 1, \"A\"\nsecond line")
    event = _events(client, feed)[f"{meeting.key}@govtrack"]
    assert str(event["SUMMARY"]) == f"{committee.name} meeting"
    assert str(event["LOCATION"]) == "Room; 1, \"A\"\nsecond line"


def test_unknown_and_revoked_tokens_are_404(client, make, cast, feed):
    assert client.get("/calendar/not-a-token.ics").status_code == 404
    stored = make.db.session.scalar(select(CalendarFeed))
    calendar.revoke_feed(cast["member"], stored)
    make.db.session.commit()
    assert calendar.feed_for_token(feed) is None
    assert client.get(f"/calendar/{feed}.ics").status_code == 404


def test_feed_of_a_deactivated_account_is_404(client, make, cast, feed):
    cast["member"].active = False
    cast["member"].deactivated_at = utcnow() - timedelta(days=1)
    make.db.session.commit()
    assert client.get(f"/calendar/{feed}.ics").status_code == 404


def test_only_the_hash_of_the_token_is_stored_and_creation_is_audited(make, cast, feed):
    stored = make.db.session.scalar(select(CalendarFeed))
    assert stored.token_hash == hashlib.sha256(feed.encode()).hexdigest()
    entry = make.db.session.scalar(select(AuditEntry).where(
        AuditEntry.object_type == "CalendarFeed"))
    assert entry.action == "create"
    assert entry.committee_id == cast["committee"].id
    assert feed not in str(entry.changes)
    assert "token_hash" not in entry.changes


def test_person_feed_holds_only_their_current_committees(client, make, cast):
    member = cast["member"]
    _meeting(make, cast["committee"])
    elsewhere = make.committee(name="Jail Diversion Project")
    _meeting(make, elsewhere)
    left = make.committee(name="Old Task Force")
    make.membership(left, member.person, start=date(2024, 1, 1), end=date(2024, 12, 31))
    _meeting(make, left)
    joined = make.committee(name="Reentry Council")
    make.membership(joined, member.person)
    _meeting(make, joined, starts_in=SOON * 2)
    token = calendar.create_feed(member, member.person)
    make.db.session.commit()
    assert set(_events(client, token)) == _uids(cast["committee"].meetings + joined.meetings)
    parsed = Calendar.from_ical(client.get(f"/calendar/{token}.ics").data)
    assert str(parsed["X-WR-CALNAME"]) == f"Committee meetings of {member.person.name}"


def test_committee_feed_empties_when_its_owner_leaves_the_committee(client, make, cast, feed):
    _meeting(make, cast["committee"])
    membership = next(m for m in cast["committee"].memberships
                      if m.person_id == cast["member"].person_id)
    membership.end = date(2025, 6, 30)
    make.db.session.commit()
    assert _events(client, feed) == {}


def test_a_feed_only_of_ones_own_committees(make, cast):
    outsider = cast["outsider"]
    with pytest.raises(DomainError):
        calendar.create_feed(outsider, outsider.person, cast["committee"])
    with pytest.raises(DomainError):
        calendar.create_feed(outsider, cast["member"].person)


def test_making_a_feed_shows_its_address_once(client, login, make, cast):
    login(cast["member"])
    response = client.post("/calendar/new", data={"committee": cast["committee"].key})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    match = re.search(r'value="(http://localhost/calendar/([A-Za-z0-9_-]+)\.ics)"', page)
    assert match, page
    stored = make.db.session.scalar(select(CalendarFeed))
    assert stored.committee_id == cast["committee"].id
    assert stored.token_hash == hashlib.sha256(match[2].encode()).hexdigest()
    assert client.get(match[1].removeprefix("http://localhost")).status_code == 200
    listing = client.get("/calendar/").get_data(as_text=True)
    assert match[2] not in listing
    assert "CIT Steering Committee" in listing


def test_a_double_clicked_new_feed_shows_the_same_address_again(client, login, make, cast):
    """The browser shows only the answer to the second click of a double click: it makes
    no second feed and shows the first one's address, which still opens the feed."""
    login(cast["member"])
    page = client.get("/calendar/").get_data(as_text=True)
    token = re.search(r'name="submission" type="hidden" value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="submission"', page)
    data = {"committee": cast["committee"].key, "submission": token[1]}
    first, second = (client.post("/calendar/new", data=data).get_data(as_text=True)
                     for _ in range(2))
    address = re.compile(r'value="(http://localhost/calendar/([A-Za-z0-9_-]+)\.ics)"')
    assert address.search(first) and address.search(second), second
    assert address.search(first)[1] == address.search(second)[1]
    assert "already saved" in second and "first click made" in second
    assert "first click made" not in first
    assert len(make.db.session.scalars(select(CalendarFeed)).all()) == 1
    assert client.get(address.search(second)[1].removeprefix("http://localhost")
                      ).status_code == 200
    # another submission (a fresh token) makes another feed, at another address
    fresh = {"committee": "", "submission": "f" * 22}
    third = client.post("/calendar/new", data=fresh).get_data(as_text=True)
    assert address.search(third)[1] != address.search(first)[1]
    assert len(make.db.session.scalars(select(CalendarFeed)).all()) == 2


def test_a_repeat_shows_no_address_once_the_feed_is_revoked(client, login, make, cast):
    """Re-sending the form of a feed since revoked shows no address: it opens nothing."""
    login(cast["member"])
    data = {"committee": "", "submission": "r" * 22}
    client.post("/calendar/new", data=data)
    feed = make.db.session.scalar(select(CalendarFeed))
    calendar.revoke_feed(cast["member"], feed)
    make.db.session.commit()
    again = client.post("/calendar/new", data=data).get_data(as_text=True)
    assert "already saved" in again and ".ics" not in again


def test_a_feed_secret_is_keyed_by_the_app_not_the_form_token_alone(web_app):
    """The same one-time token under another SECRET_KEY derives another secret."""
    with web_app.test_request_context():
        mine = calendar.feed_token("t" * 22)
        assert mine == calendar.feed_token("t" * 22) != calendar.feed_token("u" * 22)
        assert len(mine) >= 43 and calendar.feed_token(None) != calendar.feed_token(None)
        key = web_app.config["SECRET_KEY"]
        web_app.config["SECRET_KEY"] = "another key"
        try:
            assert calendar.feed_token("t" * 22) != mine
        finally:
            web_app.config["SECRET_KEY"] = key


def test_a_feed_of_someone_elses_committee_is_refused(client, login, make, cast):
    other = make.committee(name="Not Mine")
    login(cast["member"])
    response = client.post("/calendar/new", data={"committee": other.key})
    assert response.status_code == 200
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert make.db.session.scalar(select(CalendarFeed)) is None


def test_owner_revokes_a_feed_from_the_page(client, login, make, cast, feed):
    login(cast["member"])
    stored = make.db.session.scalar(select(CalendarFeed))
    response = client.post(f"/calendar/{stored.id}/revoke")
    assert response.status_code == 302
    assert client.get(f"/calendar/{feed}.ics").status_code == 404
    assert "Revoked" in client.get("/calendar/").get_data(as_text=True)


def test_another_users_feed_cannot_be_revoked(client, login, make, cast, feed):
    login(cast["chair"])
    stored = make.db.session.scalar(select(CalendarFeed))
    assert client.post(f"/calendar/{stored.id}/revoke").status_code == 404
    assert client.get(f"/calendar/{feed}.ics").status_code == 200
    assert "You have no calendar feeds yet." in client.get("/calendar/").get_data(as_text=True)


def test_feed_queries_do_not_grow_with_committees_and_meetings(web_app, client, make, cast):
    from tests.helpers import count_queries

    member = cast["member"]
    token = calendar.create_feed(member, member.person)
    make.db.session.commit()
    url = f"/calendar/{token}.ics"
    few = count_queries(web_app, lambda: client.get(url))
    for n in range(4):
        committee = make.committee(name=f"Workgroup council {n}")
        make.membership(committee, member.person)
        make.membership(committee, make.person())
        for k in range(3):
            _meeting(make, committee, starts_in=SOON * (k + 1))
    many = count_queries(web_app, lambda: client.get(url))
    assert len(_events(client, token)) >= 12
    assert few == many


def test_cancelled_title_default_place_and_published_agenda(client, make, cast, feed):
    from govtrack.meetings.models import AgendaItem

    committee = cast["committee"]
    committee.default_location = "Public Safety Building, Room B"
    published = _meeting(make, committee, agenda_status="published", duration_minutes=60)
    published.items.extend([
        AgendaItem(title="Call to order", kind="information", minutes=5, position=1),
        AgendaItem(title="Report-back: 911 routing", kind="report_back", minutes=15,
                   position=2)])
    draft = _meeting(make, committee, starts_in=SOON * 2, agenda_status="draft")
    draft.items.append(AgendaItem(title="Not yet public", kind="discussion", minutes=5))
    cancelled = _meeting(make, committee, starts_in=SOON * 3, status="cancelled")
    make.db.session.commit()
    events = _events(client, feed)
    event = events[f"{published.key}@govtrack"]
    assert str(event["LOCATION"]) == "Public Safety Building, Room B"
    description = str(event["DESCRIPTION"])
    assert "1. " in description and "Call to order (5 min)" in description
    assert "2. " in description and "Report-back: 911 routing (15 min)" in description
    assert "Not yet public" not in str(events[f"{draft.key}@govtrack"]["DESCRIPTION"])
    assert str(events[f"{cancelled.key}@govtrack"]["SUMMARY"]) == (
        "Cancelled: CIT Steering Committee meeting")


def test_the_usual_place_is_set_once_and_new_meetings_take_it(client, login, make, cast):
    login(cast["chair"])
    url = f"/committees/{cast['committee'].key}/standing-items"
    assert client.post(f"{url}/place", data={"default_location": "Room B"}).status_code == 302
    assert 'value="Room B"' in client.get(url).get_data(as_text=True)
    form = client.get(f"/committees/{cast['committee'].key}/meetings/new").get_data(
        as_text=True)
    assert 'value="Room B"' in form
