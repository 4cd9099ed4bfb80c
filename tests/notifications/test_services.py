"""notify(): each notice exactly once per key; unread counts; marking read."""

from sqlalchemy import func, select

from govtrack.notifications import services
from govtrack.notifications.models import Notification


def test_notify_creates_a_notice_once_per_key(make, db):
    person = make.person()
    first = services.notify(person, "mou:1:v1:sign-request:2:3", "Please sign", "Body", "/mous/")
    again = services.notify(person, "mou:1:v1:sign-request:2:3", "Please sign", "Body", "/mous/")
    db.session.commit()
    assert first is not None and again is None
    assert services.notify(person, "mou:1:v1:sign-request:2:3", "Changed subject") is None
    db.session.commit()
    assert db.session.scalar(select(func.count(Notification.id))) == 1


def test_a_notice_another_worker_just_stored_is_skipped_and_the_callers_work_kept(
        make, db, monkeypatch):
    person = make.person()
    services.notify(person, "mou:1:v1:sign-request:2:3", "Please sign")
    db.session.commit()
    # The other worker commits between this worker's check and its insert.
    monkeypatch.setattr(services, "_known", lambda key: False)
    colleague = make.person()
    assert services.notify(person, "mou:1:v1:sign-request:2:3", "Please sign") is None
    db.session.commit()
    assert db.session.scalar(select(func.count(Notification.id))) == 1
    assert db.session.get(type(colleague), colleague.id) is not None


def test_unread_count_inbox_order_and_marking_read(make, db):
    person, other = make.person(), make.person()
    older = services.notify(person, "a", "Older")
    db.session.commit()
    newer = services.notify(person, "b", "Newer")
    services.notify(other, "c", "Someone else's")
    db.session.commit()
    assert services.unread_count(person) == 2
    assert [n.subject for n in services.inbox(person)] == ["Newer", "Older"]
    services.mark_read(older)
    db.session.commit()
    assert services.unread_count(person) == 1
    assert services.inbox(person, unread_only=True) == [newer]
    assert services.notification_of(other, older.id) is None
    assert services.mark_all_read(person) == 1
    db.session.commit()
    assert services.unread_count(person) == 0 and services.unread_count(other) == 1
