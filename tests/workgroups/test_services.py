"""Workgroup rules: membership, goals and milestones, updates, action updates."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from govtrack.actions.models import ActionItem
from govtrack.actions.services import update_action
from govtrack.editing import DomainError, StaleEdit
from govtrack.workgroups import services
from govtrack.workgroups.mywork import my_actions

NOW = datetime(2026, 11, 22, 14, 0, tzinfo=UTC)


def test_lead_and_members_must_sit_on_the_committee(db, make):
    cast = make.cast()
    with pytest.raises(DomainError) as error:
        services.create_workgroup(None, cast["committee"], name="Data", charge="",
                                  lead=cast["outsider"].person, members=[])
    assert error.value.field == "lead"
    with pytest.raises(DomainError) as error:
        services.create_workgroup(None, cast["committee"], name="Data", charge="",
                                  lead=None, members=[cast["head"].person])
    assert error.value.field == "members"


def test_the_lead_is_always_a_member(db, make):
    cast = make.cast()
    workgroup = services.create_workgroup(None, cast["committee"], name="Data", charge="",
                                          lead=cast["chair"].person,
                                          members=[cast["member"].person])
    assert {p.id for p in workgroup.members} == {cast["chair"].person_id,
                                                  cast["member"].person_id}


def test_a_milestone_cannot_fall_after_its_goal(db, make):
    cast = make.cast()
    goal = services.add_goal(None, cast["workgroup"], title="Beds",
                             end_date=date(2027, 6, 30))
    with pytest.raises(DomainError) as error:
        services.add_milestone(None, goal, title="Late", due=date(2027, 7, 1), owner=None)
    assert error.value.field == "due"
    services.add_milestone(None, goal, title="On time", due=date(2027, 6, 30), owner=None)


def test_a_milestone_owner_must_be_a_member(db, make):
    cast = make.cast()
    goal = cast["workgroup"].goals[0]
    with pytest.raises(DomainError) as error:
        services.add_milestone(None, goal, title="x", due=date(2027, 1, 1),
                               owner=cast["outsider"].person)
    assert error.value.field == "owner"


def test_a_closed_workgroup_takes_no_updates(db, make):
    cast = make.cast()
    services.close_workgroup(None, cast["workgroup"])
    with pytest.raises(DomainError, match="closed"):
        services.post_update(cast["member"], cast["workgroup"], "Still here")


def test_a_second_update_from_an_older_version_is_refused(db, make):
    cast = make.cast()
    action = db.session.query(ActionItem).filter_by(owner_id=cast["member"].person_id).one()
    opened_at = action.version
    update_action(cast["member"], action, status="in_progress", note="Started",
                  expected_version=opened_at)
    db.session.commit()
    with pytest.raises(StaleEdit):
        update_action(cast["chair"], action, status="done", note="Done?",
                      expected_version=opened_at)


def test_a_note_alone_also_moves_the_version(db, make):
    cast = make.cast()
    action = db.session.query(ActionItem).filter_by(owner_id=cast["member"].person_id).one()
    opened_at = action.version
    update_action(cast["member"], action, status=None, note="Called the jail")
    db.session.commit()
    assert action.version == opened_at + 1 and action.updates[-1].note == "Called the jail"


def test_a_closed_action_takes_a_note_only_when_reopened(db, make):
    cast = make.cast()
    action = db.session.query(ActionItem).filter_by(owner_id=cast["member"].person_id).one()
    update_action(cast["member"], action, status="done", note="")
    with pytest.raises(DomainError, match="closed"):
        update_action(cast["member"], action, status="done", note="one more thing")
    update_action(cast["member"], action, status="open", note="Reopened: data missing")
    assert action.status == "open"


@time_machine.travel(NOW, tick=False)
def test_my_work_lists_open_work_overdue_first(db, make):
    cast = make.cast()
    member = cast["member"].person
    late = ActionItem(key="late", committee=cast["committee"], title="Late", owner=member,
                      due=date(2026, 11, 1))
    done = ActionItem(key="done", committee=cast["committee"], title="Done", owner=member,
                      due=date(2026, 10, 1), status="done")
    db.session.add_all([late, done])
    db.session.commit()
    assert [a.title for a in my_actions(member, NOW.date())] == ["Late", "Share the data"]
