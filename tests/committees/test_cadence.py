"""Cadence: RRULEs in words, and back and forth from plain choices."""

from datetime import datetime

import pytest

from govtrack.committees.cadence import (
    CadenceChoice,
    CadenceError,
    build_rrule,
    choice_from_rrule,
    describe,
    validate_rrule,
)


@pytest.mark.parametrize(("rrule", "words"), [
    ("FREQ=MONTHLY;BYDAY=2TU", "Monthly on the second Tuesday, 90 minutes"),
    ("FREQ=MONTHLY;BYDAY=-1FR", "Monthly on the last Friday, 90 minutes"),
    ("FREQ=WEEKLY;INTERVAL=2;BYDAY=WE", "Every two weeks on Wednesdays, 90 minutes"),
    ("FREQ=MONTHLY;INTERVAL=3;BYDAY=1MO", "Quarterly on the first Monday, 90 minutes"),
    ("FREQ=MONTHLY;BYMONTHDAY=15", "Monthly on day 15, 90 minutes"),
])
def test_cadence_in_words(rrule, words):
    assert describe(rrule, 90) == words


def test_no_rule_means_no_regular_meetings():
    assert describe(None) == "No regular meetings"


@pytest.mark.parametrize("choice", [
    CadenceChoice("monthly", "TU", 2), CadenceChoice("quarterly", "TH", -1),
    CadenceChoice("weekly", "MO", None), CadenceChoice("biweekly", "FR", None),
])
def test_choices_survive_a_round_trip_through_the_rrule(choice):
    assert choice_from_rrule(build_rrule(choice)) == choice


def test_a_complex_rule_has_no_plain_choices():
    assert choice_from_rrule("FREQ=MONTHLY;BYDAY=2TU;BYMONTH=1,4,7,10") is None


@pytest.mark.parametrize("rrule", [
    "FREQ=HOURLY", "FREQ=MONTHLY;BYDAY=9XX", "nonsense", "FREQ=MONTHLY;COUNT=0",
    "FREQ=MONTHLY;BYMONTHDAY=31;BYMONTH=2", "FREQ=WEEKLY;INTERVAL=0",
    "FREQ=WEEKLY\nRRULE:FREQ=DAILY",
])
def test_unusable_rules_are_refused(rrule):
    with pytest.raises(CadenceError):
        validate_rrule(rrule, datetime(2026, 1, 13, 15, 0))
