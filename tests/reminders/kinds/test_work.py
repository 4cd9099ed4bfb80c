"""Action item, milestone, workgroup and PDSA reminders."""

from datetime import date, timedelta

from govtrack.pdsa import services as pdsa
from govtrack.workgroups.models import Milestone

DUE = date(2026, 3, 10)


def people(dues):
    """Person ids of the reminders, sorted."""
    return sorted(d.person_id for d in dues)


# --- action items ---------------------------------------------------------------------------


def test_owner_hears_3_days_before_an_action_item_is_due(board, action_of, local, sweep):
    item = action_of(board, board["member"], DUE)
    assert sweep("action_due_soon", local(DUE - timedelta(days=4), 23, 59)) == []
    dues = sweep("action_due_soon", local(DUE - timedelta(days=3), 0, 1))
    assert people(dues) == [board["member"].id]
    assert dues[0].subject == "Action item due in 3 days: Send the booking data"
    assert dues[0].record == f"action_item:{item.id}" and dues[0].link == "/my-work"
    on_the_day = sweep("action_due_soon", local(DUE, 18))
    assert [d.key for d in on_the_day] == [d.key for d in dues]
    assert sweep("action_due_soon", local(DUE + timedelta(days=1), 0, 1)) == []


def test_an_overdue_action_item_is_repeated_weekly_with_a_new_key(
        board, action_of, local, sweep):
    action_of(board, board["member"], DUE)
    assert sweep("action_overdue", local(DUE, 23, 59)) == []
    week1 = sweep("action_overdue", local(DUE + timedelta(days=1), 0, 1))
    assert people(week1) == [board["member"].id]
    same = sweep("action_overdue", local(DUE + timedelta(days=7), 23, 59))
    assert [d.key for d in same] == [d.key for d in week1]
    week2 = sweep("action_overdue", local(DUE + timedelta(days=8), 0, 1))
    week3 = sweep("action_overdue", local(DUE + timedelta(days=15), 9))
    assert len({week1[0].key, week2[0].key, week3[0].key}) == 3


def test_done_cancelled_and_left_owners_actions_produce_nothing(
        board, action_of, local, sweep, db):
    action_of(board, board["member"], DUE, status="done")
    action_of(board, board["member"], DUE, status="cancelled")
    action_of(board, board["member2"], DUE)
    board["member2"].active = False
    db.session.commit()
    for code in ("action_due_soon", "action_overdue"):
        for day in (DUE - timedelta(days=1), DUE + timedelta(days=2)):
            assert sweep(code, local(day)) == []


def test_chair_gets_a_weekly_roll_up_of_the_committees_overdue_items(
        board, action_of, local, sweep):
    action_of(board, board["member"], DUE)
    action_of(board, board["member2"], DUE + timedelta(days=2))
    action_of(board, board["member"], DUE + timedelta(days=30))
    assert sweep("action_overdue_rollup", local(DUE, 12)) == []
    monday = sweep("action_overdue_rollup", local(date(2026, 3, 16), 8))
    assert people(monday) == [board["chair"].id]
    assert monday[0].occurrence == "2026-W12"
    assert "2 action items of CIT Steering Committee are overdue" in monday[0].body
    sunday = sweep("action_overdue_rollup", local(date(2026, 3, 22), 20))
    assert [d.key for d in sunday] == [d.key for d in monday]
    assert sweep("action_overdue_rollup", local(date(2026, 3, 23), 8))[0].occurrence == (
        "2026-W13")


# --- milestones, stalled workgroups, report-backs --------------------------------------


def test_lead_hears_of_a_milestone_7_days_ahead_then_once_overdue(
        board, workgroup_of, local, sweep, db):
    workgroup = workgroup_of(board, local(date(2026, 1, 5)))
    milestone = Milestone(key="ms-r1", title="Protocol drafted", due=DUE)
    workgroup.goals[0].milestones.append(milestone)
    db.session.commit()
    assert sweep("milestone_due_soon", local(DUE - timedelta(days=8), 23, 59)) == []
    soon = sweep("milestone_due_soon", local(DUE - timedelta(days=7), 0, 1))
    assert people(soon) == [board["member"].id]
    assert soon[0].link == f"/workgroups/{workgroup.key}"
    assert sweep("milestone_overdue", local(DUE, 23, 59)) == []
    late = sweep("milestone_overdue", local(DUE + timedelta(days=1), 0, 1))
    assert people(late) == [board["member"].id]
    assert [d.key for d in sweep("milestone_overdue", local(DUE + timedelta(days=20)))] == [
        d.key for d in late]
    milestone.status = "done"
    db.session.commit()
    assert sweep("milestone_overdue", local(DUE + timedelta(days=2))) == []


def test_a_closed_workgroups_milestones_produce_nothing(board, workgroup_of, local, sweep, db):
    workgroup = workgroup_of(board, local(date(2026, 1, 5)))
    workgroup.goals[0].milestones.append(Milestone(key="ms-r2", title="Protocol", due=DUE))
    workgroup.closed_at = local(date(2026, 2, 1))
    db.session.commit()
    assert sweep("milestone_due_soon", local(DUE - timedelta(days=2))) == []
    assert sweep("milestone_overdue", local(DUE + timedelta(days=2))) == []
    assert sweep("workgroup_stalled", local(DUE + timedelta(days=2))) == []


def test_lead_and_chair_hear_once_when_a_workgroup_stalls(
        board, workgroup_of, local, sweep, db):
    created = date(2026, 1, 5)
    workgroup = workgroup_of(board, local(created))
    stall = created + timedelta(days=30)  # no_update: 30 days without activity
    assert sweep("workgroup_stalled", local(stall - timedelta(days=1), 23, 59)) == []
    dues = sweep("workgroup_stalled", local(stall, 0, 1))
    assert people(dues) == sorted([board["member"].id, board["chair"].id])
    assert dues[0].occurrence == f"since-{stall.isoformat()}"
    assert "30 days" in dues[0].body and "since 4 Feb 2026" in dues[0].body
    later = sweep("workgroup_stalled", local(stall + timedelta(days=10)))
    assert sorted(d.key for d in later) == sorted(d.key for d in dues)
    # long stalled is not "newly" stalled
    assert sweep("workgroup_stalled", local(stall + timedelta(days=60))) == []
    from govtrack.workgroups.models import WorkgroupUpdate

    db.session.add(WorkgroupUpdate(workgroup=workgroup, by_id=board["member"].id,
                                   at=local(stall + timedelta(days=2)), text="Back on it"))
    db.session.commit()
    assert sweep("workgroup_stalled", local(stall + timedelta(days=3))) == []
    again = sweep("workgroup_stalled", local(stall + timedelta(days=32)))
    assert again and not {d.key for d in again} & {d.key for d in dues}


def test_lead_hears_a_report_back_is_due_at_the_next_meeting(
        board, workgroup_of, meeting_of, local, sweep):
    workgroup_of(board, local(date(2026, 1, 5)))
    quarterly = workgroup_of(board, local(date(2026, 1, 5)), report_back="quarterly",
                             lead=board["member2"])
    held = meeting_of(board["committee"], local(DUE - timedelta(days=28), 14), status="held")
    held.items[0].workgroup_key = quarterly.key
    meeting = meeting_of(board["committee"], local(DUE, 14))
    starts = local(DUE, 14)
    assert sweep("report_back_due", starts - timedelta(days=7, minutes=1)) == []
    dues = sweep("report_back_due", starts - timedelta(days=7) + timedelta(minutes=1))
    # the quarterly workgroup reported back four weeks ago: not due yet
    assert people(dues) == [board["member"].id]
    assert dues[0].occurrence == f"meeting-{meeting.id}"
    assert sweep("report_back_due", local(DUE, 14, 1)) == []


# --- PDSA cycles ----------------------------------------------------------------------


def test_cycle_owner_hears_at_the_study_date_then_once_when_stuck(
        board, workgroup_of, local, sweep, at, db):
    workgroup = workgroup_of(board, local(date(2026, 1, 5)))
    with at(local(date(2026, 1, 10))):
        cycle = pdsa.create_cycle(None, workgroup.goals[0], title="Screen at booking",
                                  study_due=DUE)
        cycle.owner_id = board["member2"].id
        db.session.commit()
    with at(local(date(2026, 2, 1))):
        pdsa.move_phase(None, cycle, "do", date(2026, 2, 1))
        db.session.commit()
    assert sweep("pdsa_study_due", local(DUE - timedelta(days=1), 23, 59)) == []
    study = sweep("pdsa_study_due", local(DUE, 0, 1))
    assert people(study) == [board["member2"].id]
    assert study[0].link == f"/pdsa/{cycle.key}"
    stuck = DUE + timedelta(days=14)
    assert sweep("pdsa_stuck", local(stuck - timedelta(days=1), 23, 59)) == []
    assert sweep("pdsa_study_due", local(stuck, 0, 1)) == []
    dues = sweep("pdsa_stuck", local(stuck, 0, 1))
    assert people(dues) == [board["member2"].id]
    assert dues[0].occurrence == f"since-{stuck.isoformat()}"
    assert [d.key for d in sweep("pdsa_stuck", local(stuck + timedelta(days=9)))] == [
        d.key for d in dues]
    with at(local(stuck + timedelta(days=10))):
        pdsa.move_phase(None, cycle, "study", stuck + timedelta(days=10))
        db.session.commit()
    assert sweep("pdsa_stuck", local(stuck + timedelta(days=11))) == []
