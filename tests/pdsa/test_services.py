"""Measures, data points, CSV import and PDSA cycles."""

from datetime import date, timedelta

import pytest

from govtrack.audit.models import AuditEntry
from govtrack.clock import today
from govtrack.editing import DomainError
from govtrack.extensions import db
from govtrack.pdsa import services
from govtrack.pdsa.models import DataPoint


@pytest.fixture
def cast(make):
    return make.cast()


@pytest.fixture
def measure(cast):
    measure = services.create_measure(cast["chair"], cast["committee"],
                                      name="Days waiting for a bed", unit="days")
    db.session.commit()
    return measure


def test_measure_gets_a_key_and_an_audit_entry(measure):
    assert measure.key == "days-waiting-for-a-bed"
    assert db.session.query(AuditEntry).filter_by(object_type="Measure").count() == 1


def test_measure_refuses_an_unknown_direction(cast):
    with pytest.raises(DomainError) as refused:
        services.create_measure(cast["chair"], cast["committee"], name="X", direction="left")
    assert refused.value.field == "direction"


@pytest.mark.parametrize("text", ["abc", "", "NaN", "inf", "1e309", "1,2,3x"])
def test_non_numeric_values_are_refused(text):
    with pytest.raises(DomainError):
        services.parse_value(text)


def test_values_may_have_thousands_separators():
    assert services.parse_value(" 1,250.5 ") == 1250.5


def test_a_date_has_one_value(cast, measure):
    services.add_point(cast["chair"], measure, date(2025, 1, 1), 4)
    with pytest.raises(DomainError, match="already has a point"):
        services.add_point(cast["chair"], measure, date(2025, 1, 1), 5)


def test_points_in_the_future_are_refused(cast, measure):
    with pytest.raises(DomainError, match="future"):
        services.add_point(cast["chair"], measure, today() + timedelta(days=1), 5)


GOOD_CSV = "date,value,note\n2025-01-01,41,\n2025-02-01,38,new protocol\n2025-03-01,\"1,040\",\n"


def test_csv_import_adds_every_row(cast, measure):
    result = services.import_csv(cast["chair"], measure, GOOD_CSV)
    db.session.commit()
    assert result.ok and len(result.added) == 3
    assert [(p.day, p.value) for p in measure.points] == [
        (date(2025, 1, 1), 41), (date(2025, 2, 1), 38), (date(2025, 3, 1), 1040)]
    assert measure.points[1].note == "new protocol"


def test_csv_with_a_missing_column_is_refused_naming_it(cast, measure):
    result = services.import_csv(cast["chair"], measure, "day,value\n2025-01-01,3\n")
    assert result.problems == [(1, "date", "The header has no “date” column.")]


def test_csv_with_bad_rows_imports_nothing_and_names_each_row_and_column(cast, measure):
    services.add_point(cast["chair"], measure, date(2024, 12, 1), 7)
    db.session.commit()
    future = (today() + timedelta(days=3)).isoformat()
    text = ("Date,Value\n2025-01-01,41\n2025-02-30,3\n2025-03-01,lots\n"
            f"{future},4\n2025-01-01,5\n2024-12-01,6\n2025-04-01,\n")
    result = services.import_csv(cast["chair"], measure, text)
    db.session.commit()
    assert [(row, column) for row, column, _ in result.problems] == [
        (3, "date"), (4, "value"), (5, "date"), (6, "date"), (7, "date"), (8, "value")]
    assert "also on row 2" in result.problems[3][2]
    assert "already recorded" in result.problems[4][2]
    assert result.problems[5][2] == "The value is missing."
    assert db.session.query(DataPoint).count() == 1  # the earlier point only


def test_empty_csv_is_refused(cast, measure):
    assert not services.import_csv(cast["chair"], measure, "").ok
    assert not services.import_csv(cast["chair"], measure, "date,value\n").ok


def _monthly(cast, measure, values, start=date(2023, 1, 1)):
    day = start
    for value in values:
        services.add_point(cast["chair"], measure, day, value)
        day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    db.session.commit()


SHIFTED = [20, 22, 19, 21, 23, 18, 20, 22, 19, 21, 24, 21,
           14, 15, 13, 12, 14, 15, 13, 12, 14, 13, 15, 12]


def test_signal_text_of_a_shift_down(cast, measure):
    measure.baseline_points = 12
    _monthly(cast, measure, SHIFTED)
    assert services.signal_text(measure) == (
        "Improvement: unusually long run below the median since January 2024.")


def test_baseline_resets_only_where_a_sustained_shift_begins(cast, measure):
    measure.baseline_points = 12
    _monthly(cast, measure, SHIFTED)
    with pytest.raises(DomainError, match="2024-01-01"):
        services.reset_baseline(cast["chair"], measure, date(2023, 6, 1))
    services.reset_baseline(cast["chair"], measure, date(2024, 1, 1))
    db.session.commit()
    assert [s.median for s in services.analysis(measure).segments] == [21, 13.5]
    services.reset_baseline(cast["chair"], measure, None)
    assert len(services.analysis(measure).segments) == 1


# --- PDSA cycles ------------------------------------------------------------------------


@pytest.fixture
def cycle(cast):
    goal = cast["workgroup"].goals[0]
    cycle = services.create_cycle(cast["member"], goal, title="Screen at booking",
                                  objective="Screen every booking", on=date(2025, 1, 6),
                                  study_due=date(2025, 2, 6))
    db.session.commit()
    return cycle


def test_a_new_cycle_is_in_plan_since_its_date(cycle):
    assert cycle.phase == "plan" and cycle.phase_since == date(2025, 1, 6)


def test_phases_move_forward_one_at_a_time_dated_and_audited(cast, cycle):
    services.move_phase(cast["member"], cycle, "do", date(2025, 1, 10))
    services.move_phase(cast["member"], cycle, "study", date(2025, 2, 6))
    db.session.commit()
    assert [(c.phase, c.since) for c in cycle.phase_history] == [
        ("plan", date(2025, 1, 6)), ("do", date(2025, 1, 10)), ("study", date(2025, 2, 6))]
    moves = db.session.query(AuditEntry).filter_by(object_type="PdsaCycle",
                                                   action="update").all()
    assert [m.changes["phase"] for m in moves] == [["plan", "do"], ["do", "study"]]


def test_moving_backwards_is_refused(cast, cycle):
    services.move_phase(cast["member"], cycle, "do", date(2025, 1, 10))
    with pytest.raises(DomainError, match="backwards"):
        services.move_phase(cast["member"], cycle, "plan", date(2025, 1, 11))


def test_skipping_a_phase_is_refused(cast, cycle):
    with pytest.raises(DomainError, match="only to Do"):
        services.move_phase(cast["member"], cycle, "study", date(2025, 1, 11))


def test_a_move_cannot_predate_the_current_phase(cast, cycle):
    with pytest.raises(DomainError, match="cannot be earlier"):
        services.move_phase(cast["member"], cycle, "do", date(2025, 1, 1))


def test_closing_needs_a_decision(cast, cycle):
    for phase, day in (("do", 10), ("study", 20), ("act", 25)):
        services.move_phase(cast["member"], cycle, phase, date(2025, 1, day))
    with pytest.raises(DomainError, match="decision"):
        services.move_phase(cast["member"], cycle, "closed", date(2025, 1, 26))


def test_later_phases_cannot_be_written_early(cast, cycle):
    with pytest.raises(DomainError, match="comes later"):
        services.update_cycle(cast["member"], cycle, None, "study", results="Fine")


def test_adapt_closes_the_cycle_and_prefills_the_next(cast, cycle):
    for phase, day in (("do", 10), ("study", 20)):
        services.move_phase(cast["member"], cycle, phase, date(2025, 1, day))
    services.update_cycle(cast["member"], cycle, None, "study", lessons="Nights differ")
    services.move_phase(cast["member"], cycle, "act", date(2025, 1, 25))
    services.update_cycle(cast["member"], cycle, None, "act", decision="adapt",
                          reason="Works by day only")
    following = services.adapt(cast["member"], cycle, date(2025, 1, 27))
    db.session.commit()
    assert cycle.phase == "closed"
    assert following.previous is cycle and following.phase == "plan"
    assert following.objective.startswith("Screen every booking")
    assert "Nights differ" in following.objective
    assert services.ramp(cycle.goal) == [cycle, following]


def test_only_an_adapt_decision_adapts(cast, cycle):
    with pytest.raises(DomainError, match="adapt"):
        services.adapt(cast["member"], cycle)


def test_a_phase_is_written_only_until_the_cycle_moves_on(cast, cycle):
    services.update_cycle(cast["member"], cycle, None, "plan", predictions="Half screened")
    services.move_phase(cast["member"], cycle, "do", date(2025, 1, 10))
    services.update_cycle(cast["member"], cycle, None, "do", observations="Nights busy")
    with pytest.raises(DomainError, match="Plan closed when Do started on 10 January 2025"):
        services.update_cycle(cast["member"], cycle, None, "plan", predictions="All screened")
    services.move_phase(cast["member"], cycle, "study", date(2025, 1, 20))
    with pytest.raises(DomainError, match="Do closed when Study started"):
        services.update_cycle(cast["member"], cycle, None, "do", observations="Changed")
    assert cycle.predictions == "Half screened" and cycle.observations == "Nights busy"
