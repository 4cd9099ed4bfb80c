"""Column types shared by every feature."""

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

#: the largest id an id column holds (PostgreSQL's integer), and the smallest integer
MAX_ID = 2**31 - 1
MIN_INTEGER = -(2**31)


def database_integer(value) -> int:
    """value as an int an integer column can hold; ValueError beyond (a field error, not a 500).

    PostgreSQL refuses 2147483648 in an integer comparison with an error, and
    SQLite refuses anything past 64 bits: a number posted in a form (a select's
    id, a hidden id) must stop at the door.
    """
    number = int(value)
    if not MIN_INTEGER <= number <= MAX_ID:
        raise ValueError(f"{value} is beyond what an id can be")
    return number


class UTCDateTime(TypeDecorator):
    """Store instants as naive UTC, give them back aware.

    SQLite drops offsets; without this a time read back would compare
    differently from the one written.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        """Convert an aware datetime to naive UTC before storing it."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        """Attach UTC to the stored naive value."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if isinstance(value, datetime) else value

    def result_processor(self, dialect, coltype):
        """process_result_value as one function per column, after the impl's own processing.

        Every instant of every row read goes through it (a page's health check reads
        hundreds): TypeDecorator's generic wrapper costs two more calls per value.
        """
        impl = self.impl_instance.result_processor(dialect, coltype)
        if impl is None:
            def process(value):
                return value.replace(tzinfo=UTC) if isinstance(value, datetime) else value
        else:
            def process(value):
                value = impl(value)
                return value.replace(tzinfo=UTC) if isinstance(value, datetime) else value
        return process


def render_item(type_, obj, autogen_context):
    """Alembic renders UTCDateTime as a plain DateTime, so migrations need no app import."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False
