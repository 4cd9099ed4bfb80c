"""The run-chart rules against hand-worked series and the published tables."""

from datetime import date

import pytest

from govtrack.pdsa import runchart
from govtrack.pdsa.runchart import analyse, describe, runs_of, shifts, trends


def monthly(values, start=(2024, 1)):
    """Points on the first of consecutive months."""
    year, month = start
    points = []
    for value in values:
        points.append((date(year, month, 1), value))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return points


def codes(analysis, segment=-1):
    return [s.code for s in analysis.segments[segment].signals]


# --- the median and runs -----------------------------------------------------------


def test_median_of_an_even_number_is_the_mean_of_the_middle_two():
    assert runchart.median([1, 2, 3, 4]) == 2.5
    assert runchart.median([3, 1, 2]) == 2


def test_points_on_the_median_neither_end_nor_join_a_run():
    # median 10: + + 0 + - 0 -  -> two runs, of 3 and 2 useful points
    runs = runs_of([11, 12, 10, 13, 9, 10, 8], 10)
    assert runs == [(1, [0, 1, 3]), (-1, [4, 6])]


# --- shift ---------------------------------------------------------------------------


def test_six_points_on_one_side_are_a_shift_five_are_not():
    assert [s.indices for s in shifts([11, 12, 13, 14, 15, 16], 10)] == [(0, 1, 2, 3, 4, 5)]
    assert shifts([11, 12, 13, 14, 15, 9], 10) == []


def test_a_point_on_the_median_does_not_break_a_shift():
    found = shifts([11, 12, 13, 10, 14, 15, 16], 10)
    assert [s.indices for s in found] == [(0, 1, 2, 4, 5, 6)]
    assert found[0].side == 1


def test_a_point_on_the_median_does_not_count_towards_a_shift():
    # five useful points above and one on the median: no shift
    assert shifts([11, 12, 10, 13, 14, 15], 10) == []


def test_shift_below_the_median_after_a_baseline():
    # baseline median 10 from the first six; then seven points below
    values = [9, 11, 10, 12, 8, 10, 7, 6, 7, 5, 6, 7, 6]
    result = analyse(monthly(values), rules="ihi", baseline=6)
    assert result.segments[0].median == 10
    shift = [s for s in result.segments[0].signals if s.code == "shift"]
    assert len(shift) == 1 and shift[0].side == -1
    assert shift[0].indices == (4, 6, 7, 8, 9, 10, 11, 12)


# --- trend ---------------------------------------------------------------------------


def test_five_rising_points_are_a_trend_four_are_not():
    assert [(s.indices, s.side) for s in trends([1, 2, 3, 4, 5])] == [((0, 1, 2, 3, 4), 1)]
    assert trends([1, 2, 3, 4]) == []


def test_repeated_values_do_not_count_towards_a_trend():
    # 1 2 3 3 4: only four distinct steps up
    assert trends([1, 2, 3, 3, 4]) == []


def test_repeated_values_do_not_break_a_trend():
    found = trends([1, 2, 2, 3, 4, 5])
    assert [s.indices for s in found] == [(0, 1, 2, 3, 4, 5)]


def test_a_falling_trend_after_a_peak_shares_the_peak():
    # rising 1..4 (four points) then falling 4..0 (five points)
    found = trends([1, 2, 3, 4, 3, 2, 1, 0])
    assert [(s.indices, s.side) for s in found] == [((3, 4, 5, 6, 7), -1)]


def test_flat_series_has_no_trend():
    assert trends([3, 3, 3, 3, 3, 3]) == []


# --- runs table ------------------------------------------------------------------------


@pytest.mark.parametrize(("useful", "limits"), [
    (10, (3, 9)), (11, (3, 10)), (12, (3, 11)), (15, (5, 12)), (20, (6, 16)),
    (24, (8, 18)), (25, (8, 18)), (30, (11, 21)), (40, (15, 27)), (50, (19, 33)),
    (60, (24, 38))])
def test_runs_table_matches_the_published_values(useful, limits):
    assert runchart.runs_limits(useful) == limits


def test_runs_table_covers_ten_to_sixty_observations_only():
    assert runchart.runs_limits(9) is None
    assert runchart.runs_limits(61) is None
    assert sorted(runchart.RUNS_TABLE) == list(range(10, 61))


def test_runs_table_limits_grow_with_the_observations():
    lows = [runchart.RUNS_TABLE[n][0] for n in range(10, 61)]
    highs = [runchart.RUNS_TABLE[n][1] for n in range(10, 61)]
    assert lows == sorted(lows) and highs == sorted(highs)


def test_too_few_runs():
    # twelve useful points in two runs: fewer than 3
    values = [1, 2, 3, 1, 2, 3, 11, 12, 13, 11, 12, 13]
    result = analyse(monthly(values), rules="ihi")
    seg = result.segments[0]
    assert (seg.useful, seg.runs) == (12, 2)
    assert "few_runs" in codes(result)


def test_too_many_runs():
    # twelve points alternating around the median: 12 runs, more than 11
    values = [1, 9] * 6
    result = analyse(monthly(values), rules="ihi")
    assert result.segments[0].runs == 12
    assert "many_runs" in codes(result)


def test_runs_within_the_limits_are_no_signal():
    values = [1, 2, 9, 8, 1, 9, 2, 8, 1, 9, 8, 2]  # runs: 2,2,1,1,1,1,1,2,1 = 9 runs
    result = analyse(monthly(values), rules="ihi")
    assert result.segments[0].runs == 9
    assert not {"few_runs", "many_runs"} & set(codes(result))


def test_fewer_than_ten_useful_observations_have_no_runs_test():
    # nine points, two runs: would be "too few" at ten
    values = [1, 2, 3, 4, 11, 12, 13, 14, 15]
    result = analyse(monthly(values), rules="ihi")
    assert result.segments[0].runs_limits is None
    assert not {"few_runs", "many_runs"} & set(codes(result))


def test_points_on_the_median_are_not_useful_observations():
    # 11 points, one exactly on the median (6): ten useful observations
    values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
    seg = analyse(monthly(values), rules="ihi").segments[0]
    assert seg.median == 6 and seg.useful == 10 and seg.runs == 2
    assert seg.runs_limits == (3, 9)


# --- astronomical point -------------------------------------------------------------


def test_astronomical_point_is_outside_the_baseline_limits():
    values = [10, 11, 9, 10, 11, 9, 10, 11, 9, 10, 30]
    result = analyse(monthly(values), rules="ihi", baseline=10)
    lower, centre, upper = result.segments[0].xmr
    assert centre == 10 and upper == pytest.approx(10 + 2.66 * 12 / 9)  # ranges 1 2 1 1 2 1 1 2 1
    astro = [s for s in result.segments[0].signals if s.code == "astronomical"]
    assert [(s.indices, s.side) for s in astro] == [((10,), 1)]


def test_xmr_limits_from_the_average_moving_range():
    lower, centre, upper = runchart.xmr_limits([10, 12, 11, 13])
    # moving ranges 2, 1, 2: average 5/3
    assert centre == 11.5
    assert upper == pytest.approx(11.5 + 2.66 * 5 / 3)
    assert lower == pytest.approx(11.5 - 2.66 * 5 / 3)
    assert runchart.xmr_limits([4]) is None


# --- Anhøj rules ------------------------------------------------------------------------


@pytest.mark.parametrize(("useful", "longest", "crossings"), [
    (10, 6, 2), (11, 6, 2), (12, 7, 3), (14, 7, 4), (16, 7, 4), (17, 7, 5), (20, 7, 6),
    (22, 7, 7), (23, 8, 7), (24, 8, 8), (30, 8, 10), (40, 8, 14), (50, 9, 19),
    (60, 9, 23), (100, 10, 41)])
def test_anhoej_limits_match_the_published_table(useful, longest, crossings):
    assert runchart.anhoej_limits(useful) == (longest, crossings)


def test_anhoej_needs_ten_useful_observations():
    assert runchart.anhoej_limits(9) is None
    result = analyse(monthly([1, 2, 3, 4, 5, 6, 7, 8, 9]))
    assert result.segments[0].signals == []
    assert describe(result, "down").startswith("Too few points to judge")


def test_anhoej_long_run():
    # 24 monthly points: twelve around 20, then twelve well below (longest run 12 > 8)
    values = [20, 22, 19, 21, 23, 18, 20, 22, 19, 21, 24, 21,
              14, 15, 13, 12, 14, 15, 13, 12, 14, 13, 15, 12]
    result = analyse(monthly(values), baseline=12)
    seg = result.segments[0]
    # the baseline's last point sits on the median: it neither starts nor breaks a run
    assert seg.median == 21
    long_runs = [s for s in seg.signals if s.code == "long_run"]
    assert len(long_runs) == 1 and long_runs[0].side == -1
    assert result.dates[long_runs[0].indices[0]] == date(2025, 1, 1)
    assert describe(result, "down") == (
        "Improvement: unusually long run below the median since January 2025.")
    assert describe(result, "up").startswith("Deterioration:")


def test_anhoej_run_at_the_limit_is_no_signal():
    # baseline median 5.5; runs of 1, 1, 7, 3: twelve useful, longest 7, 3 crossings
    values = [5, 6, 1, 2, 1, 2, 1, 2, 1, 11, 12, 11]
    seg = analyse(monthly(values), baseline=2).segments[0]
    assert (seg.useful, seg.longest_run, seg.crossings) == (12, 7, 3)
    assert seg.anhoej_limits == (7, 3)
    assert seg.signals == []


def test_anhoej_run_over_the_limit_is_a_signal():
    # one more point in the long run: 13 useful, longest 8 > 7
    values = [5, 6, 1, 2, 1, 2, 1, 2, 1, 2, 11, 12, 11]
    result = analyse(monthly(values), baseline=2)
    seg = result.segments[0]
    assert (seg.useful, seg.longest_run, seg.crossings) == (13, 8, 3)
    assert codes(result) == ["long_run"]
    assert result.segments[0].signals[0].indices == tuple(range(2, 10))


def test_anhoej_few_crossings():
    # baseline median 5.5; - + then five below and five above: 2 crossings < 3
    values = [6, 5, 1, 2, 1, 2, 1, 11, 12, 11, 12, 11]
    seg = analyse(monthly(values), baseline=2).segments[0]
    assert (seg.useful, seg.crossings) == (12, 2)
    assert [s.code for s in seg.signals] == ["few_crossings"]


def test_anhoej_random_series_has_no_signal():
    values = [5, 8, 3, 9, 4, 7, 2, 8, 6, 3, 9, 4]
    result = analyse(monthly(values))
    assert result.segments[0].signals == []
    assert describe(result, "up").startswith("No signal")


def test_anhoej_points_on_the_median_are_skipped_when_counting_crossings():
    # median 5; + 0 - 0 + ... : the zeros do not add crossings
    values = [6, 5, 4, 5, 6, 4, 6, 4, 6, 4, 6, 4, 5]
    seg = analyse(monthly(values)).segments[0]
    assert seg.useful == 10 and seg.crossings == 9


# --- baseline and reset -------------------------------------------------------------


def test_reset_judges_later_points_against_a_new_median():
    before = [20, 22, 19, 21, 23, 18, 20, 22, 19, 21, 24, 21]
    after = [14, 15, 13, 12, 14, 15, 13, 12, 14, 13, 15, 12]
    points = monthly(before + after)
    result = analyse(points, baseline=12, reset_on=date(2025, 1, 1))
    assert [s.median for s in result.segments] == [21, 13.5]
    assert [(s.start, s.end) for s in result.segments] == [(0, 12), (12, 24)]
    assert result.segments[1].signals == []
    assert result.segments[0].signals == []


def test_sustained_shift_gives_the_reset_date():
    values = [20, 22, 19, 21, 23, 18, 20, 22, 19, 21, 24, 21,
              14, 15, 13, 12, 14, 15, 13, 12, 14, 13, 15, 12]
    result = analyse(monthly(values), baseline=12)
    assert runchart.sustained_shift_starts(result) == [date(2025, 1, 1)]


def test_points_are_sorted_by_date():
    points = [(date(2024, 3, 1), 3), (date(2024, 1, 1), 1), (date(2024, 2, 1), 2)]
    assert analyse(points).values == [1, 2, 3]


# --- in words -------------------------------------------------------------------------


def test_shift_in_words_says_improvement_or_deterioration_by_direction():
    values = [9, 11, 10, 12, 8, 10, 7, 6, 7, 5, 6, 7, 6]
    result = analyse(monthly(values, start=(2025, 1)), rules="ihi", baseline=6)
    assert describe(result, "down") == "Improvement: shift below the median since May 2025."
    assert describe(result, "up") == "Deterioration: shift below the median since May 2025."


def test_no_data_in_words():
    assert describe(analyse([]), "up") == "No data yet."


def test_unknown_rule_set_is_refused():
    with pytest.raises(ValueError):
        analyse([], rules="westgard")
