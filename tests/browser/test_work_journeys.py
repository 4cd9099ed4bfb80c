"""The weekly journeys: the chair's agenda, and a member's overdue action from My work.

Each saves a screenshot of its final page under test-results/screenshots/.
"""

import re
from datetime import timedelta
from io import BytesIO

import pytest
from docx import Document
from playwright.sync_api import Page, expect
from sqlalchemy import select

from govtrack.accounts.models import Account
from govtrack.actions.models import ActionItem
from govtrack.clock import today, utcnow
from govtrack.committees.models import Committee
from govtrack.extensions import db
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
    page.get_by_role("button", name="Draft the agenda for me").click()
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
