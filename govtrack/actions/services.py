"""Rules for action items: creating, updating, editing and reassigning them."""

from datetime import date

from govtrack import audit
from govtrack.actions.models import OPEN_STATUSES, STATUSES, ActionItem, ActionUpdate
from govtrack.agencies.models import Person
from govtrack.clock import today
from govtrack.editing import DomainError, StaleEdit, unique_key
from govtrack.extensions import db
from govtrack.notifications.services import notify


def create_action(actor, committee, *, title: str, owner: Person, due: date | None,
                  origin_kind: str = "other", origin_ref: str | None = None,
                  meeting=None, workgroup_key: str | None = None,
                  description: str = "") -> ActionItem:
    """Create an action item; its owner must sit on the committee."""
    if not any(m.person_id == owner.id and m.holds_on(today()) for m in committee.memberships):
        raise DomainError(f"{owner.name} is not a member of {committee.name}.", field="owner")
    action = ActionItem(key=unique_key(ActionItem, f"{committee.key}-{title}"[:60]),
                        committee=committee, title=title, owner=owner, due=due,
                        origin_kind=origin_kind, origin_ref=origin_ref,
                        meeting_id=meeting.id if meeting is not None else None,
                        workgroup_key=workgroup_key, description=description)
    db.session.add(action)
    audit.record(actor, "create", action, committee=committee)
    return action


def update_action(actor, action: ActionItem, *, status: str | None, note: str,
                  expected_version: int | None = None) -> ActionUpdate:
    """Log an update (a note, a new status or both) on an action item.

    Two people updating one action at once: the second is refused with the
    version check, never silently overwriting the first.
    """
    if expected_version is not None and action.version != expected_version:
        raise StaleEdit()
    if status is not None and status not in STATUSES:
        raise DomainError("Choose a status.", field="status")
    if action.status not in OPEN_STATUSES and status in (None, action.status):
        raise DomainError("This action item is closed; choose a status to reopen it.",
                          field="status")
    if status in (None, action.status) and not note.strip():
        raise DomainError("Write a note or change the status.", field="note")
    update = ActionUpdate(action=action, by=actor.person, note=note,
                          status=status if status != action.status else None)
    db.session.add(update)
    if status is not None and status != action.status:
        action.status = status
        audit.record(actor, "update", action, committee=action.committee)
    else:
        # A note alone still bumps the version, so a concurrent editor hears of it.
        action.version += 1
    return update


def edit_action(actor, action: ActionItem, expected_version: int | None, *, title: str,
                owner: Person, due: date | None) -> ActionUpdate | None:
    """Change an action's title, owner or due date; the change goes in its update log.

    The caller has checked permissions.can_edit_action: only the committee's
    editors may (a member does not hand their own work to someone else, nor
    move their own deadline unseen). A new owner is told: work handed over
    silently is work nobody does.
    """
    if expected_version is not None and action.version != expected_version:
        raise StaleEdit()
    if not title.strip():
        raise DomainError("Name the action.", field="title")
    committee = action.committee
    previous_owner = action.owner
    if owner.id != action.owner_id and not any(
            m.person_id == owner.id and m.holds_on(today()) for m in committee.memberships):
        raise DomainError(f"{owner.name} is not a member of {committee.name}.", field="owner")
    said = []
    if title != action.title:
        said.append(f"Renamed from “{action.title}”.")
    if due != action.due:
        said.append(f"Due date moved from {_day(action.due)} to {_day(due)}.")
    if owner.id != action.owner_id:
        said.append(f"Reassigned from {previous_owner.name} to {owner.name}.")
    if not said:
        return None
    action.title, action.due, action.owner_id = title, due, owner.id
    update = ActionUpdate(action=action, by=actor.person, note=" ".join(said))
    db.session.add(update)
    audit.record(actor, "update", action, committee=committee)
    if owner.id != previous_owner.id:
        db.session.flush()
        notify(owner, f"action:{action.id}:assigned:{update.id}",
               f"Action item assigned to you: {title}",
               f"{actor.person.name} assigned you “{title}” ({committee.name})"
               + (f", due {_day(due)}." if due else "."), f"/actions/{action.key}")
    return update


def _day(day: date | None) -> str:
    return f"{day:%-d %B %Y}" if day else "no date"
