"""The sweep stores each reminder once; delivery sends it, retries it, never drops it."""

import logging
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from govtrack.editing import DomainError
from govtrack.notifications import services as inbox
from govtrack.notifications.models import Notification
from govtrack.reminders import delivery, lease, mail, services, sweep
from govtrack.reminders.models import IN_DIGEST, OFF, ReminderPreference

EARLY = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)  # 05:00 in New York, before the digest


def _rows(db, **where):
    query = select(Notification).order_by(Notification.id)
    for name, value in where.items():
        query = query.where(getattr(Notification, name) == value)
    db.session.expire_all()
    return list(db.session.scalars(query))


def test_a_sweep_stores_each_due_reminder_once_and_a_second_sweep_adds_nothing(
        make, db, kind, due):
    person = make.person(email="ana@example.org")
    reminders = kind("action_due", [due(person, occurrence="7d"), due(person, occurrence="1d"),
                                    due(person, occurrence="7d")])
    first = sweep.sweep(kinds=[reminders])
    second = sweep.sweep(kinds=[reminders])
    assert (first.created, second.created) == (2, 0)
    assert first.delivered.sent == 2 and second.delivered.sent == 0
    rows = _rows(db)
    assert [r.email_status for r in rows] == ["sent", "sent"]
    assert {r.key for r in rows} == {due(person, occurrence=o).key for o in ("7d", "1d")}
    # The inbox shows the same rows, unread, with their links.
    assert inbox.unread_count(person) == 2
    assert {n.link for n in inbox.inbox(person)} == {"/actions/1"}


def test_storing_a_reminder_another_sweep_just_stored_skips_it_without_raising(
        make, db, kind, due, monkeypatch):
    person = make.person(email="ana@example.org")
    reminder = due(person)
    assert sweep.store([reminder], []) == 1
    # The other sweep committed between this one's look-up and its insert.
    monkeypatch.setattr(sweep, "_existing_keys", lambda keys: set())
    assert sweep.store([reminder, due(person, occurrence="1d")], []) == 1
    assert db.session.scalar(select(func.count(Notification.id))) == 2


def test_a_sweep_while_another_holds_the_lease_does_nothing_until_it_expires(
        app, make, db, kind, due):
    person = make.person(email="ana@example.org")
    reminders = kind("action_due", [due(person)])
    assert lease.take(lease.SWEEP, "other-host:1", seconds=600)
    assert sweep.sweep(kinds=[reminders], holder="this-host:2").acted is False
    assert _rows(db) == []
    with time_machine.travel(datetime.now(UTC) + timedelta(seconds=601)):
        report = sweep.sweep(kinds=[reminders], holder="this-host:2")
    assert report.acted and report.created == 1
    # A finished sweep gives the lease back and records when it swept.
    assert lease.take(lease.SWEEP, "other-host:1", seconds=600)
    assert lease.last_done(lease.SWEEP) is not None


def test_the_email_carries_a_message_id_from_the_key_absolute_links_and_attachments(
        make, db, kind, due, attachment, smtp):
    committee = make.committee(name="CIT Steering Committee")
    meeting = make.meeting(committee)
    person = make.person(email="ana@example.org", name="Ana Ortiz")
    reminder = due(person, kind="meeting_soon", record=f"meeting:{meeting.id}", occurrence="1d",
                   subject="The CIT meeting is tomorrow", body="Read the agenda first.",
                   link=f"/meetings/{meeting.key}", committee_id=committee.id,
                   attachments=(attachment(meeting), attachment(meeting, "meeting.ics")))
    sweep.sweep(kinds=[kind("meeting_soon", [reminder], words="Coming meetings")])
    [message] = smtp.to("ana@example.org")
    assert message["Message-ID"] == f"<{reminder.key}@govtrack.county.test>"
    assert message["Subject"] == "The CIT meeting is tomorrow"
    assert message["To"] == "Ana Ortiz <ana@example.org>"
    text = message.get_body(("plain",)).get_content()
    assert "Read the agenda first." in text
    assert f"https://govtrack.county.test/meetings/{meeting.key}" in text
    assert "https://govtrack.county.test/account/reminders" in text and "Coming meetings" in text
    files = {part.get_filename(): part for part in message.iter_attachments()}
    assert set(files) == {"agenda.docx", "meeting.ics"}
    assert files["agenda.docx"].get_content()[:2] == b"PK"  # a .docx is a zip
    assert "BEGIN:VEVENT" in files["meeting.ics"].get_content()
    [row] = _rows(db)
    assert row.message_id == message["Message-ID"] and row.attempts == 1


def test_message_ids_keep_only_dot_atom_characters():
    assert mail.message_id("mou:7:v2:sign-request:3:12", "https://govtrack.county.gov/x") == \
        "<mou-7-v2-sign-request-3-12@govtrack.county.gov>"
    assert mail.message_id("a..b.", "http://[::1]:5000") == "<a.b@--1>"


def test_an_email_whose_meeting_is_gone_fails_for_good_and_stays_in_the_outbox(
        make, db, kind, due, attachment, smtp):
    committee = make.committee()
    meeting = make.meeting(committee)
    person = make.person(email="ana@example.org")
    reminder = due(person, record=f"meeting:{meeting.id}", attachments=(attachment(meeting),))
    broken = attachment(meeting)
    object.__setattr__(broken, "source", "meeting:999999")
    sweep.store([due(person, occurrence="x", attachments=(broken,))], [])
    report = delivery.deliver()
    assert report.failed == 1 and smtp.messages == []
    [row] = _rows(db)
    assert row.email_status == "failed" and "meeting:999999" in row.last_error
    assert reminder  # the healthy one is sent by a sweep as usual


def test_while_the_mail_server_is_down_emails_stay_pending_and_all_go_out_when_it_returns(
        app, make, db, kind, due, smtp):
    people = [make.person(email=f"p{n}@example.org") for n in range(3)]
    reminders = kind("action_due", [due(p) for p in people])
    smtp.stop()
    start = datetime.now(UTC).replace(microsecond=0)
    with time_machine.travel(start, tick=False):
        report = sweep.sweep(kinds=[reminders])
    assert report.created == 3 and report.delivered.sent == 0
    rows = _rows(db)
    assert {r.email_status for r in rows} == {"pending"}
    assert {r.attempts for r in rows} == {1}
    assert all("Connection" in r.last_error or "refused" in r.last_error for r in rows)
    first_wait = app.config["REMINDER_RETRY_SECONDS"]
    assert {r.next_attempt_at for r in rows} == {start + timedelta(seconds=first_wait)}
    # Before the wait is over nothing is tried; after it, still down: the wait doubles.
    with time_machine.travel(start + timedelta(seconds=first_wait - 1), tick=False):
        assert delivery.deliver().retrying == 0
    later = start + timedelta(seconds=first_wait)
    with time_machine.travel(later, tick=False):
        assert delivery.deliver().retrying == 3
    rows = _rows(db)
    assert {r.attempts for r in rows} == {2}
    assert {r.next_attempt_at for r in rows} == {later + timedelta(seconds=2 * first_wait)}
    smtp.start()
    with time_machine.travel(later + timedelta(seconds=2 * first_wait), tick=False):
        assert delivery.deliver().sent == 3
    assert {r.email_status for r in _rows(db)} == {"sent"}
    assert sorted(m["To"].addresses[0].addr_spec for m in smtp.messages) == [
        "p0@example.org", "p1@example.org", "p2@example.org"]
    assert delivery.backoff(30, app.config) == timedelta(
        seconds=app.config["REMINDER_RETRY_MAX_SECONDS"])


def test_a_crashed_senders_claim_is_taken_again_once_it_expires(app, make, db, due, smtp):
    person = make.person(email="ana@example.org")
    sweep.store([due(person)], [])
    start = datetime.now(UTC)
    with time_machine.travel(start, tick=False):
        assert len(delivery.claim(10, app.config)) == 1  # then the sender dies
        assert delivery.deliver().sent == 0
    with time_machine.travel(start + timedelta(seconds=app.config["REMINDER_CLAIM_SECONDS"] + 1),
                             tick=False):
        assert delivery.deliver().sent == 1
    [row] = _rows(db)
    assert row.email_status == "sent" and row.attempts == 2


def test_with_no_mail_server_each_email_is_an_eml_file_and_the_log_says_where(
        app, make, db, kind, due, caplog, monkeypatch):
    # Alembic's logging set-up (a migrations test run earlier) disables existing loggers.
    monkeypatch.setattr(delivery.log, "disabled", False)
    person = make.person(email="ana@example.org")
    reminder = due(person)
    with caplog.at_level(logging.INFO, logger="govtrack.reminders.delivery"):
        sweep.sweep(kinds=[kind("action_due", [reminder])])
    folder = delivery.mail_folder(app)
    [path] = list(folder.glob("*.eml"))
    assert path.name == f"{reminder.key}.eml"
    assert f"Message-ID: <{reminder.key}@govtrack.county.test>" in path.read_text()
    assert str(path) in caplog.text


def test_preferences_send_at_once_in_the_digest_or_not_at_all_and_the_inbox_keeps_all(
        make, db, kind, due, smtp):
    at_once, digest, off = (make.account(person=make.person(email=f"{n}@example.org"))
                            for n in ("at-once", "digest", "off"))
    reminders = kind("action_due", [due(a.person) for a in (at_once, digest, off)])
    services.set_preferences(digest, digest.person, {"action_due": IN_DIGEST}, [reminders])
    services.set_preferences(off, off.person, {"action_due": OFF}, [reminders])
    db.session.commit()
    with time_machine.travel(EARLY, tick=False):
        sweep.sweep(kinds=[reminders])
    assert [m["To"].addresses[0].addr_spec for m in smtp.messages] == ["at-once@example.org"]
    statuses = {r.person_id: r.email_status for r in _rows(db)}
    assert statuses == {at_once.person_id: "sent", digest.person_id: "digest",
                        off.person_id: "skipped"}
    for account in (at_once, digest, off):
        assert inbox.unread_count(account.person) == 1


def test_a_mandatory_kind_cannot_be_switched_off(make, db, kind, due, smtp):
    account = make.account()
    vacancy = kind("chair_vacant", [due(account.person, kind="chair_vacant")], mandatory=True)
    with pytest.raises(DomainError, match="cannot be switched off"):
        services.set_preferences(account, account.person, {"chair_vacant": OFF}, [vacancy])
    services.set_preferences(account, account.person, {"chair_vacant": IN_DIGEST}, [vacancy])
    db.session.commit()
    assert services.preferences_of(account.person, [vacancy]) == {"chair_vacant": IN_DIGEST}
    # A choice stored before the kind became mandatory does not switch it off.
    row = db.session.scalar(select(ReminderPreference))
    row.delivery = OFF
    db.session.commit()
    assert services.preferences_of(account.person, [vacancy]) == {"chair_vacant": "immediately"}
    assert sweep.sweep(kinds=[vacancy]).created == 1
    assert _rows(db)[0].email_status == "sent"  # to the account's address


def test_only_the_person_or_an_administrator_changes_their_preferences(make, db, kind):
    owner, stranger = make.account(), make.account()
    reminders = kind("action_due", [])
    with pytest.raises(DomainError):
        services.set_preferences(stranger, owner.person, {"action_due": OFF}, [reminders])
    admin = make.account(admin=True)
    assert services.set_preferences(admin, owner.person, {"action_due": OFF}, [reminders]) == 1


def test_the_daily_digest_goes_once_a_day_at_the_digest_time_grouped_by_committee(
        app, make, db, kind, due, smtp):
    cit, jail = make.committee(name="CIT Steering Committee"), make.committee(name="Jail In-Reach")
    account = make.account(person=make.person(email="ana@example.org"))
    person = account.person
    live = [due(person, record="action_item:1", subject="Share the data",
                committee_id=cit.id),
            due(person, record="action_item:2", subject="Book the room",
                committee_id=jail.id),
            due(person, record="mou:3", subject="No committee")]
    reminders = kind("action_due", lambda now: live)
    services.set_preferences(account, person, {"action_due": IN_DIGEST}, [reminders])
    db.session.commit()
    # 06:59 in New York: stored for the digest, nothing e-mailed.
    with time_machine.travel(datetime(2026, 12, 1, 11, 59, tzinfo=UTC), tick=False):
        report = sweep.sweep(kinds=[reminders])
    assert (report.created, report.digests, smtp.messages) == (3, 0, [])
    # 07:00: the day's digest, one e-mail; a second sweep that day sends no other.
    with time_machine.travel(datetime(2026, 12, 1, 12, 0, tzinfo=UTC), tick=False):
        assert sweep.sweep(kinds=[reminders]).digests == 1
        live.append(due(person, record="action_item:4", subject="Arrived after the digest",
                        committee_id=cit.id))
        assert sweep.sweep(kinds=[reminders]).digests == 0
        assert sweep.digest().digests == 0
    [message] = smtp.messages
    assert message["Message-ID"] == f"<digest.{person.id}.2026-12-01@govtrack.county.test>"
    assert message["Subject"] == "Your govtrack digest of 01 December 2026: 3 notices"
    text = message.get_body(("plain",)).get_content()
    assert text.index("CIT Steering Committee") < text.index("Share the data") < text.index(
        "Jail In-Reach") < text.index("Book the room") < text.index("Other notices") < \
        text.index("No committee")
    assert "https://govtrack.county.test/actions/1" in text
    assert "Arrived after the digest" not in text
    # The digest e-mail is not a notice in the inbox.
    assert inbox.unread_count(person) == 4
    assert {n.kind for n in inbox.inbox(person)} == {"action_due"}
    # Next morning the late arrival goes out in its own digest.
    with time_machine.travel(datetime(2026, 12, 2, 12, 5, tzinfo=UTC), tick=False):
        assert sweep.sweep(kinds=[reminders]).digests == 1
    assert "Arrived after the digest" in smtp.messages[1].get_body(("plain",)).get_content()


def test_someone_with_no_address_is_skipped_not_retried_forever(make, db, due):
    person = make.person(email=None)
    sweep.store([due(person)], [])
    assert delivery.deliver().skipped == 1
    [row] = _rows(db)
    assert (row.email_status, row.last_error) == ("skipped", "no e-mail address")


def test_notices_sent_by_notify_are_emailed_from_the_same_row(make, db, smtp):
    person = make.person(email="head@example.org")
    inbox.notify(person, "mou:1:v1:sign-request:2:3", "Please sign", "It awaits you.",
                 "/mous/jail-mou/sign")
    db.session.commit()
    assert delivery.deliver().sent == 1
    [message] = smtp.messages
    assert message["Message-ID"] == "<mou-1-v1-sign-request-2-3@govtrack.county.test>"
    assert "https://govtrack.county.test/mous/jail-mou/sign" in message.get_content()


def test_the_scheduler_has_its_jobs_and_the_required_defaults(app):
    from govtrack import scheduler

    built = scheduler.build(app)
    assert {job.id for job in built.get_jobs()} == {"sweep", "digest", "prune"}
    assert scheduler.JOB_DEFAULTS == {"coalesce": True, "max_instances": 1,
                                      "misfire_grace_time": None}
    assert built._job_defaults["misfire_grace_time"] is None


def test_a_kind_that_fails_does_not_stop_the_other_kinds(make, db, kind, due, caplog,
                                                          monkeypatch):
    monkeypatch.setattr(sweep.log, "disabled", False)  # see the .eml test
    person = make.person(email="ana@example.org")

    def broken(now):
        raise RuntimeError("a feature's bug")

    report = sweep.sweep(kinds=[kind("broken", broken), kind("action_due", [due(person)])])
    assert report.failed_kinds == ["broken"] and report.created == 1
    assert "a feature's bug" in caplog.text


def test_building_the_app_starts_no_scheduler(database_url, tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    config = {"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "x"}
    code = ("import sys, threading\n"
            "from govtrack import create_app\n"
            f"app = create_app({config!r})\n"
            "print('govtrack.scheduler' in sys.modules, 'apscheduler' in sys.modules,"
            " threading.active_count())\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                            text=True, env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
                            check=True)
    assert result.stdout.split() == ["False", "False", "1"]
