"""The PDSA worksheet as a Word document, read back with python-docx."""

import io
from datetime import date

from docx import Document

from govtrack.documents.pdsa import pdsa_docx
from govtrack.extensions import db
from govtrack.pdsa import services


def _cycle(cast):
    chair = cast["chair"]
    goal = cast["workgroup"].goals[0]
    cycle = services.create_cycle(chair, goal, title="Screen at booking", on=date(2025, 1, 6),
                                  objective="Screen everyone booked", questions="Who is missed?",
                                  predictions="Nine in ten screened", owner=chair.person,
                                  study_due=date(2025, 2, 1), measure_keys="bed-waits")
    services.move_phase(chair, cycle, "do", date(2025, 1, 10))
    services.update_cycle(chair, cycle, None, "do", carried_out="Two weeks of screening",
                          observations="Nights are busy", problems="Staffing")
    services.move_phase(chair, cycle, "study", date(2025, 1, 20))
    services.update_cycle(chair, cycle, None, "study", results="82 % screened",
                          lessons="Train the night shift")
    services.move_phase(chair, cycle, "act", date(2025, 1, 25))
    services.update_cycle(chair, cycle, None, "act", decision="adapt", reason="Nights lag")
    db.session.commit()
    return cycle


def _text(data: bytes) -> tuple[list[str], list[list[str]]]:
    doc = Document(io.BytesIO(data))
    rows = [[c.text for c in row.cells] for t in doc.tables for row in t.rows]
    return [p.text for p in doc.paragraphs], rows


def test_worksheet_has_all_four_phases(make):
    cast = make.cast()
    cycle = _cycle(cast)
    paragraphs, rows = _text(pdsa_docx(cycle))
    for heading in ("Plan", "Do", "Study", "Act"):
        assert heading in paragraphs
    for line in ("Objective: Screen everyone booked", "Predictions: Nine in ten screened",
                 "Measures: bed-waits", "Study date: 2025-02-01",
                 "Carried out: Two weeks of screening", "Problems: Staffing",
                 "Results against the predictions: 82 % screened",
                 "Lessons: Train the night shift", "Decision: Adapt", "Reason: Nights lag",
                 "Phase: Act since 2025-01-25"):
        assert line in paragraphs
    assert rows[0] == ["Phase", "Since"]
    assert ["Study", "2025-01-20"] in rows


def test_worksheet_route_sends_a_docx_to_viewers(make, client, login):
    cast = make.cast()
    cycle = _cycle(cast)
    login(cast["member"])
    page = client.get(f"/pdsa/{cycle.key}").get_data(as_text=True)
    assert f"/pdsa/{cycle.key}/worksheet.docx" in page
    response = client.get(f"/pdsa/{cycle.key}/worksheet.docx")
    assert response.status_code == 200
    assert response.mimetype.endswith("wordprocessingml.document")
    paragraphs, _ = _text(response.data)
    assert "PDSA worksheet: Screen at booking" in paragraphs
    # who else may download it: tests/test_permissions.py's MATRIX
