"""Two gunicorn servers (two workers each) on one database behave as one site.

Each server is a real `gunicorn wsgi:app` process configured only through the
environment, as on a county's app hosts: the same DATABASE_URL and SECRET_KEY.
Requests go over real sockets with CSRF on, so what is shared between hosts
is only what lives in the database or is signed with the shared key.
"""

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import gunicorn
import pytest

from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY = "many-hosts-shared-secret"
START_TIMEOUT = 30  # seconds for a server's workers to import the app and answer
ACCESS_LOG_FORMAT = '%(p)s %(s)s "%(r)s"'  # worker pid, status, request line


# gunicorn 27 opens a control socket at one fixed path per user: two masters on
# one machine would fight over it, and these servers do not need it.
_NO_CONTROL_SOCKET = ["--no-control-socket"] if gunicorn.version_info >= (27,) else []


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """One app host: a gunicorn master with its workers, and its log files."""

    name: str
    port: int
    access_log: Path
    error_log: Path
    process: subprocess.Popen | None = None

    workers: int = 2

    def start(self, env: dict) -> None:
        """Start gunicorn as an operator would, from the project root."""
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(self.workers),
             "-b", f"127.0.0.1:{self.port}",
             "--chdir", str(ROOT), "--graceful-timeout", "5",
             "--access-logfile", str(self.access_log), "--access-logformat", ACCESS_LOG_FORMAT,
             "--error-logfile", str(self.error_log), *_NO_CONTROL_SOCKET, "wsgi:app"],
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)

    def wait_until_answering(self, deadline: float) -> None:
        """Poll until the login page answers; fail with the error log if it never does."""
        while True:
            if self.process.poll() is not None:
                pytest.fail(f"server {self.name} exited ({self.process.returncode}):\n"
                            + self.log_tail())
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            try:
                conn.request("GET", "/login")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                pass
            finally:
                conn.close()
            if time.monotonic() > deadline:
                pytest.fail(f"server {self.name} did not answer in {START_TIMEOUT} s:\n"
                            + self.log_tail())
            time.sleep(0.1)

    def terminate(self) -> None:
        """Ask the master to stop its workers and exit (gunicorn's graceful shutdown)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def wait_stopped(self, timeout: float = 10) -> None:
        """Wait for the master to exit; kill it if it hangs."""
        if self.process is None:
            return
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def log_tail(self, lines: int = 40) -> str:
        """The end of the error log, for failure messages."""
        if not self.error_log.exists():
            return "(no error log)"
        return "\n".join(self.error_log.read_text(errors="replace").splitlines()[-lines:])


def _server_env(database_url: str) -> dict:
    """The environment of an app host: the shared database and secret key."""
    env = dict(os.environ)
    # Operators write plain PostgreSQL URLs; create_app picks the psycopg driver itself.
    env["DATABASE_URL"] = database_url.replace("postgresql+psycopg://", "postgresql://", 1)
    env["SECRET_KEY"] = SECRET_KEY
    env.pop("SESSION_COOKIE_SECURE", None)  # plain HTTP on loopback
    return env


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


@dataclass
class Response:
    """What a server answered."""

    status: int
    location: str
    text: str


@dataclass
class Browser:
    """One person's browser: its own cookies, sent to whichever server it asks."""

    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, server: Server, method: str, path: str, form: dict | None = None):
        """Send one request (redirects are not followed) and keep the cookies it sets."""
        headers = {"User-Agent": "govtrack-many-hosts-test"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers)
            raw = conn.getresponse()
            response = Response(raw.status, raw.getheader("Location", ""),
                                raw.read().decode("utf-8", errors="replace"))
            for header in raw.msg.get_all("Set-Cookie") or []:
                self._keep(header)
        finally:
            conn.close()
        assert response.status < 500, (
            f"{method} {path} on {server.name}: {response.status}\n{server.log_tail()}")
        return response

    def _keep(self, header: str) -> None:
        for name, morsel in SimpleCookie(header).items():
            if morsel["max-age"] == "0" or "1970" in morsel["expires"]:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value

    def get(self, server: Server, path: str) -> Response:
        """GET path."""
        return self.request(server, "GET", path)

    def post(self, server: Server, path: str, form: dict, form_page: str | None = None):
        """POST form to path with the CSRF token read from form_page (default: path)."""
        page = self.get(server, form_page or path)
        return self.request(server, "POST", path, {**form, "csrf_token": _token(page.text)})

    def login(self, server: Server, email: str, password: str = PASSWORD) -> Response:
        """Fill in and send the login form."""
        return self.post(server, "/login", {"email": email, "password": password})


def _token(html: str) -> str:
    found = re.search(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"', html)
    assert found, "no csrf_token in the page"
    return found.group(1)


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
