"""The MOUs' agenda sources: signatures stalled, MOUs expiring, MOUs lapsed.

Agreements negotiated for months die at the signature stage or quietly run
out when nobody tracks them: the health flags put each on the agenda.
"""

from datetime import date, timedelta
from functools import cache

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import joinedload, selectinload

from govtrack.extensions import db
from govtrack.health.services import flags_for
from govtrack.meetings.agenda_sources import AgendaSource, Draft, Proposed
from govtrack.meetings.services import judged_on
from govtrack.mous.models import Mou

#: flag code -> (source key prefix, title, kind, minutes)
_ITEMS = {
    "signature_stalled": ("mou-signature", "Signatures awaited: {title}", "discussion", 10),
    "expiring": ("mou-expiring", "MOU expiring: {title}", "decision", 10),
    "lapsed": ("mou-lapsed", "MOU lapsed: {title}", "decision", 10),
}


def _awaiting(mou: Mou, as_of: date) -> list[str]:
    signed = {agency_id for agency_id, event in mou.signed_parties().items()
              if event.at.date() <= as_of}
    return sorted(a.name for a in mou.parties if a.id not in signed)


@cache
def _mous_query():
    """_mous' statement, built once: SQLAlchemy keys its compiled-SQL cache by the statement,
    and working that key out for a fresh one with these loader options cost a few
    milliseconds (see meetings.views._meeting_query). Bound: "committee_id", "until"."""
    return (select(Mou).where(Mou.committee_id == bindparam("committee_id"),
                              or_(Mou.status == "out_for_signature",
                                  Mou.expires <= bindparam("until", type_=Mou.expires.type)))
            .options(joinedload(Mou.parties), selectinload(Mou.versions),
                     selectinload(Mou.events), selectinload(Mou.superseded_by))
            .order_by(Mou.title, Mou.id))


def _mous(draft: Draft) -> list[Proposed]:
    """The committee's MOUs whose signatures stalled, that expire soon, or that lapsed."""
    meeting, day = draft.meeting, draft.day
    as_of = judged_on(meeting, day)
    # only an MOU out for signature or expiring by then can hold a flag: the others are
    # not loaded with their parties, versions and events (the committee is the meeting's)
    ahead = meeting.committee.threshold("mou_expiring_days")
    mous = db.session.scalars(_mous_query(), {
        "committee_id": meeting.committee_id,
        "until": as_of + timedelta(days=ahead)}).unique()
    proposals = []
    for mou in mous:
        for flag in flags_for("mou", mou, as_of):
            prefix, title, kind, minutes = _ITEMS[flag.code]
            why = str(flag) + "."
            if flag.code == "signature_stalled":
                why += " Awaiting the signature of " + ", ".join(_awaiting(mou, as_of)) + "."
            if flag.remedy:
                why += f" Remedy: {flag.remedy}."
            proposals.append(Proposed(f"{prefix}:{mou.key}", title.format(title=mou.title),
                                      kind, minutes, refs={"mou_key": mou.key}, why=why,
                                      names={"mou_key": mou.title}))
    return proposals


AGENDA_SOURCES = (
    AgendaSource("MOUs awaiting signatures past their threshold, expiring or lapsed", _mous),)
