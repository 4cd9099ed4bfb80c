"""axe-core finds no serious or critical WCAG 2.1 AA violation on any main page, as anyone.

Each kind of user visits every page they can reach (and the error pages they
meet) in one logged-in browser; the test fails once, at the end, listing every
page's violations, so one run shows all there is to fix.
"""

import pytest
from playwright.sync_api import expect

from tests.browser.axe import assert_no_blocking

COMMITTEE = "/committees/{committee}"

#: Every main page each kind of user can see, and the status they get.
PAGES = {
    "anonymous": [
        ("/login", 200),
        ("/no-such-page", 404),
    ],
    "admin": [
        ("/my-work", 200),
        ("/committees/", 200),
        ("/committees/new", 200),
        (COMMITTEE, 200),
        (COMMITTEE + "/edit", 200),
        (COMMITTEE + "/members/new", 200),
        (COMMITTEE + "/members/{membership}/edit", 200),
        (COMMITTEE + "/stage", 200),
        (COMMITTEE + "/history", 200),
        ("/agencies/", 200),
        ("/agencies/new", 200),
        ("/agencies/{agency}", 200),
        ("/agencies/{agency}/edit", 200),
        ("/agencies/{agency}/people/new", 200),
        ("/people/{person}/edit", 200),
        ("/mous/", 200),
        ("/admin/accounts/", 200),
        ("/admin/accounts/new", 200),
        ("/admin/accounts/{account}", 200),
        ("/account/password", 200),
        ("/committees/no-such-committee", 404),
    ],
    "chair": [
        ("/my-work", 200),
        ("/committees/", 200),
        (COMMITTEE, 200),
        (COMMITTEE + "/edit", 200),
        (COMMITTEE + "/members/new", 200),
        (COMMITTEE + "/members/{membership}/edit", 200),
        (COMMITTEE + "/stage", 200),
        (COMMITTEE + "/chair/policy", 200),
        (COMMITTEE + "/chair/handover", 200),
        (COMMITTEE + "/chair/leave", 200),
        (COMMITTEE + "/history", 200),
        (COMMITTEE + "/meetings", 200),
        (COMMITTEE + "/meetings/new", 200),
        (COMMITTEE + "/quorum", 200),
        (COMMITTEE + "/workgroups", 200),
        (COMMITTEE + "/workgroups/new", 200),
        (COMMITTEE + "/dashboard", 200),
        ("/calendar/", 200),
        ("/agencies/", 200),
        ("/agencies/{agency}", 200),
        ("/mous/", 200),
        ("/account/password", 200),
        ("/account/totp", 200),
        ("/admin/accounts/", 403),
    ],
    "member": [
        ("/my-work", 200),
        ("/committees/", 200),
        (COMMITTEE, 200),
        (COMMITTEE + "/history", 200),
        (COMMITTEE + "/meetings", 200),
        (COMMITTEE + "/workgroups", 200),
        (COMMITTEE + "/dashboard", 200),
        ("/calendar/", 200),
        ("/agencies/", 200),
        ("/agencies/{agency}", 200),
        ("/mous/", 200),
        (COMMITTEE + "/edit", 403),
    ],
    "head": [
        ("/my-work", 200),
        ("/committees/", 200),
        ("/agencies/", 200),
        ("/agencies/{agency}", 200),
        ("/mous/", 200),
        (COMMITTEE, 404),
    ],
}


def audit_pages(page, axe, county, pages) -> dict[str, list[dict]]:
    """Visit each page, check its status, and return {path: violations} for all of them."""
    found = {}
    for template, status in pages:
        path = county.fill(template)
        response = page.goto(path)
        assert response.status == status, f"{path} answered {response.status}, not {status}"
        found[path] = axe()
    return found




@pytest.mark.parametrize("who", list(PAGES))
def test_every_page_passes_axe(who, page, axe, county, log_in):
    if who != "anonymous":
        log_in(county.logins[who])
    assert_no_blocking(audit_pages(page, axe, county, PAGES[who]))


def test_committee_form_with_validation_errors_passes_axe(page, axe, county, log_in):
    log_in(county.logins["chair"])
    page.goto(county.fill(COMMITTEE + "/edit"))
    page.get_by_label("Name", exact=True).fill("")
    page.get_by_role("button", name="Save").click()

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Please correct 1 field")
    expect(page.get_by_label("Name", exact=True)).to_have_attribute("aria-invalid", "true")
    assert_no_blocking({"committee edit form, name left empty": axe()})


def test_login_form_with_validation_errors_passes_axe(page, axe, county):
    page.goto("/login")
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("alert")).to_contain_text("Please correct 2 fields")
    found = {"login form, both fields empty": axe()}

    page.get_by_label("E-mail address").fill(county.logins["member"])
    page.get_by_label("Password", exact=True).fill("not the password at all")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("not right")
    found["login form, wrong password"] = axe()
    assert_no_blocking(found)


def test_the_harness_catches_a_violation(page, axe):
    page.goto("/login")
    page.locator("form").evaluate(
        "form => form.insertAdjacentHTML('beforeend', '<input type=\"text\" name=\"x\">')")

    found = {v["id"]: v["impact"] for v in axe()}
    assert found.get("label") == "critical", found
