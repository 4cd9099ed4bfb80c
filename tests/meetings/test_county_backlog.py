"""Agenda requests, the backlog and what proposed each agenda item, in the county file."""

import pytest
from sqlalchemy import select

from govtrack.audit.models import AuditEntry
from govtrack.committees.models import Committee
from govtrack.county.services import export_county, import_county
from govtrack.editing import AlreadyDone
from govtrack.meetings.models import AgendaItem, AgendaRequest, BacklogItem, Meeting
from govtrack.meetings.services import backlog, carried_to, decide_request
from tests.county.files import assert_exports_back, canonical, imported, problems_of, stored_rows
from tests.county.files import county as small_county

FEB, MAR = "committees.0.meetings.0", "committees.0.meetings.1"
PFEB, PMAR = "$.committees[0].meetings[0]", "$.committees[0].meetings[1]"


#: what the tests count: the records this file is about, and the audit trail
MODELS = (Meeting, AgendaItem, AgendaRequest, BacklogItem, AuditEntry)


def county() -> dict:
    """The small county: two meetings, four requests, and a backlog of four entries."""
    data = small_county()
    cit = data["committees"][0]
    cit["meetings"] = [
        {"key": "cit-2025-02", "starts_at": "2025-02-11T15:00:00-05:00",
         "duration_minutes": 90, "status": "held",
         "agenda": {"status": "published", "items": [
             {"title": "Approve the minutes of 14 January", "kind": "decision", "minutes": 5,
              "source": "approve:cit-2025-01", "why": "Its minutes are not approved yet."},
             {"title": "Training dates", "kind": "discussion", "minutes": 10,
              "presenter": "p-lee", "why": "Asked for by Sam Lee.",
              "request": {"proposer": "p-lee", "created_at": "2025-02-01T10:00:00Z"}},
             {"title": "Data sharing", "kind": "discussion", "minutes": 15},
         ]}},
        {"key": "cit-2025-03", "starts_at": "2025-03-11T15:00:00-04:00",
         "duration_minutes": 90, "status": "scheduled",
         "agenda": {"status": "draft", "items": [
             {"title": "Data sharing", "kind": "discussion", "minutes": 15,
              "why": "Not reached on 11 February 2025.",
              "carried_from": {"meeting": "cit-2025-02", "item": 2}},
             {"title": "Crisis line numbers", "kind": "information", "minutes": 5,
              "presenter": "p-ruiz", "why": "Asked for by Ana Ruiz.",
              "request": {"proposer": "p-ruiz", "created_at": "2025-02-10T08:00:00Z"}},
         ]}},
    ]
    cit["agenda_requests"] = [
        {"proposer": "p-lee", "created_at": "2025-02-01T10:00:00Z", "meeting": "cit-2025-02",
         "title": "Training dates", "kind": "discussion", "minutes": 10,
         "note": "Before the summer.", "status": "accepted",
         "decided_at": "2025-02-03T09:00:00Z"},
        {"proposer": "p-ruiz", "created_at": "2025-02-10T08:00:00Z", "meeting": "cit-2025-02",
         "title": "Crisis line numbers", "kind": "information", "minutes": 5,
         "status": "accepted", "decided_at": "2025-02-12T09:00:00Z"},
        {"proposer": "p-ruiz", "created_at": "2025-02-20T16:45:10.500000Z",
         "meeting": "cit-2025-03", "title": "Peer support", "kind": "discussion",
         "minutes": 20, "status": "pending"},
        {"proposer": "p-ortiz", "created_at": "2025-02-21T12:00:00Z",
         "title": "Parking", "kind": "information", "minutes": 5, "status": "declined",
         "decided_at": "2025-02-22T12:00:00Z"},
    ]
    cit["backlog"] = [
        # accepted after its meeting was held: it waited here, then went on March's draft
        {"title": "Crisis line numbers", "kind": "information", "minutes": 5,
         "presenter": "p-ruiz", "why": "Asked for by Ana Ruiz.",
         "request": {"proposer": "p-ruiz", "created_at": "2025-02-10T08:00:00Z"},
         "created_at": "2025-02-12T09:00:00Z"},
        {"title": "Approve the minutes of 11 February", "kind": "decision", "minutes": 5,
         "notes": "Two corrections pending.", "why": "Not reached on 11 February 2025.",
         "carried_from": {"meeting": "cit-2025-02", "item": 0},
         "created_at": "2025-02-12T10:00:00Z"},
        {"title": "Bed-wait report", "kind": "report_back", "minutes": 10,
         "workgroup": "wg-beds", "source": "workgroup-report:wg-beds",
         "created_at": "2025-02-13T10:00:00Z"},
        {"title": "Newsletter", "kind": "information", "minutes": 5,
         "created_at": "2025-02-14T10:00:00Z", "dropped_at": "2025-02-20T10:00:00Z"},
    ]
    return data


def items(db, key) -> list[AgendaItem]:
    """The stored items of a meeting, in order."""
    meeting = db.session.scalar(select(Meeting).where(Meeting.key == key))
    return sorted(meeting.items, key=lambda i: i.position)


def request(db, title) -> AgendaRequest:
    """The stored agenda request with title."""
    return db.session.scalar(select(AgendaRequest).where(AgendaRequest.title == title))


# --- round trip ---------------------------------------------------------------------


def test_export_of_an_import_gives_requests_backlog_and_sources_back_and_validates(db):
    assert_exports_back(db, county())


def test_the_file_names_requests_and_items_never_by_id(db):
    imported(db, small_county())  # other rows first, so ids and positions differ
    imported(db, county())
    exported = str(export_county())
    assert "request:" not in exported and "carried:" not in exported


# --- what govtrack makes of it --------------------------------------------------------


def test_sources_point_at_the_rows_of_this_database(db):
    imported(db, county())
    training, crisis = request(db, "Training dates"), request(db, "Crisis line numbers")
    feb, mar = items(db, "cit-2025-02"), items(db, "cit-2025-03")
    assert [i.source for i in feb] == ["approve:cit-2025-01", f"request:{training.id}", None]
    assert [i.source for i in mar] == [f"carried:{feb[2].id}", f"request:{crisis.id}"]
    assert mar[0].carried_from_id == feb[2].id
    # carrying the item again finds where it went, rather than carrying it twice
    assert carried_to(feb[2]) is mar[0]
    assert carried_to(feb[0]).title == "Approve the minutes of 11 February"
    assert (training.meeting.key, training.note, training.status) == (
        "cit-2025-02", "Before the summer.", "accepted")


def test_the_backlog_page_shows_what_waits_and_not_what_was_placed_or_dropped(db):
    imported(db, county())
    cit = db.session.scalar(select(Committee).where(Committee.key == "cit"))
    assert [e.title for e in backlog(cit)] == ["Approve the minutes of 11 February",
                                               "Bed-wait report"]


def test_a_decided_request_stays_decided(db):
    imported(db, county())
    done = decide_request(None, request(db, "Training dates"), accept=True)
    assert isinstance(done, AlreadyDone)


def test_a_second_import_of_the_same_file_changes_nothing(db):
    first = imported(db, county())
    assert (first.created["agenda_requests"], first.created["backlog"]) == (4, 4)
    before = stored_rows(db, MODELS)
    sources = [(i.source, i.carried_from_id) for i in items(db, "cit-2025-03")]
    second = imported(db, county())
    assert not any(second.created.values()), second.created
    assert not any(second.updated.values()), second.updated
    assert (second.unchanged["agenda_requests"], second.unchanged["backlog"]) == (4, 4)
    assert stored_rows(db, MODELS) == before
    assert [(i.source, i.carried_from_id) for i in items(db, "cit-2025-03")] == sources


def test_changes_are_stored_audited_and_exported(db):
    imported(db, county())
    data = county()
    cit = data["committees"][0]
    cit["agenda_requests"][2] |= {"status": "declined", "decided_at": "2025-02-25T09:00:00Z"}
    cit["backlog"][2]["dropped_at"] = "2025-03-01T09:00:00Z"
    del cit["meetings"][0]["agenda"]["items"][0]["source"]
    report = imported(db, data)
    assert (report.updated["agenda_requests"], report.updated["backlog"],
            report.updated["meetings"]) == (1, 1, 1)
    assert canonical(export_county()) == canonical(data)
    assert items(db, "cit-2025-02")[0].source is None
    changes = {(e.object_type, e.object_label): e.changes for e in db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "update"))}
    assert set(changes[("AgendaRequest", "agenda request: Peer support")]) == {
        "status", "decided_at"}


def test_requests_and_backlog_entries_the_file_leaves_out_stay(db):
    imported(db, county())
    data = county()
    del data["committees"][0]["agenda_requests"], data["committees"][0]["backlog"]
    imported(db, data)
    stored = stored_rows(db, MODELS)
    assert (stored["AgendaRequest"], stored["BacklogItem"]) == (4, 4)


# --- problems -----------------------------------------------------------------------


def _set(path: str, value):
    def change(data):
        *parents, last = path.split(".")
        node = data
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        node[int(last) if last.isdigit() else last] = value
    return change


R, PR = "committees.0.agenda_requests", "$.committees[0].agenda_requests"
B, PB = "committees.0.backlog", "$.committees[0].backlog"


@pytest.mark.parametrize(("change", "path", "message"), [
    (_set(f"{R}.2.proposer", "p-ghost"), f"{PR}[2].proposer", "no person"),
    (_set(f"{R}.0.meeting", "cit-1999"), f"{PR}[0].meeting", "no meeting of this committee"),
    (_set(f"{R}.2.created_at", "2025-02-10T03:00:00-05:00"), f"{PR}[2].created_at",
     "same time as"),
    (_set(f"{R}.2.decided_at", "2025-02-25T09:00:00Z"), f"{PR}[2].decided_at",
     "not decided yet"),
    (_set(f"{FEB}.agenda.items.1.request.created_at", "2025-02-01T10:00:01Z"),
     f"{PFEB}.agenda.items[1].request", "no agenda request of this committee"),
    (_set(f"{MAR}.agenda.items.0.carried_from.meeting", "cit-1999"),
     f"{PMAR}.agenda.items[0].carried_from.meeting", "no meeting of this committee"),
    (_set(f"{MAR}.agenda.items.0.carried_from.item", 3),
     f"{PMAR}.agenda.items[0].carried_from.item", "no item 3"),
    (_set(f"{FEB}.agenda.items.2.carried_from", {"meeting": "cit-2025-02", "item": 2}),
     f"{PFEB}.agenda.items[2].carried_from", "from itself"),
    (_set(f"{FEB}.agenda.items.0.source", "request:12"), f"{PFEB}.agenda.items[0].source",
     "written as “request” or “carried_from”"),
    (_set(f"{FEB}.agenda.items.2.source", "approve:cit-2025-01"), f"{PFEB}.agenda.items[2]",
     "same place as"),
    (_set(f"{B}.2.request", {"proposer": "p-lee", "created_at": "2025-02-01T10:00:00Z"}),
     f"{PB}[2].request", "also names “source”"),
    (_set(f"{B}.3.source", "workgroup-report:wg-beds"), f"{PB}[3]", "same place as"),
    (_set(f"{B}.3.created_at", "2025-02-12T09:00:00Z"), None, None),
    (_set(f"{B}.0.presenter", "p-ghost"), f"{PB}[0].presenter", "no person"),
    (_set(f"{B}.2.measure", "ms-none"), f"{PB}[2].measure", "no measure of this committee"),
])
def test_bad_references_are_refused_at_their_paths(db, change, path, message):
    data = county()
    change(data)
    if path is None:  # entries without a source may share a time with one that has one
        imported(db, data)
        return
    problems = problems_of(db, data, MODELS)
    assert [p for p, _ in problems] == [path]
    assert message in problems[0][1]


@pytest.mark.parametrize(("change", "path"), [
    (_set(f"{R}.0.status", "maybe"), f"{PR}[0].status"),
    (_set(f"{B}.0.minutes", 0), f"{PB}[0].minutes"),
    (_set(f"{MAR}.agenda.items.0.carried_from.item", -1),
     f"{PMAR}.agenda.items[0].carried_from.item"),
])
def test_values_outside_the_schema_are_refused_at_their_paths(db, change, path):
    data = county()
    change(data)
    assert [p for p, _ in problems_of(db, data, MODELS)] == [path]


def test_items_may_swap_places_with_their_sources(db):
    imported(db, county())
    data = county()
    feb_items = data["committees"][0]["meetings"][0]["agenda"]["items"]
    feb_items[0], feb_items[1] = feb_items[1], feb_items[0]
    data["committees"][0]["meetings"][1]["agenda"]["items"][0]["carried_from"]["item"] = 2
    imported(db, data)
    assert canonical(export_county()) == canonical(data)
    assert [i.source for i in items(db, "cit-2025-02")][:2] == [
        f"request:{request(db, 'Training dates').id}", "approve:cit-2025-01"]


def test_a_dry_run_counts_requests_and_backlog_and_stores_nothing(db):
    report = import_county(county(), dry_run=True)
    assert report.ok, report.problems
    assert (report.created["agenda_requests"], report.created["backlog"]) == (4, 4)
    db.session.commit()
    assert set(stored_rows(db, MODELS).values()) == {0}
