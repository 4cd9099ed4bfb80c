"""A notification for tests."""

import itertools

from govtrack.extensions import db
from govtrack.notifications.services import notify

_counter = itertools.count(1)


def make_notification(person, subject="Please sign the MOU", key=None, committee=None):
    """A notice in person's inbox (about committee, when given)."""
    notification = notify(person, key or f"test:{next(_counter)}:{person.id}", subject,
                          "It awaits your agency.", "/mous/",
                          committee_id=committee.id if committee else None)
    db.session.commit()
    return notification
