"""Measures with their points and PDSA cycles in the county file: round trips and problems."""

import copy
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from govtrack.audit.models import AuditEntry
from govtrack.county.services import export_county, import_county
from govtrack.pdsa import services
from govtrack.pdsa.models import Measure, PdsaCycle
from tests.county.files import canonical


@pytest.fixture
def cast(make, db):
    cast = make.cast()
    chair = cast["chair"]
    measure = services.create_measure(
        chair, cast["committee"], name="Days waiting for a bed", unit="days",
        definition="Median days from referral to a bed.", kind="outcome", direction="down",
        workgroup=cast["workgroup"], source_agency=cast["chair"].person.agency)
    for month, value in enumerate([5, 7.5, 6, 8], start=1):
        services.add_point(chair, measure, date(2025, month, 1), value,
                           note="new protocol" if month == 3 else "")
    services.create_measure(chair, cast["committee"], name="Bookings screened",
                            kind="process", direction="up")
    goal = cast["workgroup"].goals[0]
    first = services.create_cycle(chair, goal, title="Screen at booking", on=date(2025, 1, 6),
                                  objective="Screen everyone", measure_keys=measure.key,
                                  study_due=date(2025, 2, 1), owner=chair.person)
    services.move_phase(chair, first, "do", date(2025, 1, 10))
    services.update_cycle(chair, first, None, "do", carried_out="Two weeks", problems="Staff")
    services.move_phase(chair, first, "study", date(2025, 1, 20))
    services.update_cycle(chair, first, None, "study", results="Fewer waits", lessons="Train")
    services.move_phase(chair, first, "act", date(2025, 1, 25))
    services.update_cycle(chair, first, None, "act", decision="adapt", reason="Night shift")
    services.adapt(chair, first, on=date(2025, 1, 27))
    db.session.commit()
    return cast


def test_export_writes_measures_and_cycles(cast):
    committee = export_county()["committees"][0]
    wait = next(m for m in committee["measures"] if m["key"] == "days-waiting-for-a-bed")
    assert wait["workgroup"] == cast["workgroup"].key
    assert wait["points"][:2] == [{"date": "2025-01-01", "value": 5},
                                  {"date": "2025-02-01", "value": 7.5}]
    assert wait["points"][2]["note"] == "new protocol"
    cycles = committee["workgroups"][0]["goals"][0]["pdsa_cycles"]
    assert [c["phase"] for c in cycles] == ["closed", "plan"]
    closed = cycles[0]["phase_history"][-1]
    # recorded by the app today, for a phase entered earlier: the file keeps when
    assert closed.pop("at") > "2025-01-27"
    assert closed == {"phase": "closed", "since": "2025-01-27"}
    assert cycles[0]["plan"]["measures"] == ["days-waiting-for-a-bed"]
    assert cycles[0]["act"] == {"decision": "adapt", "reason": "Night shift"}
    assert cycles[1]["previous"] == cycles[0]["key"]


def test_a_second_import_changes_nothing(db, cast):
    document = export_county()
    entries = db.session.query(AuditEntry).count()
    report = import_county(copy.deepcopy(document))
    assert report.ok, report.problems
    assert report.unchanged["measures"] == 2 and report.updated["measures"] == 0
    assert report.updated["workgroups"] == 0
    db.session.commit()
    assert db.session.query(AuditEntry).count() == entries
    assert canonical(export_county()) == canonical(document)


def test_round_trip_into_a_county_without_them(db, cast):
    document = export_county()
    for measure in db.session.scalars(select(Measure)):
        db.session.delete(measure)
    cast["workgroup"].goals[0].pdsa_cycles.clear()
    db.session.commit()
    assert db.session.scalar(select(PdsaCycle)) is None
    report = import_county(copy.deepcopy(document))
    assert report.ok, report.problems
    assert report.created["measures"] == 2 and report.ignored == []
    db.session.commit()
    assert canonical(export_county()) == canonical(document)
    adapted = db.session.scalar(select(PdsaCycle).where(PdsaCycle.phase == "plan"))
    assert adapted.previous.title == "Screen at booking"
    assert adapted.previous.phase_since == date(2025, 1, 27)


def test_points_and_history_follow_the_file(db, cast):
    document = export_county()
    committee = document["committees"][0]
    wait = next(m for m in committee["measures"] if m["key"] == "days-waiting-for-a-bed")
    wait["points"] = [{"date": "2025-01-01", "value": 4}, {"date": "2025-05-01", "value": 3}]
    cycle = committee["workgroups"][0]["goals"][0]["pdsa_cycles"][1]
    cycle["phase"] = "do"
    cycle["phase_history"].append({"phase": "do", "since": "2025-02-01"})
    report = import_county(document)
    assert report.ok, report.problems
    assert report.updated["measures"] == 1 and report.updated["workgroups"] == 1
    db.session.commit()
    measure = db.session.scalar(select(Measure).where(Measure.key == wait["key"]))
    assert [(p.day.month, p.value) for p in measure.points] == [(1, 4), (5, 3)]
    stored = db.session.scalar(select(PdsaCycle).where(PdsaCycle.key == cycle["key"]))
    assert (stored.phase, stored.phase_since) == ("do", date(2025, 2, 1))


def problems(document) -> list[tuple[str, str]]:
    report = import_county(document)
    assert not report.ok
    return report.problems


def test_bad_measures_are_reported_at_their_paths(db, cast):
    document = export_county()
    committee = document["committees"][0]
    wait = next(m for m in committee["measures"] if m["key"] == "days-waiting-for-a-bed")
    n = committee["measures"].index(wait)
    wait["workgroup"] = "wg-nowhere"
    wait["source_agency"] = "ag-nowhere"
    wait["points"][1]["date"] = "2025-01-01"
    wait["points"].append({"date": "2999-01-01", "value": 1})
    at = f"$.committees[0].measures[{n}]"
    found = problems(document)
    assert (f"{at}.workgroup", "no workgroup of this committee has key “wg-nowhere”") in found
    assert (f"{at}.source_agency", "no agency has key “ag-nowhere”") in found
    assert (f"{at}.points[1].date", f"2025-01-01 is also at {at}.points[0]") in found
    assert (f"{at}.points[4].date", "The date is in the future.") in found


def test_bad_cycles_are_reported_at_their_paths(db, cast):
    document = export_county()
    cycles = document["committees"][0]["workgroups"][0]["goals"][0]["pdsa_cycles"]
    cycles[0]["phase_history"][2]["phase"] = "act"  # skips Study
    cycles[1]["previous"] = "no-such-cycle"
    cycles[1]["owner"] = "p-nobody"
    at = "$.committees[0].workgroups[0].goals[0].pdsa_cycles"
    found = problems(document)
    assert (f"{at}[0].phase_history[2].phase", "a cycle starts in plan and moves one phase "
            "forward at a time; expected study") in found
    assert (f"{at}[1].previous", "no other cycle of this goal has key “no-such-cycle”") in found
    assert (f"{at}[1].owner", "no person has key “p-nobody”") in found


def test_a_closed_cycle_needs_a_decision(db, cast):
    document = export_county()
    cycles = document["committees"][0]["workgroups"][0]["goals"][0]["pdsa_cycles"]
    del cycles[0]["act"]
    assert ("$.committees[0].workgroups[0].goals[0].pdsa_cycles[0].act.decision",
            "a closed cycle has a decision") in problems(document)


# --- how often a measure is taken and how its run chart is drawn ------------------------------


def _wait(db) -> Measure:
    return db.session.scalar(select(Measure).where(Measure.key == "days-waiting-for-a-bed"))


def test_chart_settings_are_exported_and_a_second_import_changes_nothing(db, cast):
    services.update_measure(cast["chair"], _wait(db), None, frequency="weekly", rules="ihi",
                            baseline_points=3, show_limits=True, target=4.5)
    _wait(db).reset_on = date(2025, 3, 1)
    db.session.commit()
    document = export_county()
    wait = next(m for m in document["committees"][0]["measures"]
                if m["key"] == "days-waiting-for-a-bed")
    assert wait["frequency"] == "weekly"
    assert wait["chart"] == {"rules": "ihi", "baseline_points": 3, "reset_on": "2025-03-01",
                             "show_limits": True, "target": 4.5}
    other = next(m for m in document["committees"][0]["measures"] if m is not wait)
    assert "chart" not in other and "frequency" not in other  # the defaults are left out
    report = import_county(copy.deepcopy(document))
    assert report.ok, report.problems
    assert report.updated["measures"] == 0
    db.session.commit()
    assert canonical(export_county()) == canonical(document)


def test_chart_settings_round_trip_into_a_county_without_the_measure(db, cast):
    document = export_county()
    wait = next(m for m in document["committees"][0]["measures"]
                if m["key"] == "days-waiting-for-a-bed")
    wait.update(frequency="quarterly", chart={"rules": "ihi", "target": 3})
    db.session.delete(_wait(db))
    db.session.commit()
    report = import_county(copy.deepcopy(document))
    assert report.ok, report.problems
    db.session.commit()
    assert canonical(export_county()) == canonical(document)
    measure = _wait(db)
    assert (measure.frequency, measure.rules, measure.target, measure.baseline_points) == (
        "quarterly", "ihi", 3.0, None)
    # a measure imported starts on its first point's day, not at the moment of import
    assert measure.created_at.date() == date(2025, 1, 1)


def test_a_file_without_chart_settings_gives_the_defaults(db, cast):
    services.update_measure(cast["chair"], _wait(db), None, rules="ihi", target=4.5)
    db.session.commit()
    document = export_county()
    for measure in document["committees"][0]["measures"]:
        measure.pop("chart", None)
    report = import_county(document)
    assert report.ok and report.updated["measures"] == 1
    assert (_wait(db).rules, _wait(db).target) == ("anhoej", None)


def test_bad_chart_settings_are_reported_at_their_paths(db, cast):
    document = export_county()
    measures = document["committees"][0]["measures"]
    n = next(n for n, m in enumerate(measures) if m["key"] == "days-waiting-for-a-bed")
    measures[n]["chart"] = {"baseline_points": 1, "target": 1e13}
    at = f"$.committees[0].measures[{n}].chart"
    assert problems(document) == [
        (f"{at}.baseline_points", "A baseline has between 2 and 100 points."),
        (f"{at}.target", "not a usable number")]
    measures[n]["chart"] = {"rules": "shewhart"}
    assert problems(document)[0][0] == f"$.committees[0].measures[{n}].chart.rules"


def test_an_imported_cycle_starts_on_its_first_phase_day(db, cast):
    document = export_county()
    cast["workgroup"].goals[0].pdsa_cycles.clear()
    db.session.commit()
    assert import_county(copy.deepcopy(document)).ok
    db.session.commit()
    first = db.session.scalar(select(PdsaCycle).where(PdsaCycle.title == "Screen at booking",
                                                      PdsaCycle.phase == "closed"))
    assert first.created_at.date() == date(2025, 1, 6)


def _phase_history(document: dict) -> list[dict]:
    return document["committees"][0]["workgroups"][0]["goals"][0]["pdsa_cycles"][0][
        "phase_history"]


def test_a_phase_change_keeps_when_it_was_recorded_never_the_import_time(db, cast):
    document = export_county()
    history = _phase_history(document)
    history[1]["at"] = "2025-01-11T15:00:00Z"  # recorded the day after
    for change in history[2:]:
        change.pop("at")  # a file from elsewhere: no time recorded
    cast["workgroup"].goals[0].pdsa_cycles.clear()
    db.session.commit()
    assert import_county(copy.deepcopy(document)).ok
    db.session.commit()
    first = db.session.scalar(select(PdsaCycle).where(PdsaCycle.title == "Screen at booking",
                                                      PdsaCycle.phase == "closed"))
    zone = ZoneInfo(cast["committee"].timezone)
    assert [c.at for c in first.phase_history][1:] == [
        datetime(2025, 1, 11, 15, tzinfo=UTC), datetime(2025, 1, 20, tzinfo=zone),
        datetime(2025, 1, 25, tzinfo=zone), datetime(2025, 1, 27, tzinfo=zone)]
    # the start of the day is what a file without `at` means: it is not written
    assert _phase_history(export_county()) == history
    assert import_county(copy.deepcopy(document)).updated["workgroups"] == 0


def test_a_phase_change_recorded_before_its_day_is_refused(db, cast):
    document = export_county()
    _phase_history(document)[1]["at"] = "2025-01-09T12:00:00Z"
    at = "$.committees[0].workgroups[0].goals[0].pdsa_cycles[0].phase_history[1].at"
    assert problems(document) == [
        (at, "recorded before the day the cycle entered the phase")]
