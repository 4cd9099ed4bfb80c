"""The PDSA agenda source: measures with a signal, cycles due for Study."""


from functools import cache
from itertools import groupby

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.util import identity_key

from govtrack.agencies.models import Person
from govtrack.extensions import db
from govtrack.meetings.agenda_sources import AgendaSource, Draft, Proposed
from govtrack.meetings.services import meeting_day
from govtrack.pdsa import runchart
from govtrack.pdsa.models import DataPoint, Goal, Measure, PdsaCycle
from govtrack.pdsa.services import analysis
from govtrack.workgroups.models import Workgroup


@cache
def _measures_query():
    """The committee's measures (bound "committee_id") with their points, as rows, built
    once (see meetings.views._meeting_query): one row per point (one with no point for a
    measure without any), by measure, then by day. What the run chart and the proposal
    read, in one query rather than the measures' objects and then their points."""
    return (select(Measure.id, Measure.key, Measure.name, Measure.direction, Measure.rules,
                   Measure.baseline_points, Measure.reset_on, DataPoint.day, DataPoint.value)
            .outerjoin(DataPoint, DataPoint.measure_id == Measure.id)
            .where(Measure.committee_id == bindparam("committee_id"))
            .order_by(Measure.name, Measure.id, DataPoint.day))


@cache
def _cycles_due_query():
    """The committee's cycles in Do due for Study by "day" (bound, with "committee_id"),
    with their owners, built once."""
    return (select(PdsaCycle).join(Goal, PdsaCycle.goal_id == Goal.id)
            .join(Workgroup, Goal.workgroup_id == Workgroup.id)
            .where(Workgroup.committee_id == bindparam("committee_id"), PdsaCycle.phase == "do",
                   PdsaCycle.study_due <= bindparam("day", type_=PdsaCycle.study_due.type))
            .order_by(PdsaCycle.study_due, PdsaCycle.key).options(joinedload(PdsaCycle.owner)))


def _cycles_due(draft: Draft) -> list[PdsaCycle]:
    """The committee's cycles in Do due for Study by the meeting's day, earliest first: from
    those the stalled workgroups' rules read when they did (with their owners in one query
    at most), else in one query."""
    meeting = draft.meeting
    day = meeting_day(meeting)
    read = draft.shared("committee pdsa cycles", lambda: None)
    if read is None:
        return list(db.session.scalars(_cycles_due_query(), {
            "committee_id": meeting.committee_id, "day": day}))
    due = sorted((c for c in read if c.phase == "do" and c.study_due is not None
                  and c.study_due <= day), key=lambda c: (c.study_due, c.key))
    owners = {c.owner_id for c in due if c.owner_id is not None}
    if missing := [i for i in owners
                   if db.session.identity_map.get(identity_key(Person, i)) is None]:
        # loaded into the session: each cycle's owner is then found there, not queried
        db.session.scalars(select(Person).where(Person.id.in_(sorted(missing)))).all()
    return due


def _measures_and_cycles(draft: Draft) -> list:
    """A measure of the committee with a current signal; a cycle in Do due for Study."""
    meeting = draft.meeting
    proposals = []
    # fetched at once: psycopg fetching row by row cost more than the rows' processing
    rows = db.session.execute(_measures_query(), {"committee_id": meeting.committee_id}).all()
    for _, points in groupby(rows, key=lambda row: row.id):
        points = list(points)
        measure = points[0]  # a row has what the run chart reads of its measure
        result = analysis(measure, points=[(p.day, p.value) for p in points
                                           if p.day is not None])
        signal = runchart.current_signal(result)
        if signal is None:
            continue
        proposals.append(Proposed(
            f"measure:{measure.key}",
            f"The measure “{measure.name}”: {runchart.headline(signal)}; review it",
            "discussion", 10, refs={"measure_key": measure.key},
            why=runchart.describe(result, measure.direction),
            names={"measure_key": measure.name}))
    for cycle in _cycles_due(draft):
        proposals.append(Proposed(
            f"pdsa-study:{cycle.key}", f"PDSA cycle “{cycle.title}” is due for Study",
            "discussion", 10, cycle.owner, refs={"pdsa_key": cycle.key},
            why=f"In Do; its study date was {cycle.study_due:%-d %B %Y}.",
            names={"pdsa_key": cycle.title}))
    return proposals


AGENDA_SOURCES = (AgendaSource("Measures with a signal; PDSA cycles due for Study",
                               _measures_and_cycles),)
