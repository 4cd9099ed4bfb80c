"""The `flask govtrack scheduler` process: the only place jobs are started.

Never started by the app factory, wsgi.py or an import: under gunicorn every
worker would run it. Its memory holds nothing that matters: the outbox rows
are the durable state, and a job that dies is simply run again. However many
schedulers run, the sweep's lease lets one act at a time.
"""

import logging
import signal
from datetime import UTC
from zoneinfo import ZoneInfo

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from govtrack import submissions
from govtrack.clock import utcnow
from govtrack.extensions import db
from govtrack.health import snapshot
from govtrack.reminders import sweep
from govtrack.reminders.lease import holder_name
from govtrack.workgroups.county_view import county_csv_file

log = logging.getLogger(__name__)

JOB_DEFAULTS = {
    "coalesce": True,  # a scheduler that slept runs a missed sweep once, not once per miss
    "max_instances": 1,  # never two sweeps in one process
    "misfire_grace_time": None,  # however late, a missed run still runs
}


def _in_app(app, job, name: str, then=None):
    """Run job in an application context, log its outcome, never let it kill the scheduler.

    then, if given, runs after a job that acted (not after one another scheduler
    did instead), its failure logged apart.
    """

    def run():
        with app.app_context():
            try:
                report = job(holder=holder_name())
                if report.acted:
                    log.info("%s: %s created, %s digests, e-mail: %s", name, report.created,
                             report.digests, report.delivered)
                else:
                    log.info("%s: another scheduler is acting; skipped", name)
            except Exception:
                log.exception("%s failed; it runs again at its next time", name)
                report = None
            finally:
                db.session.remove()
            if then is not None and report is not None and report.acted:
                then()

    return run


def _health_snapshot() -> None:
    """Store the county's health for the county view (in the job's application context)."""
    try:
        taken = snapshot.take()
        log.info("health snapshot of %s stored", taken.as_of)
    except Exception:
        log.exception("health snapshot failed; the county view shows the previous one")
        taken = None
    try:
        if taken is not None:
            # the county view's CSV, written now rather than by the first coordinator to ask
            county_csv_file(taken)
    except Exception:
        log.exception("the county view's CSV was not written; its first download will")
    finally:
        db.session.remove()


def _pruning(app):
    """The daily clean-up: forget old one-time form tokens (any scheduler may run it)."""

    def run():
        with app.app_context():
            try:
                gone = submissions.prune(utcnow())
                db.session.commit()
                log.info("prune: %s old form tokens forgotten", gone)
            except Exception:
                log.exception("prune failed; it runs again tomorrow")
            finally:
                db.session.remove()

    return run


def build(app) -> BlockingScheduler:
    """The scheduler's jobs: the sweep every few minutes, then the health snapshot (the county
    view's; the first at start), the digest and a clean-up daily."""
    config = app.config
    scheduler = BlockingScheduler(job_defaults=JOB_DEFAULTS, timezone=UTC)
    scheduler.add_job(_in_app(app, sweep.sweep, "sweep", then=_health_snapshot), IntervalTrigger(
        minutes=config["REMINDER_SWEEP_MINUTES"]), id="sweep", name="reminder sweep",
        next_run_time=utcnow())
    at = sweep.digest_time(config)
    scheduler.add_job(_in_app(app, sweep.digest, "digest"), CronTrigger(
        hour=at.hour, minute=at.minute, timezone=ZoneInfo(config["DIGEST_TIMEZONE"])),
        id="digest", name="daily digest")
    scheduler.add_job(_pruning(app), CronTrigger(hour=3, minute=17, timezone=UTC),
                      id="prune", name="daily clean-up")
    return scheduler


def run(app) -> None:
    """Run the scheduler in the foreground until Ctrl-C or SIGTERM."""
    scheduler = build(app)

    def stop(signum, frame):
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    log.info("scheduler started: sweep every %s minutes, digest at %s %s",
             app.config["REMINDER_SWEEP_MINUTES"], app.config["DIGEST_TIME"],
             app.config["DIGEST_TIMEZONE"])
    try:
        scheduler.start()
    except KeyboardInterrupt:
        scheduler.shutdown(wait=False)
