"""signature_stalled, expiring and lapsed: both sides of each threshold, since included."""

from datetime import UTC, date, datetime, timedelta

from govtrack.health.services import Flag, flags_for, report
from govtrack.mous import services
from govtrack.mous.health import flaggable_mou_records
from tests.mous.factories import make_mou, sign_as

SENT = datetime(2026, 3, 1, 15, 0, tzinfo=UTC)


def _flags(mou, day):
    """The MOU's flags on day; judged on the rows the draft agenda reads, the same."""
    flags = flags_for("mou", mou, day)
    until = day + timedelta(days=mou.committee.threshold("mou_expiring_days"))
    records = {r.key: r for r in flaggable_mou_records(mou.committee, until)}
    as_rows = flags_for("mou", records[mou.key], day) if mou.key in records else []
    assert as_rows == flags
    return flags


def test_signature_stalled_from_thirty_days_after_sending(make, db):
    cast = make.cast()
    mou = make_mou(cast)
    mou.current.sent_for_signature_at = SENT
    db.session.commit()
    since = date(2026, 3, 31)
    assert _flags(mou, since - timedelta(days=1)) == []
    assert _flags(mou, since) == [Flag("signature_stalled", since)]
    assert _flags(mou, date(2026, 6, 1)) == [Flag("signature_stalled", since)]


def test_signature_stalled_counts_only_signatures_given_by_the_day(make, db):
    cast = make.cast()
    mou = make_mou(cast)
    mou.current.sent_for_signature_at = SENT
    member_agency = cast["member"].person.agency
    member_agency.head = cast["member"].person
    db.session.commit()
    sign_as(cast["head"], mou, cast["head"].person.agency)
    services.sign(cast["member"], mou, member_agency, services.Signing(
        password="correct-staple-battery-42", consent=True, name="M", title="Head",
        document_sha256=mou.current.digest),
        now=datetime(2026, 4, 10, 12, tzinfo=UTC))
    # the signature of 10 April makes the MOU executed; before it, it was stalled
    assert mou.status == "executed"
    assert _flags(mou, date(2026, 4, 5)) == []  # no longer out for signature


def _executed(make, db, expires):
    cast = make.cast()
    mou = make_mou(cast, status="executed")
    mou.expires = expires
    db.session.commit()
    return cast, mou


def test_expiring_from_ninety_days_before_expiry(make, db):
    expires = date(2027, 6, 30)
    _, mou = _executed(make, db, expires)
    since = expires - timedelta(days=90)
    assert _flags(mou, since - timedelta(days=1)) == []
    assert _flags(mou, since) == [Flag("expiring", since)]
    assert _flags(mou, expires) == [Flag("expiring", since)]


def test_expiring_is_cleared_by_a_renewal_in_progress(make, db):
    expires = date(2027, 6, 30)
    cast, mou = _executed(make, db, expires)
    services.amend(cast["admin"], mou)
    db.session.commit()
    assert _flags(mou, expires) == []


def test_lapsed_from_the_day_after_expiry(make, db):
    expires = date(2027, 6, 30)
    _, mou = _executed(make, db, expires)
    assert Flag("lapsed", expires + timedelta(days=1)) not in _flags(mou, expires)
    assert _flags(mou, expires + timedelta(days=1)) == [Flag("lapsed", date(2027, 7, 1))]
    assert _flags(mou, date(2028, 1, 1)) == [Flag("lapsed", date(2027, 7, 1))]


def test_an_executed_renewal_ends_the_lapse(make, db):
    expires = date(2026, 6, 30)
    cast, mou = _executed(make, db, expires)
    renewal = services.amend(cast["admin"], mou)
    services.change_status(cast["admin"], renewal, "in_review")
    services.change_status(cast["admin"], renewal, "out_for_signature")
    for agency in renewal.parties:
        sign_as(agency.head.account, renewal, agency)
    db.session.commit()
    assert renewal.status == "executed" and mou.status == "superseded"
    executed_on = renewal.executed_at.date()
    assert _flags(mou, max(executed_on, expires + timedelta(days=1))) == []


def test_the_health_report_lists_every_mou(make, db):
    cast = make.cast()
    mou = make_mou(cast)
    mou.current.sent_for_signature_at = SENT
    db.session.commit()
    result = report(date(2026, 4, 1))
    assert result["mous"] == [{"key": mou.key, "flags": [
        {"code": "signature_stalled", "since": "2026-03-31"}]}]


def test_the_draft_reads_a_committees_flaggable_mous_with_their_renewals_as_rows(make, db):
    """Out for signature or expiring by the day, the committee's own: with the parties'
    names, and the renewals the rules read, wherever they are sponsored."""
    expires = date(2027, 6, 30)
    cast, expiring = _executed(make, db, expires)
    stalled = make_mou(cast, title="Data sharing")
    make_mou(cast, status="draft", title="Not yet out")
    renewal = services.amend(cast["admin"], expiring)
    renewal.committee = make.committee()
    db.session.commit()
    found = flaggable_mou_records(cast["committee"], expires)
    assert [r.key for r in found] == [stalled.key, expiring.key]  # by title
    assert [m.key for m in found[1].superseded_by] == [renewal.key]
    assert found[0].party_names == {a.id: a.name for a in stalled.parties}
    assert flaggable_mou_records(cast["committee"], expires - timedelta(days=1))[1:] == []
