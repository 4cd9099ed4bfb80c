"""The types a feature declares its health rules with (a leaf module: it imports no feature).

A feature lists its rules as plain values in its own `health.py`,
`RULES = (Rule(kind, code, words, since), ...)`, and
`govtrack.health.services` names every feature's rules in one ordered tuple.
A rule's wording lives here, with the rule, once: pages, the report and the
reminders all read it from the Flag.
"""

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date

#: the kinds of record health rules judge
KINDS = ("committee", "workgroup", "mou")


@dataclass(frozen=True)
class Flag:
    """A health rule that holds for a record on the as-of date."""

    code: str
    since: date
    #: the rule's wording for this record (empty for a flag read from a file)
    words: str = field(default="", compare=False)
    #: what clears it, in words (the agenda proposes it with the flag)
    remedy: str = field(default="", compare=False)

    def as_json(self) -> dict:
        """The flag as the county file's health report writes it."""
        return {"code": self.code, "since": self.since.isoformat()}

    def __str__(self) -> str:
        return f"{self.words or self.code} (since {self.since:%-d %B %Y})"


@dataclass(frozen=True)
class Rule:
    """One health rule of DESIGN.md: the code, its plain words, and when it holds.

    since(record, as_of) is the first date of the unbroken run of days, up to
    as_of, on which the rule held, or None when it does not hold on as_of.
    words may name {days}, the threshold that threshold(record) returns.
    """

    kind: str
    code: str
    words: str
    since: Callable[[object, date], date | None] = field(compare=False)
    threshold: Callable[[object], int] | None = field(default=None, compare=False)
    #: what clears the flag, in words: the drafted agenda item says it
    remedy: str = field(default="", compare=False)

    def flag(self, record, as_of: date) -> Flag | None:
        """The flag this rule raises for record on as_of, worded for it; None when healthy."""
        since = self.since(record, as_of)
        if since is None:
            return None
        words = self.words
        if self.threshold is not None:
            words = words.format(days=self.threshold(record))
        return Flag(self.code, since, words, self.remedy)


@dataclass(frozen=True)
class Preloader:
    """What the rules of a kind read for many records at once: a context manager.

    Within load(records, as_of), evaluating these records runs a fixed number
    of queries (the health report and list pages use it).
    """

    kind: str
    load: Callable[[list, date], AbstractContextManager] = field(compare=False)


def run_start(holds: Callable[[date], bool], changes: Iterable[date],
              as_of: date) -> date | None:
    """The first day of the unbroken run of days, reaching as_of, on which holds(day).

    holds may change only on the days in changes, so each stretch from one
    of them to the next is judged by its first day. None when it does not
    hold on as_of.
    """
    if not holds(as_of):
        return None
    since = as_of
    for day in sorted({d for d in changes if d <= as_of}, reverse=True):
        if not holds(day):
            break
        since = day
    return since
