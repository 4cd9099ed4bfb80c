"""Agenda items linked to records: chosen in the form, shown everywhere, counted as report-backs."""

import io
from datetime import UTC, datetime, timedelta

import time_machine
from docx import Document

from govtrack.health.services import flags_for
from govtrack.meetings.models import AgendaItem, Meeting
from govtrack.mous.models import Mou
from govtrack.workgroups.models import WorkgroupUpdate

NOW = datetime(2026, 11, 22, 14, 0, tzinfo=UTC)


def _docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


@time_machine.travel(NOW, tick=False)
def test_the_item_form_links_a_workgroup_and_an_mou_shown_on_page_and_in_word(
        client, make, db, login):
    cast = make.cast(make.committee(timezone="America/New_York"))
    committee, workgroup, meeting = cast["committee"], cast["workgroup"], cast["meeting"]
    mou = Mou(key="mou-beds", title="Crisis beds", committee=committee)
    db.session.add(mou)
    db.session.commit()
    login(cast["chair"])
    form = client.get(f"/meetings/{meeting.key}/agenda/items/new").get_data(as_text=True)
    assert workgroup.name in form and "Crisis beds" in form
    response = client.post(f"/meetings/{meeting.key}/agenda/items/new", data={
        "title": "Beds report", "kind": "report_back", "minutes": "10", "presenter": "0",
        "workgroup_key": workgroup.key, "mou_key": mou.key, "pdsa_key": "",
        "measure_key": ""})
    assert response.status_code == 302
    item = db.session.query(AgendaItem).filter_by(title="Beds report").one()
    assert (item.workgroup_key, item.mou_key) == (workgroup.key, mou.key)
    page = client.get(f"/meetings/{meeting.key}").get_data(as_text=True)
    assert f'href="/workgroups/{workgroup.key}"' in page and 'href="/mous/mou-beds"' in page
    agenda = _docx_text(client.get(f"/meetings/{meeting.key}/agenda.docx").data)
    assert f"Workgroup: {workgroup.name}" in agenda and "MOU: Crisis beds" in agenda
    db.session.expire_all()  # the request changed the meeting (its version) meanwhile
    db.session.get(Meeting, meeting.id).status = "held"
    db.session.commit()
    minutes = _docx_text(client.get(f"/meetings/{meeting.key}/minutes.docx").data)
    assert f"Workgroup: {workgroup.name}" in minutes


def test_a_link_to_another_committees_record_is_refused(client, make, db, login):
    cast = make.cast()
    other = make.workgroup(make.committee())
    login(cast["chair"])
    response = client.post(f"/meetings/{cast['meeting'].key}/agenda/items/new", data={
        "title": "Theirs", "kind": "report_back", "minutes": "10", "presenter": "0",
        "workgroup_key": other.key})
    assert response.status_code == 200 and "Not a valid choice" in response.get_data(
        as_text=True)
    assert "Theirs" in response.get_data(as_text=True)  # what was typed is kept
    assert db.session.query(AgendaItem).filter_by(title="Theirs").count() == 0


@time_machine.travel(NOW, tick=False)
def test_a_workgroup_reporting_through_the_web_at_every_meeting_has_no_missed_report_backs(
        client, make, db, login):
    cast = make.cast(make.committee(timezone="America/New_York"))
    committee, workgroup = cast["committee"], cast["workgroup"]
    workgroup.created_at = datetime(2026, 1, 1, tzinfo=UTC)
    db.session.commit()
    login(cast["chair"])
    held = []
    for months_ago in (3, 2, 1):
        meeting = make.meeting(committee, starts_at=NOW - timedelta(days=30 * months_ago),
                               status="held")
        meeting.items.clear()
        db.session.commit()
        client.post(f"/meetings/{meeting.key}/agenda/items/new", data={
            "title": "Workgroup report", "kind": "report_back", "minutes": "10",
            "presenter": "0", "workgroup_key": workgroup.key})
        held.append(meeting)
    db.session.expire_all()
    codes = {f.code for f in flags_for("workgroup", workgroup, NOW.date())}
    assert "missed_report_backs" not in codes
    # without the link the same meetings are missed report-backs
    for meeting in held:
        for item in db.session.get(Meeting, meeting.id).items:
            item.workgroup_key = None
    db.session.commit()
    codes = {f.code for f in flags_for("workgroup", workgroup, NOW.date())}
    assert "missed_report_backs" in codes


@time_machine.travel(NOW, tick=False)
def test_notes_minuted_under_a_report_back_become_the_workgroups_update(client, make, db,
                                                                        login):
    cast = make.cast(make.committee(timezone="America/New_York"))
    committee, workgroup = cast["committee"], cast["workgroup"]
    workgroup.created_at = datetime(2026, 1, 1, tzinfo=UTC)
    meeting = make.meeting(committee, starts_at=NOW - timedelta(days=3), status="held")
    item = meeting.items[0]
    item.workgroup_key = workgroup.key
    db.session.commit()
    # quiet since January: no_update holds before the report-back is minuted
    assert "no_update" in {f.code for f in flags_for("workgroup", workgroup, NOW.date())}
    login(cast["secretary"])
    data = {"version": meeting.version, "text": "", "decisions": "",
            f"notes_{item.id}": "Protocol drafted; sent to the hospital."}
    assert client.post(f"/meetings/{meeting.key}/minutes", data=data).status_code == 302
    db.session.expire_all()
    [update] = db.session.query(WorkgroupUpdate).filter_by(agenda_item_id=item.id).all()
    assert update.text == "Protocol drafted; sent to the hospital."
    assert update.at == meeting.starts_at and update.workgroup_id == workgroup.id
    assert "no_update" not in {f.code for f in flags_for("workgroup", workgroup, NOW.date())}
    # correcting the notes corrects the update; it is not posted twice
    data.update(version=db.session.get(Meeting, meeting.id).version,
                **{f"notes_{item.id}": "Protocol drafted."})
    client.post(f"/meetings/{meeting.key}/minutes", data=data)
    db.session.expire_all()
    assert [u.text for u in db.session.query(WorkgroupUpdate).filter_by(
        agenda_item_id=item.id)] == ["Protocol drafted."]


@time_machine.travel(NOW, tick=False)
def test_standing_items_and_the_backlog_have_pages_reached_from_the_meeting_list(
        client, make, db, login):
    cast = make.cast(make.committee(timezone="America/New_York"))
    committee = cast["committee"]
    login(cast["chair"])
    listing = client.get(f"/committees/{committee.key}/meetings").get_data(as_text=True)
    assert f"/committees/{committee.key}/standing-items" in listing
    assert f"/committees/{committee.key}/backlog" in listing
    url = f"/committees/{committee.key}/standing-items"
    refused = client.post(url, data={"title": "", "kind": "information", "minutes": "900",
                                     "placement": "end"})
    assert refused.status_code == 200
    assert "This field is required." in refused.get_data(as_text=True)
    assert "Number must be between 1 and 480." in refused.get_data(as_text=True)
    assert client.post(url, data={"title": "Public comment", "kind": "information",
                                  "minutes": "10", "placement": "end"}).status_code == 302
    assert "Public comment" in client.get(url).get_data(as_text=True)
    meeting = cast["meeting"]
    meeting.agenda_status = "draft"
    db.session.commit()
    client.post(f"/meetings/{meeting.key}/agenda/draft")
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).items[-1].title == "Public comment"
    client.post("/logout")
    login(cast["member"])
    assert client.get(url).status_code == 403
    assert client.get(f"/committees/{committee.key}/backlog").status_code == 200
