"""The health snapshot holds what the health report says, written by the scheduler and commands."""

from datetime import UTC, date, datetime

import time_machine
from sqlalchemy import func, select

from govtrack import scheduler
from govtrack.committees.models import Committee
from govtrack.health import snapshot
from govtrack.health.models import HealthSnapshot, SnapshotCommittee, SnapshotFlag
from govtrack.health.services import report
from govtrack.mous.models import Mou
from govtrack.workgroups.models import Workgroup

NOW = datetime(2026, 11, 22, 14, 0, tzinfo=UTC)


def _stalled(make):
    cast = make.cast()
    cast["workgroup"].goals[0].milestones[0].due = date(2026, 11, 1)
    return cast


def _snapshot_flags(db, taken) -> set[tuple]:
    keys = {"committee": dict(db.session.execute(select(Committee.id, Committee.key)).all()),
            "workgroup": dict(db.session.execute(select(Workgroup.id, Workgroup.key)).all()),
            "mou": dict(db.session.execute(select(Mou.id, Mou.key)).all())}
    return {(f.about, keys[f.about][f.workgroup_id or f.mou_id or f.committee_id], f.code,
             f.since.isoformat())
            for f in db.session.scalars(select(SnapshotFlag).where(
                SnapshotFlag.snapshot_id == taken.id))}


def _report_flags(result: dict) -> set[tuple]:
    found = {("mou", m["key"], f["code"], f["since"]) for m in result["mous"] for f in m["flags"]}
    for c in result["committees"]:
        found |= {("committee", c["key"], f["code"], f["since"]) for f in c["flags"]}
        found |= {("workgroup", wg["key"], f["code"], f["since"])
                  for wg in c["workgroups"] for f in wg["flags"]}
    return found


@time_machine.travel(NOW, tick=False)
def test_the_command_stores_every_flag_of_the_report(app, make, db):
    _stalled(make)
    make.committee(name="Quiet committee")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["govtrack", "health", "--snapshot"])
    assert result.exit_code == 0, result.output
    assert "Health snapshot of 2026-11-22 stored" in result.output
    taken = snapshot.latest()
    assert (taken.as_of, taken.taken_at) == (date(2026, 11, 22), NOW)
    expected = _report_flags(report(date(2026, 11, 22)))
    assert ("workgroup", make_key(db, Workgroup), "milestone_overdue", "2026-11-02") in expected
    assert _snapshot_flags(db, taken) == expected
    committees = db.session.scalar(select(func.count()).select_from(SnapshotCommittee).where(
        SnapshotCommittee.snapshot_id == taken.id))
    assert committees == db.session.scalar(select(func.count(Committee.id)))


def make_key(db, model) -> str:
    """The key of the only record of model."""
    return db.session.scalar(select(model.key))


def test_a_snapshot_is_of_today_only(app):
    result = app.test_cli_runner().invoke(args=["govtrack", "health", "--snapshot", "--json"])
    assert result.exit_code != 0 and "--snapshot judges today" in result.output


@time_machine.travel(NOW, tick=False)
def test_the_scheduler_takes_one_after_the_sweep_it_acted_on(app, make, db):
    _stalled(make)
    db.session.commit()
    sweep_job = scheduler.build(app).get_job("sweep").func
    sweep_job()
    taken = snapshot.latest()
    assert taken is not None and taken.taken_at == NOW
    assert db.session.scalar(select(func.count()).select_from(SnapshotFlag).where(
        SnapshotFlag.code == "milestone_overdue")) == 1


def test_no_snapshot_when_another_scheduler_is_sweeping(app, db, monkeypatch):
    monkeypatch.setattr(scheduler.sweep, "sweep",
                        lambda holder: scheduler.sweep.SweepReport(acted=False))
    scheduler.build(app).get_job("sweep").func()
    assert db.session.scalar(select(func.count()).select_from(HealthSnapshot)) == 0


def test_loading_the_demo_stores_its_health_for_the_county_view(app, db):
    result = app.test_cli_runner().invoke(args=["govtrack", "load-demo"])
    assert result.exit_code == 0, result.output
    taken = snapshot.latest()
    assert taken is not None
    assert snapshot.count_committees(taken) == db.session.scalar(
        select(func.count(Committee.id)))
    assert snapshot.count_committees(taken, snapshot.STALLED) > 0
