"""Reminders: derived from live state by a sweep, kept in an outbox, delivered to the inbox and by e-mail."""
