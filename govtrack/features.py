"""The one list of what each feature contributes to govtrack's extension points.

Features declare their contributions as plain values in their own modules;
this module names them, in order. Nothing registers itself on import.
"""

from govtrack.reminders.kinds import ReminderKind

#: every kind of reminder the sweep derives, feature by feature
REMINDER_KINDS: tuple[ReminderKind, ...] = ()
