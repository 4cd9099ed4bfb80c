"""Health flags for committees, workgroups and MOUs, as of a date.

Every page, reminder and `flask govtrack health` asks this module, so a flag
means the same everywhere. Each feature registers its rules (see DESIGN.md,
"Health rules") with `rule(kind)`; a rule takes the record and the as-of date
and returns the flags that hold, each with the date since which it holds.
"""

from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy import select

from govtrack.committees.models import Committee, members_loading
from govtrack.extensions import db


@dataclass(frozen=True)
class Flag:
    """A health rule that holds for a record on the as-of date."""

    code: str
    since: date

    def as_json(self) -> dict:
        """The flag as the county file's health report writes it."""
        return {"code": self.code, "since": self.since.isoformat()}


Rule = Callable[[object, date], list[Flag]]
RULES: dict[str, list[Rule]] = {"committee": [], "workgroup": [], "mou": []}


def rule(kind: str):
    """Register a health rule for committees, workgroups or MOUs."""

    def register(fn: Rule) -> Rule:
        RULES[kind].append(fn)
        return fn

    return register


#: context managers, by kind, within which the rules read what they need for
#: many records at once: preloader(records, as_of)
Preloader = Callable[[list, date], AbstractContextManager]
PRELOADERS: dict[str, list[Preloader]] = {"committee": [], "workgroup": [], "mou": []}


def preloader(kind: str):
    """Register a preloader of what the rules of kind read (see preloaded)."""

    def register(fn: Preloader) -> Preloader:
        PRELOADERS[kind].append(fn)
        return fn

    return register


@contextmanager
def preloaded(kind: str, records: Iterable, as_of: date) -> Iterator[None]:
    """Within this block, flags_for(kind, ...) of these records runs a fixed number of queries."""
    records = list(records)
    with ExitStack() as stack:
        for fn in PRELOADERS[kind]:
            stack.enter_context(fn(records, as_of))
        yield


def flags_for(kind: str, record, as_of: date) -> list[Flag]:
    """Every flag that holds for record on as_of, by code."""
    with preloaded(kind, [record], as_of):
        found = [flag for fn in RULES[kind] for flag in fn(record, as_of)]
    return sorted(found, key=lambda f: f.code)


def report(as_of: date) -> dict:
    """The health report of county-format.md: every committee, workgroup and MOU.

    Workgroups are the open ones (not closed on or before as_of), by key.
    """
    from govtrack.chairs.models import chair_loading
    from govtrack.mous.health import report_mous
    from govtrack.workgroups.health import open_workgroups

    committees = list(db.session.scalars(
        select(Committee).order_by(Committee.key).options(
            *members_loading(many=True), *chair_loading(many=True))))
    workgroups = open_workgroups(committees, as_of)
    with preloaded("committee", committees, as_of), preloaded(
            "workgroup", [wg for wgs in workgroups.values() for wg in wgs], as_of):
        return {
            "as_of": as_of.isoformat(),
            "committees": [
                {"key": c.key,
                 "flags": [f.as_json() for f in flags_for("committee", c, as_of)],
                 "workgroups": [_workgroup_health(wg, as_of) for wg in workgroups[c.id]]}
                for c in committees],
            "mous": report_mous(as_of),
        }


def _workgroup_health(workgroup, as_of: date) -> dict:
    flags = flags_for("workgroup", workgroup, as_of)
    return {"key": workgroup.key, "stalled": bool(flags),
            "flags": [f.as_json() for f in flags]}


__all__ = ["Flag", "RULES", "asdict", "flags_for", "preloaded", "preloader", "report", "rule"]


# Each feature's rules register themselves on import; this is the list of them.
from govtrack.chairs import health as _chairs  # noqa: E402,F401
from govtrack.meetings import health as _meetings  # noqa: E402,F401
from govtrack.mous import health as _mous  # noqa: E402,F401
from govtrack.pdsa import health as _pdsa  # noqa: E402,F401
from govtrack.workgroups import health as _workgroups  # noqa: E402,F401
