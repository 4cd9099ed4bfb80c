"""The PDSA agenda source: measures with a signal, cycles due for Study."""


from functools import cache

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from govtrack.extensions import db
from govtrack.meetings.agenda_sources import AgendaSource, Draft, Proposed
from govtrack.meetings.services import meeting_day
from govtrack.pdsa import runchart
from govtrack.pdsa.models import Goal, Measure, PdsaCycle
from govtrack.pdsa.services import analysis, point_values
from govtrack.workgroups.models import Workgroup


@cache
def _measures_query():
    """The committee's measures (bound "committee_id"), built once (see
    meetings.views._meeting_query)."""
    return (select(Measure).where(Measure.committee_id == bindparam("committee_id"))
            .order_by(Measure.name, Measure.id))


@cache
def _cycles_due_query():
    """The committee's cycles in Do due for Study by "day" (bound, with "committee_id"),
    with their owners, built once."""
    return (select(PdsaCycle).join(Goal, PdsaCycle.goal_id == Goal.id)
            .join(Workgroup, Goal.workgroup_id == Workgroup.id)
            .where(Workgroup.committee_id == bindparam("committee_id"), PdsaCycle.phase == "do",
                   PdsaCycle.study_due <= bindparam("day", type_=PdsaCycle.study_due.type))
            .order_by(PdsaCycle.study_due, PdsaCycle.key).options(joinedload(PdsaCycle.owner)))


def _measures_and_cycles(draft: Draft) -> list:
    """A measure of the committee with a current signal; a cycle in Do due for Study."""
    meeting = draft.meeting
    proposals = []
    measures = list(db.session.scalars(_measures_query(),
                                       {"committee_id": meeting.committee_id}))
    values = point_values(measures)
    for measure in measures:
        result = analysis(measure, points=values[measure.id])
        signal = runchart.current_signal(result)
        if signal is None:
            continue
        proposals.append(Proposed(
            f"measure:{measure.key}",
            f"The measure “{measure.name}”: {runchart.headline(signal)}; review it",
            "discussion", 10, refs={"measure_key": measure.key},
            why=runchart.describe(result, measure.direction),
            names={"measure_key": measure.name}))
    cycles = db.session.scalars(_cycles_due_query(), {
        "committee_id": meeting.committee_id, "day": meeting_day(meeting)})
    for cycle in cycles:
        proposals.append(Proposed(
            f"pdsa-study:{cycle.key}", f"PDSA cycle “{cycle.title}” is due for Study",
            "discussion", 10, cycle.owner, refs={"pdsa_key": cycle.key},
            why=f"In Do; its study date was {cycle.study_due:%-d %B %Y}.",
            names={"pdsa_key": cycle.title}))
    return proposals


AGENDA_SOURCES = (AgendaSource("Measures with a signal; PDSA cycles due for Study",
                               _measures_and_cycles),)
