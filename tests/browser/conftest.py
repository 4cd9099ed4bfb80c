"""Browser fixtures: a live server on the test database, Debian's Chromium, log-in and axe.

Every test under tests/browser is marked `browser` (see pytest_collection_modifyitems),
so `pytest -m "not browser"` skips them all.
"""

import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from werkzeug.serving import WSGIRequestHandler, make_server

from govtrack import create_app
from govtrack.accounts import services as accounts_services
from govtrack.accounts.models import Account
from govtrack.agencies.models import Agency
from govtrack.committees.models import Committee
from govtrack.demo import DEMO_LOGINS, DEMO_PASSWORD, load_demo
from govtrack.extensions import db

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
AXE_JS = HERE / "vendor" / "axe.min.js"
#: Where the journeys leave a screenshot of each final page for review (git-ignored).
SCREENSHOTS = ROOT / "test-results" / "screenshots"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    """Mark every test in this folder `browser`."""
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright's browser is Debian's Chromium, headless: no browser download."""
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium",
            "headless": True, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def live_app(app, database_url):
    """The application as a browser meets it: CSRF on, same database as the tests.

    The session `app` (CSRF off, for the test client) created the tables and
    empties them after each test; this one shares them, so what a test loads
    through `app` is what the browser sees.
    """
    live = create_app({
        "TESTING": True,
        "SECRET_KEY": "browser-test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": True,
    })
    live.instance_path = app.instance_path
    return live


class _QuietRequestHandler(WSGIRequestHandler):
    """No access log: a failing test's output shows what failed, not every font fetched."""

    def log_request(self, code="-", size="-"):
        """Log nothing (errors are still logged)."""


@pytest.fixture(scope="session")
def live_server(live_app):
    """Serve live_app on a free loopback port in a thread for the whole run."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True,
                         request_handler=_QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        with live_app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def base_url(live_server):
    """pytest-playwright's contexts resolve page.goto("/path") against the live server."""
    return live_server


@dataclass
class County:
    """The demo county as the browser tests meet it: logins and the records pages name."""

    logins: dict  #: kind of user (admin, chair, member, head) -> e-mail address
    committee: str  #: key of the committee the chair chairs and the member sits on
    agency: str  #: key of the agency the head heads
    membership: int  #: id of the member's seat on the committee
    person: str  #: key of a person without an account (the committee's retired chair)
    account: int  #: id of the member's account

    def fill(self, path: str) -> str:
        """A path template with {committee}, {agency}, {membership}, {person}, {account}."""
        return path.format(committee=self.committee, agency=self.agency,
                           membership=self.membership, person=self.person,
                           account=self.account)


#: DEMO_LOGINS' role names, by the kind of user the tests speak of
DEMO_ROLES = {"admin": "Administrator", "chair": "CIT chair", "member": "CIT member",
              "head": "Agency head"}
_hash_password = accounts_services.hash_password


@cache
def _hash_password_once(password: str) -> str:
    """A real Argon2id hash, computed once a run: Argon2 is slow on purpose."""
    return _hash_password(password)


@pytest.fixture
def county(app, monkeypatch):
    """The demo county a newcomer meets after `make run`, loaded as load-demo does.

    Alder County: its committees with their history, its agencies, a retired
    chair, and logins for an administrator, the CIT chair, a CIT member and an
    agency head (who sits on another committee, not the CIT's). Pages are
    audited full of realistic records, and the journey is the one the README
    promises a newcomer.
    """
    monkeypatch.setattr(accounts_services, "hash_password", _hash_password_once)
    with app.app_context():
        report = load_demo()
        assert report.ok, report.problems
        db.session.commit()
        emails = {login["role"]: login["email"] for login in DEMO_LOGINS}
        logins = {who: emails[role] for who, role in DEMO_ROLES.items()}
        member = db.session.scalar(select(Account).where(Account.email == logins["member"]))
        head = db.session.scalar(select(Account).where(Account.email == logins["head"]))
        committee = db.session.scalar(select(Committee).where(Committee.key == "cit"))
        seat = next(m for m in committee.memberships
                    if m.person_id == member.person_id and m.end is None)
        retired = next(m.person for m in committee.memberships
                       if m.role == "chair" and m.end is not None)
        agency = db.session.scalar(select(Agency).where(Agency.head_id == head.person_id))
        return County(logins=logins, committee=committee.key, agency=agency.key,
                      membership=seat.id, person=retired.key, account=member.id)


@pytest.fixture
def log_in(page: Page):
    """Log in through the real form, as a person would: log_in(email) -> the page."""

    def _log_in(email, password=DEMO_PASSWORD):
        page.goto("/login")
        page.get_by_label("E-mail address").fill(email)
        page.get_by_label("Password", exact=True).fill(password)
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("button", name="Log out")).to_be_visible()
        return page

    return _log_in


@pytest.fixture
def axe(page: Page):
    """axe() runs axe-core on the page against WCAG 2.1 A and AA and returns its violations.

    The page keeps the app's real Content-Security-Policy (script-src 'self'),
    which refuses the inline <script> that add_script_tag(path=...) writes.
    bypass_csp would audit a page users never get, and serving the file on a
    routed same-origin URL sends 650 kB through Playwright's pipe on every page.
    An init script is handed to Chromium once per context and evaluated through
    DevTools in every new document before the page's own scripts: the CSP does
    not apply to it, and the page is otherwise untouched.
    """
    page.context.add_init_script(path=str(AXE_JS))

    def _axe(target: Page = page, *, tags=WCAG_21_AA) -> list[dict]:
        return target.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, "
            "resultTypes: ['violations']}).then(r => r.violations)", tags)

    return _axe


def describe_violations(violations: list[dict]) -> str:
    """Violations as a person reads them: rule, impact, help, where, and why."""
    lines = []
    for v in violations:
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:10]:
            lines.append(f"      at {' '.join(node['target'])}")
            lines.append(f"         {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", " / ")
            if summary:
                lines.append(f"         {summary[:400]}")
        if len(v["nodes"]) > 10:
            lines.append(f"      ... and {len(v['nodes']) - 10} more")
    return "\n".join(lines)


@pytest.fixture
def screenshot(page: Page):
    """screenshot(name) saves the whole page under test-results/screenshots/name.png."""

    def _screenshot(name: str, target: Page = page) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        target.screenshot(path=str(path), full_page=True)
        return path

    return _screenshot


def tab_to(page: Page, target, max_presses: int = 80) -> None:
    """Press Tab until target (a locator) has focus, as a keyboard user would.

    Fails if it is never reached (a keyboard trap, or not focusable) or if,
    once focused, nothing shows where the focus is (WCAG 2.4.7, which axe
    cannot check).
    """
    handle = target.element_handle()
    for _ in range(max_presses):
        page.keyboard.press("Tab")
        if handle.evaluate("el => el === document.activeElement"):
            break
    else:
        raise AssertionError(f"{target} never got the focus after {max_presses} Tabs")
    indicator = handle.evaluate(
        "el => { const s = getComputedStyle(el);"
        " return {outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0,"
        " shadow: s.boxShadow !== 'none'}; }")
    assert indicator["outline"] or indicator["shadow"], f"no visible focus on {target}"
