"""Audit entries, written by every feature through audit.services.record()."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from govtrack.clock import utcnow
from govtrack.db_types import UTCDateTime
from govtrack.extensions import db


class AuditEntry(db.Model):
    """One create, update or delete, with the fields it changed."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    #: who it was in words, kept even if the account goes ("system" for imports)
    actor_label: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str] = mapped_column(String(60))
    object_id: Mapped[int | None]
    object_label: Mapped[str] = mapped_column(String(300))
    #: the committee whose history page shows this entry, if any
    committee_id: Mapped[int | None] = mapped_column(
        ForeignKey("committee.id", ondelete="SET NULL"), index=True)
    #: {field: [before, after]}
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    actor = relationship("Account")
