"""Health flags for committees, workgroups and MOUs, as of a date.

Every page, reminder and `flask govtrack health` asks this module, so a flag
means the same everywhere. Each feature declares its rules (DESIGN.md,
"Health rules") and preloaders as plain values in its own `health.py`; RULES
and PRELOADERS below name them, in order. A rule takes the record and the
as-of date and says since when it holds.
"""

import gc
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import date
from typing import NamedTuple

from govtrack.chairs import health as chairs
from govtrack.health.rules import KINDS, Flag, Preloader, Rule
from govtrack.meetings import health as meetings
from govtrack.mous import health as mous
from govtrack.pdsa import health as pdsa
from govtrack.workgroups import health as workgroups

#: every health rule, feature by feature, in the order pages list their flags
RULES: tuple[Rule, ...] = (*chairs.RULES, *meetings.RULES, *workgroups.RULES, *pdsa.RULES,
                           *mous.RULES)

#: what the rules of each kind read for many records at once
PRELOADERS: tuple[Preloader, ...] = (*meetings.PRELOADERS, *workgroups.PRELOADERS,
                                     *pdsa.PRELOADERS)


def rules_of(kind: str) -> tuple[Rule, ...]:
    """The rules that judge records of kind (committee, workgroup, mou)."""
    if kind not in KINDS:
        raise ValueError(f"no health rules for {kind!r}")
    return tuple(r for r in RULES if r.kind == kind)


def words_for(kind: str, code: str) -> str:
    """A flag's plain words, from its rule (a code no rule has reads as itself)."""
    return next((r.words for r in rules_of(kind) if r.code == code), code)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Within this block Python's cyclic garbage collector does not run.

    Reading a county's health creates a few hundred thousand short-lived rows
    and tuples, hardly any of them in cycles, yet each batch of allocations set off
    a collection that walked every object alive: about a third of
    workgroup_stalled's time. Reference counting still frees them; anything
    cyclic left over is collected after the block. Nested blocks leave the
    collector as the outermost found it.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def preloaded(kind: str, records: Iterable, as_of: date) -> Iterator[None]:
    """Within this block, flags_for(kind, ...) of these records runs a fixed number of queries."""
    records = list(records)
    with ExitStack() as stack:
        stack.enter_context(collector_paused())
        for loader in PRELOADERS:
            if loader.kind == kind:
                stack.enter_context(loader.load(records, as_of))
        yield


def flags_for(kind: str, record, as_of: date) -> list[Flag]:
    """Every flag that holds for record on as_of, worded, by code."""
    with preloaded(kind, [record], as_of):
        found = [flag for r in rules_of(kind) if (flag := r.flag(record, as_of)) is not None]
    return sorted(found, key=lambda f: f.code)


def flags_of_each(kind: str, records: Iterable, as_of: date) -> list[list[Flag]]:
    """flags_for(kind, record, as_of) of each record, in order, within one preloaded block.

    A page judging a committee's workgroups pays the block's set-up (its
    preloaders' checks, the collector paused) once, not once a record.
    """
    records = list(records)
    rules = rules_of(kind)
    with preloaded(kind, records, as_of):
        return [sorted((flag for r in rules if (flag := r.flag(record, as_of)) is not None),
                       key=_code) for record in records]


def _code(flag: Flag) -> str:
    return flag.code


def flags_unless_older(kind: str, record, as_of: date, oldest: date) -> list[Flag] | None:
    """flags_for(kind, record, as_of), or None once a flag holds since before oldest.

    The rules are judged in order and the rest are skipped once one holds
    since before oldest: for a reminder that tells only of records whose
    every flag is newer (workgroup_stalled), a record with an older flag costs
    only the rules up to that one.
    """
    with preloaded(kind, [record], as_of):
        found = []
        for rule in rules_of(kind):
            flag = rule.flag(record, as_of)
            if flag is not None:
                if flag.since < oldest:
                    return None
                found.append(flag)
    return sorted(found, key=lambda f: f.code)


class Judged(NamedTuple):
    """A record with the flags that hold for it; a committee's with its open workgroups'."""

    record: object
    flags: list[Flag]
    workgroups: tuple["Judged", ...] = ()


class CountyHealth(NamedTuple):
    """Every committee (by key) with its open workgroups, and every MOU, judged on as_of."""

    as_of: date
    committees: list[Judged]
    mous: list[Judged]


def judge_county(as_of: date) -> CountyHealth:
    """Every committee, open workgroup and MOU with its flags on as_of (the report's records).

    Workgroups are the open ones (not closed on or before as_of), by key. The
    report writes it as JSON; the health snapshot keeps the flags' words too.
    """
    with collector_paused():
        return _judge_county(as_of)


def report(as_of: date) -> dict:
    """The health report of county-format.md: every committee, workgroup and MOU."""
    county = judge_county(as_of)
    return {
        "as_of": as_of.isoformat(),
        "committees": [
            {"key": c.record.key,
             "flags": [f.as_json() for f in c.flags],
             "workgroups": [{"key": wg.record.key, "stalled": bool(wg.flags),
                             "flags": [f.as_json() for f in wg.flags]}
                            for wg in c.workgroups]}
            for c in county.committees],
        "mous": [{"key": m.record.key, "flags": [f.as_json() for f in m.flags]}
                 for m in county.mous],
    }


def _judge_county(as_of: date) -> CountyHealth:
    # as rows: the rules read a few columns of thousands of memberships and terms
    committees = chairs.committee_records()
    open_workgroups = workgroups.open_workgroups(committees, as_of)
    with preloaded("committee", committees, as_of), preloaded(
            "workgroup", [wg for wgs in open_workgroups.values() for wg in wgs], as_of):
        judged = [Judged(c, flags_for("committee", c, as_of),
                         tuple(Judged(wg, flags_for("workgroup", wg, as_of))
                               for wg in open_workgroups[c.id]))
                  for c in committees]
    records = mous.mou_records()  # as rows: thousands of parties, versions and events
    return CountyHealth(as_of, judged,
                        [Judged(m, flags_for("mou", m, as_of)) for m in records])
