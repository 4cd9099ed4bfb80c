"""Moving a county from SQLite to PostgreSQL with the county file, as README.md describes.

It runs in `make test`'s PostgreSQL run (GOVTRACK_TEST_DB=postgresql), on that
run's throwaway cluster (tests/pg.py, started once by conftest.py for the whole
run): the SQLite run skips it rather than start a cluster of its own.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    os.environ.get("GOVTRACK_TEST_DB") != "postgresql",
    reason="moves a county into PostgreSQL: runs in make test's PostgreSQL run, on its cluster")


def flask(database_url: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    """`flask --app wsgi ARGS` against database_url, as an administrator types it.

    The keys come from the environment, as in production, so both databases'
    commands share them and nothing is written to the instance folder.
    """
    env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY="move-test-secret",
               SIGNING_CHAIN_KEYS="k1:" + "5a" * 32, TOTP_SECRET_KEYS="k1:" + "a5" * 32)
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT,
                            env=env, input=stdin, capture_output=True, text=True, timeout=300,
                            check=False)
    assert result.returncode == 0, (args, result.stdout[-3000:], result.stderr[-3000:])
    return result


def without_time(text: str) -> dict:
    """A county file without exported_at, the one field two exports may differ in."""
    document = json.loads(text)
    document.pop("exported_at", None)
    return document


def test_a_county_moves_from_sqlite_to_postgresql_and_exports_the_same(
        app, database_url, tmp_path):
    sqlite = f"sqlite:///{tmp_path / 'county.sqlite'}"
    flask(sqlite, "db", "upgrade")
    flask(sqlite, "govtrack", "load-demo")
    county_file = tmp_path / "county.json"
    flask(sqlite, "govtrack", "export", "--out", str(county_file))
    from_sqlite = without_time(county_file.read_text(encoding="utf-8"))
    assert from_sqlite["committees"] and from_sqlite["mous"]

    # The PostgreSQL database has its schema (conftest's create_all; `flask db upgrade`
    # in README.md's steps) and nothing in it.
    flask(database_url, "govtrack", "import", str(county_file))
    from_postgresql = flask(database_url, "govtrack", "export").stdout
    assert without_time(from_postgresql) == from_sqlite

    again = flask(database_url, "govtrack", "import", "--dry-run", "-", stdin=from_postgresql)
    assert "Would create: nothing" in again.stdout and "Would change: nothing" in again.stdout
