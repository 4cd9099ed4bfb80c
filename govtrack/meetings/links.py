"""The records an agenda item links to: a workgroup, MOU, PDSA cycle or measure of its committee.

A link is a key column on the item (workgroup_key, mou_key, pdsa_key,
measure_key). Pages and documents show it by name, read for all items at
once: one query per kind of record linked, whatever the number of items.
"""

from dataclasses import dataclass
from functools import cache

from sqlalchemy import bindparam, select

from govtrack.extensions import db
from govtrack.mous.models import Mou
from govtrack.pdsa.models import Goal, Measure, PdsaCycle
from govtrack.workgroups.models import Workgroup


@dataclass(frozen=True)
class Link:
    """A linked record: its kind in words, its name, and the page that shows it."""

    kind: str
    name: str
    endpoint: str
    key: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.name}"


#: column -> (kind in words, detail endpoint)
KINDS = {"workgroup_key": ("Workgroup", "workgroups.workgroup_detail"),
         "mou_key": ("MOU", "mous.mou_detail"),
         "pdsa_key": ("PDSA cycle", "pdsa.cycle_detail"),
         "measure_key": ("Measure", "pdsa.measure_detail")}


@cache
def _named_query(column: str, some: bool):
    """The statement of _named, built once per kind: SQLAlchemy keys its compiled-SQL
    cache by the statement, and building it afresh cost each meeting page a millisecond."""
    committee_id = bindparam("committee_id")
    if column == "workgroup_key":
        query = select(Workgroup.key, Workgroup.name).where(
            Workgroup.committee_id == committee_id).order_by(Workgroup.name)
        key = Workgroup.key
    elif column == "mou_key":
        query = select(Mou.key, Mou.title).where(Mou.committee_id == committee_id).order_by(
            Mou.title)
        key = Mou.key
    elif column == "pdsa_key":
        query = (select(PdsaCycle.key, PdsaCycle.title)
                 .join(Goal, PdsaCycle.goal_id == Goal.id)
                 .join(Workgroup, Goal.workgroup_id == Workgroup.id)
                 .where(Workgroup.committee_id == committee_id).order_by(PdsaCycle.title))
        key = PdsaCycle.key
    else:
        query = select(Measure.key, Measure.name).where(
            Measure.committee_id == committee_id).order_by(Measure.name)
        key = Measure.key
    return query.where(key.in_(bindparam("keys", expanding=True))) if some else query


def _named(column: str, committee_id: int, keys=None):
    """(key, name) of the committee's records of one kind (of these keys only, if given)."""
    values = {"committee_id": committee_id}
    if keys is not None:
        values["keys"] = sorted(keys)
    return db.session.execute(_named_query(column, keys is not None), values).all()


def choices(committee) -> dict[str, list[tuple[str, str]]]:
    """column -> [(key, name)] the item form offers, "none" first: four queries."""
    return {column: [("", "None")] + [(k, n) for k, n in _named(column, committee.id)]
            for column in KINDS}


def links_of(committee, records) -> dict[int, list[Link]]:
    """record id -> its links, for agenda or backlog items of the committee.

    One query per kind of record some item links to.
    """
    records = list(records)
    names: dict[tuple[str, str], str] = {}
    for column in KINDS:
        keys = {getattr(r, column) for r in records if getattr(r, column)}
        if keys:
            names.update({(column, k): n for k, n in _named(column, committee.id, keys)})
    result = {}
    for record in records:
        found = []
        for column, (kind, endpoint) in KINDS.items():
            key = getattr(record, column)
            if key and (column, key) in names:
                found.append(Link(kind, names[(column, key)], endpoint, key))
        result[record.id] = found
    return result
