"""People's reminder preferences in the county file: round trip, idempotence, problems."""

from sqlalchemy import func, select

from govtrack.agencies.models import Person
from govtrack.audit.models import AuditEntry
from govtrack.county.services import export_county, import_county
from govtrack.reminders.models import ReminderPreference
from govtrack.reminders.services import preferences_of, set_preferences
from tests.county.files import canonical
from tests.county.files import county as small_county


def county() -> dict:
    """The small county; Dana Ortiz reads some reminders in the digest and skips one."""
    data = small_county()
    data["people"][0]["reminders"] = [{"kind": "agenda_changed", "delivery": "off"},
                                      {"kind": "meeting_7d", "delivery": "digest"}]
    data["people"][2]["reminders"] = [{"kind": "action_overdue", "delivery": "digest"}]
    return data


def rows(db) -> dict[str, int]:
    """Preference rows and audit entries."""
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m))
            for m in (ReminderPreference, AuditEntry)}


def imported(db, data=None):
    """Import data (default the county above) and commit; return the report."""
    report = import_county(county() if data is None else data)
    assert report.ok, report.problems
    db.session.commit()
    return report


def person(db, key) -> Person:
    """The stored person with key."""
    return db.session.scalar(select(Person).where(Person.key == key))


def test_export_of_an_import_gives_the_preferences_back(db):
    report = imported(db)
    assert report.created["reminders"] == 3
    assert canonical(export_county()) == canonical(county())


def test_import_stores_the_choices_the_preferences_page_shows(db):
    imported(db)
    choices = preferences_of(person(db, "p-ortiz"))
    assert (choices["agenda_changed"], choices["meeting_7d"], choices["agenda_published"]) == (
        "off", "digest", "immediately")
    assert preferences_of(person(db, "p-ruiz"))["action_overdue"] == "digest"


def test_people_who_get_everything_immediately_export_no_reminders(db, make):
    imported(db, small_county())
    ortiz = person(db, "p-ortiz")
    account = make.account(person=ortiz)
    set_preferences(account, ortiz, {"meeting_7d": "digest"})
    db.session.commit()
    assert export_county()["people"][1]["reminders"] == [{"kind": "meeting_7d",
                                                          "delivery": "digest"}]
    set_preferences(account, ortiz, {"meeting_7d": "immediately"})
    db.session.commit()
    assert rows(db)["ReminderPreference"] == 1  # the row stays, saying "immediately"
    assert all("reminders" not in p for p in export_county()["people"])


def test_a_second_import_of_the_same_file_changes_nothing(db):
    imported(db)
    before = rows(db)
    second = imported(db)
    assert (second.created["reminders"], second.updated["reminders"],
            second.unchanged["reminders"]) == (0, 0, 3)
    assert rows(db) == before


def test_the_file_is_authoritative_for_the_people_it_lists(db):
    imported(db)
    data = county()
    data["people"][0]["reminders"] = [{"kind": "agenda_changed", "delivery": "digest"}]
    report = imported(db, data)
    assert report.updated["reminders"] == 2
    choices = preferences_of(person(db, "p-ortiz"))
    assert (choices["agenda_changed"], choices["meeting_7d"]) == ("digest", "immediately")
    assert canonical(export_county()) == canonical(data)
    labels = {e.object_label for e in db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "update"))}
    assert {"Dana Ortiz: agenda_changed: In the daily digest",
            "Dana Ortiz: meeting_7d: Immediately"} <= labels


def test_an_unknown_kind_a_duplicate_and_a_mandatory_kind_switched_off_are_refused(db):
    data = county()
    data["people"][0]["reminders"] += [{"kind": "meeting_99d", "delivery": "digest"},
                                       {"kind": "meeting_7d", "delivery": "off"},
                                       {"kind": "chair_vacant", "delivery": "off"}]
    before = rows(db)
    report = import_county(data)
    db.session.commit()
    assert rows(db) == before
    assert report.problems == [
        ("$.people[0].reminders[2].kind", "there is no kind of reminder called “meeting_99d”"),
        ("$.people[0].reminders[3].kind",
         "“meeting_7d” is chosen twice, also at $.people[0].reminders[1]"),
        ("$.people[0].reminders[4].delivery", "“A committee has no chair” cannot be switched "
                                              "off"),
    ]


def test_immediately_is_no_choice_to_write(db):
    data = county()
    data["people"][0]["reminders"][0]["delivery"] = "immediately"
    report = import_county(data)
    assert [p for p, _ in report.problems] == ["$.people[0].reminders[0].delivery"]
