"""UTCDateTime reads instants back aware, in UTC, on either database."""

from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import literal, select

from govtrack.db_types import UTCDateTime


def test_an_instant_comes_back_aware_and_equal(db):
    written = datetime(2026, 3, 8, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
    read = db.session.scalar(select(literal(written, UTCDateTime())))
    assert read == written
    assert read.tzinfo is UTC
    assert read == datetime(2026, 3, 9, 4, 30, tzinfo=UTC)


def test_a_null_instant_comes_back_none(db):
    assert db.session.scalar(select(literal(None, UTCDateTime()))) is None
