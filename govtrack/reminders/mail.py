"""The e-mail of an outbox row: headers, text, links and attachments.

The Message-ID is derived from the row's key, so an e-mail sent again after
a crash is recognisably the same message (mail clients and servers drop the
repeat).
"""

import re
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from itertools import groupby
from urllib.parse import urlsplit

from sqlalchemy import select

from govtrack.clock import utcnow
from govtrack.committees.models import Committee
from govtrack.extensions import db
from govtrack.notifications.models import DAILY_DIGEST, Notification
from govtrack.reminders.documents import DOCUMENTS, MissingRecord

#: the preferences page, linked from every e-mail
PREFERENCES_PATH = "/account/reminders"


class Unbuildable(Exception):
    """The e-mail cannot be built (say, its meeting was deleted): sending again will not help."""


def _dot_atom(text: str) -> str:
    """text reduced to RFC 5322 dot-atom characters (Python's parser truncates at a colon)."""
    cleaned = re.sub(r"[^A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]", "-", text)
    return re.sub(r"\.{2,}", ".", cleaned).strip(".") or "govtrack"


def message_id(key: str, public_url: str) -> str:
    """The Message-ID of the row with key: `<key@host>`, the host of the public address."""
    host = urlsplit(public_url).hostname or "govtrack"
    return f"<{_dot_atom(key)}@{_dot_atom(host)}>"


def file_name(key: str) -> str:
    """A safe file name for the row's .eml file."""
    return re.sub(r"[^A-Za-z0-9._-]", "-", key).strip(".") + ".eml"


def build(row: Notification, recipient: str, config, kind_words: str | None = None
          ) -> EmailMessage:
    """The e-mail of row to recipient, attachments built now."""
    public_url = config["PUBLIC_URL"].rstrip("/")
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = formataddr((row.person.name, recipient))
    message["Subject"] = row.subject
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = message_id(row.key, public_url)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
    text = _digest_text(row, public_url) if row.kind == DAILY_DIGEST else _notice_text(
        row, public_url)
    about = f"“{kind_words}”" if kind_words else "these e-mails"
    message.set_content(
        f"{text}\n\n-- \ngovtrack. Choose how you get {about}: immediately, in a daily "
        f"digest, or not at all (the inbox keeps every notice):\n{public_url}{PREFERENCES_PATH}\n")
    for spec in row.attachments or ():
        builder = DOCUMENTS.get(spec.get("document", ""))
        if builder is None:
            raise Unbuildable(f"no builder for the document {spec.get('document')!r}")
        try:
            data = builder(spec["source"], public_url)
        except MissingRecord as exc:
            raise Unbuildable(f"attachment {spec.get('filename')}: {exc}") from exc
        maintype, _, subtype = spec.get("mimetype", "application/octet-stream").partition("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype or "octet-stream",
                               filename=spec.get("filename") or spec["document"])
    return message


def _notice_text(row: Notification, public_url: str) -> str:
    parts = [row.subject]
    if row.body:
        parts.append(row.body)
    if row.link:
        parts.append(f"Open it in govtrack: {public_url}{row.link}")
    return "\n\n".join(parts)


def _digest_text(row: Notification, public_url: str) -> str:
    """The day's notices, grouped by committee (notices of no committee last)."""
    items = db.session.execute(
        select(Notification, Committee.name)
        .outerjoin(Committee, Committee.id == Notification.committee_id)
        .where(Notification.digest_id == row.id)
        .order_by(Committee.name.is_(None), Committee.name, Notification.created_at,
                  Notification.id)).all()
    lines = [row.subject, ""]
    for name, group in groupby(items, key=lambda pair: pair[1]):
        lines.append(name or "Other notices")
        lines.append("=" * len(name or "Other notices"))
        for notice, _ in group:
            lines.append(f"- {notice.subject}")
            if notice.link:
                lines.append(f"  {public_url}{notice.link}")
        lines.append("")
    lines.append(f"Your inbox: {public_url}/inbox")
    return "\n".join(lines)
