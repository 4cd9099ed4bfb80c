"""The health snapshot: the latest county health report, kept as rows.

Judging every committee, workgroup and MOU takes seconds at county scale
and tens of seconds nationally, too long for a page. The scheduler writes
the report here after each sweep (govtrack.health.snapshot), and the county
view reads it in a few queries: one row per committee (with the sectors of
its member agencies and the codes it holds, to filter by) and one per flag.
"""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from govtrack.db_types import UTCDateTime
from govtrack.extensions import db


class HealthSnapshot(db.Model):
    """One county health report as the rules judged it on as_of, written at taken_at."""

    __tablename__ = "health_snapshot"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the day the rules judged (today in UTC when it was taken)
    as_of: Mapped[date] = mapped_column(Date)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class SnapshotCommittee(db.Model):
    """A committee in a snapshot, with the sectors of its member agencies on as_of."""

    __tablename__ = "health_snapshot_committee"
    #: the flags' filters find a committee's row by both (one scan per flag without it)
    __table_args__ = (Index("ix_health_snapshot_committee", "snapshot_id", "committee_id",
                            unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(
        ForeignKey("health_snapshot.id", ondelete="CASCADE"))
    committee_id: Mapped[int] = mapped_column(ForeignKey("committee.id", ondelete="CASCADE"))
    #: the sector keys, each between spaces (" courts health "): a sector filters by LIKE
    sectors: Mapped[str] = mapped_column(String(600), default=" ")
    #: the codes of the committee's own flags, and of its workgroups' flags, each between
    #: spaces: a flag filters by LIKE here, not by a search of the national 30,000 flags
    committee_codes: Mapped[str] = mapped_column(String(600), default=" ")
    workgroup_codes: Mapped[str] = mapped_column(String(600), default=" ")


class SnapshotFlag(db.Model):
    """A flag that held on the snapshot's as_of: a committee's, a workgroup's or an MOU's."""

    __tablename__ = "health_snapshot_flag"
    __table_args__ = (Index("ix_health_snapshot_flag_committee", "snapshot_id", "committee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(
        ForeignKey("health_snapshot.id", ondelete="CASCADE"))
    #: committee, workgroup or mou: the kind of record the rule judged
    about: Mapped[str] = mapped_column(String(20))
    #: the committee, or the workgroup's; None for an MOU
    committee_id: Mapped[int | None] = mapped_column(
        ForeignKey("committee.id", ondelete="CASCADE"))
    workgroup_id: Mapped[int | None] = mapped_column(
        ForeignKey("workgroup.id", ondelete="CASCADE"))
    mou_id: Mapped[int | None] = mapped_column(ForeignKey("mou.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(60))
    since: Mapped[date] = mapped_column(Date)
    #: the rule's wording for this record (its own thresholds in it)
    words: Mapped[str] = mapped_column(String(300))
