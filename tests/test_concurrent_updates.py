"""Under gunicorn with 4 workers on PostgreSQL, 50 people updating the same actions lose nothing.

Every accepted update is in the update log; every refused one got the clear
"someone else saved" message; no request fails with a 5xx. Runs on the
PostgreSQL pass (CONCURRENCY_SECONDS sets how long; 30 by default).
"""

import os
import re
import threading
import time
from datetime import date

import pytest

from govtrack.actions.models import ActionItem, ActionUpdate
from tests.servers import START_TIMEOUT, Browser, Server, _free_port, _server_env

CLIENTS = 50
SECONDS = float(os.environ.get("CONCURRENCY_SECONDS", "30"))

pytestmark = pytest.mark.skipif(os.environ.get("GOVTRACK_TEST_DB") != "postgresql",
                                reason="the many-workers proof runs on PostgreSQL")


@pytest.fixture(scope="module")
def server(app, database_url, tmp_path_factory):
    """One app host with four workers."""
    logs = tmp_path_factory.mktemp("gunicorn-4")
    host = Server("four", _free_port(), logs / "access.log", logs / "error.log", workers=4)
    host.start(_server_env(database_url))
    try:
        host.wait_until_answering(time.monotonic() + START_TIMEOUT)
        yield host
    finally:
        host.terminate()
        host.wait_stopped()


def _version(html: str, action_id: int) -> str:
    found = re.search(rf'name="a{action_id}-version"[^>]*value="(\d+)"', html) or re.search(
        rf'value="(\d+)"[^>]*name="a{action_id}-version"', html)
    assert found, "no version field for the action on My work"
    return found.group(1)


def test_fifty_people_updating_the_same_actions_lose_no_update(server, make, db):
    cast = make.cast()
    owner = cast["member"]
    actions = [ActionItem(key=f"shared-{n}", committee=cast["committee"], owner=owner.person,
                          title=f"Shared action {n}", due=date(2027, 1, 1)) for n in range(3)]
    db.session.add_all(actions)
    db.session.commit()
    ids = {a.key: a.id for a in actions}
    browsers = [Browser() for _ in range(CLIENTS)]
    for browser in browsers:
        assert browser.login(server, owner.email).status == 302
    accepted, conflicts, other = [], [], []
    lock = threading.Lock()
    stop_at = time.monotonic() + SECONDS

    def work(n: int, browser: Browser) -> None:
        turn = 0
        while time.monotonic() < stop_at:
            key = f"shared-{(n + turn) % 3}"
            action_id = ids[key]
            page = browser.get(server, "/my-work")
            note = f"client {n} update {turn}"
            response = browser.request(server, "POST", f"/actions/{key}/update", {
                "csrf_token": re.search(r'name="csrf_token"[^>]*value="([^"]+)"',
                                        page.text).group(1),
                f"a{action_id}-status": ("open", "in_progress", "blocked")[turn % 3],
                f"a{action_id}-note": note,
                f"a{action_id}-version": _version(page.text, action_id)})
            with lock:
                if response.status == 302:
                    accepted.append(note)
                elif response.status == 400 and "Someone else saved" in response.text:
                    conflicts.append(note)
                else:
                    other.append((note, response.status))
            turn += 1

    threads = [threading.Thread(target=work, args=(n, b)) for n, b in enumerate(browsers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    logged = {u.note for u in db.session.query(ActionUpdate).join(ActionItem).filter(
        ActionItem.key.like("shared-%"))}
    assert other == []
    assert accepted, "no update went through"
    assert set(accepted) == logged, "an accepted update is missing from the log"
    assert not set(conflicts) & logged, "a refused update was stored"
    print(f"{len(accepted)} accepted, {len(conflicts)} refused as conflicts "
          f"in {SECONDS:.0f} s with {CLIENTS} clients")
