"""Outcomes, measure and PDSA pages."""

import io
from datetime import date

from govtrack.extensions import db
from govtrack.pdsa import services
from govtrack.pdsa.models import DataPoint, PdsaCycle

SHIFTED = [20, 22, 19, 21, 23, 18, 20, 22, 19, 21, 24, 21,
           14, 15, 13, 12, 14, 15, 13, 12, 14, 13, 15, 12]


def _shifted_measure(cast):
    measure = services.create_measure(cast["chair"], cast["committee"], name="Bed waits",
                                      unit="days", baseline_points=12)
    for n, value in enumerate(SHIFTED):
        services.add_point(cast["chair"], measure, date(2023 + n // 12, n % 12 + 1, 1), value)
    goal = cast["workgroup"].goals[0]
    services.create_cycle(cast["chair"], goal, title="Screen at booking", on=date(2023, 12, 15))
    db.session.commit()
    return measure


def test_outcomes_page_shows_the_chart_its_text_alternative_and_signal(make, client, login):
    cast = make.cast()
    _shifted_measure(cast)
    login(cast["member"])
    page = client.get(f"/committees/{cast['committee'].key}/outcomes").get_data(as_text=True)
    assert "Improvement: unusually long run below the median since January 2024." in page
    assert '<svg role="img"' in page and "<desc id=" in page and "<script" not in page
    assert "style=" not in page
    assert "<th scope=\"row\">2024-12-01</th>" in page  # the data table
    assert "Screen at booking" in page  # the PDSA start annotated


def test_measure_page_shows_both_medians_after_a_reset(make, client, login):
    cast = make.cast()
    measure = _shifted_measure(cast)
    services.reset_baseline(cast["chair"], measure, date(2024, 1, 1))
    db.session.commit()
    login(cast["chair"])
    page = client.get(f"/measures/{measure.key}").get_data(as_text=True)
    assert "median 21" in page and "median 13.5" in page


def test_csv_import_with_a_bad_row_reports_it_and_imports_nothing(make, client, login):
    cast = make.cast()
    measure = services.create_measure(cast["chair"], cast["committee"], name="Transports")
    db.session.commit()
    login(cast["chair"])
    data = {"file": (io.BytesIO(b"date,value\n2025-01-01,3\n2025-02-01,many\n"), "p.csv")}
    response = client.post(f"/measures/{measure.key}/import", data=data,
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Nothing was imported" in page and "<td>3</td><td>value</td>" in page
    assert db.session.query(DataPoint).count() == 0
    data = {"file": (io.BytesIO(b"date,value\n2025-01-01,3\n2025-02-01,4\n"), "p.csv")}
    response = client.post(f"/measures/{measure.key}/import", data=data,
                           content_type="multipart/form-data")
    assert response.status_code == 302
    assert db.session.query(DataPoint).count() == 2


def test_a_member_records_the_study_phase(make, client, login):
    cast = make.cast()
    goal = cast["workgroup"].goals[0]
    cycle = services.create_cycle(cast["chair"], goal, title="Screen", on=date(2025, 1, 6))
    services.move_phase(cast["chair"], cycle, "do", date(2025, 1, 10))
    db.session.commit()
    login(cast["member"])
    response = client.post(f"/pdsa/{cycle.key}/phase",
                           data={"phase": "study", "on": "2025-02-01", "version": cycle.version})
    assert response.status_code == 302
    db.session.expire_all()
    cycle = db.session.get(PdsaCycle, cycle.id)
    response = client.post(f"/pdsa/{cycle.key}/record", data={
        "phase": "study", "version": cycle.version, "results": "Wait fell by a third",
        "lessons": "Night shift needs training"})
    assert response.status_code == 302
    db.session.expire_all()
    cycle = db.session.get(PdsaCycle, cycle.id)
    assert cycle.phase == "study" and cycle.results == "Wait fell by a third"
    page = client.get(f"/goals/{goal.key}/ramp").get_data(as_text=True)
    assert "Study since 2025-02-01" in page


def test_skipping_a_phase_by_hand_is_refused_on_the_page(make, client, login):
    cast = make.cast()
    goal = cast["workgroup"].goals[0]
    cycle = services.create_cycle(cast["chair"], goal, title="Screen", on=date(2025, 1, 6))
    db.session.commit()
    login(cast["member"])
    response = client.post(f"/pdsa/{cycle.key}/phase",
                           data={"phase": "act", "on": "2025-02-01", "version": cycle.version})
    assert response.status_code == 400
    assert "one phase forward at a time" in response.get_data(as_text=True)


def test_outcomes_page_runs_a_fixed_number_of_queries(web_app, make, client, login):
    from tests.helpers import count_queries

    cast = make.cast()
    _shifted_measure(cast)
    login(cast["member"])
    url = f"/committees/{cast['committee'].key}/outcomes"
    few = count_queries(web_app, lambda: client.get(url))
    goal = cast["workgroup"].goals[0]
    for n in range(3):
        measure = services.create_measure(cast["chair"], cast["committee"], name=f"Measure {n}")
        for month in range(1, 13):
            services.add_point(cast["chair"], measure, date(2024, month, 1), month + n)
        cycle = services.create_cycle(cast["chair"], goal, title=f"Cycle {n}",
                                      on=date(2024, 2, 1))
        services.move_phase(cast["chair"], cycle, "do", date(2024, 3, 1))
    db.session.commit()
    many = count_queries(web_app, lambda: client.get(url))
    assert few == many
    page = client.get(url).get_data(as_text=True)
    assert "Measure 2" in page and "Cycle 2" in page


def test_a_csv_over_the_limit_is_refused_by_name_never_cut(make, client, login):
    cast = make.cast()
    measure = services.create_measure(cast["chair"], cast["committee"], name="Transports")
    db.session.commit()
    login(cast["chair"])
    rows = b"".join(b"2020-01-01,3,%s\n" % (b"x" * 400) for _ in range(5100))
    body = b"date,value,note\n" + rows
    assert 2_000_000 < len(body) < 2_200_000
    response = client.post(f"/measures/{measure.key}/import",
                           data={"file": (io.BytesIO(body), "p.csv")},
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The file is 2.1 MB; the limit is 2 MB" in page
    assert db.session.query(DataPoint).count() == 0


def test_csv_cells_are_capped_as_the_point_form_caps_them(db, make):
    cast = make.cast()
    measure = services.create_measure(cast["chair"], cast["committee"], name="Transports")
    text = f"date,value,note\n2025-01-01,{'9' * 41},\n2025-02-01,3,{'n' * 501}\n"
    result = services.import_csv(cast["chair"], measure, text, on=date(2026, 1, 1))
    assert [(row, column) for row, column, _ in result.problems] == [(2, "value"), (3, "note")]


def test_the_plan_is_edited_on_the_page_until_do_starts(make, client, login):
    cast = make.cast()
    goal = cast["workgroup"].goals[0]
    cycle = services.create_cycle(cast["chair"], goal, title="Screen", on=date(2025, 1, 6))
    db.session.commit()
    login(cast["member"])
    page = client.get(f"/pdsa/{cycle.key}").get_data(as_text=True)
    assert "Edit the Plan" in page
    response = client.post(f"/pdsa/{cycle.key}/record", data={
        "phase": "plan", "version": cycle.version, "title": "Screen at booking",
        "predictions": "Half screened", "study_due": "2025-03-01"})
    assert response.status_code == 302
    db.session.expire_all()
    cycle = db.session.get(PdsaCycle, cycle.id)
    assert cycle.title == "Screen at booking" and cycle.study_due == date(2025, 3, 1)
    services.move_phase(cast["chair"], cycle, "do", date(2025, 1, 10))
    db.session.commit()
    response = client.post(f"/pdsa/{cycle.key}/record", data={
        "phase": "plan", "version": cycle.version, "title": "Screen at booking",
        "predictions": "All screened"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Plan closed when Do started on 10 January 2025" in html
    assert "Edit the Plan" not in html and "Record Do" in html


def test_goal_ramp_cycle_and_run_chart_are_reached_by_links(make, client, login):
    cast = make.cast()
    measure = _shifted_measure(cast)
    goal = cast["workgroup"].goals[0]
    cycle = goal.pdsa_cycles[0]
    cycle.measure_keys = f"{measure.key} no-such-measure"
    db.session.commit()
    login(cast["member"])
    workgroup_page = client.get(f"/workgroups/{cast['workgroup'].key}").get_data(as_text=True)
    assert f'href="/goals/{goal.key}/ramp"' in workgroup_page
    assert f'href="/goals/{goal.key}/pdsa/new"' in workgroup_page
    ramp = client.get(f"/goals/{goal.key}/ramp").get_data(as_text=True)
    assert f'href="/pdsa/{cycle.key}"' in ramp and f'href="/measures/{measure.key}"' in ramp
    page = client.get(f"/pdsa/{cycle.key}").get_data(as_text=True)
    assert f'href="/measures/{measure.key}"' in page and "no-such-measure (no such measure)" in page
    assert client.get(f"/measures/{measure.key}").status_code == 200
