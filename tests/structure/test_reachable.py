"""Every page of the app is reachable by a link: follow every link from home as each role.

A page no link reaches is unfinished work (STYLE.md, "Done is usable"),
whatever its unit tests say. Token feeds are reached from a calendar
program, not a link, and stay out.
"""

import re
from collections import deque

from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from tests.permission_matrix import ROLES, cast_with_coordinator

LINK = re.compile(r'href="(/[^"#]*)"')
#: pages reached otherwise than by a link in the app
NOT_LINKED = {"/calendar/<token>.ics"}
#: a bound on the pages one role visits (a list can page for ever)
MAX_PAGES = 600


def _records(cast, make):
    """One of each record the app's pages show, around the cast's committee."""
    from datetime import UTC, datetime, timedelta

    from govtrack.actions.models import ActionItem
    from govtrack.chairs.models import ChairTerm
    from govtrack.clock import today
    from govtrack.extensions import db
    from govtrack.health import snapshot
    from tests.meetings.records import approval_item
    from tests.mous.factories import make_authorisation, make_mou
    from tests.notifications.factories import make_notification
    from tests.pdsa.records import matrix_records

    matrix_records(cast)
    approval_item(cast)  # the coming meeting approves an earlier one's minutes by a vote
    make_authorisation(cast, make_mou(cast))
    make_notification(cast["member"].person)
    committee, chair = cast["committee"], cast["chair"].person
    # a sitting chair (the "chair is leaving" page), a held meeting (its minutes),
    # more overdue work of one agency than the dashboard names (its paged list)
    db.session.add(ChairTerm(committee=committee, person=chair, agency=chair.agency,
                             start=today() - timedelta(days=30),
                             planned_end=today() + timedelta(days=300)))
    held = make.meeting(committee, starts_at=datetime.now(UTC) - timedelta(days=40),
                        status="held")
    # minutes approved (their amendment page) and an action item minuted (its edit page)
    approved = make.meeting(committee, starts_at=datetime.now(UTC) - timedelta(days=70),
                            status="held")
    approved.minutes_approved_at = datetime.now(UTC) - timedelta(days=39)
    # a coming meeting whose agenda is still a draft (its drafting page)
    make.meeting(committee, starts_at=datetime.now(UTC) + timedelta(days=20), published=False)
    db.session.add(ActionItem(key="minuted-1", committee=committee, title="Minuted",
                              owner=cast["member"].person, meeting_id=held.id,
                              due=today() + timedelta(days=10)))
    for n in range(5):
        db.session.add(ActionItem(key=f"late-{n}", committee=committee, title=f"Late {n}",
                                  owner=cast["member"].person,
                                  due=today() - timedelta(days=n + 1)))
    db.session.commit()
    snapshot.take()  # the county view's health, as the scheduler writes it after a sweep


def _crawl(app, client, adapter):
    """The URL rules of every page reached from home by links, and what was not found."""
    seen, queue, rules = {"/"}, deque(["/"]), set()
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        response = client.get(url)
        path = url.split("?")[0]
        try:
            rule, _ = adapter.match(path, method="GET", return_rule=True)
        except (HTTPException, RequestRedirect):
            continue
        if path == "/":
            rules.add("/")  # home: it sends each person to their work
        if response.status_code in (301, 302, 303):
            target = response.headers["Location"].replace("http://localhost", "")
            if target.startswith("/") and target not in seen:
                seen.add(target)
                queue.append(target)
            continue
        if response.status_code != 200:
            continue
        rules.add(rule.rule)
        if not response.mimetype.startswith("text/html"):
            continue
        for link in LINK.findall(response.get_data(as_text=True)):
            link = link.replace("&amp;", "&")
            if link.startswith("/static/") or link in seen:
                continue
            seen.add(link)
            queue.append(link)
    return rules


def test_every_page_is_reachable_by_a_link(web_app, make):
    cast = cast_with_coordinator(make)
    _records(cast, make)
    adapter = web_app.url_map.bind("localhost")
    pages = {rule.rule for rule in web_app.url_map.iter_rules()
             if "GET" in rule.methods and rule.endpoint != "static"} - NOT_LINKED
    reached = set()
    for role in ROLES:
        client = web_app.test_client()
        if cast[role] is not None:
            client.post("/login", data={"email": cast[role].email,
                                        "password": "correct-staple-battery-42"})
        reached |= _crawl(web_app, client, adapter)
    missing = sorted(pages - reached)
    assert not missing, "pages no link reaches: " + ", ".join(missing)
