"""The types a feature declares its agenda sources with (a leaf module: it imports no feature).

"Draft the agenda for me" proposes items from live state. Each feature that
knows something a meeting should discuss declares its sources as
`AGENDA_SOURCES = (AgendaSource(...), ...)` in its own `agenda.py`;
meetings.drafting names them all in one ordered tuple.

A source reads what it needs through the `Draft` it is given: rows two
sources both need (the committee's open workgroups and what their health
rules read) are read once per draft and shared.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from govtrack.agencies.models import Person


@dataclass
class Proposed:
    """An item a draft source proposes, with the key that stops it being added twice."""

    source: str
    title: str
    kind: str
    minutes: int
    presenter: Person | None = None
    refs: dict = field(default_factory=dict)
    why: str = ""
    #: column of refs -> the linked record's name, where the source read it: the draft
    #: preview shows those links without reading the records again
    names: dict = field(default_factory=dict)


@dataclass
class Draft:
    """One drafting of a meeting's agenda on a day: what its sources read, read once."""

    #: the meeting whose agenda is drafted
    meeting: object
    #: today: live state is judged on the meeting's day, or on today if later
    day: date
    #: what is on the agenda already, as the sources read it (each item's source, kind and
    #: workgroup_key): the meeting's items, or rows when a page needs no more of them
    items: list | None = None
    _shared: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        if self.items is None:
            self.items = self.meeting.items

    def shared(self, name: str, read: Callable[[], object]):
        """What read() returns, read once per draft under name: the sources that need the
        same rows ask for them by the same name and share them."""
        if name not in self._shared:
            self._shared[name] = read()
        return self._shared[name]


@dataclass(frozen=True)
class AgendaSource:
    """A source of proposed items: propose(draft) -> [Proposed], in bounded queries."""

    #: what the source proposes, in words (shown to chairs and in the docs)
    words: str
    propose: Callable[..., list[Proposed]] = field(compare=False)
