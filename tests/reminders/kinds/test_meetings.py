"""Meeting reminders: coming meetings, agendas, moves, cancellations, minutes."""

from datetime import date, timedelta

from govtrack.meetings import services

START = date(2026, 3, 10)  # a Tuesday; the meeting starts at 14:00 in New York


def people(dues):
    """Person ids of the reminders, sorted."""
    return sorted(d.person_id for d in dues)


def test_members_hear_of_a_meeting_7_days_then_1_day_ahead_with_agenda_and_calendar(
        board, meeting_of, at, local, sweep):
    meeting = meeting_of(board["committee"], local(START, 14), published=True)
    members = sorted(p.id for r, p in board.items() if r != "committee")
    starts = local(START, 14)
    with at(starts - timedelta(days=7, minutes=1)) as now:
        assert sweep("meeting_7d", now) == []
    with at(starts - timedelta(days=7) + timedelta(minutes=1)) as now:
        first = sweep("meeting_7d", now)
        assert people(first) == members
        assert sweep("meeting_1d", now) == []
    due = first[0]
    assert due.record == f"meeting:{meeting.id}" and due.link == f"/meetings/{meeting.key}"
    assert "Tue 10 Mar 2026, 14:00 EDT" in due.subject
    assert [(a.source, a.document) for a in due.attachments] == [
        (f"meeting:{meeting.id}", "agenda.docx"), (f"meeting:{meeting.id}", "meeting.ics")]
    with at(starts - timedelta(days=3)) as now:
        assert sorted(d.key for d in sweep("meeting_7d", now)) == sorted(d.key for d in first)
    with at(starts - timedelta(days=1, minutes=1)) as now:
        assert sweep("meeting_1d", now) == []
    with at(starts - timedelta(days=1) + timedelta(minutes=1)) as now:
        assert sweep("meeting_7d", now) == []
        assert people(sweep("meeting_1d", now)) == members
    with at(starts + timedelta(minutes=1)) as now:
        assert sweep("meeting_1d", now) == []


def test_no_meeting_reminder_for_a_cancelled_meeting_nor_for_a_person_who_left(
        board, meeting_of, at, local, sweep, db):
    meeting_of(board["committee"], local(START, 14), status="cancelled")
    assert sweep("meeting_7d", local(START, 9)) == []
    kept = meeting_of(board["committee"], local(START + timedelta(days=1), 14))
    board["member2"].active = False
    db.session.commit()
    with at(local(START, 15)) as now:
        dues = sweep("meeting_1d", now)
    assert board["member2"].id not in people(dues) and dues
    # a draft agenda is not attached; the calendar entry is
    assert [a.document for a in dues[0].attachments] == ["meeting.ics"]
    assert dues[0].record == f"meeting:{kept.id}"


def test_chair_and_secretary_hear_5_days_ahead_of_an_unpublished_agenda(
        board, meeting_of, at, local, sweep, db):
    meeting = meeting_of(board["committee"], local(START, 14))
    starts = local(START, 14)
    with at(starts - timedelta(days=5, minutes=1)) as now:
        assert sweep("agenda_unpublished", now) == []
    with at(starts - timedelta(days=5) + timedelta(minutes=1)) as now:
        dues = sweep("agenda_unpublished", now)
    assert people(dues) == sorted([board["chair"].id, board["secretary"].id])
    assert dues[0].subject == "Agenda for CIT Steering Committee, 10 Mar: not published yet"
    with at(starts - timedelta(days=2)) as now:
        assert [d.key for d in sweep("agenda_unpublished", now)] == [d.key for d in dues]
        services.publish(None, meeting)
        db.session.commit()
        assert sweep("agenda_unpublished", now) == []


def test_members_hear_at_once_of_a_published_then_changed_agenda(
        board, meeting_of, at, local, sweep, db):
    meeting = meeting_of(board["committee"], local(START, 14))
    with at(local(START - timedelta(days=6), 9)) as now:
        assert sweep("agenda_published", now) == []
        services.publish(None, meeting)
        db.session.commit()
    with at(local(START - timedelta(days=6), 9, 5)) as now:
        published = sweep("agenda_published", now)
        assert len(published) == 5 and sweep("agenda_changed", now) == []
    assert [a.document for a in published[0].attachments] == ["agenda.docx", "meeting.ics"]
    with at(local(START - timedelta(days=5), 9)) as now:
        # a later sweep derives the same reminders: the same keys
        assert sorted(d.key for d in sweep("agenda_published", now)) == sorted(
            d.key for d in published)
        services.add_item(None, meeting, title="Bed data", kind="information", minutes=5)
        db.session.commit()
    with at(local(START - timedelta(days=5), 9, 5)) as now:
        first = sweep("agenda_changed", now)
        assert len(first) == 5
    with at(local(START - timedelta(days=4), 9)) as now:
        assert {d.key for d in sweep("agenda_changed", now)} == {d.key for d in first}
        services.remove_item(None, meeting.items[-1])
        db.session.commit()
    with at(local(START - timedelta(days=4), 9, 5)) as now:
        second = sweep("agenda_changed", now)
    assert len(second) == 5 and not {d.key for d in second} & {d.key for d in first}
    with at(local(START, 15)) as now:  # the meeting started: nothing more to say
        assert sweep("agenda_published", now) == sweep("agenda_changed", now) == []


def test_members_hear_of_a_move_once_per_new_start_and_of_a_cancellation(
        board, meeting_of, at, local, sweep, db):
    meeting = meeting_of(board["committee"], local(START, 14))
    from datetime import datetime

    with at(local(START - timedelta(days=20), 9)) as now:
        assert sweep("meeting_moved", now) == []
        services.update_meeting(None, meeting, None, starts=datetime(2026, 3, 11, 15, 0),
                                duration_minutes=90, location="Room 2", video_link="")
        db.session.commit()
        moved = sweep("meeting_moved", now + timedelta(minutes=1))
    assert len(moved) == 5 and "Wed 11 Mar 2026, 15:00 EDT" in moved[0].subject
    assert [a.document for a in moved[0].attachments] == ["meeting.ics"]
    with at(local(START - timedelta(days=19), 9)) as now:
        assert {d.key for d in sweep("meeting_moved", now)} == {d.key for d in moved}
        services.update_meeting(None, meeting, None, starts=datetime(2026, 3, 12, 15, 0),
                                duration_minutes=90, location="Room 2", video_link="")
        db.session.commit()
        again = sweep("meeting_moved", now + timedelta(minutes=1))
    assert len(again) == 5 and not {d.key for d in again} & {d.key for d in moved}
    with at(local(START - timedelta(days=10), 9)) as now:
        assert sweep("meeting_moved", now) == []  # told a week ago: not again
        services.cancel_meeting(None, meeting)
        db.session.commit()
        assert meeting.cancelled_at == now
        cancelled = sweep("meeting_cancelled", now)
        assert sweep("meeting_7d", now) == []
    assert len(cancelled) == 5 and cancelled[0].subject.endswith("meeting cancelled")
    assert "was cancelled on Sat 28 Feb 2026, 09:00 EST" in cancelled[0].body
    with at(local(START - timedelta(days=4), 9)) as now:
        assert {d.key for d in sweep("meeting_cancelled", now)} == {d.key for d in cancelled}
    with at(local(START - timedelta(days=2), 9)) as now:
        assert sweep("meeting_cancelled", now) == []  # told over a week ago: not again
    with at(local(START + timedelta(days=3), 9)) as now:
        assert sweep("meeting_cancelled", now) == []


def test_a_meeting_cancelled_without_a_time_is_not_announced(
        board, meeting_of, at, local, sweep, db):
    """Meetings cancelled before govtrack kept the time: their members were told then."""
    meeting_of(board["committee"], local(START, 14), status="cancelled")
    with at(local(START - timedelta(days=10), 9)) as now:
        assert sweep("meeting_cancelled", now) == []


def test_secretary_then_chair_hear_of_minutes_not_recorded(
        board, meeting_of, at, local, sweep, db):
    meeting = meeting_of(board["committee"], local(START, 14), status="held")
    # thresholds are dates on the committee's wall clock: 3 days after 10 March is 13 March
    assert sweep("minutes_missing_3d", local(START + timedelta(days=2), 23, 59)) == []
    dues = sweep("minutes_missing_3d", local(START + timedelta(days=3), 0, 1))
    assert people(dues) == [board["secretary"].id]
    assert sweep("minutes_missing_7d", local(START + timedelta(days=6), 23, 59)) == []
    chair = sweep("minutes_missing_7d", local(START + timedelta(days=7), 0, 1))
    assert people(chair) == [board["chair"].id]
    later = sweep("minutes_missing_3d", local(START + timedelta(days=9), 12))
    assert [d.key for d in later] == [d.key for d in dues]
    meeting.items[0].notes = "Beds: 4 more from April."
    db.session.commit()
    assert sweep("minutes_missing_7d", local(START + timedelta(days=8), 12)) == []
    # long past meetings are not chased
    meeting_of(board["committee"], local(START - timedelta(days=90), 14), status="held")
    assert sweep("minutes_missing_3d", local(START + timedelta(days=1), 12)) == []


def test_chair_hears_minutes_await_approval_before_the_next_meeting(
        board, meeting_of, at, local, sweep, db):
    held = meeting_of(board["committee"], local(START, 14), status="held",
                      minutes_text="Minuted.")
    nxt = meeting_of(board["committee"], local(START + timedelta(days=28), 14))
    assert sweep("minutes_awaiting_approval", local(START + timedelta(days=21), 13)) == []
    dues = sweep("minutes_awaiting_approval", local(START + timedelta(days=21), 15))
    assert people(dues) == [board["chair"].id]
    assert dues[0].occurrence == f"before-meeting-{nxt.id}"
    assert dues[0].record == f"meeting:{held.id}"
    held.minutes_approved_at = local(START + timedelta(days=22), 9)
    db.session.commit()
    assert sweep("minutes_awaiting_approval", local(START + timedelta(days=23), 9)) == []
