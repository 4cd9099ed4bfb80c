"""Reminders fixtures: test-only kinds, a real SMTP server on loopback, no mail by accident."""

import asyncio
import socket
import threading
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from govtrack.reminders.kinds import Attachment, Due, ReminderKind


@pytest.fixture(autouse=True)
def _postgres_only(request):
    """Skip tests marked postgres_only on the SQLite run."""
    import os

    if request.node.get_closest_marker("postgres_only") and \
            os.environ.get("GOVTRACK_TEST_DB") != "postgresql":
        pytest.skip("needs the PostgreSQL run (GOVTRACK_TEST_DB=postgresql)")


@pytest.fixture(autouse=True)
def _no_real_mail(app, web_app, monkeypatch, tmp_path):
    """No test reaches a real mail server by accident: no MAIL_SERVER unless `smtp` sets one.

    Each test also gets its own instance folder, so .eml files never mix.
    """
    for application in (app, web_app):
        monkeypatch.setitem(application.config, "MAIL_SERVER", "")
        monkeypatch.setitem(application.config, "PUBLIC_URL", "https://govtrack.county.test")
        monkeypatch.setattr(application, "instance_path", str(tmp_path / "instance"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Inbox:
    """What the SMTP server received, parsed."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()
        #: seconds between keeping a message and saying so: a sender killed then has sent
        #: it without knowing, as after a crash in the middle of sending
        self.delay = 0.0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        """Keep the message and its envelope recipients, then (after delay) accept it."""
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), message))
        if self.delay:
            await asyncio.sleep(self.delay)
        return "250 OK"


class SmtpServer:
    """aiosmtpd on a loopback port; stop() and start() again to play a mail server outage."""

    def __init__(self):
        self.port = _free_port()
        self.inbox = _Inbox()
        self.controller = None

    def start(self):
        """Listen (again) on the same port."""
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        """Stop listening: connections are refused."""
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self):
        """The parsed messages received so far."""
        with self.inbox.lock:
            return [message for _, message in self.inbox.messages]

    def to(self, address):
        """The messages whose envelope went to address."""
        with self.inbox.lock:
            return [m for rcpt, m in self.inbox.messages if address in rcpt]


@pytest.fixture
def smtp(app, web_app, monkeypatch):
    """A real SMTP server on loopback that both apps send to."""
    server = SmtpServer()
    server.start()
    for application in (app, web_app):
        monkeypatch.setitem(application.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(application.config, "MAIL_PORT", server.port)
        monkeypatch.setitem(application.config, "MAIL_TIMEOUT_SECONDS", 5)
    yield server
    server.stop()


@pytest.fixture
def kind():
    """A test-only ReminderKind: kind(code, [Due, ...] or a function of now, mandatory=...)."""

    def _kind(code, dues, mandatory=False, words=None):
        def due(now):
            return list(dues(now) if callable(dues) else dues)

        return ReminderKind(code=code, words=words or f"Test reminders {code}", due=due,
                            mandatory=mandatory)

    return _kind


@pytest.fixture
def due():
    """A Due for a person: due(person, kind="action_due", occurrence="7d", ...)."""

    def _due(person, kind="action_due", record="action_item:1", occurrence="7d", **values):
        values.setdefault("subject", f"{kind} {record} {occurrence} for {person.name}")
        values.setdefault("link", f"/actions/{record.split(':')[-1]}")
        return Due(kind=kind, record=record, occurrence=occurrence, person_id=person.id,
                   **values)

    return _due


@pytest.fixture
def attachment():
    """An Attachment of a meeting's agenda or calendar event."""

    def _attachment(meeting, document="agenda.docx"):
        mimetype = ("text/calendar" if document.endswith(".ics") else
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        return Attachment(filename=document, mimetype=mimetype, source=f"meeting:{meeting.id}",
                          document=document)

    return _attachment


@pytest.fixture
def use_kinds(monkeypatch):
    """Make test kinds the features' list, for pages and commands that read it."""
    from govtrack import features

    def _use(*kinds):
        monkeypatch.setattr(features, "REMINDER_KINDS", tuple(kinds))

    return _use


@pytest.fixture
def count_queries(web_app):
    """How many SQL statements a call makes on the web app's engine."""
    from sqlalchemy import event

    from govtrack.extensions import db

    with web_app.app_context():
        engine = db.engine

    def _count(fn) -> int:
        statements = []

        def counter(conn, cursor, statement, *args):
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", counter)
        try:
            fn()
        finally:
            event.remove(engine, "before_cursor_execute", counter)
        return len(statements)

    return _count
