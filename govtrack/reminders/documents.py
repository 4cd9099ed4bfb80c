"""The files a reminder's e-mail can carry, by Attachment.document: built at send time.

Built when the e-mail goes out, not when the reminder is derived, so the
agenda attached is the one in force then. One builder per document, the same
ones the pages use.
"""

from collections.abc import Callable

from govtrack.documents.agenda import agenda_docx
from govtrack.extensions import db
from govtrack.meetings.calendar import meeting_ics
from govtrack.meetings.models import Meeting


class MissingRecord(LookupError):
    """The record an attachment is built from no longer exists."""


def _meeting(source: str) -> Meeting:
    table, _, ident = source.partition(":")
    meeting = db.session.get(Meeting, int(ident)) if table == "meeting" and ident.isdigit() \
        else None
    if meeting is None:
        raise MissingRecord(f"{source} does not exist (any more)")
    return meeting


def _agenda(source: str, public_url: str) -> bytes:
    return agenda_docx(_meeting(source))


def _calendar_event(source: str, public_url: str) -> bytes:
    meeting = _meeting(source)
    return meeting_ics(meeting, f"{public_url}/meetings/{meeting.key}")


#: Attachment.document -> builder(source, public_url) -> bytes
DOCUMENTS: dict[str, Callable[[str, str], bytes]] = {
    "agenda.docx": _agenda,
    "meeting.ics": _calendar_event,
}
