"""Imports every feature's models so that SQLAlchemy and Alembic see all tables."""

from govtrack.accounts.models import Account, LoginAttempt, LoginSession
from govtrack.agencies.models import Agency, Person
from govtrack.audit.models import AuditEntry
from govtrack.chairs.models import ChairTerm, RotationPolicy
from govtrack.committees.models import Committee, Membership, StageChange

__all__ = ["Account", "Agency", "AuditEntry", "ChairTerm", "Committee", "LoginAttempt",
           "LoginSession", "Membership", "Person", "RotationPolicy", "StageChange"]
