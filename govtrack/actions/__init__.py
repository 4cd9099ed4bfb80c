"""Action items: one owner, a due date, a status and an update log."""
