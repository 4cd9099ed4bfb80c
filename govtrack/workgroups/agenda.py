"""The workgroups' agenda sources: report-backs their schedules make due, stalled workgroups.

Kamin, Weisman and Lamberti saw workgroups stop following through when
nobody asked them to report: the agenda asks for each report-back as its
schedule makes it due, and puts each stalled workgroup in front of the
committee with what stalled it and what would clear it.
"""

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.util import identity_key

from govtrack.extensions import db
from govtrack.health.services import flags_for, preloaded
from govtrack.meetings.agenda_sources import AgendaSource, Proposed
from govtrack.meetings.models import AgendaItem, Meeting
from govtrack.meetings.services import judged_on
from govtrack.workgroups.health import open_workgroups
from govtrack.workgroups.models import REPORT_BACK, Workgroup

#: days since the last report-back after which a report-back is due again, by schedule;
#: a month of meetings on "the second Tuesday" is 28 or 35 days apart
DUE_AFTER_DAYS = {"monthly": 28, "quarterly": 84}


def _open_workgroups(meeting: Meeting, as_of: date) -> list[Workgroup]:
    workgroups = db.session.scalars(
        select(Workgroup).where(Workgroup.committee_id == meeting.committee_id)
        .options(joinedload(Workgroup.lead)).order_by(Workgroup.name, Workgroup.id)).unique()
    return [w for w in workgroups if w.open_on(as_of)]


def _last_report_backs(meeting: Meeting) -> dict[str, object]:
    """workgroup key -> start of the last held meeting before this one with its report-back."""
    return dict(db.session.execute(
        select(AgendaItem.workgroup_key, func.max(Meeting.starts_at))
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(Meeting.committee_id == meeting.committee_id, Meeting.status == "held",
               Meeting.starts_at < meeting.starts_at, AgendaItem.kind == "report_back",
               AgendaItem.workgroup_key.is_not(None))
        .group_by(AgendaItem.workgroup_key)).all())


def _report_back_due(workgroup: Workgroup, last, meeting: Meeting) -> str | None:
    """Why a report-back is due at this meeting, or None when it is not."""
    if workgroup.report_back == "every_meeting":
        return "Reports back at every meeting."
    if last is None:
        return f"Reports back {REPORT_BACK[workgroup.report_back].lower()}; it has not yet."
    gap = (meeting.starts_at - last).days
    if gap < DUE_AFTER_DAYS.get(workgroup.report_back, 0):
        return None
    return (f"Reports back {REPORT_BACK[workgroup.report_back].lower()}; "
            f"last report-back {gap} days before this meeting.")


def _report_backs(meeting: Meeting, day: date) -> list[Proposed]:
    """Each open workgroup's report-back its schedule makes due, presented by its lead."""
    workgroups = _open_workgroups(meeting, judged_on(meeting, day))
    if not workgroups:
        return []
    last = _last_report_backs(meeting)
    on_agenda = {i.workgroup_key for i in meeting.items if i.kind == "report_back"}
    proposals = []
    for workgroup in workgroups:
        why = None if workgroup.key in on_agenda else _report_back_due(
            workgroup, last.get(workgroup.key), meeting)
        if why:
            proposals.append(Proposed(
                f"workgroup-report:{workgroup.key}", f"Report-back: {workgroup.name}",
                "report_back", 10, workgroup.lead, refs={"workgroup_key": workgroup.key},
                why=why, names={"workgroup_key": workgroup.name}))
    return proposals


def _with_leads(ids: list[int]) -> dict[int, Workgroup]:
    """The workgroups of these ids with their leads: from the session when the report-backs
    source read them already (the draft lists it first), else in one query."""
    found = {i: w for i in ids
             if (w := db.session.identity_map.get(identity_key(Workgroup, i))) is not None}
    missing = [i for i in ids if i not in found]
    if missing:
        found |= {w.id: w for w in db.session.scalars(
            select(Workgroup).where(Workgroup.id.in_(missing))
            .options(joinedload(Workgroup.lead))).unique()}
    return found


def _stalled(meeting: Meeting, day: date) -> list[Proposed]:
    """Each stalled workgroup, with its flags' words and what would clear them."""
    as_of = judged_on(meeting, day)
    # the rules read the workgroups as rows (health.open_workgroups): a fixed number of
    # queries however many workgroups, updates and milestones the committee has
    committee = meeting.committee
    records = sorted(open_workgroups([committee], as_of)[committee.id],
                     key=lambda r: (r.name, r.id))
    stalled = []
    with preloaded("workgroup", records, as_of):
        for record in records:
            if flags := flags_for("workgroup", record, as_of):
                stalled.append((record, flags))
    workgroups = _with_leads([record.id for record, _ in stalled])
    proposals = []
    for record, flags in stalled:
        reasons = "; ".join(str(f) for f in flags)
        remedies = "; ".join(dict.fromkeys(f.remedy for f in flags if f.remedy))
        proposals.append(Proposed(
            f"workgroup-stalled:{record.key}", f"Stalled workgroup: {record.name}",
            "discussion", 10, workgroups[record.id].lead, refs={"workgroup_key": record.key},
            why=f"{reasons}. Remedy: {remedies}." if remedies else f"{reasons}.",
            names={"workgroup_key": record.name}))
    return proposals


AGENDA_SOURCES = (
    AgendaSource("Workgroups' report-backs their schedules make due", _report_backs),
    AgendaSource("Stalled workgroups, with the reasons and the remedy", _stalled),
)

