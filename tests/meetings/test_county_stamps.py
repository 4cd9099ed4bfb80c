"""The stamps reminders and calendars read, in the county file: when an agenda was
published and changed, when a meeting moved, its calendar sequence."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from sqlalchemy import select

from govtrack.clock import utcnow
from govtrack.county.services import export_county, import_county
from govtrack.meetings.models import Meeting
from govtrack.meetings.reminders import REMINDERS
from govtrack.meetings.services import schedule
from govtrack.reminders.sweep import due_reminders
from tests.county.files import county as small_county

#: the kinds that announce an event once it happened
EVENT_KINDS = {"agenda_published", "agenda_changed", "meeting_moved"}


def _z(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def county(now: datetime) -> dict:
    """A past meeting and two coming ones, their agendas published days before now."""
    data = small_county()
    item = {"title": "Bed-wait data", "kind": "report_back", "minutes": 10}
    data["committees"][0]["meetings"] = [
        {"key": "cit-past", "starts_at": _z(now - timedelta(days=30)), "duration_minutes": 90,
         "status": "held", "sequence": 2,
         "agenda": {"status": "published", "items": [item],
                    "published_at": _z(now - timedelta(days=40))}},
        # published, moved and changed weeks ago: members were told then
        {"key": "cit-coming", "starts_at": _z(now + timedelta(days=20)),
         "duration_minutes": 90, "status": "scheduled", "sequence": 4,
         "moved_at": _z(now - timedelta(days=18)),
         "agenda": {"status": "published", "items": [item],
                    "published_at": _z(now - timedelta(days=20)),
                    "changed_at": _z(now - timedelta(days=15))}},
        # published two days ago: members are told of it, at the file's time
        {"key": "cit-next", "starts_at": _z(now + timedelta(days=10)),
         "duration_minutes": 90, "status": "scheduled",
         "agenda": {"status": "published", "items": [item],
                    "published_at": _z(now - timedelta(days=2))}},
    ]
    return data


def imported(db, data: dict):
    """Import data and commit; return the report."""
    report = import_county(data)
    assert report.ok, report.problems
    db.session.commit()
    return report


def meeting(db, key: str) -> Meeting:
    """The stored meeting of that key."""
    return db.session.scalar(select(Meeting).where(Meeting.key == key))


def now_() -> datetime:
    """Now, to the second (the file's instants are)."""
    return utcnow().replace(microsecond=0)


def test_the_stamps_round_trip(db):
    data = county(now_())
    imported(db, data)

    def stamps(document: dict) -> list[dict]:
        # starts_at is written on the committee's wall clock, the stamps in UTC
        return sorted(({"key": m["key"], "moved_at": m.get("moved_at"),
                        "sequence": m.get("sequence"),
                        **{k: v for k, v in m["agenda"].items() if k != "items"}}
                       for m in document["committees"][0]["meetings"]), key=lambda m: m["key"])

    exported = export_county()
    assert stamps(exported) == stamps(data)
    assert sorted(m["starts_at"] for m in data["committees"][0]["meetings"]) == [
        _z(datetime.fromisoformat(m["starts_at"]))
        for m in exported["committees"][0]["meetings"]]


def test_import_stores_the_files_stamps_not_the_moment_of_import(db):
    now = now_()
    imported(db, county(now))
    coming = meeting(db, "cit-coming")
    assert coming.agenda_published_at == now - timedelta(days=20)
    assert coming.agenda_changed_at == now - timedelta(days=15)
    assert coming.moved_at == now - timedelta(days=18)
    assert coming.sequence == 4
    # a meeting begins no later than the earliest instant the file shows of it
    assert coming.created_at == now - timedelta(days=20)
    assert meeting(db, "cit-next").moved_at is None


def test_an_imported_county_announces_no_event_older_than_the_file_says(db):
    now = now_()
    imported(db, county(now))
    dues = [d for d in due_reminders(utcnow(), REMINDERS) if d.kind in EVENT_KINDS]
    next_id = meeting(db, "cit-next").id
    # only the agenda published two days ago, as of the file's time of publication
    assert {(d.kind, d.record, d.occurrence) for d in dues} == {
        ("agenda_published", f"meeting:{next_id}",
         f"published-{(now - timedelta(days=2)).strftime('%Y%m%dT%H%M%SZ')}")}


def test_a_second_import_changes_nothing_and_a_file_without_stamps_keeps_them(db):
    now = now_()
    imported(db, county(now))
    report = imported(db, county(now))
    assert report.updated["meetings"] == 0
    data = county(now)
    for entry in data["committees"][0]["meetings"]:
        entry.pop("moved_at", None)
        entry.pop("sequence", None)
        for name in ("published_at", "changed_at"):
            entry["agenda"].pop(name, None)
    report = imported(db, data)
    assert report.updated["meetings"] == 0
    coming = meeting(db, "cit-coming")
    assert (coming.agenda_published_at, coming.moved_at, coming.sequence) == (
        now - timedelta(days=20), now - timedelta(days=18), 4)


def test_the_sequence_never_goes_back(db):
    now = now_()
    imported(db, county(now))
    data = county(now)
    coming = data["committees"][0]["meetings"][1]
    coming["sequence"] = 2
    imported(db, data)
    assert meeting(db, "cit-coming").sequence == 4
    coming["sequence"] = 9
    imported(db, data)
    assert meeting(db, "cit-coming").sequence == 9


def test_stamps_an_agenda_cannot_have_are_refused_at_their_path(db):
    now = now_()
    data = county(now)
    past, coming = data["committees"][0]["meetings"][:2]
    past["agenda"]["status"] = "draft"
    del coming["agenda"]["published_at"]
    report = import_county(data)
    assert report.problems == [
        ("$.committees[0].meetings[0].agenda.published_at",
         "only a published agenda has a publication or change time"),
        ("$.committees[0].meetings[1].agenda.changed_at",
         "a change to a published agenda needs the time it was published (published_at)")]
    db.session.rollback()
    assert db.session.scalar(select(Meeting).limit(1)) is None


def _moved_off_its_cadence_date() -> tuple[dict, datetime]:
    """The county with its next cadence meeting moved a day later; and that cadence date."""
    data = small_county()
    cadence = data["committees"][0]["cadence"]
    zone = ZoneInfo(data["committees"][0]["timezone"])
    rule = rrulestr(cadence["rrule"], dtstart=datetime.fromisoformat(cadence["dtstart"]))
    occurrence = rule.after(utcnow().astimezone(zone).replace(tzinfo=None) + timedelta(days=2))
    moved = (occurrence + timedelta(days=1)).replace(tzinfo=zone)
    data["committees"][0]["meetings"] = [
        {"key": "cit-moved", "starts_at": moved.isoformat(), "duration_minutes": 90,
         "status": "scheduled", "occurrence": occurrence.isoformat(),
         "moved_at": _z(now_() - timedelta(days=20)), "sequence": 1}]
    return data, occurrence


def test_a_meeting_moved_off_its_cadence_date_keeps_it_and_is_not_made_again(db):
    data, occurrence = _moved_off_its_cadence_date()
    imported(db, data)
    assert meeting(db, "cit-moved").occurrence == occurrence
    assert export_county()["committees"][0]["meetings"][0]["occurrence"] == (
        occurrence.isoformat())
    committee = meeting(db, "cit-moved").committee
    made = schedule(None, committee, until=occurrence.date())
    assert occurrence not in {m.occurrence for m in made}
    assert imported(db, data).updated["meetings"] == 0


def test_a_cadence_date_two_meetings_stand_on_is_refused(db):
    data, occurrence = _moved_off_its_cadence_date()
    meetings = data["committees"][0]["meetings"]
    meetings.append(dict(meetings[0], key="cit-other"))
    meetings.append(dict(meetings[0], key="cit-bad", occurrence="2026-02-30T15:00:00"))
    report = import_county(data)
    assert [path for path, _ in report.problems] == [
        "$.committees[0].meetings[2].occurrence", "$.committees[0].meetings[1].occurrence"]


def test_two_stored_meetings_may_swap_their_occurrences(db):
    data, occurrence = _moved_off_its_cadence_date()
    meetings = data["committees"][0]["meetings"]
    later = occurrence + timedelta(days=28)
    meetings.append(dict(meetings[0], key="cit-later", occurrence=later.isoformat()))
    imported(db, data)
    meetings[0]["occurrence"], meetings[1]["occurrence"] = (
        later.isoformat(), occurrence.isoformat())
    assert imported(db, data).updated["meetings"] == 2
    assert (meeting(db, "cit-moved").occurrence, meeting(db, "cit-later").occurrence) == (
        later, occurrence)


def _cancelled(now: datetime) -> dict:
    """The county with two coming meetings cancelled: one weeks ago, one an hour ago."""
    data = small_county()
    data["committees"][0]["meetings"] = [
        {"key": "cit-off-long-ago", "starts_at": _z(now + timedelta(days=12)),
         "duration_minutes": 90, "status": "cancelled", "sequence": 1,
         "cancelled_at": _z(now - timedelta(days=20))},
        {"key": "cit-off-today", "starts_at": _z(now + timedelta(days=5)),
         "duration_minutes": 90, "status": "cancelled", "sequence": 1,
         "cancelled_at": _z(now - timedelta(hours=1))}]
    return data


def test_a_cancellation_keeps_its_time_and_only_a_recent_one_is_announced(db):
    now = now_()
    data = _cancelled(now)
    imported(db, data)
    assert meeting(db, "cit-off-long-ago").cancelled_at == now - timedelta(days=20)
    exported = export_county()["committees"][0]["meetings"]
    assert [m.get("cancelled_at") for m in exported] == [
        _z(now - timedelta(hours=1)), _z(now - timedelta(days=20))]
    dues = [d for d in due_reminders(utcnow(), REMINDERS) if d.kind == "meeting_cancelled"]
    today_id = meeting(db, "cit-off-today").id
    cancelled = (now - timedelta(hours=1)).strftime("%Y%m%dT%H%M%SZ")
    assert {(d.record, d.occurrence) for d in dues} == {
        (f"meeting:{today_id}", f"cancelled-{cancelled}")}
    assert imported(db, data).updated["meetings"] == 0


def test_a_cancellation_time_on_a_meeting_not_cancelled_is_refused_and_dropped(db):
    now = now_()
    data = _cancelled(now)
    data["committees"][0]["meetings"][0]["status"] = "scheduled"
    assert [path for path, _ in import_county(data).problems] == [
        "$.committees[0].meetings[0].cancelled_at"]
    db.session.rollback()
    imported(db, _cancelled(now))
    # reinstated by a file that no longer cancels it: it keeps no cancellation time
    data = _cancelled(now)
    del data["committees"][0]["meetings"][0]["cancelled_at"]
    data["committees"][0]["meetings"][0]["status"] = "scheduled"
    imported(db, data)
    assert meeting(db, "cit-off-long-ago").cancelled_at is None
    assert "cancelled_at" not in export_county()["committees"][0]["meetings"][1]
