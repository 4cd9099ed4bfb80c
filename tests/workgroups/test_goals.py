"""Goals and milestones: edit, re-date (earlier dates kept), cancel, achieve, the timeline."""

from datetime import UTC, date, datetime

import time_machine
from sqlalchemy import select

from govtrack.audit.models import AuditEntry
from govtrack.health.services import flags_for
from govtrack.workgroups import services
from govtrack.workgroups.timeline import slip_words, timeline
from tests.helpers import count_queries

NOW = datetime(2026, 11, 22, 14, 0, tzinfo=UTC)


def _milestone(cast):
    return cast["workgroup"].goals[0].milestones[0]


def _audits(db, kind):
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.object_type == kind)
                                         .order_by(AuditEntry.id)))


def test_re_dating_keeps_the_earlier_dates_and_says_who_moved_them(make, db):
    cast = make.cast()
    milestone = _milestone(cast)
    chair = cast["chair"]
    with time_machine.travel(datetime(2026, 10, 20, 15, tzinfo=UTC), tick=False):
        services.edit_milestone(chair, milestone, milestone.version, title=milestone.title,
                                due=date(2026, 11, 1), owner=milestone.owner)
        db.session.commit()
    with time_machine.travel(datetime(2026, 11, 3, 15, tzinfo=UTC), tick=False):
        services.edit_milestone(chair, milestone, None, title=milestone.title,
                                due=date(2026, 12, 15), owner=milestone.owner,
                                reason="Waiting for the jail's data")
    db.session.commit()
    first = milestone.first_due
    assert [c.new_due for c in milestone.due_changes] == [date(2026, 11, 1), date(2026, 12, 15)]
    assert slip_words(milestone) == (
        f"due {first.day} {first:%b}, moved to 1 Nov on 20 Oct by {chair.person.name}, "
        f"moved to 15 Dec on 3 Nov by {chair.person.name} (Waiting for the jail's data)")
    entries = _audits(db, "Milestone")
    assert entries[-1].changes["due"] == ["2026-11-01", "2026-12-15"]
    assert entries[-1].changes["reason"] == [None, "Waiting for the jail's data"]


def test_a_done_milestone_is_reopened_before_it_is_re_dated(make, db):
    cast = make.cast()
    milestone = _milestone(cast)
    services.set_milestone_status(cast["chair"], milestone, None, "done")
    try:
        services.edit_milestone(cast["chair"], milestone, None, title="x",
                                due=date(2027, 5, 1), owner=None)
    except services.DomainError as exc:
        assert exc.field == "due"
    else:
        raise AssertionError("re-dated a done milestone")


@time_machine.travel(NOW, tick=False)
def test_achieving_a_goal_cancels_its_open_milestones_and_clears_the_flag(make, db):
    cast = make.cast()
    milestone = _milestone(cast)
    milestone.due = date(2026, 11, 1)
    db.session.commit()
    workgroup = cast["workgroup"]
    assert "milestone_overdue" in {f.code for f in flags_for("workgroup", workgroup, NOW.date())}
    goal = workgroup.goals[0]
    services.set_goal_status(cast["member"], goal, goal.version, "achieved")
    db.session.commit()
    assert goal.status == "achieved" and goal.status_at is not None
    assert milestone.status == "cancelled"
    assert "milestone_overdue" not in {f.code
                                       for f in flags_for("workgroup", workgroup, NOW.date())}
    assert _audits(db, "Goal")[-1].changes["status"] == ["open", "achieved"]
    try:
        services.set_milestone_status(cast["member"], milestone, None, "open")
    except services.DomainError as exc:
        assert "reopen the goal" in str(exc)
    else:
        raise AssertionError("reopened a milestone of an achieved goal")


@time_machine.travel(NOW, tick=False)
def test_a_goal_is_edited_and_its_date_cannot_fall_before_an_open_milestone(client, make, db,
                                                                          login):
    cast = make.cast()
    goal = cast["workgroup"].goals[0]
    login(cast["member"])
    assert client.get(f"/goals/{goal.key}/edit").status_code == 200
    response = client.post(f"/goals/{goal.key}/edit", data={
        "title": "Fewer ED transports", "description": "", "end_date": "2026-11-30",
        "version": goal.version})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "re-date the milestone first" in html and 'value="Fewer ED transports"' in html
    response = client.post(f"/goals/{goal.key}/edit", data={
        "title": "Fewer ED transports", "description": "By a third", "end_date": "2027-06-30",
        "version": goal.version})
    assert response.status_code == 302
    db.session.refresh(goal)
    assert goal.title == "Fewer ED transports" and goal.end_date == date(2027, 6, 30)
    response = client.post(f"/goals/{goal.key}/status", data={"status": "cancelled",
                                                              "version": goal.version})
    assert response.status_code == 302
    page = client.get(f"/workgroups/{cast['workgroup'].key}").get_data(as_text=True)
    assert "Cancelled" in page and "Add a milestone to" not in page


@time_machine.travel(NOW, tick=False)
def test_re_dating_from_the_page_shows_the_slip_and_keeps_input_when_refused(client, make,
                                                                             db, login):
    cast = make.cast()
    milestone = _milestone(cast)
    goal = milestone.goal
    goal.end_date = date(2027, 1, 31)
    db.session.commit()
    login(cast["member"])  # the milestone's owner
    url = f"/milestones/{milestone.key}/edit"
    response = client.post(url, data={"title": "Protocol signed", "due": "2027-03-01",
                                      "owner": milestone.owner_id, "reason": "Legal review",
                                      "version": milestone.version})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "cannot be due after it" in html and 'value="Protocol signed"' in html
    assert 'value="Legal review"' in html
    response = client.post(url, data={"title": "Protocol signed", "due": "2027-01-15",
                                      "owner": milestone.owner_id, "reason": "Legal review",
                                      "version": milestone.version})
    assert response.status_code == 302
    page = client.get(f"/workgroups/{cast['workgroup'].key}").get_data(as_text=True)
    assert "moved to 15 Jan on 22 Nov by" in page and "(Legal review)" in page
    assert 'class="gt-slip"' in page and "<svg" in page and ">Today<" in page


@time_machine.travel(NOW, tick=False)
def test_the_timeline_marks_today_slips_and_what_is_overdue(make, db):
    cast = make.cast()
    goal = cast["workgroup"].goals[0]
    late = services.add_milestone(cast["chair"], goal, title="Data agreement",
                                  due=date(2026, 11, 10), owner=None)
    services.edit_milestone(cast["chair"], late, None, title=late.title,
                            due=date(2026, 11, 15), owner=None)
    db.session.commit()
    drawing = timeline(goal, NOW.date())
    row = next(r for r in drawing.rows if r.milestone is late)
    assert row.state == "overdue" and row.first_x < row.x < drawing.today_x
    assert drawing.axis_left <= min(r.x for r in drawing.rows)
    assert max(r.x for r in drawing.rows) <= drawing.axis_right
    assert [t.label for t in drawing.ticks][:2] == ["15 Nov", "1 Dec"]


@time_machine.travel(NOW, tick=False)
def test_the_workgroup_page_reads_slips_in_a_fixed_number_of_queries(web_app, client, make,
                                                                     db, login):
    cast = make.cast()
    login(cast["member"])
    url = f"/workgroups/{cast['workgroup'].key}"
    few = count_queries(web_app, lambda: client.get(url))
    goal = services.add_goal(cast["chair"], cast["workgroup"], title="Second goal")
    for n in range(3):
        m = services.add_milestone(cast["chair"], goal, title=f"Step {n}",
                                   due=date(2026, 12, 1 + n), owner=cast["member"].person)
        services.edit_milestone(cast["chair"], m, None, title=m.title,
                                due=date(2026, 12, 10 + n), owner=cast["member"].person)
    db.session.commit()
    assert count_queries(web_app, lambda: client.get(url)) == few
