"""Time the county file at county scale: python -m bench.county_file [--rebuild].

Targets (issue 17): `flask govtrack export` and `flask govtrack import` of the
county-scale data set each take under 60 s, with a peak memory under 1 GB.

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

Each command is timed from outside (wall clock, and the CPU seconds the child
used: the machine may be shared) and its peak memory is the child's maximum
resident set size (os.wait4), so the numbers are what an administrator sees.
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
    """Export the data set, import it into an empty database, check; return the findings."""
    source = DATA / "county-file.sqlite"
    meta = make_dataset.ensure_dataset(source, rebuild, _env(None))
    target = DATA / "county-file-imported.sqlite"
    make_dataset.remove_sqlite(target)
    exported, again = DATA / "county-file.json", DATA / "county-file-again.json"
    source_url, target_url = f"sqlite:///{source}", f"sqlite:///{target}"
    load = os.getloadavg()[0]
    export = flask(source_url, "govtrack", "export", "--out", str(exported))
    print(f"export: {export['seconds']:.1f} s, {export['peak'] / 1e6:.0f} MB", flush=True)
    flask(target_url, "db", "upgrade")
    imported = flask(target_url, "govtrack", "import", str(exported))
    print(f"import: {imported['seconds']:.1f} s, {imported['peak'] / 1e6:.0f} MB", flush=True)
    flask(target_url, "govtrack", "export", "--out", str(again))
    same = _without_time(exported) == _without_time(again)
    dry = flask(target_url, "govtrack", "import", "--dry-run", str(again))
    unchanged = ("Would create: nothing" in dry["stdout"]
                 and "Would change: nothing" in dry["stdout"])
    print(f"dry run of the import's export: {dry['seconds']:.1f} s, "
          f"{dry['peak'] / 1e6:.0f} MB", flush=True)
    return {"meta": meta, "bytes": exported.stat().st_size, "export": export,
            "import": imported, "dry_run": dry, "same": same, "unchanged": unchanged,
            "created": imported["stdout"].splitlines()[0] if imported["stdout"] else "",
            "load": (load, os.getloadavg()[0])}


def _met(step: dict) -> str:
    problems = []
    if step["seconds"] >= SECONDS:
        problems.append(f"≥ {SECONDS} s")
    if step["peak"] >= PEAK_BYTES:
        problems.append("peak ≥ 1 GB")
    return "yes" if not problems else "**no**: " + ", ".join(problems)


def section_text(found: dict, started: datetime, took: float) -> str:
    """The county-file section of bench/RESULTS.md."""
    meta = found["meta"]
    rows = [("`flask govtrack export`", found["export"]),
            ("`flask govtrack import` (into an empty database)", found["import"]),
            ("`flask govtrack import --dry-run` (of the import's export)", found["dry_run"])]
    lines = [
        START,
        "## County file, county scale, SQLite",
        "",
        f"Written by `python -m bench.county_file`. Run on {started:%Y-%m-%d %H:%M} UTC in "
        f"{took:.0f} s, SQLite {_sqlite_version()}, Python {platform.python_version()}.",
        f"Load average (1 min): {found['load'][0]:.1f} at the start, {found['load'][1]:.1f} "
        "at the end; above about 0.5 other programs shared the 2 cores and the wall "
        "clock is pessimistic (the CPU column is not).",
        "",
        "Targets (issue 17): export and import each under 60 s, peak memory under 1 GB.",
        "",
        "| Command | Wall s | CPU s | Peak memory MB | Target met? |",
        "|---|--:|--:|--:|---|",
    ]
    for label, step in rows:
        met = "(a check)" if step is found["dry_run"] else _met(step)
        lines.append(f"| {label} | {step['seconds']:.1f} | {step['cpu']:.1f} | "
                     f"{step['peak'] / 1e6:.0f} | {met} |")
    lines += [
        "",
        f"- County file: {found['bytes'] / 1e6:.1f} MB. {found['created']}.",
        f"- The imported database exports the same file (exported_at aside): "
        f"{'yes' if found['same'] else '**no**'}; a dry run of that export finds nothing to "
        f"create or change: {'yes' if found['unchanged'] else '**no**'}.",
        f"- Data set (`bench/make_dataset.py --scale county`, version {meta.get('version')}, "
        f"seed {meta.get('seed')}, as of {meta.get('as_of')}).",
        END,
    ]
    return "\n".join(lines) + "\n"


def _sqlite_version() -> str:
    import sqlite3

    return sqlite3.sqlite_version


def write_results(section: str) -> None:
    """Replace the county-file section of RESULTS.md (append it the first time)."""
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END) + r"\n?", re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _m: section, text)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    RESULTS.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and rewrite its section of bench/RESULTS.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rebuild", action="store_true", help="rebuild the data set")
    parser.add_argument("--no-write", action="store_true",
                        help="print the section instead of writing bench/RESULTS.md")
    args = parser.parse_args(argv)
    started, clock = datetime.now(UTC), time.perf_counter()
    found = run(args.rebuild)
    section = section_text(found, started, time.perf_counter() - clock)
    if args.no_write:
        print(section)
    else:
        write_results(section)
        print(section)
    ok = all(_met(found[k]) == "yes" for k in ("export", "import"))
    sys.exit(0 if ok and found["same"] and found["unchanged"] else 1)


if __name__ == "__main__":
    main()
