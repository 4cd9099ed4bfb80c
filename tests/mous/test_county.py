"""MOUs in the county file: round trip, references with their JSON paths, idempotence."""

from sqlalchemy import func, select

from govtrack.audit.models import AuditEntry
from govtrack.county.services import export_county, import_county
from govtrack.mous.county import IMPORT_METHOD
from govtrack.mous.models import Mou, SigningEvent, terms_of
from govtrack.mous.services import verify
from tests.county.files import canonical, county, imported, problems_of


def with_mous() -> dict:
    """The small county with an executed MOU and its amendment, out for signature."""
    data = county()
    data["mous"] = [
        {"key": "mou-inreach", "title": "Jail in-reach protocol",
         "purpose": "Screen every booking.", "committee": "cit", "status": "executed",
         "parties": ["omh", "sheriff"], "effective": "2024-06-01", "expires": "2026-05-31",
         "review": "2025-06-01",
         "versions": [
             {"number": 1, "text": "First text.", "obligations": [
                 {"party": "sheriff", "text": "Screen at booking."}],
              "created_at": "2024-04-01T12:00:00Z",
              "sent_for_signature_at": "2024-05-01T12:00:00Z"},
             {"number": 2, "text": "Second text.", "obligations": [
                 {"party": "sheriff", "text": "Screen at booking."},
                 {"party": "omh", "text": "See flagged people within 24 hours."}],
              "created_at": "2024-05-10T12:00:00Z",
              "sent_for_signature_at": "2024-05-11T12:00:00Z"}],
         "signatures": [
             {"party": "sheriff", "person": "p-ortiz", "version": 1,
              "signed_at": "2024-05-02T14:00:00Z", "title": "Sheriff"},
             {"party": "omh", "person": "p-ruiz", "version": 2,
              "signed_at": "2024-05-20T14:02:00Z", "title": "Forensic Coordinator"},
             {"party": "sheriff", "person": "p-ortiz", "version": 2,
              "signed_at": "2024-05-21T09:30:00Z", "title": "Sheriff"}]},
        {"key": "mou-inreach-2", "title": "Jail in-reach protocol (amendment)",
         "committee": "cit", "status": "out_for_signature", "parties": ["omh", "sheriff"],
         "supersedes": "mou-inreach",
         "versions": [{"number": 1, "text": "Amended text.", "obligations": [],
                       "created_at": "2026-01-05T12:00:00Z",
                       "sent_for_signature_at": "2026-02-01T12:00:00Z"}],
         "signatures": [{"party": "omh", "person": "p-ruiz", "version": 1,
                         "signed_at": "2026-02-03T10:00:00Z"}]},
    ]
    return data


def mou(db, key):
    return db.session.scalar(select(Mou).where(Mou.key == key))


def test_mous_round_trip(db):
    report = imported(db, with_mous())
    assert report.created["mous"] == 2 and report.ignored == []
    assert canonical(export_county()) == canonical(with_mous())


def test_imported_signatures_form_a_chain_that_verifies(db):
    imported(db, with_mous())
    executed, amendment = mou(db, "mou-inreach"), mou(db, "mou-inreach-2")
    assert verify(executed).ok and verify(amendment).ok
    assert [e.auth_method for e in executed.events] == [IMPORT_METHOD] * 3
    assert executed.events[1].previous_sha256 == executed.events[0].event_sha256
    assert executed.chain_head == executed.events[-1].event_sha256
    assert set(executed.signed_parties()) == {a.id for a in executed.parties}
    assert amendment.supersedes is executed and executed.superseded_by == [amendment]
    assert executed.executed_at.isoformat() == "2024-05-21T09:30:00+00:00"


def test_a_second_import_changes_nothing(db):
    imported(db, with_mous())
    entries = db.session.scalar(select(func.count(AuditEntry.id)))
    events = db.session.scalar(select(func.count(SigningEvent.id)))
    versions = mou(db, "mou-inreach").version
    report = imported(db, with_mous())
    assert report.created["mous"] == 0 and report.updated["mous"] == 0
    assert report.unchanged["mous"] == 2
    assert db.session.scalar(select(func.count(AuditEntry.id))) == entries
    assert db.session.scalar(select(func.count(SigningEvent.id))) == events
    assert mou(db, "mou-inreach").version == versions


def test_a_new_signature_in_the_file_chains_on(db):
    imported(db, with_mous())
    data = with_mous()
    data["mous"][1]["status"] = "executed"
    data["mous"][1]["signatures"].append({"party": "sheriff", "person": "p-ortiz",
                                          "version": 1, "signed_at": "2026-02-04T10:00:00Z"})
    report = imported(db, data)
    assert report.updated["mous"] == 1
    assert verify(mou(db, "mou-inreach-2")).ok
    assert len(mou(db, "mou-inreach-2").events) == 2


def test_references_are_reported_with_their_json_paths(db):
    data = with_mous()
    first = data["mous"][0]
    first["committee"] = "nope"
    first["parties"] = ["omh", "sheriff", "ghost"]
    first["versions"][1]["obligations"].append({"party": "da", "text": "x"})
    first["signatures"][0]["person"] = "p-nobody"
    first["signatures"][1]["party"] = "da"
    first["signatures"][2]["version"] = 3
    data["mous"][1]["supersedes"] = "mou-missing"
    paths = [path for path, _ in problems_of(db, data)]
    assert paths == [
        "$.mous[0].committee", "$.mous[0].parties[2]",
        "$.mous[0].versions[1].obligations[2].party",
        "$.mous[0].signatures[0].person", "$.mous[0].signatures[1].party",
        "$.mous[0].signatures[2].version",
        "$.mous[0].signatures", "$.mous[0].signatures", "$.mous[0].signatures",
        "$.mous[1].supersedes"]


def test_domain_rules(db):
    data = with_mous()
    data["mous"][0]["versions"][1]["number"] = 3
    data["mous"][0]["signatures"].pop()  # executed without the sheriff on the last version
    data["mous"][1]["signatures"].append(dict(data["mous"][1]["signatures"][0]))
    data["mous"].append(dict(data["mous"][1]))
    problems = problems_of(db, data)
    assert [path for path, _ in problems] == [
        "$.mous[0].versions[1].number", "$.mous[0].signatures", "$.mous[1].signatures[1]",
        "$.mous[2].key", "$.mous[2].signatures[1]"]
    assert "“sheriff” has not signed version 2" in problems[1][1]


def test_a_signed_version_cannot_change_by_import(db):
    imported(db, with_mous())
    data = with_mous()
    data["mous"][0]["versions"][0]["text"] = "Quietly changed."
    assert [path for path, _ in problems_of(db, data)] == ["$.mous[0].versions[0]"]


def test_nothing_is_stored_when_an_mou_has_a_problem(db):
    data = with_mous()
    data["mous"][1]["parties"] = ["omh", "ghost"]
    problems_of(db, data)
    assert import_county(county()).ok


def test_the_demo_mous_verify_and_the_demo_head_executes_the_pending_one(db):
    from govtrack.accounts.models import Account
    from govtrack.demo import DEMO_LOGINS, DEMO_PASSWORD, load_demo
    from govtrack.mous.services import Signing, awaiting_signature, sign

    assert load_demo().ok
    db.session.commit()
    mous = {m.key: m for m in db.session.scalars(select(Mou))}
    assert all(verify(m).ok for m in mous.values())
    inreach = mous["mou-jail-inreach"]
    assert (inreach.status, len(inreach.parties)) == ("executed", 4)
    amendment = mous["mou-crisis-dropoff-2026"]
    assert (amendment.status, amendment.supersedes.status) == ("draft", "executed")
    head_email = next(x["email"] for x in DEMO_LOGINS if x["role"] == "Agency head")
    head = db.session.scalar(select(Account).where(Account.email == head_email))
    pending = mous["mou-pretrial-referral"]
    assert [(m.key, a.key) for m, a in awaiting_signature(head.person)] == [
        ("mou-pretrial-referral", "pd")]
    assert len(pending.signed_parties()) == 2
    sign(head, pending, head.person.agency, Signing(
        password=DEMO_PASSWORD, consent=True, name="Grace Okafor", title="Public Defender",
        document_sha256=pending.current.digest))
    db.session.commit()
    assert pending.status == "executed" and verify(pending).ok


# --- the signing record's refusals and voided signatures, the register, the terms ---------


def with_signing_record() -> dict:
    """with_mous, the amendment declined by the sheriff and revised: omh's signature voided."""
    data = with_mous()
    amendment = data["mous"][1]
    amendment.update(status="in_review", background="The 2024 protocol left out weekends.",
                     created_at="2025-12-20T09:00:00Z", signing_order=["sheriff", "omh"])
    amendment["versions"].append({"number": 2, "text": "Amended text, weekends too.",
                                  "obligations": [], "created_at": "2026-02-10T12:00:00Z"})
    amendment["signatures"][0]["signed_as"] = "authorised_signatory"
    amendment["declines"] = [{"party": "sheriff", "person": "p-ortiz", "version": 1,
                              "at": "2026-02-05T16:00:00Z", "reason": "Weekends are missing.",
                              "title": "Sheriff"}]
    amendment["voids"] = [{"party": "omh", "version": 1, "at": "2026-02-10T12:00:00Z",
                           "reason": "Version 2 replaces version 1."}]
    data["signatories"] = [
        {"agency": "omh", "person": "p-ruiz", "starts_on": "2025-01-01",
         "granted_by": "p-lee", "granted_at": "2024-12-20T10:00:00Z"},
        {"agency": "sheriff", "person": "p-ortiz", "mou": "mou-inreach-2",
         "starts_on": "2026-01-01", "ends_on": "2026-01-31", "ended_by": "p-ortiz",
         "ended_at": "2026-02-01T08:00:00Z"}]
    return data


def test_refusals_voids_order_and_register_round_trip(db):
    report = imported(db, with_signing_record())
    assert report.created["signatories"] == 2
    assert canonical(export_county()) == canonical(with_signing_record())
    amendment = mou(db, "mou-inreach-2")
    assert [e.kind for e in amendment.events] == ["signed", "declined", "voided"]
    assert [a.key for a in amendment.parties] == ["sheriff", "omh"]
    assert amendment.signed_parties() == {}
    assert verify(amendment).ok


def test_a_second_import_of_the_signing_record_changes_nothing(db):
    imported(db, with_signing_record())
    entries = db.session.scalar(select(func.count(AuditEntry.id)))
    events = db.session.scalar(select(func.count(SigningEvent.id)))
    report = imported(db, with_signing_record())
    assert not any(report.created.values()) and not any(report.updated.values())
    assert db.session.scalar(select(func.count(AuditEntry.id))) == entries
    assert db.session.scalar(select(func.count(SigningEvent.id))) == events


def test_files_without_the_optional_fields_give_the_defaults(db):
    imported(db, with_mous())
    amendment = mou(db, "mou-inreach-2")
    assert (amendment.background, amendment.signing_in_order) == ("", False)
    # when an MOU began is its first version's created_at, not the moment of import
    assert amendment.created_at.isoformat() == "2026-01-05T12:00:00+00:00"
    assert "signatories" not in export_county()


def test_bad_references_of_the_signing_record_are_reported_with_their_paths(db):
    data = with_signing_record()
    amendment = data["mous"][1]
    amendment["signing_order"] = ["sheriff", "da"]
    amendment["declines"][0].update(party="da", person="p-nobody", version=3)
    amendment["voids"][0].update(party="sheriff", person="p-nobody")
    data["signatories"][0].update(agency="ghost", person="p-nobody", granted_by="p-nobody")
    data["signatories"][1].update(mou="mou-nope", ended_by="p-nobody")
    data["signatories"].append(dict(data["signatories"][1], mou="mou-inreach-2"))
    data["signatories"][2]["agency"] = "omh"
    data["signatories"][2]["ends_on"] = "2025-12-31"
    paths = [path for path, _ in problems_of(db, data)]
    assert paths == [
        "$.mous[1].signing_order", "$.mous[1].declines[0].party",
        "$.mous[1].declines[0].person", "$.mous[1].declines[0].version",
        "$.mous[1].voids[0].person", "$.mous[1].voids[0]",
        "$.signatories[0].agency", "$.signatories[0].person", "$.signatories[0].granted_by",
        "$.signatories[1].ended_by", "$.signatories[1].mou", "$.signatories[2].ended_by",
        "$.signatories[2].ends_on"]


def test_the_same_authorisation_twice_is_refused(db):
    data = with_signing_record()
    data["signatories"].append(dict(data["signatories"][0], ends_on="2025-06-30"))
    assert problems_of(db, data)[0][0] == "$.signatories[2]"


def test_an_authorisation_for_an_mou_its_agency_is_no_party_of_is_refused(db):
    data = with_signing_record()
    data["agencies"].append({"key": "da", "name": "District Attorney", "sector": "prosecution"})
    data["people"].append({"key": "p-diaz", "name": "Lu Diaz", "agency": "da"})
    data["signatories"][1].update(agency="da", person="p-diaz")
    assert problems_of(db, data) == [
        ("$.signatories[1].mou", "“da” is not a party of the MOU “mou-inreach-2”")]


def test_the_register_follows_the_file_and_keeps_what_it_leaves_out(db):
    imported(db, with_signing_record())
    data = with_signing_record()
    data["signatories"][0].update(ends_on="2026-03-31", ended_by="p-lee",
                                  ended_at="2026-03-01T09:00:00Z")
    del data["signatories"][1]
    report = imported(db, data)
    assert (report.updated["signatories"], report.unchanged["signatories"]) == (1, 0)
    register = export_county()["signatories"]
    assert len(register) == 2 and register[0]["ends_on"] == "2026-03-31"


def test_a_void_needs_an_earlier_signature_to_void(db):
    data = with_signing_record()
    data["mous"][1]["voids"][0]["at"] = "2026-02-01T00:00:00Z"  # before omh signed
    assert problems_of(db, data) == [
        ("$.mous[1].voids[0]", "“omh” has no signature of version 1 before this time to void")]


def test_a_voided_signature_does_not_execute_an_mou(db):
    data = with_mous()
    data["mous"][0]["voids"] = [{"party": "omh", "version": 2, "at": "2024-05-25T12:00:00Z"}]
    problems = problems_of(db, data)
    assert problems == [("$.mous[0].signatures",
                         "an executed MOU needs every party's signature of its last version; "
                         "“omh” has not signed version 2")]


def test_changed_terms_refresh_a_version_nobody_signed(db):
    data = with_mous()
    data["mous"][1].update(status="in_review", signatures=[])
    imported(db, data)
    data["mous"][1].update(title="Jail in-reach protocol, amended", purpose="Weekends too.",
                           expires="2028-05-31", background="Weekends were left out.")
    data["mous"][1]["versions"][0]["text"] = "Amended text, weekends too."
    report = imported(db, data)
    assert report.updated["mous"] == 1
    amendment = mou(db, "mou-inreach-2")
    assert amendment.current.text == "Amended text, weekends too."
    assert amendment.current.terms == terms_of(amendment)
    assert amendment.current.terms["expires"] == "2028-05-31"
    assert verify(amendment).ok
    assert imported(db, data).updated["mous"] == 0


def test_the_terms_of_a_signed_version_cannot_change_by_import(db):
    imported(db, with_mous())
    data = with_mous()
    data["mous"][1]["expires"] = "2029-01-31"
    problems = problems_of(db, data)
    assert [path for path, _ in problems] == ["$.mous[1]"]
    assert "(expires)" in problems[0][1]


def test_a_signing_record_made_in_the_app_exports_and_imports_unchanged(make, db):
    from govtrack.mous import services
    from tests.factories import PASSWORD
    from tests.mous.factories import make_authorisation, make_mou, sign_as

    cast = make.cast()
    mou_ = make_mou(cast)
    make_authorisation(cast, mou=mou_)
    head = cast["head"]
    services.decline(head, mou_, head.person.agency, "Not yet.", services.Signing(
        password=PASSWORD, consent=True, name="", title="",
        document_sha256=mou_.current.digest))
    db.session.commit()
    services.update_mou(cast["admin"], mou_, None, title=mou_.title, purpose="Weekends too.",
                        background="", text=mou_.current.text,
                        obligations={o["party"]: o["text"] for o in mou_.current.obligations},
                        signing_in_order=True,
                        positions={a.id: 1 if a is head.person.agency else 2
                                   for a in mou_.parties})
    services.change_status(cast["admin"], mou_, "out_for_signature")
    db.session.commit()
    sign_as(head, mou_, head.person.agency)
    db.session.commit()
    document = export_county()
    record = next(m for m in document["mous"] if m["key"] == mou_.key)
    assert record["declines"][0]["reason"] == "Not yet."
    assert record["signing_order"] and record["signatures"][0]["signed_as"] == "head"
    assert document["signatories"][0]["mou"] == mou_.key
    entries = db.session.scalar(select(func.count(AuditEntry.id)))
    report = imported(db, document)
    assert not any(report.created.values()) and not any(report.updated.values())
    assert db.session.scalar(select(func.count(AuditEntry.id))) == entries
    assert canonical(export_county()) == canonical(document)


def test_a_signature_voided_and_given_again_executes_the_mou_and_verifies(db):
    data = with_mous()
    first = data["mous"][0]
    first["voids"] = [{"party": "sheriff", "version": 2, "at": "2024-05-22T09:00:00Z",
                       "reason": "Signed with the wrong title."}]
    first["signatures"].append({"party": "sheriff", "person": "p-ortiz", "version": 2,
                                "signed_at": "2024-05-23T10:00:00Z", "title": "Sheriff"})
    imported(db, data)
    executed = mou(db, "mou-inreach")
    assert executed.executed_at.isoformat() == "2024-05-23T10:00:00+00:00"
    assert verify(executed).ok
    assert canonical(export_county()) == canonical(data)


def test_the_signing_record_export_validates_against_the_schema(db):
    from jsonschema import Draft202012Validator, FormatChecker

    from govtrack.county.services import load_schema

    imported(db, with_signing_record())
    validator = Draft202012Validator(load_schema(), format_checker=FormatChecker())
    assert list(validator.iter_errors(export_county())) == []


def with_fractions() -> dict:
    """with_signing_record, its events timed to fractions of a second as another tool keeps them."""
    data = with_signing_record()
    amendment = data["mous"][1]
    amendment["signatures"][0]["signed_at"] = "2026-02-03T10:00:00.250000Z"
    amendment["declines"][0]["at"] = "2026-02-05T16:00:00.999999Z"
    amendment["voids"][0]["at"] = "2026-02-10T12:00:00.000001Z"
    return data


def test_signing_record_times_keep_their_fractions_of_a_second(db):
    imported(db, with_fractions())
    exported = export_county()
    assert canonical(exported) == canonical(with_fractions())
    amendment = next(m for m in exported["mous"] if m["key"] == "mou-inreach-2")
    assert (amendment["signatures"][0]["signed_at"], amendment["declines"][0]["at"],
            amendment["voids"][0]["at"]) == ("2026-02-03T10:00:00.250000Z",
                                             "2026-02-05T16:00:00.999999Z",
                                             "2026-02-10T12:00:00.000001Z")
    assert verify(mou(db, "mou-inreach-2")).ok
    events = db.session.scalar(select(func.count(SigningEvent.id)))
    again = imported(db, exported)
    assert not any(again.created.values()) and not any(again.updated.values())
    assert db.session.scalar(select(func.count(SigningEvent.id))) == events


def test_events_an_earlier_import_stored_to_the_second_are_not_added_again(db):
    imported(db, with_signing_record())
    events = db.session.scalar(select(func.count(SigningEvent.id)))
    report = imported(db, with_fractions())
    assert not any(report.created.values()) and not any(report.updated.values())
    assert db.session.scalar(select(func.count(SigningEvent.id))) == events
