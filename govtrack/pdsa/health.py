"""The PDSA health rule (DESIGN.md, "Health rules"): `pdsa_stuck`.

A cycle that is not closed has been in its phase for 60 days or more, or is
in Do 14 days or more past its study date. Readings, as in workgroups.health:
only what happened up to D counts, so a cycle's phase on a day is the one its
phase history had reached by then (a cycle closed after D was open on D, a
cycle planned after D did not exist); `since` is the first day of the unbroken
run of days, reaching D, on which some cycle of the workgroup was stuck (for
one cycle stuck in one phase: the earlier of phase since + 60 days and study
date + 14 days).

The cycles of the workgroups judged together are read once, in one query
(two with their phase histories), within health.services.preloaded.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, timedelta
from functools import cache

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload, selectinload

from govtrack.extensions import db
from govtrack.health.rules import Preloader, Rule, run_start
from govtrack.pdsa.models import PdsaCycle
from govtrack.workgroups.models import Goal, Workgroup, open_on

#: days in one phase that make a cycle stuck
PHASE_DAYS = 60
#: days in Do past the study date that make a cycle stuck
STUDY_LATE_DAYS = 14


@cache
def _cycles_query(single: bool):
    """The cycles (with their phase histories) of one workgroup (bound "workgroup_id") or
    of the committees' workgroups (bound "committee_ids"), built once: SQLAlchemy keys its
    compiled-SQL cache by the statement, and working that key out for a fresh one with
    loader options costs about a millisecond (see meetings.views._meeting_query)."""
    query = select(PdsaCycle, Goal.workgroup_id).join(Goal, PdsaCycle.goal_id == Goal.id)
    if single:
        # a workgroup's few cycles: their histories joined, one query rather than two
        return query.where(Goal.workgroup_id == bindparam("workgroup_id")).options(
            joinedload(PdsaCycle.phase_history))
    query = query.options(selectinload(PdsaCycle.phase_history))
    # by committee, not by a list of ids that grows with the county
    return query.join(Workgroup, Workgroup.id == Goal.workgroup_id).where(
        Workgroup.committee_id.in_(bindparam("committee_ids", expanding=True)))


class _Cycles:
    """The PDSA cycles of some workgroups, with their phase histories, loaded once."""

    def __init__(self, workgroups: Iterable[Workgroup], as_of: date,
                 by_committee: bool = False):
        self.as_of = as_of
        self.workgroups = {wg.id: wg for wg in workgroups}
        #: read the cycles under every workgroup of their committees, even for one workgroup
        self.by_committee = by_committee
        self._by_workgroup: dict[int, list[PdsaCycle]] | None = None

    def covers(self, workgroups: Iterable[Workgroup], as_of: date) -> bool:
        """Whether these workgroups' cycles are loaded here."""
        return as_of == self.as_of and all(
            self.workgroups.get(wg.id) is wg for wg in workgroups)

    def of(self, workgroup: Workgroup) -> list[PdsaCycle]:
        """The cycles under the workgroup's goals."""
        return self._read().get(workgroup.id, [])

    def _read(self) -> dict[int, list[PdsaCycle]]:
        if self._by_workgroup is None:
            ids = [i for i in self.workgroups if i is not None]
            single = len(ids) == 1 and not self.by_committee
            if single:
                params = {"workgroup_id": ids[0]}
            else:
                params = {"committee_ids": sorted(
                    {wg.committee_id for wg in self.workgroups.values()})}
            self._by_workgroup = {}
            if ids:
                for cycle, workgroup_id in db.session.execute(
                        _cycles_query(single), params).unique():
                    self._by_workgroup.setdefault(workgroup_id, []).append(cycle)
        return self._by_workgroup


_cycles: ContextVar[_Cycles | None] = ContextVar("pdsa_health_cycles", default=None)


@contextmanager
def preloaded(workgroups: Iterable[Workgroup], as_of: date,
              by_committee: bool = False) -> Iterator[None]:
    """Within this block the cycles of all these workgroups are read at once.

    by_committee: with those of every other workgroup of their committees, open or closed
    (see committees_cycles).
    """
    workgroups = list(workgroups)
    current = _cycles.get()
    if current is not None and current.covers(workgroups, as_of):
        yield
        return
    token = _cycles.set(_Cycles(workgroups, as_of, by_committee))
    try:
        yield
    finally:
        _cycles.reset(token)


def committees_cycles() -> list[PdsaCycle] | None:
    """Within preloaded(..., by_committee=True) of some workgroups, the cycles under every
    workgroup of their committees, open or closed, read once for the rules and this (the
    agenda draft finds its cycles due for Study among them); else None."""
    current = _cycles.get()
    if current is None or not current.by_committee or not current.workgroups:
        return None
    return [cycle for cycles in current._read().values() for cycle in cycles]


def cycles_of(workgroup: Workgroup, as_of: date) -> list[PdsaCycle]:
    """The workgroup's cycles, from the preloaded ones when they cover it."""
    current = _cycles.get()
    # not current.covers([workgroup], as_of), spelt out: two rules of every workgroup ask
    if (current is None or current.as_of != as_of
            or current.workgroups.get(workgroup.id) is not workgroup):
        current = _Cycles([workgroup], as_of)
    return current.of(workgroup)


def phase_change_days(workgroup: Workgroup, as_of: date) -> list[date]:
    """The dates of the phase changes of its cycles, up to as_of (activity for no_update)."""
    return [c.since for cycle in cycles_of(workgroup, as_of) for c in cycle.phase_history
            if c.since <= as_of]


def phase_on(cycle: PdsaCycle, day: date) -> tuple[str, date] | None:
    """(phase, since) the cycle was in on day; None before it was planned."""
    reached = [c for c in cycle.phase_history if c.since <= day]
    if not reached:
        return None
    last = reached[-1]  # phase_history is ordered by (since, id)
    return last.phase, last.since


def stuck_on(cycle: PdsaCycle, day: date, phase_days: int = PHASE_DAYS,
             late_days: int = STUDY_LATE_DAYS) -> bool:
    """Whether the cycle was stuck on day (with the committee's thresholds)."""
    state = phase_on(cycle, day)
    if state is None or state[0] == "closed":
        return False
    phase, since = state
    if day >= since + timedelta(days=phase_days):
        return True
    return (phase == "do" and cycle.study_due is not None
            and day >= cycle.study_due + timedelta(days=late_days))


def pdsa_stuck(workgroup: Workgroup, as_of: date) -> date | None:
    """A cycle not closed has been in its phase 60 days, or in Do 14 days past its study date."""
    if not open_on(workgroup, as_of):
        return None
    cycles = cycles_of(workgroup, as_of)
    if not cycles:
        return None
    # the committee's thresholds (DESIGN.md's 60 and 14 days unless it changed them)
    phase_days = workgroup.committee.threshold("pdsa_phase_days")
    late_days = workgroup.committee.threshold("pdsa_study_late_days")
    # stuck_on changes only on these days: a phase change, phase_days after one,
    # late_days after a study date
    changes = []
    for cycle in cycles:
        for change in cycle.phase_history:
            changes += [change.since, change.since + timedelta(days=phase_days)]
        if cycle.study_due is not None:
            changes.append(cycle.study_due + timedelta(days=late_days))
    since = run_start(lambda day: any(stuck_on(c, day, phase_days, late_days)
                                      for c in cycles), changes, as_of)
    return since


PRELOADERS = (Preloader("workgroup", preloaded),)

RULES = (Rule("workgroup", "pdsa_stuck", "A PDSA cycle is stuck in one phase", pdsa_stuck,
              remedy="record the cycle's next phase, or close it"),)
