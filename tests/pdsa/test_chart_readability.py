"""A run chart people can read: round ticks with the unit, a goal line, located signals."""

import re
from datetime import date

from govtrack.pdsa import services
from govtrack.pdsa.runchart import Analysis, Segment, Signal, amount, chart, nice_ticks


def test_ticks_are_round_numbers_with_the_unit():
    assert nice_ticks(11.3, 23.9) == [10, 15, 20, 25]
    assert nice_ticks(0.12, 0.61) == [0.0, 0.2, 0.4, 0.6, 0.8]
    assert amount(1250, "transports") == "1,250 transports" and amount(2.5) == "2.5"


def _analysis(values, signals=()):
    dates = [date(2025, m, 1) for m in range(1, len(values) + 1)]
    seg = Segment(0, len(values), len(values), 6.0, signals=list(signals))
    return Analysis(dates, values, "anhoej", [seg])


def test_only_points_where_a_rule_fires_are_marked():
    values = [5, 7, 6, 8, 5, 7, 3, 3, 3]
    located = _analysis(values, [Signal("shift", (6, 7, 8), -1), Signal("few_runs", tuple(
        range(9)))])
    drawn = chart(located)
    assert [marked for *_, marked in drawn.points] == [False] * 6 + [True] * 3


def test_the_goal_line_is_drawn_inside_the_chart_with_its_unit():
    drawn = chart(_analysis([20, 22, 19, 21, 23, 18]), unit="days", target=12)
    y, label = drawn.target
    assert label == "goal 12 days"
    assert 16 <= y <= drawn.height - 40
    assert drawn.ticks[-1][1].endswith(" days") and re.fullmatch(r"\d+ days", drawn.ticks[0][1])
    assert chart(_analysis([1, 2, 3])).target is None


def test_long_tick_labels_and_late_annotations_are_not_cut():
    drawn = chart(_analysis([1200, 1500, 1800]), unit="transports",
                  annotations=[(date(2025, 3, 1), "Drop-off centre opens")])
    longest = max(len(label) for _, label in drawn.ticks)
    assert drawn.left - 6 >= longest * 6.5  # the right-aligned labels start inside the box
    assert drawn.annotations[0][2] == "end"


def test_the_measure_page_draws_the_goal_line(make, client, login, db):
    cast = make.cast()
    measure = services.create_measure(cast["chair"], cast["committee"], name="Bed waits",
                                      unit="days", target=10)
    for month, value in enumerate([14, 15, 13, 16], start=1):
        services.add_point(cast["chair"], measure, date(2025, month, 1), value)
    db.session.commit()
    login(cast["member"])
    page = client.get(f"/measures/{measure.key}").get_data(as_text=True)
    assert 'class="gt-goal"' in page and "goal 10 days" in page


def test_a_target_that_is_no_number_is_refused_on_its_field(make, client, login):
    cast = make.cast()
    login(cast["chair"])
    response = client.post(f"/committees/{cast['committee'].key}/measures/new", data={
        "name": "Bed waits", "unit": "days", "kind": "outcome", "direction": "down",
        "frequency": "monthly", "workgroup": "0", "source_agency": "0", "rules": "anhoej",
        "show_limits": "no", "target": "ten"})
    html = response.get_data(as_text=True)
    assert "“ten” is not a number." in html and 'value="Bed waits"' in html

