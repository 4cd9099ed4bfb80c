"""The minutes page never loses typing; designee fields appear only when needed.

The demo CIT chair minutes the 10 November meeting: leaving with unsaved
notes asks first, and adding an action item keeps what was typed.
"""

from playwright.sync_api import Page, expect

MEETING = "cit-2026-11-10"


def test_the_minutes_page_asks_before_losing_typing_and_keeps_it_with_an_action(
        page: Page, county, log_in, screenshot):
    log_in(county.logins["chair"])
    page.goto(f"/meetings/{MEETING}/minutes")
    notes = page.get_by_label("General notes (Markdown)")
    notes.click()
    notes.press("End")
    notes.press_sequentially(" Typed before adding an action.")
    asked = []

    def answer(dialog):
        asked.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", answer)
    page.get_by_role("link", name="Back to the meeting").click()
    page.wait_for_timeout(500)
    assert asked == ["beforeunload"]
    expect(page).to_have_url(f"{page.url.split('/meetings/')[0]}/meetings/{MEETING}/minutes")
    page.remove_listener("dialog", answer)
    page.get_by_label("Action", exact=True).fill("Circulate the routing criteria")
    page.get_by_label("Owner", exact=True).select_option(index=1)
    page.get_by_role("button", name="Save the minutes and add the action item").click()
    expect(page.get_by_text("Minutes and action item saved.")).to_be_visible()
    assert "Typed before adding an action." in page.get_by_label(
        "General notes (Markdown)").input_value()
    expect(page.get_by_role("link", name="Edit “Circulate the routing criteria”")).to_be_visible()
    screenshot("minutes-keep-typing")


def test_a_designee_field_shows_only_when_a_designee_is_chosen(page: Page, county, log_in):
    log_in(county.logins["chair"])
    page.goto(f"/meetings/{MEETING}/attendance")
    member = page.locator("fieldset.gt-member").first
    field = member.locator(".gt-designee-field")
    # USWDS draws the radio on its label; the input itself is off screen
    member.locator("label", has_text="Present").click()
    expect(field).to_be_hidden()
    member.locator("label", has_text="Sent a designee").click()
    expect(field).to_be_visible()
