"""The meetings' own agenda sources: standing items, approving the last minutes, the backlog."""

from functools import cache
from types import SimpleNamespace

from sqlalchemy import Integer, String, bindparam, literal_column, null, select, union_all

from govtrack.actions.agenda import OVERDUE, overdue_by_owner
from govtrack.actions.models import ActionItem
from govtrack.agencies.models import people_by_id
from govtrack.db_types import UTCDateTime
from govtrack.extensions import db
from govtrack.meetings.agenda_sources import AgendaSource, Draft, Proposed
from govtrack.meetings.models import BacklogItem, Meeting, StandingItem
from govtrack.meetings.services import meeting_day, waiting

#: the parts of _committee_rows_query's rows
_STANDING, _LAST_HELD, _BACKLOG, _OVERDUE = range(4)
#: the records a backlog item links to, as on an agenda item
_REFS = ("workgroup_key", "mou_key", "pdsa_key", "measure_key")


def approve_source(meeting: Meeting) -> str:
    """The source key of the item that approves a meeting's minutes."""
    return f"approve:{meeting.key}"


@cache
def _committee_rows_query():
    """What the meetings' own sources and the overdue actions' read, as rows of one UNION
    ALL built once (see meetings.views._meeting_query): the committee's standing items in
    their order, its last held meeting before this one (whose minutes it approves), its
    backlog oldest first (services.backlog's), its open action items due before "day"
    counted by owner. Each part's rows in the same columns, told apart by "part".

    Bound: "committee_id", "starts_at", "day".
    """
    committee_id = bindparam("committee_id", type_=StandingItem.committee_id.type)

    def part(number, *, id=None, text=None, title=None, kind=None, minutes=None,
             placement=None, position=None, presenter_id=None, refs=(None,) * 4, why=None,
             at=None, approved_at=None):
        # columns typed by the first part, which names them (UNION takes its types)
        def typed(value, type_):
            return null().cast(type_) if value is None else value
        return select(literal_column(str(number), Integer).label("part"),
                      typed(id, Integer).label("id"), typed(text, String).label("text"),
                      typed(title, String).label("title"), typed(kind, String).label("kind"),
                      typed(minutes, Integer).label("minutes"),
                      typed(placement, String).label("placement"),
                      typed(position, Integer).label("position"),
                      typed(presenter_id, Integer).label("presenter_id"),
                      *(typed(ref, String).label(name)
                        for ref, name in zip(refs, _REFS, strict=True)),
                      typed(why, String).label("why"), typed(at, UTCDateTime).label("at"),
                      typed(approved_at, UTCDateTime).label("approved_at"))

    last = (select(Meeting.key, Meeting.starts_at, Meeting.minutes_approved_at)
            .where(Meeting.committee_id == committee_id, Meeting.status == "held",
                   Meeting.starts_at < bindparam("starts_at", type_=Meeting.starts_at.type))
            .order_by(Meeting.starts_at.desc(), Meeting.id.desc()).limit(1).subquery())
    # the overdue actions' source's rows too, counted by its own statement
    by_owner, owner_name = overdue_by_owner(
        committee_id, bindparam("day", type_=ActionItem.due.type))
    query = union_all(
        part(_STANDING, id=StandingItem.id, title=StandingItem.title, kind=StandingItem.kind,
             minutes=StandingItem.minutes, placement=StandingItem.placement,
             position=StandingItem.position).where(StandingItem.committee_id == committee_id),
        part(_LAST_HELD, text=last.c.key, at=last.c.starts_at,
             approved_at=last.c.minutes_approved_at),
        part(_BACKLOG, id=BacklogItem.id, text=BacklogItem.source, title=BacklogItem.title,
             kind=BacklogItem.kind, minutes=BacklogItem.minutes,
             presenter_id=BacklogItem.presenter_id,
             refs=[getattr(BacklogItem, name) for name in _REFS], why=BacklogItem.why,
             at=BacklogItem.created_at).where(*waiting(committee_id)),
        part(_OVERDUE, text=owner_name, minutes=by_owner.c.n).select_from(by_owner))
    # the standing items by position, then id; the backlog by when it was put there, then id
    return query.order_by(*(query.selected_columns[name]
                            for name in ("part", "position", "at", "id")))


def _committee_rows(draft: Draft) -> dict[int, list]:
    """part -> its rows, read once per draft for the standing items, the last minutes, the
    backlog and the overdue actions: one query where there were four (about a millisecond
    each)."""
    def read() -> dict[int, list]:
        parts = {_STANDING: [], _LAST_HELD: [], _BACKLOG: [], _OVERDUE: []}
        for row in db.session.execute(_committee_rows_query(), {
                "committee_id": draft.meeting.committee_id,
                "starts_at": draft.meeting.starts_at, "day": draft.day}):
            parts[row.part].append(row)
        # the overdue actions' source finds its rows shared: (owner's name, count)
        draft.shared(OVERDUE, lambda: [(row.text, row.minutes) for row in parts[_OVERDUE]])
        return parts
    return draft.shared("committee rows", read)


def _approve_last_minutes(draft: Draft) -> list[Proposed]:
    meeting = draft.meeting
    last = next(iter(_committee_rows(draft)[_LAST_HELD]), None)
    if last is None or last.approved_at is not None:  # its minutes locked
        return []
    held_on = meeting_day(SimpleNamespace(starts_at=last.at, committee=meeting.committee))
    return [Proposed(approve_source(SimpleNamespace(key=last.text)),
                     f"Approve the minutes of {held_on:%-d %B %Y}",
                     "decision", 5, why="The last meeting's minutes are not approved yet.")]


def _standing(placement: str):
    def propose(draft: Draft) -> list[Proposed]:
        return [Proposed(f"standing-{placement}:{item.id}", item.title, item.kind, item.minutes,
                         why="A standing item: the committee puts it on every agenda.")
                for item in _committee_rows(draft)[_STANDING] if item.placement == placement]
    return propose


def _backlog(draft: Draft) -> list[Proposed]:
    """Items waiting for a meeting: accepted requests, items not reached or carried."""
    entries = _committee_rows(draft)[_BACKLOG]
    presenters = people_by_id({e.presenter_id for e in entries if e.presenter_id is not None})
    return [Proposed(entry.text, entry.title, entry.kind, entry.minutes,
                     presenters.get(entry.presenter_id),
                     refs={name: getattr(entry, name) for name in _REFS if getattr(entry, name)},
                     why="On the backlog: " + (entry.why or "waiting for a meeting."))
            for entry in entries]


STANDING_OPENING = AgendaSource("Standing items that open every agenda", _standing("start"))
STANDING_CLOSING = AgendaSource("Standing items that close every agenda", _standing("end"))
APPROVE_MINUTES = AgendaSource("Approval of the last meeting's minutes", _approve_last_minutes)
BACKLOG = AgendaSource("The backlog: accepted requests, items not reached or carried", _backlog)
