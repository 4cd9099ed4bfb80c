"""The dashboard's overdue work by agency: counts, the oldest few, paging, and ageing."""

from datetime import UTC, date, datetime, timedelta

import time_machine

from govtrack.actions.models import ActionItem
from tests.helpers import count_queries

NOW = datetime(2026, 11, 22, 14, 0, tzinfo=UTC)


def _overdue(db, cast, person, n, days_late):
    db.session.add(ActionItem(key=f"late-{person.id}-{n}", committee=cast["committee"],
                              title=f"Late {person.id}-{n:02d}", owner=person,
                              due=NOW.date() - timedelta(days=days_late)))


@time_machine.travel(NOW, tick=False)
def test_overdue_work_is_counted_by_agency_oldest_first_and_paged(client, make, db, login):
    cast = make.cast()
    member, chair = cast["member"].person, cast["chair"].person
    for n in range(30):
        _overdue(db, cast, member, n, days_late=n + 1)
    _overdue(db, cast, chair, 0, days_late=100)
    db.session.commit()
    login(cast["chair"])
    page = client.get(f"/committees/{cast['committee'].key}/dashboard").get_data(as_text=True)
    agency = member.agency
    assert f"{agency.name} (30)" in page and f"{chair.agency.name} (1)" in page
    assert page.index(f"{agency.name} (30)") < page.index(f"{chair.agency.name} (1)")
    assert f"Late {member.id}-29" in page and f"Late {member.id}-27" in page
    assert f"Late {member.id}-26" not in page  # only the three oldest are named
    link = f"/committees/{cast['committee'].key}/overdue/{agency.key}"
    assert f'href="{link}"' in page and f"All 30 overdue of {agency.name}" in page
    # the ageing table: 7 in 1–7 days, 23 in 8–30 days for the member's agency
    assert f'<th scope="row">{agency.name}</th><td>7</td><td>23</td><td>0</td><td>0</td>' in page
    assert 'class="gt-ageing"' in page
    first = client.get(link).get_data(as_text=True)
    assert f"Late {member.id}-29" in first and f"Late {member.id}-04" not in first
    second = client.get(f"{link}?page=2").get_data(as_text=True)
    assert f"Late {member.id}-04" in second and f"Late {member.id}-29" not in second


@time_machine.travel(NOW, tick=False)
def test_only_the_first_agencies_have_their_oldest_named_the_rest_a_link(
        client, make, db, login):
    from govtrack.workgroups.overdue import NAMED_AGENCIES

    cast = make.cast()
    people = []
    # one more agency than are named, the last with the fewest overdue items
    for _ in range(NAMED_AGENCIES + 1):
        person = make.person()
        make.membership(cast["committee"], person, start=date(2025, 1, 1))
        people.append(person)
    db.session.flush()
    for n, person in enumerate(people):
        for i in range(NAMED_AGENCIES + 1 - n):
            _overdue(db, cast, person, i, days_late=i + 1)
    db.session.commit()
    login(cast["chair"])
    key = cast["committee"].key
    page = client.get(f"/committees/{key}/dashboard").get_data(as_text=True)
    first, last = people[0], people[-1]
    assert f"Late {first.id}-" in page and f"<h3>{first.agency.name} (" in page
    # the last agency: counted and linked to its paged list, its items not named
    assert f"Late {last.id}-" not in page and f"<h3>{last.agency.name}" not in page
    assert (f'Also overdue: <a href="/committees/{key}/overdue/{last.agency.key}">'
            f"{last.agency.name} (1)</a>.") in page
    # the ageing table still has every agency
    assert f'<th scope="row">{last.agency.name}</th>' in page


@time_machine.travel(NOW, tick=False)
def test_the_dashboard_runs_a_fixed_number_of_queries(web_app, client, make, db, login):
    cast = make.cast()
    _overdue(db, cast, cast["member"].person, 0, 3)
    db.session.commit()
    login(cast["chair"])
    url = f"/committees/{cast['committee'].key}/dashboard"
    few = count_queries(web_app, lambda: client.get(url))
    for n in range(1, 12):
        person = make.person()
        make.membership(cast["committee"], person, start=date(2025, 1, 1))
        _overdue(db, cast, person, n, 5 * n)
    db.session.commit()
    assert count_queries(web_app, lambda: client.get(url)) == few == 11


@time_machine.travel(NOW, tick=False)
def test_overdue_items_fall_in_the_age_their_days_late_name(make, db):
    from govtrack.workgroups.overdue import AGES, age_bucket, overdue_by_agency

    cast = make.cast()
    member = cast["member"].person
    edges = [1, 7, 8, 30, 31, 90, 91, 400]
    for n, days_late in enumerate(edges):
        _overdue(db, cast, member, n, days_late)
    db.session.commit()
    [agency] = overdue_by_agency(cast["committee"].id, NOW.date())
    wanted = [0] * len(AGES)
    for days_late in edges:
        wanted[age_bucket(days_late)] += 1
    assert agency.ages == wanted == [2, 2, 2, 2] and agency.count == len(edges)


def test_the_ageing_bars_stack_by_age_and_the_agency_with_most_fills_the_width():
    from govtrack.workgroups.overdue import BAR_LEFT, BAR_WIDTH, AgencyOverdue, ageing_bars

    most = AgencyOverdue("a", "A", 4, ages=[1, 0, 3, 0])
    few = AgencyOverdue("b", "B", 1, ages=[0, 0, 0, 1])
    [(first, bars, end), (second, [bar], _)] = ageing_bars([most, few])
    assert first is most and second is few
    # no bar for an age without items; each starts where the one before ends
    assert bars == [(BAR_LEFT, 117.5, 0, 1), (BAR_LEFT + 117.5, 352.5, 2, 3)]
    assert end == BAR_LEFT + BAR_WIDTH
    assert bar == (BAR_LEFT, 117.5, 3, 1)


@time_machine.travel(NOW, tick=False)
def test_milestones_of_the_next_60_days_of_open_workgroups_are_listed_soonest_first(
        client, make, db, login):
    from govtrack.workgroups.models import Milestone

    cast = make.cast()
    member, chair = cast["member"].person, cast["chair"].person
    first = cast["workgroup"]  # its milestone is due in 30 days, owned by the member
    second = make.workgroup(cast["committee"], lead=chair)  # due in 30 days, the chair's
    closed = make.workgroup(cast["committee"], lead=chair, members=[member])
    closed.closed_at = NOW - timedelta(days=1)
    first.name, second.name = "Alpha workgroup", "Beta workgroup"
    goal = second.goals[0]
    for key, title, days, status, owner in (
            ("soon", "Soon and unowned", 5, "open", None),
            ("far", "Beyond 60 days", 61, "open", member),
            ("done", "Already achieved", 10, "achieved", member)):
        goal.milestones.append(Milestone(key=f"ms-{key}", title=title, status=status,
                                         due=NOW.date() + timedelta(days=days), owner=owner))
    db.session.commit()
    login(cast["chair"])
    page = client.get(f"/committees/{cast['committee'].key}/dashboard").get_data(as_text=True)
    assert "No action item is overdue." in page  # none is: the ageing picture is left out
    assert 'class="gt-ageing"' not in page
    listed = page[page.index("<h2>Milestones in the next 60 days</h2>"):]
    soon = f"{(NOW.date() + timedelta(days=5)):%-d %B %Y}: Soon and unowned ({second.name})</li>"
    due = f"{(NOW.date() + timedelta(days=30)):%-d %B %Y}: Protocol drafted"
    assert soon in listed
    # by due date, then by workgroup name; each with its workgroup and owner
    assert (listed.index(soon) < listed.index(f"{due} ({first.name}) — {member.name}")
            < listed.index(f"{due} ({second.name}) — {chair.name}"))
    assert closed.name not in listed
    assert "Beyond 60 days" not in listed and "Already achieved" not in listed


def test_the_ageing_picture_and_table_escape_agency_names():
    from govtrack.workgroups.overdue import AgencyOverdue, ageing_markup

    agency = AgencyOverdue("x", "Fire & Rescue <b>District</b> of the long-named county",
                           2, ages=[1, 0, 0, 1])
    picture, table = ageing_markup([agency])
    escaped = "Fire &amp; Rescue &lt;b&gt;District&lt;/b&gt;"
    assert "<b>" not in picture and "<b>" not in table
    # the label is the first 34 characters, escaped; each bar's title names it in full
    assert f">{escaped} of t</text>" in picture
    assert picture.count(f"<title>{escaped} of the long-named county: 1 overdue") == 2
    assert table == (f'<tr><th scope="row">{escaped} of the long-named county</th>'
                     "<td>1</td><td>0</td><td>0</td><td>1</td><td>2</td></tr>")
