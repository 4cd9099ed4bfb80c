"""Committee pages as the chair, the members and everyone else meet them."""

from datetime import date

from govtrack.committees.models import Committee
from tests.helpers import count_queries


def _form(committee, **changes):
    data = {"version": committee.version, "name": committee.name, "kind": committee.kind,
            "purpose": committee.purpose, "goals": "", "timezone": committee.timezone,
            "frequency": "monthly", "week_of_month": "2", "weekday": "TU",
            "first_meeting": "2025-01-14", "start_time": "15:00", "duration_minutes": "90",
            "cadence_rrule": "", "stall_after_days": "30"}
    data.update(changes)
    return data


def test_chair_edits_the_purpose_and_history_shows_it(client, make, login, db):
    cast = make.cast()
    committee = cast["committee"]
    login(cast["chair"])
    response = client.post(f"/committees/{committee.key}/edit", data=_form(
        committee, purpose="Divert people in crisis from jail to treatment."))
    assert response.status_code == 302
    page = client.get(f"/committees/{committee.key}").get_data(as_text=True)
    assert "Divert people in crisis from jail to treatment." in page
    assert "Monthly on the second Tuesday, 90 minutes" in page
    history = client.get(f"/committees/{committee.key}/history").get_data(as_text=True)
    assert "Divert people in crisis" in history and cast["chair"].person.name in history
    db.session.expire_all()
    assert db.session.get(Committee, committee.id).cadence_rrule == "FREQ=MONTHLY;BYDAY=2TU"


def test_a_concurrent_edit_is_refused_and_keeps_what_was_typed(client, make, login):
    cast = make.cast()
    committee = cast["committee"]
    login(cast["chair"])
    first = _form(committee, purpose="First version")
    second = _form(committee, purpose="Second version, typed at the same time")
    assert client.post(f"/committees/{committee.key}/edit", data=first).status_code == 302
    response = client.post(f"/committees/{committee.key}/edit", data=second)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Someone else saved this record" in html
    assert "Second version, typed at the same time" in html
    page = client.get(f"/committees/{committee.key}").get_data(as_text=True)
    assert "First version" in page and "Second version" not in page


def test_bad_input_gets_field_messages_and_keeps_the_rest(client, make, login):
    cast = make.cast()
    committee = cast["committee"]
    login(cast["chair"])
    response = client.post(f"/committees/{committee.key}/edit", data=_form(
        committee, name="", purpose="Kept text", kind="time_limited",
        duration_minutes="99999999999999999999"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="name-error"' in html and 'id="duration_minutes-error"' in html
    assert "Kept text" in html


def test_time_limited_without_end_date_is_refused_on_the_field(client, make, login):
    cast = make.cast()
    committee = cast["committee"]
    login(cast["chair"])
    response = client.post(f"/committees/{committee.key}/edit", data=_form(
        committee, kind="time_limited"))
    assert 'id="end_date-error"' in response.get_data(as_text=True)


def test_control_characters_are_refused_not_stored(client, make, login):
    cast = make.cast()
    committee = cast["committee"]
    login(cast["chair"])
    response = client.post(f"/committees/{committee.key}/edit", data=_form(
        committee, purpose="nul \x00 here"))
    assert response.status_code == 200
    assert "control characters" in response.get_data(as_text=True)


def test_stored_html_comes_back_escaped(client, make, login):
    cast = make.cast()
    committee = cast["committee"]
    login(cast["chair"])
    client.post(f"/committees/{committee.key}/edit", data=_form(
        committee, purpose="<script>alert(1)</script>"))
    html = client.get(f"/committees/{committee.key}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_chair_adds_a_member_and_the_roster_shows_the_sector(client, make, login, db):
    cast = make.cast()
    committee = cast["committee"]
    defender = make.person(agency=make.agency(name="Public Defender", sector="public_defense"))
    login(cast["chair"])
    response = client.post(f"/committees/{committee.key}/members/new", data={
        "person": defender.id, "agency": "0", "role": "member", "start": "2025-03-01"})
    assert response.status_code == 302
    page = client.get(f"/committees/{committee.key}").get_data(as_text=True)
    assert defender.name in page and "Public defence: Public Defender" in page


def test_second_chair_is_refused_on_the_role_field(client, make, login):
    cast = make.cast()
    committee = cast["committee"]
    login(cast["chair"])
    other = make.person()
    response = client.post(f"/committees/{committee.key}/members/new", data={
        "person": other.id, "agency": "0", "role": "chair", "start": "2025-03-01"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="role-error"' in html


def test_ending_a_membership_moves_it_to_former_members(client, make, login):
    cast = make.cast()
    committee = cast["committee"]
    membership = next(m for m in committee.memberships if m.role == "member")
    login(cast["chair"])
    response = client.post(f"/committees/{committee.key}/members/{membership.id}/edit", data={
        "version": membership.version, "person": membership.person_id, "agency": "0",
        "role": "member", "start": "2025-01-01", "end": "2025-06-30"})
    assert response.status_code == 302
    page = client.get(f"/committees/{committee.key}").get_data(as_text=True)
    assert "Former members" in page


def test_stage_change_appears_with_its_date(client, make, login):
    cast = make.cast()
    committee = cast["committee"]
    login(cast["secretary"])
    response = client.post(f"/committees/{committee.key}/stage", data={
        "stage": "assessment", "since": "2025-04-01", "note": "Mapping done"})
    assert response.status_code == 302
    page = client.get(f"/committees/{committee.key}").get_data(as_text=True)
    assert "Assessment</strong> since 1 April 2025" in page


def test_unknown_committee_is_404_for_everyone(client, make, login):
    login(make.account(admin=True))
    assert client.get("/committees/no-such-committee").status_code == 404
    assert client.get("/committees/x/members/999/edit").status_code == 404


def test_a_membership_of_another_committee_is_404(client, make, login):
    cast = make.cast()
    other = make.committee()
    foreign = make.membership(other, make.person())
    login(cast["chair"])
    url = f"/committees/{cast['committee'].key}/members/{foreign.id}/edit"
    assert client.get(url).status_code == 404




def test_committee_page_runs_a_fixed_number_of_queries(web_app, client, make, login):
    cast = make.cast()
    committee = cast["committee"]
    login(cast["chair"])
    url = f"/committees/{committee.key}"
    few = count_queries(web_app, lambda: client.get(url))
    for n in range(15):
        make.membership(committee, make.person(agency=make.agency(sector="courts")),
                        start=date(2025, 2, n + 1))
    many = count_queries(web_app, lambda: client.get(url))
    assert few == many
    # session, account, committee (and rotation policy), memberships (and people, accounts,
    # agencies), stages, chair terms (and people, accounts, agencies, heads), held meetings,
    # their attendance, the next meeting, unread notices
    assert many <= 10


def _seat_data(membership, **changes):
    data = {"version": membership.version, "person": membership.person_id, "agency": "0",
            "role": membership.role, "start": membership.start.isoformat(), "end": ""}
    data.update(changes)
    return data


def test_a_secretary_cannot_demote_the_chair_nor_take_the_chair(client, make, login, db):
    cast = make.cast()
    committee = cast["committee"]
    chair_seat = next(m for m in committee.memberships if m.role == "chair")
    own_seat = next(m for m in committee.memberships if m.role == "secretary")
    login(cast["secretary"])
    url = f"/committees/{committee.key}/members"
    response = client.post(f"{url}/{chair_seat.id}/edit",
                           data=_seat_data(chair_seat, role="member"))
    assert response.status_code == 200 and 'id="role-error"' in response.get_data(as_text=True)
    response = client.post(f"{url}/{own_seat.id}/edit", data=_seat_data(own_seat, role="chair"))
    assert response.status_code == 200
    response = client.post(f"{url}/{chair_seat.id}/edit",
                           data=_seat_data(chair_seat, end="2025-06-30"))
    assert response.status_code == 200
    response = client.post(f"{url}/new", data={
        "person": make.person().id, "agency": "0", "role": "co_chair", "start": "2025-03-01"})
    assert response.status_code == 200
    db.session.expire_all()
    roles = {m.person_id: (m.role, m.end) for m in committee.memberships}
    assert roles[cast["chair"].person_id] == ("chair", None)
    assert roles[cast["secretary"].person_id] == ("secretary", None)
    assert len(committee.memberships) == 3


def test_nobody_changes_their_own_seats_role(client, make, login, db):
    cast = make.cast()
    committee = cast["committee"]
    own_seat = next(m for m in committee.memberships if m.role == "secretary")
    login(cast["secretary"])
    response = client.post(f"/committees/{committee.key}/members/{own_seat.id}/edit",
                           data=_seat_data(own_seat, role="member"))
    assert response.status_code == 200
    db.session.refresh(own_seat)
    assert own_seat.role == "secretary"


def test_an_edit_posted_without_its_version_is_refused(client, make, login, db):
    cast = make.cast()
    committee = cast["committee"]
    login(cast["chair"])
    url = f"/committees/{committee.key}/edit"
    data = {"name": "Renamed without a version", "kind": "standing",
            "timezone": "America/New_York", "duration_minutes": "90",
            "stall_after_days": "30"}
    response = client.post(url, data=data)
    assert response.status_code == 200
    assert "did not say which version" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(type(committee), committee.id).name != "Renamed without a version"
    assert client.post(url, data=data | {"version": committee.version}).status_code == 302
