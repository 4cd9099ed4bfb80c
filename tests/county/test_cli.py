"""`flask govtrack export` and `import`: standard input, the dry run's report, exit codes."""

import json

from click.testing import CliRunner

from govtrack.cli import govtrack_cli
from tests.county.files import county, stored_rows


def run(app, *args, stdin: bytes | str | None = None):
    """Invoke a govtrack command in an application context; return the click result."""
    with app.app_context():
        return CliRunner().invoke(govtrack_cli, list(args), input=stdin)


def load_demo(app):
    """The demo county, loaded and committed."""
    from govtrack.demo import load_demo as load
    from govtrack.extensions import db

    with app.app_context():
        assert load().ok
        db.session.commit()


def test_export_piped_into_a_dry_run_import_finds_nothing_to_create_and_no_problem(app):
    load_demo(app)
    exported = run(app, "export")
    assert exported.exit_code == 0, exported.output
    document = json.loads(exported.stdout)  # stdout is the file alone
    assert document["format"] == "govtrack-county/1" and document["committees"]
    result = run(app, "import", "--dry-run", "-", stdin=exported.stdout_bytes)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Dry run: nothing was stored."
    assert "Would create: nothing" in lines
    assert "Would change: nothing" in lines
    assert "Would remove: nothing" in lines
    assert any(line.startswith("Would keep: ") and "committees" in line for line in lines)
    assert not [line for line in lines if line.startswith("$")]


def test_a_dry_run_lists_what_would_be_created_changed_and_kept_and_stores_nothing(app, db):
    run(app, "import", "-", stdin=json.dumps(county()))
    data = county()
    data["people"][0]["title"] = "Sheriff (retired)"
    data["committees"][0]["memberships"][1]["end"] = "2024-02-28"
    data["agencies"].append({"key": "pd", "name": "Police Department",
                             "sector": "law_enforcement"})
    before = stored_rows(db)
    result = run(app, "import", "--dry-run", "-", stdin=json.dumps(data))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "Dry run: nothing was stored.",
        "Would create: 1 agencies",
        "Would change: 1 memberships, 1 people",
        "Would remove: nothing",
        "Would keep: 2 agencies, 1 committees, 2 memberships, 2 people, 2 stage_history",
        "Changed memberships: cit/p-lee/member/2023-01-10",
        "Changed people: p-ortiz",
    ]
    db.session.expire_all()
    assert stored_rows(db) == before


def test_an_import_from_a_file_reports_what_it_did(app, tmp_path):
    path = tmp_path / "county.json"
    path.write_text(json.dumps(county()), encoding="utf-8")
    result = run(app, "import", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:2] == [
        "Created: 2 agencies, 1 committees, 3 memberships, 3 people, 2 stage_history",
        "Changed: nothing"]


def test_problems_are_listed_one_per_line_with_exit_status_1(app, db):
    data = county()
    data["people"][0]["agency"] = "nowhere"
    data["committees"][0]["memberships"][0]["person"] = "p-nobody"
    result = run(app, "import", "-", stdin=json.dumps(data))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "$.people[0].agency: no agency has key “nowhere”",
        "$.committees[0].memberships[0].person: no person has key “p-nobody”",
    ]
    assert stored_rows(db)["Agency"] == 0


def test_standard_input_beyond_the_size_limit_is_refused_without_reading_it_all(
        app, monkeypatch):
    from govtrack.county import services

    monkeypatch.setattr(services, "COUNTY_MAX_BYTES", 1_000_000)
    result = run(app, "import", "-", stdin=b" " * 1_000_010)
    assert result.exit_code == 1
    assert result.stdout == ("$: standard input holds more than the limit of 1 MB; if the "
                             "file is yours, raise the limit with --max-bytes (0: none): "
                             "memory grows with the file\n")


def _padded_county() -> bytes:
    """The small county, padded with spaces past 1 MB (JSON allows them)."""
    return json.dumps(county()).encode() + b" " * 1_000_000


def test_an_administrator_imports_a_file_over_the_limit_with_max_bytes(
        app, db, monkeypatch, tmp_path):
    from govtrack.county import services

    monkeypatch.setattr(services, "COUNTY_MAX_BYTES", 1_000_000)
    path = tmp_path / "big.json"
    path.write_bytes(_padded_county())
    refused = run(app, "import", str(path))
    assert refused.exit_code == 1 and "--max-bytes" in refused.stdout
    assert stored_rows(db)["Agency"] == 0
    assert run(app, "import", "--max-bytes", "1000", str(path)).exit_code == 1
    assert run(app, "import", "--dry-run", "--max-bytes", "2000000", str(path)).exit_code == 0
    result = run(app, "import", "--max-bytes", "0", "-", stdin=path.read_bytes())
    assert result.exit_code == 0, result.stdout
    assert stored_rows(db)["Agency"] == 2


def test_export_writes_a_file_with_out(app, tmp_path):
    load_demo(app)
    path = tmp_path / "out.json"
    result = run(app, "export", "--out", str(path))
    assert result.exit_code == 0 and result.stdout == ""
    assert json.loads(path.read_text(encoding="utf-8"))["format"] == "govtrack-county/1"


def test_a_large_county_shows_a_progress_bar_on_standard_error_only(app, monkeypatch):
    from govtrack import cli

    monkeypatch.setattr(cli, "PROGRESS_MIN", 1)
    load_demo(app)
    exported = run(app, "export")
    assert "Exporting committees" in exported.stderr
    assert json.loads(exported.stdout)["committees"]
    result = run(app, "import", "--dry-run", "-", stdin=exported.stdout_bytes)
    assert result.exit_code == 0 and "Importing committees" in result.stderr
    assert "Importing" not in result.stdout


def test_export_to_a_file_writes_what_standard_output_gets(app, tmp_path):
    load_demo(app)
    target = tmp_path / "county.json"
    assert run(app, "export", "--out", str(target)).exit_code == 0
    piped = run(app, "export")
    written, streamed = json.loads(target.read_text(encoding="utf-8")), json.loads(piped.stdout)
    written.pop("exported_at"), streamed.pop("exported_at")
    assert written == streamed
    assert [p.name for p in tmp_path.iterdir()] == ["county.json"]  # no .partial left


def test_a_failed_export_leaves_the_previous_file_as_it_was(app, tmp_path, monkeypatch):
    from govtrack.county import services

    load_demo(app)
    target = tmp_path / "county.json"
    target.write_text("last night's backup", encoding="utf-8")

    def failing(write_text, progress):
        write_text('{\n  "format": ')
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "write_county", failing)
    result = run(app, "export", "--out", str(target))
    assert result.exit_code != 0
    assert target.read_text(encoding="utf-8") == "last night's backup"
    assert [p.name for p in tmp_path.iterdir()] == ["county.json"]
