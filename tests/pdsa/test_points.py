"""Correcting and deleting data points (audited, with a reason); measure data as CSV."""

import csv
import io
from datetime import date

from sqlalchemy import select

from govtrack.audit.models import AuditEntry
from govtrack.extensions import db
from govtrack.pdsa import services
from govtrack.pdsa.models import DataPoint


def _measure(cast):
    measure = services.create_measure(cast["chair"], cast["committee"], name="Bed waits",
                                      unit="days")
    for month, value in enumerate([5, 7, 6], start=1):
        services.add_point(cast["chair"], measure, date(2025, month, 1), value,
                           note="=cmd|' /C calc'!A0" if month == 2 else "")
    db.session.commit()
    return measure


def test_a_point_is_corrected_with_a_reason_kept_in_the_history(make, client, login):
    cast = make.cast()
    measure = _measure(cast)
    point = measure.points[0]
    login(cast["secretary"])
    page = client.get(f"/measures/{measure.key}").get_data(as_text=True)
    assert f'href="/points/{point.id}/edit"' in page
    response = client.post(f"/points/{point.id}/edit", data={
        "day": "2025-01-01", "value": "9", "note": "", "reason": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Say why the point is corrected." in html and 'value="9"' in html
    response = client.post(f"/points/{point.id}/edit", data={
        "day": "2025-01-01", "value": "9", "note": "", "reason": "Typed 5 for 9"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(DataPoint, point.id).value == 9
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.object_type == "DataPoint", AuditEntry.action == "update")).one()
    assert entry.changes["value"] == [5, 9] and entry.changes["reason"][1] == "Typed 5 for 9"


def test_a_point_is_deleted_only_with_a_reason(make, client, login):
    cast = make.cast()
    measure = _measure(cast)
    point = measure.points[1]
    point_id = point.id
    login(cast["chair"])
    response = client.post(f"/points/{point.id}/delete", data={"reason": ""})
    assert response.status_code == 400
    assert "Say why the point is deleted." in response.get_data(as_text=True)
    response = client.post(f"/points/{point.id}/delete", data={"reason": "Counted twice"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(DataPoint).where(DataPoint.id == point_id)) is None
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.object_type == "DataPoint", AuditEntry.action == "delete")).one()
    assert entry.changes["reason"][0] == "Counted twice" and entry.changes["value"][0] == 7


def test_a_member_cannot_correct_a_point(make, client, login):
    cast = make.cast()
    point = _measure(cast).points[0]
    login(cast["member"])
    assert client.get(f"/points/{point.id}/edit").status_code == 403


def test_data_downloads_are_formula_safe_and_linked(make, client, login):
    cast = make.cast()
    measure = _measure(cast)
    login(cast["member"])
    committee = cast["committee"].key
    assert f'href="/committees/{committee}/measures.csv"' in client.get(
        f"/committees/{committee}/outcomes").get_data(as_text=True)
    assert f'href="/measures/{measure.key}/data.csv"' in client.get(
        f"/measures/{measure.key}").get_data(as_text=True)
    for url in (f"/measures/{measure.key}/data.csv", f"/committees/{committee}/measures.csv"):
        response = client.get(url)
        assert response.mimetype == "text/csv"
        rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
        assert rows[0] == ["measure", "name", "unit", "date", "value", "note"]
        assert [r[4] for r in rows[1:]] == ["5", "7", "6"]
        assert rows[2][5] == "'=cmd|' /C calc'!A0"
