"""The types a feature declares its agenda sources with (a leaf module: it imports no feature).

"Draft the agenda for me" proposes items from live state. Each feature that
knows something a meeting should discuss declares its sources as
`AGENDA_SOURCES = (AgendaSource(...), ...)` in its own `agenda.py`;
meetings.drafting names them all in one ordered tuple.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

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


@dataclass(frozen=True)
class AgendaSource:
    """A source of proposed items: propose(meeting, day) -> [Proposed], in bounded queries."""

    #: what the source proposes, in words (shown to chairs and in the docs)
    words: str
    propose: Callable[..., list[Proposed]] = field(compare=False)
