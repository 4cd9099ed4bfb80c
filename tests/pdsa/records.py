"""A measure and a PDSA cycle for the permission matrix and the form fuzz."""

from datetime import date

from govtrack.extensions import db
from govtrack.pdsa import services


def matrix_records(cast) -> dict[str, str]:
    """Keys of a measure with points and of a cycle in Act decided "adapt", by URL prefix."""
    chair = cast["chair"]
    measure = services.create_measure(chair, cast["committee"], name="Bed waits")
    for month, value in enumerate([5, 7, 6, 8, 5, 7], start=1):
        services.add_point(chair, measure, date(2025, month, 1), value)
    goal = cast["workgroup"].goals[0]
    cycle = services.create_cycle(chair, goal, title="Screen at booking", on=date(2025, 1, 6))
    for phase, day in (("do", 10), ("study", 20), ("act", 25)):
        services.move_phase(chair, cycle, phase, date(2025, 1, day))
    services.update_cycle(chair, cycle, None, "act", decision="adapt")
    db.session.commit()
    return {"/measures/": measure.key, "/pdsa/": cycle.key}


def first_point_id(cast) -> int:
    """The id of a data point of a measure of the cast's committee."""
    from sqlalchemy import select

    from govtrack.pdsa.models import DataPoint, Measure

    found = db.session.scalar(select(DataPoint.id).join(Measure).where(
        Measure.committee_id == cast["committee"].id).order_by(DataPoint.id).limit(1))
    if found is None:
        measure = services.create_measure(cast["chair"], cast["committee"], name="Bed days")
        found = services.add_point(cast["chair"], measure, date(2025, 1, 1), 4).id
        db.session.commit()
    return found
