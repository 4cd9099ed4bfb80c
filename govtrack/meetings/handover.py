"""The meetings' part of an early hand-over of the chair: draft agendas."""

from sqlalchemy import select

from govtrack import audit
from govtrack.chairs.handover import HandoverStep
from govtrack.extensions import db
from govtrack.meetings.models import AgendaItem, Meeting


def reassign_draft_items(actor, committee, outgoing, incoming, on) -> list[str]:
    """Items of draft agendas the outgoing chair was to present pass to the interim chair."""
    items = db.session.scalars(select(AgendaItem).join(Meeting).where(
        Meeting.committee_id == committee.id, Meeting.agenda_status == "draft",
        Meeting.status == "scheduled", AgendaItem.presenter_id == outgoing.id)).all()
    for item in items:
        item.presenter = incoming
        audit.record(actor, "update", item, committee=committee,
                     changes={"presenter": [outgoing.name, incoming.name]})
    if not items:
        return []
    return [f"{len(items)} items of draft agendas are now presented by {incoming.name}."]


STEP = HandoverStep("Items of draft agendas the outgoing chair was to present pass to the "
                    "interim chair.", reassign_draft_items)
