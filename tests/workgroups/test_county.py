"""Workgroups in the county file: round trip, idempotence, problems with their JSON paths."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from govtrack.actions.models import ActionItem
from govtrack.audit.models import AuditEntry
from govtrack.county.services import export_county, import_county
from govtrack.workgroups.models import Goal, Milestone, Workgroup, WorkgroupUpdate
from tests.county.files import assert_exports_back, canonical, imported, problems_of, stored_rows
from tests.county.files import county as small_county

#: what the tests count: the records this file is about, and the audit trail
MODELS = (Workgroup, WorkgroupUpdate, Goal, Milestone, ActionItem, AuditEntry)


def county() -> dict:
    """The small county of the county tests, its committee with two workgroups and actions.

    Written as the export writes it: workgroups oldest first, members by key,
    updates by time, goals in the order they were set, milestones by due
    date; optional fields only when set.
    """
    data = small_county()
    cit = data["committees"][0]
    cit["meetings"] = [
        {"key": "cit-2025-02", "starts_at": "2025-02-11T15:00:00-05:00",
         "duration_minutes": 90, "status": "held",
         "agenda": {"status": "published", "items": [
             {"title": "Jail in-reach report", "kind": "report_back", "minutes": 15,
              "presenter": "p-ortiz", "workgroup": "wg-inreach"}]},
         "attendance": [{"person": "p-ortiz", "status": "present"},
                        {"person": "p-ruiz", "status": "present"}]},
    ]
    cit["workgroups"] = [
        {"key": "wg-inreach", "name": "Jail in-reach",
         "charge": "Start treatment before release.", "lead": "p-ortiz",
         "members": ["p-ortiz", "p-ruiz"], "report_back": "every_meeting",
         "created_at": "2025-01-14T16:00:00Z",
         "updates": [
             {"at": "2025-02-01T12:00:00Z", "by": "p-ortiz", "text": "Clinician hired."},
             {"at": "2025-02-20T09:30:15.250000Z", "by": "p-ruiz"},
         ],
         "goals": [
             {"key": "g-beds", "title": "Cut the wait for inpatient beds",
              "description": "From 41 days to under 14.",
              "milestones": [
                  {"key": "m-protocol", "title": "Protocol drafted", "due": "2025-04-01",
                   "owner": "p-ortiz", "status": "done", "done_at": "2025-03-28T18:00:00Z"},
                  {"key": "m-signed", "title": "Protocol signed", "due": "2025-06-30",
                   "owner": "p-ruiz", "status": "open"},
                  {"key": "m-pilot", "title": "Pilot", "due": "2025-09-30", "status": "cancelled"},
              ]},
             {"key": "g-release", "title": "Appointments on release", "milestones": []},
         ]},
        {"key": "wg-data", "name": "Data", "members": [], "report_back": "quarterly",
         "created_at": "2025-03-11T20:30:00Z", "closed_at": "2025-12-09T21:00:00Z",
         "updates": [], "goals": []},
    ]
    cit["actions"] = [
        {"key": "a-1", "title": "Share bed-wait data", "owner": "p-ruiz", "due": "2025-03-01",
         "status": "in_progress", "workgroup": "wg-inreach",
         "created_at": "2025-02-11T16:30:00Z",
         "origin": {"kind": "meeting", "ref": "cit-2025-02"},
         "updates": [{"at": "2025-02-20T14:00:00Z", "by": "p-ruiz", "status": "in_progress",
                      "note": "Asked the hospital."}]},
        {"key": "a-2", "title": "Pull the call codes", "owner": "p-ortiz", "status": "open",
         "workgroup": "wg-data", "created_at": "2025-03-12T12:00:00Z",
         "origin": {"kind": "workgroup", "ref": "wg-data"}, "updates": []},
    ]
    return data


def workgroup(db, key) -> Workgroup:
    """The stored workgroup with key."""
    return db.session.scalar(select(Workgroup).where(Workgroup.key == key))


# --- round trip ---------------------------------------------------------------------


def test_export_of_an_import_gives_workgroups_and_their_actions_back_and_validates(db):
    assert_exports_back(db, county())


def test_import_stores_the_history_as_it_is(db):
    report = imported(db, county())
    assert report.created["workgroups"] == 2
    inreach = workgroup(db, "wg-inreach")
    assert inreach.committee.key == "cit" and inreach.lead.key == "p-ortiz"
    assert inreach.created_at == datetime(2025, 1, 14, 16, 0, tzinfo=UTC)
    assert sorted(p.key for p in inreach.members) == ["p-ortiz", "p-ruiz"]
    assert [(u.at, u.by.key, u.text) for u in inreach.updates] == [
        (datetime(2025, 2, 1, 12, 0, tzinfo=UTC), "p-ortiz", "Clinician hired."),
        (datetime(2025, 2, 20, 9, 30, 15, 250000, tzinfo=UTC), "p-ruiz", "")]
    beds = inreach.goals[0]
    assert [(m.key, m.due, m.owner.key if m.owner else None, m.status, m.done_at)
            for m in beds.milestones] == [
        ("m-protocol", date(2025, 4, 1), "p-ortiz", "done",
         datetime(2025, 3, 28, 18, 0, tzinfo=UTC)),
        ("m-signed", date(2025, 6, 30), "p-ruiz", "open", None),
        ("m-pilot", date(2025, 9, 30), None, "cancelled", None)]
    assert workgroup(db, "wg-data").closed_at == datetime(2025, 12, 9, 21, 0, tzinfo=UTC)
    actions = {a.key: a.workgroup_key for a in db.session.scalars(select(ActionItem))}
    assert actions == {"a-1": "wg-inreach", "a-2": "wg-data"}


def test_a_second_import_of_the_same_file_changes_nothing(db):
    first = imported(db, county())
    before = stored_rows(db, MODELS)
    versions = {wg.key: wg.version for wg in db.session.scalars(select(Workgroup))}
    second = imported(db, county())
    assert second.unchanged["workgroups"] == 2
    assert second.unchanged == first.created
    assert not any(second.created.values()) and not any(second.updated.values())
    assert stored_rows(db, MODELS) == before  # no new rows, no audit entries
    assert {wg.key: wg.version for wg in db.session.scalars(select(Workgroup))} == versions


def test_a_dry_run_stores_nothing(db):
    report = import_county(county(), dry_run=True)
    assert report.ok, report.problems
    assert report.created["workgroups"] == 2
    db.session.commit()
    assert set(stored_rows(db, MODELS).values()) == {0}


def test_changes_are_stored_audited_and_exported(db):
    imported(db, county())
    data = county()
    inreach = data["committees"][0]["workgroups"][0]
    inreach["lead"] = "p-ruiz"
    inreach["members"] = ["p-ruiz"]
    inreach["updates"][0]["text"] = "Clinician hired and trained."
    inreach["updates"].append({"at": "2025-03-01T10:00:00Z", "by": "p-ruiz", "text": "More."})
    beds = inreach["goals"][0]
    beds["milestones"][1] |= {"status": "done", "done_at": "2025-06-20T12:00:00Z"}
    del beds["milestones"][2]
    del inreach["goals"][1]
    inreach["goals"].append({"key": "g-peers", "title": "A peer at every release",
                             "milestones": [{"key": "m-peer", "title": "Peer hired",
                                             "due": "2025-10-01", "status": "open"}]})
    update_ids = [u.id for u in workgroup(db, "wg-inreach").updates]
    report = imported(db, data)
    assert (report.updated["workgroups"], report.unchanged["workgroups"]) == (1, 1)
    assert canonical(export_county()) == canonical(data)
    db.session.expire_all()
    stored = workgroup(db, "wg-inreach")
    # updates are matched by (at, by): the first keeps its row
    assert [u.id for u in stored.updates][:2] == update_ids
    assert db.session.scalar(select(func.count(Goal.id))) == 2
    assert db.session.scalar(select(func.count(Milestone.id))) == 3
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "update", AuditEntry.object_type == "Workgroup"))
    assert set(entry.changes) == {"lead", "members", "updates", "goals"}
    assert entry.changes["lead"] == ["p-ortiz", "p-ruiz"]
    assert entry.changes["members"] == [["p-ortiz", "p-ruiz"], ["p-ruiz"]]


def test_a_file_may_leave_stored_workgroups_out(db):
    imported(db, county())
    data = county()
    cit = data["committees"][0]
    cit["workgroups"] = cit["workgroups"][:1]
    imported(db, data)  # a-2 still names wg-data, which is stored
    assert workgroup(db, "wg-data") is not None


def test_pdsa_cycles_are_stored(db):
    data = county()
    data["committees"][0]["workgroups"][0]["goals"][0]["pdsa_cycles"] = [
        {"key": "pdsa-1", "title": "Bed-wait huddle", "phase": "plan",
         "phase_history": [{"phase": "plan", "since": "2025-02-01"}]}]
    data["committees"][0]["workgroups"][0]["goals"][1]["pdsa_cycles"] = []
    report = imported(db, data)
    assert report.ignored == []
    assert report.created["workgroups"] == 2
    goal = db.session.scalar(select(Goal).where(Goal.key == data["committees"][0]["workgroups"][0]
                                                ["goals"][0]["key"]))
    assert [c.key for c in goal.pdsa_cycles] == ["pdsa-1"]


# --- problems -----------------------------------------------------------------------


def test_unknown_people_are_reported_at_their_paths(db):
    data = county()
    inreach = data["committees"][0]["workgroups"][0]
    inreach["lead"] = "p-nobody"
    inreach["members"][1] = "p-ghost"
    inreach["updates"][0]["by"] = "p-stranger"
    inreach["goals"][0]["milestones"][1]["owner"] = "p-absent"
    where = "$.committees[0].workgroups[0]"
    assert problems_of(db, data, MODELS) == [
        (f"{where}.lead", "no person has key “p-nobody”"),
        (f"{where}.members[1]", "no person has key “p-ghost”"),
        (f"{where}.updates[0].by", "no person has key “p-stranger”"),
        (f"{where}.goals[0].milestones[1].owner", "no person has key “p-absent”"),
    ]


def test_an_actions_workgroup_must_be_one_of_the_committees(db):
    data = county()
    data["committees"][0]["actions"][0]["workgroup"] = "wg-nowhere"
    other = small_county()["committees"][0] | {"key": "mhcj", "name": "MH/CJ Committee"}
    other["actions"] = [{"key": "a-9", "title": "Borrowed", "owner": "p-ruiz",
                         "status": "open", "workgroup": "wg-inreach",
                         "created_at": "2025-04-01T12:00:00Z", "updates": []}]
    data["committees"].append(other)
    assert problems_of(db, data, MODELS) == [
        ("$.committees[0].actions[0].workgroup",
         "no workgroup of this committee has key “wg-nowhere”"),
        ("$.committees[1].actions[0].workgroup",
         "no workgroup of this committee has key “wg-inreach”"),
    ]


def test_keys_are_unique_across_the_whole_file(db):
    data = county()
    cit = data["committees"][0]
    cit["workgroups"][1]["key"] = "wg-inreach"
    cit["workgroups"][1]["goals"] = [
        {"key": "g-beds", "title": "Again", "milestones": [
            {"key": "m-signed", "title": "Again", "due": "2025-05-01", "status": "open"}]}]
    other = small_county()["committees"][0] | {"key": "mhcj", "name": "MH/CJ Committee"}
    other["workgroups"] = [{"key": "wg-inreach", "name": "Copy",
                            "created_at": "2025-01-01T00:00:00Z"}]
    data["committees"].append(other)
    problems = [p for p in problems_of(db, data, MODELS) if p[0].endswith(".key")]
    assert problems == [
        ("$.committees[0].workgroups[1].key",
         "duplicate key “wg-inreach”, also at $.committees[0].workgroups[0]"),
        ("$.committees[0].workgroups[1].goals[0].key",
         "duplicate key “g-beds”, also at $.committees[0].workgroups[0].goals[0]"),
        ("$.committees[0].workgroups[1].goals[0].milestones[0].key",
         "duplicate key “m-signed”, also at "
         "$.committees[0].workgroups[0].goals[0].milestones[1]"),
        ("$.committees[1].workgroups[0].key",
         "duplicate key “wg-inreach”, also at $.committees[0].workgroups[0]"),
    ]


def test_a_workgroup_goal_or_milestone_cannot_move(db):
    imported(db, county())
    data = county()
    cit = data["committees"][0]
    # the goal g-release moves to wg-data, the milestone m-pilot to g-release
    release = cit["workgroups"][0]["goals"].pop()
    release["milestones"] = [cit["workgroups"][0]["goals"][0]["milestones"].pop()]
    cit["workgroups"][1]["goals"] = [release]
    other = small_county()["committees"][0] | {"key": "mhcj", "name": "MH/CJ Committee"}
    other["workgroups"] = [dict(cit["workgroups"][1], goals=[])]
    data["committees"].append(other)
    assert problems_of(db, data, MODELS) == [
        ("$.committees[0].workgroups[1].goals[0].key",
         "the goal “g-release” belongs to workgroup “wg-inreach”; a goal cannot move to "
         "another workgroup"),
        ("$.committees[0].workgroups[1].goals[0].milestones[0].key",
         "the milestone “m-pilot” belongs to goal “g-beds”; a milestone cannot move to "
         "another goal"),
        ("$.committees[1].workgroups[0].key",
         "duplicate key “wg-data”, also at $.committees[0].workgroups[1]"),
        ("$.committees[1].workgroups[0].key",
         "the workgroup “wg-data” belongs to committee “cit”; a workgroup cannot move to "
         "another committee"),
    ]


def test_dates_and_statuses_that_contradict_each_other_are_refused(db):
    data = county()
    inreach = data["committees"][0]["workgroups"][0]
    inreach["closed_at"] = "2025-01-14T15:59:59Z"
    inreach["goals"][0]["milestones"][1]["done_at"] = "2025-06-01T12:00:00Z"
    inreach["members"].append("p-ortiz")
    inreach["updates"].append({"at": "2025-02-01T07:00:00-05:00", "by": "p-ortiz"})
    where = "$.committees[0].workgroups[0]"
    assert problems_of(db, data, MODELS) == [
        (f"{where}.members[2]", "“p-ortiz” is listed twice, also at "
                                f"{where}.members[0]"),
        (f"{where}.closed_at", "the workgroup is closed before it was created"),
        (f"{where}.updates[2]", "the same person's update at the same time as "
                                f"{where}.updates[0]"),
        (f"{where}.goals[0].milestones[1].done_at",
         "only a milestone that is done has a done_at; the status is “open”"),
    ]


def test_bad_dates_are_refused_by_the_schema(db):
    data = county()
    inreach = data["committees"][0]["workgroups"][0]
    inreach["created_at"] = "2025-01-14 16:00"
    inreach["goals"][0]["milestones"][0]["due"] = "1 April 2025"
    assert sorted({path for path, _ in problems_of(db, data, MODELS)}) == [
        "$.committees[0].workgroups[0].created_at",
        "$.committees[0].workgroups[0].goals[0].milestones[0].due"]


def test_one_problem_anywhere_stores_nothing_at_all(db):
    imported(db, county())
    data = county()
    cit = data["committees"][0]
    cit["workgroups"][0]["name"] = "Renamed"
    cit["workgroups"].append({"key": "wg-new", "name": "New",
                              "created_at": "2025-05-01T12:00:00Z"})
    cit["actions"][1]["owner"] = "p-nobody"
    problems_of(db, data, MODELS)
    assert workgroup(db, "wg-inreach").name == "Jail in-reach"
    assert workgroup(db, "wg-new") is None


# --- why a workgroup closed, a goal's status and end, a milestone's re-datings ----------------


def with_outcomes() -> dict:
    """The county above with a closing reason, a goal's status and end, a re-dated milestone."""
    data = county()
    inreach, closed = data["committees"][0]["workgroups"]
    closed.update(closed_reason="merged", closed_note="Folded into jail in-reach.")
    beds, release = inreach["goals"]
    beds["end_date"] = "2025-12-31"
    beds["milestones"][1]["due_changes"] = [
        {"from": "2025-05-01", "to": "2025-06-01", "at": "2025-04-20T14:00:00Z",
         "by": "p-ruiz", "reason": "The hospital changed its intake."},
        {"from": "2025-06-01", "to": "2025-06-30", "at": "2025-05-25T09:00:00.500000Z"}]
    release.update(status="cancelled", status_at="2025-10-01T15:00:00Z")
    return data


def test_closing_reasons_goal_statuses_and_re_datings_round_trip(db):
    imported(db, with_outcomes())
    assert canonical(export_county()) == canonical(with_outcomes())
    closed = workgroup(db, "wg-data")
    assert (closed.closed_reason, closed.closed_note) == ("merged", "Folded into jail in-reach.")
    beds, release = workgroup(db, "wg-inreach").goals
    assert (release.status, release.status_at) == (
        "cancelled", datetime(2025, 10, 1, 15, tzinfo=UTC))
    signed = next(m for m in beds.milestones if m.key == "m-signed")
    assert signed.first_due == date(2025, 5, 1) and signed.slipped_days == 60
    assert [c.by.key if c.by else None for c in signed.due_changes] == ["p-ruiz", None]


def test_a_second_import_with_the_outcomes_changes_nothing(db):
    imported(db, with_outcomes())
    before = stored_rows(db, MODELS)
    report = imported(db, with_outcomes())
    assert not any(report.created.values()) and not any(report.updated.values())
    assert stored_rows(db, MODELS) == before


def test_a_file_without_the_outcomes_gives_open_goals_and_no_re_datings(db):
    imported(db, with_outcomes())
    report = imported(db, county())  # the same county, without the optional fields
    assert report.updated["workgroups"] == 2
    closed = workgroup(db, "wg-data")
    assert (closed.closed_reason, closed.closed_note) == (None, "")
    beds, release = workgroup(db, "wg-inreach").goals
    assert (release.status, release.status_at, beds.end_date) == ("open", None, None)
    assert all(not m.due_changes for m in beds.milestones)


def test_outcomes_that_contradict_the_record_are_refused_with_their_paths(db):
    data = with_outcomes()
    inreach, closed = data["committees"][0]["workgroups"]
    inreach["closed_note"] = "Never closed."
    closed["closed_note"] = ""
    beds, release = inreach["goals"]
    beds["end_date"] = "2025-06-01"  # the open milestone m-signed is due 30 June
    beds["status_at"] = "2025-10-01T15:00:00Z"
    changes = beds["milestones"][1]["due_changes"]
    changes[0]["by"] = "p-nobody"
    changes[1].update({"from": "2025-06-02", "at": "2025-04-01T00:00:00Z"})
    changes.append({"from": "2025-06-30", "to": "2025-06-30", "at": "2025-06-01T00:00:00Z"})
    problems = problems_of(db, data, MODELS)
    assert [path for path, _ in problems] == [
        "$.committees[0].workgroups[0].closed_note",
        "$.committees[0].workgroups[0].goals[0].status_at",
        "$.committees[0].workgroups[0].goals[0].milestones[1].due",
        "$.committees[0].workgroups[0].goals[0].milestones[1].due_changes[0].by",
        "$.committees[0].workgroups[0].goals[0].milestones[1].due_changes[1].from",
        "$.committees[0].workgroups[0].goals[0].milestones[1].due_changes[1].at",
        "$.committees[0].workgroups[0].goals[0].milestones[1].due_changes[2].to",
        "$.committees[0].workgroups[1].closed_note"]
    assert "no person has key “p-nobody”" in problems[3][1]


def test_a_closed_workgroup_goal_and_re_dating_made_in_the_app_export_and_import_unchanged(
        make, db):
    from govtrack.workgroups import services

    cast = make.cast()
    chair, wg = cast["chair"], cast["workgroup"]
    goal = wg.goals[0]
    milestone = goal.milestones[0]
    services.edit_milestone(chair, milestone, None, title=milestone.title,
                            due=milestone.due + timedelta(days=14), owner=milestone.owner,
                            reason="Waiting for the hospital.")
    services.set_goal_status(chair, goal, None, "achieved")
    services.close_workgroup(chair, wg, None, reason="abandoned", note="No data to work on.")
    db.session.commit()
    document = export_county()
    record = document["committees"][0]["workgroups"][0]
    assert (record["closed_reason"], record["closed_note"]) == ("abandoned",
                                                                "No data to work on.")
    assert record["goals"][0]["status"] == "achieved"
    assert record["goals"][0]["milestones"][0]["due_changes"][0]["reason"] == (
        "Waiting for the hospital.")
    before = stored_rows(db, MODELS)
    report = imported(db, document)
    assert not any(report.created.values()) and not any(report.updated.values())
    assert stored_rows(db, MODELS) == before
    assert canonical(export_county()) == canonical(document)
