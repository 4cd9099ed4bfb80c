"""Replacing the benchmark data set: the new database whole, never mixed with the old one."""

import json
import sqlite3
from pathlib import Path

from bench.make_dataset import install_sqlite, remove_sqlite, sqlite_files


def _database(path, rows: int, keep_log: bool = False) -> sqlite3.Connection:
    """A WAL-mode database at path with table t of rows; its connection, left open (so the
    log is kept) when keep_log."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA wal_autocheckpoint=0")  # the rows stay in the -wal
    conn.execute("CREATE TABLE t (n INTEGER, pad TEXT)")
    conn.executemany("INSERT INTO t VALUES (?, ?)", [(n, "x" * 500) for n in range(rows)])
    conn.commit()
    if not keep_log:
        conn.close()
    return conn


def _rows(path) -> tuple[str, int]:
    conn = sqlite3.connect(path)
    try:
        return (conn.execute("PRAGMA integrity_check").fetchone()[0],
                conn.execute("SELECT count(*) FROM t").fetchone()[0])
    finally:
        conn.close()


def test_the_new_database_replaces_the_old_one_and_its_stale_log(tmp_path):
    target, built = tmp_path / "county.sqlite", tmp_path / "county.sqlite.building"
    old = _database(target, 2000, keep_log=True)
    stale = {p.name: p.read_bytes() for p in sqlite_files(target) if p.exists()}
    old.close()
    for name, content in stale.items():  # as a killed run leaves them
        (tmp_path / name).write_bytes(content)
    assert (tmp_path / "county.sqlite-wal").stat().st_size > 0
    _database(built, 3)
    install_sqlite(built, target, {"version": 9})
    assert _rows(target) == ("ok", 3)
    assert not built.exists()
    assert json.loads((tmp_path / "county.sqlite.json").read_text()) == {"version": 9}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["county.sqlite", "county.sqlite.json"]


def _left_open(path, rows: int) -> None:
    """A database at path whose last rows are still in its -wal, as a build leaves it when a
    connection it did not close kept the log from being written back."""
    scratch = path.with_name("scratch.sqlite")
    conn = _database(scratch, rows, keep_log=True)
    for source, copy in zip(sqlite_files(scratch), sqlite_files(path), strict=True):
        if source.exists():
            copy.write_bytes(source.read_bytes())
    conn.close()
    remove_sqlite(scratch)


def test_the_rows_still_in_the_built_databases_log_move_with_it(tmp_path):
    target, built = tmp_path / "county.sqlite", tmp_path / "county.sqlite.building"
    _left_open(built, 50)
    assert (tmp_path / "county.sqlite.building-wal").stat().st_size > 0
    install_sqlite(built, target, {})
    remove_sqlite(built)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["county.sqlite", "county.sqlite.json"]
    assert _rows(target) == ("ok", 50)


def test_removing_a_database_removes_its_log(tmp_path):
    path = tmp_path / "imported.sqlite"
    conn = _database(path, 10, keep_log=True)
    remove_sqlite(path)
    conn.close()
    remove_sqlite(path)
    assert list(tmp_path.iterdir()) == []


def test_a_rebuild_builds_beside_the_data_set_and_moves_it_in(tmp_path, monkeypatch):
    from bench import make_dataset

    target = tmp_path / "county.sqlite"
    _database(target, 2000)
    target.with_name("county.sqlite.json").write_text('{"version": 0}')
    built_at = []

    def build(url, *args, **kwargs):
        path = url.removeprefix("sqlite:///")
        built_at.append(path)
        assert _rows(target)[1] == 2000  # the old data set stays usable while building
        _database(path, 3)
        return {"t": 3}

    monkeypatch.setattr(make_dataset, "build", build)
    make_dataset.main(["--scale", "county", "--out", str(target)])
    assert built_at == [str((tmp_path / "county.sqlite.building").resolve())]
    assert _rows(target) == ("ok", 3)
    meta = json.loads((tmp_path / "county.sqlite.json").read_text())
    assert (meta["version"], meta["counts"]) == (make_dataset.DATASET_VERSION, {"t": 3})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["county.sqlite", "county.sqlite.json"]


def test_a_data_set_of_this_version_is_reused_and_a_stale_one_rebuilt(tmp_path, monkeypatch):
    from bench import make_dataset

    target = tmp_path / "county.sqlite"
    _database(target, 3)
    current = {"version": make_dataset.DATASET_VERSION,
               "schema": make_dataset.schema_fingerprint(), "scale": "county",
               "seed": make_dataset.SEED, "as_of": make_dataset.default_as_of().isoformat()}
    runs = []

    def run(command, **kwargs):
        runs.append(command)
        Path(f"{target}.json").write_text(json.dumps(current | {"rebuilt": True}))

    monkeypatch.setattr(make_dataset.subprocess, "run", run)
    Path(f"{target}.json").write_text(json.dumps(current))
    assert make_dataset.ensure_dataset(target) == current and runs == []
    Path(f"{target}.json").write_text(json.dumps(current | {"version": 0}))
    assert make_dataset.ensure_dataset(target)["rebuilt"]
    assert runs[0][-2:] == ["--out", str(target)]
