"""Benchmark the main pages and rewrite bench/RESULTS.md: python -m bench.run [--scale national].

`make bench` runs the county scale on SQLite; `--scale national` the 10x data
set on PostgreSQL. In order:

1. county: build the data set under bench/data/ (or reuse it if it is there,
   of the same DATASET_VERSION, schema, seed and as-of month); national: start
   a throwaway PostgreSQL cluster (tests/pg.py), build the data set into it
   with COPY and VACUUM ANALYZE it;
2. count the SQL queries of each page in-process (Flask test client, same
   database, a before_cursor_execute listener), logged in as the chair of the
   largest committee, or for a page the chair does not see (an agency head's
   MOUs) as the user it belongs to;
3. start gunicorn on a free loopback port with the same configuration for
   every page, log in through the real login form, and for each page measure
   the latency of sequential requests after a warm-up (p50 and p95) and the
   requests per second of CONCURRENCY client threads for LOAD_SECONDS, against
   a trivial route (a static file) served by the same gunicorn;
4. time the health report over all committees, the reminder sweep's
   derivation (every kind of govtrack.features.REMINDER_KINDS at noon on the
   data's as-of day, with its peak memory in a separate traced run;
   `--sweep-only` times that alone at county scale and prints it) and, at
   county scale, the 30-item agenda .docx and the Word minutes of 50,000
   decisions (bench/minutes_docx.py);
5. rewrite this scale's section of bench/RESULTS.md, keeping the other's;
   national: stop and remove the cluster, on failure and Ctrl-C too.

Every loop is bounded in count and in time, and everything stays on 127.0.0.1.
"""

import argparse
import json
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import urlencode

from bench import make_dataset

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
RESULTS = ROOT / "bench" / "RESULTS.md"
GUNICORN_LOG = DATA / "gunicorn.log"
SECRET_KEY = "bench-secret-key-not-for-production"

#: gunicorn sync workers: one per core of this 2-core machine. The pages are
#: CPU-bound Python (SQLite answers from the page cache), so more workers only
#: time-slice the same two cores, and the load client needs CPU too.
WORKERS = 2
#: client threads for the throughput run: two per worker, so a worker never
#: waits for the client to send its next request
CONCURRENCY = 4
WARMUP = 20
#: in-process requests whose CPU time is averaged
CPU_RUNS = 10
#: sequential requests for the latency percentiles, stopped early after SEQUENTIAL_SECONDS
SEQUENTIAL = 200
SEQUENTIAL_SECONDS = 12
#: the throughput run lasts LOAD_SECONDS or LOAD_MAX requests, whichever comes first
LOAD_SECONDS = 6
LOAD_MAX = 20_000

# Targets of issue 8.
P95_MS = 50
RPS_SHARE = 0.25
HEALTH_S = 2
DOCX_MS = 150
#: seconds the reminder sweep may take to derive every kind at county scale (issue 13)
SWEEP_S = 2
#: seconds the Word minutes of 50,000 decisions may take (issue 16: they once took over
#: 30 s, gunicorn's worker timeout; half of it leaves a loaded machine room)
MINUTES_S = 15
#: a page whose first request takes longer is timed by its counted request alone, not
#: CPU_RUNS more;
#: one whose CPU time is above SLOW_MS is not measured over HTTP: its p95 cannot meet
#: the target, its warm-up alone would take minutes, and a loaded machine would reach
#: gunicorn's 30 s worker timeout
SLOW_FIRST_S = 1
SLOW_MS = 1000

#: the trivial route of issue 8, the reference of the ratio column
TRIVIAL = ("Trivial route (static file, anonymous)", "/static/css/govtrack.css")
#: a second reference: the smallest page the application itself renders (template, CSRF
#: token, session cookie), to tell the framework's cost from the pages' own
APP_REFERENCE = ("Reference: login form (anonymous, rendered by the app)", "/login")


@dataclass
class Page:
    """One measured page and what the run found."""

    label: str
    path: str
    anonymous: bool = False
    #: e-mail of the user to log in as (plan() sets the chair's where none is given)
    login: str | None = None
    #: a reference row (the trivial routes): no target applies
    reference: bool = False
    #: why the page could not be measured (an error status), if it could not
    failed: str = ""
    #: why it was not measured over HTTP (too slow for it), if it was not
    skipped: str = ""
    queries: int | None = None
    cpu_ms: float = 0.0
    latencies: list[float] = field(default_factory=list)
    rps: float = 0.0
    errors: int = 0
    bytes: int = 0

    def pct(self, p: int) -> float:
        """The p-th percentile of the sequential latencies, in ms."""
        if len(self.latencies) < 2:
            return self.latencies[0] if self.latencies else float("nan")
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[p - 1]


# --- the data set -------------------------------------------------------------------


def database_url(path: Path) -> str:
    """The SQLAlchemy URL of the SQLite file."""
    return f"sqlite:///{path.resolve()}"


# --- in-process: who to log in as, which pages, how many queries -------------------


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html)
    if not match:
        raise SystemExit("no CSRF token in the login page")
    return match.group(1)


def _account_of(person_id: int | None):
    """The active, non-administrator account of a person, or None."""
    from sqlalchemy import select

    from govtrack.accounts.models import Account
    from govtrack.extensions import db

    if person_id is None:
        return None
    account = db.session.scalar(select(Account).where(Account.person_id == person_id))
    return account if account and account.active and not account.is_admin else None


def _pick_chair():
    """The largest committee (by current seats) whose chair has an account; and that chair."""
    from sqlalchemy import func, select

    from govtrack.chairs.services import current_term
    from govtrack.clock import today
    from govtrack.committees.models import Committee, Membership
    from govtrack.extensions import db

    seats = (select(Membership.committee_id, func.count().label("n"))
             .where(Membership.end.is_(None)).group_by(Membership.committee_id)
             .order_by(func.count().desc(), Membership.committee_id).limit(20))
    for committee_id, _n in db.session.execute(seats):
        committee = db.session.get(Committee, committee_id)
        term = current_term(committee, today())
        account = _account_of(term and term.person_id)
        if account:
            return account, committee
    raise SystemExit("no committee with a chair in office: rebuild the data set")


def _meeting_pages(committee) -> list[Page]:
    """The committee's next meeting (the chair drafting its agenda), what "Draft the agenda for
    me" would add to it, and the committee's last held meeting with its attendance grid and
    its minutes as the chair takes them."""
    from sqlalchemy import select

    from govtrack.clock import utcnow
    from govtrack.extensions import db
    from govtrack.meetings.models import Meeting

    coming = db.session.scalar(
        select(Meeting).where(Meeting.committee_id == committee.id,
                              Meeting.status == "scheduled", Meeting.starts_at >= utcnow())
        .order_by(Meeting.starts_at).limit(1))
    held = db.session.scalar(
        select(Meeting).where(Meeting.committee_id == committee.id, Meeting.status == "held")
        .order_by(Meeting.starts_at.desc()).limit(1))
    return ([Page(f"Meeting, next ({coming.key}, chair drafting)", f"/meetings/{coming.key}"),
             Page(f"Agenda draft preview ({coming.key})", f"/meetings/{coming.key}/agenda/draft")]
            if coming else []) + ([
                Page(f"Meeting, last held ({held.key})", f"/meetings/{held.key}"),
                Page(f"Attendance grid ({held.key})", f"/meetings/{held.key}/attendance"),
                Page(f"Minutes ({held.key})", f"/meetings/{held.key}/minutes")] if held else [])


def _workgroup_page(committee) -> list[Page]:
    """The committee's open workgroup with the most action items."""
    from sqlalchemy import func, select

    from govtrack.actions.models import ActionItem
    from govtrack.extensions import db
    from govtrack.workgroups.models import Workgroup

    row = db.session.execute(
        select(Workgroup.key, func.count(ActionItem.id))
        .outerjoin(ActionItem, ActionItem.workgroup_key == Workgroup.key)
        .where(Workgroup.committee_id == committee.id, Workgroup.closed_at.is_(None))
        .group_by(Workgroup.id, Workgroup.key)
        .order_by(func.count(ActionItem.id).desc(), Workgroup.id).limit(1)).first()
    if row is None:
        print(f"  (no open workgroup in {committee.key}: no workgroup page)")
        return []
    return [Page(f"Workgroup ({row[0]}, {row[1]} action items)", f"/workgroups/{row[0]}")]


def _mou_page(committee) -> list[Page]:
    """The executed MOU with the longest signing record: the committee's own, else any.

    Logged in as the chair when the committee sponsors it; otherwise as the
    head of its first party, who may see it too.
    """
    from sqlalchemy import func, select

    from govtrack.extensions import db
    from govtrack.mous.models import Mou, SigningEvent

    def best(*where):
        return db.session.execute(
            select(Mou, func.count(SigningEvent.id))
            .join(SigningEvent, SigningEvent.mou_id == Mou.id)
            .where(Mou.status == "executed", *where)
            .group_by(Mou.id).order_by(func.count(SigningEvent.id).desc(), Mou.id)
            .limit(1)).first()

    found, login = best(Mou.committee_id == committee.id), None
    if found is None:
        found = best()
        if found is None:
            print("  (no executed MOU: no MOU page)")
            return []
        account = next(filter(None, (_account_of(a.head_id) for a in found[0].parties)), None)
        if account is None:
            return []
        login = account.email
    mou, events = found
    return [Page(f"MOU ({mou.key}, executed, {len(mou.parties)} parties signed, "
                 f"{events} signing events)", f"/mous/{mou.key}", login=login)]


def _outcomes_page(committee) -> list[Page]:
    """The committee's outcomes; if it has no measures, those of the one with the most."""
    from sqlalchemy import func, select

    from govtrack.chairs.services import current_term
    from govtrack.clock import today
    from govtrack.committees.models import Committee
    from govtrack.extensions import db
    from govtrack.pdsa.models import Measure

    def count(c):
        return db.session.scalar(select(func.count(Measure.id)).where(
            Measure.committee_id == c.id))

    login = None
    if not count(committee):
        for committee_id, _n in db.session.execute(
                select(Measure.committee_id, func.count()).group_by(Measure.committee_id)
                .order_by(func.count().desc(), Measure.committee_id).limit(20)):
            candidate = db.session.get(Committee, committee_id)
            term = current_term(candidate, today())
            account = _account_of(term and term.person_id)
            if account:
                committee, login = candidate, account.email
                break
        else:
            print("  (no committee with measures and a chair: no outcomes page)")
            return []
    return [Page(f"Outcomes ({committee.key}, {count(committee)} measures)",
                 f"/committees/{committee.key}/outcomes", login=login)]


def _head_page() -> list[Page]:
    """MOUs awaiting my signature, for the head of the agencies in the most live MOUs."""
    from sqlalchemy import func, select

    from govtrack.agencies.models import Agency
    from govtrack.extensions import db
    from govtrack.mous.models import Mou, mou_party
    from govtrack.mous.services import awaiting_signature

    heads = db.session.execute(
        select(Agency.head_id, func.count())
        .join(mou_party, mou_party.c.agency_id == Agency.id)
        .join(Mou, Mou.id == mou_party.c.mou_id)
        .where(Mou.status.in_(("in_review", "out_for_signature", "executed")),
               Agency.head_id.is_not(None))
        .group_by(Agency.head_id).order_by(func.count().desc(), Agency.head_id).limit(20))
    for person_id, live in heads:
        account = _account_of(person_id)
        if account and awaiting_signature(account.person):
            waiting = len(awaiting_signature(account.person))
            return [Page(f"MOUs awaiting my signature (agency head p{person_id}: {waiting} "
                         f"waiting, {live} live MOUs)", "/mous/mine", login=account.email)]
    print("  (no agency head with an MOU awaiting signature: no head page)")
    return []


#: the health snapshot plan() took for the county view, if the data set had none: its seconds
SNAPSHOT: dict[str, float] = {}


def _county_page() -> list[Page]:
    """The county view and its CSV, as a county coordinator or else an admin.

    They read the health snapshot the scheduler writes after each sweep: one
    is taken first if the data set has none, as the scheduler does at its start.
    """
    from sqlalchemy import select

    from govtrack.accounts.models import Account
    from govtrack.extensions import db
    from govtrack.health import snapshot

    account = db.session.scalar(
        select(Account).where(Account.active.is_(True),
                              Account.is_county_coordinator | Account.is_admin)
        .order_by(Account.is_county_coordinator.desc(), Account.id).limit(1))
    if account is None:
        print("  (no county coordinator nor administrator: no county view)")
        return []
    if snapshot.latest() is None:
        start = time.perf_counter()
        taken = snapshot.take()
        SNAPSHOT["seconds"] = time.perf_counter() - start
        print(f"  health snapshot of {taken.as_of} taken in {SNAPSHOT['seconds']:.1f} s")
    latest = snapshot.latest()
    committees = snapshot.count_committees(latest)
    stalled = snapshot.count_committees(latest, snapshot.STALLED)
    role = "county coordinator" if account.is_county_coordinator else "administrator"
    return [Page(f"County view (health snapshot, {committees} committees, first page, as {role})",
                 "/county/", login=account.email),
            Page(f"County view, stalled workgroups ({stalled} committees, first page)",
                 "/county/?flag=stalled", login=account.email),
            Page(f"County view as CSV (every committee's flags, {committees} committees)",
                 "/county/health.csv", login=account.email)]


def plan(url: str) -> tuple[list[Page], dict[str, int]]:
    """Pick the chair of the largest committee; list the pages; count their queries.

    Returns the pages and the size of every table. Pages
    the chair cannot see (or that belong to someone else) carry the e-mail of
    the user to log in as instead.
    """
    from sqlalchemy import event, func, select

    from govtrack import create_app
    from govtrack.clock import today
    from govtrack.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY})
    with app.app_context():
        sizes = {t.name: db.session.scalar(select(func.count()).select_from(t))
                 for t in db.metadata.sorted_tables}
        chair, committee = _pick_chair()
        members = sum(1 for m in committee.memberships if m.holds_on(today()))
        email, key = chair.email, committee.key
        print(f"logging in as {email}, chair of {key} ({members} current members)")
        pages = [Page(*TRIVIAL, anonymous=True, reference=True),
                 Page(*APP_REFERENCE, anonymous=True, reference=True),
                 Page("My work", "/my-work"),
                 Page(f"Chair's dashboard ({key})", f"/committees/{key}/dashboard"),
                 Page("Committees list", "/committees/"),
                 Page(f"Committee ({key})", f"/committees/{key}"),
                 Page(f"Committee meetings ({key})", f"/committees/{key}/meetings"),
                 *_meeting_pages(committee),
                 *_workgroup_page(committee),
                 *_mou_page(committee),
                 *_outcomes_page(committee),
                 Page("Agencies", "/agencies/"),
                 *_head_page(),
                 *_county_page()]
        for p in pages:
            if p.login is None and not p.anonymous:
                p.login = email
            elif p.login:
                print(f"  {p.label}: logged in as {p.login}")

    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def listener(conn, cursor, sql, params, context, many):
        statements.append(sql)

    event.listen(engine, "before_cursor_execute", listener)
    # No app context around the clients: each request must get its own, with a
    # fresh session and `g`, or the identity map and the loaded user would
    # carry over and hide queries. One client per user logged in as.
    clients = {None: app.test_client()}
    for login_as in dict.fromkeys(p.login for p in pages if p.login):
        client = clients[login_as] = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        response = client.post("/login", data={"csrf_token": _csrf(page), "email": login_as,
                                               "password": make_dataset.PASSWORD})
        if response.status_code != 302:
            raise SystemExit(f"login of {login_as} failed in-process: {response.status_code}")
    (DATA / "queries").mkdir(parents=True, exist_ok=True)
    for p in pages:
        client = clients[p.login]
        first = time.perf_counter()
        client.get(p.path)  # first request of a page: caches and compiled queries
        first = time.perf_counter() - first
        statements.clear()
        counted = time.process_time()
        response = client.get(p.path)
        counted = time.process_time() - counted
        if response.status_code != 200:
            # Reported in its row; the other pages are still worth measuring.
            p.failed = f"HTTP {response.status_code} in-process"
            print(f"  {p.path}: {p.failed}", flush=True)
            continue
        p.queries = len(statements)
        slug = re.sub(r"[^a-z0-9]+", "-", p.path.lower()).strip("-") or "root"
        (DATA / "queries" / f"{slug}.sql").write_text(";\n\n".join(statements) + ";\n")
        # CPU time of the page alone, in this process: unlike the latencies over
        # HTTP, other programs sharing the machine do not inflate it.
        if first < SLOW_FIRST_S:
            start = time.process_time()
            for _ in range(CPU_RUNS):
                client.get(p.path)
            p.cpu_ms = (time.process_time() - start) / CPU_RUNS * 1000
        else:  # a slow page: the counted request's CPU time is the measure
            p.cpu_ms = counted * 1000
        if p.cpu_ms > SLOW_MS:
            p.skipped = (f"one request takes {p.cpu_ms / 1000:.1f} s of CPU in-process: not "
                         "measured over HTTP")
            print(f"  {p.path}: {p.skipped}", flush=True)
    event.remove(engine, "before_cursor_execute", listener)
    engine.dispose()
    return pages, sizes


# --- over HTTP, against gunicorn -------------------------------------------------------


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(url: str, port: int) -> subprocess.Popen:
    """gunicorn serving wsgi:app on 127.0.0.1:port, once it answers."""
    # faulthandler: a worker that crashes leaves its Python traceback in the log.
    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY=SECRET_KEY, PYTHONFAULTHANDLER="1")
    log = GUNICORN_LOG.open("w")
    # No control socket: gunicorn 27 puts it at one fixed path in $HOME, which a
    # gunicorn another engineer runs at the same time would share.
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "--workers", str(WORKERS),
         "--worker-class", "sync", "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
         "--no-control-socket", "wsgi:app"], cwd=ROOT, env=env, stdout=log, stderr=log)
    log.close()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("gunicorn exited at start")
        try:
            status, _ = fetch(port, TRIVIAL[1], "")
            if status == 200:
                return process
        except OSError:
            time.sleep(0.2)
    stop(process)
    raise SystemExit("gunicorn did not answer within 30 s")


def stop(process: subprocess.Popen) -> None:
    """Stop gunicorn gracefully; kill it if it lingers."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def fetch(port: int, path: str, cookie: str) -> tuple[int, int]:
    """GET path over a fresh connection (sync workers close it); return status and size.

    A raw socket rather than http.client: the client spends less CPU per
    request, leaving more of the two cores to the server it measures.
    """
    request = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
               f"{'Cookie: ' + cookie + chr(13) + chr(10) if cookie else ''}"
               "Connection: close\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(request)
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    data = b"".join(chunks)
    # No answer at all (a worker that died mid-request) counts as status 0: an error.
    return (int(data[9:12]) if data[9:12].isdigit() else 0), len(data)


def login(port: int, email: str) -> str:
    """Log in through the real form (CSRF token and all); return the Cookie header."""
    conn = HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/login")
    response = conn.getresponse()
    token = _csrf(response.read().decode())
    cookie = response.getheader("Set-Cookie", "").split(";", 1)[0]
    conn = HTTPConnection("127.0.0.1", port, timeout=30)
    body = urlencode({"csrf_token": token, "email": email, "password": make_dataset.PASSWORD})
    conn.request("POST", "/login", body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    response = conn.getresponse()
    response.read()
    if response.status != 302 or "/login" in (response.getheader("Location") or ""):
        raise SystemExit(f"login through gunicorn failed: {response.status}")
    return response.getheader("Set-Cookie", "").split(";", 1)[0]


def measure(port: int, page: Page, cookie: str) -> None:
    """Warm up, then sequential latencies, then throughput with CONCURRENCY threads."""
    if page.failed or page.skipped:
        return
    for _ in range(WARMUP):
        status, page.bytes = fetch(port, page.path, cookie)
        if status != 200:
            page.failed = f"HTTP {status} through gunicorn"
            print(f"  {page.label}: {page.failed} (see {GUNICORN_LOG.relative_to(ROOT)})",
                  flush=True)
            return
    deadline = time.monotonic() + SEQUENTIAL_SECONDS
    while len(page.latencies) < SEQUENTIAL and time.monotonic() < deadline:
        start = time.perf_counter()
        status, _ = fetch(port, page.path, cookie)
        page.latencies.append((time.perf_counter() - start) * 1000)
        page.errors += status != 200

    done = [0] * CONCURRENCY
    errors = [0] * CONCURRENCY
    stop_at = time.monotonic() + LOAD_SECONDS
    budget = LOAD_MAX // CONCURRENCY

    def client(n: int) -> None:
        while time.monotonic() < stop_at and done[n] < budget:
            try:
                status, _ = fetch(port, page.path, cookie)
            except OSError:
                status = 0
            done[n] += 1
            errors[n] += status != 200

    start = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(CONCURRENCY)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    page.rps = (sum(done) - sum(errors)) / elapsed
    page.errors += sum(errors)
    print(f"  {page.label}: {page.queries} queries, {page.cpu_ms:.1f} ms CPU, "
          f"p50 {page.pct(50):.1f} ms, p95 {page.pct(95):.1f} ms, {page.rps:.0f} req/s"
          + (f", {page.errors} errors" if page.errors else ""), flush=True)


# --- health report and agenda document ----------------------------------------------------


def time_health(url: str, runs: int = 3) -> tuple[float, int, int]:
    """Median seconds of health.services.report(today) over all committees; queries; flags."""
    from sqlalchemy import event

    from govtrack import create_app
    from govtrack.clock import today
    from govtrack.extensions import db
    from govtrack.health.services import report

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY})
    timings, queries, flags = [], 0, 0
    with app.app_context():
        counter = []
        event.listen(db.engine, "before_cursor_execute",
                     lambda conn, cursor, sql, params, context, many: counter.append(1))
        for _ in range(runs):
            db.session.remove()  # a fresh session, as the command gets: no warm identity map
            counter.clear()
            start = time.perf_counter()
            result = report(today())
            timings.append(time.perf_counter() - start)
            queries = len(counter)
        flags = sum(len(c["flags"]) for c in result["committees"])
    return statistics.median(timings), queries, flags


def time_sweep(url: str, as_of: str, runs: int = 3) -> dict:
    """The reminder sweep's derivation: every kind's due(now) at noon UTC on the data's as-of day.

    Median seconds of all kinds together (a fresh session each run, as the
    scheduler's sweep gets), statements, reminders, and per kind: seconds of the
    median run, statements, reminders. Then one more run, traced
    (tracemalloc, which slows it: not timed), of sweep.due_reminders as the
    sweep calls it: the peak of the memory Python allocated while deriving.
    """
    import tracemalloc

    from sqlalchemy import event

    from govtrack import create_app
    from govtrack.extensions import db
    from govtrack.features import REMINDER_KINDS
    from govtrack.reminders.sweep import deriving, due_reminders

    now = datetime.fromisoformat(as_of).replace(hour=12, tzinfo=UTC)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY})
    results = []
    with app.app_context():
        counter = []
        event.listen(db.engine, "before_cursor_execute",
                     lambda conn, cursor, sql, params, context, many: counter.append(1))
        for _ in range(runs):
            db.session.remove()
            kinds = {}
            start, cpu = time.perf_counter(), time.process_time()
            with deriving():  # as sweep.due_reminders does: shared reads, collector paused
                for kind in REMINDER_KINDS:
                    counter.clear()
                    began = time.perf_counter()
                    found = len(list(kind.due(now)))
                    kinds[kind.code] = (time.perf_counter() - began, len(counter), found)
            results.append((time.perf_counter() - start, time.process_time() - cpu, kinds))
        db.session.remove()
        tracemalloc.start()
        try:
            due_reminders(now, REMINDER_KINDS)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        db.session.remove()
    seconds, cpu, kinds = sorted(results, key=lambda r: r[0])[len(results) // 2]
    return {"seconds": seconds, "cpu": cpu, "now": now, "kinds": kinds, "runs": runs,
            "queries": sum(q for _, q, _ in kinds.values()),
            "reminders": sum(n for _, _, n in kinds.values()), "peak_mb": peak / 2**20}


def sweep_lines(sweep: dict) -> list[str]:
    """The sweep's timing in words, and a line per kind."""
    runs = "median of 3" if sweep["runs"] == 3 else f"{sweep['runs']} run(s)"
    target = (f" — target < {SWEEP_S} s: {'yes' if sweep['seconds'] < SWEEP_S else '**no**'}"
              if sweep.get("target", True) else " (the target is at county scale)")
    lines = [f"- Reminder sweep derivation, every kind of `govtrack.features.REMINDER_KINDS` "
             f"at {sweep['now']:%Y-%m-%d %H:%M} UTC, {runs}: **{sweep['seconds']:.2f} s** "
             f"({sweep['cpu']:.2f} s of CPU in the process, an in-process database's work "
             f"included), {sweep['queries']} queries, {sweep['reminders']:,} reminders, "
             f"peak memory {sweep['peak_mb']:.0f} MB (Python's allocations while deriving, "
             f"tracemalloc, a separate run){target}"]
    lines += [f"  - `{code}`: {s * 1000:.0f} ms, {q} queries, {n:,} reminders"
              for code, (s, q, n) in sweep["kinds"].items()]
    return lines


def time_docx() -> tuple[float, float]:
    """Median and maximum ms of the 30-item agenda .docx (bench/agenda_docx.py)."""
    out = subprocess.run([sys.executable, "-m", "bench.agenda_docx", "20"], cwd=ROOT,
                         check=True, capture_output=True, text=True).stdout
    match = re.search(r"median ([\d.]+) ms, max ([\d.]+) ms", out)
    if not match:
        raise SystemExit(f"unexpected output of bench.agenda_docx: {out!r}")
    return float(match.group(1)), float(match.group(2))


def time_minutes() -> tuple[float, float]:
    """Seconds of the Word minutes of a meeting with 50,000 decisions (bench/minutes_docx.py),
    and the CPU seconds of its whole process (imports and the meeting's rows included)."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run([sys.executable, "-m", "bench.minutes_docx"], cwd=ROOT,
                         check=True, capture_output=True, text=True).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    match = re.search(r"\): ([\d.]+) s$", out.strip())
    if not match:
        raise SystemExit(f"unexpected output of bench.minutes_docx: {out!r}")
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return float(match.group(1)), cpu


# --- RESULTS.md ---------------------------------------------------------------------------


def worker_crashes() -> int:
    """Workers that died of a signal during the run, from gunicorn's log."""
    if not GUNICORN_LOG.exists():
        return 0
    return len(re.findall(r"Worker \(pid:\d+\) was sent SIG(?!TERM)", GUNICORN_LOG.read_text()))


SCALE_TITLES = {"county": "County scale, SQLite", "national": "National scale, PostgreSQL"}
#: what a section says until its scale has been run
NOT_RUN = {"county": "Not run yet: `make bench`.",
           "national": "Not run yet: `python -m bench.run --scale national`."}


def section_text(scale: str, pages: list[Page], health: tuple[float, int, int] | None,
                 docx: tuple[float, float] | None, sizes: dict[str, int], meta: dict,
                 run: dict) -> tuple[str, str]:
    """The RESULTS.md section of one scale's run, and its table."""
    trivial = pages[0]
    rows = ["| Page | Path | Queries | CPU ms | p50 ms | p95 ms | Requests/s "
            "| Ratio to trivial | Target met? |", "|---|---|--:|--:|--:|--:|--:|--:|---|"]
    for p in pages:
        ratio = p.rps / trivial.rps if trivial.rps else 0
        if p.failed:
            rows.append(f"| {p.label} | `{p.path}` | {p.queries if p.queries is not None else '—'}"
                        f" | — | — | — | — | — | **failed**: {p.failed} |")
            continue
        if p.skipped:
            rows.append(f"| {p.label} | `{p.path}` | {p.queries} | {p.cpu_ms:.1f} | — | — | — "
                        f"| — | **no**: {p.skipped} |")
            continue
        if p.reference:
            verdict = "(reference)" if p is trivial else "(reference, no target)"
        else:
            misses = ([f"p95 ≥ {P95_MS} ms"] if p.pct(95) >= P95_MS else []) + (
                [f"ratio < {RPS_SHARE:.2f}"] if ratio < RPS_SHARE else [])
            misses += [f"{p.errors} failed requests"] if p.errors else []
            verdict = "yes" if not misses else "**no**: " + ", ".join(misses)
        rows.append(f"| {p.label} | `{p.path}` | {p.queries} | {p.cpu_ms:.1f} | {p.pct(50):.1f} | "
                    f"{p.pct(95):.1f} | {p.rps:.0f} | {ratio:.2f} | {verdict} |")
    table = "\n".join(rows)
    lines = []
    if health:
        health_s, health_queries, flags = health
        lines.append(f"- Health report over all {sizes['committee']:,} committees "
                     f"(`health.services.report`, what `flask govtrack health` runs), "
                     f"{run['health_runs_label']}: **{health_s:.2f} s**, {health_queries:,} "
                     f"queries, {flags:,} flags — target < {HEALTH_S} s: "
                     f"{'yes' if health_s < HEALTH_S else '**no**'}")
    if docx:
        lines.append(f"- Agenda .docx with 30 items (`bench/agenda_docx.py`, 20 runs): median "
                     f"**{docx[0]:.1f} ms**, max {docx[1]:.1f} ms — target < {DOCX_MS} ms: "
                     f"{'yes' if docx[0] < DOCX_MS else '**no**'}")
    if run.get("minutes") is not None:
        seconds, cpu = run["minutes"]
        lines.append(f"- Word minutes of a meeting with 50,000 one-line decisions "
                     f"(`bench/minutes_docx.py`, one run): **{seconds:.2f} s** ({cpu:.1f} s of "
                     f"CPU for the whole process, start-up included) — target < {MINUTES_S} s: "
                     f"{'yes' if seconds < MINUTES_S else '**no**'}")
    if run.get("snapshot"):
        lines.append(f"- Health snapshot for the county view (`health.snapshot.take`, what the "
                     f"scheduler runs after each sweep: the report's judging and its rows "
                     f"stored), one run: **{run['snapshot']:.2f} s**")
    if run.get("sweep"):
        lines += sweep_lines(run["sweep"])
    crashes = run["crashes"]
    lines.append("- gunicorn workers that died during the run: none." if not crashes else
                 f"- **{crashes} gunicorn worker(s) died of a signal during the run** (see "
                 "`bench/data/gunicorn.log`, with the Python traceback of each crash).")
    # Builder order (agencies first); the logins of the benchmark itself left out.
    order = list(meta.get("counts", {})) + sorted(sizes)
    size_list = ", ".join(f"{name} {sizes[name]:,}" for name in dict.fromkeys(order)
                          if sizes.get(name) and not name.startswith("login_"))
    logins = sorted({p.login for p in pages if p.login})
    text = f"""## {SCALE_TITLES[scale]}

Run on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC in {run['seconds']:.0f} s, {run['database']}.
Load average (1 min): {run['load'][0]:.1f} at the start, {run['load'][1]:.1f} at the end.
Above about 0.5, other programs shared the 2 cores and the HTTP columns are
pessimistic; the CPU ms column is not.

{table}

{chr(10).join(lines)}
- Logged in as {", ".join(f"`{e}`" for e in logins)} (the chair of the largest
  committee; pages the chair does not see, as the user named in the row).
- Data set (`bench/make_dataset.py --scale {scale}`, seed {meta.get('seed')}, as of
  {meta.get('as_of')}, built in {meta.get('seconds')} s{run.get('build_note', '')}):
  {size_list}.
"""
    return text, table


def _kept_section(scale: str) -> str:
    """The section of scale in the current RESULTS.md, or a line saying it was not run."""
    if RESULTS.exists():
        match = re.search(rf"<!-- {scale}:start -->\n(.*?)<!-- {scale}:end -->",
                          RESULTS.read_text(), re.S)
        if match:
            return match.group(1)
    return f"## {SCALE_TITLES[scale]}\n\n{NOT_RUN[scale]}\n"


def write_results(scale: str, section: str) -> None:
    """Rewrite bench/RESULTS.md with this scale's section; keep the other scale's as it was."""
    sections = {s: section if s == scale else _kept_section(s) for s in SCALE_TITLES}
    body = "\n".join(f"<!-- {s}:start -->\n{text}<!-- {s}:end -->\n"
                      for s, text in sections.items())
    RESULTS.write_text(f"""# Benchmark results

Written by `python -m bench.run` (`make bench`: county scale on SQLite) and
`python -m bench.run --scale national` (PostgreSQL); do not edit by hand. Each
run rewrites its own section and keeps the other as it was.

Targets (issue 8): every main page answers at p95 under {P95_MS} ms and sustains at
least {RPS_SHARE:.0%} of the requests per second of the trivial route (a static
file) served by the same gunicorn, measured in the same run.

{body}
## How it was measured

- Server: gunicorn, {WORKERS} sync workers (one per core; the pages are CPU-bound),
  `--no-control-socket`, on 127.0.0.1; the same configuration for every row.
  County: SQLite in WAL mode. National: a throwaway PostgreSQL cluster (initdb
  and pg_ctl as in `tests/pg.py`, loopback TCP, default `shared_buffers`;
  fsync off, which only matters for writes), built with COPY and `VACUUM ANALYZE`d
  before the run, then stopped and removed.
- Queries: counted in-process with the Flask test client on the same database
  (a `before_cursor_execute` listener), the second request of each page; the
  statements are in `bench/data/queries/`.
- CPU ms: CPU time of one request in-process (mean of {CPU_RUNS}, test client, no
  HTTP; the counted request alone for a page whose first request took over
  {SLOW_FIRST_S} s): what the page costs in Python, whatever else the machine is
  doing. On PostgreSQL the server's own CPU is not in it. A page above
  {SLOW_MS / 1000:.0f} s of CPU is not measured over HTTP (it cannot meet the target).
- Latency: {WARMUP} warm-up requests, then up to {SEQUENTIAL} sequential requests
  (at most {SEQUENTIAL_SECONDS} s), measured by the client over loopback: server time
  plus well under a millisecond of connection set-up.
- Requests per second: {CONCURRENCY} client threads for {LOAD_SECONDS} s (at most
  {LOAD_MAX:,} requests). The client shares the 2 cores with the server, so the
  trivial route's rate is a floor, and every page's ratio an upper bound.
- The static file costs gunicorn almost nothing, so a quarter of its rate is a
  stiff target; the login form row shows what the smallest page rendered by the
  application (session, CSRF token, template) sustains on the same server.

## Machine

- {os.cpu_count()} CPUs (`nproc`), Python {platform.python_version()} (`{sys.executable}`),
  {platform.system()} {platform.release()}, SQLite {_sqlite_version()}
- The Makefile builds `.venv` on Debian's Python 3.11 (`/usr/bin/python3.11`):
  the machine's pyenv Python 3.11.7 crashed with SIGSEGV in the garbage collector
  under the health report's large queries (every one of five runs) and, most likely
  the same fault, killed
  gunicorn workers about once per 1,000–2,000 requests; Debian's 3.11.2 ran the
  same code and data cleanly (five runs of five).
""")


def _sqlite_version() -> str:
    import sqlite3

    return sqlite3.sqlite_version


# --- the two scales ------------------------------------------------------------------------


def measure_pages(url: str, pages: list[Page]) -> int:
    """Serve url with gunicorn, log in as each user the pages need, measure every page.

    Returns the number of workers that crashed.
    """
    port = free_port()
    print(f"gunicorn -w {WORKERS} on 127.0.0.1:{port}", flush=True)
    server = start_gunicorn(url, port)
    try:
        cookies = {email: login(port, email)
                   for email in dict.fromkeys(p.login for p in pages if p.login)}
        for page in pages:
            measure(port, page, cookies.get(page.login, ""))
    finally:
        stop(server)
    return worker_crashes()


def run_county(rebuild: bool) -> tuple[str, str]:
    """The county data set on SQLite: pages, health report, agenda .docx."""
    path = DATA / "county.sqlite"
    meta = make_dataset.ensure_dataset(path, rebuild)
    url = database_url(path)
    pages, sizes = plan(url)
    crashes = measure_pages(url, pages)
    print("health report ...", flush=True)
    health = time_health(url)
    print(f"  {health[0]:.2f} s, {health[1]} queries")
    print("agenda .docx ...", flush=True)
    docx = time_docx()
    print(f"  median {docx[0]:.1f} ms")
    print("minutes .docx (50,000 decisions) ...", flush=True)
    minutes = time_minutes()
    print(f"  {minutes[0]:.2f} s ({minutes[1]:.1f} s of CPU)")
    print("reminder sweep ...", flush=True)
    sweep = time_sweep(url, meta["as_of"])
    print(f"  {sweep['seconds']:.2f} s, {sweep['queries']} queries, "
          f"peak {sweep['peak_mb']:.0f} MB")
    return pages, health, docx, sizes, meta, {
        "crashes": crashes, "database": f"SQLite {_sqlite_version()}",
        "health_runs_label": "median of 3", "sweep": sweep, "minutes": minutes,
        "snapshot": SNAPSHOT.get("seconds")}


def _postgres_version(url: str) -> str:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        version = conn.execute(text("SHOW server_version")).scalar()
    engine.dispose()
    return f"PostgreSQL {version}"


def _analyze(url: str) -> None:
    """VACUUM ANALYZE the fresh database: planner statistics and a visibility map, as in use."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()


def run_national() -> tuple:
    """The national data set in a throwaway PostgreSQL cluster, stopped whatever happens."""
    from tests.pg import Cluster

    cluster = Cluster()
    try:
        print(f"starting PostgreSQL in {cluster.dir} ...", flush=True)
        url = cluster.start()
        print("building the national data set (10x) ...", flush=True)
        meta_path = DATA / "national.json"
        DATA.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "bench.make_dataset", "--scale", "national",
                        "--database-url", url, "--meta", str(meta_path)], cwd=ROOT, check=True)
        meta = json.loads(meta_path.read_text())
        start = time.perf_counter()
        _analyze(url)
        analyzed = time.perf_counter() - start
        print(f"  VACUUM ANALYZE in {analyzed:.0f} s", flush=True)
        pages, sizes = plan(url)
        crashes = measure_pages(url, pages)
        print("health report (one run) ...", flush=True)
        health = time_health(url, runs=1)
        print(f"  {health[0]:.2f} s, {health[1]} queries")
        print("reminder sweep (one run) ...", flush=True)
        sweep = time_sweep(url, meta["as_of"], runs=1) | {"target": False}
        print(f"  {sweep['seconds']:.2f} s, {sweep['queries']} queries, "
              f"peak {sweep['peak_mb']:.0f} MB")
        return pages, health, None, sizes, meta, {
            "crashes": crashes, "database": _postgres_version(url),
            "health_runs_label": "one run", "sweep": sweep,
            "snapshot": SNAPSHOT.get("seconds"),
            "build_note": f", then VACUUM ANALYZE in {analyzed:.0f} s"}
    finally:
        print("stopping PostgreSQL ...", flush=True)
        cluster.stop()


def _exit_on_signal(signum, frame) -> None:
    """End the run on SIGTERM or SIGHUP as on Ctrl-C: the finally blocks stop the servers."""
    raise SystemExit(f"stopped by signal {signum}")


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark of one scale and rewrite its section of bench/RESULTS.md."""
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=make_dataset.SCALES, default="county",
                        help="county: SQLite under bench/data/ (default); national: 10x, "
                             "in a throwaway PostgreSQL cluster")
    parser.add_argument("--rebuild", action="store_true",
                        help="rebuild the county data set (national is always built afresh)")
    parser.add_argument("--sweep-only", action="store_true",
                        help="county: time the reminder sweep's derivation alone and print it "
                             "(RESULTS.md is left as it is)")
    args = parser.parse_args(argv)
    if args.sweep_only:
        meta = make_dataset.ensure_dataset(DATA / "county.sqlite", args.rebuild)
        print("\n".join(sweep_lines(time_sweep(database_url(DATA / "county.sqlite"),
                                                meta["as_of"]))))
        return
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _exit_on_signal)
    begin = time.perf_counter()
    load_start = os.getloadavg()[0]
    if args.scale == "county":
        pages, health, docx, sizes, meta, run = run_county(args.rebuild)
    else:
        pages, health, docx, sizes, meta, run = run_national()
    run |= {"seconds": time.perf_counter() - begin, "load": (load_start, os.getloadavg()[0])}
    section, table = section_text(args.scale, pages, health, docx, sizes, meta, run)
    write_results(args.scale, section)
    print()
    print(table)
    if run["crashes"]:
        print(f"\n{run['crashes']} gunicorn worker crash(es): see {GUNICORN_LOG}")
    print(f"\nwrote {RESULTS.relative_to(ROOT)} in {time.perf_counter() - begin:.0f} s")


if __name__ == "__main__":
    main()
