"""Ending transactions: a rollback undoes writes; on PostgreSQL reads keep prepared statements."""

import os

import pytest
from sqlalchemy import func, select, text

from govtrack.agencies.models import Agency

on_postgresql = pytest.mark.skipif(os.environ.get("GOVTRACK_TEST_DB") != "postgresql",
                                   reason="prepared statements are PostgreSQL's")


def test_a_rollback_undoes_a_flushed_change(db, make):
    agency = make.agency()
    db.session.commit()
    agency.name = "Renamed"
    db.session.flush()
    db.session.rollback()
    assert db.session.scalar(select(Agency.name).where(Agency.id == agency.id)) != "Renamed"


def test_a_rollback_undoes_a_statement_that_wrote(db, make):
    make.agency()
    db.session.commit()
    db.session.execute(text("DELETE FROM agency"))
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Agency)) == 1


@on_postgresql
def test_transactions_that_only_read_keep_the_prepared_statements(db, make):
    """On one connection, as a worker's requests share one: six read-only transactions, each
    ended by a rollback, leave the statement prepared (psycopg prepares after five)."""
    agency = make.agency()
    db.session.commit()
    statement = select(Agency.name).where(Agency.id == agency.id)
    with db.engine.connect() as connection:
        for _ in range(6):
            assert connection.execute(statement).scalar() == agency.name
            connection.rollback()
        prepared = connection.scalars(text(
            "SELECT statement FROM pg_prepared_statements "
            "WHERE statement LIKE 'SELECT agency.name%'")).all()
    assert len(prepared) == 1
