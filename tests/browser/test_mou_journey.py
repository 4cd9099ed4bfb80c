"""Journey 3: the demo agency head signs the MOU awaiting her signature from My work.

The demo county has the pre-arraignment referral MOU out for signature with two
of its three signatures; the Public Defender's is missing. Her signature
executes it, and she lands on the certificate of completion. The screenshot of
that page is saved under test-results/screenshots/.
"""

import re

from playwright.sync_api import Page, expect

from govtrack.demo import DEMO_PASSWORD

PENDING = "Pre-arraignment mental health referral"


def test_agency_head_signs_the_pending_mou_and_sees_the_certificate(page: Page, county, log_in,
                                                                     screenshot):
    log_in(county.logins["head"])
    page.goto("/my-work")
    awaiting = page.get_by_role("region", name="MOUs awaiting my signature")
    expect(awaiting).to_contain_text("for Alder County Public Defender")
    awaiting.get_by_role("link", name=PENDING).click()
    expect(page.get_by_role("heading", name=f"Sign {PENDING}")).to_be_visible()
    expect(page.get_by_text("I sign this MOU on behalf of Alder County Public Defender."))\
        .to_be_visible()
    consent = page.get_by_label("I consent to sign electronically")
    # USWDS draws the box on the label and hides the input: tick it as a user does.
    page.get_by_text("I consent to sign electronically", exact=True).click()
    expect(consent).to_be_checked()
    page.get_by_label("Your full name").fill("Grace Okafor")
    page.get_by_label("Your title").fill("Public Defender")
    page.get_by_label("Your password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign", exact=True).click()
    expect(page).to_have_url(re.compile(r"/mous/mou-pretrial-referral/certificate$"))
    expect(page.get_by_role("heading", name="Certificate of completion")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Executed, executed \d{4}-"))).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Signing record verified"))\
        .to_be_visible()
    record = page.get_by_role("table", name="Signing record (hash chain)")
    expect(record.get_by_role("row")).to_have_count(4)  # header and three signatures
    expect(record).to_contain_text("Grace Okafor, Public Defender")
    expect(record).to_contain_text("Authenticated by password")
    screenshot("journey-3-mou-certificate")
    page.goto("/my-work")
    expect(page.get_by_role("region", name="MOUs awaiting my signature")).to_have_count(0)
