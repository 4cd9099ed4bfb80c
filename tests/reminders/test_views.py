"""The reminders pages: my preferences, and the outbox only administrators open."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from govtrack.notifications.models import Notification
from govtrack.reminders import lease, sweep
from govtrack.reminders.models import ReminderPreference


@pytest.fixture
def two_kinds(kind, use_kinds):
    """A kind one may switch off and a mandatory one, as the features' list."""
    kinds = (kind("action_due", [], words="Action items coming due"),
             kind("chair_vacant", [], mandatory=True, words="Chair vacancies"))
    use_kinds(*kinds)
    return kinds


def _pending(make, due, email="ana@example.org", **values):
    person = make.person(email=email)
    sweep.store([due(person, **values)], [])
    return make.db.session.scalar(select(Notification).where(Notification.person_id == person.id))


@pytest.mark.parametrize("role", ["member", "chair", "outsider", "head"])
def test_only_administrators_open_the_outbox(client, make, login, role):
    cast = make.cast()
    login(cast[role])
    assert client.get("/admin/outbox").status_code == 403
    assert client.post("/admin/outbox/1/retry").status_code in (403, 404)


def test_the_outbox_lists_pending_emails_with_attempts_and_last_error_and_is_linked(
        client, make, db, login, due, app):
    admin = make.account(admin=True)
    row = _pending(make, due)
    row.attempts, row.last_error = 3, "ConnectionRefusedError: [Errno 111] Connection refused"
    db.session.commit()
    login(admin)
    assert 'href="/admin/outbox"' in client.get("/admin/accounts/").get_data(as_text=True)
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert row.subject in page and "Connection refused" in page
    assert "<td>3</td>" in page and "Retry now" in page
    assert "Pending (1)" in page
    for status in ("failed", "sent", "digest", "skipped"):
        assert client.get(f"/admin/outbox?status={status}").status_code == 200
    assert client.get("/admin/outbox?status=nonsense").status_code == 404


def test_retry_now_sends_a_failed_email_at_once(client, make, db, login, due, smtp):
    admin = make.account(admin=True)
    row = _pending(make, due)
    row.email_status, row.attempts, row.last_error = "failed", 1, "recipient refused"
    row.next_attempt_at = datetime.now(UTC) + timedelta(days=1)
    db.session.commit()
    login(admin)
    response = client.post(f"/admin/outbox/{row.id}/retry")
    assert response.status_code == 302
    assert "status=sent" in response.headers["Location"]
    db.session.expire_all()
    row = db.session.get(Notification, row.id)
    assert (row.email_status, row.attempts, row.last_error) == ("sent", 2, "")
    assert [m["Subject"] for m in smtp.messages] == [row.subject]
    # A sent e-mail is not retried.
    client.post(f"/admin/outbox/{row.id}/retry")
    assert len(smtp.messages) == 1


def test_the_health_line_warns_when_the_scheduler_has_not_swept_for_two_intervals(
        client, make, db, login, web_app):
    login(make.account(admin=True))
    assert "has never swept" in client.get("/admin/outbox").get_data(as_text=True)
    minutes = web_app.config["REMINDER_SWEEP_MINUTES"]
    lease.record_done(lease.SWEEP, datetime.now(UTC) - timedelta(minutes=2 * minutes + 1))
    assert "last swept" in client.get("/admin/outbox").get_data(as_text=True)
    lease.record_done(lease.SWEEP)
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert "swept" not in page.split("<h1>Outbox</h1>")[1].split("<nav")[0]


def test_a_person_chooses_the_digest_and_cannot_switch_off_a_mandatory_kind(
        client, make, db, login, two_kinds):
    account = make.account()
    login(account)
    assert 'href="/account/reminders"' in client.get("/account/password").get_data(as_text=True)
    page = client.get("/account/reminders").get_data(as_text=True)
    assert "Action items coming due" in page and "Chair vacancies" in page
    assert 'name="chair_vacant" type="radio" value="off"' not in page
    response = client.post("/account/reminders", data={"action_due": "digest",
                                                       "chair_vacant": "off"})
    assert response.status_code == 200 and "Not a valid choice" in response.get_data(as_text=True)
    assert db.session.scalar(select(ReminderPreference)) is None
    response = client.post("/account/reminders", data={"action_due": "off",
                                                       "chair_vacant": "digest"})
    assert response.status_code == 302
    db.session.expire_all()
    stored = {p.kind: p.delivery for p in db.session.scalars(select(ReminderPreference))}
    assert stored == {"action_due": "off", "chair_vacant": "digest"}
    page = client.get("/account/reminders").get_data(as_text=True)
    checked = re.findall(r'<input checked[^>]*name="(\w+)"[^>]*value="(\w+)"', page)
    assert sorted(checked) == [("action_due", "off"), ("chair_vacant", "digest")]


def test_the_header_links_reminders_for_everyone_and_the_outbox_for_administrators(
        client, make, login):
    member = make.account()
    login(member)
    page = client.get("/my-work").get_data(as_text=True)
    assert 'href="/account/reminders"' in page and 'href="/admin/outbox"' not in page
    client.post("/logout")
    login(make.account(admin=True))
    assert 'href="/admin/outbox"' in client.get("/my-work").get_data(as_text=True)


def test_the_outbox_page_runs_a_fixed_number_of_queries(client, make, db, login, due,
                                                         count_queries):
    login(make.account(admin=True))
    _pending(make, due, email="first@example.org")
    few = count_queries(lambda: client.get("/admin/outbox"))
    agency = make.agency()
    for n in range(15):
        sweep.store([due(make.person(agency=agency, email=f"p{n}@example.org"))], [])
    many = count_queries(lambda: client.get("/admin/outbox"))
    assert few == many
