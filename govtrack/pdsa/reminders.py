"""The PDSA cycles' reminder kinds: a cycle reaches its study date, a cycle is stuck.

Stuck is judged per cycle by the health rule's own test (pdsa.health.stuck_on);
the cycle's owner hears of it once per stuck run, from the day it holds.
"""

from datetime import date, datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import contains_eager, selectinload

from govtrack.committees.models import Committee
from govtrack.extensions import db
from govtrack.pdsa.health import PHASE_DAYS, STUDY_LATE_DAYS, phase_on, stuck_on
from govtrack.pdsa.models import PHASE_NAMES, PdsaCycle
from govtrack.reminders.kinds import Due, ReminderKind
from govtrack.reminders.recipients import LATE_LIMIT, active_people, day_text, local_day
from govtrack.workgroups.models import Goal, Workgroup


def _cycles(now: datetime, *where) -> list[tuple[PdsaCycle, Workgroup, Committee]]:
    """Cycles not closed, of open workgroups, with their phase histories, in two queries."""
    return list(db.session.execute(
        select(PdsaCycle, Workgroup, Committee).join(PdsaCycle.goal)
        .join(Workgroup, Workgroup.id == Goal.workgroup_id)
        .join(Committee, Committee.id == Workgroup.committee_id)
        .where(PdsaCycle.phase != "closed",
               or_(Workgroup.closed_at.is_(None), Workgroup.closed_at > now), *where)
        .options(contains_eager(PdsaCycle.goal), selectinload(PdsaCycle.phase_history))
        .order_by(PdsaCycle.id)).tuples())


def _owner(cycle: PdsaCycle, workgroup: Workgroup) -> int | None:
    """The cycle's owner; the workgroup's lead when it has none."""
    return cycle.owner_id or workgroup.lead_id


def study_due(now: datetime) -> list[Due]:
    """A cycle in Plan or Do reaches its study date: its owner, once per study date.

    Until the cycle is stuck (14 days later), when pdsa_stuck takes over.
    """
    rows = _cycles(now, PdsaCycle.phase.in_(("plan", "do")), PdsaCycle.study_due.is_not(None),
                   PdsaCycle.study_due <= now.date() + timedelta(days=1),
                   PdsaCycle.study_due > now.date() - timedelta(days=STUDY_LATE_DAYS + 1))
    active = active_people((_owner(c, wg) for c, wg, _ in rows), now.date())
    reminders = []
    for cycle, workgroup, committee in rows:
        today = local_day(now, committee.timezone)
        owner = _owner(cycle, workgroup)
        if not 0 <= (today - cycle.study_due).days < STUDY_LATE_DAYS or owner not in active:
            continue
        reminders.append(Due(
            "pdsa_study_due", f"pdsa_cycle:{cycle.id}", f"study-{cycle.study_due.isoformat()}",
            owner, f"PDSA cycle due for Study: {cycle.title}",
            f"“{cycle.title}” ({workgroup.name}, {committee.name}) reaches its study date, "
            f"{day_text(cycle.study_due)}, and is in {PHASE_NAMES[cycle.phase]}. Compare the "
            "results with the predictions and move it to Study.",
            f"/pdsa/{cycle.key}", committee.id))
    return reminders


def stuck_since(cycle: PdsaCycle, day: date) -> date | None:
    """The first day of the run of days, up to day, on which the cycle was stuck; None if not."""
    if not stuck_on(cycle, day):
        return None
    _, since = phase_on(cycle, day)
    starts = [since + timedelta(days=PHASE_DAYS)]
    if cycle.study_due is not None and phase_on(cycle, day)[0] == "do":
        starts.append(max(since, cycle.study_due + timedelta(days=STUDY_LATE_DAYS)))
    return min(s for s in starts if s <= day)


def stuck(now: datetime) -> list[Due]:
    """A cycle stuck in its phase (60 days, or 14 days in Do past its study date): owner, once."""
    rows = _cycles(now)
    active = active_people((_owner(c, wg) for c, wg, _ in rows), now.date())
    reminders = []
    for cycle, workgroup, committee in rows:
        today = local_day(now, committee.timezone)
        since = stuck_since(cycle, today)
        owner = _owner(cycle, workgroup)
        if since is None or today - since > LATE_LIMIT or owner not in active:
            continue
        phase, entered = phase_on(cycle, today)
        reminders.append(Due(
            "pdsa_stuck", f"pdsa_cycle:{cycle.id}", f"since-{since.isoformat()}", owner,
            f"PDSA cycle stuck in {PHASE_NAMES[phase]}: {cycle.title}",
            f"“{cycle.title}” ({workgroup.name}, {committee.name}) has been in "
            f"{PHASE_NAMES[phase]} since {day_text(entered)}"
            + (f", past its study date of {day_text(cycle.study_due)}"
               if phase == "do" and cycle.study_due else "")
            + ". Move it on, or close it with what was learnt.",
            f"/pdsa/{cycle.key}", committee.id))
    return reminders


REMINDERS = (
    ReminderKind("pdsa_study_due", "A PDSA cycle of yours reaches its study date", study_due),
    ReminderKind("pdsa_stuck", "A PDSA cycle of yours is stuck in one phase", stuck),
)
