"""Benchmark the main pages at county scale and rewrite bench/RESULTS.md: python -m bench.run.

What `make bench` runs. In order:

1. build the county data set under bench/data/ (or reuse it if it is there,
   of the same DATASET_VERSION, seed and as-of month);
2. count the SQL queries of each page in-process (Flask test client, same
   database, a before_cursor_execute listener), logged in as the chair of the
   largest committee;
3. start gunicorn on a free loopback port with the same configuration for
   every page, log in through the real login form, and for each page measure
   the latency of sequential requests after a warm-up (p50 and p95) and the
   requests per second of CONCURRENCY client threads for LOAD_SECONDS, against
   a trivial route (a static file) served by the same gunicorn;
4. time the health report over all committees and the 30-item agenda .docx;
5. rewrite bench/RESULTS.md.

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

TRIVIAL = ("Trivial route (static file, anonymous)", "/static/css/govtrack.css")


@dataclass
class Page:
    """One measured page and what the run found."""

    label: str
    path: str
    anonymous: bool = False
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


def ensure_dataset(path: Path, rebuild: bool) -> dict:
    """Build the county data set at path unless one of the same version and schema is there."""
    meta_path = Path(f"{path}.json")
    wanted = {"version": make_dataset.DATASET_VERSION,
              "schema": make_dataset.schema_fingerprint(), "scale": "county",
              "seed": make_dataset.SEED, "as_of": make_dataset.default_as_of().isoformat()}
    if not rebuild and path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if all(meta.get(k) == v for k, v in wanted.items()):
            print(f"reusing {path.relative_to(ROOT)} (as of {meta['as_of']})")
            return meta
    print(f"building {path.relative_to(ROOT)} ...", flush=True)
    subprocess.run([sys.executable, "-m", "bench.make_dataset", "--scale", "county",
                    "--out", str(path)], cwd=ROOT, check=True)
    return json.loads(meta_path.read_text())


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


def plan(url: str) -> tuple[str, list[Page], dict[str, int]]:
    """Pick the chair of the largest committee; list the pages; count their queries.

    Returns the chair's e-mail, the pages and the size of every table.
    """
    from sqlalchemy import event, func, select

    from govtrack import create_app
    from govtrack.accounts.models import Account
    from govtrack.chairs.services import current_term
    from govtrack.clock import today, utcnow
    from govtrack.committees.models import Committee, Membership
    from govtrack.extensions import db
    from govtrack.meetings.models import Meeting

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY})
    with app.app_context():
        sizes = {t.name: db.session.scalar(select(func.count()).select_from(t))
                 for t in db.metadata.sorted_tables}
        seats = (select(Membership.committee_id, func.count().label("n"))
                 .where(Membership.end.is_(None)).group_by(Membership.committee_id)
                 .order_by(func.count().desc(), Membership.committee_id).limit(20))
        chair = committee = None
        for committee_id, _n in db.session.execute(seats):
            candidate = db.session.get(Committee, committee_id)
            term = current_term(candidate, today())
            account = term and db.session.scalar(
                select(Account).where(Account.person_id == term.person_id))
            if account and account.active and not account.is_admin:
                chair, committee = account, candidate
                break
        if chair is None:
            raise SystemExit("no committee with a chair in office: rebuild the data set")
        now = utcnow()
        coming = db.session.scalar(
            select(Meeting).where(Meeting.committee_id == committee.id,
                                  Meeting.status == "scheduled", Meeting.starts_at >= now)
            .order_by(Meeting.starts_at).limit(1))
        held = db.session.scalar(
            select(Meeting).where(Meeting.committee_id == committee.id,
                                  Meeting.status == "held")
            .order_by(Meeting.starts_at.desc()).limit(1))
        members = sum(1 for m in committee.memberships if m.holds_on(today()))
        email, key = chair.email, committee.key
        meetings = [(f"Meeting, next ({coming.key}, chair drafting)", f"/meetings/{coming.key}")
                    ] if coming else []
        meetings += [(f"Meeting, last held ({held.key})", f"/meetings/{held.key}")
                     ] if held else []
        print(f"logging in as {email}, chair of {key} ({members} current members)")

    pages = [Page(*TRIVIAL, anonymous=True),
             Page("My work", "/my-work"),
             Page("Committees list", "/committees/"),
             Page(f"Committee ({key})", f"/committees/{key}"),
             Page(f"Committee meetings ({key})", f"/committees/{key}/meetings"),
             *(Page(label, path) for label, path in meetings),
             Page("Agencies", "/agencies/")]

    statements: list[str] = []
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute",
                 lambda conn, cursor, sql, params, context, many: statements.append(sql))
    # No app context around the client: each request must get its own, with a
    # fresh session and `g`, or the identity map and the loaded user would
    # carry over and hide queries.
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"csrf_token": _csrf(page), "email": email,
                                           "password": make_dataset.PASSWORD})
    if response.status_code != 302:
        raise SystemExit(f"login failed in-process: {response.status_code}")
    (DATA / "queries").mkdir(parents=True, exist_ok=True)
    for p in pages:
        client.get(p.path)  # first request of a page: caches and compiled queries
        statements.clear()
        response = client.get(p.path)
        if response.status_code != 200:
            raise SystemExit(f"{p.path}: {response.status_code} in-process")
        p.queries = len(statements)
        slug = re.sub(r"[^a-z0-9]+", "-", p.path.lower()).strip("-") or "root"
        (DATA / "queries" / f"{slug}.sql").write_text(";\n\n".join(statements) + ";\n")
        # CPU time of the page alone, in this process: unlike the latencies over
        # HTTP, other programs sharing the machine do not inflate it.
        start = time.process_time()
        for _ in range(CPU_RUNS):
            client.get(p.path)
        p.cpu_ms = (time.process_time() - start) / CPU_RUNS * 1000
    return email, pages, sizes


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
    cookie = "" if page.anonymous else cookie
    for _ in range(WARMUP):
        status, page.bytes = fetch(port, page.path, cookie)
        if status != 200:
            raise SystemExit(f"{page.path}: {status} through gunicorn")
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


def time_docx() -> tuple[float, float]:
    """Median and maximum ms of the 30-item agenda .docx (bench/agenda_docx.py)."""
    out = subprocess.run([sys.executable, "-m", "bench.agenda_docx", "20"], cwd=ROOT,
                         check=True, capture_output=True, text=True).stdout
    match = re.search(r"median ([\d.]+) ms, max ([\d.]+) ms", out)
    if not match:
        raise SystemExit(f"unexpected output of bench.agenda_docx: {out!r}")
    return float(match.group(1)), float(match.group(2))


# --- RESULTS.md ---------------------------------------------------------------------------


def worker_crashes() -> int:
    """Workers that died of a signal during the run, from gunicorn's log."""
    if not GUNICORN_LOG.exists():
        return 0
    return len(re.findall(r"Worker \(pid:\d+\) was sent SIG(?!TERM)", GUNICORN_LOG.read_text()))


def write_results(pages: list[Page], health: tuple[float, int, int], docx: tuple[float, float],
                  sizes: dict[str, int], meta: dict, run: dict) -> str:
    """Rewrite bench/RESULTS.md; return the table."""
    trivial = pages[0]
    rows = ["| Page | Path | Queries | CPU ms | p50 ms | p95 ms | Requests/s "
            "| Ratio to trivial | Target met? |", "|---|---|--:|--:|--:|--:|--:|--:|---|"]
    for p in pages:
        ratio = p.rps / trivial.rps if trivial.rps else 0
        if p is trivial:
            verdict = "(reference)"
        else:
            misses = ([f"p95 ≥ {P95_MS} ms"] if p.pct(95) >= P95_MS else []) + (
                [f"ratio < {RPS_SHARE:.2f}"] if ratio < RPS_SHARE else [])
            misses += [f"{p.errors} failed requests"] if p.errors else []
            verdict = "yes" if not misses else "**no**: " + ", ".join(misses)
        rows.append(f"| {p.label} | `{p.path}` | {p.queries} | {p.cpu_ms:.1f} | {p.pct(50):.1f} | "
                    f"{p.pct(95):.1f} | {p.rps:.0f} | {ratio:.2f} | {verdict} |")
    table = "\n".join(rows)
    health_s, health_queries, flags = health
    health_line = (f"- Health report over all {sizes['committee']} committees "
                   f"(`health.services.report`, what `flask govtrack health` runs), median "
                   f"of 3: **{health_s:.2f} s**, {health_queries:,} queries, {flags} flags — "
                   f"target < {HEALTH_S} s: {'yes' if health_s < HEALTH_S else '**no**'}")
    docx_line = (f"- Agenda .docx with 30 items (`bench/agenda_docx.py`, 20 runs): median "
                 f"**{docx[0]:.1f} ms**, max {docx[1]:.1f} ms — target < {DOCX_MS} ms: "
                 f"{'yes' if docx[0] < DOCX_MS else '**no**'}")
    crashes = run["crashes"]
    crash_line = ("- gunicorn workers that died during the run: none.\n" if not crashes else
                  f"- **{crashes} gunicorn worker(s) died of a signal during the run** (see "
                  "`bench/data/gunicorn.log`, with the Python traceback of each crash).\n")
    # Builder order (agencies first); the logins of the benchmark itself left out.
    order = list(meta.get("counts", {})) + sorted(sizes)
    size_list = ", ".join(f"{name} {sizes[name]:,}" for name in dict.fromkeys(order)
                          if sizes.get(name) and not name.startswith("login_"))
    text = f"""# Benchmark results

Written by `make bench` (`python -m bench.run`); do not edit by hand.
Run on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC in {run['seconds']:.0f} s. Load average (1 min):
{run['load'][0]:.1f} at the start, {run['load'][1]:.1f} at the end. Above about 0.5, other
programs shared the 2 cores and the HTTP columns are pessimistic; the CPU ms column is not.

## Pages

{table}

Targets (issue 8): p95 under {P95_MS} ms, and at least {RPS_SHARE:.0%} of the trivial
route's requests per second, measured in the same run.

{health_line}
{docx_line}
{crash_line}
## How it was measured

- Server: gunicorn, {WORKERS} sync workers (one per core; the pages are CPU-bound),
  `--no-control-socket`, on 127.0.0.1, SQLite in WAL mode; the same configuration
  for every row.
- Logged in through the login form as the chair of the largest committee
  (anonymous for the trivial route). Queries: counted in-process with the Flask
  test client on the same database (a `before_cursor_execute` listener), the
  second request of each page; the statements are in `bench/data/queries/`.
- CPU ms: CPU time of one request in-process (mean of {CPU_RUNS}, test client, no
  HTTP): what the page costs, whatever else the machine is doing.
- Latency: {WARMUP} warm-up requests, then up to {SEQUENTIAL} sequential requests
  (at most {SEQUENTIAL_SECONDS} s), measured by the client over loopback: server time
  plus well under a millisecond of connection set-up.
- Requests per second: {CONCURRENCY} client threads for {LOAD_SECONDS} s (at most
  {LOAD_MAX:,} requests). The client shares the 2 cores with the server, so the
  trivial route's rate is a floor, and every page's ratio an upper bound.

## Machine and data

- {os.cpu_count()} CPUs (`nproc`), Python {platform.python_version()},
  {platform.system()} {platform.release()}, SQLite {_sqlite_version()}
- County data set (`bench/make_dataset.py`, seed {meta.get('seed')}, as of
  {meta.get('as_of')}, built in {meta.get('seconds')} s): {size_list}.
- Not in the data set yet (their `build_*` sections are still to be written):
  workgroups, PDSA cycles, measures and data points, MOUs and signatures; nor
  are their pages in the table.
"""
    RESULTS.write_text(text)
    return table


def _sqlite_version() -> str:
    import sqlite3

    return sqlite3.sqlite_version


def main(argv: list[str] | None = None) -> None:
    """Run the whole benchmark and rewrite bench/RESULTS.md."""
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the data set")
    args = parser.parse_args(argv)
    begin = time.perf_counter()
    load_start = os.getloadavg()[0]
    path = DATA / "county.sqlite"
    meta = ensure_dataset(path, args.rebuild)
    url = database_url(path)
    email, pages, sizes = plan(url)

    port = free_port()
    print(f"gunicorn -w {WORKERS} on 127.0.0.1:{port}", flush=True)
    server = start_gunicorn(url, port)
    try:
        cookie = login(port, email)
        for page in pages:
            measure(port, page, cookie)
    finally:
        stop(server)

    print("health report ...", flush=True)
    health = time_health(url)
    print(f"  {health[0]:.2f} s, {health[1]} queries")
    print("agenda .docx ...", flush=True)
    docx = time_docx()
    print(f"  median {docx[0]:.1f} ms")
    run = {"seconds": time.perf_counter() - begin, "load": (load_start, os.getloadavg()[0]),
           "crashes": worker_crashes()}
    table = write_results(pages, health, docx, sizes, meta, run)
    print()
    print(table)
    if run["crashes"]:
        print(f"\n{run['crashes']} gunicorn worker crash(es): see {GUNICORN_LOG}")
    print(f"\nwrote {RESULTS.relative_to(ROOT)} in {time.perf_counter() - begin:.0f} s")


if __name__ == "__main__":
    main()
