"""The chair leaves before the term ends: the checklist names every step, and each is done.

The demo CIT chair finds the hand-over checklist from the committee page, by
clicking, reads every step it will perform (including the open work that moves
to the interim chair, a step a feature declares), records the hand-over to the
co-chair, and the committee page then names the interim chair.
"""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from govtrack.chairs.services import HANDOVER_STEPS
from govtrack.committees.models import Committee
from govtrack.extensions import db

pytestmark = pytest.mark.browser


def test_the_chair_leaving_early_sees_and_gets_every_step(page, county, log_in, app,
                                                          screenshot):
    with app.app_context():
        committee = db.session.scalar(select(Committee).where(Committee.key == county.committee))
        name = committee.name
        co_chair = next(m.person.name for m in committee.memberships
                        if m.role == "co_chair" and m.end is None)
    log_in(county.logins["chair"])
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Committees").click()
    page.get_by_role("link", name=name).click()
    page.get_by_role("link", name="The chair is leaving early").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"The chair of {name} is leaving early")
    checklist = page.get_by_role("heading", name="Hand-over checklist").locator(
        "xpath=following-sibling::ol[1]")
    for step in HANDOVER_STEPS:
        expect(checklist).to_contain_text(step.words)
    expect(checklist).to_contain_text("open action items move to the interim chair")
    expect(page.get_by_label("Interim chair").locator("option:checked")).to_contain_text(co_chair)
    screenshot("chair-leaves-early-checklist")

    page.get_by_role("button", name="Record the hand-over").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(page.get_by_role("status")).to_contain_text(co_chair)
    screenshot("chair-leaves-early-done")
