"""My work: next meetings in the committee's zone, report-backs due, names not keys, a
chair's to-do list, in a fixed number of queries."""

import re
from datetime import UTC, date, datetime, timedelta

import time_machine

from govtrack.actions.models import ActionItem
from govtrack.meetings.models import AgendaItem, Meeting
from tests.helpers import count_queries

NOW = datetime(2026, 11, 22, 14, 0, tzinfo=UTC)


def _meeting(db, committee, key, starts_at, **values):
    meeting = Meeting(key=key, committee=committee, starts_at=starts_at, **values)
    db.session.add(meeting)
    db.session.commit()
    return meeting


@time_machine.travel(NOW, tick=False)
def test_members_see_next_meetings_in_the_committees_zone_and_workgroup_names(client, make,
                                                                             db, login):
    cast = make.cast()
    committee = cast["committee"]
    committee.timezone = "America/Chicago"
    _meeting(db, committee, "next-one", datetime(2026, 12, 8, 20, 0, tzinfo=UTC))
    login(cast["member"])
    page = client.get("/my-work").get_data(as_text=True)
    assert "Tue 8 Dec 2026, 14:00 CST" in page and 'href="/meetings/next-one"' in page
    workgroup = cast["workgroup"]
    assert f'<a href="/workgroups/{workgroup.key}">{workgroup.name}</a>' in page
    assert f"workgroup {workgroup.key}" not in page
    assert "My workgroups report back" in page and "(not on the agenda yet)" in page


@time_machine.travel(NOW, tick=False)
def test_a_report_back_on_the_agenda_is_said_so(client, make, db, login):
    cast = make.cast()
    meeting = cast["meeting"]
    meeting.starts_at = NOW + timedelta(days=10)
    db.session.add(AgendaItem(meeting=meeting, title="Report", kind="report_back",
                              workgroup_key=cast["workgroup"].key))
    db.session.commit()
    login(cast["member"])
    page = client.get("/my-work").get_data(as_text=True)
    assert "My workgroups report back" in page and "(not on the agenda yet)" not in page


@time_machine.travel(NOW, tick=False)
def test_the_chair_has_a_to_do_list(client, make, db, login):
    cast = make.cast()
    committee = cast["committee"]
    cast["meeting"].starts_at = NOW + timedelta(days=60)
    _meeting(db, committee, "ahead", NOW + timedelta(days=10))
    held = _meeting(db, committee, "held", NOW - timedelta(days=20))
    milestone = cast["workgroup"].goals[0].milestones[0]
    milestone.due = date(2026, 11, 1)
    db.session.commit()
    login(cast["chair"])
    page = client.get("/my-work").get_data(as_text=True)
    assert f"To do for {committee.name}" in page
    assert "Draft and publish the agenda for" in page and 'href="/meetings/ahead"' in page
    # approved by a motion of the next meeting: the to-do leads there
    assert re.search(rf'href="/meetings/ahead">Approve the minutes of '
                     rf'{held.starts_at:%a} [^<]* at the meeting of', page)
    assert f"{cast['workgroup'].name} has stalled" in page
    client.post("/logout")
    login(cast["member"])
    assert "To do for" not in client.get("/my-work").get_data(as_text=True)


@time_machine.travel(NOW, tick=False)
def test_my_work_runs_a_fixed_number_of_queries_for_a_chair(web_app, client, make, db, login):
    cast = make.cast()
    committee = cast["committee"]
    # one of everything the page reads, then more of each
    make.workgroup(committee, lead=cast["chair"].person, members=[cast["chair"].person])
    _meeting(db, committee, "m-first", NOW + timedelta(days=2))
    _meeting(db, committee, "h-first", NOW - timedelta(days=2))
    db.session.add(ActionItem(key="chair-first", committee=committee, title="Chair's first",
                              owner=cast["chair"].person, due=date(2026, 11, 1),
                              workgroup_key=cast["workgroup"].key))
    db.session.commit()
    login(cast["chair"])
    few = count_queries(web_app, lambda: client.get("/my-work"))
    for n in range(3):
        _meeting(db, committee, f"m-{n}", NOW + timedelta(days=7 * (n + 1)))
        _meeting(db, committee, f"h-{n}", NOW - timedelta(days=7 * (n + 1)))
        make.workgroup(committee, lead=cast["chair"].person, members=[cast["chair"].person])
        other = make.committee()
        make.membership(other, cast["chair"].person, role="chair")
        _meeting(db, other, f"o-{n}", NOW + timedelta(days=3))
    db.session.add(ActionItem(key="chair-own", committee=committee, title="Chair's own",
                              owner=cast["chair"].person, due=date(2026, 11, 1),
                              workgroup_key=cast["workgroup"].key))
    db.session.commit()
    assert count_queries(web_app, lambda: client.get("/my-work")) == few == 14
