"""The action items' part of an early hand-over of the chair."""

from sqlalchemy import select

from govtrack import audit
from govtrack.actions.models import OPEN_STATUSES, ActionItem
from govtrack.chairs.handover import HandoverStep
from govtrack.extensions import db


def reassign_open_actions(actor, committee, outgoing, incoming, on) -> list[str]:
    """The outgoing chair's open action items move to the interim chair."""
    actions = db.session.scalars(select(ActionItem).where(
        ActionItem.committee_id == committee.id, ActionItem.owner_id == outgoing.id,
        ActionItem.status.in_(OPEN_STATUSES))).all()
    for action in actions:
        action.owner = incoming
        audit.record(actor, "update", action, committee=committee,
                     changes={"owner": [outgoing.name, incoming.name]})
    return [f"{len(actions)} open action items move to {incoming.name}."] if actions else []


STEP = HandoverStep("The outgoing chair's open action items move to the interim chair.",
                    reassign_open_actions)
