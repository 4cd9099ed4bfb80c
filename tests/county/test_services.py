"""The county file: export, and the all-or-nothing, idempotent import."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from sqlalchemy import select

from govtrack.accounts.models import Account
from govtrack.agencies.models import Agency, Person
from govtrack.audit.models import AuditEntry
from govtrack.committees.models import Committee, Membership, StageChange
from govtrack.county.services import KINDS, export_county, import_county, load_schema
from tests.county.files import NOTHING, canonical, count, county, imported, problems_of, stored_rows

# --- export and round trip ----------------------------------------------------------


def test_export_of_an_import_gives_the_file_back(db):
    imported(db)
    exported = export_county()
    assert canonical(exported) == canonical(county())


def test_export_validates_against_the_schema(db):
    imported(db)
    validator = Draft202012Validator(load_schema(), format_checker=FormatChecker())
    assert list(validator.iter_errors(export_county())) == []


def test_export_orders_records_by_key_and_memberships_by_start(db):
    data = county()
    data["agencies"].reverse()
    data["people"].reverse()
    data["committees"][0]["memberships"].reverse()
    data["committees"][0]["stage_history"].reverse()
    imported(db, data)
    exported = export_county()
    assert [a["key"] for a in exported["agencies"]] == ["omh", "sheriff"]
    assert [p["key"] for p in exported["people"]] == ["p-lee", "p-ortiz", "p-ruiz"]
    cit = exported["committees"][0]
    assert [(m["start"], m["person"]) for m in cit["memberships"]] == [
        ("2023-01-10", "p-lee"), ("2023-01-10", "p-ortiz"), ("2024-03-12", "p-ruiz")]
    assert [s["since"] for s in cit["stage_history"]] == ["2023-01-10", "2023-06-13"]


def test_export_leaves_cadence_out_when_there_are_no_regular_meetings(db):
    data = county()
    del data["committees"][0]["cadence"]
    imported(db, data)
    exported = export_county()
    assert "cadence" not in exported["committees"][0]
    validator = Draft202012Validator(load_schema(), format_checker=FormatChecker())
    assert list(validator.iter_errors(exported)) == []


def test_export_of_an_empty_database_is_a_valid_empty_county(db):
    exported = export_county()
    assert exported["format"] == "govtrack-county/1"
    assert (exported["agencies"], exported["people"], exported["committees"],
            exported["mous"]) == ([], [], [], [])
    assert datetime.fromisoformat(exported["exported_at"]).tzinfo is not None


# --- what an import stores ----------------------------------------------------------


def test_import_keeps_keys_and_stores_past_dates_as_they_are(db):
    report = imported(db)
    assert report.created == {"agencies": 2, "people": 3, "committees": 1, "memberships": 3,
                              "stage_history": 2, "rotation": 0, "chair_terms": 0,
                              "meetings": 0, "actions": 0, "workgroups": 0, "measures": 0,
                              "mous": 0, "quorum": 0, "standing_items": 0,
                              "agenda_requests": 0, "backlog": 0, "reminders": 0,
                                "signatories": 0}
    lee = db.session.scalar(select(Person).where(Person.key == "p-lee"))
    assert (lee.active, lee.inactive_since) == (False, date(2024, 3, 1))
    cit = db.session.scalar(select(Committee).where(Committee.key == "cit"))
    assert cit.cadence_dtstart == datetime(2023, 1, 10, 15, 0)
    assert cit.stall_after_days == 45
    assert [(s.stage, s.since) for s in cit.stage_history] == [
        ("engagement", date(2023, 1, 10)), ("assessment", date(2023, 6, 13))]
    ended = next(m for m in cit.memberships if m.person.key == "p-lee")
    assert (ended.start, ended.end) == (date(2023, 1, 10), date(2024, 2, 29))
    sheriff = db.session.scalar(select(Agency).where(Agency.key == "sheriff"))
    assert sheriff.head.key == "p-ortiz"


def test_import_writes_one_audit_entry_per_record_as_the_system(db):
    report = imported(db)
    entries = list(db.session.scalars(select(AuditEntry)))
    assert len(entries) == sum(report.created.values())
    assert {e.action for e in entries} == {"create"}
    assert {e.actor_label for e in entries} == {"system"}
    cit = db.session.scalar(select(Committee).where(Committee.key == "cit"))
    assert sum(e.committee_id == cit.id for e in entries) == 1 + 3 + 2


def test_import_by_an_account_names_it_in_the_audit_trail(db):
    imported(db)
    clerk = Account(person=db.session.scalar(select(Person).where(Person.key == "p-ruiz")),
                    email="aruiz@omh.example.org", password_hash="x", is_admin=True)
    db.session.add(clerk)
    db.session.commit()
    data = county()
    data["agencies"][1]["name"] = "County Office of Mental Hygiene"
    imported(db, data, actor=clerk)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "update"))
    assert (entry.actor_id, entry.actor_label) == (clerk.id, "Ana Ruiz")


def test_a_second_import_of_the_same_file_changes_nothing(db):
    first = imported(db)
    rows = stored_rows(db)
    versions = [a.version for a in db.session.scalars(select(Agency).order_by(Agency.key))]
    second = imported(db)
    assert second.unchanged == first.created
    assert not any(second.created.values())
    assert not any(second.updated.values())
    assert not any(second.deleted.values())
    assert stored_rows(db) == rows  # no new audit entries either
    assert [a.version for a in db.session.scalars(
        select(Agency).order_by(Agency.key))] == versions


def test_changed_fields_are_updated_and_audited_with_before_and_after(db):
    imported(db)
    data = county()
    data["agencies"][1]["head"] = "p-ruiz"
    data["people"][2]["title"] = "Director of Forensic Services"
    data["committees"][0]["goals"].append("Open a crisis drop-off centre.")
    data["committees"][0]["memberships"][0]["end"] = "2025-12-31"
    report = imported(db, data)
    assert report.updated == {"agencies": 1, "people": 1, "committees": 1, "memberships": 1,
                              "stage_history": 0, "rotation": 0, "chair_terms": 0,
                              "meetings": 0, "actions": 0, "workgroups": 0, "measures": 0,
                              "mous": 0, "quorum": 0, "standing_items": 0,
                              "agenda_requests": 0, "backlog": 0, "reminders": 0,
                              "signatories": 0}
    assert report.unchanged == {"agencies": 1, "people": 2, "committees": 0, "memberships": 2,
                                "stage_history": 2, "rotation": 0, "chair_terms": 0,
                                "meetings": 0, "actions": 0, "workgroups": 0, "measures": 0,
                                "mous": 0, "quorum": 0, "standing_items": 0,
                                "agenda_requests": 0, "backlog": 0, "reminders": 0,
                                "signatories": 0}
    changes = {e.object_label: e.changes for e in db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "update"))}
    assert changes["County Office of Mental Health"] == {"head": [None, "p-ruiz"]}
    assert changes["Ana Ruiz"] == {"title": ["Forensic Coordinator",
                                             "Director of Forensic Services"]}
    assert changes["Dana Ortiz (Chair)"] == {"end": [None, "2025-12-31"]}
    assert list(changes["CIT Steering Committee"]) == ["goals"]
    assert canonical(export_county()) == canonical(data)


def test_a_person_can_move_agency_and_a_membership_can_represent_another(db):
    imported(db)
    data = county()
    data["people"][2]["agency"] = "sheriff"
    data["committees"][0]["memberships"][2]["agency"] = "sheriff"
    report = imported(db, data)
    assert (report.updated["people"], report.updated["memberships"]) == (1, 1)
    ruiz = db.session.scalar(select(Person).where(Person.key == "p-ruiz"))
    assert ruiz.agency.key == "sheriff"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.object_label == "Ana Ruiz",
                                                       AuditEntry.action == "update"))
    assert entry.changes == {"agency": ["omh", "sheriff"]}


def test_the_file_is_authoritative_for_memberships_and_stage_history(db):
    imported(db)
    data = county()
    cit = data["committees"][0]
    del cit["memberships"][1]
    cit["memberships"].append({"person": "p-lee", "agency": "omh", "role": "observer",
                               "start": "2023-01-10", "end": "2024-02-29"})
    cit["stage_history"] = cit["stage_history"][:1]
    report = imported(db, data)
    assert report.deleted["memberships"] == 1
    assert report.created["memberships"] == 1
    assert report.deleted["stage_history"] == 1
    assert count(db, Membership) == 3
    assert count(db, StageChange) == 1
    deletions = list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "delete")))
    assert sorted(e.object_type for e in deletions) == ["Membership", "StageChange"]
    assert canonical(export_county()) == canonical(data)


def test_records_the_file_leaves_out_are_kept(db):
    imported(db)
    data = county()
    data["agencies"], data["people"], data["committees"] = [], [], []
    report = imported(db, data)
    assert not any(report.created.values()) and not any(report.deleted.values())
    assert stored_rows(db)["Agency"] == 2 and stored_rows(db)["Committee"] == 1


def test_references_may_name_records_already_stored(db):
    imported(db)
    data = county()
    data["agencies"], data["people"] = [], []
    data["committees"][0] |= {"key": "mhcj", "name": "Mental Health / Criminal Justice"}
    report = imported(db, data)
    assert report.created["committees"] == 1 and report.created["memberships"] == 3


def test_ignored_sections_are_listed_and_the_rest_imported(db):
    data = county()
    cit = data["committees"][0]
    cit["measures"] = [{"key": "ms-wait", "name": "Days waiting for a bed", "points": []}]
    cit["meetings"] = []
    data["mous"] = [{"key": "mou-1", "title": "Drop-off protocol", "status": "draft",
                     "parties": ["sheriff", "omh"],
                     "versions": [{"number": 1, "text": "…", "obligations": [],
                                   "created_at": "2025-05-01T12:00:00Z"}]}]
    report = imported(db, data)
    assert report.ignored == []
    assert report.created["committees"] == 1 and report.created["mous"] == 1
    assert report.created["measures"] == 1


# --- problems -----------------------------------------------------------------------


def test_schema_errors_are_reported_with_their_json_paths(db):
    data = county()
    data["agencies"][0]["sector"] = "police"
    del data["people"][1]["agency"]
    data["committees"][0]["colour"] = "blue"
    data["committees"][0]["memberships"][2]["start"] = "2024-02-30"
    data["committees"][0]["cadence"]["duration_minutes"] = 2
    data["exported_at"] = "yesterday"  # last in the document, so reported last
    problems = problems_of(db, data)
    assert [path for path, _ in problems] == [
        "$.agencies[0].sector", "$.people[1]", "$.committees[0]",
        "$.committees[0].cadence.duration_minutes", "$.committees[0].memberships[2].start",
        "$.exported_at"]
    assert "'agency' is a required property" in problems[1][1]
    assert "'colour' was unexpected" in problems[2][1]


def test_schema_problems_stop_the_import_before_references_are_checked(db):
    data = county()
    data["format"] = "govtrack-county/2"
    data["people"][0]["agency"] = "nowhere"
    assert problems_of(db, data) == [
        ("$.format", "this file is format “govtrack-county/2”; govtrack reads "
                     "“govtrack-county/1”")]


def test_a_document_that_is_not_an_object_is_refused(db):
    assert [path for path, _ in problems_of(db, ["format"])] == ["$"]


def _duplicate_agency(data):
    data["agencies"].append(dict(data["agencies"][1]))


def _duplicate_person(data):
    data["people"].append(dict(data["people"][0]))


def _duplicate_committee(data):
    data["committees"].append(dict(data["committees"][0]))


def _unknown_agency_of_person(data):
    data["people"][1]["agency"] = "courts"


def _unknown_head(data):
    data["agencies"][1]["head"] = "p-nobody"


def _head_of_another_agency(data):
    data["agencies"][1]["head"] = "p-ortiz"


def _unknown_member(data):
    data["committees"][0]["memberships"][1]["person"] = "p-nobody"


def _unknown_represented_agency(data):
    data["committees"][0]["memberships"][1]["agency"] = "courts"


@pytest.mark.parametrize(("change", "path", "message"), [
    (_duplicate_agency, "$.agencies[2].key", "duplicate key “omh”, also at $.agencies[1]"),
    (_duplicate_person, "$.people[3].key", "duplicate key “p-ortiz”"),
    (_duplicate_committee, "$.committees[1].key", "duplicate key “cit”"),
    (_unknown_agency_of_person, "$.people[1].agency", "no agency has key “courts”"),
    (_unknown_head, "$.agencies[1].head", "no person has key “p-nobody”"),
    (_head_of_another_agency, "$.agencies[1].head", "“p-ortiz” works for “sheriff”"),
    (_unknown_member, "$.committees[0].memberships[1].person",
     "no person has key “p-nobody”"),
    (_unknown_represented_agency, "$.committees[0].memberships[1].agency",
     "no agency has key “courts”"),
])
def test_reference_problems_are_reported(db, change, path, message):
    data = county()
    change(data)
    problems = problems_of(db, data)
    assert [p for p, _ in problems] == [path]
    assert message in problems[0][1]


def test_moving_a_stored_head_out_of_their_agency_is_refused(db):
    imported(db)
    data = county()
    data["agencies"] = []
    data["people"] = [data["people"][0] | {"agency": "omh"}]
    data["committees"] = []
    problems = problems_of(db, data)
    assert problems == [("$.people[0].agency", "“p-ortiz” heads “sheriff”; name another head "
                                               "of “sheriff” before moving them")]


def _nul_in_name(data):
    data["agencies"][0]["name"] = "County Sheriff\x00s Office"


def _control_character_in_goal(data):
    data["committees"][0]["goals"][1] = "Review call data\x07 quarterly."


def _lone_surrogate_in_title(data):
    data["people"][0]["title"] = "Sheriff \ud800"


def _end_before_start(data):
    data["committees"][0]["memberships"][1]["end"] = "2022-12-31"


def _same_person_twice(data):
    data["committees"][0]["memberships"].append(
        {"person": "p-lee", "agency": "omh", "role": "observer", "start": "2024-01-01",
         "end": None})


def _two_chairs(data):
    data["committees"][0]["memberships"][2]["role"] = "chair"


def _time_limited_without_end(data):
    data["committees"][0]["kind"] = "time_limited"


def _unknown_timezone(data):
    data["committees"][0]["timezone"] = "Mars/Olympus_Mons"


def _timezone_folder(data):
    data["committees"][0]["timezone"] = "America"


def _bad_rrule(data):
    data["committees"][0]["cadence"]["rrule"] = "FREQ=FORTNIGHTLY;BYDAY=TU"


def _impossible_dtstart(data):
    data["committees"][0]["cadence"]["dtstart"] = "2023-02-30T15:00"


def _duplicate_stage(data):
    data["committees"][0]["stage_history"].append({"stage": "engagement",
                                                   "since": "2023-01-10"})


def _future_stage(data):
    data["committees"][0]["stage_history"][1]["since"] = "2999-01-01"


@pytest.mark.parametrize(("change", "path", "message"), [
    (_nul_in_name, "$.agencies[0].name", "NUL character"),
    (_control_character_in_goal, "$.committees[0].goals[1]", "control character U+0007"),
    (_lone_surrogate_in_title, "$.people[0].title", "unpaired surrogate"),
    (_end_before_start, "$.committees[0].memberships[1].end",
     "The end date cannot be before the start date."),
    (_same_person_twice, "$.committees[0].memberships[3].person",
     "Sam Lee is already a member for part of that time"),
    (_two_chairs, "$.committees[0].memberships[2].role",
     "Dana Ortiz is chair for part of that time"),
    (_time_limited_without_end, "$.committees[0].end_date", "needs an end date"),
    (_unknown_timezone, "$.committees[0].timezone", "not an IANA time zone"),
    (_timezone_folder, "$.committees[0].timezone", "not an IANA time zone"),
    (_bad_rrule, "$.committees[0].cadence.rrule", "invalid RRULE"),
    (_impossible_dtstart, "$.committees[0].cadence.dtstart", "not a valid date and time"),
    (_duplicate_stage, "$.committees[0].stage_history[2]",
     "duplicate of $.committees[0].stage_history[0]"),
    (_future_stage, "$.committees[0].stage_history[1].since", "cannot be in the future"),
])
def test_domain_problems_are_reported(db, change, path, message):
    data = county()
    change(data)
    problems = problems_of(db, data)
    assert [p for p, _ in problems] == [path]
    assert message in problems[0][1]


def test_overlaps_name_the_membership_they_overlap(db):
    data = county()
    data["committees"][0]["memberships"][2]["role"] = "chair"
    (_, message), = problems_of(db, data)
    assert message.endswith("It overlaps $.committees[0].memberships[0].")


def test_two_terms_of_a_chair_from_the_same_day_are_refused_not_merged(db):
    """A term ended on its first day overlaps nothing, but a seat holds one term of a
    person from a day; the import kept only the second of the two (found by the round trip)."""
    data = county()
    data["committees"][0]["chair_terms"] = [
        {"person": "p-ortiz", "agency": "sheriff", "start": "2023-01-10",
         "planned_end": "2024-01-09", "end": "2023-01-10"},
        {"person": "p-ortiz", "agency": "sheriff", "start": "2023-01-10",
         "planned_end": "2023-06-30", "end": None}]
    (path, message), = problems_of(db, data)
    assert path == "$.committees[0].chair_terms[1].start"
    assert message.startswith("$.committees[0].chair_terms[0] is this person's term")
    # a co-chair term from that day is another seat
    data["committees"][0]["chair_terms"][1]["co_chair"] = True
    assert imported(db, data).created["chair_terms"] == 2


def test_every_problem_is_reported_not_only_the_first(db):
    data = county()
    data["people"][0]["name"] = "Dana\x00Ortiz"
    data["agencies"][1]["head"] = "p-nobody"
    cit = data["committees"][0]
    cit |= {"kind": "time_limited", "timezone": "Atlantis/Capital"}
    cit["cadence"]["rrule"] = "FREQ=HOURLY"
    cit["memberships"][1]["end"] = "2020-01-01"
    cit["memberships"][2]["role"] = "chair"
    paths = [path for path, _ in problems_of(db, data)]
    assert paths == [
        "$.agencies[1].head",
        "$.people[0].name",
        "$.committees[0].timezone",
        "$.committees[0].end_date",
        "$.committees[0].cadence.rrule",
        "$.committees[0].memberships[1].end",
        "$.committees[0].memberships[2].role",
    ]


def test_a_file_with_one_bad_membership_stores_nothing(db):
    data = county()
    data["committees"][0]["memberships"].append(
        {"person": "p-ortiz", "agency": "sheriff", "role": "member", "start": "2023-06-01",
         "end": None})
    problems_of(db, data)
    assert stored_rows(db) == NOTHING


def test_a_refused_file_leaves_stored_records_as_they_were(db):
    imported(db)
    data = county()
    data["agencies"][0]["name"] = "Renamed Sheriff's Office"
    data["committees"][0]["memberships"][1]["end"] = "2020-01-01"
    problems_of(db, data)
    assert db.session.scalar(select(Agency.name).where(Agency.key == "sheriff")) == \
        "County Sheriff's Office"


def test_nul_character_is_refused_and_nothing_is_stored(db):
    data = county()
    data["committees"][0]["purpose"] = "Shared problem\x00 statement"
    problems = problems_of(db, data)
    assert problems == [("$.committees[0].purpose",
                         "contains a NUL character (U+0000), which cannot be stored")]
    assert stored_rows(db) == NOTHING


# --- dry run ------------------------------------------------------------------------


def test_dry_run_reports_what_an_import_would_do_and_writes_nothing(db):
    dry = import_county(county(), dry_run=True)
    assert dry.ok
    assert stored_rows(db) == NOTHING  # not even before the caller rolls back
    db.session.commit()
    assert stored_rows(db) == NOTHING
    real = imported(db)
    for counts in ("created", "updated", "unchanged", "deleted"):
        assert getattr(dry, counts) == getattr(real, counts)
    assert set(dry.created) == set(KINDS)


def test_dry_run_over_stored_records_counts_updates_but_keeps_them(db):
    imported(db)
    rows = stored_rows(db)
    data = county()
    data["agencies"][0]["name"] = "Renamed Sheriff's Office"
    del data["committees"][0]["memberships"][1]
    report = import_county(data, dry_run=True)
    assert (report.updated["agencies"], report.deleted["memberships"]) == (1, 1)
    db.session.commit()
    assert stored_rows(db) == rows
    assert db.session.scalar(select(Agency.name).where(Agency.key == "sheriff")) == \
        "County Sheriff's Office"


def test_dry_run_reports_problems_like_an_import(db):
    data = county()
    data["committees"][0]["timezone"] = "Nowhere/Special"
    assert import_county(data, dry_run=True).problems == import_county(data).problems


@pytest.mark.parametrize(("raw", "message"), [
    (b"[" * 100_000 + b"]" * 100_000, "nests too deeply"),
    (b'{"a":' * 40 + b"1" + b"}" * 40, "nests too deeply"),
    (b'{"version": ' + b"7" * 5000 + b"}", "digits"),
    (b'{"version": NaN}', "not a number"),
    (b"\xff\xfe{}", "not UTF-8"),
    (b"{", "not a JSON document"),
])
def test_a_county_file_that_is_not_one_is_refused_with_a_message(db, raw, message):
    from govtrack.county.services import CountyFileError, read_county

    with pytest.raises(CountyFileError, match=message):
        read_county(raw)


def test_a_county_file_over_the_size_limit_is_refused_before_it_is_parsed(db, monkeypatch):
    from govtrack.county import services
    from govtrack.county.services import CountyFileError, read_county

    monkeypatch.setattr(services, "COUNTY_MAX_BYTES", 1_000_000)
    with pytest.raises(CountyFileError, match="the file is 1.0 MB; the limit is 1 MB"):
        read_county(b" " * 1_000_001)


def test_the_import_command_answers_any_bytes_without_a_traceback(app, tmp_path):
    from click.testing import CliRunner

    from govtrack.cli import govtrack_cli

    runner = CliRunner()
    for n, raw in enumerate([b"[" * 100_000, b'{"version": ' + b"9" * 5000 + b"}",
                             b"\x00\xff", b" " * 10_000_001]):
        path = tmp_path / f"county-{n}.json"
        path.write_bytes(raw)
        with app.app_context():
            result = runner.invoke(govtrack_cli, ["import", str(path)])
        assert result.exit_code == 1 and result.exception is None or isinstance(
            result.exception, SystemExit), result.output
        assert "Traceback" not in result.output and result.output.startswith("$"), result.output
        assert ": " in result.output



def test_an_imported_committee_begins_on_its_earliest_day_not_at_the_import(db):
    assert import_county(county()).ok
    db.session.commit()
    committee = db.session.scalar(select(Committee).where(Committee.key == "cit"))
    assert committee.created_at == datetime(2023, 1, 10, tzinfo=ZoneInfo("America/New_York"))
