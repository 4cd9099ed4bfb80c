"""The workgroups' health rules, on both sides of each threshold, since dates included."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import event

from govtrack.actions.models import ActionItem, ActionUpdate
from govtrack.actions.services import update_action
from govtrack.clock import today
from govtrack.extensions import db as _db
from govtrack.health.services import Flag, flags_for, flags_of_each, report
from govtrack.meetings.models import AgendaItem, Attendance, Meeting
from govtrack.workgroups import services
from govtrack.workgroups.health import action_status_on, last_activity, open_on
from govtrack.workgroups.models import (
    Goal,
    Milestone,
    MilestoneDueChange,
    Workgroup,
    WorkgroupUpdate,
)

NEW_YORK = ZoneInfo("America/New_York")
#: 2026-01-05 10:00 in New York: the workgroups below are created then
CREATED = datetime(2026, 1, 5, 15, 0, tzinfo=UTC)


def ny(day: date, hour: int = 12, minute: int = 0) -> datetime:
    """An instant on New York's wall clock, in UTC."""
    return datetime(day.year, day.month, day.day, hour, minute,
                    tzinfo=NEW_YORK).astimezone(UTC)


def flags(workgroup, day: date, code: str) -> list[Flag]:
    """The workgroup's flags of one code on day."""
    return [f for f in flags_for("workgroup", workgroup, day) if f.code == code]


@pytest.fixture
def committee(make):
    """A committee in New York meeting monthly, stalling after 30 days, with four members."""
    committee = make.committee(timezone="America/New_York",
                               cadence_rrule="FREQ=MONTHLY;BYDAY=2TU",
                               cadence_dtstart=datetime(2025, 1, 14, 15, 0),
                               stall_after_days=30)
    committee.people = [make.person() for _ in range(4)]
    for person in committee.people:
        make.membership(committee, person, start=date(2025, 1, 1))
    return committee


@pytest.fixture
def group(db, committee):
    """group(**values): a workgroup of the committee's members, created on CREATED."""
    counter = iter(range(1, 1000))

    def build(members=None, **values):
        n = next(counter)
        values = {"key": f"wg-{n}", "name": f"Workgroup {n}", "created_at": CREATED,
                  "report_back": "monthly"} | values
        people = committee.people if members is None else members
        workgroup = Workgroup(committee=committee, lead=people[0] if people else None,
                              members=list(people), **values)
        db.session.add(workgroup)
        db.session.commit()
        return workgroup

    return build


def add_milestone(db, workgroup, due: date, status="open", done_at=None) -> Milestone:
    """A milestone of the workgroup's (first) goal."""
    if not workgroup.goals:
        workgroup.goals.append(Goal(key=f"goal-{workgroup.key}", title="Goal"))
    goal = workgroup.goals[0]
    milestone = Milestone(key=f"m-{workgroup.key}-{len(goal.milestones) + 1}",
                          title="Step", due=due, status=status, done_at=done_at)
    goal.milestones.append(milestone)
    db.session.commit()
    return milestone


def add_action(db, workgroup, due: date | None, status="open", created_at=CREATED,
               key=None, updates=()) -> ActionItem:
    """An action item of the workgroup, owned by its lead; updates: (at, status) pairs."""
    action = ActionItem(key=key or f"a-{workgroup.key}-{due}-{status}-{created_at:%j%H%M}",
                        committee=workgroup.committee, title="Do it",
                        owner=workgroup.members[0], due=due, status=status,
                        workgroup_key=workgroup.key, created_at=created_at)
    for at, new_status in updates:
        action.updates.append(ActionUpdate(at=at, by=workgroup.members[0], status=new_status,
                                           note="Progress."))
    db.session.add(action)
    db.session.commit()
    return action


def hold(db, committee, day: date, *, present=(), absent=(), designee=(),
         report_backs=(), items=(), status="held") -> Meeting:
    """A committee meeting on day at 15:00 New York; report_backs: workgroups reporting."""
    meeting = Meeting(key=f"{committee.key}-{day.isoformat()}", committee=committee,
                      starts_at=ny(day, 15), status=status)
    db.session.add(meeting)
    for n, workgroup in enumerate(report_backs):
        meeting.items.append(AgendaItem(position=n, title=f"{workgroup.name} report",
                                        kind="report_back", workgroup_key=workgroup.key))
    for n, (kind, workgroup) in enumerate(items, start=len(report_backs)):
        meeting.items.append(AgendaItem(position=n, title="Other", kind=kind,
                                        workgroup_key=workgroup.key))
    for person in present:
        meeting.attendance.append(Attendance(person=person, status="present"))
    for person, stand_in in designee:
        meeting.attendance.append(Attendance(person=person, status="designee",
                                             designee=stand_in))
    for person in absent:
        meeting.attendance.append(Attendance(person=person, status="absent"))
    db.session.commit()
    return meeting


# --- no_update ----------------------------------------------------------------------


def test_no_update_holds_n_days_after_the_creation(group):
    workgroup = group()
    created = date(2026, 1, 5)
    assert flags(workgroup, created + timedelta(days=29), "no_update") == []
    assert flags(workgroup, created + timedelta(days=30), "no_update") == [
        Flag("no_update", date(2026, 2, 4))]
    assert flags(workgroup, date(2026, 6, 1), "no_update") == [
        Flag("no_update", date(2026, 2, 4))]


def test_n_is_the_committees_stall_after_days(db, committee, group):
    committee.stall_after_days = 10
    db.session.commit()
    workgroup = group()
    assert flags(workgroup, date(2026, 1, 14), "no_update") == []
    assert flags(workgroup, date(2026, 1, 15), "no_update") == [
        Flag("no_update", date(2026, 1, 15))]


def test_an_update_posted_through_the_app_restarts_the_count(db, group, make):
    workgroup = group()
    poster = make.account(person=workgroup.members[0])
    with time_machine.travel(datetime(2026, 3, 2, 14, 0, tzinfo=UTC), tick=False):
        services.post_update(poster, workgroup, "Protocol drafted.")
        db.session.commit()
    # before the update the flag had held since 4 February; the update ends it
    assert flags(workgroup, date(2026, 3, 1), "no_update") == [
        Flag("no_update", date(2026, 2, 4))]
    assert flags(workgroup, date(2026, 3, 2), "no_update") == []
    assert flags(workgroup, date(2026, 3, 31), "no_update") == []
    assert flags(workgroup, date(2026, 4, 1), "no_update") == [
        Flag("no_update", date(2026, 4, 1))]


def test_an_update_of_one_of_its_action_items_is_activity(db, group, make):
    workgroup = group()
    action = add_action(db, workgroup, due=date(2026, 6, 30))
    other = group()
    add_action(db, other, due=date(2026, 6, 30), key="a-other",
               updates=[(ny(date(2026, 3, 20)), None)])
    actor = make.account(person=workgroup.members[0])
    with time_machine.travel(ny(date(2026, 2, 20), 16), tick=False):
        update_action(actor, action, status="in_progress", note="Started.")
        db.session.commit()
    assert last_activity(workgroup, date(2026, 3, 25)) == date(2026, 2, 20)
    assert flags(workgroup, date(2026, 3, 21), "no_update") == []
    assert flags(workgroup, date(2026, 3, 22), "no_update") == [
        Flag("no_update", date(2026, 3, 22))]
    # another workgroup's action update is not this one's activity
    assert last_activity(other, date(2026, 3, 25)) == date(2026, 3, 20)


def test_rows_read_for_many_workgroups_see_their_action_items_updates_too(db, group):
    # the dashboard, My work and the report read workgroups as rows (open_workgroups),
    # each with its action items' latest update up to the day judged
    workgroup, other = group(), group()
    add_action(db, workgroup, due=date(2026, 6, 30), key="a-mine",
               updates=[(ny(date(2026, 2, 20)), None), (ny(date(2026, 4, 1)), None)])
    add_action(db, other, due=date(2026, 6, 30), key="a-other",
               updates=[(ny(date(2026, 3, 20)), None)])

    def no_update(day):
        entries = {e["key"]: e["flags"] for e in report(day)["committees"][0]["workgroups"]}
        return [f for f in entries[workgroup.key] if f["code"] == "no_update"]

    assert no_update(date(2026, 3, 21)) == []
    assert no_update(date(2026, 3, 22)) == [{"code": "no_update", "since": "2026-03-22"}]
    assert no_update(date(2026, 3, 31)) == [{"code": "no_update", "since": "2026-03-22"}]
    assert no_update(date(2026, 4, 1)) == []


def test_a_milestone_marked_done_is_activity(db, group, make):
    workgroup = group()
    milestone = add_milestone(db, workgroup, due=date(2026, 3, 31))
    with time_machine.travel(ny(date(2026, 3, 10), 9), tick=False):
        services.set_milestone_status(None, milestone, milestone.version, "done")
        db.session.commit()
    assert last_activity(workgroup, date(2026, 4, 1)) == date(2026, 3, 10)
    assert flags(workgroup, date(2026, 4, 8), "no_update") == []
    assert flags(workgroup, date(2026, 4, 9), "no_update") == [
        Flag("no_update", date(2026, 4, 9))]


def test_activity_after_the_as_of_date_does_not_count(db, group):
    workgroup = group()
    workgroup.updates.append(WorkgroupUpdate(at=ny(date(2026, 2, 20)),
                                             by=workgroup.members[0], text="Late news."))
    db.session.commit()
    assert flags(workgroup, date(2026, 2, 19), "no_update") == [
        Flag("no_update", date(2026, 2, 4))]
    assert flags(workgroup, date(2026, 2, 20), "no_update") == []


def test_the_date_of_an_update_is_taken_in_the_committees_time_zone(db, group):
    workgroup = group()
    # 1 March 03:00 UTC is still 28 February in New York
    workgroup.updates.append(WorkgroupUpdate(at=datetime(2026, 3, 1, 3, 0, tzinfo=UTC),
                                             by=workgroup.members[0], text="Late at night."))
    db.session.commit()
    assert last_activity(workgroup, date(2026, 3, 1)) == date(2026, 2, 28)
    assert flags(workgroup, date(2026, 3, 30), "no_update") == [
        Flag("no_update", date(2026, 3, 30))]


# --- milestone_overdue --------------------------------------------------------------


def test_an_open_milestone_is_overdue_the_day_after_it_is_due(db, group):
    workgroup = group()
    add_milestone(db, workgroup, due=date(2026, 3, 10))
    assert flags(workgroup, date(2026, 3, 10), "milestone_overdue") == []
    assert flags(workgroup, date(2026, 3, 11), "milestone_overdue") == [
        Flag("milestone_overdue", date(2026, 3, 11))]


def test_since_is_the_earliest_overdue_milestones_due_date_plus_one(db, group):
    workgroup = group()
    add_milestone(db, workgroup, due=date(2026, 3, 10))
    add_milestone(db, workgroup, due=date(2026, 2, 27))
    add_milestone(db, workgroup, due=date(2026, 5, 1))
    assert flags(workgroup, date(2026, 4, 1), "milestone_overdue") == [
        Flag("milestone_overdue", date(2026, 2, 28))]


def test_done_and_cancelled_milestones_are_not_overdue(db, group):
    workgroup = group()
    add_milestone(db, workgroup, due=date(2026, 3, 10), status="done",
                  done_at=ny(date(2026, 3, 9)))
    add_milestone(db, workgroup, due=date(2026, 3, 10), status="cancelled")
    assert flags(workgroup, date(2026, 4, 1), "milestone_overdue") == []


def test_a_milestone_done_after_the_as_of_date_was_still_open_on_it(db, group):
    workgroup = group()
    add_milestone(db, workgroup, due=date(2026, 3, 10), status="done",
                  done_at=ny(date(2026, 3, 20)))
    assert flags(workgroup, date(2026, 3, 19), "milestone_overdue") == [
        Flag("milestone_overdue", date(2026, 3, 11))]
    # done on the as-of date: no longer open on it
    assert flags(workgroup, date(2026, 3, 20), "milestone_overdue") == []


def test_since_goes_back_to_the_start_of_the_unbroken_run(db, group):
    workgroup = group()
    # overdue from 2 March until it was done on 20 March; the next one from 11 March
    add_milestone(db, workgroup, due=date(2026, 3, 1), status="done",
                  done_at=ny(date(2026, 3, 20)))
    add_milestone(db, workgroup, due=date(2026, 3, 10))
    assert flags(workgroup, date(2026, 4, 1), "milestone_overdue") == [
        Flag("milestone_overdue", date(2026, 3, 2))]


def test_a_break_in_the_run_starts_since_again(db, group):
    workgroup = group()
    # overdue 2–4 March, then nothing until the next one falls due on 10 March
    add_milestone(db, workgroup, due=date(2026, 3, 1), status="done",
                  done_at=ny(date(2026, 3, 5)))
    add_milestone(db, workgroup, due=date(2026, 3, 10))
    assert flags(workgroup, date(2026, 3, 4), "milestone_overdue") == [
        Flag("milestone_overdue", date(2026, 3, 2))]
    assert flags(workgroup, date(2026, 3, 8), "milestone_overdue") == []
    assert flags(workgroup, date(2026, 4, 1), "milestone_overdue") == [
        Flag("milestone_overdue", date(2026, 3, 11))]


def _redated(db, workgroup) -> Milestone:
    """Due 1 March, moved on 20 March (New York) to 30 April."""
    milestone = add_milestone(db, workgroup, due=date(2026, 4, 30))
    milestone.due_changes.append(MilestoneDueChange(
        old_due=date(2026, 3, 1), new_due=date(2026, 4, 30), at=ny(date(2026, 3, 20), 21)))
    db.session.commit()
    return milestone


@pytest.mark.parametrize(("day", "since"), [
    (date(2026, 3, 1), None),
    # before the re-dating it was overdue by the date it had then
    (date(2026, 3, 19), date(2026, 3, 2)),
    (date(2026, 3, 20), None),  # the day it was moved (at 21:00 in New York)
    (date(2026, 4, 30), None),
    (date(2026, 5, 3), date(2026, 5, 1)),
])
def test_a_redated_milestone_is_judged_by_the_due_date_it_had_on_the_day(db, group, day,
                                                                          since):
    workgroup = group()
    _redated(db, workgroup)
    expected = [Flag("milestone_overdue", since)] if since else []
    assert flags(workgroup, day, "milestone_overdue") == expected
    db.session.expire_all()
    listed = report(day)["committees"][0]["workgroups"]
    assert [f for f in listed[0]["flags"] if f["code"] == "milestone_overdue"] == (
        [{"code": "milestone_overdue", "since": since.isoformat()}] if since else [])


def test_a_milestone_moved_to_another_past_date_stays_overdue_since_the_first(db, group):
    workgroup = group()
    milestone = add_milestone(db, workgroup, due=date(2026, 3, 10))
    milestone.due_changes.append(MilestoneDueChange(
        old_due=date(2026, 3, 1), new_due=date(2026, 3, 10), at=ny(date(2026, 3, 15))))
    db.session.commit()
    assert flags(workgroup, date(2026, 3, 20), "milestone_overdue") == [
        Flag("milestone_overdue", date(2026, 3, 2))]
    # moved while still ahead, it stops being overdue on the day it is moved
    milestone.due_changes[0].at = ny(date(2026, 3, 5))
    db.session.commit()
    assert flags(workgroup, date(2026, 3, 20), "milestone_overdue") == [
        Flag("milestone_overdue", date(2026, 3, 11))]


# --- actions_overdue ----------------------------------------------------------------


def test_one_overdue_action_is_not_enough(db, group):
    workgroup = group()
    add_action(db, workgroup, due=date(2026, 3, 10))
    add_action(db, workgroup, due=date(2026, 5, 1))
    add_action(db, workgroup, due=None)
    assert flags(workgroup, date(2026, 4, 1), "actions_overdue") == []


def test_two_overdue_actions_flag_from_the_second_due_date_plus_one(db, group):
    workgroup = group()
    add_action(db, workgroup, due=date(2026, 3, 10), status="in_progress")
    add_action(db, workgroup, due=date(2026, 3, 17), status="blocked")
    add_action(db, workgroup, due=date(2026, 3, 24))
    assert flags(workgroup, date(2026, 3, 17), "actions_overdue") == []
    assert flags(workgroup, date(2026, 3, 18), "actions_overdue") == [
        Flag("actions_overdue", date(2026, 3, 18))]
    assert flags(workgroup, date(2026, 4, 1), "actions_overdue") == [
        Flag("actions_overdue", date(2026, 3, 18))]


def test_done_and_cancelled_actions_and_other_workgroups_actions_do_not_count(db, group):
    workgroup, other = group(), group()
    add_action(db, workgroup, due=date(2026, 3, 10))
    add_action(db, workgroup, due=date(2026, 3, 11), status="done")
    add_action(db, workgroup, due=date(2026, 3, 12), status="cancelled")
    add_action(db, other, due=date(2026, 3, 13))
    assert flags(workgroup, date(2026, 4, 1), "actions_overdue") == []


def test_an_action_closed_after_the_as_of_date_was_still_open_on_it(db, group, make):
    workgroup = group()
    add_action(db, workgroup, due=date(2026, 3, 10))
    late = add_action(db, workgroup, due=date(2026, 3, 12))
    actor = make.account(person=workgroup.members[0])
    with time_machine.travel(ny(date(2026, 3, 20), 9), tick=False):
        update_action(actor, late, status="done", note="Finally.")
        db.session.commit()
    assert action_status_on(workgroup, late, date(2026, 3, 19)) == "open"
    assert action_status_on(workgroup, late, date(2026, 3, 20)) == "done"
    assert flags(workgroup, date(2026, 3, 19), "actions_overdue") == [
        Flag("actions_overdue", date(2026, 3, 13))]
    assert flags(workgroup, date(2026, 3, 20), "actions_overdue") == []


def test_an_action_created_after_the_as_of_date_does_not_count(db, group):
    workgroup = group()
    add_action(db, workgroup, due=date(2026, 3, 10))
    add_action(db, workgroup, due=date(2026, 3, 12), created_at=ny(date(2026, 3, 25)))
    assert flags(workgroup, date(2026, 3, 24), "actions_overdue") == []
    # created late, already past due: the pair holds from its creation
    assert flags(workgroup, date(2026, 3, 25), "actions_overdue") == [
        Flag("actions_overdue", date(2026, 3, 25))]


def test_an_action_reopened_and_closed_again_is_overdue_only_while_open(db, group):
    """Each stretch between logged status changes is judged by the status then: blocked
    after its due date, done for a week, reopened, done again."""
    workgroup = group()
    add_action(db, workgroup, due=date(2026, 3, 10))
    add_action(db, workgroup, due=date(2026, 3, 12), status="done", updates=[
        (ny(date(2026, 3, 14)), "blocked"), (ny(date(2026, 3, 20)), "done"),
        (ny(date(2026, 3, 27)), "in_progress"), (ny(date(2026, 4, 3)), "done")])
    overdue = {day: flags(workgroup, day, "actions_overdue")
               for day in (date(2026, 3, 13), date(2026, 3, 19), date(2026, 3, 20),
                           date(2026, 3, 27), date(2026, 4, 2), date(2026, 4, 3))}
    assert overdue == {
        date(2026, 3, 13): [Flag("actions_overdue", date(2026, 3, 13))],
        date(2026, 3, 19): [Flag("actions_overdue", date(2026, 3, 13))],
        date(2026, 3, 20): [],
        date(2026, 3, 27): [Flag("actions_overdue", date(2026, 3, 27))],
        date(2026, 4, 2): [Flag("actions_overdue", date(2026, 3, 27))],
        date(2026, 4, 3): []}


def test_flags_of_each_judges_each_workgroup_as_flags_for_does(db, committee, group):
    """One preloaded block for many workgroups (the agenda draft's stalled workgroups):
    each one's flags, in the workgroups' order, as flags_for gives them one by one."""
    overdue, late, healthy = group(), group(), group()
    add_action(db, overdue, due=date(2026, 3, 10))
    add_action(db, overdue, due=date(2026, 3, 12), status="blocked")
    add_milestone(db, late, due=date(2026, 3, 1))
    add_milestone(db, healthy, due=date(2026, 6, 1))
    hold(db, committee, date(2026, 3, 10), report_backs=[healthy, late, overdue])
    workgroups = [late, healthy, overdue]
    day = date(2026, 3, 20)
    each = flags_of_each("workgroup", workgroups, day)
    assert each == [flags_for("workgroup", w, day) for w in workgroups]
    # (none updated since its creation in January: each also has no update for 30 days)
    assert [[f.code for f in found] for found in each] == [
        ["milestone_overdue", "no_update"], ["no_update"], ["actions_overdue", "no_update"]]
    assert [f.words for f in each[0]] == ["A milestone is overdue",
                                          "No update, milestone or action activity for 30 days"]


def test_the_page_reads_the_same_health_from_its_one_reading_of_the_action_items(
        db, committee, group):
    """health_and_actions hands the rules every action item with its whole log (not only
    those due before the day) and the meetings it reported back at: the same reasons
    on each day, and every item listed."""
    workgroup, idle = group(report_back="every_meeting"), group(report_back="every_meeting")
    hold(db, committee, date(2026, 2, 10), report_backs=[workgroup])
    hold(db, committee, date(2026, 3, 10), report_backs=[idle])
    hold(db, committee, date(2026, 4, 14), report_backs=[workgroup])
    hold(db, committee, date(2026, 5, 12), items=[("discussion", workgroup)])
    for day in (date(2026, 3, 11), date(2026, 5, 13), date(2026, 6, 1)):
        assert services.health_and_actions(idle, day) == (services.stall_reasons(idle, day),
                                                          [])
    add_action(db, workgroup, due=date(2026, 3, 10))
    add_action(db, workgroup, due=date(2026, 3, 11), status="done",
               updates=[(ny(date(2026, 3, 9)), "done")])
    add_action(db, workgroup, due=date(2026, 3, 12), status="done",
               updates=[(ny(date(2026, 3, 2)), None), (ny(date(2026, 3, 20)), "done")])
    add_action(db, workgroup, due=date(2026, 3, 30), status="blocked")
    add_action(db, workgroup, due=None, updates=[(ny(date(2026, 4, 20)), None)])
    for day in (date(2026, 3, 12), date(2026, 3, 19), date(2026, 3, 20), date(2026, 4, 1),
                date(2026, 4, 19), date(2026, 4, 21), date(2026, 5, 30)):
        reasons, actions = services.health_and_actions(workgroup, day)
        assert reasons == services.stall_reasons(workgroup, day), day
        assert [a.due for a in actions] == [date(2026, 3, 10), date(2026, 3, 30), None,
                                            date(2026, 3, 11), date(2026, 3, 12)]
    assert any("overdue" in r for r in services.health_and_actions(
        workgroup, date(2026, 3, 19))[0])
    assert any("report-back" in r for r in services.health_and_actions(
        idle, date(2026, 5, 13))[0])
    # an action item's latest update (a note on 20 April) is activity from its day on
    def silent(day: date) -> bool:
        return any(r.startswith("No update") for r in services.health_and_actions(
            workgroup, day)[0])

    assert silent(date(2026, 4, 19)) and not silent(date(2026, 5, 19))
    assert silent(date(2026, 5, 20))


# --- missed_report_backs ------------------------------------------------------------


def test_two_missed_report_backs_flag_from_the_second_meeting(db, committee, group):
    workgroup = group(report_back="every_meeting")
    hold(db, committee, date(2026, 2, 10), report_backs=[workgroup])
    hold(db, committee, date(2026, 3, 10))
    hold(db, committee, date(2026, 4, 14))
    assert flags(workgroup, date(2026, 4, 13), "missed_report_backs") == []
    # a meeting held on the as-of date has happened
    assert flags(workgroup, date(2026, 4, 14), "missed_report_backs") == [
        Flag("missed_report_backs", date(2026, 4, 14))]
    hold(db, committee, date(2026, 5, 12))
    assert flags(workgroup, date(2026, 6, 1), "missed_report_backs") == [
        Flag("missed_report_backs", date(2026, 4, 14))]


def test_a_report_back_ends_the_run(db, committee, group):
    workgroup = group(report_back="every_meeting")
    hold(db, committee, date(2026, 2, 10))
    hold(db, committee, date(2026, 3, 10))
    hold(db, committee, date(2026, 4, 14), report_backs=[workgroup])
    hold(db, committee, date(2026, 5, 12))
    assert flags(workgroup, date(2026, 3, 31), "missed_report_backs") == [
        Flag("missed_report_backs", date(2026, 3, 10))]
    assert flags(workgroup, date(2026, 5, 31), "missed_report_backs") == []


def test_only_meetings_after_the_workgroups_creation_count(db, committee, group):
    hold(db, committee, date(2025, 12, 9))
    workgroup = group(report_back="every_meeting")  # created 5 January 2026
    hold(db, committee, date(2026, 1, 13))
    assert flags(workgroup, date(2026, 2, 1), "missed_report_backs") == []
    hold(db, committee, date(2026, 2, 10))
    assert flags(workgroup, date(2026, 2, 10), "missed_report_backs") == [
        Flag("missed_report_backs", date(2026, 2, 10))]


def test_other_items_meetings_and_schedules_do_not_count(db, committee, group):
    workgroup = group(report_back="every_meeting")
    quarterly = group(report_back="quarterly")
    other = group(report_back="every_meeting")
    # a discussion item is not a report-back; another workgroup's report-back is not its own
    hold(db, committee, date(2026, 2, 10), items=[("discussion", workgroup)],
         report_backs=[other])
    hold(db, committee, date(2026, 3, 10), report_backs=[other])
    hold(db, committee, date(2026, 4, 14), report_backs=[workgroup], status="scheduled")
    assert flags(workgroup, date(2026, 4, 20), "missed_report_backs") == [
        Flag("missed_report_backs", date(2026, 3, 10))]
    assert flags(other, date(2026, 4, 20), "missed_report_backs") == []
    assert flags(quarterly, date(2026, 4, 20), "missed_report_backs") == []


# --- attendance_falling -------------------------------------------------------------


def test_attendance_under_half_flags_from_the_meeting_that_started_the_run(db, committee,
                                                                           group):
    a, b, c, d = committee.people
    workgroup = group(members=[a, b])
    hold(db, committee, date(2026, 2, 10), present=[a, c, d], absent=[b])
    hold(db, committee, date(2026, 3, 10), present=[c, d], absent=[a, b])
    # 2 of 4 so far: exactly half is not falling
    assert flags(workgroup, date(2026, 3, 31), "attendance_falling") == []
    hold(db, committee, date(2026, 4, 14), present=[b, c, d], absent=[a])
    # 2 of 6: a third
    assert flags(workgroup, date(2026, 4, 13), "attendance_falling") == []
    assert flags(workgroup, date(2026, 4, 14), "attendance_falling") == [
        Flag("attendance_falling", date(2026, 4, 14))]
    hold(db, committee, date(2026, 5, 12), present=[c], absent=[a, b, d])
    assert flags(workgroup, date(2026, 5, 31), "attendance_falling") == [
        Flag("attendance_falling", date(2026, 4, 14))]
    # the committee as a whole is not falling: its rule counts everyone
    assert [f for f in flags_for("committee", committee, date(2026, 4, 14))
            if f.code == "attendance_falling"] == []


def test_a_designee_represents_a_member(db, committee, group, make):
    a, b, _, _ = committee.people
    workgroup = group(members=[a, b])
    for day in (date(2026, 2, 10), date(2026, 3, 10), date(2026, 4, 14)):
        hold(db, committee, day, present=[a], designee=[(b, make.person())])
    assert flags(workgroup, date(2026, 4, 30), "attendance_falling") == []


def test_a_fall_of_25_points_flags_too(db, committee, group):
    people = committee.people
    workgroup = group(members=people)
    days = [date(2026, m, d) for m, d in ((1, 13), (2, 10), (3, 10), (4, 14), (5, 12),
                                           (6, 9))]
    for day in days[:3]:
        hold(db, committee, day, present=people)
    hold(db, committee, days[3], present=people[:3], absent=people[3:])
    hold(db, committee, days[4], present=people[:3], absent=people[3:])
    # 100 % then 11 of 12 (92 %) after the fifth meeting: 8 points down
    assert flags(workgroup, days[4], "attendance_falling") == []
    hold(db, committee, days[5], present=people[:3], absent=people[3:])
    # 100 % then 9 of 12 (75 %): exactly 25 points down
    assert flags(workgroup, days[5], "attendance_falling") == [
        Flag("attendance_falling", days[5])]


def test_only_members_sitting_on_the_committee_that_day_are_expected(db, committee, group,
                                                                       make):
    a, b, _, _ = committee.people
    gone = make.person()
    make.membership(committee, gone, start=date(2025, 1, 1), end=date(2026, 1, 31))
    workgroup = group(members=[a, b, gone])
    for day in (date(2026, 2, 10), date(2026, 3, 10), date(2026, 4, 14)):
        hold(db, committee, day, present=[a, b], absent=[gone])
    assert flags(workgroup, date(2026, 4, 30), "attendance_falling") == []


def test_meetings_before_the_workgroups_creation_do_not_count(db, committee, group):
    a, b, c, d = committee.people
    for day in (date(2025, 10, 14), date(2025, 11, 11), date(2025, 12, 9)):
        hold(db, committee, day, present=[c, d], absent=[a, b])
    workgroup = group(members=[a, b])  # created 5 January 2026
    assert flags(workgroup, date(2026, 1, 5), "attendance_falling") == []
    hold(db, committee, date(2026, 1, 13), present=[c, d], absent=[a, b])
    hold(db, committee, date(2026, 2, 10), present=[a, c, d], absent=[b])
    assert flags(workgroup, date(2026, 2, 28), "attendance_falling") == []
    hold(db, committee, date(2026, 3, 10), present=[c, d], absent=[a, b])
    assert flags(workgroup, date(2026, 3, 10), "attendance_falling") == [
        Flag("attendance_falling", date(2026, 3, 10))]


# --- open workgroups and the report -------------------------------------------------


def test_pages_and_rules_agree_when_a_workgroup_is_open(db, group):
    """Closed at 22:00 in New York (03:00 UTC the next day): closed that day for both."""
    closed = group(closed_at=ny(date(2026, 3, 1), 22, 0))
    assert closed.closed_at.date() == date(2026, 3, 2)  # the UTC date the pages once used
    assert not closed.open_on(date(2026, 3, 1))
    assert not open_on(closed, date(2026, 3, 1))
    assert closed.open_on(date(2026, 2, 28)) and open_on(closed, date(2026, 2, 28))


def test_closed_and_not_yet_created_workgroups_have_no_flags(db, group):
    closed = group(closed_at=ny(date(2026, 3, 1), 23, 30))  # 2 March in UTC
    assert not open_on(closed, date(2026, 3, 1))
    assert flags_for("workgroup", closed, date(2026, 6, 1)) == []
    assert open_on(closed, date(2026, 2, 28))
    assert flags(closed, date(2026, 2, 28), "no_update") == [
        Flag("no_update", date(2026, 2, 4))]
    assert not open_on(closed, date(2026, 1, 4))
    assert flags_for("workgroup", closed, date(2026, 1, 4)) == []


def test_the_report_lists_open_workgroups_by_key_with_their_flags(db, committee, group, make):
    other = make.committee(key="zz-other")
    stalled = group(key="wg-b")
    group(key="wg-a", updates=[WorkgroupUpdate(at=ny(date(2026, 2, 20)),
                                               by=committee.people[0], text="Fine.")])
    group(key="wg-closed", closed_at=ny(date(2026, 2, 1)))
    group(key="wg-later", created_at=ny(date(2026, 3, 1)))
    add_milestone(db, stalled, due=date(2026, 2, 1))
    result = report(date(2026, 2, 25))
    listed = {c["key"]: c["workgroups"] for c in result["committees"]}
    assert listed[committee.key] == [
        {"key": "wg-a", "stalled": False, "flags": []},
        {"key": "wg-b", "stalled": True,
         "flags": [{"code": "milestone_overdue", "since": "2026-02-02"},
                   {"code": "no_update", "since": "2026-02-04"}]},
    ]
    assert listed[other.key] == []
    assert [wg["key"] for wg in report(date(2026, 3, 1))["committees"][0]["workgroups"]] == [
        "wg-a", "wg-b", "wg-later"]


def count_queries(fn) -> int:
    engine = _db.engine
    count = 0

    def counter(*args):
        nonlocal count
        count += 1

    event.listen(engine, "before_cursor_execute", counter)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", counter)
    return count


def _busy_workgroup(db, committee, group, n):
    workgroup = group(report_back="every_meeting",
                      updates=[WorkgroupUpdate(at=ny(date(2026, 2, 2)), by=committee.people[0],
                                               text="Going.")])
    add_milestone(db, workgroup, due=date(2026, 2, 1))
    add_action(db, workgroup, due=date(2026, 2, 1), updates=[(ny(date(2026, 2, 3)), None)])
    add_action(db, workgroup, due=date(2026, 2, 2), key=f"a-busy-{n}")
    return workgroup


def test_the_report_runs_a_fixed_number_of_queries(db, committee, group):
    hold(db, committee, date(2026, 1, 13), present=committee.people)
    _busy_workgroup(db, committee, group, 0)
    db.session.expire_all()
    few = count_queries(lambda: report(date(2026, 3, 1)))
    for n in range(1, 6):
        workgroup = _busy_workgroup(db, committee, group, n)
        hold(db, committee, date(2026, 1, 13) + timedelta(days=7 * n),
             present=committee.people, report_backs=[workgroup])
    db.session.expire_all()
    many = count_queries(lambda: report(date(2026, 3, 1)))
    assert many == few < 30
    stalled = report(date(2026, 3, 1))["committees"][0]["workgroups"]
    assert len(stalled) == 6 and all(wg["stalled"] for wg in stalled)


def test_the_report_agrees_with_flags_for_each_workgroup(db, committee, group):
    for n in range(3):
        _busy_workgroup(db, committee, group, n)
    hold(db, committee, date(2026, 2, 10), present=committee.people[:1])
    hold(db, committee, date(2026, 3, 10), present=committee.people[:1])
    day = date(2026, 3, 20)
    listed = report(day)["committees"][0]["workgroups"]
    for entry in listed:
        workgroup = _db.session.scalar(_db.select(Workgroup).where(Workgroup.key == entry["key"]))
        assert entry["flags"] == [f.as_json() for f in flags_for("workgroup", workgroup, day)]
    assert {f["code"] for f in listed[0]["flags"]} == {
        "actions_overdue", "milestone_overdue", "missed_report_backs", "no_update"}


def test_stall_reasons_read_the_clock(db, group):
    workgroup = group()
    with time_machine.travel(ny(date(2026, 2, 3)), tick=False):
        assert services.stall_reasons(workgroup, today()) == []
    with time_machine.travel(ny(date(2026, 2, 4)), tick=False):
        assert services.stall_reasons(workgroup, today()) == [
            "No update, milestone or action activity for 30 days (since 4 February 2026)"]
