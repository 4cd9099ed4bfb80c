"""MOUs in the county file: round trip, references with their JSON paths, idempotence."""

from sqlalchemy import func, select

from govtrack.audit.models import AuditEntry
from govtrack.county.services import export_county, import_county
from govtrack.mous.county import IMPORT_METHOD
from govtrack.mous.models import Mou, SigningEvent
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
