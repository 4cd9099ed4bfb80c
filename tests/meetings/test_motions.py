"""Motions and votes: mover, seconder, a vote per member present, the quorum at the vote."""

import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from docx import Document

from govtrack.editing import DomainError
from govtrack.meetings import services
from govtrack.meetings.models import Attendance, Meeting, Motion, QuorumRule

NOW = datetime(2026, 11, 22, 14, 0, tzinfo=UTC)


@pytest.fixture
def cast(make, db):
    cast = make.cast(make.committee(timezone="America/New_York"))
    meeting = cast["meeting"]
    meeting.starts_at = NOW - timedelta(hours=1)
    meeting.status = "held"
    for role in ("member", "secretary", "chair"):
        meeting.attendance.append(Attendance(person=cast[role].person, status="present"))
    db.session.add(QuorumRule(committee=cast["committee"], min_present=2))
    db.session.commit()
    return cast


@time_machine.travel(NOW, tick=False)
def test_a_motion_is_carried_with_quorum_and_its_votes_are_kept(db, cast):
    meeting = cast["meeting"]
    people = {role: cast[role].person for role in ("member", "secretary", "chair")}
    motion = services.record_motion(
        cast["chair"], meeting, text="Adopt the drop-off protocol", mover=people["member"],
        seconder=people["secretary"], votes={people["member"].id: "yes",
                                             people["secretary"].id: "yes",
                                             people["chair"].id: "recused"})
    db.session.commit()
    assert motion.result == "carried"
    assert motion.describe() == "Carried (yes 2, no 0, abstain 0, recused 1)"
    assert motion.quorum_statement.startswith("Quorum: 3 of 2")


@time_machine.travel(NOW, tick=False)
def test_without_quorum_at_the_vote_nothing_is_decided(db, cast):
    meeting = cast["meeting"]
    for row in meeting.attendance:
        if row.person_id != cast["member"].person_id:
            row.status = "absent"
    db.session.commit()
    member = cast["member"].person
    motion = services.record_motion(None, meeting, text="Adopt it", mover=member,
                                    seconder=None, votes={member.id: "yes"})
    assert motion.result == "no_quorum" and motion.quorum_statement.startswith("No quorum")


@time_machine.travel(NOW, tick=False)
def test_only_members_present_move_second_and_vote(db, cast, make):
    meeting = cast["meeting"]
    outsider = make.person()
    member = cast["member"].person
    with pytest.raises(DomainError, match="mover"):
        services.record_motion(None, meeting, text="x", mover=outsider, seconder=None,
                               votes={})
    with pytest.raises(DomainError, match="seconder"):
        services.record_motion(None, meeting, text="x", mover=member, seconder=member,
                               votes={})
    with pytest.raises(DomainError, match="Only members present"):
        services.record_motion(None, meeting, text="x", mover=member, seconder=None,
                               votes={outsider.id: "yes"})


@time_machine.travel(NOW, tick=False)
def test_the_motion_page_records_votes_shown_on_the_meeting_and_in_word(client, login, db,
                                                                        cast):
    meeting = cast["meeting"]
    login(cast["secretary"])
    people = [cast[role].person for role in ("member", "secretary", "chair")]
    data = {"text": "Adopt the protocol", "item": "0", "mover": people[0].id,
            "seconder": people[1].id, **{f"vote_{p.id}": "yes" for p in people[:2]}}
    refused = client.post(f"/meetings/{meeting.key}/motions/new", data=data)
    assert f"Choose the vote of {people[2].name}." in refused.get_data(as_text=True)
    assert "Adopt the protocol" in refused.get_data(as_text=True)
    data[f"vote_{people[2].id}"] = "no"
    assert client.post(f"/meetings/{meeting.key}/motions/new", data=data).status_code == 302
    page = client.get(f"/meetings/{meeting.key}").get_data(as_text=True)
    assert "Carried (yes 2, no 1, abstain 0, recused 0)" in page
    assert f"/meetings/{meeting.key}/motions/new" in page
    doc = Document(io.BytesIO(client.get(f"/meetings/{meeting.key}/minutes.docx").data))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Motion: Adopt the protocol" in text
    assert "Result: Carried (yes 2, no 1, abstain 0, recused 0)" in text
    votes = [[c.text for c in row.cells] for t in doc.tables for row in t.rows]
    assert ["Member", "Vote"] in votes
    db.session.get(Meeting, meeting.id).minutes_approved_at = NOW
    db.session.commit()
    with pytest.raises(DomainError, match="approved"):
        services.delete_motion(None, db.session.query(Motion).one())


@time_machine.travel(NOW, tick=False)
def test_meeting_page_queries_stay_fixed_with_motions_votes_answers_and_links(
        web_app, client, login, db, cast, make):
    from govtrack.meetings.models import AgendaItem, Rsvp
    from tests.helpers import count_queries

    meeting, committee = cast["meeting"], cast["committee"]
    workgroup = cast["workgroup"]
    login(cast["chair"])
    url = f"/meetings/{meeting.key}"

    def grow(n):
        for k in range(n):
            person = make.person()
            make.membership(committee, person)
            meeting.attendance.append(Attendance(person=person, status="present"))
            meeting.items.append(AgendaItem(title=f"Item {k}", kind="report_back", minutes=5,
                                            position=10 + k, workgroup_key=workgroup.key))
            db.session.add(Rsvp(meeting=meeting, person=person, answer="attending"))
            motion = Motion(meeting=meeting, text=f"Motion {k}", mover=person,
                            result="carried")
            db.session.add(motion)
        db.session.commit()
        for motion in db.session.query(Motion).all():
            from govtrack.meetings.models import Vote

            for row in meeting.attendance:
                if not any(v.person_id == row.person_id for v in motion.votes):
                    motion.votes.append(Vote(person_id=row.person_id, choice="yes"))
        db.session.commit()

    grow(1)
    few = count_queries(web_app, lambda: client.get(url))
    grow(6)
    many = count_queries(web_app, lambda: client.get(url))
    # the session with its account (one query), the meeting, roster, items, attendance,
    # motions, their votes, action items, pending requests, linked workgroups, unread
    # notifications
    assert few == many == 11
