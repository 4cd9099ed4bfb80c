"""The county view: every committee by health for administrators and county coordinators.

It reads the health snapshot the scheduler writes (govtrack.health.snapshot),
so each test takes one, through the same code path, once its records are in.
"""

import csv
import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import time_machine
from sqlalchemy import func, select

from govtrack.extensions import db
from govtrack.health import snapshot
from govtrack.health.models import HealthSnapshot, SnapshotFlag
from govtrack.workgroups import county_view, views
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
    snapshot.take()
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
    snapshot.take()
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
    snapshot.take()
    few = count_queries(web_app, lambda: client.get("/county/"))
    csv_few = count_queries(web_app, lambda: client.get("/county/health.csv"))
    for _ in range(3):
        other = make.cast()
        _stall(other)
    snapshot.take()
    assert count_queries(web_app, lambda: client.get("/county/")) == few
    assert count_queries(web_app, lambda: client.get("/county/?flag=stalled")) == few
    assert count_queries(web_app, lambda: client.get("/county/health.csv")) == csv_few


@time_machine.travel(NOW, tick=False)
def test_before_any_snapshot_the_page_says_so_plainly(client, make, login):
    make.cast()
    login(_coordinator(make))
    page = client.get("/county/").get_data(as_text=True)
    assert "No health snapshot yet" in page and "flask govtrack health --snapshot" in page
    rows = list(csv.reader(io.StringIO(client.get("/county/health.csv").get_data(
        as_text=True))))
    assert rows[1:] == []


@time_machine.travel(NOW, tick=False)
def test_the_page_shows_the_snapshot_until_the_next_one_with_its_time_and_live_links(
        client, make, login):
    cast = make.cast()
    login(_coordinator(make))
    snapshot.take()
    _stall(cast)  # after the snapshot: the county view does not know yet
    page = client.get("/county/?flag=stalled").get_data(as_text=True)
    # 14:00 UTC is 09:00 in the county's zone (America/New_York in November)
    assert "Health as of <strong>22 November 2026, 09:00 EST</strong>" in page
    assert "updated by the scheduler every 5 minutes" in page
    assert cast["committee"].name not in page
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        snapshot.take()
    page = client.get("/county/?flag=stalled").get_data(as_text=True)
    assert "22 November 2026, 09:05 EST" in page and cast["committee"].name in page
    # the committee's own dashboard judges it live
    assert f'href="/committees/{cast["committee"].key}/dashboard"' in page
    assert "the scheduler may not be running" not in page
    with time_machine.travel(NOW + timedelta(minutes=21), tick=False):
        page = client.get("/county/").get_data(as_text=True)
    assert "the scheduler may not be running" in page


@time_machine.travel(NOW, tick=False)
def test_committees_beyond_a_page_are_on_the_next(client, make, login, monkeypatch):
    monkeypatch.setattr(views, "COUNTY_PER_PAGE", 1)
    for name in ("Beta committee", "Alpha committee"):
        cast = make.cast(make.committee(name=name))
        _stall(cast)
    login(_coordinator(make))
    snapshot.take()
    first = client.get("/county/").get_data(as_text=True)
    assert "Alpha committee" in first and "Beta committee" not in first
    assert 'href="/county/?page=2"' in first and "2 committees (page 1 of 2)" in first
    second = client.get("/county/?page=2").get_data(as_text=True)
    assert "Beta committee" in second and "Alpha committee" not in second
    csv_text = client.get("/county/health.csv").get_data(as_text=True)
    assert csv_text.index("Alpha committee") < csv_text.index("Beta committee")


@time_machine.travel(NOW, tick=False)
def test_a_snapshot_keeps_the_flags_words_and_old_snapshots_are_pruned(make, db):
    cast = make.cast()
    _stall(cast)
    for minutes in range(snapshot.KEEP + 2):
        with time_machine.travel(NOW + timedelta(minutes=minutes), tick=False):
            taken = snapshot.take()
    assert db.session.scalar(select(func.count()).select_from(HealthSnapshot)) == snapshot.KEEP
    assert snapshot.latest().id == taken.id
    kept = set(db.session.scalars(select(SnapshotFlag.snapshot_id)))
    assert kept == set(db.session.scalars(select(HealthSnapshot.id)))
    flag = db.session.scalar(select(SnapshotFlag).where(
        SnapshotFlag.snapshot_id == taken.id, SnapshotFlag.code == "milestone_overdue"))
    assert (flag.about, flag.workgroup_id, flag.since, flag.words) == (
        "workgroup", cast["workgroup"].id, date(2026, 11, 2), "A milestone is overdue")


@time_machine.travel(NOW, tick=False)
def test_the_csv_is_formula_safe(client, make, login):
    cast = make.cast()
    _stall(cast)
    cast["committee"].name = '=HYPERLINK("http://example.org")'
    cast["workgroup"].name = "+Routing"
    db.session.commit()
    snapshot.take()
    login(_coordinator(make))
    response = client.get("/county/health.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    ours = [r for r in rows[1:] if r[0] == cast["committee"].key]
    assert ours and {r[1] for r in ours} == {"'" + cast["committee"].name}
    assert {r[4] for r in ours if r[2] == "workgroup"} == {"'+Routing"}


def test_a_csv_is_written_a_few_rows_at_a_time(monkeypatch):
    from govtrack import spreadsheet

    monkeypatch.setattr(spreadsheet, "STREAM_ROWS", 1)
    rows = [("a", "=1"), ("b", "2"), ("c", "3")]
    chunks = list(spreadsheet.csv_chunks(["x", "y"], iter(rows)))
    # the header with the first row, then one row a chunk, never the whole file at once
    assert chunks == ["x,y\r\na,'=1\r\n", "b,2\r\n", "c,3\r\n"]


def _csv_files(web_app) -> set[str]:
    folder = Path(web_app.instance_path) / snapshot.RENDERINGS
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


@time_machine.travel(NOW, tick=False)
def test_the_csv_is_written_once_per_snapshot_and_filter(web_app, client, make, login,
                                                         monkeypatch):
    cast = make.cast()
    _stall(cast)
    quiet = make.cast(make.committee(name="Quiet committee"))
    login(_coordinator(make))
    snapshot.take()
    first = client.get("/county/health.csv")
    assert first.status_code == 200
    assert first.headers["Content-Disposition"] == 'attachment; filename="county-health.csv"'
    assert first.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert first.headers["ETag"] and first.headers["Last-Modified"]
    # private as every logged-in response: no browser keeps it, a script may ask again
    assert first.headers["Cache-Control"] == "no-store"
    only = client.get("/county/health.csv?flag=milestone_overdue&sector=nowhere")
    assert only.status_code == 200
    assert len(_csv_files(web_app)) == 2

    # the files are served as written: the snapshot is not read again
    def unread(*args, **kwargs):
        raise AssertionError("the snapshot was read again")

    monkeypatch.setattr(county_view, "county_csv_rows", unread)
    assert client.get("/county/health.csv").get_data() == first.get_data()
    assert client.get("/county/health.csv?flag=milestone_overdue").get_data() == (
        only.get_data())
    monkeypatch.undo()

    # a new snapshot: new bytes, a new ETag, the old files gone
    _stall(quiet)
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        snapshot.take()
    assert _csv_files(web_app) == set()
    second = client.get("/county/health.csv")
    assert quiet["workgroup"].key in second.text and quiet["workgroup"].key not in first.text
    assert second.headers["ETag"] != first.headers["ETag"]
    assert len(_csv_files(web_app)) == 1


@time_machine.travel(NOW, tick=False)
def test_a_client_holding_the_csv_gets_304_until_the_next_snapshot(client, make, login):
    _stall(make.cast())
    login(_coordinator(make))
    snapshot.take()
    first = client.get("/county/health.csv")
    again = client.get("/county/health.csv",
                       headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        snapshot.take()
    after = client.get("/county/health.csv", headers={"If-None-Match": first.headers["ETag"]})
    assert after.status_code == 200 and after.get_data() == first.get_data()
    assert after.headers["ETag"] != first.headers["ETag"]


@time_machine.travel(NOW, tick=False)
def test_a_renamed_committee_or_workgroup_shows_in_the_csv_at_once(client, make, login):
    cast = make.cast()
    _stall(cast)
    login(_coordinator(make))
    snapshot.take()
    assert cast["committee"].name in client.get("/county/health.csv").text
    cast["committee"].name = "Renamed committee"
    db.session.commit()
    assert "Renamed committee" in client.get("/county/health.csv").text
    cast["workgroup"].name = "Renamed workgroup"
    db.session.commit()
    assert "Renamed workgroup" in client.get("/county/health.csv").text
    # as the page shows them
    assert "Renamed committee" in client.get("/county/").text


@time_machine.travel(NOW, tick=False)
def test_the_scheduler_writes_the_csv_with_the_snapshot(web_app, client, make, login,
                                                       monkeypatch):
    from govtrack import scheduler

    _stall(make.cast())
    login(_coordinator(make))
    scheduler._health_snapshot()
    assert len(_csv_files(web_app)) == 1

    def unread(*args, **kwargs):
        raise AssertionError("the snapshot was read again")

    monkeypatch.setattr(county_view, "county_csv_rows", unread)
    rows = list(csv.reader(io.StringIO(client.get("/county/health.csv").text)))
    assert [r[5] for r in rows[1:] if r[2] == "workgroup"] == ["milestone_overdue"]


@time_machine.travel(NOW, tick=False)
def test_a_snapshot_taken_elsewhere_replaces_the_files_of_the_old_one(
        web_app, client, make, login, monkeypatch):
    _stall(make.cast())
    login(_coordinator(make))
    snapshot.take()
    client.get("/county/health.csv")
    client.get("/county/health.csv?flag=stalled")
    old = _csv_files(web_app)
    # a scheduler on another machine: this instance folder is not cleaned by it
    monkeypatch.setattr(snapshot, "forget_renderings", lambda older_than=None: None)
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        taken = snapshot.take()
    monkeypatch.undo()
    assert _csv_files(web_app) == old
    client.get("/county/health.csv")
    (new,) = _csv_files(web_app)
    assert new.startswith(f"{taken.id}-") and new not in old
