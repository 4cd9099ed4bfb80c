"""The draft agenda proposes shifted measures and cycles due for Study."""

from datetime import date, timedelta

import pytest

from govtrack.extensions import db
from govtrack.meetings.drafting import draft_agenda, propose_agenda
from govtrack.meetings.services import meeting_day
from govtrack.pdsa import services


@pytest.fixture
def cast(make):
    cast = make.cast()
    cast["meeting"].agenda_status = "draft"
    db.session.commit()
    return cast


def titles(meeting) -> list[str]:
    return [p.title for p in propose_agenda(meeting)]


def test_a_measure_with_a_signal_is_proposed(cast):
    chair = cast["chair"]
    shifted = services.create_measure(chair, cast["committee"], name="Bed waits", rules="ihi")
    for month, value in enumerate([1] * 6 + [10] * 6, start=1):
        services.add_point(chair, shifted, date(2024, month, 1), value)
    quiet = services.create_measure(chair, cast["committee"], name="Quiet")
    for month, value in enumerate([5, 6, 5], start=1):
        services.add_point(chair, quiet, date(2024, month, 1), value)
    db.session.commit()
    assert services.analysis(shifted).current.signals
    found = titles(cast["meeting"])
    # named by the rule that fired, not "shifted" whatever it was
    assert ("The measure “Bed waits”: an astronomical point above the upper limit; review it"
            in found)
    assert not any("Quiet" in t for t in found)
    item = next(i for i in draft_agenda(chair, cast["meeting"]) if i.measure_key)
    assert item.measure_key == shifted.key and "Bed waits" in item.title and item.why


def test_a_long_run_is_named_by_its_length_and_side(cast):
    chair = cast["chair"]
    measure = services.create_measure(chair, cast["committee"], name="Transports")
    for month, value in enumerate([9, 11, 10.5, 9.5, 10.2, 9.8, 10.1, 9.9, 10.4] + [4] * 8,
                                   start=1):
        services.add_point(chair, measure, date(2024, 1, 1) + timedelta(days=31 * month),
                           value)
    db.session.commit()
    assert "The measure “Transports”: a run of 8 below the median; review it" in titles(
        cast["meeting"])


def test_a_cycle_in_do_past_its_study_date_is_proposed(cast):
    chair, meeting = cast["chair"], cast["meeting"]
    day = meeting_day(meeting)
    goal = cast["workgroup"].goals[0]
    due = services.create_cycle(chair, goal, title="Due today", on=date(2025, 1, 6),
                                study_due=day)
    later = services.create_cycle(chair, goal, title="Due later", on=date(2025, 1, 6),
                                  study_due=day + timedelta(days=1))
    planned = services.create_cycle(chair, goal, title="Still planning", on=date(2025, 1, 6),
                                    study_due=day - timedelta(days=5))
    for cycle in (due, later):
        services.move_phase(chair, cycle, "do", date(2025, 1, 10))
    db.session.commit()
    found = titles(meeting)
    assert "PDSA cycle “Due today” is due for Study" in found
    assert not any(c.title in t for c in (later, planned) for t in found)
    items = draft_agenda(chair, meeting)
    item = next(i for i in items if i.pdsa_key == due.key)
    assert item.title == "PDSA cycle “Due today” is due for Study"
    db.session.commit()
    assert "PDSA cycle “Due today” is due for Study" not in titles(meeting)
