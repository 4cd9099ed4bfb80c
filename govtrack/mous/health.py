"""The MOU health rules of DESIGN.md: signature_stalled, expiring and lapsed.

An MOU negotiated for months can still die at the signature stage or quietly
run out; these flags put both on the agenda in time.
"""

from datetime import date, timedelta

from sqlalchemy.orm import selectinload

from govtrack.health.rules import Rule
from govtrack.mous.models import EXECUTED_STATUSES, Mou

#: days out for signature before the signatures count as stalled
STALL_DAYS = 30
#: days before expiry from which an executed MOU is expiring
EXPIRING_DAYS = 90


def _days(mou: Mou, name: str, default: int) -> int:
    """The sponsoring committee's threshold; the default for an MOU without one."""
    return mou.committee.threshold(name) if mou.committee is not None else default


def _signed_by(mou: Mou, as_of: date) -> set[int]:
    """Parties whose signature of the current version was given up to as_of."""
    return {agency_id for agency_id, event in mou.signed_parties().items()
            if event.at.date() <= as_of}


def signature_stalled(mou: Mou, as_of: date) -> date | None:
    """Out for signature 30 days or more without every party's signature."""
    sent = mou.current.sent_for_signature_at
    if mou.status != "out_for_signature" or sent is None:
        return None
    since = sent.date() + timedelta(days=_days(mou, "mou_stall_days", STALL_DAYS))
    if as_of < since or len(_signed_by(mou, as_of)) == len(mou.parties):
        return None
    return since


def _renewals(mou: Mou, as_of: date) -> list[Mou]:
    """MOUs that name this one in `supersedes`, created up to as_of."""
    return [m for m in mou.superseded_by if m.created_at.date() <= as_of]


def expiring(mou: Mou, as_of: date) -> date | None:
    """Executed, expires within 90 days after D, and no renewal is in progress."""
    if mou.status != "executed" or mou.expires is None:
        return None
    ahead = _days(mou, "mou_expiring_days", EXPIRING_DAYS)
    if not as_of <= mou.expires <= as_of + timedelta(days=ahead):
        return None
    if any(m.status != "terminated" for m in _renewals(mou, as_of)):
        return None
    return mou.expires - timedelta(days=ahead)


def lapsed(mou: Mou, as_of: date) -> date | None:
    """Its expiry date is before D and no executed renewal supersedes it."""
    if mou.expires is None or mou.expires >= as_of:
        return None
    if any(m.status in EXECUTED_STATUSES and m.executed_at is not None
           and m.executed_at.date() <= as_of for m in _renewals(mou, as_of)):
        return None
    return mou.expires + timedelta(days=1)


def report_loading() -> tuple:
    """Loader options for what the MOU rules read: parties, versions, events, renewals.

    Not the people and committees an MOU's page shows (services.mou_loading).
    """
    return (selectinload(Mou.parties), selectinload(Mou.versions), selectinload(Mou.events),
            selectinload(Mou.superseded_by), selectinload(Mou.committee))


RULES = (
    Rule("mou", "signature_stalled", "Signatures stalled", signature_stalled,
         remedy="the committee asks the parties still to sign for a date"),
    Rule("mou", "expiring", "Expiring", expiring,
         remedy="decide whether to renew it, and who drafts the renewal"),
    Rule("mou", "lapsed", "Lapsed", lapsed,
         remedy="renew it, or record that it ended"),
)
