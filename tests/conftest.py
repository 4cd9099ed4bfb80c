"""Fixtures: the app on SQLite or on a throwaway PostgreSQL, a client, factories.

GOVTRACK_TEST_DB=postgresql runs the whole suite against PostgreSQL 15.
"""

import functools
import os
from datetime import date

import pytest
from sqlalchemy import event, exists, literal, select, text, union_all
from sqlalchemy.engine import Engine

from govtrack import create_app
from govtrack.extensions import db as _db

PASSWORD = "correct-staple-battery-42"


def pytest_report_header(config):
    """Say which database this run uses."""
    return f"govtrack database: {os.environ.get('GOVTRACK_TEST_DB', 'sqlite')}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """A URL to an empty database for the whole run."""
    if os.environ.get("GOVTRACK_TEST_DB") == "postgresql":
        from tests.pg import Cluster

        cluster = Cluster()
        try:
            yield cluster.start()
        finally:
            cluster.stop()
    else:
        event.listen(Engine, "connect", _sqlite_without_fsync)
        try:
            yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
        finally:
            event.remove(Engine, "connect", _sqlite_without_fsync)


def _sqlite_without_fsync(dbapi_connection, connection_record):
    """The test database is thrown away, so a commit need not wait for the disk.

    SQLite's default waits for an fsync at every commit (about 7 ms on the
    machines `make test` runs on, against 0.05 ms without), and the suite
    commits tens of thousands of times; tests/pg.py runs PostgreSQL with
    fsync=off for the same reason. Durability is not what the suite tests.
    """
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        dbapi_connection.execute("PRAGMA synchronous=OFF")


@pytest.fixture(scope="session")
def app_config(database_url):
    """Configuration of the apps under test."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "LOGIN_MAX_FAILURES_PER_ACCOUNT": 5,
        "LOGIN_MAX_FAILURES_PER_ADDRESS": 20,
        # Argon2id stays Argon2id, at a cost that lets hundreds of logins run quickly.
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 1024,
    }


@pytest.fixture(scope="session")
def app(app_config, tmp_path_factory):
    """The application tests call services and factories in; tables created once."""
    app = create_app(app_config)
    app.instance_path = str(tmp_path_factory.mktemp("instance"))
    with app.app_context():
        _db.create_all()
    yield app
    with app.app_context():
        _db.drop_all()
        _db.engine.dispose()


@pytest.fixture(scope="session")
def web_app(app, app_config):
    """A second application on the same database that serves the test clients.

    Flask reuses an already pushed app context for a request of the same app,
    which would share `g` (the logged-in user) and the database session
    between a test's factories and every request it makes. A separate app
    gives each request its own context, as in production.
    """
    web = create_app(app_config)
    web.instance_path = app.instance_path
    yield web
    with web.app_context():
        _db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_tables(app):
    """Every test starts from empty tables (faster than re-creating the schema).

    Only the tables that have rows are emptied, found in one query: a DELETE on
    every table after every test took 27 ms a test on PostgreSQL, the query 3.
    """
    yield
    with app.app_context():
        _db.session.remove()
        with _db.engine.begin() as conn:
            used = set(conn.execute(_tables_with_rows()).scalars())
            if "agency" in used:
                conn.execute(text("UPDATE agency SET head_id = NULL"))  # agency <-> person
            for table in reversed(_db.metadata.sorted_tables):
                if table.name in used:  # DELETE beats TRUNCATE on tables this small
                    conn.execute(table.delete())


@functools.cache
def _tables_with_rows():
    """A query for the names of the tables that hold at least one row."""
    return union_all(*(select(literal(table.name)).where(exists().select_from(table))
                       for table in _db.metadata.sorted_tables))


@pytest.fixture
def ctx(app):
    """An application context, for calling services directly."""
    with app.app_context():
        yield
        _db.session.rollback()


@pytest.fixture
def db(ctx):
    """The database handle, inside an application context."""
    return _db


@pytest.fixture
def client(web_app):
    """A test client."""
    return web_app.test_client()


@pytest.fixture
def make(app):
    """Factories for records: make.agency(), make.person(), make.account(), ..."""
    from tests.factories import Factories

    with app.app_context():
        yield Factories(_db)


@pytest.fixture
def login(client):
    """Log the client in as an account."""

    def _login(account, password=PASSWORD):
        response = client.post("/login", data={"email": account.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        return response

    return _login


@pytest.fixture
def day():
    """A fixed day used by factories' defaults."""
    return date(2026, 1, 1)
