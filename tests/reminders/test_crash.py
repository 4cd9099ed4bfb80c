"""Sweeps and senders killed with SIGKILL at random points lose nothing and double nothing.

Each round the live state grows (new people, so new reminders are due), a
sweep and sometimes a second sender start in child processes, and both are
killed at a random instant. After thirty-odd rounds one sweep runs to the end.
Then every reminder is in the outbox exactly once and reached the SMTP server
at least once; a repeat (a kill between sending and marking sent) carries the
same Message-ID. Runs on SQLite and, with GOVTRACK_TEST_DB=postgresql, on PostgreSQL.
"""

import os
import random
import signal
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

from sqlalchemy import func, select

from govtrack.notifications.models import Notification

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 32
LEASE = 0.4  # seconds: a killed sweep's lease and a killed sender's claims expire quickly


class Forker:
    """The child.py process: forks a sweep or a sender on demand."""

    def __init__(self, env):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.reminders.child"], cwd=ROOT, env=env, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def start(self, role: str) -> int:
        """Fork a child running role; its pid."""
        self.process.stdin.write(role + "\n")
        self.process.stdin.flush()
        return int(self.process.stdout.readline())

    def wait(self, pid: int) -> int:
        """Wait for a child to end; its wait status."""
        self.process.stdin.write(f"wait {pid}\n")
        self.process.stdin.flush()
        return int(self.process.stdout.readline().split()[2])

    def close(self) -> None:
        """End the forker."""
        self.process.stdin.close()
        self.process.wait(timeout=30)


def test_killed_sweeps_and_senders_lose_nothing_and_double_nothing(
        app, make, db, smtp, database_url, tmp_path):
    rng = random.Random(13)
    smtp.inbox.delay = 0.01
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "crash-test",
           "GOVTRACK_INSTANCE": str(tmp_path), "MAIL_SERVER": "127.0.0.1",
           "MAIL_PORT": str(smtp.port), "PUBLIC_URL": "https://govtrack.county.test",
           "REMINDER_LEASE_SECONDS": str(LEASE), "REMINDER_CLAIM_SECONDS": str(LEASE),
           "REMINDER_RETRY_SECONDS": "0", "PYTHONPATH": str(ROOT)}
    agency = make.agency()
    for _ in range(8):
        make.person(agency=agency, email=f"p{rng.randrange(10**9)}@example.org")
    forker = Forker(env)
    kills = 0
    started = time.monotonic()
    try:
        for _ in range(ROUNDS):
            for _ in range(2):
                make.person(agency=agency, email=f"p{rng.randrange(10**9)}@example.org")
            pids = [forker.start("sweep")]
            if rng.random() < 0.5:
                pids.append(forker.start("deliver"))
            time.sleep(rng.uniform(0.1, 1.0))
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                    kills += 1
                except ProcessLookupError:
                    pass
            for pid in pids:
                status = forker.wait(pid)
                # Killed, or finished cleanly: never an error such as "database is locked".
                assert (os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL) or (
                    os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0), status
        time.sleep(LEASE + 0.1)
        final = forker.start("sweep")
        assert forker.wait(final) == 0, "the last sweep failed"
    finally:
        forker.close()
    db.session.expire_all()
    people = db.session.scalar(select(func.count()).select_from(
        select(Notification.person_id).distinct().subquery()))
    rows = list(db.session.scalars(select(Notification)))
    expected = 3 * (8 + 2 * ROUNDS)
    assert kills >= 30
    assert people == 8 + 2 * ROUNDS
    assert len(rows) == expected == len({r.key for r in rows})
    assert {r.email_status for r in rows} == {"sent"}
    received = defaultdict(list)
    for message in smtp.messages:
        received[message["Subject"]].append(message["Message-ID"])
    assert set(received) == {r.subject for r in rows}
    assert all(len(set(ids)) == 1 for ids in received.values())
    by_subject = {r.subject: r.message_id for r in rows}
    assert all(ids[0] == by_subject[subject] for subject, ids in received.items())
    repeats = sum(len(ids) - 1 for ids in received.values())
    print(f"\n{kills} kills in {time.monotonic() - started:.1f} s: {expected} reminders, "
          f"{len(smtp.messages)} e-mails received, {repeats} repeats (same Message-ID)")
