"""In the demo county, the CIT chair reaches a run chart by following links from home."""

import re
from collections import deque

from govtrack.demo import DEMO_LOGINS, DEMO_PASSWORD, load_demo

LINK = re.compile(r'href="(/[^"#?]*)')
SKIP = (".docx", ".csv", ".ics", "/logout", ".css", ".js")


def test_the_cit_chair_clicks_through_to_a_run_chart(db, client):
    assert load_demo().ok
    db.session.commit()
    chair = next(d for d in DEMO_LOGINS if d["role"] == "CIT chair")
    client.post("/login", data={"email": chair["email"], "password": DEMO_PASSWORD})
    seen, queue, trail = {"/"}, deque(["/"]), {"/": ["/"]}
    visited = 0
    while queue and visited < 300:
        url = queue.popleft()
        visited += 1
        response = client.get(url, follow_redirects=True)
        page = response.get_data(as_text=True)
        if 'aria-labelledby="chart-m-cit-ed-transports-title' in page:
            assert len(trail[url]) <= 4, trail[url]  # home, committee, outcomes, chart
            return
        for link in LINK.findall(page):
            if link not in seen and not link.endswith(SKIP):
                seen.add(link)
                trail[link] = [*trail[url], link]
                queue.append(link)
    raise AssertionError(f"no run chart reached from home; visited {sorted(seen)}")
