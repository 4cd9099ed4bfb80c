"""What a committee keeps for its meetings, in the county file: thresholds, the quorum
rule, standing items, the usual place, agenda links, RSVPs, motions and votes."""

import pytest
from sqlalchemy import func, select

from govtrack.actions.models import ActionItem
from govtrack.audit.models import AuditEntry
from govtrack.committees.models import THRESHOLDS, Committee
from govtrack.county.services import export_county, load_schema
from govtrack.meetings.models import (
    AgendaItem,
    Meeting,
    Motion,
    QuorumRule,
    Rsvp,
    StandingItem,
    Vote,
)
from tests.county.files import assert_exports_back, canonical, imported, problems_of, stored_rows
from tests.county.files import county as small_county

MODELS = (Committee, Meeting, AgendaItem, ActionItem, QuorumRule, StandingItem, Rsvp, Motion,
          Vote, AuditEntry)


def county() -> dict:
    """The small county, its committee with every record this file's tests are about."""
    data = small_county()
    cit = data["committees"][0]
    cit["thresholds"] = {"pdsa_phase_days": 45, "attendance_low_percent": 60,
                         "mou_expiring_days": 120}
    cit["default_location"] = "County Annex, Room 2"
    cit["quorum"] = {"min_present": 2, "required_sides": ["behavioural_health",
                                                          "criminal_justice"]}
    cit["standing_items"] = [
        {"title": "Call to order", "kind": "information", "minutes": 2, "placement": "start"},
        {"title": "Public comment", "kind": "discussion", "minutes": 10, "placement": "end"},
        {"title": "Adjourn", "kind": "information", "minutes": 1, "placement": "end"},
    ]
    cit["meetings"] = [{
        "key": "cit-2025-02", "starts_at": "2025-02-11T15:00:00-05:00",
        "duration_minutes": 90, "status": "held",
        "agenda": {"status": "published", "items": [
            {"title": "Approve the minutes", "kind": "decision", "minutes": 5},
            {"title": "Bed-wait data", "kind": "report_back", "minutes": 10,
             "presenter": "p-ruiz", "measure": "ms-wait", "action": "a-1"},
            {"title": "Drop-off protocol", "kind": "decision", "minutes": 20},
        ]},
        "attendance": [{"person": "p-ortiz", "status": "present"},
                       {"person": "p-ruiz", "status": "present"}],
        "rsvps": [
            {"person": "p-lee", "answer": "apologies", "answered_at": "2025-02-05T09:00:00Z"},
            {"person": "p-ortiz", "answer": "designee", "designee": "p-ruiz",
             "answered_at": "2025-02-04T12:30:00Z"},
            {"person": "p-ruiz", "answer": "attending",
             "answered_at": "2025-02-03T08:15:30.250000Z"},
        ],
        "motions": [
            {"text": "Adopt the drop-off protocol.", "mover": "p-ortiz", "seconder": "p-ruiz",
             "result": "carried",
             "quorum_statement": "Quorum: 2 of 2 needed present or represented.",
             "voted_at": "2025-02-11T20:40:00Z", "item": 2,
             "votes": [{"person": "p-ortiz", "vote": "yes"},
                       {"person": "p-ruiz", "vote": "recused"}]},
            {"text": "Adjourn early.", "mover": "p-ruiz", "result": "defeated",
             "voted_at": "2025-02-11T21:00:00Z",
             "votes": [{"person": "p-ortiz", "vote": "no"},
                       {"person": "p-ruiz", "vote": "abstain"}]},
        ],
    }]
    cit["actions"] = [{"key": "a-1", "title": "Share bed-wait data", "owner": "p-ruiz",
                       "status": "open", "created_at": "2025-02-11T16:30:00Z", "updates": []}]
    cit["measures"] = [{"key": "ms-wait", "name": "Days waiting for an inpatient bed",
                        "kind": "outcome", "direction": "down", "points": []}]
    return data


def committee(db) -> Committee:
    """The stored CIT committee."""
    return db.session.scalar(select(Committee).where(Committee.key == "cit"))


def held(db) -> Meeting:
    """The stored February meeting."""
    return db.session.scalar(select(Meeting).where(Meeting.key == "cit-2025-02"))


# --- round trip ---------------------------------------------------------------------


def test_export_of_an_import_gives_every_record_back_and_validates(db):
    assert_exports_back(db, county())


def test_a_committee_without_these_records_exports_none_of_their_fields(db):
    imported(db, small_county())
    cit = export_county()["committees"][0]
    assert not {"thresholds", "default_location", "quorum", "standing_items"} & set(cit)


@pytest.mark.parametrize("field", ["thresholds", "default_location", "quorum",
                                   "standing_items"])
def test_each_committee_field_round_trips_alone(db, field):
    data = small_county()
    data["committees"][0][field] = county()["committees"][0][field]
    imported(db, data)
    assert export_county()["committees"][0][field] == data["committees"][0][field]


def test_import_stores_what_the_file_says(db):
    imported(db, county())
    cit = committee(db)
    assert (cit.pdsa_phase_days, cit.attendance_low_percent, cit.mou_expiring_days) == (
        45, 60, 120)
    # thresholds the file leaves out keep DESIGN.md's default
    assert cit.mou_stall_days is None and cit.threshold("mou_stall_days") == 30
    assert cit.default_location == "County Annex, Room 2"
    assert (cit.quorum_rule.min_present, cit.quorum_rule.required_sides) == (
        2, ["behavioural_health", "criminal_justice"])
    assert [(i.title, i.placement, i.position) for i in cit.standing_items] == [
        ("Call to order", "start", 0), ("Public comment", "end", 1), ("Adjourn", "end", 2)]
    meeting = held(db)
    items = sorted(meeting.items, key=lambda i: i.position)
    a1 = db.session.scalar(select(ActionItem).where(ActionItem.key == "a-1"))
    assert (items[1].measure_key, items[1].action_id) == ("ms-wait", a1.id)
    assert {(r.person.key, r.answer, r.designee.key if r.designee else None)
            for r in meeting.rsvps} == {("p-lee", "apologies", None),
                                        ("p-ortiz", "designee", "p-ruiz"),
                                        ("p-ruiz", "attending", None)}
    adopt = next(m for m in meeting.motions if m.result == "carried")
    assert (adopt.mover.key, adopt.seconder.key, adopt.agenda_item) == (
        "p-ortiz", "p-ruiz", items[2])
    assert {(v.person.key, v.choice) for v in adopt.votes} == {("p-ortiz", "yes"),
                                                               ("p-ruiz", "recused")}
    assert adopt.describe() == "Carried (yes 1, no 0, abstain 0, recused 1)"


def test_a_second_import_of_the_same_file_changes_nothing(db):
    first = imported(db, county())
    assert (first.created["quorum"], first.created["standing_items"]) == (1, 3)
    before = stored_rows(db, MODELS)
    version = (committee(db).version, held(db).version, held(db).sequence)
    second = imported(db, county())
    assert not any(second.created.values()), second.created
    assert not any(second.updated.values()), second.updated
    assert not any(second.deleted.values()), second.deleted
    assert (second.unchanged["quorum"], second.unchanged["standing_items"]) == (1, 3)
    assert stored_rows(db, MODELS) == before
    db.session.expire_all()
    assert (committee(db).version, held(db).version, held(db).sequence) == version


def test_an_item_may_link_to_an_action_and_a_measure_stored_before(db):
    imported(db, county())
    data = county()
    cit = data["committees"][0]
    del cit["actions"], cit["measures"]
    cit["meetings"][0]["key"] = "cit-2025-03"
    cit["meetings"][0]["starts_at"] = "2025-03-11T15:00:00-04:00"
    imported(db, data)
    later = db.session.scalar(select(Meeting).where(Meeting.key == "cit-2025-03"))
    a1 = db.session.scalar(select(ActionItem).where(ActionItem.key == "a-1"))
    assert sorted(later.items, key=lambda i: i.position)[1].action_id == a1.id


# --- changes ------------------------------------------------------------------------


def test_changes_are_stored_audited_and_exported(db):
    imported(db, county())
    data = county()
    cit = data["committees"][0]
    cit["thresholds"] = {"pdsa_phase_days": 30}
    cit["default_location"] = "Room 4"
    cit["quorum"]["required_sides"] = ["community"]
    cit["standing_items"][1]["minutes"] = 15
    del cit["standing_items"][2]
    meeting = cit["meetings"][0]
    meeting["rsvps"][0]["answer"] = "attending"
    meeting["motions"][1]["votes"][0]["vote"] = "yes"
    meeting["motions"][1]["result"] = "carried"
    del meeting["agenda"]["items"][1]["action"]
    report = imported(db, data)
    assert (report.updated["quorum"], report.updated["standing_items"],
            report.deleted["standing_items"]) == (1, 1, 1)
    assert canonical(export_county()) == canonical(data)
    db.session.expire_all()
    cit_row = committee(db)
    assert (cit_row.attendance_low_percent, cit_row.pdsa_phase_days) == (None, 30)
    changes = {(e.object_type, e.object_label): e.changes for e in db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "update"))}
    assert set(changes[("Meeting", str(held(db)))]) == {"agenda_items", "rsvps", "motions"}
    assert {"default_location", "pdsa_phase_days", "attendance_low_percent",
            "mou_expiring_days"} <= set(changes[("Committee", "CIT Steering Committee")])


def test_motions_of_the_same_moment_and_words_keep_the_files_order(db):
    data = county()
    first, second = data["committees"][0]["meetings"][0]["motions"]
    # put twice at the same minute: the defeated one first, then carried, listed out of time
    twice = [dict(second, text=first["text"], voted_at=first["voted_at"]), first,
             dict(second, voted_at="2025-02-11T20:30:00Z")]
    data["committees"][0]["meetings"][0]["motions"] = twice
    imported(db, data)
    assert export_county()["committees"][0]["meetings"][0]["motions"] == twice
    swapped = [twice[1], twice[0], twice[2]]
    data["committees"][0]["meetings"][0]["motions"] = swapped
    report = imported(db, data)
    assert report.updated["meetings"] == 1
    assert export_county()["committees"][0]["meetings"][0]["motions"] == swapped
    assert imported(db, data).updated["meetings"] == 0


def test_the_file_is_authoritative_for_the_quorum_rule_rsvps_and_motions(db):
    imported(db, county())
    data = county()
    cit = data["committees"][0]
    del cit["quorum"], cit["standing_items"]
    del cit["meetings"][0]["rsvps"], cit["meetings"][0]["motions"]
    report = imported(db, data)
    assert (report.deleted["quorum"], report.deleted["standing_items"]) == (1, 3)
    stored = stored_rows(db, MODELS)
    assert stored["QuorumRule"] == stored["StandingItem"] == 0
    assert stored["Rsvp"] == stored["Motion"] == stored["Vote"] == 0


# --- problems -----------------------------------------------------------------------


def _set(path: str, value):
    def change(data):
        *parents, last = path.split(".")
        node = data
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        node[int(last) if last.isdigit() else last] = value
    return change


M = "committees.0.meetings.0"
P = "$.committees[0].meetings[0]"


@pytest.mark.parametrize(("change", "path", "message"), [
    (_set(f"{M}.rsvps.0.person", "p-ghost"), f"{P}.rsvps[0].person", "no person"),
    (_set(f"{M}.rsvps.1.designee", "p-ghost"), f"{P}.rsvps[1].designee", "no person"),
    (_set(f"{M}.rsvps.0.designee", "p-ruiz"), f"{P}.rsvps[0].designee",
     "only a member sending a designee"),
    (_set(f"{M}.rsvps.1.designee", "p-ortiz"), f"{P}.rsvps[1].designee", "their own"),
    (_set(f"{M}.rsvps.1.person", "p-lee"), f"{P}.rsvps[1].person", "answered twice"),
    (_set(f"{M}.motions.0.mover", "p-ghost"), f"{P}.motions[0].mover", "no person"),
    (_set(f"{M}.motions.0.seconder", "p-ortiz"), f"{P}.motions[0].seconder", "another"),
    (_set(f"{M}.motions.0.votes.1.person", "p-ghost"), f"{P}.motions[0].votes[1].person",
     "no person"),
    (_set(f"{M}.motions.0.votes.1.person", "p-ortiz"), f"{P}.motions[0].votes[1].person",
     "votes twice"),
    (_set(f"{M}.motions.0.item", 3), f"{P}.motions[0].item", "no item 3"),
    # p-lee left the committee in 2024 and was not at the meeting
    (_set(f"{M}.motions.0.mover", "p-lee"), f"{P}.motions[0].mover",
     "“p-lee” moves it, but was not a member present or represented"),
    (_set(f"{M}.motions.0.seconder", "p-lee"), f"{P}.motions[0].seconder",
     "not a member present or represented"),
    (_set(f"{M}.motions.1.votes.1.person", "p-lee"), f"{P}.motions[1].votes[1].person",
     "“p-lee” votes, but was not a member present or represented"),
    (_set(f"{M}.agenda.items.1.action", "a-9"), f"{P}.agenda.items[1].action",
     "no action of this committee"),
    (_set(f"{M}.agenda.items.1.measure", "ms-9"), f"{P}.agenda.items[1].measure",
     "no measure of this committee"),
])
def test_bad_references_are_refused_at_their_paths(db, change, path, message):
    data = county()
    change(data)
    problems = problems_of(db, data, MODELS)
    assert [p for p, _ in problems] == [path]
    assert message in problems[0][1]


@pytest.mark.parametrize(("change", "path"), [
    (_set("committees.0.thresholds.pdsa_phase_days", 0),
     "$.committees[0].thresholds.pdsa_phase_days"),
    (_set("committees.0.thresholds.stall_days", 10), "$.committees[0].thresholds"),
    (_set("committees.0.quorum.required_sides", ["courts"]),
     "$.committees[0].quorum.required_sides[0]"),
    (_set("committees.0.quorum.min_present", 0), "$.committees[0].quorum.min_present"),
    (_set("committees.0.standing_items.0.placement", "middle"),
     "$.committees[0].standing_items[0].placement"),
    (_set(f"{M}.rsvps.0.answer", "maybe"), f"{P}.rsvps[0].answer"),
    (_set(f"{M}.motions.0.votes.0.vote", "aye"), f"{P}.motions[0].votes[0].vote"),
    (_set(f"{M}.motions.0.result", "passed"), f"{P}.motions[0].result"),
])
def test_values_outside_the_schema_are_refused_at_their_paths(db, change, path):
    data = county()
    change(data)
    assert [p for p, _ in problems_of(db, data, MODELS)] == [path]


def test_only_members_present_or_represented_move_second_and_vote(db):
    data = county()
    meeting = data["committees"][0]["meetings"][0]
    # at the meeting, but no member on its day: p-lee's membership ended in 2024
    meeting["attendance"].append({"person": "p-lee", "status": "present"})
    meeting["motions"][1]["votes"].append({"person": "p-lee", "vote": "yes"})
    meeting["attendance"][1]["status"] = "absent"  # p-ruiz
    assert [path for path, _ in problems_of(db, data, MODELS)] == [
        f"{P}.motions[0].seconder", f"{P}.motions[0].votes[1].person",
        f"{P}.motions[1].mover", f"{P}.motions[1].votes[1].person",
        f"{P}.motions[1].votes[2].person"]


def test_a_member_represented_by_a_designee_votes(db):
    data = county()
    data["committees"][0]["meetings"][0]["attendance"][1] = {
        "person": "p-ruiz", "status": "designee", "designee": "p-lee"}
    imported(db, data)
    assert db.session.scalar(select(func.count()).select_from(Vote)) == 4


def test_a_measure_of_another_committee_is_not_this_committees(db):
    data = county()
    other = small_county()["committees"][0] | {"key": "reentry", "name": "Reentry Council"}
    other["measures"] = data["committees"][0].pop("measures")
    data["committees"].append(other)
    imported(db, {**data, "committees": [other]})
    data["committees"].pop()
    problems = problems_of(db, data, MODELS)
    assert problems == [("$.committees[0].meetings[0].agenda.items[1].measure",
                         "no measure of this committee has key “ms-wait”")]


def test_the_schema_allows_each_threshold_the_range_its_page_allows():
    schema = load_schema()["properties"]["committees"]["items"]["properties"]
    allowed = schema["thresholds"]["properties"]
    assert set(allowed) == set(THRESHOLDS) - {"stall_after_days"}
    assert {name: (rule["minimum"], rule["maximum"]) for name, rule in allowed.items()} == {
        name: (t.low, t.high) for name, t in THRESHOLDS.items() if name in allowed}
    assert (schema["stall_after_days"]["minimum"], schema["stall_after_days"]["maximum"]) == (
        THRESHOLDS["stall_after_days"].low, THRESHOLDS["stall_after_days"].high)


def test_a_designee_may_be_sent_without_being_named(db):
    data = county()
    del data["committees"][0]["meetings"][0]["rsvps"][1]["designee"]
    imported(db, data)
    assert canonical(export_county()) == canonical(data)
    ortiz = next(r for r in held(db).rsvps if r.person.key == "p-ortiz")
    assert (ortiz.answer, ortiz.designee) == ("designee", None)
