"""Helpers tests share: counting the SQL statements a page runs."""

from sqlalchemy import event

from govtrack.extensions import db as _db


def count_queries(app, fn):
    with app.app_context():
        engine = _db.engine
    statements = []

    def counter(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", counter)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", counter)
    return len(statements)
