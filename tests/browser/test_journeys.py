"""What a newcomer does after `make run`: the walking-skeleton journey, by mouse and by keyboard.

The demo CIT chair logs in, finds the CIT Steering Committee, sees its roster
and collaboration stage, edits its purpose and sees the new purpose on the
committee's page. Each test saves a screenshot of its final page under
test-results/screenshots/.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from govtrack.committees.models import ROLES, STAGES
from govtrack.demo import DEMO_LOGINS, DEMO_PASSWORD, demo_county
from tests.browser.conftest import DEMO_ROLES, tab_to

NEW_PURPOSE = ("Every person in a mental-health crisis in Alder County meets a trained "
               "responder and leaves with a treatment appointment, not a booking number.")


@pytest.fixture
def cit(county):
    """What the newcomer should see of the CIT Steering Committee, read from the demo file."""
    data = demo_county()
    people = {p["key"]: p["name"] for p in data["people"]}
    committee = next(c for c in data["committees"] if c["key"] == county.committee)
    current = [m for m in committee["memberships"] if m.get("end") is None]
    chair_key = next(m["person"] for m in DEMO_LOGINS if m["role"] == DEMO_ROLES["chair"])
    return {
        "name": committee["name"],
        "chair": people[chair_key],
        "members": [(people[m["person"]], ROLES[m["role"]]) for m in current],
        "stage": STAGES[committee["stage_history"][-1]["stage"]],
    }


def expect_committee_page(page: Page, cit) -> None:
    """The committee page shows its name, its stage and every current member with their role."""
    expect(page.get_by_role("heading", level=1)).to_have_text(cit["name"])
    stage = page.get_by_role("heading", name="Collaboration stage")
    expect(stage.locator("xpath=following-sibling::p[1]")).to_contain_text(
        f"{cit['stage']} since")
    roster = page.get_by_role("table", name=re.compile(r"Current members"))
    expect(roster).to_contain_text(f"Current members ({len(cit['members'])})")
    for name, role in cit["members"]:
        row = roster.get_by_role("row").filter(
            has=page.get_by_role("rowheader", name=re.compile(re.escape(name))))
        expect(row).to_contain_text(role)


def expect_purpose_saved(page: Page, cit) -> None:
    """Back on the committee page, with a confirmation and the new purpose under Purpose."""
    expect(page).to_have_url(re.compile(r"/committees/[\w-]+$"))
    expect(page.get_by_role("status")).to_have_text("Committee saved.")
    expect(page.get_by_role("heading", level=1)).to_have_text(cit["name"])
    purpose = page.get_by_role("heading", name="Purpose", exact=True)
    expect(purpose.locator("xpath=following-sibling::*[1]")).to_have_text(NEW_PURPOSE)


def test_chair_finds_the_committee_and_edits_its_purpose(page, county, cit, screenshot):
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in to govtrack")
    page.get_by_label("E-mail address").fill(county.logins["chair"])
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("My work")
    expect(page.get_by_role("link", name=cit["chair"])).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Committees").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Committees")
    page.get_by_role("link", name=cit["name"]).click()

    expect_committee_page(page, cit)
    page.get_by_role("link", name="Edit committee").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Edit {cit['name']}")
    page.get_by_label("Purpose / shared problem statement").fill(NEW_PURPOSE)
    page.get_by_role("button", name="Save").click()

    expect_purpose_saved(page, cit)
    expect_committee_page(page, cit)
    screenshot("walking-skeleton-chair-edits-purpose")


def test_chair_edits_the_purpose_with_the_keyboard_only(page, county, cit, screenshot):
    page.goto("/login")  # typing the address is the one thing done before the first Tab
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()

    tab_to(page, page.get_by_label("E-mail address"))
    page.keyboard.type(county.logins["chair"])
    tab_to(page, page.get_by_label("Password", exact=True))
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("My work")
    tab_to(page, page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Committees"))
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Committees")
    tab_to(page, page.get_by_role("link", name=cit["name"]))
    page.keyboard.press("Enter")

    expect_committee_page(page, cit)
    tab_to(page, page.get_by_role("link", name="Edit committee"))
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Edit {cit['name']}")
    purpose = page.get_by_label("Purpose / shared problem statement")
    tab_to(page, purpose)
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.press("Delete")
    page.keyboard.type(NEW_PURPOSE)
    expect(purpose).to_have_value(NEW_PURPOSE)
    tab_to(page, page.get_by_role("button", name="Save"))
    page.keyboard.press("Enter")

    expect_purpose_saved(page, cit)
    screenshot("walking-skeleton-chair-edits-purpose-keyboard")
