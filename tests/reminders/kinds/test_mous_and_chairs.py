"""MOU and chair reminders: signatures, expiry, a chair's term and vacancy."""

from datetime import UTC, date, datetime, timedelta

from govtrack.chairs.models import ChairTerm
from govtrack.features import REMINDER_KINDS
from govtrack.mous import services
from tests.factories import PASSWORD

T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def people(dues):
    """Person ids of the reminders, sorted."""
    return sorted(d.person_id for d in dues)


def test_signature_requests_and_chair_vacancy_cannot_be_switched_off():
    assert {k.code for k in REMINDER_KINDS if k.mandatory} == {
        "mou_signature_requested", "chair_vacant"}


def test_signatories_are_asked_once_then_every_3_days_while_pending(mou_cast, at, sweep, db):
    with at(T0):
        cast, mou = mou_cast()
    signers = sorted([cast["member"].person.id, cast["head"].person.id])
    with at(T0 + timedelta(minutes=1)) as now:
        asked = sweep("mou_signature_requested", now)
        assert sweep("mou_signature_pending", now) == []
    assert people(asked) == signers and asked[0].link == f"/mous/{mou.key}/sign"
    with at(T0 + timedelta(days=3, minutes=-1)) as now:
        assert sweep("mou_signature_pending", now) == []
        assert {d.key for d in sweep("mou_signature_requested", now)} == {d.key for d in asked}
    with at(T0 + timedelta(days=3, minutes=1)) as now:
        first = sweep("mou_signature_pending", now)
    with at(T0 + timedelta(days=5)) as now:
        assert {d.key for d in sweep("mou_signature_pending", now)} == {d.key for d in first}
    with at(T0 + timedelta(days=6, minutes=1)) as now:
        second = sweep("mou_signature_pending", now)
    assert people(first) == people(second) == signers
    assert not {d.key for d in first} & {d.key for d in second}
    with at(T0 + timedelta(days=7)) as now:
        from tests.mous.factories import sign_as

        sign_as(cast["head"], mou, cast["head"].person.agency)
        db.session.commit()
        assert people(sweep("mou_signature_requested", now)) == [cast["member"].person.id]


def test_every_party_and_the_chair_hear_of_a_refusal_and_of_voided_signatures(
        mou_cast, at, sweep, db):
    with at(T0):
        cast, mou = mou_cast()
    everyone = sorted([cast["member"].person.id, cast["head"].person.id,
                       cast["chair"].person.id])
    with at(T0 + timedelta(days=1)) as now:
        assert sweep("mou_signature_declined", now) == []
        confirm = services.Signing(password=PASSWORD, consent=False, name="", title="",
                                   document_sha256=mou.current.digest)
        services.decline(cast["head"], mou, cast["head"].person.agency, "Not our budget.",
                         confirm)
        db.session.commit()
        declined = sweep("mou_signature_declined", now + timedelta(minutes=1))
    assert people(declined) == everyone and "Not our budget." in declined[0].body
    with at(T0 + timedelta(days=9)) as now:
        assert sweep("mou_signature_declined", now) == []
        services.change_status(cast["admin"], mou, "out_for_signature")
        db.session.commit()
        from tests.mous.factories import sign_as

        sign_as(cast["head"], mou, cast["head"].person.agency)
        db.session.commit()
        assert sweep("mou_signatures_voided", now) == []
        version = mou.current
        services.update_mou(cast["admin"], mou, None, title=mou.title, purpose="",
                            background="", text="A new text.",
                            obligations={o["party"]: o["text"] for o in version.obligations})
        db.session.commit()
        voided = sweep("mou_signatures_voided", now + timedelta(minutes=1))
    assert people(voided) == everyone and voided[0].occurrence == "v1-voided"


def test_heads_and_chair_hear_90_and_30_days_before_expiry_then_once_lapsed(
        mou_cast, at, sweep, db):
    with at(T0):
        cast, mou = mou_cast("executed")
    expires = date(2026, 12, 31)
    mou.expires = expires
    db.session.commit()
    heads = sorted([cast["member"].person.id, cast["head"].person.id, cast["chair"].person.id])

    def noon(day):
        return datetime(day.year, day.month, day.day, 17, 0, tzinfo=UTC)

    assert sweep("mou_expiring_90d", noon(expires - timedelta(days=91))) == []
    ninety = sweep("mou_expiring_90d", noon(expires - timedelta(days=90)))
    assert people(ninety) == heads
    assert sweep("mou_expiring_30d", noon(expires - timedelta(days=31))) == []
    assert sweep("mou_expiring_90d", noon(expires - timedelta(days=30))) == []
    thirty = sweep("mou_expiring_30d", noon(expires - timedelta(days=30)))
    assert people(thirty) == heads and ninety[0].key != thirty[0].key
    assert sweep("mou_lapsed", noon(expires)) == []
    lapsed = sweep("mou_lapsed", noon(expires + timedelta(days=1)))
    assert people(lapsed) == heads
    assert {d.key for d in sweep("mou_lapsed", noon(expires + timedelta(days=20)))} == {
        d.key for d in lapsed}
    # a renewal under way: no expiry reminder
    with at(noon(expires - timedelta(days=60))):
        services.amend(cast["admin"], mou)
        db.session.commit()
    assert sweep("mou_expiring_30d", noon(expires - timedelta(days=20))) == []


def test_a_draft_or_terminated_mou_produces_nothing(mou_cast, at, sweep):
    with at(T0):
        mou_cast("draft")
    for code in ("mou_signature_requested", "mou_signature_pending", "mou_expiring_90d",
                 "mou_lapsed"):
        assert sweep(code, T0 + timedelta(days=10)) == []


# --- the chair -------------------------------------------------------------------------------


def test_committee_hears_60_and_30_days_before_the_chairs_term_ends(board, local, sweep, db):
    chair = board["chair"]
    end = date(2026, 5, 31)
    term = ChairTerm(committee=board["committee"], person=chair, agency=chair.agency,
                     start=date(2025, 6, 1), planned_end=end)
    db.session.add(term)
    db.session.commit()
    seated = sorted(p.id for r, p in board.items() if r != "committee")
    assert sweep("chair_term_ending_60d", local(end - timedelta(days=61), 23, 59)) == []
    sixty = sweep("chair_term_ending_60d", local(end - timedelta(days=60), 0, 1))
    assert people(sixty) == seated
    assert sixty[0].link == f"/committees/{board['committee'].key}/chair/handover"
    assert sweep("chair_term_ending_30d", local(end - timedelta(days=31), 12)) == []
    assert sweep("chair_term_ending_60d", local(end - timedelta(days=30), 12)) == []
    thirty = sweep("chair_term_ending_30d", local(end - timedelta(days=30), 12))
    assert people(thirty) == seated
    db.session.add(ChairTerm(committee=board["committee"], person=board["member"],
                             agency=board["member"].agency, start=end + timedelta(days=1),
                             planned_end=date(2027, 5, 31)))
    db.session.commit()
    assert sweep("chair_term_ending_30d", local(end - timedelta(days=20), 12)) == []


def test_members_and_the_convening_head_hear_once_the_chair_is_vacant(
        board, make, local, sweep, db):
    chair = board["chair"]
    head = make.person(agency=chair.agency, name="Sheriff")
    chair.agency.head = head
    db.session.add(ChairTerm(committee=board["committee"], person=chair, agency=chair.agency,
                             start=date(2025, 6, 1), planned_end=date(2026, 5, 31)))
    db.session.commit()
    assert sweep("chair_vacant", local(date(2026, 5, 31), 23, 59)) == []
    vacant = sweep("chair_vacant", local(date(2026, 6, 1), 0, 1))
    # the former chair still sits on the committee: they hear too
    seated = [p.id for r, p in board.items() if r != "committee"]
    assert people(vacant) == sorted([head.id, *seated])
    assert vacant[0].occurrence == "since-2026-06-01"
    assert "its head, Sheriff, convenes" in vacant[0].body
    later = sweep("chair_vacant", local(date(2026, 6, 20), 12))
    assert {d.key for d in later} == {d.key for d in vacant}
