"""pdsa_stuck on both sides of each threshold, since dates included; phase changes as activity."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import event

from govtrack.extensions import db as _db
from govtrack.health.services import flags_for, preloaded
from govtrack.pdsa.health import cycles_of
from govtrack.pdsa.models import PdsaCycle, PhaseChange
from govtrack.workgroups.health import last_activity
from govtrack.workgroups.models import Goal, Workgroup

#: 2026-01-05 10:00 in New York
CREATED = datetime(2026, 1, 5, 15, 0, tzinfo=UTC)


@pytest.fixture
def committee(make):
    return make.committee(timezone="America/New_York", stall_after_days=30)


@pytest.fixture
def workgroup(db, committee):
    workgroup = Workgroup(committee=committee, key="wg-pdsa", name="Workgroup",
                          created_at=CREATED, report_back="monthly")
    workgroup.goals.append(Goal(key="goal-pdsa", title="Goal"))
    db.session.add(workgroup)
    db.session.commit()
    return workgroup


_numbers = iter(range(1, 10000))


def cycle(db, workgroup, *history: tuple[str, date], study_due=None) -> PdsaCycle:
    """A cycle with the phase history given, in its last phase."""
    n = next(_numbers)
    made = PdsaCycle(key=f"cycle-{n}", title=f"Cycle {n}", goal=workgroup.goals[0],
                     phase=history[-1][0], study_due=study_due,
                     decision="adopt" if history[-1][0] == "closed" else None)
    for phase, since in history:
        made.phase_history.append(PhaseChange(phase=phase, since=since))
    db.session.add(made)
    db.session.commit()
    return made


def stuck(workgroup, day: date) -> date | None:
    found = [f.since for f in flags_for("workgroup", workgroup, day) if f.code == "pdsa_stuck"]
    return found[0] if found else None


def test_sixty_days_in_one_phase(db, workgroup):
    cycle(db, workgroup, ("plan", date(2026, 1, 10)))
    assert stuck(workgroup, date(2026, 3, 10)) is None  # 59 days
    assert stuck(workgroup, date(2026, 3, 11)) == date(2026, 3, 11)  # 60 days
    assert stuck(workgroup, date(2026, 5, 1)) == date(2026, 3, 11)


def test_fourteen_days_in_do_past_the_study_date(db, workgroup):
    cycle(db, workgroup, ("plan", date(2026, 1, 10)), ("do", date(2026, 2, 1)),
          study_due=date(2026, 2, 10))
    assert stuck(workgroup, date(2026, 2, 23)) is None  # 13 days past
    assert stuck(workgroup, date(2026, 2, 24)) == date(2026, 2, 24)  # 14 days past


def test_since_is_the_earlier_of_the_two(db, workgroup):
    cycle(db, workgroup, ("plan", date(2026, 1, 5)), ("do", date(2026, 1, 10)),
          study_due=date(2026, 3, 20))
    # Do since + 60 = 11 March, study date + 14 = 3 April
    assert stuck(workgroup, date(2026, 3, 10)) is None
    assert stuck(workgroup, date(2026, 4, 10)) == date(2026, 3, 11)


def test_study_date_passed_before_do_holds_from_entering_do(db, workgroup):
    cycle(db, workgroup, ("plan", date(2026, 1, 10)), ("do", date(2026, 2, 1)),
          study_due=date(2026, 1, 12))
    assert stuck(workgroup, date(2026, 1, 31)) is None
    assert stuck(workgroup, date(2026, 2, 5)) == date(2026, 2, 1)


def test_the_study_date_counts_only_in_do(db, workgroup):
    cycle(db, workgroup, ("plan", date(2026, 1, 10)), ("do", date(2026, 2, 1)),
          ("study", date(2026, 2, 20)), study_due=date(2026, 2, 10))
    assert stuck(workgroup, date(2026, 3, 1)) is None
    assert stuck(workgroup, date(2026, 4, 21)) == date(2026, 4, 21)  # Study since + 60


def test_a_closed_cycle_is_not_stuck_but_was_before_it_closed(db, workgroup):
    cycle(db, workgroup, ("plan", date(2026, 1, 10)), ("do", date(2026, 1, 12)),
          ("study", date(2026, 1, 15)), ("act", date(2026, 1, 20)),
          ("closed", date(2026, 4, 1)))
    assert stuck(workgroup, date(2026, 4, 1)) is None
    assert stuck(workgroup, date(2026, 3, 31)) == date(2026, 3, 21)  # Act since + 60


def test_a_cycle_planned_after_the_day_does_not_count(db, workgroup):
    cycle(db, workgroup, ("plan", date(2026, 3, 1)))
    assert stuck(workgroup, date(2026, 2, 28)) is None


def test_two_cycles_stuck_one_after_the_other_make_one_run(db, workgroup):
    cycle(db, workgroup, ("plan", date(2026, 1, 5)), ("do", date(2026, 3, 20)))
    cycle(db, workgroup, ("plan", date(2026, 1, 25)))
    # the first is stuck 6-19 March, the second from 26 March: a break on 20-25 March
    assert stuck(workgroup, date(2026, 3, 19)) == date(2026, 3, 6)
    assert stuck(workgroup, date(2026, 3, 22)) is None
    assert stuck(workgroup, date(2026, 3, 26)) == date(2026, 3, 26)


def test_a_phase_change_is_activity(db, workgroup):
    cycle(db, workgroup, ("plan", date(2026, 1, 20)), ("do", date(2026, 2, 10)))
    assert last_activity(workgroup, date(2026, 2, 9)) == date(2026, 1, 20)
    assert last_activity(workgroup, date(2026, 3, 1)) == date(2026, 2, 10)
    codes = {f.code: f.since for f in flags_for("workgroup", workgroup, date(2026, 3, 12))}
    assert codes["no_update"] == date(2026, 3, 12)
    assert "no_update" not in {f.code for f in flags_for("workgroup", workgroup,
                                                         date(2026, 3, 11))}


def test_cycles_of_many_workgroups_are_read_in_one_go(db, committee, workgroup):
    others = []
    for n in range(3):
        other = Workgroup(committee=committee, key=f"wg-other-{n}", name=f"Other {n}",
                          created_at=CREATED, report_back="monthly")
        other.goals.append(Goal(key=f"goal-other-{n}", title="Goal"))
        db.session.add(other)
        others.append(other)
    db.session.commit()
    for other in [workgroup, *others]:
        cycle(db, other, ("plan", date(2026, 1, 10)))
    statements = []

    def count(*args):
        statements.append(args[2])

    groups = [workgroup, *others]
    for wg in groups:
        _db.session.refresh(wg)
    event.listen(_db.engine, "before_cursor_execute", count)
    try:
        with preloaded("workgroup", groups, date(2026, 3, 12)):
            for wg in groups:
                assert len(cycles_of(wg, date(2026, 3, 12))) == 1
    finally:
        event.remove(_db.engine, "before_cursor_execute", count)
    assert len([s for s in statements if "pdsa_cycle" in s or "pdsa_phase_change" in s]) <= 2
