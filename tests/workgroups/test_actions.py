"""An action item's page: its origin and whole log; editors edit and reassign it."""

from datetime import UTC, date, datetime

import time_machine
from sqlalchemy import select

from govtrack.actions.models import ActionItem
from govtrack.audit.models import AuditEntry
from govtrack.notifications.models import Notification
from tests.helpers import count_queries

NOW = datetime(2026, 11, 22, 14, 0, tzinfo=UTC)


def _action(cast):
    return next(iter(ActionItem.query.filter_by(workgroup_key=cast["workgroup"].key)))


@time_machine.travel(NOW, tick=False)
def test_the_page_shows_the_origin_and_the_whole_log(client, make, db, login):
    cast = make.cast()
    action = _action(cast)
    action.origin_kind, action.origin_ref = "workgroup", cast["workgroup"].key
    action.meeting_id = cast["meeting"].id
    db.session.commit()
    login(cast["member"])
    url = f"/actions/{action.key}"
    for status, note in (("in_progress", "Asked the jail"), ("blocked", "Waiting for IT")):
        response = client.post(f"/actions/{action.key}/update?from=action", data={
            f"a{action.id}-status": status, f"a{action.id}-note": note,
            f"a{action.id}-version": db.session.get(ActionItem, action.id).version})
        assert response.headers["Location"].endswith(url)
        db.session.expire_all()
    page = client.get(url).get_data(as_text=True)
    assert "Asked the jail" in page and "Waiting for IT" in page and "moved to Blocked" in page
    assert f'href="/workgroups/{cast["workgroup"].key}"' in page
    assert f'href="/meetings/{cast["meeting"].key}"' in page
    assert "Edit the title, owner or due date" not in page  # the member is no editor
    workgroup_page = client.get(f"/workgroups/{cast['workgroup'].key}").get_data(as_text=True)
    my_work = client.get("/my-work").get_data(as_text=True)
    assert f'href="{url}"' in workgroup_page and f'href="{url}"' in my_work


@time_machine.travel(NOW, tick=False)
def test_a_refused_update_on_the_page_keeps_the_note(client, make, db, login):
    cast = make.cast()
    action = _action(cast)
    login(cast["member"])
    response = client.post(f"/actions/{action.key}/update?from=action", data={
        f"a{action.id}-status": "open", f"a{action.id}-note": "",
        f"a{action.id}-version": action.version})
    assert response.status_code == 400
    assert "Write a note or change the status" in response.get_data(as_text=True)


@time_machine.travel(NOW, tick=False)
def test_an_editor_reassigns_and_re_dates_and_the_new_owner_is_told(client, make, db, login):
    cast = make.cast()
    action = _action(cast)
    login(cast["secretary"])
    new_owner = cast["chair"].person
    response = client.post(f"/actions/{action.key}/edit", data={
        "title": "Share the bed data", "owner": new_owner.id, "due": "2027-01-15",
        "version": action.version})
    assert response.status_code == 302
    db.session.expire_all()
    action = db.session.get(ActionItem, action.id)
    assert action.owner_id == new_owner.id and action.due == date(2027, 1, 15)
    note = action.updates[-1].note
    assert "Reassigned from" in note and "to 15 January 2027" in note and "Renamed" in note
    told = db.session.scalars(select(Notification).where(
        Notification.person_id == new_owner.id)).all()
    assert [n.link for n in told] == [f"/actions/{action.key}"]
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.object_type == "ActionItem", AuditEntry.action == "update")
        .order_by(AuditEntry.id)).all()[-1]
    assert entry.changes["owner_id"][1] == new_owner.id


@time_machine.travel(NOW, tick=False)
def test_an_edit_is_refused_field_by_field_with_the_input_kept(client, make, db, login):
    cast = make.cast()
    action = _action(cast)
    outsider = cast["outsider"].person
    login(cast["chair"])
    response = client.post(f"/actions/{action.key}/edit", data={
        "title": "Renamed action", "owner": outsider.id, "due": "2027-01-15",
        "version": action.version})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Not a valid choice" in html and 'value="Renamed action"' in html


def test_the_owner_who_is_no_editor_cannot_edit(client, make, db, login):
    cast = make.cast()
    action = _action(cast)
    login(cast["member"])
    response = client.post(f"/actions/{action.key}/edit", data={
        "title": "Mine now", "owner": cast["member"].person_id, "version": action.version})
    assert response.status_code == 403


@time_machine.travel(NOW, tick=False)
def test_the_action_page_runs_a_fixed_number_of_queries(web_app, client, make, db, login):
    cast = make.cast()
    action = _action(cast)
    login(cast["chair"])
    url = f"/actions/{action.key}"
    few = count_queries(web_app, lambda: client.get(url))
    for n in range(5):
        client.post(f"/actions/{action.key}/update?from=action", data={
            f"a{action.id}-status": "blocked" if n % 2 else "in_progress",
            f"a{action.id}-note": f"note {n}",
            f"a{action.id}-version": db.session.get(ActionItem, action.id).version})
        db.session.expire_all()
    assert count_queries(web_app, lambda: client.get(url)) == few
