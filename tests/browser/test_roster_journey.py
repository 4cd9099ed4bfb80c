"""Issue 17: a committee's roster imported through the web, by clicking from the home page.

The administrator first adds the people nobody has recorded yet with the people CSV
(UTF-8 with a byte-order mark, commas, as Sheets and LibreOffice write it); then the
demo chair imports her committee's 40-member roster from a semicolon-separated
Windows-1252 CSV, as Excel on a European-locale Windows writes it.
"""

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from govtrack.agencies.models import Person
from govtrack.clock import today
from govtrack.committees.models import Committee, Membership
from govtrack.extensions import db
from tests.browser.conftest import describe_violations

FIRST = ["Renée", "José", "Zoë", "Siobhán", "Chloé", "André", "Noël", "Inés", "Björn", "Léa"]
LAST = ["O’Brien", "Muñoz", "D’Arcy", "Gómez"]
AGENCIES = ["Alder County Sheriff’s Office", "Riverton Police Department",
            "Alder County Court", "Riverside Community Behavioral Health",
            "NAMI Alder County"]
NEW = 30


def _newcomers() -> list[tuple[str, str, str, str]]:
    """(name, e-mail, agency, title) of the people the roster brings to the county."""
    people = []
    for n in range(NEW):
        first, last = FIRST[n % len(FIRST)], LAST[n % len(LAST)]
        email = f"cit.new{n:02d}@alder.example.org"
        people.append((f"{first} {last}", email, AGENCIES[n % len(AGENCIES)],
                       "Crisis-response liaison" if n % 3 else "Peer specialist, “CIT” graduate"))
    return people


def _csv(rows: list[list[str]], delimiter: str) -> str:
    def cell(value: str) -> str:
        if any(c in value for c in f'"{delimiter}\n'):
            return '"' + value.replace('"', '""') + '"'
        return value
    return "\r\n".join(delimiter.join(cell(v) for v in row) for row in rows) + "\r\n"


@pytest.fixture
def roster_files(app, county) -> tuple[bytes, bytes, int]:
    """The people CSV, the chair's roster CSV, and how many seats the roster leaves as they are.

    The roster: ten of the CIT's sitting members (its chair and co-chair left out:
    their seats change only through the hand-over), one of them moving from observer
    to member, and the thirty newcomers, one of them with a title spread over two lines.
    """
    newcomers = _newcomers()
    people = [["Name", "E-mail", "Agency", "Job title"]]
    people += [[name, email, agency, title] for name, email, agency, title in newcomers]
    people[5][3] = "Liaison officer\nNight shift"
    with app.app_context():
        committee = db.session.scalar(select(Committee).where(Committee.key == county.committee))
        day = today()
        sitting = sorted((m for m in committee.memberships
                          if m.holds_on(day) and m.role not in ("chair", "co_chair")),
                         key=lambda m: m.person.name)[:10]
        assert len(sitting) == 10
        members = [["Name", "Email address", "Role", "Agency represented", "Start date"]]
        changed = 0
        for m in sitting:
            role = m.role_label
            if m.role == "observer":
                role, changed = "Member", changed + 1
            members.append([m.person.name, m.person.email.upper(), role, m.agency.name,
                            m.start.isoformat()])
    members += [[name, email, "member" if n % 5 else "Observer", agency if n % 2 else "",
                 "2026-01-13"] for n, (name, email, agency, _) in enumerate(newcomers)]
    assert len(members) == 41
    return (b"\xef\xbb\xbf" + _csv(people, ",").encode("utf-8"),
            _csv(members, ";").encode("cp1252"), 10 - changed)


def _upload(page: Page, name: str, content: bytes) -> None:
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": content}])
    page.get_by_role("button", name="Preview the import").click()


def test_admin_adds_people_then_the_chair_imports_a_40_member_roster(
        page: Page, app, county, log_in, roster_files, axe, screenshot):
    people_csv, roster_csv, unchanged = roster_files
    assert "’".encode("cp1252") in roster_csv and "é".encode("cp1252") in roster_csv

    # the administrator adds the newcomers: Agencies, Import people from CSV
    log_in(county.logins["admin"])
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Agencies").click()
    page.get_by_role("link", name="Import people from CSV").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import people from CSV")
    _upload(page, "county-people.csv", people_csv)
    expect(page.get_by_role("heading", name="Preview of county-people.csv")).to_be_visible()
    expect(page.get_by_text("Read as UTF-8 (with byte-order mark), cells separated by "
                            "commas.")).to_be_visible()
    expect(page.get_by_role("table", name="People to add").get_by_role("row")).to_have_count(
        NEW + 1)
    assert not (violations := axe()), describe_violations(violations)
    page.get_by_role("button", name=f"Import: add {NEW}, change 0").click()
    expect(page.get_by_role("status")).to_contain_text(f"{NEW} people added")
    with app.app_context():
        assert db.session.scalar(select(func.count(Person.id)).where(
            Person.email.like("cit.new%"))) == NEW
    page.get_by_role("button", name="Log out").click()

    # the chair imports the roster: Committees, the CIT, Import members from CSV
    log_in(county.logins["chair"])
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Committees").click()
    page.get_by_role("link", name="CIT Steering Committee").click()
    page.get_by_role("link", name="Import members from CSV").click()
    _upload(page, "cit-roster.csv", roster_csv)
    expect(page.get_by_text("Read as Windows-1252, cells separated by semicolons. Columns "
                            "not imported: Name.")).to_be_visible()
    expect(page.get_by_role("table", name="Members to add").get_by_role("row")).to_have_count(
        NEW + 1)
    expect(page.get_by_role("table", name="Members to add")).to_contain_text("Renée O’Brien")
    expect(page.get_by_role("table", name="Members to change")).to_contain_text(
        re.compile(r"Role:\s*Observer\s*Member"))
    page.get_by_text(f"Already as the file says ({unchanged})").click()
    assert not (violations := axe()), describe_violations(violations)
    screenshot("journey-roster-preview")
    # a double click (Chromium sends it once), then the same form sent again, as a
    # browser's "resend" does: the second confirm stores nothing
    button = page.get_by_role("button", name=f"Import: add {NEW}, change {10 - unchanged}")
    form = button.locator("xpath=ancestor::form")
    sent = {name: form.locator(f'input[name="{name}"]').input_value() for name in (
        "csrf_token", "filename", "encoding", "text", "digest", "fingerprint")}
    action = form.get_attribute("action")
    button.dblclick()
    expect(page).to_have_url(re.compile(f"/committees/{county.committee}$"))
    expect(page.get_by_role("status")).to_contain_text(re.compile(
        f"{NEW} members added, {10 - unchanged} changed, {unchanged} already as the file says"
        "|already recorded; nothing changed"))
    expect(page.get_by_role("table", name=re.compile("Current members"))).to_contain_text(
        "Renée O’Brien")
    screenshot("journey-roster-imported")
    again = page.request.post(action, multipart=sent, max_redirects=0)
    assert again.status == 302, again.text()[:500]
    page.reload()
    expect(page.get_by_role("status")).to_contain_text("already recorded; nothing changed")
    with app.app_context():
        committee = db.session.scalar(select(Committee).where(Committee.key == county.committee))
        seats = db.session.scalar(select(func.count(Membership.id)).join(
            Person, Membership.person_id == Person.id).where(
            Membership.committee_id == committee.id, Person.email.like("cit.new%")))
        assert seats == NEW

    # the same file again: everything is already as it says
    page.get_by_role("link", name="Import members from CSV").click()
    _upload(page, "cit-roster.csv", roster_csv)
    expect(page.get_by_text("There is nothing to import: everything in cit-roster.csv is "
                            "already recorded.")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Import: add"))).to_have_count(0)
