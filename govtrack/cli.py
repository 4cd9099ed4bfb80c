"""The `flask govtrack ...` commands."""

import gc
import json
import sys
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import click
from sqlalchemy import select

from govtrack.clock import today
from govtrack.extensions import db


@click.group("govtrack")
def govtrack_cli():
    """govtrack administration: accounts, county files, health."""


@govtrack_cli.command("create-admin")
@click.option("--email", required=True, help="Login e-mail address.")
@click.option("--name", required=True, help="Full name.")
@click.option("--agency", "agency_key", default=None,
              help="Key of the person's agency (default: a 'County administration' agency).")
@click.password_option(help="Password (asked for when not given).")
def create_admin(email, name, agency_key, password):
    """Create an administrator account (and its person record)."""
    from govtrack.accounts.services import AccountError, create_account
    from govtrack.agencies.models import Agency
    from govtrack.agencies.services import create_agency, create_person

    if agency_key:
        agency = db.session.scalar(select(Agency).where(Agency.key == agency_key))
        if agency is None:
            raise click.ClickException(f"no agency with key {agency_key!r}")
    else:
        agency = db.session.scalar(select(Agency).where(Agency.key == "county-admin")) \
            or create_agency(None, name="County administration", sector="other",
                             key="county-admin")
    person = create_person(None, name=name, agency=agency, email=email)
    try:
        create_account(None, person, email, password, is_admin=True)
    except AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Administrator {email} created.")


#: below this many units of work (committees) a county file is small: no progress bar
PROGRESS_MIN = 50


@contextmanager
def _progress(label: str, total: int):
    """A progress bar on standard error for a long export or import (stdout stays the file).

    Yields progress(n); below PROGRESS_MIN units, or when standard error is not
    a terminal (click then prints the label alone), it is quiet or nearly so.
    """
    if total < PROGRESS_MIN:
        yield lambda _done: None
        return
    with click.progressbar(length=total, label=label, file=sys.stderr,
                           show_pos=True) as bar:
        yield bar.update


@govtrack_cli.command("export")
@click.option("--out", type=click.Path(dir_okay=False, writable=True, allow_dash=True),
              default="-", help="File to write (default: standard output).")
def export_command(out):
    """Write the county file."""
    from govtrack.county.services import export_units, write_county

    with _progress("Exporting committees", export_units()) as progress:
        if not out or out == "-":
            write_county(lambda text: sys.stdout.buffer.write(text.encode("utf-8")), progress)
            return
        # Written beside the file and renamed at the end, so a failed export never
        # leaves last night's backup half overwritten.
        path = Path(out)
        partial = path.with_name(f".{path.name}.partial")
        try:
            with partial.open("w", encoding="utf-8") as stream:
                write_county(stream.write, progress)
            partial.replace(path)
        finally:
            partial.unlink(missing_ok=True)


def _read_county_file(file: str, limit: int):
    """The parsed county file at path file, or on standard input for "-".

    Reads at most the size limit (and one byte more, to know it was passed;
    0: no limit), so a file of any size costs no more memory than a file at
    the limit.
    """
    from govtrack.county.services import CountyFileError, county_size_problem, read_county

    if file == "-":
        raw = sys.stdin.buffer.read(limit + 1) if limit else sys.stdin.buffer.read()
        if limit and len(raw) > limit:
            raise CountyFileError(f"standard input holds more than the limit of "
                                  f"{limit / 1_000_000:g} MB{_RAISE_LIMIT}")
        return read_county(raw, limit)
    path = Path(file)
    too_large = county_size_problem(path.stat().st_size, limit)  # before reading any of it
    if too_large:
        raise CountyFileError(too_large + _RAISE_LIMIT)
    return read_county(path.read_bytes(), limit)


#: what a refusal for size tells the administrator, who may know the file is theirs
_RAISE_LIMIT = ("; if the file is yours, raise the limit with --max-bytes (0: none): "
                "memory grows with the file")


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()) if n) or "nothing"


def _print_report(report, dry_run: bool) -> None:
    """Problems one per line as `JSON-PATH: message`; if none, what was (or would be) done."""
    for path, message in report.problems:
        click.echo(f"{path}: {message}")
    for path in report.ignored:
        click.echo(f"{path}: not imported: govtrack does not store this yet", err=True)
    if not report.ok:
        return
    if dry_run:
        click.echo("Dry run: nothing was stored.")
    prefix = "Would " if dry_run else ""
    for verb, counts in (("create", report.created), ("change", report.updated),
                         ("remove", report.deleted), ("keep", report.unchanged)):
        label = f"{prefix}{verb}" if dry_run else {"create": "Created", "change": "Changed",
                                                   "remove": "Removed", "keep": "Kept"}[verb]
        click.echo(f"{label.capitalize()}: {_counts(counts)}")
    for label, keys in (("Changed", report.changed_keys), ("Removed", report.deleted_keys)):
        for kind, names in sorted(keys.items()):
            click.echo(f"{label} {kind}: {', '.join(names)}")


@govtrack_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option("--dry-run", is_flag=True,
              help="Check the file and list what would be created, changed and kept; store "
                   "nothing.")
@click.option("--max-bytes", type=click.IntRange(min=0), default=None,
              help="Refuse a larger file (default 200 MB; 0: no limit). The whole file is "
                   "parsed before anything is stored, so memory grows with it.")
def import_command(file, dry_run, max_bytes):
    """Validate and import a county file (FILE, or - for standard input), all or nothing.

    Exit status 0 when the file was (or, with --dry-run, would be) imported; 1
    with its problems listed one per line as `JSON-PATH: message`.
    """
    from govtrack.county.services import (
        COUNTY_MAX_BYTES,
        CountyFileError,
        import_county,
        progress_units,
    )

    try:
        data = _read_county_file(file, COUNTY_MAX_BYTES if max_bytes is None else max_bytes)
    except CountyFileError as exc:
        click.echo(f"{exc.path}: {exc}")
        sys.exit(1)
    # The parsed file lives until the command ends: keep the garbage collector from
    # walking its millions of values again and again while the import runs.
    gc.freeze()
    total = progress_units(data) if isinstance(data, dict) else 0
    with _progress("Importing committees", total) as progress:
        report = import_county(data, dry_run=dry_run, progress=progress)
    if report.ok and not dry_run:
        db.session.commit()
    else:
        db.session.rollback()
    _print_report(report, dry_run)
    sys.exit(0 if report.ok else 1)


@govtrack_cli.command("load-demo")
def load_demo_command():
    """Load the demo county and its logins (a second run changes nothing)."""
    from govtrack.committees.models import Committee
    from govtrack.demo import DEMO_LOGINS, DEMO_PASSWORD, load_demo
    from govtrack.meetings.services import schedule

    report = load_demo()
    if not report.ok:
        db.session.rollback()
        _print_report(report, False)
        sys.exit(1)
    # The coming months' meetings, as a chair would schedule them: a newcomer
    # opens the next meeting and drafts its agenda straight away.
    scheduled = sum(len(schedule(None, c)) for c in db.session.scalars(select(Committee))
                    if c.cadence_rrule and (c.end_date is None or c.end_date >= today()))
    db.session.commit()
    if scheduled:
        click.echo(f"{scheduled} coming meetings scheduled from the committees' cadences.")
    created = sum(report.created.values())
    click.echo("Demo county loaded." if created else "Demo county already loaded.")
    _take_snapshot()  # the county view has the demo's health before the scheduler runs
    click.echo(f"Demo logins (password for each: {DEMO_PASSWORD}):")
    for login in DEMO_LOGINS:
        click.echo(f"  {login['role']:<18} {login['email']}")


@govtrack_cli.command("health")
@click.option("--at", "at", default=None, help="As-of date, YYYY-MM-DD (default: today).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--snapshot", "snapshot", is_flag=True,
              help="Store today's health for the county view instead (as the scheduler does).")
def health_command(at, as_json, snapshot):
    """Print every health flag as of a date, or store today's as the county view's snapshot."""
    from govtrack.health.services import report

    if snapshot:
        if at or as_json:
            raise click.UsageError("--snapshot judges today and prints no report")
        _take_snapshot()
        return
    try:
        as_of = date.fromisoformat(at) if at else today()
    except ValueError as exc:
        raise click.BadParameter("use YYYY-MM-DD", param_hint="--at") from exc
    result = report(as_of)
    if as_json:
        click.echo(json.dumps(result, indent=2))
        return
    click.echo(f"Health as of {result['as_of']}")
    for committee in result["committees"]:
        flags = ", ".join(f"{f['code']} since {f['since']}" for f in committee["flags"])
        click.echo(f"committee {committee['key']}: {flags or 'healthy'}")
        for wg in committee["workgroups"]:
            flags = ", ".join(f"{f['code']} since {f['since']}" for f in wg["flags"])
            click.echo(f"  workgroup {wg['key']}: {flags or 'healthy'}")
    for mou in result["mous"]:
        flags = ", ".join(f"{f['code']} since {f['since']}" for f in mou["flags"])
        click.echo(f"mou {mou['key']}: {flags or 'healthy'}")


def _take_snapshot() -> None:
    """Store the county's health for the county view now, and say so."""
    from govtrack.health import snapshot

    taken = snapshot.take()
    click.echo(f"Health snapshot of {taken.as_of.isoformat()} stored for the county view.")


def _instant(text: str):
    """--at: an ISO date or date-time; without an offset it is UTC."""
    from datetime import UTC, datetime

    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise click.BadParameter("use YYYY-MM-DD or YYYY-MM-DDTHH:MM[+HH:MM]",
                                 param_hint="--at") from exc
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@govtrack_cli.command("sweep")
@click.option("--dry-run", is_flag=True,
              help="Print what would be created and sent; store nothing.")
@click.option("--at", "at", default=None,
              help="Evaluate as of this instant, YYYY-MM-DD[THH:MM] (UTC unless offset given).")
def sweep_command(dry_run, at):
    """Run one reminder sweep now and send what is due (a second run sends nothing new)."""
    from flask import current_app

    from govtrack.reminders import sweep
    from govtrack.reminders.delivery import mail_folder

    moment = _instant(at) if at else None
    if dry_run:
        report = sweep.dry_run(moment)
        _failed_kinds(report)
        click.echo(f"Would create {len(report.would_create)} reminders:")
        for due, status in report.would_create:
            click.echo(f"  {due.key}  to person {due.person_id}  e-mail: {status}  {due.subject}")
        click.echo(f"Would send {len(report.would_send)} e-mails now:")
        for row in report.would_send:
            click.echo(f"  {row.key}  to person {row.person_id}  {row.subject}")
        return
    report = sweep.sweep(moment)
    if not report.acted:
        click.echo("Another sweep is acting right now; nothing done.")
        return
    click.echo(f"{report.created} new reminders, {report.digests} digests; "
               f"e-mail: {report.delivered}.")
    if not current_app.config["MAIL_SERVER"] and report.delivered.sent:
        click.echo(f"No MAIL_SERVER set: the e-mails are files in {mail_folder()}")
    if report.failed_kinds:
        _failed_kinds(report)
        sys.exit(1)


def _failed_kinds(report) -> None:
    for code in report.failed_kinds:
        click.echo(f"reminder kind {code} failed (see the log); the others were swept", err=True)


@govtrack_cli.command("scheduler")
def scheduler_command():
    """Run the reminder scheduler in the foreground (one per site is enough; more are safe)."""
    import logging

    from flask import current_app

    from govtrack import scheduler

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # govtrack logs each run
    scheduler.run(current_app._get_current_object())


@govtrack_cli.command("seal-chains")
@click.option("--reseal", is_flag=True,
              help="Also move events sealed with an older key onto the current one.")
def seal_chains_command(reseal):
    """Seal the signing events recorded before the chain was keyed (a deploy step, once).

    The seal vouches for the record as it stands now: run it right after the
    upgrade, and check `flask govtrack verify` output before and after.
    """
    from govtrack.mous.services import seal_events

    sealed, refused = seal_events(reseal=reseal)
    db.session.commit()
    for key, problem in refused:
        click.echo(f"mou {key}: not sealed: {problem}")
    click.echo(f"{sealed} {'event' if sealed == 1 else 'events'} sealed.")


@govtrack_cli.command("encrypt-totp-secrets")
def encrypt_totp_secrets_command():
    """Encrypt the two-step secrets stored in clear before this version (once, on upgrade)."""
    from govtrack.accounts.totp import encrypt_stored_secrets

    done = encrypt_stored_secrets()
    db.session.commit()
    click.echo(f"{done} {'secret' if done == 1 else 'secrets'} encrypted.")
