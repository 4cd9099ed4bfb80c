"""INSERT ... ON CONFLICT DO NOTHING on SQLite and PostgreSQL alike."""

from sqlalchemy.dialects import postgresql, sqlite

from govtrack.extensions import db


def insert_ignoring_duplicates(model, index_elements: list[str]):
    """An INSERT that skips rows whose unique key exists: concurrent writers never raise."""
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    return dialect.insert(model).on_conflict_do_nothing(index_elements=index_elements)
