"""Reminders as a newcomer meets them after `make run`: the scheduler swept, the inbox filled.

The sweep runs as the scheduler runs it (no mail server: the e-mails are
written as .eml files in the instance folder). The demo CIT chair logs in,
opens the inbox from the header and follows a reminder to its record; the
administrator finds the same messages on the outbox page.
"""

import re

from playwright.sync_api import Page, expect
from sqlalchemy import select

from govtrack.accounts.models import Account
from govtrack.extensions import db
from govtrack.notifications.models import Notification
from govtrack.reminders.sweep import sweep


def test_the_chair_finds_reminders_and_the_admin_the_same_in_the_outbox(
        page: Page, app, county, log_in, screenshot):
    with app.app_context():
        report = sweep()
        assert report.acted and report.created > 0
        chair = db.session.scalar(select(Account).where(
            Account.email == county.logins["chair"]))
        subjects = list(db.session.scalars(select(Notification.subject).where(
            Notification.person_id == chair.person_id, Notification.kind.is_not(None))))
    assert subjects, "the demo chair has reminders"

    log_in(county.logins["chair"])
    page.get_by_role("link", name=re.compile(r"^Inbox")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inbox")
    for subject in subjects:
        expect(page.get_by_role("heading", name=subject).first).to_be_visible()
    screenshot("reminders-inbox")
    first = page.get_by_role("heading", name=subjects[0]).first.get_by_role("link")
    first.click()
    expect(page).not_to_have_url(re.compile(r"/inbox"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    page.get_by_role("button", name=re.compile("Log out")).click()
    log_in(county.logins["admin"])
    page.get_by_role("link", name="Outbox").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Outbox")
    page.get_by_role("link", name=re.compile(r"^Sent")).click()
    for subject in subjects:
        expect(page.get_by_role("rowheader", name=re.compile(re.escape(subject))).first
               ).to_be_visible()
    screenshot("reminders-outbox")
