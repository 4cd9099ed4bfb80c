"""The agenda and minutes documents, re-opened with python-docx and read back."""

import io
from datetime import UTC, date, datetime

import pytest
from docx import Document

from govtrack.actions.models import ActionItem
from govtrack.documents.agenda import agenda_docx
from govtrack.documents.minutes import minutes_docx
from govtrack.meetings.models import AgendaItem, Attendance, Meeting

HOSTILE = ("<script>alert('x')</script> \u202eright-to-left\u202c שלום 😀 "
           "'; DROP TABLE meeting; -- {{7*7}} " + "long " * 1000)


def _open(data: bytes):
    return Document(io.BytesIO(data))


def _texts(doc) -> list[str]:
    return [p.text for p in doc.paragraphs]


def _table(doc, n=0) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in doc.tables[n].rows]


@pytest.fixture
def meeting(make):
    """A CIT Steering Committee meeting in Chicago: three items, attendance, minutes, actions."""
    committee = make.committee(name="CIT Steering Committee", timezone="America/Chicago")
    sheriff = make.agency(name="County Sheriff")
    clinic = make.agency(name="Riverside Clinic", sector="mental_health_provider")
    chair = make.person(agency=sheriff, name="Alice Chair")
    doctor = make.person(agency=clinic, name="Bob Doctor")
    deputy = make.person(agency=clinic, name="Carol Deputy")
    absent = make.person(agency=sheriff, name="Dan Away")
    meeting = Meeting(
        key="cit-2026-01-13", committee=committee, duration_minutes=90,
        starts_at=datetime(2026, 1, 13, 21, 0, tzinfo=UTC),  # 15:00 in Chicago (CST)
        location="Room 101, County Building", video_link="https://video.example.org/cit",
        agenda_status="published", decisions=["Adopt the crisis protocol.", "Meet monthly."],
        minutes_text="General discussion was **lively**.")
    meeting.items = [
        AgendaItem(position=1, title="Approve the last minutes", kind="decision", minutes=10,
                   presenter=chair, notes="Approved without changes."),
        AgendaItem(position=2, title="Report-back: training workgroup", kind="report_back",
                   minutes=25, presenter=doctor,
                   notes="# Progress\n\n40 officers **trained** so far; see "
                         "[the plan](https://example.org/plan).\n\n- first point\n- second "
                         "point\n\n<script>alert(1)</script> stays text"),
        AgendaItem(position=3, title="Any other business", kind="discussion", minutes=30),
    ]
    meeting.attendance = [
        Attendance(person=chair, status="present"),
        Attendance(person=doctor, status="designee", designee=deputy),
        Attendance(person=absent, status="absent"),
    ]
    make.db.session.add(meeting)
    make.db.session.flush()
    make.db.session.add_all([
        ActionItem(key="act-1", committee=committee, title="Draft the protocol", owner=doctor,
                   due=date(2026, 2, 10), status="open", meeting_id=meeting.id),
        ActionItem(key="act-2", committee=committee, title="Book the room", owner=chair,
                   due=None, status="in_progress", meeting_id=meeting.id),
        ActionItem(key="act-3", committee=committee, title="From another meeting", owner=chair,
                   status="open"),
    ])
    make.db.session.commit()
    return meeting


def test_agenda_names_the_committee_time_and_place(meeting):
    doc = _open(agenda_docx(meeting))
    assert doc.paragraphs[0].style.name == "Title"
    assert doc.paragraphs[0].text == "CIT Steering Committee"
    texts = _texts(doc)
    assert "When: Tuesday 13 January 2026, 15:00–16:30 CST (America/Chicago)" in texts
    assert "Where: Room 101, County Building" in texts
    assert "Video link: https://video.example.org/cit" in texts
    assert [p.text for p in doc.paragraphs if p.style.name == "Heading 1"] == ["Agenda"]
    assert doc.core_properties.title.startswith("Agenda: CIT Steering Committee")


def test_agenda_items_start_on_the_committee_clock(meeting):
    doc = _open(agenda_docx(meeting))
    rows = _table(doc)
    assert rows == [
        ["No.", "Start", "Minutes", "Item", "Kind", "Presenter"],
        ["1.", "15:00", "10", "Approve the last minutes", "Decision",
         "Alice Chair (County Sheriff)"],
        ["2.", "15:10", "25", "Report-back: training workgroup", "Report-back",
         "Bob Doctor (Riverside Clinic)"],
        ["3.", "15:35", "30", "Any other business", "Discussion", "—"],
    ]
    assert "Total time: 65 minutes of the meeting's 90." in _texts(doc)
    # the header row repeats on each page and is read out as the column headers
    assert doc.tables[0].rows[0]._tr.trPr.xpath("w:tblHeader")


def test_agenda_times_follow_a_change_to_daylight_saving_time(make):
    committee = make.committee(timezone="America/New_York")
    meeting = Meeting(key="night", committee=committee, duration_minutes=90,
                      starts_at=datetime(2026, 3, 8, 6, 30, tzinfo=UTC))  # 01:30 EST
    meeting.items = [AgendaItem(position=n, title=f"Item {n}", minutes=20) for n in range(3)]
    make.db.session.add(meeting)
    make.db.session.commit()
    rows = _table(_open(agenda_docx(meeting)))
    # Clocks jump from 02:00 to 03:00: the third item starts at 03:10, not at 02:10.
    assert [row[1] for row in rows[1:]] == ["01:30", "01:50", "03:10"]


def test_agenda_over_time_and_draft_are_said(make):
    committee = make.committee()
    meeting = Meeting(key="long", committee=committee, duration_minutes=30,
                      starts_at=datetime(2026, 5, 5, 14, 0, tzinfo=UTC))
    meeting.items = [AgendaItem(position=1, title="Everything", minutes=45)]
    make.db.session.add(meeting)
    make.db.session.commit()
    doc = _open(agenda_docx(meeting))
    assert [p.text for p in doc.paragraphs if p.style.name == "Heading 1"] == ["Draft agenda"]
    assert ("Total time: 45 minutes of the meeting's 30. The agenda runs 15 minutes over."
            in _texts(doc))


def test_minutes_headings_drive_the_navigation_pane(meeting):
    doc = _open(minutes_docx(meeting))
    assert doc.paragraphs[0].style.name == "Title"
    headings = [(p.style.name, p.text) for p in doc.paragraphs
                if p.style.name.startswith("Heading")]
    assert headings == [
        ("Heading 1", "Minutes"),
        ("Heading 1", "Attendance"),
        ("Heading 1", "Agenda items"),
        ("Heading 2", "1. Approve the last minutes"),
        ("Heading 2", "2. Report-back: training workgroup"),
        ("Heading 2", "3. Any other business"),
        ("Heading 1", "Other notes"),
        ("Heading 1", "Decisions"),
        ("Heading 1", "Action items"),
    ]


def test_minutes_record_attendance_decisions_and_notes(meeting):
    doc = _open(minutes_docx(meeting))
    texts = _texts(doc)
    assert "When: Tuesday 13 January 2026, 15:00–16:30 CST (America/Chicago)" in texts
    assert "Where: Room 101, County Building" in texts
    assert "Draft: not yet approved." in texts
    assert "Present: Alice Chair (County Sheriff)" in texts
    assert ("Represented by a designee: Bob Doctor (Riverside Clinic), represented by "
            "Carol Deputy (Riverside Clinic)") in texts
    assert "Absent: Dan Away (County Sheriff)" in texts
    numbered = [p.text for p in doc.paragraphs if p.style.name == "List Number"]
    assert numbered == ["Adopt the crisis protocol.", "Meet monthly."]
    # Markdown marks go, the words stay; HTML is text, never markup.
    assert "Progress" in texts
    assert ("40 officers trained so far; see the plan (https://example.org/plan)." in texts)
    assert [p.text for p in doc.paragraphs if p.style.name == "List Bullet"] == [
        "first point", "second point"]
    assert "<script>alert(1)</script> stays text" in texts
    assert "General discussion was lively." in texts


def test_minutes_action_table_holds_this_meetings_actions(meeting):
    rows = _table(_open(minutes_docx(meeting)))
    assert rows == [
        ["Action", "Owner", "Agency", "Due", "Status"],
        ["Draft the protocol", "Bob Doctor", "Riverside Clinic", "Tuesday 10 February 2026",
         "Open"],
        ["Book the room", "Alice Chair", "County Sheriff", "—", "In progress"],
    ]


def test_approved_minutes_give_the_approval_date_in_the_committee_zone(meeting, make):
    meeting.minutes_approved_at = datetime(2026, 2, 11, 3, 0, tzinfo=UTC)  # 10 Feb in Chicago
    make.db.session.commit()
    assert "Approved on Tuesday 10 February 2026." in _texts(_open(minutes_docx(meeting)))


def test_empty_meeting_makes_both_documents(make):
    meeting = Meeting(key="empty", committee=make.committee(),
                      starts_at=datetime(2026, 4, 1, 12, 0, tzinfo=UTC))
    make.db.session.add(meeting)
    make.db.session.commit()
    assert "No items yet." in _texts(_open(agenda_docx(meeting)))
    texts = _texts(_open(minutes_docx(meeting)))
    for line in ("Attendance was not recorded.", "No agenda items.", "No decisions recorded.",
                 "No new action items."):
        assert line in texts


def test_hostile_text_survives_into_both_documents(make):
    committee = make.committee(name="\u202eCommittee 😀 <b>bold</b>")
    person = make.person(name="<img src=x onerror=alert(1)> 😀")
    meeting = Meeting(key="hostile", committee=committee, location=HOSTILE[:500],
                      starts_at=datetime(2026, 4, 1, 12, 0, tzinfo=UTC), decisions=[HOSTILE])
    meeting.items = [AgendaItem(position=1, title=HOSTILE[:200], presenter=person,
                                notes=HOSTILE)]
    make.db.session.add(meeting)
    make.db.session.flush()
    make.db.session.add(ActionItem(key="hostile-act", committee=committee, title=HOSTILE[:200],
                                   owner=person, meeting_id=meeting.id))
    make.db.session.commit()

    agenda = _open(agenda_docx(meeting))
    assert agenda.paragraphs[0].text == committee.name
    assert f"Where: {HOSTILE[:500]}" in _texts(agenda)
    assert _table(agenda)[1][3:] == [HOSTILE[:200], "Discussion", f"{person.name} ("
                                     f"{person.agency.name})"]

    minutes = _open(minutes_docx(meeting))
    texts = _texts(minutes)
    assert f"1. {HOSTILE[:200]}" in texts
    assert HOSTILE.strip() in texts  # the notes, a paragraph of their own
    assert HOSTILE in texts  # the decision, exactly
    assert _table(minutes)[1][:2] == [HOSTILE[:200], person.name]


def test_characters_xml_cannot_hold_are_dropped_not_fatal(make):
    meeting = Meeting(key="vt", committee=make.committee(name="Tab\tand\x0bvertical tab"),
                      starts_at=datetime(2026, 4, 1, 12, 0, tzinfo=UTC))
    meeting.items = [AgendaItem(position=1, title="form\x0cfeed", notes="bell\x07 here")]
    make.db.session.add(meeting)
    make.db.session.commit()
    assert _open(agenda_docx(meeting)).paragraphs[0].text == "Tab\tandvertical tab"
    assert "bell here" in _texts(_open(minutes_docx(meeting)))


def test_minutes_with_50000_decisions_build_in_bounded_time(make, db):
    import time

    from govtrack.documents.common import MAX_PARAGRAPHS

    meeting = make.meeting(make.committee())
    meeting.decisions = [f"Decision {n}" for n in range(50_000)]
    meeting.items[0].notes = "\n".join(f"- point {n}" for n in range(20_000))
    db.session.commit()
    start = time.perf_counter()
    doc = _open(minutes_docx(meeting))
    # Over 30 s before issue 16; a few seconds now, even on a busy machine.
    assert time.perf_counter() - start < 15
    texts = _texts(doc)
    assert len(doc.paragraphs) < 2 * MAX_PARAGRAPHS + 50
    assert "Decision 0" in texts and "Decision 49999" not in texts
    assert texts.count("The rest is too long for a Word document: read it in govtrack.") == 2
    assert "Action items" in texts


def test_word_files_number_items_size_columns_and_carry_header_footer_and_language(meeting):
    from docx.shared import Inches

    agenda = _open(agenda_docx(meeting))
    section = agenda.sections[0]
    assert section.header.paragraphs[0].text.startswith("CIT Steering Committee — Agenda")
    footer = section.footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and "NUMPAGES" in footer
    assert section.footer.paragraphs[0].text == "Page  of "  # Word fills the numbers
    table = agenda.tables[0]
    widths = [c.width for c in table.rows[1].cells]
    assert widths[3] == Inches(2.5) and widths[0] < widths[1] < widths[3]
    assert agenda.core_properties.language == "en-US"
    assert agenda.core_properties.title.startswith("Agenda: CIT Steering Committee")
    assert any(t.startswith("Quorum: ") for t in _texts(agenda))
    minutes = _open(minutes_docx(meeting))
    assert minutes.sections[0].header.paragraphs[0].text.startswith(
        "CIT Steering Committee — Minutes")
    assert any(t.startswith(("Quorum: ", "No quorum: ")) for t in _texts(minutes))


def test_bold_markdown_stays_bold_in_the_minutes(meeting):
    meeting.items[0].notes = "Bookings **fell 12 %** this quarter."
    doc = _open(minutes_docx(meeting))
    paragraph = next(p for p in doc.paragraphs if "Bookings" in p.text)
    assert paragraph.text == "Bookings fell 12 % this quarter."
    assert [r.text for r in paragraph.runs if r.bold] == ["fell 12 %"]
