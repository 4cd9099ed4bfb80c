"""The one place govtrack reads the clock, so tests can move it with time-machine."""

from datetime import UTC, date, datetime


def utcnow() -> datetime:
    """Return the current instant as an aware UTC datetime."""
    return datetime.now(UTC)


def today() -> date:
    """Return today's date in UTC."""
    return utcnow().date()
