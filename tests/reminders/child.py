"""Sweeps and senders in child processes, for the crash test (not a test module).

`python -m tests.reminders.child` imports govtrack once, then reads commands
on standard input: "sweep" or "deliver" forks a child that runs it against
DATABASE_URL and prints the child's pid; "wait PID" prints "done PID" once
that child has ended. Forking saves the 2 s an import of govtrack takes, so
thirty kills fit in seconds. Configuration comes from the environment.
"""

import os
import sys

from sqlalchemy import select

from govtrack import create_app
from govtrack.agencies.models import Person
from govtrack.extensions import db
from govtrack.reminders import delivery, sweep
from govtrack.reminders.kinds import Due, ReminderKind

OCCURRENCES = ("7d", "1d", "0d")


def _every_person(now):
    """Three reminders per person: the live state grows while sweeps are killed."""
    for person_id in db.session.scalars(select(Person.id).order_by(Person.id)):
        for occurrence in OCCURRENCES:
            yield Due(kind="crash_test", record=f"person:{person_id}", occurrence=occurrence,
                      person_id=person_id, subject=f"Reminder {occurrence} of person {person_id}",
                      link=f"/people/{person_id}")


KINDS = (ReminderKind(code="crash_test", words="Crash test reminders", due=_every_person),)


def _run(role: str) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": os.environ["DATABASE_URL"]})
    app.instance_path = os.environ["GOVTRACK_INSTANCE"]
    with app.app_context():
        if role == "sweep":
            sweep.sweep(kinds=KINDS, holder=f"child:{os.getpid()}")
        else:
            delivery.deliver(kinds=KINDS)


def main() -> None:
    """Serve commands until standard input closes."""
    # Everything create_app imports is imported here, once; no connection is made
    # before forking, so no child shares a database connection with another.
    create_app({"SQLALCHEMY_DATABASE_URI": os.environ["DATABASE_URL"]})
    children: dict[int, int] = {}
    for line in sys.stdin:
        command, _, argument = line.strip().partition(" ")
        if command in ("sweep", "deliver"):
            pid = os.fork()
            if pid == 0:
                code = 0
                try:
                    _run(command)
                except BaseException as exc:  # noqa: BLE001 (report, then exit the fork)
                    print(f"child {os.getpid()} failed: {exc!r}", file=sys.stderr, flush=True)
                    code = 1
                os._exit(code)
            children[pid] = pid
            print(pid, flush=True)
        elif command == "wait":
            pid = int(argument)
            _, status = os.waitpid(pid, 0)
            children.pop(pid, None)
            print(f"done {pid} {status}", flush=True)


if __name__ == "__main__":
    main()
