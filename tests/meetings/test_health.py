"""The meetings' committee health rules, on both sides of each threshold."""

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from govtrack.health.services import Flag, flags_for, report
from govtrack.meetings.health import (
    attendance_falling_since,
    attendance_share,
    cadence_period_days,
    no_meeting_since,
)
from govtrack.meetings.models import Attendance, Meeting

NEW_YORK = ZoneInfo("America/New_York")


def flags(committee, day: date, code: str) -> list[Flag]:
    """The committee's flags of one code on day."""
    return [f for f in flags_for("committee", committee, day) if f.code == code]


@pytest.fixture
def hold(make, db):
    """hold(committee, day, present=[...], designee=[...], status=...): a meeting at 15:00 NY."""

    def build(committee, day: date, present=(), designee=(), absent=(), status="held",
              hour=15, minute=0):
        start = datetime(day.year, day.month, day.day, hour, minute, tzinfo=NEW_YORK)
        stand_ins = [make.person() for _ in designee]
        meeting = Meeting(key=f"{committee.key}-{day.isoformat()}-{hour}{minute}",
                          committee=committee, starts_at=start.astimezone(UTC),
                          status=status)
        for person in present:
            meeting.attendance.append(Attendance(person=person, status="present"))
        for person, stand_in in zip(designee, stand_ins, strict=True):
            meeting.attendance.append(Attendance(person=person, status="designee",
                                                 designee=stand_in))
        for person in absent:
            meeting.attendance.append(Attendance(person=person, status="absent"))
        db.session.add(meeting)
        db.session.commit()
        return meeting

    return build


@pytest.fixture
def monthly(make):
    """A committee meeting monthly on the second Tuesday since 2025-01-14 (P = 31 days)."""

    def build(rrule="FREQ=MONTHLY;BYDAY=2TU", dtstart=datetime(2025, 1, 14, 15, 0)):
        return make.committee(timezone="America/New_York", cadence_rrule=rrule,
                              cadence_dtstart=dtstart)

    return build


# --- no_meeting ---------------------------------------------------------------------


@pytest.mark.parametrize(("rrule", "period"), [
    ("FREQ=DAILY", 1), ("FREQ=WEEKLY;BYDAY=TU", 7), ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", 14),
    ("FREQ=MONTHLY;BYDAY=2TU", 31), ("FREQ=MONTHLY;INTERVAL=3;BYDAY=2TU", 93),
    ("FREQ=YEARLY", 366)])
def test_the_period_is_the_frequency_in_days_times_the_interval(monthly, rrule, period):
    assert cadence_period_days(monthly(rrule)) == period


def test_no_meeting_holds_exactly_two_periods_after_the_last_held_meeting(monthly, hold):
    committee = monthly()
    hold(committee, date(2025, 3, 11))
    last_ok = date(2025, 3, 11) + timedelta(days=61)
    assert flags(committee, last_ok, "no_meeting") == []
    assert flags(committee, last_ok + timedelta(days=1), "no_meeting") == [
        Flag("no_meeting", date(2025, 5, 12))]
    assert flags(committee, date(2025, 9, 1), "no_meeting") == [
        Flag("no_meeting", date(2025, 5, 12))]


def test_before_any_held_meeting_no_meeting_counts_from_the_cadence_start(monthly):
    committee = monthly()  # dtstart 2025-01-14
    assert no_meeting_since(committee, date(2025, 3, 16)) is None
    assert no_meeting_since(committee, date(2025, 3, 17)) == date(2025, 3, 17)


def test_scheduled_and_cancelled_meetings_do_not_count(monthly, hold):
    committee = monthly()
    hold(committee, date(2025, 2, 11))
    hold(committee, date(2025, 3, 11), status="cancelled")
    hold(committee, date(2025, 4, 8), status="scheduled")
    assert flags(committee, date(2025, 4, 14), "no_meeting") == [
        Flag("no_meeting", date(2025, 4, 14))]


def test_a_meeting_after_the_as_of_date_does_not_count(monthly, hold):
    committee = monthly()
    hold(committee, date(2025, 1, 14))
    hold(committee, date(2025, 4, 8))
    assert flags(committee, date(2025, 4, 7), "no_meeting") == [
        Flag("no_meeting", date(2025, 3, 17))]
    # a meeting held on the as-of date has happened by then
    assert flags(committee, date(2025, 4, 8), "no_meeting") == []


def test_the_meetings_date_is_taken_in_the_committees_time_zone(monthly, hold):
    committee = monthly()
    # 23:30 in New York on 11 March is already 12 March in UTC
    hold(committee, date(2025, 3, 11), hour=23, minute=30)
    assert no_meeting_since(committee, date(2025, 5, 12)) == date(2025, 5, 12)


def test_weekly_committees_flag_after_fourteen_days(monthly, hold):
    committee = monthly("FREQ=WEEKLY;BYDAY=TU", datetime(2025, 1, 7, 15, 0))
    hold(committee, date(2025, 6, 3))
    assert no_meeting_since(committee, date(2025, 6, 16)) is None
    assert no_meeting_since(committee, date(2025, 6, 17)) == date(2025, 6, 17)


def test_a_committee_without_cadence_is_never_flagged_for_not_meeting(make):
    committee = make.committee(timezone="America/New_York")
    assert flags(committee, date(2030, 1, 1), "no_meeting") == []


def test_no_meeting_appears_in_the_health_report_of_today(app, monthly, hold):
    committee = monthly()
    hold(committee, date(2025, 3, 11))
    runner = app.test_cli_runner()
    with time_machine.travel(datetime(2025, 5, 12, 12, tzinfo=UTC), tick=False):
        result = runner.invoke(args=["govtrack", "health", "--json"])
    assert result.exit_code == 0, result.output
    entry = next(c for c in json.loads(result.output)["committees"]
                 if c["key"] == committee.key)
    assert {"code": "no_meeting", "since": "2025-05-12"} in entry["flags"]
    with time_machine.travel(datetime(2025, 5, 11, 12, tzinfo=UTC), tick=False):
        result = runner.invoke(args=["govtrack", "health", "--json"])
    entry = next(c for c in json.loads(result.output)["committees"]
                 if c["key"] == committee.key)
    assert "no_meeting" not in {f["code"] for f in entry["flags"]}


# --- attendance_falling -------------------------------------------------------------


@pytest.fixture
def table(make, monthly, hold):
    """A monthly committee of four members (and an observer); meet(counts) holds meetings.

    meet([4, 3, ...]) holds one meeting a month from January 2025 with that
    many of the four members present, and returns their dates.
    """
    committee = monthly()
    members = [make.person() for _ in range(4)]
    for person in members:
        make.membership(committee, person, start=date(2024, 1, 1))
    make.membership(committee, make.person(), role="observer", start=date(2024, 1, 1))

    def meet(counts, start_month=1):
        days = []
        for n, present in enumerate(counts):
            month = start_month + n
            day = date(2025 + (month - 1) // 12, (month - 1) % 12 + 1, 10)
            hold(committee, day, present=members[:present], absent=members[present:])
            days.append(day)
        return days

    return committee, members, meet


def falling(committee, day):
    """The committee's attendance_falling flags on day."""
    return flags(committee, day, "attendance_falling")


def test_fifty_percent_exactly_is_not_falling_and_below_is(table):
    committee, _, meet = table
    days = meet([2, 2, 2])  # 6 of 12 members' seats: 50 % (the observer is not expected)
    assert falling(committee, days[-1]) == []
    days = meet([1], start_month=4)  # 2 + 2 + 1 of 12: 41.7 %
    assert falling(committee, days[-1]) == [Flag("attendance_falling", days[-1])]


def test_fewer_than_three_held_meetings_are_not_judged(table):
    committee, _, meet = table
    days = meet([0, 0])
    assert falling(committee, days[-1] + timedelta(days=20)) == []
    third = meet([0], start_month=3)[0]
    assert falling(committee, third) == [Flag("attendance_falling", third)]


def test_a_drop_of_less_than_twenty_five_points_is_not_falling(table):
    committee, _, meet = table
    days = meet([4, 4, 4, 4, 3, 3])  # 100 % → 83.3 %: 16.7 points down
    assert falling(committee, days[-1]) == []


def test_exactly_twenty_five_points_down_is_falling(table):
    committee, _, meet = table
    days = meet([4, 4, 4, 3, 3, 3])  # 100 % → 75 %: still above half, but 25 points down
    assert falling(committee, days[-1]) == [Flag("attendance_falling", days[-1])]
    assert falling(committee, days[-1] - timedelta(days=1)) == []


def test_since_is_the_first_meeting_of_the_unbroken_run(table):
    committee, _, meet = table
    # shares of the three ending at each meeting, from the third:
    # 25 % (falls), 50 %, 75 %, 100 %, 75 % (up from 50), 50 % (75 → 50: falls), 25 % (falls)
    days = meet([1, 1, 1, 4, 4, 4, 1, 1, 1])
    assert falling(committee, days[2]) == [Flag("attendance_falling", days[2])]
    assert falling(committee, days[3] - timedelta(days=1)) == [
        Flag("attendance_falling", days[2])]
    # a good meeting breaks the run
    assert falling(committee, days[3]) == []
    assert falling(committee, days[6]) == []
    assert falling(committee, days[7]) == [Flag("attendance_falling", days[7])]
    assert falling(committee, days[8] + timedelta(days=10)) == [
        Flag("attendance_falling", days[7])]


def test_meetings_after_the_as_of_date_are_ignored(table):
    committee, _, meet = table
    days = meet([4, 4, 4, 0, 0, 0])  # shares from the third: 100, 66.7, 33.3, 0 %
    assert falling(committee, days[3]) == []
    assert falling(committee, days[4] - timedelta(days=1)) == []
    # a meeting held on the as-of date has happened by then
    assert falling(committee, days[4]) == [Flag("attendance_falling", days[4])]


def test_designees_represent_members_and_guests_do_not_count(table, make, hold):
    committee, members, _ = table
    guest = make.person()
    days = [date(2025, m, 10) for m in (1, 2, 3)]
    for day in days:
        # one present and one represented: 2 of 4, with a guest who is no member
        hold(committee, day, present=[members[0], guest], designee=[members[1]])
    assert falling(committee, days[-1]) == []
    fourth = date(2025, 4, 10)
    hold(committee, fourth, present=[members[0], guest])  # (2 + 2 + 1) of 12: 41.7 %
    assert falling(committee, fourth) == [Flag("attendance_falling", fourth)]


def test_expected_people_are_the_members_on_each_meetings_date(table, make, hold):
    committee, members, _ = table
    # two members leave after the first meeting; the two who stay always come
    for membership in committee.memberships:
        if membership.person in members[2:]:
            membership.end = date(2025, 1, 31)
    newcomer = make.person()
    make.membership(committee, newcomer, start=date(2025, 3, 1))
    days = [date(2025, m, 10) for m in (1, 2, 3)]
    hold(committee, days[0], present=members[:2])  # 2 of 4
    hold(committee, days[1], present=members[:2])  # 2 of 2
    hold(committee, days[2], present=members[:2])  # 2 of 3: the newcomer stayed away
    # (2 + 2 + 2) of (4 + 2 + 3) = 66.7 %
    assert falling(committee, days[-1]) == []
    hold(committee, date(2025, 4, 10), present=members[:1])  # (2 + 2 + 1) of 8 = 62.5 %
    assert falling(committee, date(2025, 4, 10)) == []


def test_meetings_not_held_are_not_pooled(table, hold):
    committee, members, meet = table
    days = meet([4, 4])
    hold(committee, date(2025, 2, 20), status="cancelled")
    hold(committee, date(2025, 2, 25), status="scheduled")
    assert falling(committee, days[-1] + timedelta(days=10)) == []
    days = meet([1], start_month=3)  # (4 + 4 + 1) of 12 = 75 %
    assert falling(committee, days[-1]) == []


def test_the_arithmetic_serves_any_group_of_expected_people(table):
    committee, members, meet = table
    meet([4, 4, 4, 1, 1, 1])
    held = sorted(committee.meetings, key=lambda m: m.starts_at)
    pair = {members[0].id, members[1].id}
    assert attendance_share(held[:3], lambda meeting: pair) == 1
    assert attendance_share(held[3:], lambda meeting: pair) == 0.5
    # the first two always came: a workgroup of them is not falling
    assert attendance_falling_since(held, lambda meeting: {members[0].id},
                                    date(2025, 12, 31)) is None
    # the last one came to the first three only: 66.7 %, then 33.3 % from May
    assert attendance_falling_since(held, lambda meeting: {members[3].id},
                                    date(2025, 12, 31)) == date(2025, 5, 10)
    assert attendance_share(held, lambda meeting: set()) is None


def test_attendance_falling_appears_in_the_health_report(table):
    committee, _, meet = table
    days = meet([1, 1, 1])
    entry = next(c for c in report(days[-1])["committees"] if c["key"] == committee.key)
    assert {"code": "attendance_falling", "since": days[-1].isoformat()} in entry["flags"]
