"""Workgroup pages, My work, the dashboard and the CSV export."""

from datetime import UTC, date, datetime

import time_machine
from sqlalchemy import select

from govtrack.actions.models import ActionItem
from tests.helpers import count_queries

NOW = datetime(2026, 11, 22, 14, 0, tzinfo=UTC)


def _overdue(make, db, cast, title="Send the bed data"):
    action = ActionItem(key=f"od-{title.replace(' ', '-').lower()}",
                        committee=cast["committee"], title=title,
                        owner=cast["member"].person, due=date(2026, 11, 1),
                        workgroup_key=cast["workgroup"].key)
    db.session.add(action)
    db.session.commit()
    return action


@time_machine.travel(NOW, tick=False)
def test_member_updates_an_overdue_action_from_my_work(client, make, db, login):
    cast = make.cast()
    action = _overdue(make, db, cast)
    login(cast["member"])
    page = client.get("/my-work").get_data(as_text=True)
    assert "Overdue" in page and page.index("Send the bed data") < page.index("Share the data")
    response = client.post(f"/actions/{action.key}/update", data={
        f"a{action.id}-status": "done", f"a{action.id}-note": "Sent to OMH",
        f"a{action.id}-version": action.version})
    assert response.status_code == 302
    page = client.get("/my-work").get_data(as_text=True)
    assert 'Send the bed data</a></h3>' not in page
    assert "Overdue" not in page


@time_machine.travel(NOW, tick=False)
def test_a_stale_action_update_is_refused_with_the_note_kept(client, make, db, login):
    cast = make.cast()
    action = _overdue(make, db, cast)
    login(cast["member"])
    stale = action.version
    client.post(f"/actions/{action.key}/update", data={
        f"a{action.id}-status": "in_progress", f"a{action.id}-note": "",
        f"a{action.id}-version": stale})
    response = client.post(f"/actions/{action.key}/update", data={
        f"a{action.id}-status": "blocked", f"a{action.id}-note": "Waiting for the jail",
        f"a{action.id}-version": stale})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Someone else saved this record" in html and "Waiting for the jail" in html


def test_someone_elses_action_cannot_be_updated_by_a_member(client, make, db, login):
    cast = make.cast()
    action = _overdue(make, db, cast)
    other = make.account()
    make.membership(cast["committee"], other.person)
    login(other)
    response = client.post(f"/actions/{action.key}/update", data={
        f"a{action.id}-status": "done", f"a{action.id}-version": action.version})
    assert response.status_code == 403


@time_machine.travel(NOW, tick=False)
def test_dashboard_shows_overdue_actions_by_agency(client, make, db, login):
    cast = make.cast()
    _overdue(make, db, cast)
    login(cast["chair"])
    page = client.get(f"/committees/{cast['committee'].key}/dashboard").get_data(as_text=True)
    agency = cast["member"].person.agency.name
    assert f"{agency} (1)" in page and "Send the bed data" in page


@time_machine.travel(NOW, tick=False)
def test_chair_sets_up_a_workgroup_and_members_post_updates(client, make, db, login):
    cast = make.cast()
    login(cast["chair"])
    response = client.post(f"/committees/{cast['committee'].key}/workgroups/new", data={
        "name": "Crisis data", "charge": "Merge 911 and ED data", "lead": cast["chair"].person_id,
        "members": [cast["member"].person_id], "report_back": "monthly"})
    assert response.status_code == 302
    key = response.headers["Location"].rsplit("/", 1)[1]
    client.post("/logout")
    login(cast["member"])
    response = client.post(f"/workgroups/{key}/updates", data={"text": "Data sharing MOU drafted"})
    assert response.status_code == 302
    page = client.get(f"/workgroups/{key}").get_data(as_text=True)
    assert "Data sharing MOU drafted" in page and "Merge 911 and ED data" in page


@time_machine.travel(NOW, tick=False)
def test_a_late_milestone_is_refused_and_the_title_kept(client, make, db, login):
    cast = make.cast()
    goal = cast["workgroup"].goals[0]
    goal.end_date = date(2027, 1, 31)
    db.session.commit()
    login(cast["chair"])
    response = client.post(f"/goals/{goal.key}/milestones", data={
        f"g{goal.id}-title": "Pilot evaluated", f"g{goal.id}-due": "2027-02-15",
        f"g{goal.id}-owner": "0"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "cannot be due after it" in html and 'value="Pilot evaluated"' in html


def test_csv_export_neutralises_formulas(client, make, db, login):
    cast = make.cast()
    db.session.add(ActionItem(key="csv-1", committee=cast["committee"], title="=HYPERLINK(1)",
                              owner=cast["member"].person))
    db.session.commit()
    login(cast["member"])
    response = client.get(f"/committees/{cast['committee'].key}/actions.csv")
    text = response.get_data(as_text=True)
    assert response.mimetype == "text/csv" and "'=HYPERLINK(1)" in text
    assert "Share the data" in text


@time_machine.travel(NOW, tick=False)
def test_my_work_and_workgroup_pages_run_a_fixed_number_of_queries(web_app, client, make, db,
                                                                   login):
    cast = make.cast()
    login(cast["member"])
    urls = ["/my-work", f"/workgroups/{cast['workgroup'].key}",
            f"/committees/{cast['committee'].key}/dashboard",
            f"/committees/{cast['committee'].key}/workgroups"]
    few = [count_queries(web_app, lambda u=u: client.get(u)) for u in urls]
    for n in range(10):
        _overdue(make, db, cast, title=f"Overdue {n:02d}")
        make.membership(cast["committee"], make.person(), start=date(2025, 1, 1))
    for _ in range(4):
        make.workgroup(cast["committee"], lead=cast["chair"].person,
                       members=[cast["member"].person])
    many = [count_queries(web_app, lambda u=u: client.get(u)) for u in urls]
    # the counts themselves, so a query added to any of these pages is a decision
    assert few == many == [8, 9, 11, 8]


@time_machine.travel(NOW, tick=False)
def test_the_workgroup_page_reads_pdsa_cycles_in_a_fixed_number_of_queries(web_app, client,
                                                                           make, db, login):
    """Its health reads the cycles with their phase histories joined: one query however
    many cycles and phase changes."""
    from govtrack.pdsa.services import create_cycle, move_phase

    cast = make.cast()
    login(cast["member"])
    url = f"/workgroups/{cast['workgroup'].key}"
    goal = cast["workgroup"].goals[0]
    create_cycle(cast["chair"], goal, title="First test", on=date(2026, 10, 1))
    db.session.commit()
    one = count_queries(web_app, lambda: client.get(url))
    for n in range(3):
        cycle = create_cycle(cast["chair"], goal, title=f"Test {n}", on=date(2026, 10, 2))
        move_phase(cast["chair"], cycle, "do", on=date(2026, 10, 9))
    db.session.commit()
    assert count_queries(web_app, lambda: client.get(url)) == one == 9


def test_an_action_update_posted_without_its_version_is_refused(client, make, login, db):
    cast = make.cast()
    key = f"action-{cast['workgroup'].key.removeprefix('wg-')}"
    action = db.session.scalar(select(ActionItem).where(ActionItem.key == key))
    login(cast["chair"])
    response = client.post(f"/actions/{key}/update", data={
        f"a{action.id}-status": "done", f"a{action.id}-note": "Overwrites unseen changes."})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(ActionItem, action.id).status != "done"


def test_a_goal_status_or_action_edit_posted_without_its_version_is_refused(client, make, login,
                                                                            db):
    """Issue 16, defect 12: these two edit-only forms skipped the stale check without it."""
    cast = make.cast()
    goal = cast["workgroup"].goals[0]
    key = f"action-{cast['workgroup'].key.removeprefix('wg-')}"
    action = db.session.scalar(select(ActionItem).where(ActionItem.key == key))
    login(cast["chair"])
    assert client.post(f"/goals/{goal.key}/status",
                       data={"status": "cancelled"}).status_code == 400
    assert client.post(f"/actions/{key}/edit", data={
        "title": "Overwrites unseen changes", "owner": action.owner_id}).status_code == 400
    db.session.expire_all()
    assert db.session.get(type(goal), goal.id).status == "open"
    assert db.session.get(ActionItem, action.id).title != "Overwrites unseen changes"
