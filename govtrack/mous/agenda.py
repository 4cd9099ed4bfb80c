"""The MOUs' agenda sources: signatures stalled, MOUs expiring, MOUs lapsed.

Agreements negotiated for months die at the signature stage or quietly run
out when nobody tracks them: the health flags put each on the agenda.
"""

from datetime import date, timedelta

from govtrack.health.services import flags_for
from govtrack.meetings.agenda_sources import AgendaSource, Draft, Proposed
from govtrack.meetings.services import judged_on
from govtrack.mous.health import MouRecord, flaggable_mou_records

#: flag code -> (source key prefix, title, kind, minutes)
_ITEMS = {
    "signature_stalled": ("mou-signature", "Signatures awaited: {title}", "discussion", 10),
    "expiring": ("mou-expiring", "MOU expiring: {title}", "decision", 10),
    "lapsed": ("mou-lapsed", "MOU lapsed: {title}", "decision", 10),
}


def _awaiting(mou: MouRecord, as_of: date) -> list[str]:
    signed = {agency_id for agency_id, event in mou.signed_parties().items()
              if event.at.date() <= as_of}
    return sorted(mou.party_names[a] for a in mou.parties if a not in signed)


def _mous(draft: Draft) -> list[Proposed]:
    """The committee's MOUs whose signatures stalled, that expire soon, or that lapsed."""
    meeting, day = draft.meeting, draft.day
    as_of = judged_on(meeting, day)
    # only an MOU out for signature or expiring by then can hold a flag: the rules read
    # those (the committee is the meeting's) as rows
    ahead = meeting.committee.threshold("mou_expiring_days")
    mous = flaggable_mou_records(meeting.committee, as_of + timedelta(days=ahead))
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
