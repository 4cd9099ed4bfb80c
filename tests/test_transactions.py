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
    agency = make.agency()
    db.session.commit()
    statement = select(Agency.name).where(Agency.id == agency.id)
    for _ in range(6):  # past psycopg's prepare threshold (5), each read its own transaction
        db.session.scalar(statement)
        db.session.rollback()
    prepared = db.session.scalars(text(
        "SELECT statement FROM pg_prepared_statements WHERE statement LIKE 'SELECT agency.name%'"))
    assert len(prepared.all()) == 1
