"""The workgroups' reminder kinds: milestones, a workgroup newly stalled, report-backs due.

"Stalled" is the health service's verdict (health.services.flags_for), the
same flags every page shows: the lead and the chair hear of it once per
stall, on the day the stall's earliest flag holds from (within LATE_LIMIT:
an older stall is not told, so its other flags are not judged).
"""

from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_, select

from govtrack.chairs.health import CommitteeRecord, committee_records
from govtrack.committees.models import Committee
from govtrack.extensions import db
from govtrack.health.services import collector_paused, flags_unless_older, preloaded
from govtrack.meetings.models import AgendaItem, Meeting
from govtrack.reminders.kinds import Due, ReminderKind
from govtrack.reminders.recipients import (
    LATE_LIMIT,
    active_people,
    day_text,
    holding,
    local_day,
    seats,
    short_day,
    when,
)
from govtrack.workgroups.health import open_workgroups
from govtrack.workgroups.models import Goal, Milestone, Workgroup

#: days before its due date the lead hears of a milestone
MILESTONE_DAYS = 7
#: days before the next meeting the lead is reminded of a report-back
REPORT_BACK_DAYS = 7
#: a monthly or quarterly report-back is due when the last one is older than this
REPORT_BACK_GAP = {"monthly": timedelta(days=24), "quarterly": timedelta(days=80)}


def _open(now: datetime):
    return or_(Workgroup.closed_at.is_(None), Workgroup.closed_at > now)


def _milestones(now: datetime, *where) -> list[tuple[Milestone, Workgroup, Committee]]:
    """Open milestones of open workgroups matching where, with both, in one query."""
    return list(db.session.execute(
        select(Milestone, Workgroup, Committee).join(Goal, Goal.id == Milestone.goal_id)
        .join(Workgroup, Workgroup.id == Goal.workgroup_id)
        .join(Committee, Committee.id == Workgroup.committee_id)
        .where(Milestone.status == "open", _open(now), *where)
        .order_by(Milestone.due, Milestone.id)).tuples())


def milestone_due_soon(now: datetime) -> list[Due]:
    """Open milestones due within 7 days (due date included): the workgroup's lead, once."""
    rows = _milestones(now, Milestone.due >= now.date() - timedelta(days=1),
                       Milestone.due <= now.date() + timedelta(days=MILESTONE_DAYS + 1))
    active = active_people((wg.lead_id for _, wg, _ in rows), now.date())
    reminders = []
    for milestone, workgroup, committee in rows:
        left = (milestone.due - local_day(now, committee.timezone)).days
        if not 0 <= left <= MILESTONE_DAYS or workgroup.lead_id not in active:
            continue
        reminders.append(Due(
            "milestone_due_soon", f"milestone:{milestone.id}", f"{MILESTONE_DAYS}d",
            workgroup.lead_id, f"Milestone due {short_day(milestone.due)}: {milestone.title}",
            f"“{milestone.title}” of {workgroup.name} ({committee.name}) is due "
            f"{day_text(milestone.due)}. Mark it done on the workgroup's page when it is.",
            f"/workgroups/{workgroup.key}", committee.id))
    return reminders


def milestone_overdue(now: datetime) -> list[Due]:
    """Open milestones past their due date: the lead, once (the stall reminder follows up)."""
    rows = _milestones(now, Milestone.due < now.date() + timedelta(days=1),
                       Milestone.due >= now.date() - LATE_LIMIT - timedelta(days=1))
    active = active_people((wg.lead_id for _, wg, _ in rows), now.date())
    reminders = []
    for milestone, workgroup, committee in rows:
        late = (local_day(now, committee.timezone) - milestone.due).days
        if not 0 < late <= LATE_LIMIT.days or workgroup.lead_id not in active:
            continue
        reminders.append(Due(
            "milestone_overdue", f"milestone:{milestone.id}",
            f"overdue-{milestone.due.isoformat()}", workgroup.lead_id,
            f"Milestone overdue: {milestone.title}",
            f"“{milestone.title}” of {workgroup.name} ({committee.name}) was due "
            f"{day_text(milestone.due)}. Mark it done, or move its date with the workgroup.",
            f"/workgroups/{workgroup.key}", committee.id))
    return reminders


def workgroup_stalled(now: datetime) -> list[Due]:
    """A workgroup newly stalled, with its reasons: the lead and the chair, once per stall.

    The health service judges every open workgroup as the health report does,
    in a fixed number of queries (preloaded); the occurrence is the date the
    stall's earliest flag holds since, so the same stall is told once.
    """
    # as rows: the workgroups' rules read a few columns of each committee; who is
    # expected at each meeting is read as rows with the held meetings
    # (meetings.health.load_held), so the committees come without their members
    committees = sorted(committee_records(people=False), key=lambda c: c.id)
    by_day: dict[date, list[CommitteeRecord]] = defaultdict(list)
    for committee in committees:
        by_day[local_day(now, committee.timezone)].append(committee)
    stalled = []
    for day, group in by_day.items():
        with collector_paused():  # tens of thousands of rows, none in cycles
            workgroups = [wg for wgs in open_workgroups(group, day).values() for wg in wgs]
        with preloaded("committee", group, day), preloaded("workgroup", workgroups, day):
            for workgroup in workgroups:
                # a stall older than LATE_LIMIT is not told: its other flags need no judging
                flags = flags_unless_older("workgroup", workgroup, day, day - LATE_LIMIT)
                since = min((f.since for f in flags), default=None) if flags else None
                if since is not None and day - since <= LATE_LIMIT:
                    stalled.append((workgroup, flags, since))
    if not stalled:
        return []
    leads = dict(db.session.execute(select(Workgroup.id, Workgroup.lead_id).where(
        Workgroup.id.in_([wg.id for wg, _, _ in stalled]))).all())
    active = active_people(leads.values(), now.date())
    found = seats({wg.committee.id for wg, _, _ in stalled}, now.date())
    reminders = []
    for workgroup, flags, since in stalled:
        committee = workgroup.committee
        # each flag in its rule's own words, as every page shows it
        reasons = [f"{(f.words or f.code)[:1].lower()}{(f.words or f.code)[1:]} "
                   f"(since {day_text(f.since)})" for f in flags]
        people = holding(found[committee.id], "chair")
        lead = leads.get(workgroup.id)
        if lead in active and lead not in people:
            people.insert(0, lead)
        for person_id in people:
            reminders.append(Due(
                "workgroup_stalled", f"workgroup:{workgroup.id}", f"since-{since.isoformat()}",
                person_id, f"{workgroup.name} ({committee.name}) has stalled",
                f"{workgroup.name} has stalled since {day_text(since)}: "
                + "; ".join(reasons) + ". Agree the next step with the lead, or put it on the "
                "next agenda.", f"/workgroups/{workgroup.key}", committee.id))
    return reminders


def report_back_due(now: datetime) -> list[Due]:
    """The lead reports back at the next meeting (within 7 days), as the schedule asks."""
    coming = db.session.execute(
        select(Meeting.id, Meeting.committee_id, Meeting.starts_at, Meeting.key)
        .where(Meeting.status == "scheduled", Meeting.starts_at > now,
               Meeting.starts_at <= now + timedelta(days=REPORT_BACK_DAYS))
        .order_by(Meeting.starts_at, Meeting.id)).all()
    following = {}
    for meeting in coming:
        following.setdefault(meeting.committee_id, meeting)  # the earliest of each committee
    if not following:
        return []
    rows = db.session.execute(
        select(Workgroup, Committee).join(Committee, Committee.id == Workgroup.committee_id)
        .where(Workgroup.committee_id.in_(list(following)), _open(now),
               Workgroup.lead_id.is_not(None))
        .order_by(Workgroup.key)).tuples().all()
    last = dict(db.session.execute(
        select(AgendaItem.workgroup_key, func.max(Meeting.starts_at))
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(Meeting.committee_id.in_(list(following)), Meeting.status == "held",
               AgendaItem.kind == "report_back", AgendaItem.workgroup_key.is_not(None))
        .group_by(AgendaItem.workgroup_key)).all())
    active = active_people((wg.lead_id for wg, _ in rows), now.date())
    reminders = []
    for workgroup, committee in rows:
        meeting = following[committee.id]
        gap = REPORT_BACK_GAP.get(workgroup.report_back)
        reported = last.get(workgroup.key)
        if workgroup.lead_id not in active or (
                gap is not None and reported is not None
                and reported > meeting.starts_at - gap):
            continue
        reminders.append(Due(
            "report_back_due", f"workgroup:{workgroup.id}", f"meeting-{meeting.id}",
            workgroup.lead_id,
            f"Report-back of {workgroup.name} due at the meeting of "
            f"{short_day(local_day(meeting.starts_at, committee.timezone))}",
            f"{committee.name} meets {when(meeting.starts_at, committee.timezone)}. Post a "
            f"workgroup update and be ready to report back for {workgroup.name}: progress "
            "on its goals, milestones and action items, and what it needs from the "
            "committee.", f"/meetings/{meeting.key}", committee.id))
    return reminders


REMINDERS = (
    ReminderKind("milestone_due_soon",
                 f"A milestone of your workgroup is due in {MILESTONE_DAYS} days (lead)",
                 milestone_due_soon),
    ReminderKind("milestone_overdue", "A milestone of your workgroup is overdue (lead)",
                 milestone_overdue),
    ReminderKind("workgroup_stalled", "A workgroup has stalled (lead, chair)",
                 workgroup_stalled),
    ReminderKind("report_back_due", "Your workgroup reports back at the next meeting (lead)",
                 report_back_due),
)
