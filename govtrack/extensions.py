"""Extension singletons, bound to the app in create_app()."""

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm.attributes import set_committed_value

# Named constraints keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with the project's naming convention."""

    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()


def read_into(obj, name: str, statement, params: dict) -> None:
    """Set obj's list `name` to what statement reads, as if SQLAlchemy had loaded it.

    For a page that reads its lists by statements built once: a list loaded through
    its parent's query carries that query's loader options, and SQLAlchemy works out
    their cache key on every load (about a millisecond a list at national scale).
    """
    set_committed_value(obj, name, list(db.session.scalars(statement, params).unique()))


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """SQLite: enforce foreign keys like PostgreSQL, and let readers not block writers.

    WAL lets several gunicorn workers share the embedded database.
    """
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()


@event.listens_for(Engine, "rollback")
def _commit_what_only_read(conn) -> None:
    """PostgreSQL: end a transaction that wrote nothing with COMMIT, not ROLLBACK.

    Both end it the same way, but psycopg forgets its prepared statements on every
    ROLLBACK, and every request ends its session with one: so no statement ever
    reached psycopg's prepare threshold across requests, and PostgreSQL planned each
    again (about 5 ms a page of the big read statements at national scale). Once the
    transaction is committed, the rollback that follows finds nothing to undo.
    """
    dbapi_connection = conn.connection.dbapi_connection
    if not type(dbapi_connection).__module__.startswith("psycopg"):
        return
    from psycopg.pq import TransactionStatus

    if dbapi_connection.info.transaction_status != TransactionStatus.INTRANS:
        return  # idle, or failed: a failed transaction can only be rolled back
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_xact_id_if_assigned() IS NULL", prepare=False)
        wrote_nothing = cursor.fetchone()[0]
    if wrote_nothing:
        dbapi_connection.commit()
