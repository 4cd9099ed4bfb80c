"""Meeting records the permission matrix and other shared tests need (a helper module)."""

from govtrack.extensions import db
from govtrack.meetings import services


def backlog_entry(cast):
    """An item waiting on the cast committee's backlog."""
    entry = services.to_backlog(None, cast["committee"], source="test:backlog",
                                title="Bed data", kind="discussion", minutes=10)
    db.session.commit()
    return entry


def standing_item(cast):
    """A standing item of the cast committee."""
    item = services.add_standing_item(None, cast["committee"], title="Public comment",
                                      kind="information", minutes=10, placement="end")
    db.session.commit()
    return item


def minuted_action(cast):
    """An action item created while minuting the cast meeting, owned by the member."""
    action = services.add_minuted_action(None, cast["meeting"], title="Send bed data",
                                         owner=cast["member"].person, due=None)
    db.session.commit()
    return action


def motion(cast):
    """A motion recorded at the cast meeting, moved by the member."""
    from govtrack.meetings.models import Motion

    recorded = Motion(meeting=cast["meeting"], text="Adopt the protocol",
                      mover=cast["member"].person, result="carried")
    db.session.add(recorded)
    db.session.commit()
    return recorded
