"""The meeting cycle in the browser: minutes that keep typing, and the whole cycle.

The demo CIT chair minutes the 10 November meeting: leaving with unsaved
notes asks first, and adding an action item keeps what was typed. Then the
cycle of issue 14: the 8 December agenda drafts itself, the meeting is held
and votes, and the January meeting approves its minutes by a motion.
"""

import re
from datetime import UTC, datetime
from io import BytesIO

import time_machine
from docx import Document
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


# --- the whole cycle: draft, hold, vote, approve the minutes at the next meeting ---------

#: when the chair drafts the 8 December agenda (the demo's "today")
DRAFTING = datetime(2026, 11, 27, 14, 0, tzinfo=UTC)
#: half an hour into the 8 December meeting (15:00 in New York)
AT_DECEMBER = datetime(2026, 12, 8, 20, 30, tzinfo=UTC)
#: half an hour into the 12 January meeting, the next one
AT_JANUARY = datetime(2027, 1, 12, 20, 30, tzinfo=UTC)


def _log_in_again(page: Page, log_in, email: str) -> None:
    """After the clock moved, start a fresh session (the old one may have lapsed)."""
    page.context.clear_cookies()
    log_in(email)


def _open_meeting(page: Page, committee: str, name: str) -> None:
    """From the home page: Committees, the committee, its meetings, the meeting."""
    page.goto("/")
    page.get_by_role("link", name="Committees", exact=True).click()
    page.get_by_role("link", name=committee, exact=True).click()
    page.get_by_role("link", name="All meetings and attendance").click()
    page.get_by_role("link", name=re.compile(name)).first.click()


def _hold(page: Page) -> None:
    """Take the attendance: the grid starts from the answers; everyone came."""
    page.get_by_role("link", name="Take attendance").click()
    page.get_by_role("button", name="Everyone present").click()
    expect(page.get_by_role("status").filter(has_text="Everyone marked present.")) \
        .to_contain_text("Quorum:")
    page.get_by_role("link", name="Cancel").click()


def _vote(page: Page, mover: str, seconder: str) -> None:
    """Mover, seconder, and a vote for each member present (yes, one abstains)."""
    for label, name in (("Moved by", mover), ("Seconded by", seconder)):
        field = page.get_by_label(label)
        field.select_option(field.locator("option", has_text=name).get_attribute("value"))
    votes = page.locator("select[name^='vote_']")
    for n in range(votes.count()):
        votes.nth(n).select_option("abstain" if n == 0 else "yes")


def test_the_meeting_cycle_from_drafted_agenda_to_approved_minutes(page: Page, county, log_in,
                                                                   screenshot):
    chair, member = county.logins["chair"], county.logins["member"]
    with time_machine.travel(DRAFTING, tick=True):
        # the chair drafts the 8 December agenda: live state proposes what needs the committee
        log_in(chair)
        _open_meeting(page, "CIT Steering Committee", "8 December 2026")
        page.get_by_role("link", name="Draft the agenda for me").click()
        # a preview first: each proposed item with why, linked to its record
        proposed = page.get_by_role("table", name=re.compile("proposed items"))
        expect(proposed.get_by_role("rowheader").filter(
            has_text="Signatures awaited: Pre-arraignment mental health referral")) \
            .to_contain_text("Awaiting the signature of Alder County Public Defender")
        expect(proposed.get_by_role("link", name="911 Call Routing to Mobile Crisis").first) \
            .to_be_visible()
        page.get_by_role("button", name=re.compile(r"^Add these \d+ items to the draft")).click()
        expect(page.get_by_role("status")).to_contain_text("proposed items added")
        agenda = page.get_by_role("table", name=re.compile("items"))
        for title in ("Report-back: CIT Training and Shift Coverage",
                      "Stalled workgroup: 911 Call Routing to Mobile Crisis",
                      "Signatures awaited: Pre-arraignment mental health referral",
                      "Approve the minutes of 10 November 2026"):
            expect(agenda.get_by_role("rowheader").filter(has_text=title)).to_have_count(1)
        expect(agenda).to_contain_text("Awaiting the signature of Alder County Public Defender")
        page.get_by_role("button", name="Publish the agenda").click()
        expect(page.get_by_role("status")).to_have_text("Agenda published.")
        # the coming months are scheduled, so the January meeting exists
        page.get_by_role("link", name="All meetings of CIT Steering Committee").click()
        page.get_by_role("button", name="Schedule the coming six months").click()
        expect(page.get_by_role("status")).to_contain_text("meetings scheduled")
        # a member answers from My work's next meetings
        _log_in_again(page, log_in, member)
        page.get_by_role("link", name=re.compile(r"CIT Steering Committee: .*8 Dec")).click()
        page.get_by_label("Will you attend?").select_option("attending")
        page.get_by_role("button", name="Send my answer").click()
        expect(page.get_by_role("status")).to_contain_text("your answer is recorded")

    with time_machine.travel(AT_DECEMBER, tick=True):
        _log_in_again(page, log_in, chair)
        _open_meeting(page, "CIT Steering Committee", "8 December 2026")
        page.get_by_role("link", name="Take attendance").click()
        nguyen = page.get_by_role("group", name=re.compile("^Tuan Nguyen"))
        expect(nguyen.get_by_label("Present")).to_be_checked()  # from the answer
        expect(page.get_by_role("group", name=re.compile("^Luis Alvarez"))
               .get_by_label("Absent")).to_be_checked()  # no answer yet
        page.get_by_role("link", name="Cancel").click()
        _hold(page)
        page.get_by_role("link", name="Record a motion and the vote").click()
        page.get_by_label("Motion", exact=True).fill(
            "That the committee asks the 911 workgroup for a new routing date by January.")
        _vote(page, "Tuan Nguyen", "Luis Alvarez")
        page.get_by_role("button", name="Record the motion").click()
        expect(page.get_by_role("status")).to_contain_text("Motion recorded: Carried")
        expect(page.locator("strong", has_text="asks the 911 workgroup for a new routing date")) \
            .to_be_visible()
        # the January agenda proposes approving these minutes
        page.get_by_role("link", name="All meetings of CIT Steering Committee").click()
        page.get_by_role("link", name=re.compile("Tuesday 12 January 2027")).click()
        page.get_by_role("link", name="Draft the agenda for me").click()
        page.get_by_role("button", name=re.compile(r"^Add these \d+ items to the draft")).click()
        expect(page.get_by_role("rowheader").filter(
            has_text="Approve the minutes of 8 December 2026")).to_have_count(1)

    with time_machine.travel(AT_JANUARY, tick=True):
        _log_in_again(page, log_in, chair)
        _open_meeting(page, "CIT Steering Committee", "12 January 2027")
        _hold(page)
        # someone still has the December minutes open in another tab
        with page.context.expect_page() as opened:
            page.get_by_role("link", name="Read them").click(modifiers=["Control"])
        other = opened.value
        other.wait_for_load_state()
        other.get_by_role("link", name="Write the minutes").click()
        # the approval is a decision of this meeting: a motion with its vote
        page.get_by_role("link", name=re.compile("Approve the minutes by a vote")).click()
        expect(page.get_by_role("heading", name="Approve the minutes of 8 December 2026")) \
            .to_be_visible()
        expect(page.get_by_label("Motion", exact=True)).to_have_value(
            "That the minutes of the meeting of 8 December 2026 be approved.")
        _vote(page, "Luis Alvarez", "Tuan Nguyen")
        page.get_by_role("button", name="Record the motion").click()
        expect(page.get_by_role("status")).to_contain_text(
            "Minutes of 8 December 2026 approved: Carried")
        expect(page.locator("strong", has_text="That the minutes of the meeting of 8 December "
                            "2026 be approved.")).to_be_visible()
        # the edit typed in the other tab is refused, with the reason, and kept on screen
        notes = other.get_by_label("General notes (Markdown)")
        notes.fill("A late correction.")
        other.get_by_role("button", name="Save the minutes", exact=True).click()
        expect(other.get_by_text(re.compile(
            "The minutes of this meeting are approved: its notes and decisions can no "
            "longer be changed"))).to_be_visible()
        expect(other.get_by_label("General notes (Markdown)")).to_have_value("A late correction.")
        other.close()
        page.get_by_role("link", name="All meetings of CIT Steering Committee").click()
        expect(page.get_by_role("listitem").filter(has_text="8 December 2026")) \
            .to_contain_text("minutes approved")
        page.get_by_role("link", name="8 December 2026", exact=True).click()
        expect(page.get_by_text(re.compile(r"Approved at the meeting of 12 January 2027"))) \
            .to_be_visible()
        expect(page.get_by_role("link", name="Write the minutes")).to_have_count(0)
        with page.expect_download() as download:
            page.get_by_role("link", name="Download the minutes (.docx)").click()
        document = Document(BytesIO(download.value.path().read_bytes()))
        text = "\n".join(p.text for p in document.paragraphs)
        assert "at the meeting of Tuesday 12 January 2027" in text
        assert "Result: Carried (yes 13, no 0, abstain 1, recused 0)" in text
        screenshot("journey-meeting-cycle-approved")
