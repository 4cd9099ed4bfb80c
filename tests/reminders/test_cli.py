"""`flask govtrack sweep`: sends what is due once; --dry-run stores nothing; --at moves time."""

from datetime import UTC, datetime

from sqlalchemy import func, select

from govtrack.notifications.models import Notification


def _count(db) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Notification.id)))


def test_a_sweep_sends_the_reminders_and_an_immediate_second_sweep_sends_nothing(
        app, make, db, kind, due, use_kinds, smtp):
    people = [make.person(email=f"p{n}@example.org") for n in range(2)]
    use_kinds(kind("action_due", [due(p) for p in people]))
    runner = app.test_cli_runner()
    first = runner.invoke(args=["govtrack", "sweep"])
    assert first.exit_code == 0, first.output
    assert "2 new reminders" in first.output and "2 sent" in first.output
    assert len(smtp.messages) == 2
    second = runner.invoke(args=["govtrack", "sweep"])
    assert "0 new reminders" in second.output and "0 sent" in second.output
    assert len(smtp.messages) == 2


def test_a_dry_run_prints_what_would_be_created_and_sent_and_stores_nothing(
        app, make, db, kind, due, use_kinds, smtp):
    person = make.person(email="ana@example.org")
    reminder = due(person, subject="Share the bed data")
    use_kinds(kind("action_due", [reminder]))
    result = app.test_cli_runner().invoke(args=["govtrack", "sweep", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Would create 1 reminders" in result.output
    assert reminder.key in result.output and "Share the bed data" in result.output
    assert "Would send 0 e-mails" in result.output
    assert _count(db) == 0 and smtp.messages == []


def test_at_evaluates_the_kinds_as_of_another_instant(app, make, db, kind, due, use_kinds):
    person = make.person(email="ana@example.org")
    seen = []

    def due_from_2027(now):
        seen.append(now)
        return [due(person)] if now >= datetime(2027, 1, 1, tzinfo=UTC) else []

    use_kinds(kind("action_due", due_from_2027))
    runner = app.test_cli_runner()
    assert "0 new reminders" in runner.invoke(args=["govtrack", "sweep"]).output
    result = runner.invoke(args=["govtrack", "sweep", "--at", "2027-01-02T09:00-05:00"])
    assert "1 new reminders" in result.output
    assert seen[-1] == datetime(2027, 1, 2, 14, 0, tzinfo=UTC)
    assert runner.invoke(args=["govtrack", "sweep", "--at", "soon"]).exit_code == 2


def test_without_a_mail_server_the_sweep_says_where_the_eml_files_are(
        app, make, db, kind, due, use_kinds):
    use_kinds(kind("action_due", [due(make.person(email="ana@example.org"))]))
    result = app.test_cli_runner().invoke(args=["govtrack", "sweep"])
    assert f"the e-mails are files in {app.instance_path}/mail" in result.output
