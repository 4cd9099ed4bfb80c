"""Minutes: one form that loses nothing typed; approved minutes lock; amendments keep a reason."""

import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from docx import Document
from sqlalchemy import select

from govtrack.actions.models import ActionItem
from govtrack.audit.models import AuditEntry
from govtrack.editing import DomainError
from govtrack.meetings import drafting, services
from govtrack.meetings.models import AgendaItem, Attendance, Meeting, Motion, QuorumRule

NOW = datetime(2026, 11, 22, 14, 0, tzinfo=UTC)


@pytest.fixture
def cast(make, db):
    return make.cast(make.committee(timezone="America/New_York"))


@pytest.fixture
def held(make, db, cast):
    """A meeting held ten days ago with one item, its attendance and an action item."""
    meeting = make.meeting(cast["committee"], starts_at=NOW - timedelta(days=10),
                           status="held")
    meeting.attendance.append(Attendance(person=cast["member"].person, status="present"))
    db.session.commit()
    services.add_minuted_action(None, meeting, title="Send bed data",
                                owner=cast["member"].person, due=None)
    db.session.commit()
    return meeting


@time_machine.travel(NOW, tick=False)
def test_approved_minutes_lock_the_meeting_in_every_service(db, cast, held):
    item = held.items[0]
    action = db.session.scalar(select(ActionItem).where(ActionItem.meeting_id == held.id))
    services.approve_minutes(None, held)
    db.session.commit()
    member = cast["member"].person
    refused = [
        lambda: services.update_meeting(None, held, None, starts=datetime(2026, 11, 1, 9),
                                        duration_minutes=60, location="", video_link=""),
        lambda: services.cancel_meeting(None, held),
        lambda: services.add_item(None, held, title="Late", kind="discussion", minutes=5),
        lambda: services.update_item(None, item, title="Renamed", kind="discussion",
                                     minutes=5, presenter=None),
        lambda: services.remove_item(None, item),
        lambda: services.move_item(None, item, 1),
        lambda: services.record_attendance(None, held, {member.id: ("absent", None)}),
        lambda: services.save_minutes(None, held, None, text="x", decisions=[], notes={}),
        lambda: services.add_minuted_action(None, held, title="More", owner=member, due=None),
        lambda: services.edit_minuted_action(None, held, action, title="Changed",
                                             owner=member, due=None),
        lambda: services.delete_minuted_action(None, held, action),
    ]
    for change in refused:
        with pytest.raises(DomainError, match="minutes of this meeting are approved"):
            change()
        db.session.rollback()
    assert services.approve_minutes(None, held).message.startswith("These minutes are already")


@time_machine.travel(NOW, tick=False)
def test_an_amendment_needs_a_reason_and_is_kept_in_the_history(db, cast, held):
    services.save_minutes(None, held, None, text="We met.", decisions=["Adopt it"], notes={})
    services.approve_minutes(None, held)
    db.session.commit()
    with pytest.raises(DomainError, match="Say why"):
        services.amend_minutes(None, held, None, reason=" ", text="We met twice.",
                               decisions=["Adopt it"], notes={})
    services.amend_minutes(cast["chair"], held, held.version, reason="Wrong count",
                           text="We met twice.", decisions=["Adopt it"], notes={})
    db.session.commit()
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "amend"))
    assert entry.changes["reason"] == [None, "Wrong count"]
    assert entry.changes["minutes_text"] == ["We met.", "We met twice."]
    assert held.minutes_text == "We met twice." and held.minutes_locked


@time_machine.travel(NOW, tick=False)
def test_reordering_the_agenda_is_audited(db, cast):
    meeting = cast["meeting"]
    second = services.add_item(None, meeting, title="Second", kind="discussion", minutes=5)
    db.session.commit()
    services.move_item(cast["chair"], second, -1)
    db.session.commit()
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.object_type == "AgendaItem", AuditEntry.object_id == second.id)
        .order_by(AuditEntry.id.desc()).limit(1)).one()
    assert entry.changes == {"position": [2, 1]}


@pytest.fixture
def approving(db, cast, held):
    """The coming meeting, drafted and under way with its members present, and its item
    approving the minutes of the held one."""
    coming = cast["meeting"]
    coming.agenda_status = "draft"
    db.session.commit()
    drafting.draft_agenda(None, coming)
    coming.status = "held"
    for role in ("member", "secretary", "chair"):
        coming.attendance.append(Attendance(person=cast[role].person, status="present"))
    db.session.commit()
    return coming, next(i for i in coming.items if i.source == f"approve:{held.key}")


@time_machine.travel(NOW, tick=False)
def test_the_next_meeting_approves_the_last_minutes_by_a_motion_from_its_item(
        client, login, db, cast, held, approving):
    coming, item = approving
    login(cast["chair"])
    url = f"/meetings/{coming.key}/agenda/items/{item.id}/approve"
    assert f'href="{url}"' in client.get(f"/meetings/{coming.key}").get_data(as_text=True)
    form = client.get(url).get_data(as_text=True)
    assert "That the minutes of the meeting of 12 November 2026 be approved." in form
    people = [cast[role].person for role in ("member", "secretary", "chair")]
    data = {"text": "That the minutes of the meeting of 12 November 2026 be approved.",
            "mover": people[0].id, "seconder": people[1].id,
            **{f"vote_{p.id}": "yes" for p in people[:2]}, f"vote_{people[2].id}": "abstain"}
    response = client.post(url, data=data)
    assert response.headers["Location"].endswith(f"/meetings/{coming.key}")
    db.session.expire_all()
    assert db.session.get(Meeting, held.id).minutes_locked
    motion = db.session.scalar(select(Motion).where(Motion.meeting_id == coming.id))
    assert motion.agenda_item_id == item.id and motion.result == "carried"
    assert {v.choice for v in motion.votes} == {"yes", "abstain"}
    assert services.approval_motion(db.session.get(Meeting, held.id)) == motion
    page = client.get(f"/meetings/{coming.key}").get_data(as_text=True)
    assert f'href="{url}"' not in page
    assert "Carried (yes 2, no 0, abstain 1, recused 0)" in page
    earlier = client.get(f"/meetings/{held.key}").get_data(as_text=True)
    assert f"Approved at the <a href=\"/meetings/{coming.key}\">meeting of" in earlier
    assert f"Moved by {people[0].name}, seconded by {people[1].name}" in earlier
    doc = Document(io.BytesIO(client.get(f"/meetings/{held.key}/minutes.docx").data))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "be approved.” Moved by" in text and "Result: Carried (yes 2" in text
    # again: nothing changes, and the item with its motion cannot be removed
    assert client.post(url, data=data).status_code == 302
    assert db.session.query(Motion).count() == 1
    with pytest.raises(DomainError, match="remove the motion first"):
        services.remove_item(None, db.session.get(AgendaItem, item.id))


@time_machine.travel(NOW, tick=False)
def test_a_defeated_or_inquorate_approval_leaves_the_minutes_open(db, cast, held, approving):
    coming, item = approving
    member, secretary = cast["member"].person, cast["secretary"].person
    motion = services.approve_by_motion(None, coming, item, mover=member, seconder=secretary,
                                        votes={member.id: "no", secretary.id: "no"})
    assert motion.result == "defeated" and not held.minutes_locked
    db.session.add(QuorumRule(committee=cast["committee"], min_present=5))
    db.session.flush()
    motion = services.approve_by_motion(None, coming, item, mover=member, seconder=secretary,
                                        votes={member.id: "yes", secretary.id: "yes"})
    assert motion.result == "no_quorum" and not held.minutes_locked
    other = next(i for i in coming.items if i.id != item.id)
    with pytest.raises(DomainError, match="does not approve"):
        services.approve_by_motion(None, coming, other, mover=member, seconder=None, votes={})


@time_machine.travel(NOW, tick=False)
def test_adding_an_action_item_keeps_what_was_typed_in_the_minutes(client, login, db, cast,
                                                                    held):
    login(cast["secretary"])
    item = held.items[0]
    data = {"version": held.version, "text": "General notes typed first",
            "decisions": "Adopt the protocol", f"notes_{item.id}": "Typed notes",
            "action_title": "", "action_owner": "0", "add_action": "1"}
    refused = client.post(f"/meetings/{held.key}/minutes", data=data)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "Say what is to be done." in page
    assert "General notes typed first" in page and "Typed notes" in page  # nothing lost
    data.update(action_title="Call the hospital", action_owner=cast["member"].person_id)
    assert client.post(f"/meetings/{held.key}/minutes", data=data).status_code == 302
    db.session.expire_all()
    meeting = db.session.get(Meeting, held.id)
    assert meeting.minutes_text == "General notes typed first"
    assert meeting.items[0].notes == "Typed notes"
    titles = set(db.session.scalars(select(ActionItem.title).where(
        ActionItem.meeting_id == held.id)))
    assert titles == {"Send bed data", "Call the hospital"}
    page = client.get(f"/meetings/{held.key}/minutes").get_data(as_text=True)
    assert "js/unsaved.js" in page and "data-warn-unsaved" in page
    # the meeting page lists them, each with its owner, linked to its page
    shown = client.get(f"/meetings/{held.key}").get_data(as_text=True)
    for action in db.session.scalars(select(ActionItem).where(
            ActionItem.meeting_id == held.id)):
        assert (f'<a href="/actions/{action.key}">{action.title}</a></th>'
                f"<td>{action.owner.name}</td>") in shown


@time_machine.travel(NOW, tick=False)
def test_minuted_action_items_are_edited_and_deleted_until_approval(client, login, db, cast,
                                                                    held):
    action = db.session.scalar(select(ActionItem).where(ActionItem.meeting_id == held.id))
    login(cast["secretary"])
    url = f"/meetings/{held.key}/minutes/actions/{action.id}"
    assert f"{url}/edit" in client.get(f"/meetings/{held.key}/minutes").get_data(as_text=True)
    refused = client.post(f"{url}/edit", data={"title": "", "owner": action.owner_id})
    assert "This field is required." in refused.get_data(as_text=True)
    assert client.post(f"{url}/edit", data={"title": "Send the bed data",
                                            "owner": action.owner_id}).status_code == 302
    db.session.expire_all()
    assert db.session.get(ActionItem, action.id).title == "Send the bed data"
    services.approve_minutes(None, held)
    db.session.commit()
    client.post(f"{url}/delete")
    db.session.expire_all()
    assert db.session.get(ActionItem, action.id) is not None  # approved: kept
    db.session.get(Meeting, held.id).minutes_approved_at = None
    db.session.commit()
    action_id = action.id
    client.post(f"{url}/delete")
    db.session.expunge_all()
    assert db.session.query(ActionItem).filter_by(id=action_id).count() == 0


@time_machine.travel(NOW, tick=False)
def test_approved_minutes_are_amended_through_their_page(client, login, db, cast, held):
    held.minutes_approved_at = NOW
    db.session.commit()
    login(cast["chair"])
    page = client.get(f"/meetings/{held.key}").get_data(as_text=True)
    assert f"/meetings/{held.key}/minutes/amend" in page
    item = held.items[0]
    data = {"version": held.version, "reason": "", "text": "Corrected",
            "decisions": "", f"notes_{item.id}": ""}
    refused = client.post(f"/meetings/{held.key}/minutes/amend", data=data)
    assert "Say why the approved minutes are amended." in refused.get_data(as_text=True)
    assert "Corrected" in refused.get_data(as_text=True)
    data["reason"] = "Typo"
    assert client.post(f"/meetings/{held.key}/minutes/amend", data=data).status_code == 302
    db.session.expire_all()
    assert db.session.get(Meeting, held.id).minutes_text == "Corrected"
