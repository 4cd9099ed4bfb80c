"""Writing and reading the health snapshot: the county's health without judging it per request.

`take` judges the county (health.services.judge_county, the same rules as
every page) and stores the result; the scheduler runs it after each sweep,
`flask govtrack health --snapshot` and `flask govtrack load-demo` on demand.
The county view reads the newest snapshot in a fixed number of queries;
each committee's own pages still judge it live.

A snapshot never changes once taken, so the county view's CSV (megabytes
nationally) is written once per snapshot and filter, as a file in the
instance folder that every worker serves (`rendering`). Taking the next
snapshot forgets the files; so does committing a rename, re-key or deletion
of a committee or workgroup, since the CSV shows their live keys and names
as the page does. A file being written when that happens is forgotten too,
and its writer writes it again (county_view.county_csv_download).
"""

from datetime import date, datetime
from pathlib import Path

from flask import current_app, has_app_context
from sqlalchemy import delete, event, func, insert, inspect, select, text
from sqlalchemy.orm import Session, joinedload

from govtrack.agencies.models import Person
from govtrack.clock import utcnow
from govtrack.committees.models import Committee, Membership
from govtrack.extensions import db
from govtrack.health.models import HealthSnapshot, SnapshotCommittee, SnapshotFlag
from govtrack.health.services import judge_county
from govtrack.workgroups.models import Workgroup

#: snapshots kept: a page that read the newest one's id while the next two were
#: written still finds its rows
KEEP = 3

#: the filter for any workgroup flag, whichever: "stalled workgroups"
STALLED = "stalled"


def take(now: datetime | None = None) -> HealthSnapshot:
    """Judge the county on now's day, store it as the newest snapshot, prune old ones; commits.

    A job, not a service (as the reminder sweep): it owns its transaction.
    The judging only reads, for seconds; that transaction ends before the
    writes start, so on SQLite a writer in between cannot make them fail.
    """
    now = now or utcnow()
    as_of = now.date()
    county = judge_county(as_of)
    sectors = member_sectors(as_of)
    db.session.rollback()
    snapshot = HealthSnapshot(as_of=as_of, taken_at=now)
    db.session.add(snapshot)
    db.session.flush()
    committees, flags = [], []
    for judged in county.committees:
        committee_id = judged.record.id
        flags += [_flag(snapshot, "committee", f, committee_id=committee_id)
                  for f in judged.flags]
        for workgroup in judged.workgroups:
            flags += [_flag(snapshot, "workgroup", f, committee_id=committee_id,
                            workgroup_id=workgroup.record.id) for f in workgroup.flags]
        committees.append({
            "snapshot_id": snapshot.id, "committee_id": committee_id,
            "sectors": _words(sectors.get(committee_id, ())),
            "committee_codes": _words(f.code for f in judged.flags),
            "workgroup_codes": _words(f.code for wg in judged.workgroups for f in wg.flags)})
    for mou in county.mous:
        flags += [_flag(snapshot, "mou", f, mou_id=mou.record.id) for f in mou.flags]
    if committees:
        db.session.execute(insert(SnapshotCommittee), committees)
    if flags:
        db.session.execute(insert(SnapshotFlag), flags)
    prune()
    if db.session.get_bind().dialect.name == "postgresql":
        # PostgreSQL plans the county view's queries by these statistics: until they know
        # the new snapshot's id (autovacuum takes a minute or more) it expects no rows
        # and reads all 30,000 national flags for a page's 25 committees (50 ms, not 1)
        db.session.execute(text("ANALYZE health_snapshot_committee, health_snapshot_flag"))
    db.session.commit()
    forget_renderings()
    return snapshot


def _words(words) -> str:
    """Distinct words, sorted, each between spaces: what a LIKE " word " finds."""
    return " " + "".join(f"{word} " for word in sorted(set(words)))


def _flag(snapshot: HealthSnapshot, about: str, flag, *, committee_id=None, workgroup_id=None,
          mou_id=None) -> dict:
    return {"snapshot_id": snapshot.id, "about": about, "committee_id": committee_id,
            "workgroup_id": workgroup_id, "mou_id": mou_id, "code": flag.code,
            "since": flag.since, "words": flag.words[:300]}


def member_sectors(day: date) -> dict[int, set[str]]:
    """committee id -> the sectors of the agencies of its members on day."""
    found: dict[int, set[str]] = {}
    memberships = db.session.scalars(
        select(Membership).where(Membership.start <= day,
                                 Membership.end.is_(None) | (Membership.end >= day))
        .options(joinedload(Membership.person).joinedload(Person.account),
                 joinedload(Membership.person).joinedload(Person.agency)))
    for membership in memberships:
        if membership.holds_on(day):
            found.setdefault(membership.committee_id, set()).add(
                membership.person.agency.sector)
    return found


def prune(keep: int = KEEP) -> int:
    """Forget every snapshot but the newest keep; how many were forgotten."""
    old = list(db.session.scalars(
        select(HealthSnapshot.id).order_by(HealthSnapshot.taken_at.desc(),
                                           HealthSnapshot.id.desc()).offset(keep)))
    if old:
        for model in (SnapshotFlag, SnapshotCommittee, HealthSnapshot):
            column = model.id if model is HealthSnapshot else model.snapshot_id
            db.session.execute(delete(model).where(column.in_(old)),
                               execution_options={"synchronize_session": False})
    return len(old)


# -- renderings: the county view's CSV, written once per snapshot ----------------

#: the instance folder's subfolder of the renderings of the newest snapshot
RENDERINGS = "health-snapshot"


def rendering(snapshot: HealthSnapshot, name: str) -> Path:
    """Where the rendering called name (a filter, say) of snapshot is kept, once written.

    The time it was taken is in the file name as well as the id: a database
    rebuilt from scratch counts its ids from 1 again.
    """
    return Path(current_app.instance_path) / RENDERINGS / f"{_stem(snapshot)}{name}"


def _stem(snapshot: HealthSnapshot) -> str:
    return f"{snapshot.id}-{snapshot.taken_at:%Y%m%dT%H%M%S%f}-"


def forget_renderings(older_than: HealthSnapshot | None = None) -> None:
    """Delete every rendering, or those of snapshots older than older_than: only the
    newest snapshot's are served, and only while the names they show are the live ones.

    The web app forgets older snapshots' when it writes a newer one's, in case the
    snapshot was taken where this instance folder is not.
    """
    if not has_app_context():
        return
    folder = Path(current_app.instance_path) / RENDERINGS
    for path in folder.iterdir() if folder.is_dir() else ():
        if older_than is None or _older(path.name, older_than):
            path.unlink(missing_ok=True)


def _older(name: str, snapshot: HealthSnapshot) -> bool:
    """Whether the rendering called name is of a snapshot taken before snapshot."""
    number = name.partition("-")[0]
    return not number.isdigit() or int(number) < snapshot.id


#: a committee's or workgroup's attributes a rendering shows
_SHOWN = ("key", "name")


@event.listens_for(Session, "before_flush")
def _note_renames(session, _context, _instances) -> None:
    """Note a committee or workgroup renamed, re-keyed or deleted in this transaction."""
    for record in session.deleted:
        if isinstance(record, Committee | Workgroup):
            session.info["renderings_stale"] = True
            return
    for record in session.dirty:
        if isinstance(record, Committee | Workgroup):
            attrs = inspect(record).attrs
            if any(attrs[name].history.has_changes() for name in _SHOWN):
                session.info["renderings_stale"] = True
                return


@event.listens_for(Session, "after_commit")
def _forget_after_renames(session) -> None:
    """Forget the renderings once a rename noted by _note_renames is committed."""
    if session.info.pop("renderings_stale", False):
        forget_renderings()


@event.listens_for(Session, "after_rollback")
def _nothing_renamed(session) -> None:
    session.info.pop("renderings_stale", None)


# -- reading ------------------------------------------------------------------

def latest() -> HealthSnapshot | None:
    """The newest snapshot, or None before the first one is taken."""
    return db.session.scalar(select(HealthSnapshot).order_by(
        HealthSnapshot.taken_at.desc(), HealthSnapshot.id.desc()).limit(1))


def _matching(snapshot: HealthSnapshot, code: str | None, sector: str | None) -> list:
    """The conditions on SnapshotCommittee of the committees shown for ?flag= and ?sector=.

    A code matches a committee holding that flag or with a workgroup that
    does; STALLED, a committee with any workgroup flag.
    """
    where = [SnapshotCommittee.snapshot_id == snapshot.id]
    if sector:
        where.append(SnapshotCommittee.sectors.contains(f" {sector} ", autoescape=True))
    if code == STALLED:
        where.append(SnapshotCommittee.workgroup_codes != " ")
    elif code:
        held = f" {code} "
        where.append(SnapshotCommittee.committee_codes.contains(held, autoescape=True)
                     | SnapshotCommittee.workgroup_codes.contains(held, autoescape=True))
    return where


def count_committees(snapshot: HealthSnapshot, code: str | None = None,
                     sector: str | None = None) -> int:
    """How many committees of the snapshot the filters keep."""
    return db.session.scalar(select(func.count()).select_from(SnapshotCommittee).where(
        *_matching(snapshot, code, sector)))


def committees(snapshot: HealthSnapshot, code: str | None = None, sector: str | None = None,
               offset: int = 0, limit: int | None = None) -> list[tuple[Committee, str]]:
    """(committee, its sectors) the filters keep, by name: one query."""
    query = (select(Committee, SnapshotCommittee.sectors)
             .join(SnapshotCommittee, SnapshotCommittee.committee_id == Committee.id)
             .where(*_matching(snapshot, code, sector))
             .order_by(Committee.name, Committee.id).offset(offset).limit(limit))
    return [(c, sectors) for c, sectors in db.session.execute(query)]


def committee_flags(snapshot: HealthSnapshot, committee_ids: list[int] | None = None,
                    code: str | None = None, sector: str | None = None) -> list:
    """The committee and workgroup flags of these committees (or of all the filters keep).

    Rows of (about, code, since, words, committee id, committee key, committee name,
    workgroup key, workgroup name), in no particular order: one query, of plain
    rows (a national CSV has tens of thousands).
    """
    committee_join = Committee.id == SnapshotFlag.committee_id
    workgroup_join = Workgroup.id == SnapshotFlag.workgroup_id
    if committee_ids is not None:
        # the same committees, said of each table: PostgreSQL then reads a page's few
        # committees and workgroups by index, not all 3,000 and 15,000 of them
        committee_join &= Committee.id.in_(committee_ids)
        workgroup_join &= Workgroup.committee_id.in_(committee_ids)
    query = (select(SnapshotFlag.about, SnapshotFlag.code, SnapshotFlag.since,
                    SnapshotFlag.words, SnapshotFlag.committee_id, Committee.key,
                    Committee.name, Workgroup.key, Workgroup.name)
             .join(Committee, committee_join)
             .outerjoin(Workgroup, workgroup_join)
             .where(SnapshotFlag.snapshot_id == snapshot.id,
                    SnapshotFlag.about.in_(("committee", "workgroup"))))
    if committee_ids is not None:
        query = query.where(SnapshotFlag.committee_id.in_(committee_ids))
    else:
        query = query.join(SnapshotCommittee, (
            SnapshotCommittee.snapshot_id == SnapshotFlag.snapshot_id)
            & (SnapshotCommittee.committee_id == SnapshotFlag.committee_id)).where(
            *_matching(snapshot, code, sector))
    # plain rows through the session's connection: the ORM's row handling costs a
    # sixth of a national CSV and adds nothing to columns
    return db.session.connection().execute(query).all()
