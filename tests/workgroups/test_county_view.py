"""The county view: every committee by health for administrators and county coordinators."""

import csv
import io
from datetime import UTC, date, datetime

import time_machine

from govtrack.extensions import db
from tests.helpers import count_queries

NOW = datetime(2026, 11, 22, 14, 0, tzinfo=UTC)


def _coordinator(make):
    account = make.account()
    account.is_county_coordinator = True
    db.session.commit()
    return account


def _stall(cast):
    cast["workgroup"].goals[0].milestones[0].due = date(2026, 11, 1)
    db.session.commit()


@time_machine.travel(NOW, tick=False)
def test_the_coordinator_sees_every_committee_by_flag_read_only(client, make, login):
    cast = make.cast()
    _stall(cast)
    quiet = make.committee(name="Quiet committee")
    coordinator = _coordinator(make)
    login(coordinator)
    home = client.get("/my-work").get_data(as_text=True)
    assert 'href="/county/"' in home
    page = client.get("/county/").get_data(as_text=True)
    assert cast["committee"].name in page and "Quiet committee" in page
    assert f'href="/workgroups/{cast["workgroup"].key}"' in page
    only = client.get("/county/?flag=milestone_overdue").get_data(as_text=True)
    assert cast["committee"].name in only and "Quiet committee" not in only
    stalled = client.get("/county/?flag=stalled").get_data(as_text=True)
    assert cast["committee"].name in stalled and "Quiet committee" not in stalled
    assert "<h2>Stalled workgroups</h2>" in stalled and "A milestone is overdue" in stalled
    sector = cast["member"].person.agency.sector
    by_sector = client.get(f"/county/?sector={sector}").get_data(as_text=True)
    assert cast["committee"].name in by_sector and "Quiet committee" not in by_sector
    # read-only: the coordinator reads a committee's pages but changes nothing
    assert client.get(f"/workgroups/{cast['workgroup'].key}").status_code == 200
    assert client.get(f"/committees/{quiet.key}/dashboard").status_code == 200
    assert client.get(f"/workgroups/{cast['workgroup'].key}/edit").status_code == 403
    response = client.post(f"/workgroups/{cast['workgroup'].key}/updates",
                           data={"text": "Not mine to say"})
    assert response.status_code == 403


@time_machine.travel(NOW, tick=False)
def test_the_same_data_as_formula_safe_csv(client, make, login):
    cast = make.cast()
    _stall(cast)
    login(cast["admin"])
    response = client.get("/county/health.csv?flag=milestone_overdue")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:3] == ["committee", "committee name", "about"]
    workgroup_rows = [r for r in rows[1:] if r[2] == "workgroup"]
    assert [[r[0], r[3], r[5], r[6]] for r in workgroup_rows] == [
        [cast["committee"].key, cast["workgroup"].key, "milestone_overdue", "2026-11-02"]]


def test_members_and_chairs_have_no_county_view(client, make, login):
    cast = make.cast()
    login(cast["chair"])
    assert client.get("/county/").status_code == 403
    assert 'href="/county/"' not in client.get("/my-work").get_data(as_text=True)


@time_machine.travel(NOW, tick=False)
def test_the_county_view_runs_a_fixed_number_of_queries(web_app, client, make, login):
    _stall(make.cast())
    login(_coordinator(make))
    few = count_queries(web_app, lambda: client.get("/county/"))
    for _ in range(3):
        other = make.cast()
        _stall(other)
    assert count_queries(web_app, lambda: client.get("/county/")) == few
