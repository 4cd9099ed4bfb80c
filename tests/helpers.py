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


def in_parallel(app, winner):
    """Run winner() in its own session and commit it just before the next flush elsewhere.

    The next flush with changes (the request under test) then meets what a
    parallel submission committed between its "already done?" check and its
    insert: the race that used to end in a 500.
    """
    from sqlalchemy.orm import Session

    def run_winner(session, flush_context, instances):
        with app.app_context():
            winner()
            _db.session.commit()
            _db.session.remove()

    event.listen(Session, "before_flush", run_winner, once=True)
