"""Meetings and action items in the county file: round trip, idempotence, problems."""

import io
import zipfile
from datetime import UTC, date, datetime

import time_machine
from sqlalchemy import func, select

from govtrack.actions.models import ActionItem, ActionUpdate
from govtrack.audit.models import AuditEntry
from govtrack.committees.models import Committee
from govtrack.county.services import export_county, import_county
from govtrack.meetings.models import AgendaItem, Attendance, Meeting
from tests.county.files import assert_exports_back, canonical
from tests.county.files import county as small_county


def county() -> dict:
    """The small county of the county tests, its committee with meetings and actions.

    Meetings are listed oldest first, attendance by person and actions by
    creation, as the export writes them; optional fields appear only when set.
    """
    data = small_county()
    cit = data["committees"][0]
    cit["meetings"] = [
        {"key": "cit-2025-02", "starts_at": "2025-02-11T15:00:00-05:00",
         "duration_minutes": 90, "location": "County Annex, Room 2", "status": "held",
         "agenda": {"status": "published", "items": [
             {"title": "Approve the minutes", "kind": "decision", "minutes": 5},
             {"title": "Jail in-reach report", "kind": "report_back", "minutes": 15,
              "presenter": "p-ortiz", "workgroup": "wg-inreach",
              "notes": "Twelve referrals in **January**."},
             {"title": "Drop-off protocol", "kind": "decision", "minutes": 20,
              "presenter": "p-ruiz", "mou": "mou-dropoff", "pdsa_cycle": "pdsa-1"},
         ]},
         "attendance": [
             {"person": "p-lee", "status": "absent"},
             {"person": "p-ortiz", "status": "present"},
             {"person": "p-ruiz", "status": "designee", "designee": "p-ortiz-deputy"},
         ],
         "minutes": {"text": "Quorum present.", "decisions": ["Adopt the protocol."],
                     "approved_at": "2025-03-11T20:45:00Z"}},
        # after the change to daylight saving time: the offset is that day's
        {"key": "cit-2025-03", "starts_at": "2025-03-11T15:00:00-04:00",
         "duration_minutes": 90, "video_link": "https://meet.example.org/cit",
         "status": "held",
         "agenda": {"status": "draft", "items": [
             {"title": "Bed-wait data", "kind": "information", "minutes": 10}]},
         "attendance": [{"person": "p-ortiz", "status": "present"},
                        {"person": "p-ruiz", "status": "absent"}],
         "minutes": {"text": "Short meeting."}},
        {"key": "cit-2025-04", "starts_at": "2025-04-08T15:00:00-04:00",
         "duration_minutes": 60, "status": "cancelled"},
        # a one-off meeting, off the cadence
        {"key": "cit-special", "starts_at": "2025-04-23T09:30:00-04:00",
         "duration_minutes": 45, "status": "scheduled",
         "agenda": {"status": "published", "items": []}},
    ]
    cit["actions"] = [
        {"key": "a-1", "title": "Share bed-wait data",
         "description": "Monthly, from the hospital's dashboard.", "owner": "p-ruiz",
         "due": "2025-03-01", "status": "in_progress", "workgroup": "wg-inreach",
         "origin": {"kind": "meeting", "ref": "cit-2025-02"},
         "created_at": "2025-02-11T16:30:00Z",
         "updates": [
             {"at": "2025-02-20T14:00:00Z", "by": "p-ruiz", "status": "in_progress",
              "note": "Asked the hospital."},
             {"at": "2025-02-27T09:15:30Z", "by": "p-ortiz", "note": "Chased."},
         ]},
        {"key": "a-2", "title": "Book the training room", "owner": "p-ortiz",
         "status": "open", "created_at": "2025-03-11T20:10:00Z", "updates": []},
        {"key": "a-3", "title": "Sign the MOU", "owner": "p-ortiz", "due": "2025-06-30",
         "status": "done", "origin": {"kind": "mou", "ref": "mou-dropoff"},
         "created_at": "2025-03-12T12:00:00Z",
         "updates": [{"at": "2025-06-01T12:00:00Z", "by": "p-ortiz", "status": "done"}]},
    ]
    # an action's workgroup must be one of the committee's (workgroups.county)
    cit["workgroups"] = [{"key": "wg-inreach", "name": "Jail in-reach", "members": [],
                          "report_back": "every_meeting", "created_at": "2025-01-14T16:00:00Z",
                          "updates": [], "goals": []}]
    data["people"].append({"key": "p-ortiz-deputy", "name": "Lou Park", "email": None,
                           "agency": "sheriff", "title": "Undersheriff", "active": True,
                           "inactive_since": None})
    return data


def rows(db) -> dict[str, int]:
    """Rows of every kind this section stores, and of the audit trail."""
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Meeting, AgendaItem, Attendance, ActionItem, ActionUpdate,
                          AuditEntry)}


def imported(db, data=None, **kwargs):
    """Import data (default the county above) and commit; return the report."""
    report = import_county(county() if data is None else data, **kwargs)
    assert report.ok, report.problems
    db.session.commit()
    return report


def problems_of(db, data) -> list[tuple[str, str]]:
    """Import data, expecting problems; return them, having checked nothing was written."""
    before = rows(db) | {"Committee": db.session.scalar(select(func.count(Committee.id)))}
    report = import_county(data)
    assert not report.ok
    db.session.commit()  # a refused import must leave nothing to commit
    after = rows(db) | {"Committee": db.session.scalar(select(func.count(Committee.id)))}
    assert after == before
    return report.problems


def meeting(db, key) -> Meeting:
    """The stored meeting with key."""
    return db.session.scalar(select(Meeting).where(Meeting.key == key))


def action(db, key) -> ActionItem:
    """The stored action item with key."""
    return db.session.scalar(select(ActionItem).where(ActionItem.key == key))


# --- round trip ---------------------------------------------------------------------


def test_export_of_an_import_gives_meetings_and_actions_back_and_validates(db):
    assert_exports_back(db, county())


def test_a_start_given_in_utc_is_exported_on_the_committees_wall_clock(db):
    data = county()
    data["committees"][0]["meetings"][0]["starts_at"] = "2025-02-11T20:00:00Z"
    data["committees"][0]["actions"][0]["created_at"] = "2025-02-11T11:30:00-05:00"
    imported(db, data)
    cit = export_county()["committees"][0]
    assert cit["meetings"][0]["starts_at"] == "2025-02-11T15:00:00-05:00"
    assert cit["actions"][0]["created_at"] == "2025-02-11T16:30:00Z"


def test_a_committee_without_meetings_or_actions_exports_neither(db):
    data = county()
    del data["committees"][0]["meetings"], data["committees"][0]["actions"]
    imported(db, data)
    assert not {"meetings", "actions"} & set(export_county()["committees"][0])


# --- what an import stores ----------------------------------------------------------


def test_import_stores_history_as_it_is_not_the_time_of_import(db):
    with time_machine.travel(datetime(2026, 11, 1, 12, tzinfo=UTC), tick=False):
        report = imported(db)
    assert (report.created["meetings"], report.created["actions"]) == (4, 3)
    held = meeting(db, "cit-2025-02")
    assert held.starts_at == datetime(2025, 2, 11, 20, 0, tzinfo=UTC)
    assert held.minutes_approved_at == datetime(2025, 3, 11, 20, 45, tzinfo=UTC)
    assert held.minutes_locked and held.agenda_published_at is None
    assert [(i.position, i.title, i.presenter.key if i.presenter else None)
            for i in held.items] == [(0, "Approve the minutes", None),
                                     (1, "Jail in-reach report", "p-ortiz"),
                                     (2, "Drop-off protocol", "p-ruiz")]
    assert {(a.person.key, a.status, a.designee.key if a.designee else None)
            for a in held.attendance} == {("p-lee", "absent", None),
                                          ("p-ortiz", "present", None),
                                          ("p-ruiz", "designee", "p-ortiz-deputy")}
    shared = action(db, "a-1")
    assert shared.created_at == datetime(2025, 2, 11, 16, 30, tzinfo=UTC)
    assert [(u.at, u.by.key, u.status) for u in shared.updates] == [
        (datetime(2025, 2, 20, 14, 0, tzinfo=UTC), "p-ruiz", "in_progress"),
        (datetime(2025, 2, 27, 9, 15, 30, tzinfo=UTC), "p-ortiz", None)]
    assert (shared.origin_kind, shared.origin_ref, shared.meeting_id) == (
        "meeting", "cit-2025-02", held.id)
    assert (action(db, "a-3").origin_kind, action(db, "a-3").meeting_id) == ("mou", None)


def test_meetings_on_the_cadence_remember_their_occurrence(db):
    imported(db)
    # the CIT committee meets on the second Tuesday at 15:00, New York time
    assert meeting(db, "cit-2025-02").occurrence == datetime(2025, 2, 11, 15, 0)
    assert meeting(db, "cit-2025-03").occurrence == datetime(2025, 3, 11, 15, 0)
    assert meeting(db, "cit-2025-04").occurrence == datetime(2025, 4, 8, 15, 0)
    assert meeting(db, "cit-special").occurrence is None


def test_import_writes_one_audit_entry_per_meeting_and_action(db):
    imported(db)
    entries = list(db.session.scalars(select(AuditEntry).where(
        AuditEntry.object_type.in_(["Meeting", "ActionItem"]))))
    assert sorted(e.object_type for e in entries) == ["ActionItem"] * 3 + ["Meeting"] * 4
    assert {e.action for e in entries} == {"create"}


def test_a_second_import_of_the_same_file_changes_nothing(db):
    first = imported(db)
    before = rows(db)
    versions = {m.key: (m.version, m.sequence) for m in db.session.scalars(select(Meeting))}
    second = imported(db)
    assert (second.unchanged["meetings"], second.unchanged["actions"]) == (4, 3)
    assert second.unchanged == first.created
    assert not any(second.created.values())
    assert not any(second.updated.values())
    assert rows(db) == before  # no new rows, no audit entries
    assert {m.key: (m.version, m.sequence)
            for m in db.session.scalars(select(Meeting))} == versions


def test_a_dry_run_counts_what_it_would_create_and_stores_nothing(db):
    report = import_county(county(), dry_run=True)
    assert report.ok, report.problems
    assert (report.created["meetings"], report.created["actions"]) == (4, 3)
    db.session.commit()
    assert set(rows(db).values()) == {0}


def test_changes_are_stored_and_audited_and_the_export_follows(db):
    imported(db)
    data = county()
    cit = data["committees"][0]
    held, second = cit["meetings"][0], cit["meetings"][1]
    held["agenda"]["items"][1]["notes"] = "Fourteen referrals in January."
    del held["agenda"]["items"][2]
    held["attendance"][0]["status"] = "present"
    second["location"] = "County Annex, Room 4"
    second["agenda"]["items"].append({"title": "Training dates", "kind": "discussion",
                                      "minutes": 15})
    cit["actions"][0]["status"] = "done"
    cit["actions"][0]["updates"][1]["note"] = "Chased twice."
    cit["actions"][0]["updates"].append({"at": "2025-03-02T10:00:00Z", "by": "p-ruiz",
                                         "status": "done"})
    cit["actions"][1]["owner"] = "p-ruiz"
    first_held = meeting(db, "cit-2025-02")
    item_ids = [i.id for i in first_held.items]
    sequence = meeting(db, "cit-2025-03").sequence
    report = imported(db, data)
    assert (report.updated["meetings"], report.unchanged["meetings"]) == (2, 2)
    assert (report.updated["actions"], report.unchanged["actions"]) == (2, 1)
    # the move of place raised the calendar sequence, which the file now carries
    second["sequence"] = sequence + 1
    assert canonical(export_county()) == canonical(data)
    db.session.expire_all()
    # items keep their rows where they stay; the calendar sees only the move of place
    assert [i.id for i in meeting(db, "cit-2025-02").items] == item_ids[:2]
    assert meeting(db, "cit-2025-02").sequence == 0
    assert meeting(db, "cit-2025-03").sequence == sequence + 1
    changes = {(e.object_type, e.object_label): e.changes for e in db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "update"))}
    held_changes = changes[("Meeting", str(meeting(db, "cit-2025-02")))]
    assert set(held_changes) == {"agenda_items", "attendance"}
    assert held_changes["attendance"][1][0] == {"person": "p-lee", "status": "present"}
    assert set(changes[("Meeting", str(meeting(db, "cit-2025-03")))]) == {
        "location", "agenda_items"}
    assert set(changes[("ActionItem", "Share bed-wait data")]) == {"status", "updates"}
    assert changes[("ActionItem", "Book the training room")] == {
        "owner": ["p-ortiz", "p-ruiz"]}


def test_the_file_is_authoritative_for_attendance_and_updates_not_for_meetings(db):
    imported(db)
    data = county()
    cit = data["committees"][0]
    del cit["meetings"][0]["attendance"][0]
    cit["actions"][0]["updates"] = cit["actions"][0]["updates"][:1]
    del cit["meetings"][3]
    del cit["actions"][2]
    imported(db, data)
    assert {a.person.key for a in meeting(db, "cit-2025-02").attendance} == {
        "p-ortiz", "p-ruiz"}
    assert len(action(db, "a-1").updates) == 1
    # a file may carry part of the history: meetings and actions it leaves out stay
    assert meeting(db, "cit-special") is not None and action(db, "a-3") is not None


def test_an_action_may_come_from_a_meeting_stored_before(db):
    imported(db)
    data = county()
    cit = data["committees"][0]
    cit["meetings"] = []
    cit["actions"] = [{"key": "a-9", "title": "Draft the newsletter", "owner": "p-ruiz",
                       "status": "open", "origin": {"kind": "meeting", "ref": "cit-2025-03"},
                       "created_at": "2025-03-11T21:00:00Z", "updates": []}]
    imported(db, data)
    assert action(db, "a-9").meeting_id == meeting(db, "cit-2025-03").id


# --- problems -----------------------------------------------------------------------


def test_unknown_people_are_reported_at_their_paths(db):
    data = county()
    cit = data["committees"][0]
    cit["meetings"][0]["agenda"]["items"][1]["presenter"] = "p-nobody"
    cit["meetings"][0]["attendance"][0]["person"] = "p-ghost"
    cit["meetings"][0]["attendance"][2]["designee"] = "p-stranger"
    cit["actions"][0]["owner"] = "p-absent"
    cit["actions"][0]["updates"][1]["by"] = "p-unknown"
    problems = problems_of(db, data)
    assert problems == [
        ("$.committees[0].meetings[0].agenda.items[1].presenter",
         "no person has key “p-nobody”"),
        ("$.committees[0].meetings[0].attendance[0].person", "no person has key “p-ghost”"),
        ("$.committees[0].meetings[0].attendance[2].designee",
         "no person has key “p-stranger”"),
        ("$.committees[0].actions[0].owner", "no person has key “p-absent”"),
        ("$.committees[0].actions[0].updates[1].by", "no person has key “p-unknown”"),
    ]


def test_an_action_from_a_meeting_must_name_a_meeting_of_the_committee(db):
    data = county()
    data["committees"][0]["actions"][0]["origin"]["ref"] = "cit-2024-12"
    data["committees"][0]["actions"][1]["origin"] = {"kind": "meeting"}
    assert problems_of(db, data) == [
        ("$.committees[0].actions[0].origin.ref",
         "no meeting of this committee has key “cit-2024-12”"),
        ("$.committees[0].actions[1].origin.ref", "name the meeting the action came from")]


def test_keys_are_unique_across_the_whole_file(db):
    data = county()
    other = small_county()["committees"][0] | {"key": "mhcj", "name": "MH/CJ Committee"}
    other["meetings"] = [dict(data["committees"][0]["meetings"][2])]
    other["actions"] = [dict(data["committees"][0]["actions"][1], origin={"kind": "other"})]
    data["committees"].append(other)
    data["committees"][0]["actions"][2]["key"] = "a-1"
    problems = problems_of(db, data)
    assert problems == [
        ("$.committees[0].actions[2].key",
         "duplicate key “a-1”, also at $.committees[0].actions[0]"),
        ("$.committees[1].meetings[0].key",
         "duplicate key “cit-2025-04”, also at $.committees[0].meetings[2]"),
        ("$.committees[1].actions[0].key",
         "duplicate key “a-2”, also at $.committees[0].actions[1]"),
    ]


def test_a_meeting_cannot_move_to_another_committee(db):
    imported(db)
    data = county()
    data["committees"][0] |= {"key": "mhcj", "name": "MH/CJ Committee"}
    del data["committees"][0]["workgroups"]
    data["committees"][0]["meetings"] = data["committees"][0]["meetings"][:1]
    data["committees"][0]["actions"] = data["committees"][0]["actions"][1:2]
    assert problems_of(db, data) == [
        ("$.committees[0].meetings[0].key", "the meeting “cit-2025-02” belongs to committee "
                                            "“cit”; a meeting cannot move to another "
                                            "committee"),
        ("$.committees[0].actions[0].key", "the action “a-2” belongs to committee “cit”; an "
                                           "action cannot move to another committee")]


def test_attendance_lists_each_person_once_and_names_only_designees(db):
    data = county()
    attendance = data["committees"][0]["meetings"][0]["attendance"]
    attendance[0] = {"person": "p-lee", "status": "designee"}
    attendance.append({"person": "p-ortiz", "status": "absent"})
    attendance.append({"person": "p-ortiz-deputy", "status": "present",
                       "designee": "p-ruiz"})
    attendance[2]["designee"] = "p-ruiz"
    problems = problems_of(db, data)
    where = "$.committees[0].meetings[0].attendance"
    assert problems == [
        (f"{where}[2].designee", "a member cannot be their own designee"),
        (f"{where}[3].person", f"“p-ortiz” is listed twice in this meeting's attendance, "
                               f"also at {where}[1]"),
        (f"{where}[4].designee", "only a member who sent a designee names one; the status "
                                 "is “present”"),
    ]


def _nameless_designee(designee_field: bool) -> dict:
    """The county with p-ruiz represented at cit-2025-02 by a designee nobody named."""
    data = county()
    row = {"person": "p-ruiz", "status": "designee"}
    if designee_field:
        row["designee"] = None
    data["committees"][0]["meetings"][0]["attendance"][2] = row
    return data


def test_a_designee_without_a_name_is_imported_and_exported_as_it_was(db):
    for designee_field in (True, False):
        imported(db, _nameless_designee(designee_field))
        row = next(a for a in meeting(db, "cit-2025-02").attendance if a.person.key == "p-ruiz")
        assert (row.status, row.designee) == ("designee", None)
        exported = export_county()["committees"][0]["meetings"][0]["attendance"]
        assert exported[2] == {"person": "p-ruiz", "status": "designee"}
    # null and absent are the same record: importing either again changes nothing
    again = import_county(_nameless_designee(True))
    assert again.ok and sum(again.created.values()) + sum(again.updated.values()) == 0


def test_a_designee_without_a_name_counts_as_represented(db):
    from govtrack.meetings.health import at_the_table

    imported(db, _nameless_designee(False))
    held = meeting(db, "cit-2025-02")
    ruiz = next(a.person_id for a in held.attendance if a.person.key == "p-ruiz")
    assert ruiz in at_the_table(held)


def test_pages_and_minutes_say_a_designee_where_no_name_is_known(db, client, make, login):
    from govtrack.documents.minutes import minutes_docx

    imported(db, _nameless_designee(False))
    held = meeting(db, "cit-2025-02")
    body = zipfile.ZipFile(io.BytesIO(minutes_docx(held))).read("word/document.xml").decode()
    assert "Ana Ruiz (County Office of Mental Health), represented by a designee" in body
    admin = make.account(admin=True)
    db.session.commit()
    login(admin)
    page = client.get("/meetings/cit-2025-02").get_data(as_text=True)
    assert "Ana Ruiz: represented by a designee" in page


def test_minutes_cannot_be_approved_before_the_meeting_starts(db):
    data = county()
    data["committees"][0]["meetings"][0]["minutes"]["approved_at"] = "2025-02-11T19:59:59Z"
    assert problems_of(db, data) == [
        ("$.committees[0].meetings[0].minutes.approved_at",
         "the minutes are approved before the meeting starts")]
    data["committees"][0]["meetings"][0]["minutes"]["approved_at"] = "2025-02-11T20:00:00Z"
    imported(db, data)


def test_the_same_update_twice_is_refused(db):
    data = county()
    updates = data["committees"][0]["actions"][0]["updates"]
    updates.append(dict(updates[0], at="2025-02-20T09:00:00-05:00", note="Again."))
    assert problems_of(db, data) == [
        ("$.committees[0].actions[0].updates[2]",
         "the same person's update at the same time as "
         "$.committees[0].actions[0].updates[0]")]


def test_an_agenda_item_of_absurd_length_is_refused_by_the_schema(db):
    data = county()
    data["committees"][0]["meetings"][0]["agenda"]["items"][0]["minutes"] = 481
    data["committees"][0]["meetings"][1]["agenda"]["items"][0]["minutes"] = 0
    assert [path for path, _ in problems_of(db, data)] == [
        "$.committees[0].meetings[0].agenda.items[0].minutes",
        "$.committees[0].meetings[1].agenda.items[0].minutes"]


def test_one_problem_anywhere_stores_nothing_at_all(db):
    imported(db)
    data = county()
    cit = data["committees"][0]
    cit["meetings"][1]["location"] = "Moved"
    cit["actions"].append({"key": "a-4", "title": "New", "owner": "p-ortiz",
                           "status": "open", "created_at": "2025-04-01T12:00:00Z",
                           "updates": []})
    cit["meetings"][0]["attendance"][1]["person"] = "p-nobody"
    problems_of(db, data)
    assert meeting(db, "cit-2025-03").location == ""
    assert action(db, "a-4") is None
    assert date(2025, 3, 11) == meeting(db, "cit-2025-03").starts_at.date()


def test_a_video_link_that_is_not_http_is_refused_on_import(db):
    data = county()
    meetings = data["committees"][0]["meetings"]
    n = next(i for i, m in enumerate(meetings) if m.get("video_link"))
    meetings[n]["video_link"] = "javascript:alert(document.cookie)"
    problems = problems_of(db, data)
    assert (f"$.committees[0].meetings[{n}].video_link",
            "Enter a web address starting with https:// (or http://).") in problems
