"""The workgroups' health rules (DESIGN.md, "Health rules"): when a workgroup has stalled.

Kamin, Weisman and Lamberti saw workgroups stop following through once the
first enthusiasm waned. These rules notice it from live state: no activity
for N days, overdue milestones, overdue action items, missed report-backs and
members who stop coming. A workgroup with any flag is stalled.

Readings of the table, applied the same way in every rule:

- Only what happened up to D counts, and what happened on D has happened: an
  update posted on D is activity on D, a milestone done on D is no longer
  open on D, a meeting held on D is one of the meetings "before D" (as in
  meetings.health).
- The date of an instant (an update, a milestone marked done, a status
  change, a meeting, the workgroup's creation and closing) is its date on the
  committee's wall clock.
- `since` is the first day of the unbroken run of days on which the flag
  held, reaching D. For milestones and action items that run is worked out
  from their history: a milestone stopped being open on the day it was
  marked done; an action item's status on a day is the one its update log
  had set by then (the log records every status change), and a milestone's
  due date on a day is the one it had then (its re-datings, MilestoneDueChange,
  take effect on their own day). Without history the
  run starts where the table says: the earliest overdue milestone's due date
  + 1 day, the second-earliest overdue action's due date + 1 day.
- A workgroup exists from the day it was created; a workgroup created after D,
  or closed on or before D, has no flags. The meetings that count for
  missed_report_backs and attendance_falling are those that started after the
  instant it was created (the meeting that set it up does not count).
- A report-back item counts whether the meeting's agenda was published or not:
  the meeting was held and the item was on it.
- A workgroup's members have no dates: its current members are the people
  expected, when they sit on the committee (observers aside) on the meeting's
  date.

Rules read the workgroup's own collections (updates, goals, milestones) and
ask a `_Source` for the rest: its action items, the committee's held meetings
and their report-back items. Within health.services.preloaded("workgroup",
workgroups, D) (the health report uses it; so can a page that lists many
workgroups) one source serves them all in a fixed number of queries;
otherwise each flags_for call opens one for its single workgroup.
"""

from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache
from itertools import accumulate
from operator import itemgetter
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Date,
    DateTime,
    Integer,
    String,
    and_,
    bindparam,
    case,
    cast,
    exists,
    func,
    literal_column,
    null,
    or_,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import aliased

from govtrack.actions.models import OPEN_STATUSES, ActionItem, ActionUpdate
from govtrack.committees.models import Committee
from govtrack.extensions import db
from govtrack.health.rules import Preloader, Rule, run_start
from govtrack.meetings.health import (
    HeldMeeting,
    attendance_falling_since,
    end_of_day,
    expected_at,
    load_held,
    preloaded_held,
)
from govtrack.meetings.models import AgendaItem, Meeting
from govtrack.meetings.services import meeting_day
from govtrack.workgroups.models import (
    Goal,
    Milestone,
    MilestoneDueChange,
    Workgroup,
    WorkgroupUpdate,
    day_of,
    open_on,
    workgroup_member,
)

#: missed report-backs in a row that flag a workgroup
MISSES = 2
#: overdue action items that flag a workgroup
OVERDUE_ACTIONS = 2
ONE_DAY = timedelta(days=1)


class Instant(NamedTuple):
    """When something happened (a workgroup update)."""

    at: datetime


class DueChangeRecord(NamedTuple):
    """A re-dating of a milestone, as the rules read it (MilestoneDueChange's names)."""

    at: datetime
    old_due: date
    new_due: date


class MilestoneRecord(NamedTuple):
    """A milestone as the rules read it."""

    due: date
    status: str
    done_at: datetime | None
    #: its re-datings, oldest first
    due_changes: list[DueChangeRecord]


class GoalRecord(NamedTuple):
    """A goal as the rules read it: its milestones."""

    milestones: list[MilestoneRecord]


class PersonId(NamedTuple):
    """A member, as the rules read them: who."""

    id: int


@dataclass(eq=False)
class WorkgroupRecord:
    """A workgroup as the rules read it, built from rows rather than ORM objects.

    The health report reads a county's workgroups with their updates,
    milestones and members: tens of thousands of records, which as ORM objects
    took most of its time. It answers what the rules ask of a Workgroup.
    """

    id: int
    key: str
    name: str
    committee: Committee
    created_at: datetime
    closed_at: datetime | None
    report_back: str
    #: its latest update up to as_of, if any: the only one the rules read
    updates: list[Instant] = field(default_factory=list)
    goals: list[GoalRecord] = field(default_factory=list)
    members: list[PersonId] = field(default_factory=list)
    #: (as_of, when one of its action items was last updated up to as_of, if ever),
    #: read with it; _Source.latest_update answers from it for that as_of
    latest_action: tuple[date, datetime | None] | None = None
    #: its lead's person id (the draft agenda names the lead as presenter)
    lead_id: int | None = None
    #: (as_of, its action items due before as_of that _Source.actions reads), read with it
    due_actions: tuple[date, list["ActionRecord"]] | None = None

    #: the same rule as the model's
    open_on = Workgroup.open_on

    @property
    def committee_id(self) -> int:
        """The committee's id, as on Workgroup."""
        return self.committee.id


def _end_of(committees: Iterable[Committee], as_of: date):
    """The end of as_of on each committee's wall clock, as a value to compare instants with.

    A workgroup's committee's, when the committees' zones differ (Workgroup joined).
    """
    ends: dict[datetime, list[int]] = {}
    for committee in committees:
        ends.setdefault(end_of_day(committee, as_of), []).append(committee.id)
    if len(ends) == 1:
        return next(iter(ends))
    return case(*[(Workgroup.committee_id.in_(ids), end) for end, ids in ends.items()])


def _blank(type_):
    """A NULL of type_: a column one branch of _workgroups_query's union has no value for."""
    return type_coerce(null(), type_)


@cache
def _workgroups_query(end=None):
    """open_workgroups' statement, built once (see meetings.views._meeting_query): the
    workgroups, their milestones' re-datings and their action items' status changes as
    three branches of one union, told apart by "kind" (0, 1, 2), in no order. Bound:
    "committee_ids", "as_of".

    end: the end of the as-of day, when the committees' zones differ (a CASE by
    committee, built for that call); otherwise the bound parameter "end".
    """
    of_committees = Workgroup.committee_id.in_(bindparam("committee_ids", expanding=True))
    if end is None:
        end = bindparam("end", type_=Workgroup.created_at.type)
    # the latest update up to as_of is the only one the rules read (last_activity):
    # worked out per workgroup in SQL, and read with the workgroups
    latest = (select(WorkgroupUpdate.workgroup_id, func.max(WorkgroupUpdate.at).label("at"))
              .join(Workgroup, Workgroup.id == WorkgroupUpdate.workgroup_id)
              .where(of_committees, WorkgroupUpdate.at < end)
              .group_by(WorkgroupUpdate.workgroup_id).subquery())
    # so is the latest update of its action items (what _Source.latest_update reads)
    acted = (select(ActionItem.workgroup_key.label("key"), func.max(ActionUpdate.at).label("at"))
             .select_from(ActionUpdate).join(ActionItem, ActionItem.id == ActionUpdate.action_id)
             .join(Workgroup, Workgroup.key == ActionItem.workgroup_key)
             .where(of_committees, ActionUpdate.at < end)
             .group_by(ActionItem.workgroup_key).subquery())
    # and its members' ids, as one string per workgroup ("3,17,42")
    members = (select(workgroup_member.c.workgroup_id.label("workgroup_id"),
                      func.aggregate_strings(cast(workgroup_member.c.person_id, String), ",")
                      .label("ids"))
               .join(Workgroup, Workgroup.id == workgroup_member.c.workgroup_id)
               .where(of_committees).group_by(workgroup_member.c.workgroup_id).subquery())
    # instants read as naive UTC, made aware in open_workgroups for the few it keeps: the
    # UTC column type's processing of every value of every row cost more than the rows
    instant, day, text, number = DateTime(), Date(), String(), Integer()

    def naive(column):
        return type_coerce(column, instant)

    # columns: kind, workgroup id, i1 (what the rows are ordered by), i2, i3 (tie-breaker),
    # s1..s4, t1, t2 (the change's instant, ordered by), t3, t4, d1..d3
    workgroups = (select(literal_column("0", number).label("kind"), Workgroup.id.label("wg"),
                         Workgroup.id.label("i1"), Workgroup.committee_id.label("i2"),
                         Workgroup.lead_id.label("i3"), Workgroup.key.label("s1"),
                         Workgroup.name.label("s2"), Workgroup.report_back.label("s3"),
                         members.c.ids.label("s4"), naive(Workgroup.created_at).label("t1"),
                         naive(Workgroup.closed_at).label("t2"), naive(latest.c.at).label("t3"),
                         naive(acted.c.at).label("t4"), _blank(day).label("d1"),
                         _blank(day).label("d2"), _blank(day).label("d3"))
                  .outerjoin(latest, latest.c.workgroup_id == Workgroup.id)
                  .outerjoin(acted, acted.c.key == Workgroup.key)
                  .outerjoin(members, members.c.workgroup_id == Workgroup.id)
                  .where(of_committees))
    milestones = (select(literal_column("1", number), Goal.workgroup_id, Milestone.id, Goal.id,
                         MilestoneDueChange.id, Milestone.status, _blank(text), _blank(text),
                         _blank(text), naive(Milestone.done_at), naive(MilestoneDueChange.at),
                         _blank(instant), _blank(instant), Milestone.due,
                         MilestoneDueChange.old_due, MilestoneDueChange.new_due)
                  .join(Milestone, Milestone.goal_id == Goal.id)
                  .join(Workgroup, Workgroup.id == Goal.workgroup_id)
                  .outerjoin(MilestoneDueChange, MilestoneDueChange.milestone_id == Milestone.id)
                  .where(of_committees))
    # the action items _Source.actions reads (see there), each with its status changes
    later = aliased(ActionUpdate)
    as_of = bindparam("as_of", type_=ActionItem.due.type)
    actions = (select(literal_column("2", number), Workgroup.id, ActionItem.id, _blank(number),
                      ActionUpdate.id, ActionItem.status, ActionUpdate.status, _blank(text),
                      _blank(text), naive(ActionItem.created_at), naive(ActionUpdate.at),
                      _blank(instant), _blank(instant), ActionItem.due, _blank(day),
                      _blank(day))
               .join(Workgroup, Workgroup.key == ActionItem.workgroup_key)
               .outerjoin(ActionUpdate, and_(ActionUpdate.action_id == ActionItem.id,
                                             ActionUpdate.status.is_not(None)))
               .where(of_committees, ActionItem.due.is_not(None), ActionItem.due < as_of,
                      or_(ActionItem.status.in_(OPEN_STATUSES),
                          exists().where(later.action_id == ActionItem.id,
                                         later.status.is_not(None),
                                         later.at >= ActionItem.due))))
    # in no order: sorting a county's rows in SQL cost more than sorting a committee's
    # children in open_workgroups
    return union_all(workgroups, milestones, actions)


def _utc(instant: datetime | None) -> datetime | None:
    """A naive UTC instant read by _workgroups_query, made aware (as UTCDateTime does)."""
    return instant if instant is None else instant.replace(tzinfo=UTC)


_NEVER = datetime.min


def _child_order(row) -> tuple:
    """The order of a milestone's or action item's rows: by kind and id, oldest change first
    (by instant, then id; a row without a change is its item's only one)."""
    return row[0], row[2], row[10] or _NEVER, row[4] or 0


def open_workgroups(committees: list[Committee], as_of: date
                    ) -> dict[int, list[WorkgroupRecord]]:
    """committee id -> its workgroups open on as_of, by key, with what the rules read.

    One query of rows for all the committees: the workgroups with their members,
    their latest updates and their action items' latest updates up to as_of; their
    goals' milestones; their action items due before as_of (what _Source.actions reads).
    """
    by_id = {c.id: c for c in committees}
    found: dict[int, list[WorkgroupRecord]] = {cid: [] for cid in by_id}
    if not by_id:
        return found
    end = _end_of(committees, as_of)
    one_zone = isinstance(end, datetime)
    params = {"committee_ids": list(by_id), "as_of": as_of}
    if one_zone:
        params["end"] = end
    records: dict[int, WorkgroupRecord] = {}
    goals: dict[int, GoalRecord] = {}
    milestones: dict[int, MilestoneRecord] = {}
    actions: dict[int, ActionRecord] = {}
    children = []
    # fetched at once: psycopg fetching row by row cost more than the rows' processing
    for row in db.session.execute(
            _workgroups_query() if one_zone else _workgroups_query.__wrapped__(end),
            params).all():
        if row[0] != 0:
            children.append(row)
            continue
        workgroup_id, i2, lead_id, key, name, report_back, ids, created, closed, at, acted = (
            row[1], *row[3:13])
        record = WorkgroupRecord(workgroup_id, key, name, by_id[i2], _utc(created),
                                 _utc(closed), report_back,
                                 latest_action=(as_of, _utc(acted)), lead_id=lead_id)
        if open_on(record, as_of):
            records[workgroup_id] = record
            record.due_actions = (as_of, [])
            if at is not None:
                record.updates.append(Instant(_utc(at)))
            if ids:
                record.members = [PersonId(int(i)) for i in ids.split(",")]
    # the milestones, each with its re-datings (or one row for a milestone never re-dated),
    # oldest first; the action items, each with its status changes (or one row)
    children.sort(key=_child_order)
    for kind, workgroup_id, i1, i2, _, s1, s2, _, _, t1, t2, _, _, d1, d2, d3 in children:
        if workgroup_id not in records:
            continue
        if kind == 1:
            goal = goals.get(i2)
            if goal is None:
                goal = goals[i2] = GoalRecord([])
                records[workgroup_id].goals.append(goal)
            milestone = milestones.get(i1)
            if milestone is None:
                milestone = milestones[i1] = MilestoneRecord(d1, s1, _utc(t1), [])
                goal.milestones.append(milestone)
            if t2 is not None:
                milestone.due_changes.append(DueChangeRecord(t2.replace(tzinfo=UTC), d2, d3))
        else:
            action = actions.get(i1)
            if action is None:
                action = actions[i1] = ActionRecord(d1, s1, _utc(t1), [])
                records[workgroup_id].due_actions[1].append(action)
            if t2 is not None:
                action.updates.append(UpdateRecord(t2.replace(tzinfo=UTC), s2))
    for record in sorted(records.values(), key=lambda r: r.key):
        found[record.committee.id].append(record)
    return found


# --- what the rules read beyond the workgroup's own collections -----------------------


class UpdateRecord(NamedTuple):
    """One update of an action item: when, and the status it set (None for a note)."""

    at: datetime
    status: str | None


class ActionRecord(NamedTuple):
    """An action item as the rules read it: due date, status, creation and status changes.

    Read as rows, not ORM objects (a county has tens of thousands); the rules
    take ActionItem objects as well.
    """

    due: date | None
    status: str
    created_at: datetime
    #: its updates that changed its status, oldest first (notes alone left out)
    updates: list[UpdateRecord]


def _of_workgroups(query, single: bool):
    """query, over action items, narrowed to one workgroup's (bound "key") or to the
    action items of the committees' workgroups (bound "committee_ids")."""
    if single:
        return query.where(ActionItem.workgroup_key == bindparam("key"))
    # by committee, not by a list of keys that grows with the county
    return query.join(Workgroup, Workgroup.key == ActionItem.workgroup_key).where(
        Workgroup.committee_id.in_(bindparam("committee_ids", expanding=True)))


@cache
def _actions_query(single: bool):
    """_Source.actions' statement, built once (see open_workgroups): bound "as_of"."""
    later = aliased(ActionUpdate)
    as_of = bindparam("as_of", type_=ActionItem.due.type)
    due_before = (ActionItem.due.is_not(None), ActionItem.due < as_of,
                  or_(ActionItem.status.in_(OPEN_STATUSES),
                      exists().where(later.action_id == ActionItem.id,
                                     later.status.is_not(None),
                                     later.at >= ActionItem.due)))
    # (the workgroups joined before the updates: SQLite keeps the order of a LEFT JOIN)
    return (_of_workgroups(select(ActionItem.id, ActionItem.workgroup_key, ActionItem.due,
                                  ActionItem.status, ActionItem.created_at, ActionUpdate.at,
                                  ActionUpdate.status).where(*due_before), single)
            .outerjoin(ActionUpdate, and_(ActionUpdate.action_id == ActionItem.id,
                                          ActionUpdate.status.is_not(None)))
            .order_by(ActionItem.id, ActionUpdate.at, ActionUpdate.id))


class _Source:
    """Action items, held meetings and report-back items of some workgroups, loaded once.

    Each part is loaded on first use, for all the workgroups at once: one
    workgroup's rules cost a handful of queries, a whole county's the same.
    """

    def __init__(self, workgroups: Iterable[Workgroup], as_of: date):
        self.as_of = as_of
        self.workgroups = {wg.key: wg for wg in workgroups}
        self.committees = {wg.committee.id: wg.committee for wg in self.workgroups.values()}
        self._actions: dict[str, list[ActionRecord]] | None = None
        self._latest: dict[str, datetime] | None = None
        self._held: dict[int, list[HeldMeeting]] | None = None
        self._reported: set[tuple[int, str]] | None = None
        self._open: dict[str, bool] = {}

    def open_on(self, workgroup: Workgroup) -> bool:
        """open_on(workgroup, as_of), worked out once per workgroup for all its rules."""
        found = self._open.get(workgroup.key)
        if found is None:
            found = self._open[workgroup.key] = open_on(workgroup, self.as_of)
        return found

    def covers(self, workgroups: Iterable[Workgroup], as_of: date) -> bool:
        """Whether this source already serves these workgroups on as_of."""
        return as_of == self.as_of and all(
            self.workgroups.get(wg.key) is wg for wg in workgroups)

    @property
    def _single(self) -> Workgroup | None:
        return next(iter(self.workgroups.values())) if len(self.workgroups) == 1 else None

    def _mine(self, query):
        """query, over action items, narrowed to these workgroups' action items."""
        if self._single is not None:
            return query.where(ActionItem.workgroup_key == self._single.key)
        # by committee, not by a list of keys that grows with the county
        return query.join(Workgroup, Workgroup.key == ActionItem.workgroup_key).where(
            Workgroup.committee_id.in_(list(self.committees)))

    def actions(self, workgroup: Workgroup) -> list[ActionRecord]:
        """The workgroup's action items due before as_of, with their status changes.

        Read as rows in one query. Only an action item due before as_of can
        be overdue on a day up to as_of, so the others are left out in SQL;
        so is one not open now whose status never changed on or after its due
        date (in UTC: a day's margin either side of the committee's): from the
        day after its due date on its status is its own, so it is never
        overdue (actions_overdue checks this exactly on the rest).
        """
        known = getattr(workgroup, "due_actions", None)
        if known is not None and known[0] == self.as_of:
            return known[1]  # read with the workgroup (open_workgroups)
        if self._actions is None:
            self._actions = {}
            by_id: dict[int, ActionRecord] = {}
            single = self._single
            params = {"as_of": self.as_of}
            if single is not None:
                params["key"] = single.key
            else:
                params["committee_ids"] = list(self.committees)
            # each item with its status changes, oldest first, in one query (an item
            # without any comes once, with None)
            for action_id, key, due, status, created_at, at, changed in db.session.execute(
                    _actions_query(single is not None), params):
                record = by_id.get(action_id)
                if record is None:
                    record = by_id[action_id] = ActionRecord(due, status, created_at, [])
                    self._actions.setdefault(key, []).append(record)
                if at is not None:
                    record.updates.append(UpdateRecord(at, changed))
        return self._actions.get(workgroup.key, [])

    def latest_update(self, workgroup: Workgroup) -> datetime | None:
        """When an action item of the workgroup was last updated up to as_of, if ever.

        The latest instant per workgroup, worked out in SQL: most updates are
        notes the rules need no more of.
        """
        known = getattr(workgroup, "latest_action", None)
        if known is not None and known[0] == self.as_of:
            return known[1]  # read with the workgroup (open_workgroups)
        if self._latest is None:
            # the end of as_of on each committee's wall clock
            before = ActionUpdate.at < _end_of(self.committees.values(), self.as_of)
            query = self._mine(
                select(ActionItem.workgroup_key, func.max(ActionUpdate.at))
                .select_from(ActionUpdate)
                .join(ActionItem, ActionItem.id == ActionUpdate.action_id))
            self._latest = dict(db.session.execute(
                query.where(before).group_by(ActionItem.workgroup_key)).all())
        return self._latest.get(workgroup.key)

    def held(self, committee: Committee) -> list[HeldMeeting]:
        """The committee's held meetings up to as_of, oldest first, with attendance.

        The committees' own health rules may have read them already
        (meetings.health preloaded them); otherwise one query reads them all.
        """
        if self._held is None:
            committees = list(self.committees.values())
            preloaded = {c.id: held for c in committees
                         if (held := preloaded_held(c, self.as_of)) is not None}
            self._held = preloaded if len(preloaded) == len(committees) else load_held(
                committees, self.as_of)
        return self._held.get(committee.id, [])

    def _reported_items(self) -> set[tuple[int, str]]:
        """(meeting id, workgroup key) of each report-back item of the committees' held
        meetings up to as_of: the only meetings the rules ask about. Read with them
        (meetings.health.load_held): no query of its own."""
        if self._reported is None:
            self._reported = {(meeting.id, key) for committee in self.committees.values()
                              for meeting in self.held(committee) for key in meeting.reported}
        return self._reported

    def reported(self, meeting: Meeting, workgroup: Workgroup) -> bool:
        """Whether the meeting's agenda had a report-back item linked to the workgroup."""
        return (meeting.id, workgroup.key) in self._reported_items()

    def last_report_backs(self, committee: Committee, before: datetime) -> dict[str, datetime]:
        """workgroup key -> start of the committee's last held meeting that started before
        `before` with a report-back item linked to it (before: within as_of).

        From the held meetings and report-back items the rules read: no query of its own.
        """
        reported = self._reported_items()
        last: dict[str, datetime] = {}
        for meeting in self.held(committee):  # oldest first
            if meeting.starts_at >= before:
                break
            for key in self.workgroups:
                if (meeting.id, key) in reported:
                    last[key] = meeting.starts_at
        return last


_source: ContextVar[_Source | None] = ContextVar("workgroup_health_source", default=None)


@contextmanager
def preloaded(workgroups: Iterable[Workgroup], as_of: date) -> Iterator[None]:
    """Within this block the rules read what they need for all these workgroups at once."""
    workgroups = list(workgroups)
    current = _source.get()
    if current is not None and current.covers(workgroups, as_of):
        yield
        return
    token = _source.set(_Source(workgroups, as_of))
    try:
        yield
    finally:
        _source.reset(token)


def read_once(workgroups: Iterable[Workgroup], as_of: date) -> _Source:
    """What the rules read for these workgroups on as_of, read on first use and kept: to
    share between callers with sharing()."""
    return _Source(workgroups, as_of)


@contextmanager
def sharing(source: _Source) -> Iterator[None]:
    """Within this block the rules of source's workgroups read from it (see read_once)."""
    token = _source.set(source)
    try:
        yield
    finally:
        _source.reset(token)


@cache
def _items_and_updates_query():
    """read_with_actions' statement, built once: a workgroup's action items (bound "key"),
    each with every update's instant and status (None for a note), oldest first; on
    every row, the ids of the committee's (bound "committee_id") meetings that had a
    report-back item of it ("3,17", or None). One row without an item if it has none."""
    reported = (select(func.aggregate_strings(cast(AgendaItem.meeting_id, String), ","))
                .join(Meeting, Meeting.id == AgendaItem.meeting_id)
                .where(AgendaItem.kind == "report_back",
                       Meeting.committee_id == bindparam("committee_id"),
                       AgendaItem.workgroup_key == bindparam("key"))
                .scalar_subquery())
    return (select(reported, ActionItem, ActionUpdate.at, ActionUpdate.status)
            .select_from(Workgroup)
            .outerjoin(ActionItem, ActionItem.workgroup_key == Workgroup.key)
            .outerjoin(ActionUpdate, ActionUpdate.action_id == ActionItem.id)
            .where(Workgroup.key == bindparam("key"))
            .order_by(ActionItem.id, ActionUpdate.at, ActionUpdate.id))


@contextmanager
def read_with_actions(workgroup: Workgroup, as_of: date) -> Iterator[list[ActionItem]]:
    """All the workgroup's action items; within this block its rules read them from there.

    Its page lists every action item and shows its health, which reads the same
    items' status changes, when one was last updated and the meetings it
    reported back at: one query for the four. The rules are handed every
    item, not only those due before as_of (_Source.actions leaves the others
    out in SQL): actions_overdue skips them itself.
    """
    source = _Source([workgroup], as_of)
    end = _end_of(source.committees.values(), as_of)
    items: dict[int, ActionItem] = {}
    records: list[ActionRecord] = []
    latest: datetime | None = None
    reported = None
    for meetings, action, at, status in db.session.execute(_items_and_updates_query(), {
            "key": workgroup.key, "committee_id": workgroup.committee.id}):
        reported = meetings  # the same on every row
        if action is None:  # no action items
            break
        if action.id not in items:  # rows come by action item
            items[action.id] = action
            records.append(ActionRecord(action.due, action.status, action.created_at, []))
        if at is not None:
            if status is not None:
                records[-1].updates.append(UpdateRecord(at, status))
            if at < end and (latest is None or at > latest):
                latest = at
    source._actions = {workgroup.key: records}
    source._latest = {workgroup.key: latest} if latest is not None else {}
    source._reported = {(int(meeting_id), workgroup.key)
                        for meeting_id in (reported or "").split(",") if meeting_id}
    with sharing(source):
        yield list(items.values())


def _source_for(workgroup: Workgroup, as_of: date) -> _Source:
    current = _source.get()
    # current.covers([workgroup], as_of), spelt out: every rule of every workgroup asks
    if (current is not None and current.as_of == as_of
            and current.workgroups.get(workgroup.key) is workgroup):
        return current
    return _Source([workgroup], as_of)


WorkgroupRule = Callable[[Workgroup, date, _Source], date | None]


def _open_only(fn: WorkgroupRule) -> Callable[[Workgroup, date], date | None]:
    """since() of a rule that judges only workgroups open on the as-of date."""

    def since(workgroup: Workgroup, as_of: date) -> date | None:
        source = _source_for(workgroup, as_of)
        if not source.open_on(workgroup):
            return None
        return fn(workgroup, as_of, source)

    since.__name__ = fn.__name__
    since.__doc__ = fn.__doc__
    return since


# --- no_update ----------------------------------------------------------------------


def last_activity(workgroup: Workgroup, as_of: date, source: _Source | None = None) -> date:
    """The date of the workgroup's last activity up to as_of.

    Activity: its creation, an update of the workgroup, an update of one of
    its action items, a milestone marked done, a PDSA phase change under its goals.
    """
    source = source or _source_for(workgroup, as_of)
    instants = [workgroup.created_at]
    instants += [update.at for update in workgroup.updates]
    instants += [m.done_at for goal in workgroup.goals for m in goal.milestones
                 if m.done_at is not None]
    latest_action = source.latest_update(workgroup)
    if latest_action is not None:
        instants.append(latest_action)
    # The latest instant up to as_of has the latest date up to as_of: one date to work out.
    end = end_of_day(workgroup.committee, as_of)
    latest = max((i for i in instants if i < end), default=None)
    # A PDSA phase change under the workgroup's goals is activity too (a date already).
    from govtrack.pdsa.health import phase_change_days

    days = ([day_of(workgroup, latest)] if latest is not None else []) + phase_change_days(
        workgroup, as_of)
    created = day_of(workgroup, workgroup.created_at)
    return max((d for d in days if d <= as_of), default=created)


@_open_only
def no_update(workgroup: Workgroup, as_of: date, source: _Source) -> date | None:
    """No activity for N days (the committee's stall_after_days)."""
    since = last_activity(workgroup, as_of, source) + timedelta(
        days=workgroup.committee.stall_after_days)
    return since if since <= as_of else None


# --- milestone_overdue ----------------------------------------------------------------


def _milestone_open_on(workgroup: Workgroup, milestone: Milestone, day: date) -> bool:
    """Open on day: open now, or marked done after day. A cancelled one never counts."""
    if milestone.status == "open":
        return True
    return (milestone.status == "done" and milestone.done_at is not None
            and day_of(workgroup, milestone.done_at) > day)


def _dues(workgroup: Workgroup, milestone: Milestone) -> list[tuple[date | None, date]]:
    """(first day, due date) of each due date the milestone had, oldest first.

    A re-dating takes effect on its own day: the health "as of" a day before it
    judges the milestone against the date it had then, not the current one.
    """
    changes = sorted(milestone.due_changes, key=lambda c: c.at)
    if not changes:
        return [(None, milestone.due)]
    return [(None, changes[0].old_due)] + [(day_of(workgroup, c.at), c.new_due)
                                           for c in changes]


def _due_on(dues: list[tuple[date | None, date]], day: date) -> date:
    """The due date in force on day."""
    return [due for start, due in dues if start is None or start <= day][-1]


@_open_only
def milestone_overdue(workgroup: Workgroup, as_of: date, source: _Source) -> date | None:
    """An open milestone is due before D (by the due date it had on D)."""
    milestones = [(m, _dues(workgroup, m)) for goal in workgroup.goals for m in goal.milestones]
    # an open milestone never re-dated is overdue from the day after its due date on,
    # for good: only the earliest such day matters; the rest are judged day by day
    first = min((m.due + ONE_DAY for m, dues in milestones
                 if m.status == "open" and len(dues) == 1), default=None)
    others = [(m, dues) for m, dues in milestones if not (m.status == "open" and len(dues) == 1)]

    def holds(day: date) -> bool:
        if first is not None and first <= day:
            return True
        return any(_due_on(dues, day) < day and _milestone_open_on(workgroup, m, day)
                   for m, dues in others)

    changes = [d + timedelta(days=1) for _, dues in milestones for _, d in dues]
    changes += [start for _, dues in milestones for start, _ in dues if start is not None]
    changes += [day_of(workgroup, m.done_at) for m, _ in milestones if m.done_at is not None]
    since = run_start(holds, changes, as_of)
    return since


# --- actions_overdue ------------------------------------------------------------------


def _status_changes(workgroup: Workgroup, action: ActionItem) -> list[tuple[date, str]]:
    """(date, status) of each status change in the action's log, oldest first."""
    return sorted(((day_of(workgroup, u.at), u.status) for u in action.updates
                   if u.status is not None), key=lambda change: change[0])


def _status_from(created: date, changes: list[tuple[date, str]], status: str,
                 day: date) -> str | None:
    """An action's status on day, from its creation date, logged changes and status now."""
    if created > day:
        return None
    if not changes or changes[-1][0] <= day:
        return status
    on_day = "open"
    for when, after in changes:
        if when > day:
            break
        on_day = after
    return on_day


def action_status_on(workgroup: Workgroup, action: ActionItem, day: date) -> str | None:
    """The action's status on day, from its log; None before it was created.

    A new action item is open; each logged status change holds from its date;
    after the last one, the status is the action's own (the log may lack
    changes made before govtrack kept it).
    """
    return _status_from(day_of(workgroup, action.created_at),
                        _status_changes(workgroup, action), action.status, day)


@_open_only
def actions_overdue(workgroup: Workgroup, as_of: date, source: _Source) -> date | None:
    """Two or more of its open, in-progress or blocked action items are due before D."""
    # Each action's history is read once, not once for every day judged: it becomes
    # the days its overdue runs start (+1) and end (-1), and a day's count of overdue
    # items is the sum of those up to it (one bisection per day judged).
    zone = ZoneInfo(workgroup.committee.timezone)
    events: dict[date, int] = {}
    counted = 0
    changes: list[date] = []
    for action in source.actions(workgroup):
        due = action.due
        if due is None or due >= as_of:
            continue  # never overdue on a day up to as_of
        logged = [(u.at.astimezone(zone).date(), u.status) for u in action.updates
                  if u.status is not None]
        if not isinstance(action, ActionRecord):  # rows come oldest first already
            logged.sort(key=itemgetter(0))
        status = action.status
        if status not in OPEN_STATUSES and (not logged or logged[-1][0] <= due + ONE_DAY):
            # from the day after its due date on, its status is its own (not open):
            # it is never overdue, so it changes nothing (nor do its days)
            continue
        created = action.created_at.astimezone(zone).date()
        changes.append(due + ONE_DAY)
        changes.append(created)
        counted += 1
        if logged:
            changes += [when for when, _ in logged]
            _overdue_runs(events, due, created, logged, status)
        else:
            # open from its creation on, and due before day: overdue from the later, for good
            start = max(due + ONE_DAY, created)
            events[start] = events.get(start, 0) + 1

    if counted < OVERDUE_ACTIONS:
        return None
    days = sorted(events)
    overdue_from = list(accumulate(events[d] for d in days))

    def holds(day: date) -> bool:
        n = bisect_right(days, day)
        return n > 0 and overdue_from[n - 1] >= OVERDUE_ACTIONS

    since = run_start(holds, changes, as_of)
    return since


def _overdue_runs(events: dict[date, int], due: date, created: date,
                  logged: list[tuple[date, str]], status: str) -> None:
    """Add to events (day -> change in the count of overdue items) the runs of days on which
    the action is overdue: due before the day and open, in progress or blocked then.

    Whether it is changes only on its creation date, on the day after its due date and on
    the dates of its logged status changes: each stretch is judged by its first day.
    """
    later = due + ONE_DAY
    points = sorted({created, *(d for d in (later, *(when for when, _ in logged))
                                if d > created)})
    overdue = False
    # the status on each point, as _status_from says, in one sweep of the log (days and log
    # both oldest first, no point before created): the last change up to the day ("open"
    # before any), the action's own from the last change's day on
    last_change = logged[-1][0]
    count = len(logged)
    seen = 0
    on_day = "open"
    for day in points:
        while seen < count and logged[seen][0] <= day:
            on_day = logged[seen][1]
            seen += 1
        now = due < day and (status if last_change <= day else on_day) in OPEN_STATUSES
        if now != overdue:
            events[day] = events.get(day, 0) + (1 if now else -1)
            overdue = now


# --- missed_report_backs --------------------------------------------------------------


@_open_only
def missed_report_backs(workgroup: Workgroup, as_of: date, source: _Source) -> date | None:
    """Reporting at every meeting, it had no report-back item at the last two held meetings.

    Only meetings that started after the workgroup was created count.
    """
    if workgroup.report_back != "every_meeting":
        return None
    created = workgroup.created_at
    held = [m for m in source.held(workgroup.committee) if m.starts_at > created]
    missed: list[Meeting] = []
    for meeting in reversed(held):
        if source.reported(meeting, workgroup):
            break
        missed.append(meeting)
    if len(missed) < MISSES:
        return None
    # missed runs newest first; the run's second meeting is the one that made it two
    return meeting_day(missed[-MISSES])


# --- attendance_falling ---------------------------------------------------------------


def workgroup_members_on(workgroup: Workgroup) -> Callable[[Meeting], set[int]]:
    """People expected of a workgroup at a committee meeting.

    Its members who sit on the committee on the meeting's date (observers
    aside, as for the committee's own attendance rule).
    """
    members = {person.id for person in workgroup.members}

    def expected(meeting: Meeting) -> set[int]:
        return members & expected_at(meeting)

    return expected


@_open_only
def attendance_falling(workgroup: Workgroup, as_of: date, source: _Source) -> date | None:
    """Its members come less to the committee: under half, or 25 points down.

    Judged over the committee's held meetings that started after the workgroup
    was created, as missed_report_backs is: before that nobody was its member.
    """
    held = [m for m in source.held(workgroup.committee) if m.starts_at > workgroup.created_at]
    since = attendance_falling_since(held, workgroup_members_on(workgroup), as_of,
                                     workgroup.committee)
    return since


PRELOADERS = (Preloader("workgroup", preloaded),)

RULES = (
    Rule("workgroup", "no_update",
         "No update, milestone or action activity for {days} days", no_update,
         threshold=lambda workgroup: workgroup.committee.stall_after_days,
         remedy="the lead posts an update on the workgroup's page"),
    Rule("workgroup", "milestone_overdue", "A milestone is overdue", milestone_overdue,
         remedy="mark the milestone done, or agree a new due date"),
    Rule("workgroup", "actions_overdue", "Two or more action items are overdue",
         actions_overdue, remedy="the owners update their action items or agree new dates"),
    Rule("workgroup", "missed_report_backs",
         "No report-back at the last two committee meetings", missed_report_backs,
         remedy="the lead reports back at this meeting"),
    Rule("workgroup", "attendance_falling", "Its members' attendance is falling",
         attendance_falling,
         remedy="ask the members whether the meeting time works, or renew the membership"),
)
