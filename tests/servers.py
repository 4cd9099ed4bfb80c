"""Real gunicorn servers on loopback and a small cookie-keeping browser, for multi-host tests."""

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
from urllib.parse import urlencode

import gunicorn
import pytest

from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parent.parent


SECRET_KEY = "many-hosts-shared-secret"


ACCESS_LOG_FORMAT = '%(p)s %(s)s "%(r)s"'  # worker pid, status, request line


# gunicorn 27 opens a control socket at one fixed path per user: two masters on
# one machine would fight over it, and these servers do not need it.
_NO_CONTROL_SOCKET = ["--no-control-socket"] if gunicorn.version_info >= (27,) else []


START_TIMEOUT = 30  # seconds for a server's workers to import the app and answer


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _token(html: str) -> str:
    found = re.search(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"', html)
    assert found, "no csrf_token in the page"
    return found.group(1)


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
