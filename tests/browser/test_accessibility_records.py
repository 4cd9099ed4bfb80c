"""axe on the pages of one record each: a meeting, a workgroup, an MOU, a measure, a PDSA cycle.

The demo county has no MOU or measure yet, so these pages are audited on
records made for the test, as the permission matrix makes them.
"""

from datetime import UTC, datetime, timedelta

from govtrack.extensions import db
from tests.browser.axe import assert_no_blocking
from tests.factories import PASSWORD
from tests.mous.factories import make_mou
from tests.pdsa.records import matrix_records


def _records(app, make):
    with app.app_context():
        cast = make.cast()
        mou = make_mou(cast)
        keys = matrix_records(cast)
        draft = make.meeting(cast["committee"], starts_at=datetime.now(UTC) + timedelta(days=20),
                             published=False)
        db.session.commit()
        goal = cast["workgroup"].goals[0]
        return {"committee": cast["committee"].key, "meeting": cast["meeting"].key,
                "draft": draft.key,
                "workgroup": cast["workgroup"].key, "goal": goal.key, "mou": mou.key,
                "measure": keys["/measures/"], "cycle": keys["/pdsa/"],
                "admin": cast["admin"].email, "head": cast["head"].email,
                "head_agency": cast["head"].person.agency.key}


def test_record_pages_pass_axe(app, make, page, axe, log_in):
    keys = _records(app, make)
    log_in(keys["admin"], PASSWORD)
    paths = [
        "/meetings/{meeting}", "/meetings/{meeting}/attendance", "/meetings/{meeting}/minutes",
        "/meetings/{draft}/agenda/draft",
        "/workgroups/{workgroup}", "/goals/{goal}/ramp", "/goals/{goal}/pdsa/new",
        "/committees/{committee}/outcomes", "/committees/{committee}/measures/new",
        "/measures/{measure}", "/pdsa/{cycle}", "/mous/", "/mous/new", "/mous/{mou}",
        "/mous/{mou}/certificate",
    ]
    found = {}
    for template in paths:
        path = template.format(**keys)
        response = page.goto(path)
        assert response.status == 200, f"{path} answered {response.status}"
        found[path] = axe()
    assert_no_blocking(found)


def test_signing_page_passes_axe(app, make, page, axe, log_in):
    keys = _records(app, make)
    log_in(keys["head"], PASSWORD)
    found = {}
    # the head was asked to sign: the inbox and My work show the notice
    for path in ("/mous/mine", f"/mous/{keys['mou']}", f"/mous/{keys['mou']}/sign", "/inbox",
                 "/my-work", f"/agencies/{keys['head_agency']}/signatories"):
        response = page.goto(path)
        assert response.status == 200, f"{path} answered {response.status}"
        found[path] = axe()
    assert_no_blocking(found)
