"""Reminders: derived from live state by a sweep, kept in an outbox, sent to inbox and e-mail."""
