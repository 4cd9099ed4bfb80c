"""The signing chain is keyed: sealed with an HMAC under a key outside the database.

And every column of every signing-related table, changed directly in the
database, makes verification fail (issue 16).
"""

from datetime import date, datetime

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from govtrack.mous import chain, services
from govtrack.mous.models import Mou, mou_party
from govtrack.notifications.models import Notification
from tests.mous.factories import make_mou


def _executed(make, db):
    cast = make.cast()
    mou = make_mou(cast, status="executed")
    db.session.commit()
    return cast, mou


def _reloaded(db, mou) -> Mou:
    db.session.expire_all()
    return db.session.scalar(select(Mou).where(Mou.id == mou.id)
                             .options(*services.mou_loading()))


def test_events_are_sealed_and_a_rewrite_with_recomputed_hashes_is_caught(make, db):
    _, mou = _executed(make, db)
    assert all(e.key_id and len(e.event_mac) == 64 for e in mou.events)
    assert services.verify(mou).ok
    # A database administrator rewrites the first signer's name and recomputes every
    # hash, the chain head included: only the seal, whose key they lack, gives it away.
    first = mou.events[0]
    first.signer_name = "Somebody Else"
    previous = ""
    for event in mou.events:
        event.previous_sha256 = previous
        event.event_sha256 = previous = event.compute_hash()
    mou.chain_head = previous
    db.session.commit()
    problems = services.verify(_reloaded(db, mou)).problems
    assert problems and all("seal" in p for p in problems)


def test_a_new_key_signs_from_then_on_and_the_old_one_still_verifies(make, db, app):
    _, mou = _executed(make, db)
    old = mou.events[0].key_id
    ring = app.config["SIGNING_CHAIN_KEYRING"]
    try:
        app.config["SIGNING_CHAIN_KEYRING"] = [*ring, ("k-next", b"\x07" * 32)]
        assert chain.current_key_id() == "k-next"
        assert services.verify(mou).ok  # events sealed under the old key still verify
        app.config["SIGNING_CHAIN_KEYRING"] = [("k-next", b"\x07" * 32)]
        problems = services.verify(mou).problems
        assert problems and old in problems[0]  # the old key dropped: unverifiable
    finally:
        app.config["SIGNING_CHAIN_KEYRING"] = ring


def test_keys_come_from_the_environment_or_an_instance_file(tmp_path):
    assert chain.parse_keys(f"a:{'11' * 32},b:{'22' * 32}") == [("a", b"\x11" * 32),
                                                               ("b", b"\x22" * 32)]
    with pytest.raises(ValueError):
        chain.parse_keys("short:abcd")
    keys = chain.load_keys(str(tmp_path), "")
    assert len(keys) == 1 and chain.load_keys(str(tmp_path), "") == keys
    assert oct((tmp_path / chain.KEYS_FILE).stat().st_mode)[-3:] == "600"


def test_every_signatory_gets_a_receipt_with_the_digest_and_chain_head(make, db):
    _, mou = _executed(make, db)
    receipts = list(db.session.scalars(
        select(Notification).where(Notification.key.like(f"mou:{mou.id}:%:receipt:%"))))
    signers = {e.person_id for e in mou.events if e.kind == "signed"}
    assert {n.person_id for n in receipts} == signers and len(signers) == 2
    for receipt in receipts:
        assert mou.current.digest in receipt.body and mou.chain_head in receipt.body


def test_seal_chains_seals_events_recorded_before_the_key_and_refuses_a_broken_chain(make,
                                                                                      db):
    _, mou = _executed(make, db)
    _, other = _executed(make, db)
    db.session.execute(text("UPDATE mou_signing_event SET key_id = '', event_mac = ''"))
    db.session.execute(text("UPDATE mou_signing_event SET signer_name = 'Forged' "
                            "WHERE id = :id"), {"id": other.events[0].id})
    db.session.commit()
    assert not services.verify(_reloaded(db, mou)).ok  # unsealed: reported
    sealed, refused = services.seal_events()
    db.session.commit()
    assert sealed == len(mou.events) and [key for key, _ in refused] == [other.key]
    assert services.verify(_reloaded(db, mou)).ok
    assert not services.verify(_reloaded(db, other)).ok


# --- every column of every signing-related table -------------------------------------------

#: columns a change to which need not fail verification, and why (docs/security.md):
#: primary keys (the foreign keys naming them are tested), bookkeeping, and the MOU's
#: workflow fields nobody signs
NOT_SIGNED = {
    "mou": {"id", "committee_id", "created_at", "version", "supersedes_id",
            "signing_in_order"},
    "mou_version": {"id", "created_at", "sent_for_signature_at"},
    "mou_signing_event": {"id"},
}


def _changed(value, other):
    """A different value of the same type; other is the same column of another MOU's row."""
    if other is not None and other != value and not isinstance(other, (str, bool)):
        return other  # foreign keys: a real row of the other MOU
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, datetime):
        return value.replace(year=value.year - 1)
    if isinstance(value, date):
        return value.replace(year=value.year - 1)
    if value is None:
        return date(2020, 1, 1)
    if isinstance(value, list):
        return [*value, {"party": "x", "text": "y"}]
    if isinstance(value, dict):
        return {**value, "title": value.get("title", "") + " (changed)"}
    return value[:-1] + ("0" if value[-1:] != "0" else "1") if len(value) == 64 else value + "x"


def _rows(mou):
    return {"mou": mou, "mou_version": mou.current, "mou_signing_event": mou.events[0]}


def test_changing_any_signed_column_in_the_database_fails_verification(make, db):
    _, mou = _executed(make, db)
    _, other = _executed(make, db)
    checked, missed = [], []
    for table, row in _rows(mou).items():
        for column in type(row).__table__.columns:
            if column.name in NOT_SIGNED.get(table, ()):
                continue
            value = getattr(row, column.key)
            changed = _changed(value, getattr(_rows(other)[table], column.key))
            savepoint = db.session.begin_nested()
            try:
                try:
                    db.session.execute(type(row).__table__.update()
                                       .where(type(row).__table__.c.id == row.id)
                                       .values({column.name: changed}))
                except IntegrityError:  # the database itself refuses the change
                    checked.append(f"{table}.{column.name}")
                    continue
                found = _reloaded(db, mou)
                if not services.verify(found).problems:
                    missed.append(f"{table}.{column.name}")
                checked.append(f"{table}.{column.name}")
            finally:
                if savepoint.is_active:
                    savepoint.rollback()
                db.session.expire_all()
    # a party's row: another agency in place of one that signed
    stranger, party = make.agency().id, _reloaded(db, mou).parties[0].id
    savepoint = db.session.begin_nested()
    db.session.execute(mou_party.update().where(mou_party.c.mou_id == mou.id,
                                                mou_party.c.agency_id == party)
                       .values(agency_id=stranger))
    if not services.verify(_reloaded(db, mou)).problems:
        missed.append("mou_party.agency_id")
    savepoint.rollback()
    assert len(checked) > 30 and missed == []
