"""The MOU rules: lifecycle, versions, signing, the hash chain and the audit trail."""

import pytest
from sqlalchemy import select, text

from govtrack.audit.models import AuditEntry
from govtrack.editing import DomainError
from govtrack.mous import services
from govtrack.mous.models import Mou, MouVersion, SigningEvent
from govtrack.mous.services import NotSignatory, Signing
from govtrack.permissions import can_view_mou
from tests.factories import PASSWORD
from tests.mous.factories import make_mou, sign_as


def _edit(mou, actor, **changes):
    values = {"title": mou.title, "purpose": mou.purpose, "background": mou.background,
              "text": mou.current.text,
              "obligations": {o["party"]: o["text"] for o in mou.current.obligations}}
    values.update(changes)
    return services.update_mou(actor, mou, None, **values)


def test_create_mou_starts_a_draft_with_its_first_version(make, db):
    cast = make.cast()
    mou = make_mou(cast, status="draft")
    assert mou.status == "draft" and [v.number for v in mou.versions] == [1]
    assert mou.key.startswith("mou-jail-in-reach")
    assert len(mou.current.obligations) == 2


def test_an_mou_needs_two_parties(make, db):
    cast = make.cast()
    with pytest.raises(DomainError, match="two parties"):
        services.create_mou(cast["admin"], title="Alone", committee=cast["committee"],
                            parties=[cast["member"].person.agency])


@pytest.mark.parametrize(("start", "to", "allowed"), [
    ("draft", "in_review", True), ("draft", "out_for_signature", False),
    ("draft", "executed", False), ("in_review", "out_for_signature", True),
    ("in_review", "draft", True), ("out_for_signature", "executed", False),
    ("out_for_signature", "in_review", True), ("executed", "draft", False),
    ("executed", "terminated", True), ("executed", "out_for_signature", False),
])
def test_only_allowed_transitions_are_possible(make, db, start, to, allowed):
    cast = make.cast()
    mou = make_mou(cast, status=start)
    if allowed:
        services.change_status(cast["admin"], mou, to)
        assert mou.status == to
    else:
        with pytest.raises(DomainError):
            services.change_status(cast["admin"], mou, to)
        assert mou.status == start


def test_draft_text_changes_in_place_but_a_change_in_review_makes_a_new_version(make, db):
    cast = make.cast()
    mou = make_mou(cast, status="draft")
    _edit(mou, cast["admin"], text="Draft two")
    assert [v.number for v in mou.versions] == [1] and mou.current.text == "Draft two"
    services.change_status(cast["admin"], mou, "in_review")
    _edit(mou, cast["admin"], text="Reviewed text")
    assert [v.number for v in mou.versions] == [1, 2]
    assert mou.versions[0].text == "Draft two" and mou.current.text == "Reviewed text"


def test_a_change_after_a_signature_voids_it_and_says_why(make, db):
    cast = make.cast()
    mou = make_mou(cast)
    head_agency = cast["head"].person.agency
    sign_as(cast["head"], mou, head_agency)
    db.session.commit()
    _edit(mou, cast["admin"], text="A new clause.")
    db.session.commit()
    assert mou.status == "in_review" and mou.current.number == 2
    assert mou.signed_parties() == {} and mou.signed_parties(mou.versions[0]) == {}
    voided = [e for e in mou.events if e.kind == "voided"]
    assert len(voided) == 1 and "version 2 replaces version 1" in voided[0].reason
    assert services.verify(mou).ok
    services.change_status(cast["admin"], mou, "out_for_signature")
    event = sign_as(cast["head"], mou, head_agency)
    assert event.version_number == 2


def test_the_mou_is_executed_when_every_party_signed(make, db):
    cast = make.cast()
    mou = make_mou(cast, status="executed")
    assert mou.status == "executed" and mou.executed_at is not None
    events = [e for e in mou.events if e.kind == "signed"]
    assert len(events) == 2
    event = events[0]
    assert event.document_sha256 == mou.current.digest and len(event.document_sha256) == 64
    assert event.auth_method == "password" and event.consent_version
    assert event.consent_sha256 == services.CONSENT_SHA256
    assert event.intent == f"I sign this MOU on behalf of {event.agency.name}."
    assert event.address == "127.0.0.1" and event.user_agent == "pytest"
    assert events[1].previous_sha256 == events[0].event_sha256
    assert mou.chain_head == events[1].event_sha256
    assert services.verify(mou).ok


def test_a_member_who_is_not_the_head_cannot_sign(make, db):
    cast = make.cast()
    mou = make_mou(cast)
    with pytest.raises(NotSignatory):
        sign_as(cast["member"], mou, cast["member"].person.agency)
    with pytest.raises(NotSignatory):
        sign_as(cast["admin"], mou, cast["head"].person.agency)
    assert mou.events == []


def test_signing_the_same_version_twice_is_refused(make, db):
    cast = make.cast()
    mou = make_mou(cast)
    agency = cast["head"].person.agency
    sign_as(cast["head"], mou, agency)
    with pytest.raises(DomainError, match="already signed"):
        sign_as(cast["head"], mou, agency)
    assert len(mou.events) == 1


def test_signing_needs_the_password_consent_and_a_typed_name(make, db):
    cast = make.cast()
    mou = make_mou(cast)
    agency = cast["head"].person.agency
    with pytest.raises(DomainError, match="password"):
        sign_as(cast["head"], mou, agency, password="wrong")
    for signing, field in [
            (Signing(password=PASSWORD, consent=False, name="X", title="Head",
                     document_sha256=mou.current.digest), "consent"),
            (Signing(password=PASSWORD, consent=True, name=" ", title="Head",
                     document_sha256=mou.current.digest), "name")]:
        with pytest.raises(DomainError) as refused:
            services.sign(cast["head"], mou, agency, signing)
        assert refused.value.field == field
    assert mou.events == []


def test_signing_is_refused_unless_out_for_signature(make, db):
    cast = make.cast()
    mou = make_mou(cast, status="in_review")
    with pytest.raises(DomainError, match="not out for signature"):
        sign_as(cast["head"], mou, cast["head"].person.agency)


def test_a_tampered_stored_version_is_detected(make, db):
    cast = make.cast()
    mou = make_mou(cast, status="executed")
    version_id = mou.current.id
    db.session.execute(text("UPDATE mou_version SET text = 'The parties agree to nothing.' "
                            "WHERE id = :id"), {"id": version_id})
    db.session.commit()
    db.session.expire_all()
    mou = db.session.scalar(select(Mou))
    result = services.verify(mou)
    assert not result.ok
    assert any("no longer matches the hash" in p for p in result.problems)


def test_a_removed_or_altered_signing_event_is_detected(make, db):
    cast = make.cast()
    mou = make_mou(cast, status="executed")
    first, second = mou.events
    db.session.execute(text("UPDATE mou_signing_event SET signer_title = 'Mayor' WHERE id = :id"),
                       {"id": second.id})
    db.session.commit()
    db.session.expire_all()
    assert any("altered" in p for p in services.verify(db.session.get(Mou, mou.id)).problems)
    db.session.execute(text("DELETE FROM mou_signing_event WHERE id = :id"), {"id": first.id})
    db.session.commit()
    db.session.expire_all()
    problems = services.verify(db.session.get(Mou, mou.id)).problems
    assert any("removed" in p for p in problems)
    assert any("Executed without a signature" in p for p in problems)


def test_removing_the_last_event_is_detected_by_the_chain_head(make, db):
    cast = make.cast()
    mou = make_mou(cast)
    sign_as(cast["head"], mou, cast["head"].person.agency)
    db.session.commit()
    db.session.execute(text("DELETE FROM mou_signing_event"))
    db.session.commit()
    db.session.expire_all()
    assert not services.verify(db.session.get(Mou, mou.id)).ok


def test_an_executed_mou_is_never_edited_in_place(make, db):
    cast = make.cast()
    mou = make_mou(cast, status="executed")
    with pytest.raises(DomainError, match="never edited in place"):
        _edit(mou, cast["admin"], text="Changed")
    assert mou.current.text.startswith("The parties agree")
    assert db.session.scalar(select(MouVersion.text).where(MouVersion.mou_id == mou.id)) \
        .startswith("The parties agree")


def test_an_amendment_supersedes_the_executed_mou_once_executed(make, db):
    cast = make.cast()
    old = make_mou(cast, status="executed")
    new = services.amend(cast["admin"], old)
    assert new.supersedes is old and old.superseded_by == [new] and new.status == "draft"
    with pytest.raises(DomainError, match="already under way"):
        services.amend(cast["admin"], old)
    services.change_status(cast["admin"], new, "in_review")
    services.change_status(cast["admin"], new, "out_for_signature")
    for agency in new.parties:
        sign_as(agency.head.account, new, agency)
    assert new.status == "executed" and old.status == "superseded"


def test_a_party_declines_with_a_reason(make, db):
    cast = make.cast()
    mou = make_mou(cast)
    agency = cast["head"].person.agency
    confirm = Signing(password=PASSWORD, consent=False, name="", title="",
                      document_sha256=mou.current.digest)
    with pytest.raises(DomainError):
        services.decline(cast["head"], mou, agency, " ", confirm)
    event = services.decline(cast["head"], mou, agency, "Our counsel has not reviewed it.",
                             confirm)
    assert event.kind == "declined" and mou.status == "in_review"
    assert services.verify(mou).ok


def test_every_signature_and_state_change_is_in_the_audit_trail(make, db):
    cast = make.cast()
    mou = make_mou(cast, status="executed")
    db.session.commit()
    entries = db.session.scalars(select(AuditEntry).where(
        AuditEntry.object_type == "Mou", AuditEntry.object_id == mou.id)
        .order_by(AuditEntry.id)).all()
    actions = [e.action for e in entries]
    assert actions.count("sign") == 2
    statuses = [e.changes["status"] for e in entries if e.action == "status"]
    assert statuses == [["draft", "in_review"], ["in_review", "out_for_signature"],
                        ["out_for_signature", "executed"]]
    assert all(e.committee_id == cast["committee"].id for e in entries)


def test_awaiting_signature_and_what_my_agency_promised(make, db):
    cast = make.cast()
    mou = make_mou(cast)
    head = cast["head"].person
    assert services.awaiting_signature(head) == [(mou, head.agency)]
    assert services.awaiting_signature(cast["member"].person) == []
    action = services.track_obligation(cast["admin"], mou, title="Send the data",
                                       owner=head, due=None)
    db.session.commit()
    rows = services.promised_by([head.agency])
    assert [(m, a, t) for m, a, t, _ in rows] == [
        (mou, head.agency, f"{head.agency.name} shares its data monthly.")]
    assert rows[0][3] == [action] and action.origin_ref == mou.key
    sign_as(cast["head"], mou, head.agency)
    db.session.commit()
    assert services.awaiting_signature(head) == []


def test_who_may_see_an_mou(make, db):
    cast = make.cast()
    mou = make_mou(cast)
    seen = {role: can_view_mou(cast[role], mou)
            for role in ("anonymous", "outsider", "member", "chair", "head", "admin")}
    assert seen == {"anonymous": False, "outsider": False, "member": True, "chair": True,
                    "head": True, "admin": True}
    assert [m.key for m in services.visible_mous(cast["head"])] == [mou.key]
    assert services.visible_mous(cast["outsider"]) == []
    assert db.session.scalar(select(SigningEvent)) is None


def _three_party_mou(make, cast):
    third = make.account()
    third.person.agency.head = third.person
    member_agency = cast["member"].person.agency
    member_agency.head = cast["member"].person
    db_session = make.db.session
    db_session.commit()
    return make_mou(cast, parties=[member_agency, cast["head"].person.agency,
                                   third.person.agency])


@pytest.mark.parametrize("term", ["title", "purpose", "background", "effective", "expires",
                                  "review", "parties"])
def test_every_agreed_term_is_signed_and_a_change_voids_pending_signatures(make, db, term):
    from datetime import date

    cast = make.cast()
    mou = _three_party_mou(make, cast)
    first = mou.current.digest
    sign_as(cast["member"], mou, cast["member"].person.agency)
    sign_as(cast["head"], mou, cast["head"].person.agency)
    db.session.commit()
    if term == "parties":
        services.change_status(cast["chair"], mou, "in_review")
        changes = {"parties": mou.parties[:2]}
    else:
        changes = {term: date(2027, 1, 1) if term in ("effective", "expires", "review")
                   else "Changed after two parties signed"}
    _edit(mou, cast["chair"], **changes)
    db.session.commit()
    assert [v.number for v in mou.versions] == [1, 2]
    assert mou.current.digest != first and mou.status == "in_review"
    assert mou.signed_parties() == {}
    assert sorted(e.kind for e in mou.events) == ["signed", "signed", "voided", "voided"]
    assert services.verify(mou).ok
    terms = mou.current.agreed_terms()
    if term != "parties":
        assert str(changes[term].isoformat() if term in ("effective", "expires", "review")
                   else changes[term]) == terms[term]
        assert mou.versions[0].terms[term] != terms[term]


def test_a_version_in_canonical_format_1_still_verifies(make, db):
    cast = make.cast()
    mou = make_mou(cast)
    version = mou.current
    version.canonical_format, version.terms = 1, None  # as made before issue 16
    db.session.commit()
    assert '"terms"' not in version.canonical()
    sign_as(cast["head"], mou, cast["head"].person.agency)
    db.session.commit()
    assert services.verify(mou).ok
    version.canonical_format = 2  # a changed format no longer matches the signed hash
    assert not services.verify(mou).ok


def test_renaming_a_party_after_it_signed_voids_nothing_and_leaves_the_signed_text(make, db):
    """The signed rendering names the parties as the version was sent (issue 16)."""
    cast = make.cast()
    mou = make_mou(cast)
    agency = cast["head"].person.agency
    signed_name = agency.name
    sign_as(cast["head"], mou, agency)
    db.session.commit()
    digest = mou.current.digest
    agency.name = "Renamed Sheriff's Office"
    db.session.commit()
    _edit(mou, cast["chair"])  # saving the unchanged MOU after the rename
    db.session.commit()
    assert [v.number for v in mou.versions] == [1]
    assert agency.id in mou.signed_parties()
    assert mou.current.digest == digest
    assert signed_name in mou.current.canonical()
    assert "Renamed" not in mou.current.canonical()
    assert services.verify(mou).ok


def test_renaming_a_party_after_execution_keeps_the_executed_text_verified(make, db):
    from govtrack.documents.mou import mou_docx

    cast = make.cast()
    mou = make_mou(cast, status="executed")
    assert mou.status == "executed"
    agency = cast["member"].person.agency
    signed_name, digest = agency.name, mou.current.digest
    agency.name = "Renamed Health Department"
    db.session.commit()
    assert services.verify(mou).ok
    assert mou.current.digest == digest
    assert {p["name"] for p in mou.current.agreed_terms()["parties"]} >= {signed_name}
    assert b"Renamed Health Department" not in _docx_text(mou_docx(mou))


def _docx_text(data: bytes) -> bytes:
    import io
    import zipfile

    return zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")


def test_a_version_sent_after_a_rename_names_the_party_as_it_is_called_then(make, db):
    cast = make.cast()
    mou = make_mou(cast, status="in_review")
    agency = cast["head"].person.agency
    agency.name = "Renamed before sending"
    db.session.commit()
    services.change_status(cast["admin"], mou, "out_for_signature")
    db.session.commit()
    assert "Renamed before sending" in mou.current.canonical()
    assert services.verify(mou).ok


def test_what_my_agency_promised_reads_the_current_version_and_skips_drafts(make, db):
    """promised_by loads each MOU with its current version alone: a later version's
    obligations replace the earlier ones, and a draft promises nothing yet."""
    cast = make.cast()
    mou = make_mou(cast)
    make_mou(cast, status="draft", title="Still a draft")
    head = cast["head"].person
    member_agency = cast["member"].person.agency
    services.change_status(cast["admin"], mou, "in_review")
    services.update_mou(
        cast["admin"], mou, mou.version, title=mou.title, purpose=mou.purpose,
        background=mou.background, text=mou.current.text,
        obligations={head.agency.key: "Shares its data weekly.",
                     member_agency.key: "Screens every booking."})
    db.session.commit()
    assert len(mou.versions) == 2
    rows = services.promised_by([head.agency, member_agency])
    assert [(m.key, a.key, t) for m, a, t, _ in rows] == [
        (mou.key, head.agency.key, "Shares its data weekly."),
        (mou.key, member_agency.key, "Screens every booking.")]


def test_awaiting_signature_counts_a_voided_signature_as_unsigned(make, db):
    """Who signed is read from the events as bare rows: a signature voided by a new
    version asks the head again; a standing one does not."""
    cast = make.cast()
    mou = make_mou(cast)
    head = cast["head"].person
    sign_as(cast["head"], mou, head.agency)
    db.session.commit()
    assert services.awaiting_signature(head) == []
    services.update_mou(
        cast["admin"], mou, mou.version, title=mou.title, purpose=mou.purpose,
        background=mou.background, text="A new text.",
        obligations={a.key: "Shares its data." for a in mou.parties})
    services.change_status(cast["admin"], mou, "out_for_signature")
    db.session.commit()
    assert services.awaiting_signature(head) == [(mou, head.agency)]
