"""The types a feature uses to declare its reminder kinds (a leaf module: it imports no feature).

A feature lists its kinds as plain values, `REMINDERS = (ReminderKind(...), ...)`
in its own `reminders.py`; `govtrack.features.REMINDER_KINDS` names them all in
one ordered tuple, and the sweep reads only that tuple.
"""

from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Attachment:
    """A file sent with a reminder's e-mail, built when the e-mail is sent."""

    filename: str
    mimetype: str
    #: the record the file is built from, as "table:id" (say "meeting:12")
    source: str
    #: which document: "agenda.docx", "meeting.ics", ...
    document: str


@dataclass(frozen=True)
class Due:
    """One reminder that is due for one person, derived from live state.

    (kind, record, occurrence, person_id) is the natural idempotency key: the
    same reminder derived again by another sweep is the same row.
    """

    kind: str
    #: what it is about, as "table:id" ("meeting:12", "action_item:7")
    record: str
    #: which occurrence: a threshold ("7d"), a week ("2026-W48"), a version ("v3")
    occurrence: str
    person_id: int
    subject: str
    body: str = ""
    #: a path inside govtrack (no host: the sweep runs outside any request)
    link: str = ""
    committee_id: int | None = None
    attachments: tuple[Attachment, ...] = ()

    @property
    def key(self) -> str:
        """The outbox key: dot-atom characters only, so it can be a Message-ID's left part."""
        raw = f"{self.kind}.{self.record}.{self.occurrence}.{self.person_id}"
        return "".join(c if c.isalnum() or c in "-_." else "-" for c in raw)[:200]


@dataclass(frozen=True)
class ReminderKind:
    """A kind of reminder a feature sends: what it is called and what makes it due.

    due(now) returns every reminder of this kind due at the instant now (aware,
    UTC), read from live state in a bounded number of queries (not one per
    record). mandatory kinds (signature requests, chair vacancy) cannot be
    switched off in a person's preferences.
    """

    code: str
    #: how a person's preferences page names it
    words: str
    due: Callable[[datetime], Iterable[Due]] = field(compare=False)
    mandatory: bool = False


#: what the kinds of one sweep have read so far, by key (None outside shared_reads())
_shared: ContextVar[dict | None] = ContextVar("reminder_shared_reads", default=None)


@contextmanager
def shared_reads() -> Iterator[None]:
    """Within this block (one sweep's derivation) kinds that read the same rows read them once.

    Two kinds asking read_once for the same key get the rows the first one read:
    action_overdue and action_overdue_rollup read the same overdue items.
    """
    token = _shared.set({})
    try:
        yield
    finally:
        _shared.reset(token)


def forget_shared_reads() -> None:
    """Drop what was read so far (a kind failed and the transaction was rolled back)."""
    memo = _shared.get()
    if memo is not None:
        memo.clear()


def read_once(key: Hashable, read: Callable[[], T]) -> T:
    """read(); within shared_reads(), what an earlier read under the same key returned.

    The value is shared: whoever gets it must not change it.
    """
    memo = _shared.get()
    if memo is None:
        return read()
    if key not in memo:
        memo[key] = read()
    return memo[key]
