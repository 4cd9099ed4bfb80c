"""The demo county: a realistic Alder County with its committees, and demo logins.

The county follows the research in shared/seeds (Kamin, Weisman and Lamberti
above all): a CIT steering committee, a Mental Health / Criminal Justice
committee of agency heads, and a grant-funded jail in-reach project, with the
history such committees have: a chair who retired, a chair that rotated
between sides, designees who replaced their heads.
"""

import json
from importlib import resources

from sqlalchemy import select

from govtrack.accounts.models import Account
from govtrack.accounts.services import create_account, set_county_coordinator
from govtrack.agencies.models import Person
from govtrack.county.services import ImportReport, import_county
from govtrack.extensions import db

#: printed by `flask govtrack load-demo`: a demo, never a real county
DEMO_PASSWORD = "govtrack-demo-2026"  # noqa: S105

#: one login per kind of user; "person" is a key in county.json
DEMO_LOGINS = [
    {"role": "Administrator", "person": "p-bauer", "email": "sbauer@omh.example.org"},
    {"role": "CIT chair", "person": "p-kowalski", "email": "mkowalski@sheriff.example.org"},
    {"role": "CIT member", "person": "p-nguyen", "email": "tnguyen@rivertonpd.example.org"},
    {"role": "Agency head", "person": "p-okafor", "email": "gokafor@publicdefender.example.org"},
    {"role": "County coordinator", "person": "p-ward", "email": "rward@omh.example.org"},
    {"role": "Workgroup lead", "person": "p-yates", "email": "byates@alder911.example.org"},
]

#: the DEMO_LOGINS entry that administers
ADMIN_ROLE = "Administrator"
#: the DEMO_LOGINS entry that reads every committee's health, read-only (no seat anywhere)
COORDINATOR_ROLE = "County coordinator"


def demo_county() -> dict:
    """The demo county file."""
    return json.loads(resources.files("govtrack.demo").joinpath("county.json").read_text(
        encoding="utf-8"))


def load_demo() -> ImportReport:
    """Import the demo county and give DEMO_LOGINS accounts; a second run changes nothing.

    Does not commit: the caller commits (or rolls back when the report is not ok).
    """
    report = import_county(demo_county(), actor=None)
    if not report.ok:
        return report
    report.created["accounts"] = report.unchanged["accounts"] = 0
    for login in DEMO_LOGINS:
        person = db.session.scalar(select(Person).where(Person.key == login["person"]))
        taken = db.session.scalar(select(Account.id).where(
            (Account.person_id == person.id) | (Account.email == login["email"])))
        if taken:
            report.unchanged["accounts"] += 1
            continue
        account = create_account(None, person, login["email"], DEMO_PASSWORD,
                                 is_admin=login["role"] == ADMIN_ROLE)
        if login["role"] == COORDINATOR_ROLE:
            set_county_coordinator(None, account, True)
        report.created["accounts"] += 1
    return report
