"""Overdue action items of a committee by agency: counts, the oldest few, how long overdue.

"Diffusion of responsibility" is what the chair fights: naming each
agency's overdue work, oldest first, tells the table who to ask. Read in a
fixed number of queries however many items are overdue; the full list of an
agency is paged.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache

from sqlalchemy import bindparam, case, func, select

from govtrack.actions.models import OPEN_STATUSES, ActionItem
from govtrack.agencies.models import Agency, Person
from govtrack.extensions import db

#: the oldest items a dashboard names per agency; the rest are a click away
OLDEST = 3
#: the agencies (most overdue first) whose oldest items the dashboard names; the others
#: get their count and a link to their paged list (rendering every agency's cost the
#: page ~10 ms at national scale, and the table reads the first few)
NAMED_AGENCIES = 10
#: how long an item has been overdue, in days: (label, fewest days, most days or None)
AGES = (("1–7 days", 1, 7), ("8–30 days", 8, 30), ("31–90 days", 31, 90),
        ("over 90 days", 91, None))


@dataclass
class AgencyOverdue:
    """One agency's overdue items: how many, the oldest few, and by age."""

    key: str
    name: str
    count: int
    oldest: list = field(default_factory=list)
    #: count per AGES bucket, in order
    ages: list[int] = field(default_factory=lambda: [0] * len(AGES))


def age_bucket(days_late: int) -> int:
    """The AGES bucket of an item days_late days overdue."""
    return next(n for n, (_, _, high) in enumerate(AGES) if high is None or days_late <= high)


#: the ageing picture's bars start this far right (px), after the agency names, and the
#: agency with the most overdue items fills BAR_WIDTH
BAR_LEFT = 230
BAR_WIDTH = 470


def ageing_bars(overdue: list[AgencyOverdue]) -> list[tuple[AgencyOverdue, list, float]]:
    """The ageing picture's rows: each agency, its stacked bars (x, width, age, count), and
    where they end. Worked out here rather than in the template, where the arithmetic of a
    national committee's ~90 agencies cost a millisecond a page."""
    widest = max((a.count for a in overdue), default=1)
    rows = []
    for agency in overdue:
        x, bars = BAR_LEFT, []
        for age, n in enumerate(agency.ages):
            if n:
                width = round(BAR_WIDTH * n / widest, 1)
                bars.append((x, width, age, n))
                x += width
        rows.append((agency, bars, x))
    return rows


def _overdue(committee_id: int, day: date):
    return (ActionItem.committee_id == committee_id, ActionItem.status.in_(OPEN_STATUSES),
            ActionItem.due < day)


def _rows():
    return (select(ActionItem.key, ActionItem.title, ActionItem.due,
                   Person.name.label("owner"), Agency.key.label("agency_key"),
                   Agency.name.label("agency"))
            .join(Person, Person.id == ActionItem.owner_id)
            .join(Agency, Agency.id == Person.agency_id))


def _agency_of_owner():
    """The agency of an action item's owner, as a correlated subquery: PostgreSQL looks each
    owner up by primary key. Joined instead, it hashes every person of the country (20,000
    nationally, ~25 ms of a loaded server per query) for a committee's hundred items, as it
    prices a lookup at a random page read."""
    return select(Person.agency_id).where(Person.id == ActionItem.owner_id).scalar_subquery()


@cache
def _by_agency_queries():
    """overdue_by_agency's statements, built once: SQLAlchemy keys its compiled-SQL cache
    by the statement, and working that key out for a fresh one costs about a millisecond
    (see meetings.views._meeting_query). Bound: "committee_id", "day" and each age's
    first due date ("age0", ...).

    Both start from the committee's overdue items (its index on action_item) and
    look up owners and agencies by key, so the server reads what the page shows.
    """
    day = bindparam("day", type_=ActionItem.due.type)
    overdue = _overdue(bindparam("committee_id"), day)
    agency_id = _agency_of_owner()
    # the AGES bucket of an item, in SQL (age_bucket of its days late)
    age = case(*[(ActionItem.due >= bindparam(f"age{n}", type_=ActionItem.due.type), n)
                 for n, (_, _, high) in enumerate(AGES) if high is not None],
               else_=len(AGES) - 1)
    # counted by agency and age before the agencies are joined (one row per agency and
    # age, not per item); the bucket is worked out in a subquery, so GROUP BY names a
    # column, not a CASE to match
    aged = select(agency_id.label("agency_id"), age.label("age")).where(*overdue).subquery()
    counted = (select(aged.c.agency_id, aged.c.age, func.count().label("n"))
               .group_by(aged.c.agency_id, aged.c.age).subquery())
    # the oldest few of each agency the page names (bound "named": their ids), ranked on
    # the items alone; owners' names are joined to those only
    items = select(ActionItem.id, ActionItem.due, agency_id.label("agency_id")).where(
        *overdue).subquery()
    rank = func.row_number().over(partition_by=items.c.agency_id,
                                  order_by=(items.c.due, items.c.id)).label("rank")
    ranked = select(items.c.id, items.c.agency_id, rank).subquery()
    return (select(Agency.id, Agency.key, Agency.name, counted.c.age, counted.c.n)
            .join(counted, counted.c.agency_id == Agency.id),
            _rows().join(ranked, ranked.c.id == ActionItem.id)
            .where(ranked.c.rank <= OLDEST,
                   ranked.c.agency_id.in_(bindparam("named", expanding=True)))
            .order_by(ActionItem.due, ActionItem.key))


def overdue_by_agency(committee_id: int, day: date,
                      named: int = NAMED_AGENCIES) -> list[AgencyOverdue]:
    """Every agency with overdue items, most first: counts by age, and the OLDEST oldest
    of the first named agencies (the ones the dashboard names)."""
    found: dict[int, AgencyOverdue] = {}
    counts, oldest = _by_agency_queries()
    params = {"committee_id": committee_id, "day": day} | {
        f"age{n}": day - timedelta(days=high)
        for n, (_, _, high) in enumerate(AGES) if high is not None}
    for agency_id, key, name, age, count in db.session.execute(counts, params):
        agency = found.setdefault(agency_id, AgencyOverdue(key, name, 0))
        agency.ages[age] += count
        agency.count += count
    ordered = sorted(found.items(), key=lambda a: (-a[1].count, a[1].name, a[1].key))
    by_key = {a.key: a for _, a in ordered[:named]}
    # the second query runs even when nothing is overdue: the page's query count is fixed
    for row in db.session.execute(oldest, params | {"named": list(dict(ordered[:named]))}):
        by_key[row.agency_key].oldest.append(row)
    return [a for _, a in ordered]


def agency_overdue_page(committee_id: int, agency_id: int, day: date, offset: int,
                        limit: int) -> tuple[int, list]:
    """One page of an agency's overdue items, oldest first, and how many there are."""
    # the agency's people by its index on person, not a join that hashes every person
    where = (*_overdue(committee_id, day),
             ActionItem.owner_id.in_(select(Person.id).where(Person.agency_id == agency_id)))
    total = db.session.scalar(select(func.count()).select_from(ActionItem).where(*where))
    rows = list(db.session.execute(_rows().where(*where).order_by(ActionItem.due, ActionItem.id)
                                   .offset(offset).limit(limit)))
    return total, rows
