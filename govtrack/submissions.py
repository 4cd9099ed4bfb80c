"""One-time submission tokens: a form sent twice is saved once (issue 16).

A form that creates a record has no version to tell a repeat from a new
submission: a double click, a browser's re-send or two workers answering the
same post at once used to add two agenda items, two updates, two data points.
Each such form carries a random token from the page that showed it;
`govtrack.forms.save` records the token in the same transaction as the change,
under a unique key, so a repeat finds it (or, in parallel, collides with it)
and changes nothing.
"""

import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import BigInteger, String, delete, inspect, select
from sqlalchemy.orm import Mapped, mapped_column

from govtrack.clock import utcnow
from govtrack.db_types import UTCDateTime
from govtrack.extensions import db

#: what new_token() makes, with room for longer ones; anything else is not a token of ours
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")

#: how long a token is kept: a repeat comes within seconds (a double click, a re-send),
#: so a month is ample; older rows only fill the table
KEEP = timedelta(days=30)

REPEATED = "This was already saved (the form was sent twice); nothing changed."


class FormSubmission(db.Model):
    """A form submission that was saved, named by the one-time token its form carried."""

    __tablename__ = "form_submission"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the record the submission made, so a repeat answers with it (redirects to it)
    record_table: Mapped[str | None] = mapped_column(String(64))
    record_id: Mapped[int | None] = mapped_column(BigInteger)


def new_token() -> str:
    """A fresh token for a form about to be shown."""
    return secrets.token_urlsafe(16)


def is_token(value) -> bool:
    """Whether value has the shape of a token (anything else is refused by the form)."""
    return isinstance(value, str) and TOKEN.fullmatch(value) is not None


def record_submission(token: str, result) -> None:
    """Add the token, and the record result made if it is one, to the change's transaction."""
    table, record_id = None, None
    state = inspect(result, raiseerr=False) if result is not None else None
    if state is not None and getattr(state, "mapper", None) is not None:
        db.session.flush()
        identity = state.identity
        if identity is not None and len(identity) == 1 and isinstance(identity[0], int):
            table, record_id = state.mapper.local_table.name, identity[0]
    db.session.add(FormSubmission(token=token, record_table=table, record_id=record_id))


def first_submission(token: str):
    """What the first submission with token made: its record, True, or None if none was saved."""
    saved = db.session.scalars(select(FormSubmission).where(FormSubmission.token == token)).first()
    if saved is None:
        return None
    if saved.record_table is not None:
        for mapper in db.Model.registry.mappers:
            if mapper.local_table.name == saved.record_table:
                record = db.session.get(mapper.class_, saved.record_id)
                return True if record is None else record
    return True


def prune(now: datetime) -> int:
    """Forget tokens older than KEEP (the scheduler runs it daily); how many went."""
    return db.session.execute(delete(FormSubmission).where(FormSubmission.at < now - KEEP)
                              ).rowcount
