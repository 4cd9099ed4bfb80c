"""The agenda drafts itself from every feature's sources, once per source, and the backlog."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from govtrack.demo import DEMO_LOGINS, DEMO_PASSWORD, load_demo
from govtrack.meetings import drafting, services
from govtrack.meetings.models import AgendaItem, BacklogItem, Meeting

#: the day the demo's chair drafts the 8 December agenda
DRAFT_DAY = datetime(2026, 11, 27, 14, 0, tzinfo=UTC)


def _demo_meeting(db, key):
    report = load_demo()
    assert report.ok, report.problems
    db.session.commit()
    return db.session.scalar(select(Meeting).where(Meeting.key == key))


@time_machine.travel(DRAFT_DAY, tick=False)
def test_the_demo_8_december_meeting_drafts_report_backs_and_stalled_workgroups(db):
    meeting = _demo_meeting(db, "cit-2026-12-08")
    items = drafting.draft_agenda(None, meeting)
    db.session.commit()
    by_source = {i.source: i for i in items}
    for key, lead in (("wg-cit-training", "p-greene"), ("wg-ed-dropoff", "p-romano"),
                      ("wg-911-routing", "p-yates")):
        item = by_source[f"workgroup-report:{key}"]
        assert item.kind == "report_back" and item.workgroup_key == key
        assert item.presenter.key == lead and item.why == "Reports back at every meeting."
    stalled = by_source["workgroup-stalled:wg-911-routing"]
    assert stalled.workgroup_key == "wg-911-routing"
    assert "A milestone is overdue (since 1 November 2026)" in stalled.why
    assert "Remedy: " in stalled.why and "agree a new due date" in stalled.why
    assert "workgroup-stalled:wg-ed-dropoff" in by_source
    assert "workgroup-stalled:wg-cit-training" not in by_source
    # drafting again adds nothing: each source once
    assert drafting.draft_agenda(None, meeting) == []
    assert len(meeting.items) == len(items)


@time_machine.travel(DRAFT_DAY, tick=False)
def test_the_mou_awaiting_the_public_defenders_signature_is_drafted_for_8_december(db):
    """The CIT sponsors the pre-arraignment MOU: out since 5 November, stalled by the 8th."""
    meeting = _demo_meeting(db, "cit-2026-12-08")
    items = drafting.draft_agenda(None, meeting)
    item = next(i for i in items if i.source == "mou-signature:mou-pretrial-referral")
    assert item.mou_key == "mou-pretrial-referral"
    assert item.title == "Signatures awaited: Pre-arraignment mental health referral"
    assert "Awaiting the signature of Alder County Public Defender." in item.why
    assert "Signatures stalled (since 5 December 2026)" in item.why


@time_machine.travel(DRAFT_DAY, tick=False)
def test_the_chair_previews_the_draft_with_its_reasons_then_adds_it_once(db, client):
    """The meeting page links to the drafting page; it lists what would be added and why,
    links each item to its record, and its button adds them; drafting again offers nothing."""
    meeting = _demo_meeting(db, "cit-2026-12-08")
    chair = next(d for d in DEMO_LOGINS if d["role"] == "CIT chair")
    client.post("/login", data={"email": chair["email"], "password": DEMO_PASSWORD})
    url = f"/meetings/{meeting.key}/agenda/draft"
    page = client.get(f"/meetings/{meeting.key}").get_data(as_text=True)
    assert f'href="{url}">Draft the agenda for me</a>' in page
    assert "Stalled workgroup:" not in page  # live state is not read on every view
    preview = client.get(url).get_data(as_text=True)
    assert "Stalled workgroup: 911 Call Routing to Mobile Crisis" in preview
    assert "Awaiting the signature of Alder County Public Defender." in preview
    assert 'href="/workgroups/wg-911-routing"' in preview
    assert 'href="/mous/mou-pretrial-referral"' in preview
    assert preview.count("<tr>") - 1 == len(drafting.propose_agenda(meeting))
    db.session.rollback()
    assert len(db.session.get(Meeting, meeting.id).items) == 0  # a preview changes nothing
    response = client.post(url, follow_redirects=True)
    assert "proposed items added to the draft" in response.get_data(as_text=True)
    assert "Nothing new to add" in client.get(url).get_data(as_text=True)
    client.post(f"/meetings/{meeting.key}/agenda/publish")
    assert "The agenda is published" in client.get(url).get_data(as_text=True)


@pytest.fixture
def committee(make):
    return make.committee(timezone="America/New_York")


def _held(committee, day, workgroup=None):
    meeting = services.create_meeting(None, committee, starts=datetime.combine(
        day, datetime.min.time()).replace(hour=15), duration_minutes=60)
    meeting.status = "held"
    if workgroup is not None:
        services.add_item(None, meeting, title="Report", kind="report_back", minutes=10,
                          workgroup_key=workgroup.key)
    return meeting


@time_machine.travel(datetime(2026, 11, 22, 14, 0, tzinfo=UTC), tick=False)
@pytest.mark.parametrize(("schedule", "days_since", "due"), [
    ("monthly", 14, False), ("monthly", 28, True), ("quarterly", 56, False),
    ("quarterly", 91, True)])
def test_a_report_back_is_proposed_when_its_schedule_makes_it_due(db, make, committee,
                                                                  schedule, days_since, due):
    lead = make.person()
    workgroup = make.workgroup(committee, lead=lead)
    workgroup.report_back = schedule
    workgroup.created_at = datetime(2026, 1, 1, tzinfo=UTC)
    coming = services.create_meeting(None, committee, starts=datetime(2026, 12, 8, 15, 0),
                                     duration_minutes=60)
    _held(committee, date(2026, 12, 8) - timedelta(days=days_since), workgroup)
    db.session.commit()
    proposed = [p for p in drafting.propose_agenda(coming)
                if p.source == f"workgroup-report:{workgroup.key}"]
    assert bool(proposed) is due
    if due:
        assert proposed[0].presenter == lead and proposed[0].refs == {
            "workgroup_key": workgroup.key}


@time_machine.travel(datetime(2026, 11, 22, 14, 0, tzinfo=UTC), tick=False)
def test_each_workgroups_last_report_back_counts_for_its_own_schedule(db, make, committee):
    """Read with the stalled workgroups' health, the last report-backs stay each workgroup's."""
    recent, due, every = (make.workgroup(committee, lead=make.person()) for _ in range(3))
    for workgroup in (recent, due, every):
        workgroup.report_back = "monthly"
        workgroup.created_at = datetime(2026, 1, 1, tzinfo=UTC)
    every.report_back = "every_meeting"
    coming = services.create_meeting(None, committee, starts=datetime(2026, 12, 8, 15, 0),
                                     duration_minutes=60)
    _held(committee, date(2026, 10, 20), due)
    _held(committee, date(2026, 11, 24), recent)
    db.session.commit()
    proposed = {p.source: p for p in drafting.propose_agenda(coming)
                if p.source.startswith("workgroup-report:")}
    assert set(proposed) == {f"workgroup-report:{due.key}", f"workgroup-report:{every.key}"}
    assert proposed[f"workgroup-report:{due.key}"].why == (
        "Reports back monthly; last report-back 49 days before this meeting.")
    assert proposed[f"workgroup-report:{every.key}"].presenter == every.lead


@time_machine.travel(datetime(2026, 11, 22, 14, 0, tzinfo=UTC), tick=False)
def test_standing_items_open_and_close_every_draft(db, committee):
    for title, placement in (("Call to order", "start"), ("Public comment", "end"),
                             ("Adjourn", "end")):
        services.add_standing_item(None, committee, title=title, kind="information",
                                   minutes=5, placement=placement)
    meeting = services.create_meeting(None, committee, starts=datetime(2026, 12, 8, 15, 0),
                                      duration_minutes=60)
    db.session.commit()
    drafting.draft_agenda(None, meeting)
    services.add_item(None, meeting, title="Late addition", kind="discussion", minutes=5)
    db.session.commit()
    previous = _held(committee, date(2026, 11, 10))
    db.session.commit()
    drafting.draft_agenda(None, meeting)  # the approval of 10 November is new
    db.session.commit()
    titles = [i.title for i in sorted(meeting.items, key=lambda i: i.position)]
    assert titles[0] == "Call to order" and titles[-2:] == ["Public comment", "Adjourn"]
    assert f"Approve the minutes of {services.meeting_day(previous):%-d %B %Y}" in titles
    assert titles.count("Adjourn") == 1


@time_machine.travel(datetime(2026, 11, 22, 14, 0, tzinfo=UTC), tick=False)
def test_a_request_accepted_after_its_meeting_was_held_waits_on_the_backlog(db, make,
                                                                            committee):
    member = make.account()
    make.membership(committee, member.person)
    held = _held(committee, date(2026, 11, 10))
    held.status = "scheduled"
    with time_machine.travel(datetime(2026, 11, 5, 12, 0, tzinfo=UTC), tick=False):
        # asked for before the meeting (requests are only for meetings still to come)
        request = services.request_item(member, held, title="Bed wait data",
                                        kind="discussion", minutes=10)
    held.status = "held"
    db.session.commit()
    waiting = services.decide_request(None, request, accept=True)
    db.session.commit()
    [entry] = services.backlog(committee)
    assert entry is waiting
    assert entry.title == "Bed wait data" and entry.presenter == member.person
    coming = services.create_meeting(None, committee, starts=datetime(2026, 12, 8, 15, 0),
                                     duration_minutes=60)
    db.session.commit()
    items = drafting.draft_agenda(None, coming)
    db.session.commit()
    assert [i.title for i in items if i.source == entry.source] == ["Bed wait data"]
    assert services.backlog(committee) == []  # on an agenda: no longer waiting
    services.cancel_meeting(None, coming)
    db.session.commit()
    assert services.backlog(committee) == [entry]  # its meeting was cancelled: waiting again


@time_machine.travel(datetime(2026, 11, 22, 14, 0, tzinfo=UTC), tick=False)
def test_an_item_carried_twice_moves_once(db, committee):
    held = _held(committee, date(2026, 11, 10))
    item = services.add_item(None, held, title="Bed registry", kind="discussion", minutes=15,
                             workgroup_key="wg-x")
    item.notes = "Ran out of time."
    db.session.commit()
    first = services.carry_item(None, item)  # no meeting scheduled yet: the backlog
    second = services.carry_item(None, item)
    db.session.commit()
    assert isinstance(first, BacklogItem) and first is second
    assert first.notes == "Ran out of time." and first.workgroup_key == "wg-x"
    assert db.session.query(BacklogItem).count() == 1
    coming = services.create_meeting(None, committee, starts=datetime(2026, 12, 8, 15, 0),
                                     duration_minutes=60)
    db.session.commit()
    drafting.draft_agenda(None, coming)
    db.session.commit()
    assert services.carry_item(None, item).meeting == coming
    carried = [i for i in db.session.scalars(select(AgendaItem)) if i.title == "Bed registry"]
    assert len(carried) == 2 and carried[1].workgroup_key == "wg-x"


@time_machine.travel(datetime(2026, 11, 22, 14, 0, tzinfo=UTC), tick=False)
def test_an_item_carried_to_a_draft_agenda_is_carried_once(db, committee):
    held = _held(committee, date(2026, 11, 10))
    coming = services.create_meeting(None, committee, starts=datetime(2026, 12, 8, 15, 0),
                                     duration_minutes=60)
    item = services.add_item(None, held, title="Bed registry", kind="discussion", minutes=15)
    db.session.commit()
    first = services.carry_item(None, item)
    db.session.commit()
    assert services.carry_item(None, item) is first and first.meeting == coming
    assert [i.title for i in coming.items] == ["Bed registry"]


@time_machine.travel(DRAFT_DAY, tick=False)
def test_each_source_reads_alone_what_it_shares_with_the_others(db):
    """The meetings' own sources read the overdue actions with their rows and share them;
    a draft that asks the overdue actions' source first has it read them itself, the same."""
    from govtrack.actions import agenda as actions
    from govtrack.meetings.agenda_sources import Draft

    meeting = _demo_meeting(db, "cit-2026-12-08")
    day = DRAFT_DAY.date()
    together = [p for p in drafting.propose_agenda(meeting, day)
                if p.source == "overdue-actions"]
    assert together and together[0].title.startswith("Overdue action items (")
    (alone,) = actions.AGENDA_SOURCES
    assert alone.propose(Draft(meeting, day)) == together
