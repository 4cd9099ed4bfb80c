"""Closing a workgroup with a reason and a note, and reopening it."""

from datetime import UTC, date, datetime

import time_machine

from govtrack.health.services import flags_for
from govtrack.workgroups.models import Workgroup

NOW = datetime(2026, 11, 22, 14, 0, tzinfo=UTC)


@time_machine.travel(NOW, tick=False)
def test_a_closed_workgroup_leaves_the_health_rules_and_stays_readable(client, make, db,
                                                                      login):
    cast = make.cast()
    workgroup = cast["workgroup"]
    workgroup.goals[0].milestones[0].due = date(2026, 11, 1)
    db.session.commit()
    assert flags_for("workgroup", workgroup, NOW.date())
    login(cast["chair"])
    assert "Close the workgroup" in client.get(f"/workgroups/{workgroup.key}").get_data(
        as_text=True)
    response = client.post(f"/workgroups/{workgroup.key}/close", data={
        "reason": "merged", "note": "Folded into the 911 data workgroup",
        "version": workgroup.version})
    assert response.status_code == 302
    db.session.expire_all()
    workgroup = db.session.get(Workgroup, workgroup.id)
    assert workgroup.closed_reason == "merged" and workgroup.closed_at is not None
    committee = cast["committee"].key
    dashboard = client.get(f"/committees/{committee}/dashboard").get_data(as_text=True)
    assert workgroup.name not in dashboard.split("Stalled")[-1].split("Overdue")[0]
    page = client.get(f"/workgroups/{workgroup.key}").get_data(as_text=True)
    assert "Merged into other work" in page and "Folded into the 911 data workgroup" in page
    assert "This workgroup has stalled" not in page
    response = client.post(f"/workgroups/{workgroup.key}/reopen")
    assert response.status_code == 302
    db.session.expire_all()
    workgroup = db.session.get(Workgroup, workgroup.id)
    assert workgroup.closed_at is None and workgroup.closed_reason is None


@time_machine.travel(NOW, tick=False)
def test_closing_as_abandoned_needs_a_note_and_keeps_the_choice(client, make, db, login):
    cast = make.cast()
    workgroup = cast["workgroup"]
    login(cast["secretary"])
    response = client.post(f"/workgroups/{workgroup.key}/close", data={
        "reason": "abandoned", "note": "", "version": workgroup.version})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Say where the work went or why it stops" in html
    assert '<option selected value="abandoned">' in html
    response = client.post(f"/workgroups/{workgroup.key}/close", data={
        "reason": "", "note": "Typed note", "version": workgroup.version})
    html = response.get_data(as_text=True)
    assert "Choose why it closes" in html and "Typed note" in html


def test_a_member_cannot_close_a_workgroup(client, make, db, login):
    cast = make.cast()
    login(cast["member"])
    response = client.post(f"/workgroups/{cast['workgroup'].key}/close", data={
        "reason": "achieved"})
    assert response.status_code == 403
