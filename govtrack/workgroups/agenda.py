"""The workgroups' agenda sources: report-backs their schedules make due, stalled workgroups.

Kamin, Weisman and Lamberti saw workgroups stop following through when
nobody asked them to report: the agenda asks for each report-back as its
schedule makes it due, and puts each stalled workgroup in front of the
committee with what stalled it and what would clear it.
"""

from typing import NamedTuple

from govtrack.agencies.models import Person, people_by_id
from govtrack.health.services import flags_of_each, preloaded
from govtrack.meetings.agenda_sources import AgendaSource, Draft, Proposed
from govtrack.meetings.models import Meeting
from govtrack.meetings.services import judged_on
from govtrack.workgroups.health import WorkgroupRecord, open_workgroups, read_once, sharing
from govtrack.workgroups.models import REPORT_BACK

#: days since the last report-back after which a report-back is due again, by schedule;
#: a month of meetings on "the second Tuesday" is 28 or 35 days apart
DUE_AFTER_DAYS = {"monthly": 28, "quarterly": 84}


class OpenWorkgroups(NamedTuple):
    """The committee's workgroups open on the draft's day, as both workgroup sources read them."""

    #: by name, as the health rules read them (health.open_workgroups)
    records: list[WorkgroupRecord]
    #: what their rules read beyond them (action items, held meetings, report-back items)
    rules: object
    #: their leads, by person id
    leads: dict[int, Person]


def _open_workgroups(draft: Draft) -> OpenWorkgroups:
    """Read once per draft: the report-backs and the stalled workgroups share them."""
    def read() -> OpenWorkgroups:
        as_of = judged_on(draft.meeting, draft.day)
        committee = draft.meeting.committee
        # as rows, in a fixed number of queries however many workgroups, updates and
        # milestones the committee has
        records = sorted(open_workgroups([committee], as_of)[committee.id],
                         key=lambda r: (r.name, r.id))
        return OpenWorkgroups(records, read_once(records, as_of), _leads(records))
    return draft.shared("open workgroups", read)


def _leads(records: list[WorkgroupRecord]) -> dict[int, Person]:
    """The workgroups' leads (they sit on the committee, whose members the page shows)."""
    return people_by_id({r.lead_id for r in records if r.lead_id is not None})


def _report_back_due(workgroup: WorkgroupRecord, last, meeting: Meeting) -> str | None:
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


def _report_backs(draft: Draft) -> list[Proposed]:
    """Each open workgroup's report-back its schedule makes due, presented by its lead."""
    meeting = draft.meeting
    workgroups = _open_workgroups(draft)
    if not workgroups.records:
        return []
    # the last held meeting before this one with its report-back, from what the rules read
    last = workgroups.rules.last_report_backs(meeting.committee, meeting.starts_at)
    on_agenda = {i.workgroup_key for i in draft.items if i.kind == "report_back"}
    proposals = []
    for workgroup in workgroups.records:
        why = None if workgroup.key in on_agenda else _report_back_due(
            workgroup, last.get(workgroup.key), meeting)
        if why:
            proposals.append(Proposed(
                f"workgroup-report:{workgroup.key}", f"Report-back: {workgroup.name}",
                "report_back", 10, workgroups.leads.get(workgroup.lead_id),
                refs={"workgroup_key": workgroup.key}, why=why,
                names={"workgroup_key": workgroup.name}))
    return proposals


def _stalled(draft: Draft) -> list[Proposed]:
    """Each stalled workgroup, with its flags' words and what would clear them."""
    workgroups = _open_workgroups(draft)
    as_of = workgroups.rules.as_of
    # the committee's PDSA cycles, read once for the rules (by committee, even for one open
    # workgroup): the PDSA source finds those due for Study among them
    from govtrack.pdsa import health as pdsa_health

    with (pdsa_health.preloaded(workgroups.records, as_of, by_committee=True),
          sharing(workgroups.rules), preloaded("workgroup", workgroups.records, as_of)):
        stalled = [(record, flags) for record, flags in zip(
            workgroups.records, flags_of_each("workgroup", workgroups.records, as_of),
            strict=True) if flags]
        if (cycles := pdsa_health.committees_cycles()) is not None:
            draft.shared("committee pdsa cycles", lambda: cycles)
    proposals = []
    for record, flags in stalled:
        reasons = "; ".join(str(f) for f in flags)
        remedies = "; ".join(dict.fromkeys(f.remedy for f in flags if f.remedy))
        proposals.append(Proposed(
            f"workgroup-stalled:{record.key}", f"Stalled workgroup: {record.name}",
            "discussion", 10, workgroups.leads.get(record.lead_id),
            refs={"workgroup_key": record.key},
            why=f"{reasons}. Remedy: {remedies}." if remedies else f"{reasons}.",
            names={"workgroup_key": record.name}))
    return proposals


AGENDA_SOURCES = (
    AgendaSource("Workgroups' report-backs their schedules make due", _report_backs),
    AgendaSource("Stalled workgroups, with the reasons and the remedy", _stalled),
)

