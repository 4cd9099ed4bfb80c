"""Overdue action items of a committee by agency: counts, the oldest few, how long overdue.

"Diffusion of responsibility" is what the chair fights: naming each
agency's overdue work, oldest first, tells the table who to ask. Read in a
fixed number of queries however many items are overdue; the full list of an
agency is paged.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache

from markupsafe import Markup, escape
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


#: the colour of each AGES bucket in the ageing picture, newest first
AGE_COLOURS = ("#ffbe2e", "#e5a000", "#d54309", "#8b0a03")
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


def ageing_markup(overdue: list[AgencyOverdue]) -> tuple[Markup, Markup]:
    """The ageing picture's rows (each agency's name, stacked bars and count, in SVG) and
    its table's rows. Written here, each name escaped once, rather than in the template:
    a national committee's ~90 agencies made ~1,500 template expressions, over a
    millisecond a page."""
    picture, table = [], []
    for n, (agency, bars, end) in enumerate(ageing_bars(overdue)):
        y, name = 26 + n * 26, escape(agency.name)
        rects = "".join(
            f'<rect x="{x}" y="{y}" width="{width}" height="18" fill="{AGE_COLOURS[age]}">'
            f"<title>{name}: {count} overdue {AGES[age][0]}</title></rect>"
            for x, width, age, count in bars)
        picture.append(
            f'\n  <text x="222" y="{y + 14}" font-size="12" text-anchor="end" fill="#1b1b1b">'
            f"{escape(agency.name[:34])}</text>\n  {rects}\n"
            f'  <text x="{end + 4}" y="{y + 14}" font-size="12" fill="#1b1b1b">{agency.count}'
            "</text>\n  ")
        ages = "".join(f"<td>{count}</td>" for count in agency.ages)
        table.append(f'<tr><th scope="row">{name}</th>{ages}<td>{agency.count}</td></tr>')
    # every name is escaped above; the rest are numbers and this module's constants
    return Markup("".join(picture)), Markup("".join(table))  # noqa: S704


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


def _by_key(column, key, value):
    """column of the row whose primary key is value, as a correlated subquery: looked up
    by key for the few rows kept (joined, PostgreSQL hashes the whole table; see
    _agency_of_owner)."""
    return select(column).where(key == value).scalar_subquery()


@cache
def _by_agency_query():
    """overdue_by_agency's statement, built once: SQLAlchemy keys its compiled-SQL cache by
    the statement, and working that key out for a fresh one costs about a millisecond
    (see meetings.views._meeting_query). Bound: "committee_id", "day" and each age's
    first due date ("age0", ...).

    One row for each of the OLDEST oldest items of each agency, carrying its agency's
    count by age (window sums over the agency's items): the counts and the names in
    one query, not two. It starts from the committee's overdue items (its index on
    action_item) and looks up owners and agencies by key, so the server reads what the
    page shows.
    """
    day = bindparam("day", type_=ActionItem.due.type)
    # the AGES bucket of an item, in SQL (age_bucket of its days late)
    age = case(*[(ActionItem.due >= bindparam(f"age{n}", type_=ActionItem.due.type), n)
                 for n, (_, _, high) in enumerate(AGES) if high is not None],
               else_=len(AGES) - 1)
    items = (select(ActionItem.id, ActionItem.key, ActionItem.title, ActionItem.due,
                    ActionItem.owner_id, _agency_of_owner().label("agency_id"),
                    age.label("age"))
             .where(*_overdue(bindparam("committee_id"), day)).subquery())
    agency = {"partition_by": items.c.agency_id}
    ranked = select(
        items, func.row_number().over(order_by=(items.c.due, items.c.id), **agency)
        .label("rank"),
        *[func.sum(case((items.c.age == n, 1), else_=0)).over(**agency).label(f"age{n}")
          for n in range(len(AGES))]).subquery()
    return (select(ranked.c.agency_id,
                   _by_key(Agency.key, Agency.id, ranked.c.agency_id).label("agency_key"),
                   _by_key(Agency.name, Agency.id, ranked.c.agency_id).label("agency"),
                   *[ranked.c[f"age{n}"] for n in range(len(AGES))],
                   ranked.c.key, ranked.c.title, ranked.c.due,
                   _by_key(Person.name, Person.id, ranked.c.owner_id).label("owner"))
            .where(ranked.c.rank <= OLDEST)
            .order_by(ranked.c.due, ranked.c.key))


def overdue_by_agency(committee_id: int, day: date) -> list[AgencyOverdue]:
    """Every agency with overdue items, most first: counts by age, and its OLDEST oldest
    (the dashboard names those of the first NAMED_AGENCIES)."""
    found: dict[int, AgencyOverdue] = {}
    params = {"committee_id": committee_id, "day": day} | {
        f"age{n}": day - timedelta(days=high)
        for n, (_, _, high) in enumerate(AGES) if high is not None}
    for row in db.session.execute(_by_agency_query(), params):
        agency = found.get(row.agency_id)
        if agency is None:
            ages = [int(getattr(row, f"age{n}")) for n in range(len(AGES))]
            agency = found[row.agency_id] = AgencyOverdue(row.agency_key, row.agency,
                                                          sum(ages), [], ages)
        agency.oldest.append(row)
    return sorted(found.values(), key=lambda a: (-a.count, a.name, a.key))


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
