"""Each committee sets the numbers of its health rules; the flags use them."""

from datetime import UTC, date, datetime

import time_machine

from govtrack.committees.models import THRESHOLDS, Committee
from govtrack.health.services import flags_for
from govtrack.pdsa import services as pdsa

NOW = datetime(2026, 11, 22, 14, 0, tzinfo=UTC)


def _codes(kind, record):
    return {f.code for f in flags_for(kind, record, NOW.date())}


@time_machine.travel(NOW, tick=False)
def test_the_chair_sets_pdsa_days_and_the_flag_follows(client, make, db, login):
    cast = make.cast()
    goal = cast["workgroup"].goals[0]
    pdsa.create_cycle(cast["chair"], goal, title="Screen", on=date(2026, 10, 20))
    db.session.commit()
    assert "pdsa_stuck" not in _codes("workgroup", cast["workgroup"])  # 33 days < 60
    login(cast["chair"])
    page = client.get(f"/committees/{cast['committee'].key}/thresholds").get_data(as_text=True)
    assert "Default: 60 days" in page and "Default: 50 %" in page
    response = client.post(f"/committees/{cast['committee'].key}/thresholds", data={
        "version": cast["committee"].version, "pdsa_phase_days": "30",
        "stall_after_days": "30"})
    assert response.status_code == 302
    db.session.expire_all()
    committee = db.session.get(Committee, cast["committee"].id)
    assert committee.threshold("pdsa_phase_days") == 30
    assert committee.threshold("mou_expiring_days") == THRESHOLDS["mou_expiring_days"].default
    assert "pdsa_stuck" in _codes("workgroup", cast["workgroup"])


@time_machine.travel(NOW, tick=False)
def test_a_threshold_out_of_range_is_refused_with_the_input_kept(client, make, db, login):
    cast = make.cast()
    login(cast["chair"])
    response = client.post(f"/committees/{cast['committee'].key}/thresholds", data={
        "version": cast["committee"].version, "attendance_low_percent": "120",
        "mou_stall_days": "21"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Number must be between 1 and 100." in html and 'value="21"' in html


def test_members_read_the_thresholds_but_only_the_chair_sets_them(client, make, db, login):
    cast = make.cast()
    login(cast["secretary"])
    url = f"/committees/{cast['committee'].key}/thresholds"
    page = client.get(url).get_data(as_text=True)
    assert "Save the thresholds" not in page and "30 days" in page
    assert client.post(url, data={"pdsa_phase_days": "5"}).status_code == 403


@time_machine.travel(NOW, tick=False)
def test_the_attendance_rule_reads_the_committee(make, db):
    from govtrack.meetings.health import attendance_falling_since
    from govtrack.meetings.models import Attendance, Meeting

    cast = make.cast()
    committee = cast["committee"]
    people = [m.person_id for m in committee.memberships]
    meetings = []
    for n in range(3):
        meeting = Meeting(key=f"held-{n}", committee=committee, status="held",
                          starts_at=datetime(2026, 8 + n, 10, 15, tzinfo=UTC))
        meeting.attendance = [Attendance(person_id=p, status="present" if i < 2 else "absent")
                              for i, p in enumerate(people)]
        meetings.append(meeting)
    db.session.add_all(meetings)
    db.session.commit()
    everyone = lambda meeting: set(people)  # noqa: E731
    # two of three present: 67 %, above DESIGN.md's 50 % but below a committee's 75 %
    assert attendance_falling_since(meetings, everyone, NOW.date(), committee) is None
    committee.attendance_low_percent = 75
    assert attendance_falling_since(meetings, everyone, NOW.date(), committee) == date(2026, 10,
                                                                                        10)
