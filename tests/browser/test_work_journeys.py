"""The weekly journeys: the chair's agenda, a member's actions, the workgroup's record.

Each saves a screenshot of its final page under test-results/screenshots/.
"""

import re
from datetime import UTC, datetime, timedelta
from io import BytesIO

import pytest
import time_machine
from docx import Document
from playwright.sync_api import Page, expect
from sqlalchemy import select

from govtrack.accounts.models import Account
from govtrack.actions.models import ActionItem
from govtrack.clock import today, utcnow
from govtrack.committees.models import Committee
from govtrack.demo import DEMO_LOGINS
from govtrack.extensions import db
from govtrack.health import snapshot
from govtrack.meetings import services as meetings
from govtrack.meetings.models import Meeting
from tests.browser.conftest import tab_to


@pytest.fixture
def next_meeting(app, county) -> str:
    """The CIT's next scheduled meeting (scheduled from its cadence if need be)."""
    with app.app_context():
        committee = db.session.scalar(select(Committee).where(Committee.key == county.committee))
        meetings.schedule(None, committee)
        db.session.commit()
        meeting = db.session.scalars(select(Meeting).where(
            Meeting.committee_id == committee.id, Meeting.status == "scheduled",
            Meeting.starts_at > utcnow()).order_by(Meeting.starts_at)).first()
        return meeting.key


@pytest.fixture
def overdue_action(app, county) -> str:
    """An action of the demo member that fell due three days ago."""
    with app.app_context():
        member = db.session.scalar(select(Account).where(
            Account.email == county.logins["member"]))
        committee = db.session.scalar(select(Committee).where(Committee.key == county.committee))
        action = ActionItem(key="journey-overdue", committee=committee, owner=member.person,
                            title="Send October's crisis-call data to the workgroup",
                            due=today() - timedelta(days=3), origin_kind="other")
        db.session.add(action)
        db.session.commit()
        return action.title


def test_chair_drafts_edits_publishes_and_downloads_the_agenda(page: Page, county, log_in,
                                                               next_meeting, screenshot):
    log_in(county.logins["chair"])
    page.goto(f"/committees/{county.committee}")
    page.get_by_role("link", name=re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)")).first.click()
    expect(page).to_have_url(re.compile(f"/meetings/{next_meeting}$"))
    page.get_by_role("link", name="Draft the agenda for me").click()
    page.get_by_role("button", name=re.compile(r"^Add these \d+ items to the draft")).click()
    expect(page.get_by_role("status")).to_contain_text(re.compile("proposed items added", re.I))
    agenda = page.get_by_role("table", name=re.compile(r"items"))
    expect(agenda.get_by_role("row")).not_to_have_count(1)
    # the row header holds the title, then why it was proposed
    first = agenda.get_by_role("rowheader").first.inner_text().strip().splitlines()[0]
    page.get_by_role("link", name=re.compile(rf"^Edit\s+“{re.escape(first)}”")).click()
    page.get_by_label("Minutes").fill("12")
    page.get_by_label("Title").fill(f"{first} (chair's note)")
    page.get_by_role("button", name="Save").click()
    expect(agenda.get_by_role("rowheader").first).to_contain_text("(chair's note)")
    page.get_by_role("button", name="Publish the agenda").click()
    expect(page.get_by_role("status")).to_have_text("Agenda published.")
    expect(page.get_by_role("heading", name="Agenda", exact=True)).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the agenda (.docx)").click()
    document = Document(BytesIO(download.value.path().read_bytes()))
    text = "\n".join(p.text for p in document.paragraphs) + "\n".join(
        cell.text for table in document.tables for row in table.rows for cell in row.cells)
    assert "CIT Steering Committee" in text and "(chair's note)" in text
    screenshot("journey-1-agenda-published")


def _update_overdue(page: Page, title: str, *, keyboard: bool) -> None:
    item = page.get_by_role("listitem").filter(
        has=page.get_by_role("heading", name=title, exact=True))
    expect(item).to_contain_text("Overdue")
    status = item.get_by_label("Status")
    note = item.get_by_label("Note")
    button = item.get_by_role("button", name=re.compile("^Update"))
    if keyboard:
        tab_to(page, status)
        status.select_option("done")  # a select answers to arrow keys; this is the same
        page.keyboard.press("Tab")
        page.keyboard.type("Sent to the data workgroup on Friday.")
        tab_to(page, button)
        page.keyboard.press("Enter")
    else:
        status.select_option("done")
        note.fill("Sent to the data workgroup on Friday.")
        button.click()


@pytest.mark.parametrize("keyboard", [False, True], ids=["mouse", "keyboard-only"])
def test_member_updates_an_overdue_action_from_my_work(page: Page, county, log_in,
                                                       overdue_action, screenshot, keyboard):
    log_in(county.logins["member"])
    page.goto("/my-work")
    expect(page.get_by_role("heading", name="My action items")).to_be_visible()
    _update_overdue(page, overdue_action, keyboard=keyboard)
    expect(page.get_by_role("status")).to_contain_text("updated")
    expect(page.get_by_role("heading", name=overdue_action, exact=True)).to_have_count(0)
    screenshot(f"journey-2-my-work-{'keyboard' if keyboard else 'mouse'}")


# --- the workgroup's record (issue 15), on the demo county's "today" -----------------

#: the demo county's today: the 911 sign-off is overdue, the ED call-ahead cycle is in Do
DEMO_TODAY = datetime(2026, 11, 27, 14, 0, tzinfo=UTC)


def _login_as(log_in, role: str) -> Page:
    """Log in with the demo login of a role (DEMO_LOGINS names it)."""
    return log_in(next(d["email"] for d in DEMO_LOGINS if d["role"] == role))


def _to_workgroup(page: Page, name: str) -> None:
    """From the home page: Committees, the CIT, its workgroups, the workgroup."""
    page.goto("/")
    page.get_by_role("link", name="Committees", exact=True).click()
    page.get_by_role("link", name="CIT Steering Committee", exact=True).click()
    page.get_by_role("link", name="Workgroups and their health").click()
    page.get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)


@time_machine.travel(DEMO_TODAY, tick=True)
def test_member_opens_an_action_from_my_work_reads_its_history_and_updates_it(
        page: Page, county, log_in, screenshot):
    log_in(county.logins["member"])
    page.get_by_role("link", name="My work", exact=True).click()
    page.get_by_role("link", name=re.compile("^Send Riverton PD's CIT call data")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Send Riverton PD's CIT call")
    # the whole history and the origin: the October meeting that created it
    log = page.locator("ol.gt-log")
    expect(log).to_contain_text("Records says the CAD export needs a supervisor's request")
    expect(page.get_by_role("link", name=re.compile("13 October 2026|2026-10-13"))).to_be_visible()
    page.get_by_label("Status").select_option("in_progress")
    page.get_by_label("Note").fill("Capt. Brennan signed the request; export due Monday.")
    page.get_by_role("button", name="Update", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("updated")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Send Riverton PD's CIT call")
    log = page.locator("ol.gt-log")
    expect(log.get_by_role("listitem")).to_have_count(2)
    expect(log).to_contain_text("moved to In progress — Capt. Brennan signed the request")
    expect(log).to_contain_text("Records says the CAD export")  # the earlier entry stays
    screenshot("journey-action-history")


@time_machine.travel(DEMO_TODAY, tick=True)
def test_lead_re_dates_an_overdue_milestone_and_the_timeline_shows_the_slip(
        page: Page, county, log_in, screenshot):
    _login_as(log_in, "Workgroup lead")
    _to_workgroup(page, "911 Call Routing to Mobile Crisis")
    milestone = "Call-taking protocol signed by the 911 director and both chiefs"
    row = page.locator("ol.gt-timeline li", has_text=milestone)
    expect(row).to_contain_text("overdue")
    row.get_by_role("link", name=re.compile("Edit or re-date")).click()
    page.get_by_label("Due").fill("2026-12-15")
    page.get_by_label("Why the date moved").fill("the fire chief asked for a second review")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("911 Call Routing")
    row = page.locator("ol.gt-timeline li", has_text=milestone)
    expect(row).to_contain_text("due 31 Oct, moved to 15 Dec on 27 Nov by Brian Yates "
                                "(the fire chief asked for a second review)")
    expect(row).not_to_contain_text("overdue")
    # the chart draws the slip: an amber bar from the first due date to the new one
    chart = page.locator("svg.gt-timeline-chart").first
    expect(chart.locator(f"g.gt-ms:has(title:text-matches('^{milestone}')) line.gt-slip")) \
        .to_have_count(1)
    screenshot("journey-milestone-slip")


@time_machine.travel(DEMO_TODAY, tick=True)
def test_chair_reaches_the_pdsa_ramp_from_the_workgroup_in_two_clicks_and_records_study(
        page: Page, county, log_in, screenshot):
    log_in(county.logins["chair"])
    _to_workgroup(page, "Emergency Department Drop-off")
    title = "Call-ahead from the patrol car to the psychiatric emergency program"
    page.get_by_role("link", name=re.compile("^PDSA ramp")).first.click()  # one
    page.get_by_role("link", name=title).click()  # two
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    page.get_by_label("On", exact=True).fill("2026-11-27")
    page.get_by_role("button", name="Move to Study").click()
    expect(page.get_by_role("heading", name="Record Study")).to_be_visible()
    page.get_by_label("Results against the predictions").fill(
        "Median time at the drop-off fell from 48 to 33 minutes; 82 % called ahead.")
    page.get_by_label("Lessons").fill("Night shift needs the card on the dashboard.")
    page.get_by_role("button", name="Save").click()
    study = page.locator("h2:text-is('Study') + dl")
    expect(study).to_contain_text("fell from 48 to 33 minutes")
    expect(study).to_contain_text("Night shift needs the card")
    screenshot("journey-pdsa-study")


@time_machine.travel(DEMO_TODAY, tick=True)
def test_coordinator_filters_the_county_view_to_stalled_workgroups(page: Page, app, county,
                                                                   log_in, screenshot):
    with app.app_context():
        snapshot.take()  # as the scheduler does after each sweep (the first at its start)
    _login_as(log_in, "County coordinator")
    page.get_by_role("link", name="County", exact=True).click()
    page.get_by_label("Flag").select_option(label="Stalled workgroups (any workgroup flag)")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"flag=stalled"))
    expect(page.locator("p.gt-snapshot")).to_contain_text("updated by the scheduler every")
    stalled = page.locator("ul.gt-stalled")
    expect(stalled).to_contain_text("911 Call Routing to Mobile Crisis")
    expect(stalled).to_contain_text("Emergency Department Drop-off")
    expect(stalled).not_to_contain_text("CIT Training and Shift Coverage")
    # read-only: the workgroup opens, with nothing to change
    stalled.get_by_role("link", name="911 Call Routing to Mobile Crisis").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("911 Call Routing")
    expect(page.get_by_role("link", name=re.compile("Edit or re-date"))).to_have_count(0)
    expect(page.get_by_role("link", name="Edit charge, lead and members")).to_have_count(0)
    screenshot("journey-county-stalled")
