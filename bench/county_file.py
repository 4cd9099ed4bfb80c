"""Time the county file: python -m bench.county_file [--rebuild] [--scale national ...].

Targets (issue 17): `flask govtrack export` and `flask govtrack import` of the
county-scale data set each take under 60 s, with a peak memory under 1 GB.

County scale (the default, SQLite):

1. the county data set of bench/make_dataset.py in bench/data/county-file.sqlite
   (its own copy: bench.run owns bench/data/county.sqlite), built unless one of
   the same DATASET_VERSION, schema, seed and as-of date is there;
2. export: `flask --app wsgi govtrack export --out FILE` in a child process;
3. import: `flask --app wsgi db upgrade` makes an empty database, then
   `flask --app wsgi govtrack import FILE` in a child process;
4. check: the imported database exports the same file (exported_at aside), and
   `import --dry-run` of that file finds nothing to create or change;
5. rewrite the county-file section of bench/RESULTS.md (between its markers),
   keeping every other section as it was.

National scale (`--scale national`, PostgreSQL; no target, measured): export
from the national data set at `--database-url` (only read), or from one built
in a throwaway cluster when no URL is given; import with `--max-bytes 0` (the
file is well over the 200 MB default) into a fresh database of the same
cluster (`--import-database`, default cf_national_import: dropped and created
anew, never the source database). `--no-check` leaves out step 4, which takes
as long again. Its section of bench/RESULTS.md has its own markers.

Each command is timed from outside (wall clock, and the CPU seconds the child
used: the machine may be shared) and its peak memory is the child's maximum
resident set size (os.wait4), so the numbers are what an administrator sees.
PostgreSQL's own time is in the wall clock, not in the CPU column.
"""

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import make_dataset

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
RESULTS = ROOT / "bench" / "RESULTS.md"
START, END = "<!-- county-file:start -->", "<!-- county-file:end -->"
NATIONAL_MARKERS = ("<!-- county-file-national:start -->", "<!-- county-file-national:end -->")

#: targets of issue 17
SECONDS = 60
PEAK_BYTES = 1_000_000_000

#: the children's environment: keys from the environment, as in production
ENV = {"SECRET_KEY": "bench-county-file", "SIGNING_CHAIN_KEYS": "k1:" + "b7" * 32,
       "TOTP_SECRET_KEYS": "k1:" + "7b" * 32}


def _env(database_url: str | None) -> dict:
    env = dict(os.environ, **ENV)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def flask(database_url: str, *args: str) -> dict:
    """Run `flask --app wsgi ARGS` in a child; its wall and CPU seconds, peak memory, output."""
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT,
                             env=_env(database_url), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
    out, err = child.stdout.read(), child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    if child.returncode != 0:
        raise SystemExit(f"flask {' '.join(args)} failed ({child.returncode}):\n"
                         f"{out.decode()[-3000:]}\n{err.decode()[-3000:]}")
    return {"seconds": seconds, "cpu": usage.ru_utime + usage.ru_stime,
            "peak": usage.ru_maxrss * 1024, "stdout": out.decode()}


def _without_time(path: Path) -> dict:
    document = json.loads(path.read_text(encoding="utf-8"))
    document.pop("exported_at", None)
    return document


def run(rebuild: bool) -> dict:
    """Export the county data set, import it into an empty database, check; the findings."""
    source = DATA / "county-file.sqlite"
    meta = make_dataset.ensure_dataset(source, rebuild, _env(None))
    target = DATA / "county-file-imported.sqlite"
    make_dataset.remove_sqlite(target)
    return export_and_import(f"sqlite:///{source}", f"sqlite:///{target}", meta, DATA)


def export_and_import(source_url: str, target_url: str, meta: dict, folder: Path,
                      check: bool = True, import_args: tuple[str, ...] = ()) -> dict:
    """Export source_url, import the file into the empty target_url, check; the findings."""
    folder.mkdir(parents=True, exist_ok=True)
    exported, again = folder / "county-file.json", folder / "county-file-again.json"
    load = os.getloadavg()[0]
    export = flask(source_url, "govtrack", "export", "--out", str(exported))
    print(f"export: {export['seconds']:.1f} s, {export['peak'] / 1e6:.0f} MB, "
          f"{exported.stat().st_size / 1e6:.0f} MB file", flush=True)
    flask(target_url, "db", "upgrade")
    imported = flask(target_url, "govtrack", "import", *import_args, str(exported))
    print(f"import: {imported['seconds']:.1f} s, {imported['peak'] / 1e6:.0f} MB", flush=True)
    found = {"meta": meta, "bytes": exported.stat().st_size, "export": export,
             "import": imported, "dry_run": None, "same": None, "unchanged": None,
             "created": imported["stdout"].splitlines()[0] if imported["stdout"] else ""}
    if check:
        flask(target_url, "govtrack", "export", "--out", str(again))
        found["same"] = _without_time(exported) == _without_time(again)
        dry = flask(target_url, "govtrack", "import", *import_args, "--dry-run", str(again))
        found["unchanged"] = ("Would create: nothing" in dry["stdout"]
                              and "Would change: nothing" in dry["stdout"])
        found["dry_run"] = dry
        print(f"dry run of the import's export: {dry['seconds']:.1f} s, "
              f"{dry['peak'] / 1e6:.0f} MB", flush=True)
    found["load"] = (load, os.getloadavg()[0])
    return found


def fresh_database(url: str, name: str) -> str:
    """The URL of database name in url's cluster, dropped and created anew (never url's own)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    source = make_url(url)
    if name == source.database or not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise SystemExit(f"--import-database {name!r}: a new lowercase name, not the source")
    engine = create_engine(source.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return source.set(database=name).render_as_string(hide_password=False)


def run_national(database_url: str | None, import_database: str, check: bool,
                 meta_path: Path | None) -> dict:
    """Export the national data set (at database_url, or built in a throwaway cluster) and
    import it into a fresh database of the same cluster."""
    folder = DATA / "county-file-national"
    args = ("--max-bytes", "0")
    if database_url:
        meta = json.loads(meta_path.read_text()) if meta_path and meta_path.exists() else {}
        target = fresh_database(database_url, import_database)
        return export_and_import(database_url, target, meta, folder, check, args)
    from tests.pg import Cluster

    cluster = Cluster()
    try:
        url = cluster.start()
        print("building the national data set (10x) ...", flush=True)
        meta_path = folder / "national.json"
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "bench.make_dataset", "--scale", "national",
                        "--database-url", url, "--meta", str(meta_path)], cwd=ROOT,
                       check=True, env=_env(None))
        target = fresh_database(url, import_database)
        return export_and_import(url, target, json.loads(meta_path.read_text()), folder,
                                 check, args)
    finally:
        cluster.stop()


def _met(step: dict) -> str:
    problems = []
    if step["seconds"] >= SECONDS:
        problems.append(f"≥ {SECONDS} s")
    if step["peak"] >= PEAK_BYTES:
        problems.append("peak ≥ 1 GB")
    return "yes" if not problems else "**no**: " + ", ".join(problems)


def section_text(found: dict, started: datetime, took: float, scale: str = "county") -> str:
    """The county-file section of bench/RESULTS.md (national: its own section, no targets)."""
    meta, national = found["meta"], scale == "national"
    rows = [("`flask govtrack export`", found["export"]),
            ("`flask govtrack import` (into an empty database)", found["import"])]
    if found["dry_run"] is not None:
        rows.append(("`flask govtrack import --dry-run` (of the import's export)",
                     found["dry_run"]))
    start, end = NATIONAL_MARKERS if national else (START, END)
    lines = [
        start,
        "## County file, national scale, PostgreSQL" if national
        else "## County file, county scale, SQLite",
        "",
        f"Written by `python -m bench.county_file{' --scale national' if national else ''}`. "
        f"Run on {started:%Y-%m-%d %H:%M} UTC in {took:.0f} s, "
        f"{'PostgreSQL' if national else 'SQLite ' + _sqlite_version()}, "
        f"Python {platform.python_version()}.",
        f"Load average (1 min): {found['load'][0]:.1f} at the start, {found['load'][1]:.1f} "
        "at the end; above about 0.5 other programs shared the 2 cores and the wall "
        "clock is pessimistic (the CPU column is not).",
        "",
        "No target at this scale (issue 17's are for the county scale); the import is "
        "run with `--max-bytes 0`." if national else
        "Targets (issue 17): export and import each under 60 s, peak memory under 1 GB.",
        "",
        "| Command | Wall s | CPU s | Peak memory MB | Target met? |",
        "|---|--:|--:|--:|---|",
    ]
    for label, step in rows:
        met = "(a check)" if step is found["dry_run"] else "—" if national else _met(step)
        lines.append(f"| {label} | {step['seconds']:.1f} | {step['cpu']:.1f} | "
                     f"{step['peak'] / 1e6:.0f} | {met} |")
    lines += ["", f"- County file: {found['bytes'] / 1e6:.1f} MB. {found['created']}."]
    if found["same"] is not None:
        lines.append(
            f"- The imported database exports the same file (exported_at aside): "
            f"{'yes' if found['same'] else '**no**'}; a dry run of that export finds nothing "
            f"to create or change: {'yes' if found['unchanged'] else '**no**'}.")
    lines += [
        f"- Data set (`bench/make_dataset.py --scale {scale}`, version {meta.get('version')}, "
        f"seed {meta.get('seed')}, as of {meta.get('as_of')}).",
        end,
    ]
    return "\n".join(lines) + "\n"


def _sqlite_version() -> str:
    import sqlite3

    return sqlite3.sqlite_version


def write_results(section: str, markers: tuple[str, str] = (START, END)) -> None:
    """Replace the section between markers in RESULTS.md (append it the first time)."""
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    start, end = markers
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end) + r"\n?", re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _m: section, text)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    RESULTS.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and rewrite its section of bench/RESULTS.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=("county", "national"), default="county",
                        help="county: SQLite under bench/data/ (default); national: PostgreSQL")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the county data set")
    parser.add_argument("--database-url",
                        help="national: the data set to export (only read); without it, one "
                             "is built in a throwaway PostgreSQL cluster")
    parser.add_argument("--import-database", default="cf_national_import",
                        help="national: the database of the same cluster to import into "
                             "(dropped and created anew)")
    parser.add_argument("--meta", type=Path, help="national: the data set's metadata file")
    parser.add_argument("--no-check", action="store_true",
                        help="leave out the re-export and dry run after the import")
    parser.add_argument("--no-write", action="store_true",
                        help="print the section instead of writing bench/RESULTS.md")
    args = parser.parse_args(argv)
    started, clock = datetime.now(UTC), time.perf_counter()
    national = args.scale == "national"
    if national:
        found = run_national(args.database_url, args.import_database, not args.no_check,
                             args.meta)
    else:
        found = run(args.rebuild)
    section = section_text(found, started, time.perf_counter() - clock, args.scale)
    if not args.no_write:
        write_results(section, NATIONAL_MARKERS if national else (START, END))
    print(section)
    ok = national or all(_met(found[k]) == "yes" for k in ("export", "import"))
    checked = found["same"] is not False and found["unchanged"] is not False
    sys.exit(0 if ok and checked else 1)


if __name__ == "__main__":
    main()
