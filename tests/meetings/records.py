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


def approval_item(cast):
    """The cast meeting's item approving the minutes of a meeting held a month before."""
    from datetime import timedelta

    from govtrack.meetings.models import Meeting

    meeting = cast["meeting"]
    earlier = Meeting(key=f"{meeting.key}-earlier", committee=cast["committee"],
                      starts_at=meeting.starts_at - timedelta(days=30), status="held")
    db.session.add(earlier)
    db.session.flush()
    item = services.add_item(None, meeting, title="Approve the minutes", kind="decision",
                             minutes=5, source=f"approve:{earlier.key}")
    db.session.commit()
    return item
