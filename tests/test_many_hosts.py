"""Two gunicorn servers (two workers each) on one database behave as one site.

Each server is a real `gunicorn wsgi:app` process configured only through the
environment, as on a county's app hosts: the same DATABASE_URL and SECRET_KEY.
Requests go over real sockets with CSRF on, so what is shared between hosts
is only what lives in the database or is signed with the shared key.
"""

import time
from urllib.parse import urlsplit

import pytest

from tests.servers import (
    START_TIMEOUT,
    Browser,
    Response,
    Server,
    _free_port,
    _server_env,
)


@pytest.fixture(scope="module")
def servers(app, database_url, tmp_path_factory):
    """Servers A and B, answering; stopped at the end of the module.

    Depends on `app`, which creates the tables (the SQLite file, or the
    schema in the throwaway PostgreSQL) before the servers start.
    """
    logs = tmp_path_factory.mktemp("gunicorn")
    pair = {name: Server(name, _free_port(), logs / f"{name}-access.log",
                         logs / f"{name}-error.log") for name in ("A", "B")}
    env = _server_env(database_url)
    try:
        for server in pair.values():
            server.start(env)
        deadline = time.monotonic() + START_TIMEOUT
        for server in pair.values():
            server.wait_until_answering(deadline)
        yield pair
    finally:
        for server in pair.values():  # both at once: each takes a second or two
            server.terminate()
        for server in pair.values():
            server.wait_stopped()








def _to_login(response: Response) -> bool:
    return response.status == 302 and urlsplit(response.location).path == "/login"


def test_a_login_on_one_server_is_valid_on_the_other(servers, make):
    a, b = servers["A"], servers["B"]
    email = make.account().email
    browser = Browser()

    response = browser.login(a, email)

    assert response.status == 302 and urlsplit(response.location).path == "/my-work"
    assert browser.get(b, "/my-work").status == 200
    assert browser.get(a, "/my-work").status == 200


def test_a_logout_on_one_server_ends_the_session_on_both(servers, make):
    a, b = servers["A"], servers["B"]
    email = make.account().email
    browser = Browser()
    browser.login(a, email)
    copied = Browser(dict(browser.cookies))  # the cookie as an eavesdropper would keep it

    response = browser.post(b, "/logout", {}, form_page="/my-work")

    assert _to_login(response)
    assert _to_login(copied.get(a, "/my-work"))
    assert _to_login(copied.get(b, "/my-work"))
    assert _to_login(browser.get(a, "/my-work"))


def test_the_login_limit_counts_across_servers_and_workers(servers, make):
    a, b = servers["A"], servers["B"]
    email = make.account().email
    browser = Browser()

    for server in (a, a, a, b, b):  # five failures: the per-account limit
        response = browser.login(server, email, "not-the-password-at-all")
        assert response.status == 200
        assert "is not right" in response.text

    for server in (a, b):
        response = browser.login(server, email)
        assert response.status == 429
        assert "Too many failed attempts" in response.text
    assert _to_login(browser.get(a, "/my-work"))


def test_no_request_failed_with_a_server_error(servers):
    """Every request either server's workers answered in this module, from their logs."""
    for server in servers.values():
        lines = server.access_log.read_text().splitlines()
        assert lines, f"server {server.name} logged no requests"
        failed = [line for line in lines if line.split()[1].startswith("5")]
        assert not failed, f"server {server.name}: {failed}"
        assert "Traceback" not in server.error_log.read_text(), server.log_tail()
