"""Health flags for committees, workgroups and MOUs, as of a date.

Every page, reminder and `flask govtrack health` asks this module, so a flag
means the same everywhere. Each feature registers its rules (see DESIGN.md,
"Health rules") with `rule(kind)`; a rule takes the record and the as-of date
and returns the flags that hold, each with the date since which it holds.
"""

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy import select

from govtrack.committees.models import Committee, roster_loading
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


def flags_for(kind: str, record, as_of: date) -> list[Flag]:
    """Every flag that holds for record on as_of, by code."""
    found = [flag for fn in RULES[kind] for flag in fn(record, as_of)]
    return sorted(found, key=lambda f: f.code)


def report(as_of: date) -> dict:
    """The health report of county-format.md: every committee, workgroup and MOU."""
    committees = db.session.scalars(
        select(Committee).order_by(Committee.key).options(*roster_loading()))
    return {
        "as_of": as_of.isoformat(),
        "committees": [
            {"key": c.key,
             "flags": [f.as_json() for f in flags_for("committee", c, as_of)],
             "workgroups": []}
            for c in committees],
        "mous": [],
    }


__all__ = ["Flag", "RULES", "asdict", "flags_for", "report", "rule"]


# Each feature's rules register themselves on import; this is the list of them.
from govtrack.chairs import health as _chairs  # noqa: E402,F401
