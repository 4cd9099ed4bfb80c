"""The PDSA agenda source: measures with a signal, cycles due for Study."""

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from govtrack.extensions import db
from govtrack.meetings.agenda_sources import AgendaSource, Proposed
from govtrack.meetings.services import meeting_day
from govtrack.pdsa import runchart
from govtrack.pdsa.models import Goal, Measure, PdsaCycle
from govtrack.pdsa.services import analysis, point_values
from govtrack.workgroups.models import Workgroup


def _measures_and_cycles(meeting, day: date) -> list:
    """A measure of the committee with a current signal; a cycle in Do due for Study."""
    proposals = []
    measures = list(db.session.scalars(
        select(Measure).where(Measure.committee_id == meeting.committee_id)
        .order_by(Measure.name, Measure.id)))
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
    cycles = db.session.scalars(
        select(PdsaCycle).join(Goal, PdsaCycle.goal_id == Goal.id)
        .join(Workgroup, Goal.workgroup_id == Workgroup.id)
        .where(Workgroup.committee_id == meeting.committee_id, PdsaCycle.phase == "do",
               PdsaCycle.study_due <= meeting_day(meeting))
        .order_by(PdsaCycle.study_due, PdsaCycle.key).options(joinedload(PdsaCycle.owner)))
    for cycle in cycles:
        proposals.append(Proposed(
            f"pdsa-study:{cycle.key}", f"PDSA cycle “{cycle.title}” is due for Study",
            "discussion", 10, cycle.owner, refs={"pdsa_key": cycle.key},
            why=f"In Do; its study date was {cycle.study_due:%-d %B %Y}.",
            names={"pdsa_key": cycle.title}))
    return proposals


AGENDA_SOURCES = (AgendaSource("Measures with a signal; PDSA cycles due for Study",
                               _measures_and_cycles),)
