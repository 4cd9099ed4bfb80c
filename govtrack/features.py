"""The one list of what each feature contributes to govtrack's extension points.

Features declare their contributions as plain values in their own modules;
this module names them, in order. Nothing registers itself on import.
"""

from govtrack.actions import reminders as actions
from govtrack.chairs import reminders as chairs
from govtrack.meetings import reminders as meetings
from govtrack.mous import reminders as mous
from govtrack.pdsa import reminders as pdsa
from govtrack.reminders.kinds import ReminderKind
from govtrack.workgroups import reminders as workgroups

#: every kind of reminder the sweep derives, feature by feature
REMINDER_KINDS: tuple[ReminderKind, ...] = (
    *meetings.REMINDERS,
    *actions.REMINDERS,
    *workgroups.REMINDERS,
    *pdsa.REMINDERS,
    *mous.REMINDERS,
    *chairs.REMINDERS,
)
