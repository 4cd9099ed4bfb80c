"""The delivery step: claim due e-mails, send them, mark them sent; the one place mail leaves.

A row is claimed (and its claim committed) before its e-mail is sent, and
marked sent after. A sender that dies in between leaves a claim that expires
(REMINDER_CLAIM_SECONDS): the e-mail is then sent again, with the same
Message-ID. A failure keeps the row pending with its attempts and last error,
to be retried with exponential backoff; nothing is ever dropped.
"""

import contextlib
import logging
import os
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import or_, select, update

from govtrack import features
from govtrack.clock import utcnow
from govtrack.extensions import db
from govtrack.notifications.models import FAILED, PENDING, SENT, SKIPPED, Notification
from govtrack.reminders import mail

log = logging.getLogger(__name__)


@dataclass
class DeliveryReport:
    """What one delivery run did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    skipped: int = 0

    def __str__(self) -> str:
        return (f"{self.sent} sent, {self.retrying} to retry, {self.failed} failed, "
                f"{self.skipped} skipped")


class _Transient(Exception):
    """Try again later; broken=True when the server cannot be reached at all."""

    def __init__(self, message: str, broken: bool = False):
        super().__init__(message)
        self.broken = broken


class _Permanent(Exception):
    """Retrying will not help (the recipient is refused): wait for an administrator."""


class SmtpTransport:
    """Sends over SMTP, one connection for a run."""

    def __init__(self, config):
        self.config = config
        self.connection = None

    def _connect(self):
        cfg = self.config
        cls = smtplib.SMTP_SSL if cfg["MAIL_USE_SSL"] else smtplib.SMTP
        connection = cls(cfg["MAIL_SERVER"], cfg["MAIL_PORT"],
                         timeout=cfg["MAIL_TIMEOUT_SECONDS"])
        if cfg["MAIL_USE_TLS"] and not cfg["MAIL_USE_SSL"]:
            connection.starttls()
        if cfg["MAIL_USERNAME"]:
            connection.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
        return connection

    def send(self, message, recipient: str) -> None:
        """Send one message, classifying what went wrong."""
        try:
            if self.connection is None:
                self.connection = self._connect()
            self.connection.send_message(message, self.config["MAIL_FROM"], [recipient])
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            if codes and all(code >= 500 for code in codes):
                raise _Permanent(f"recipient refused: {exc.recipients}") from exc
            raise _Transient(f"recipient deferred: {exc.recipients}") from exc
        except smtplib.SMTPResponseException as exc:
            self.close()
            text = exc.smtp_error.decode(errors="replace") if isinstance(
                exc.smtp_error, bytes) else str(exc.smtp_error)
            raise _Transient(f"SMTP {exc.smtp_code}: {text}",
                             broken=isinstance(exc, smtplib.SMTPAuthenticationError)) from exc
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise _Transient(f"{type(exc).__name__}: {exc}", broken=True) from exc

    def close(self) -> None:
        """Say goodbye to the server if connected."""
        if self.connection is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self.connection.quit()
            self.connection = None


class FileTransport:
    """No MAIL_SERVER: each e-mail becomes an .eml file in the instance folder."""

    def __init__(self, folder: Path):
        self.folder = folder

    def send(self, message, recipient: str) -> None:
        """Write the message atomically (a reader never sees half a file)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / mail.file_name(message["Message-ID"].strip("<>").split("@")[0])
        partial = path.with_suffix(f".{os.getpid()}.part")
        partial.write_bytes(bytes(message))
        partial.replace(path)
        log.info("no MAIL_SERVER: e-mail to %s written to %s", recipient, path)

    def close(self) -> None:
        """Nothing to close."""


def mail_folder(app=None) -> Path:
    """Where e-mails go as files when no mail server is configured."""
    return Path((app or current_app).instance_path) / "mail"


def transport_for(config):
    """SMTP when MAIL_SERVER is set, else .eml files."""
    if config["MAIL_SERVER"]:
        return SmtpTransport(config)
    return FileTransport(mail_folder())


def backoff(attempts: int, config) -> timedelta:
    """How long to wait after the attempts-th failure: doubling, capped."""
    seconds = config["REMINDER_RETRY_SECONDS"] * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, config["REMINDER_RETRY_MAX_SECONDS"]))


def due_for_sending(now: datetime):
    """The conditions of a row whose e-mail a sender may take now."""
    return (Notification.email_status == PENDING, Notification.next_attempt_at <= now,
            or_(Notification.lease_until.is_(None), Notification.lease_until < now))


def claim(limit: int, config, only_ids: list[int] | None = None) -> list[int]:
    """Claim up to limit due e-mails for this sender and commit the claim; their ids.

    On PostgreSQL the rows are first locked with SELECT ... FOR UPDATE SKIP
    LOCKED, so concurrent senders take different rows without waiting (in one
    UPDATE ... WHERE id IN (that SELECT), PostgreSQL may run the subquery
    again per row and claim far more than limit). On SQLite one conditional
    UPDATE is atomic under the database's write lock. Either way the WHERE is
    checked again as rows are updated, so no row is claimed twice while its
    claim runs.
    """
    now = utcnow()
    pick = (select(Notification.id).where(*due_for_sending(now))
            .order_by(Notification.next_attempt_at, Notification.id).limit(limit))
    if only_ids is not None:
        pick = pick.where(Notification.id.in_(only_ids))
    if db.engine.dialect.name == "postgresql":
        chosen = list(db.session.scalars(pick.with_for_update(skip_locked=True)))
        if not chosen:
            db.session.commit()
            return []
        target = Notification.id.in_(chosen)
    else:
        target = Notification.id.in_(pick.scalar_subquery())
    ids = list(db.session.execute(
        update(Notification).where(target, *due_for_sending(now))
        .values(lease_until=now + timedelta(seconds=config["REMINDER_CLAIM_SECONDS"]),
                attempts=Notification.attempts + 1)
        .returning(Notification.id),
        execution_options={"synchronize_session": False}).scalars())
    db.session.commit()
    return sorted(ids)


def _mark(notification_id: int, **values) -> None:
    """Record the outcome of one e-mail in a transaction of its own, and give up the claim."""
    # A write that follows reads in one SQLite transaction fails (SQLITE_BUSY_SNAPSHOT)
    # when another process wrote in between: every write here starts afresh.
    db.session.rollback()
    db.session.execute(update(Notification).where(Notification.id == notification_id)
                       .values(lease_until=None, **values),
                       execution_options={"synchronize_session": False})
    db.session.commit()


def _recipient(row: Notification) -> str | None:
    person = row.person
    return person.email or (person.account.email if person.account is not None else None)


def deliver(config=None, *, batch: int = 10, only_ids: list[int] | None = None,
            max_rows: int | None = None, kinds=None) -> DeliveryReport:
    """Send every due e-mail (or only those of only_ids); commits as it goes.

    A claim must outlast sending its batch (batch x MAIL_TIMEOUT_SECONDS at
    worst, 300 s by default, under REMINDER_CLAIM_SECONDS' 600), or another
    sender could take rows still being sent.
    """
    config = config or current_app.config
    words = {kind.code: kind.words
             for kind in (features.REMINDER_KINDS if kinds is None else kinds)}
    report = DeliveryReport()
    transport = transport_for(config)
    handled = 0
    try:
        while max_rows is None or handled < max_rows:
            ids = claim(batch if max_rows is None else min(batch, max_rows - handled), config,
                        only_ids)
            if not ids:
                break
            handled += len(ids)
            if not _send_claimed(ids, transport, config, words, report):
                break  # the server cannot be reached: the rest waits for its backoff
    finally:
        transport.close()
        db.session.rollback()
    return report


def _send_claimed(ids: list[int], transport, config, words, report: DeliveryReport) -> bool:
    """Send the claimed rows one by one; False if the server could not be reached."""
    for position, notification_id in enumerate(ids):
        row = db.session.get(Notification, notification_id)
        recipient = _recipient(row)
        if not recipient:
            _mark(notification_id, email_status=SKIPPED, last_error="no e-mail address")
            report.skipped += 1
            continue
        try:
            message = mail.build(row, recipient, config, words.get(row.kind))
        except Exception as exc:
            # Failed, not pending: building it again would fail again. It stays in the
            # outbox with the error until an administrator retries it.
            if not isinstance(exc, mail.Unbuildable):
                log.exception("e-mail %s cannot be built", notification_id)
            _mark(notification_id, email_status=FAILED,
                  last_error=(str(exc) if isinstance(exc, mail.Unbuildable)
                              else f"{type(exc).__name__}: {exc}")[:2000])
            report.failed += 1
            continue
        attempts = row.attempts
        db.session.rollback()  # end the read transaction before talking to the server
        try:
            transport.send(message, recipient)
        except _Permanent as exc:
            _mark(notification_id, email_status=FAILED, last_error=str(exc)[:2000])
            report.failed += 1
            continue
        except _Transient as exc:
            retry_at = utcnow() + backoff(attempts, config)
            _mark(notification_id, last_error=str(exc)[:2000], next_attempt_at=retry_at)
            report.retrying += 1
            log.warning("e-mail %s not sent (attempt %s): %s", notification_id, attempts, exc)
            if exc.broken:
                # Give back the rest of the batch at once: each counts an attempt.
                for other in ids[position + 1:]:
                    _mark(other, last_error=str(exc)[:2000], next_attempt_at=retry_at)
                    report.retrying += 1
                return False
            continue
        _mark(notification_id, email_status=SENT, sent_at=utcnow(), last_error="",
              message_id=message["Message-ID"])
        report.sent += 1
    return True
