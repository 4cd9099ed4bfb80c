"""On PostgreSQL: two schedulers, one acting; two senders, each e-mail taken by one."""

import threading

import pytest
from sqlalchemy import func, select, text

from govtrack.notifications.models import Notification
from govtrack.reminders import delivery, lease, sweep

pytestmark = pytest.mark.postgres_only


def _in_thread(app, target, results, name):
    def run():
        with app.app_context():
            try:
                results[name] = target()
            except BaseException as exc:  # noqa: BLE001 (reported by the test)
                results[name] = exc

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_of_two_schedulers_one_sweeps_and_the_other_skips_and_each_reminder_is_stored_once(
        app, make, db, kind, due):
    people = [make.person(email=f"p{n}@example.org") for n in range(5)]
    inside, release = threading.Event(), threading.Event()

    def slow_due(now):
        inside.set()
        assert release.wait(30)
        return [due(p) for p in people]

    kinds = [kind("action_due", slow_due)]
    results = {}
    first = _in_thread(app, lambda: sweep.sweep(kinds=kinds, holder="host-a:1"), results, "a")
    assert inside.wait(30)
    inside.clear()
    second = _in_thread(app, lambda: sweep.sweep(kinds=kinds, holder="host-b:1"), results, "b")
    second.join(30)
    assert results["b"].acted is False and not inside.is_set()  # b never derived anything
    release.set()
    first.join(30)
    assert results["a"].acted and results["a"].created == 5
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Notification.id))) == 5


def test_the_advisory_lock_stops_a_second_sweep_even_when_the_lease_row_is_free(
        app, make, db, kind, due):
    reminders = [kind("action_due", [due(make.person(email="ana@example.org"))])]
    with db.engine.connect() as other:
        assert other.scalar(select(func.pg_try_advisory_lock(lease._advisory_key(lease.SWEEP))))
        other.commit()
        assert sweep.sweep(kinds=reminders, holder="late-host:1").acted is False
        other.execute(text("SELECT pg_advisory_unlock_all()"))
        other.commit()
    assert sweep.sweep(kinds=reminders, holder="late-host:1").created == 1


def test_two_senders_at_once_take_different_emails_and_send_each_once(
        app, make, db, due, smtp):
    smtp.inbox.delay = 0.01
    agency = make.agency()
    for n in range(40):
        sweep.store([due(make.person(agency=agency, email=f"p{n}@example.org"))], [])
    results = {}
    threads = [_in_thread(app, lambda: delivery.deliver(batch=5), results, name)
               for name in ("a", "b")]
    for thread in threads:
        thread.join(60)
    assert results["a"].sent + results["b"].sent == 40
    assert results["a"].sent and results["b"].sent  # both worked: SKIP LOCKED, not waiting
    ids = [m["Message-ID"] for m in smtp.messages]
    assert len(ids) == 40 == len(set(ids))
