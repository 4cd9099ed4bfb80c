"""MOUs in the county file: the top-level "mous" array.

An MOU is written with its versions (text and each party's obligations) and
the signatures of its signing record. Import stores history as it is: a
signature of the file becomes a "signed" event of the MOU's hash chain, dated
when it was signed, with the authentication method "import" (nobody
re-authenticated in govtrack for it) and the same SHA-256 links as a
signature made in the app, so `verify()` holds for imported MOUs and a later
signature in the app chains on to them.

MOUs are matched by key, versions by number and signatures by (party, version,
signed_at); an import never deletes an MOU, a version or a signing event (the
chain is append-only), and never changes the text of a version someone signed.
"""

from datetime import UTC, date, datetime

from sqlalchemy import select

from govtrack.agencies.models import Agency
from govtrack.committees.models import Committee
from govtrack.county.sections import TopLevelSection, assign_changes, utc_text
from govtrack.extensions import db
from govtrack.mous.models import EXECUTED_STATUSES, Mou, MouVersion, terms_of
from govtrack.mous.services import _append_event, intent_statement, mou_loading

#: what an imported signature's event records as its authentication
IMPORT_METHOD = "import"


def _when(value: str | None) -> datetime | None:
    """An instant of the file in UTC, to the second (as signing events store it)."""
    if value is None:
        return None
    parsed = datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    return parsed.astimezone(UTC).replace(microsecond=0)


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _set(record: dict) -> dict:
    return {name: value for name, value in record.items() if value not in (None, "")}


# --- export -------------------------------------------------------------------------


def _stored() -> list[Mou]:
    return list(db.session.scalars(select(Mou).order_by(Mou.key).options(*mou_loading())))


def _mou_record(mou: Mou) -> dict:
    record = _set({
        "key": mou.key, "title": mou.title, "purpose": mou.purpose,
        "committee": mou.committee.key if mou.committee else None, "status": mou.status,
        "parties": sorted(a.key for a in mou.parties),
        "effective": mou.effective.isoformat() if mou.effective else None,
        "expires": mou.expires.isoformat() if mou.expires else None,
        "review": mou.review.isoformat() if mou.review else None,
        "supersedes": mou.supersedes.key if mou.supersedes else None})
    record["versions"] = [_set({
        "number": v.number, "text": v.text, "obligations": list(v.obligations or []),
        "created_at": utc_text(v.created_at),
        "sent_for_signature_at": utc_text(v.sent_for_signature_at)
        if v.sent_for_signature_at else None}) | {"text": v.text} for v in mou.versions]
    signed = sorted((e for e in mou.events if e.kind == "signed"),
                    key=lambda e: (e.at, e.agency.key))
    record["signatures"] = [_set({
        "party": e.agency.key, "person": e.person.key if e.person else None,
        "version": e.version_number, "signed_at": utc_text(e.at), "title": e.signer_title})
        for e in signed]
    return record


def export() -> list[dict]:
    """Every MOU, by key."""
    return [_mou_record(m) for m in _stored()]


# --- check --------------------------------------------------------------------------


def check(data: dict, known, report) -> None:
    """References (committee, parties, supersedes, signatures) and the domain rules."""
    entries = data.get("mous", [])
    if not entries:
        return
    stored = {m.key: m for m in db.session.scalars(
        select(Mou).where(Mou.key.in_([e["key"] for e in entries])).options(*mou_loading()))}
    mou_keys = set(db.session.scalars(select(Mou.key))) | {e["key"] for e in entries}
    committee_keys = (set(db.session.scalars(select(Committee.key)))
                      | {c["key"] for c in data["committees"]})
    first: dict[str, int] = {}
    for n, entry in enumerate(entries):
        path = f"$.mous[{n}]"
        key = entry["key"]
        if key in first:
            report.problem(f"{path}.key", f"duplicate key “{key}”, also at $.mous[{first[key]}]")
        else:
            first[key] = n
        _check_mou(entry, path, known, report, committee_keys, mou_keys, stored.get(key))


def _check_mou(entry: dict, path: str, known, report, committee_keys: set[str],
               mou_keys: set[str], stored: Mou | None) -> None:
    committee = entry.get("committee")
    if committee and committee not in committee_keys:
        report.problem(f"{path}.committee", f"no committee has key “{committee}”")
    parties = entry["parties"]
    seen: set[str] = set()
    for m, party in enumerate(parties):
        if party not in known.agency_keys:
            report.problem(f"{path}.parties[{m}]", f"no agency has key “{party}”")
        if party in seen:
            report.problem(f"{path}.parties[{m}]", f"“{party}” is listed twice")
        seen.add(party)
    supersedes = entry.get("supersedes")
    if supersedes == entry["key"]:
        report.problem(f"{path}.supersedes", "an MOU cannot supersede itself")
    elif supersedes and supersedes not in mou_keys:
        report.problem(f"{path}.supersedes", f"no MOU has key “{supersedes}”")
    effective, expires = _day(entry.get("effective")), _day(entry.get("expires"))
    if effective and expires and expires < effective:
        report.problem(f"{path}.expires", "The MOU cannot expire before it takes effect.")
    versions = entry["versions"]
    for m, version in enumerate(versions):
        if version["number"] != m + 1:
            report.problem(f"{path}.versions[{m}].number",
                           f"versions are numbered 1 to {len(versions)} in order; "
                           f"expected {m + 1}")
        for o, obligation in enumerate(version["obligations"]):
            if obligation["party"] not in seen:
                report.problem(f"{path}.versions[{m}].obligations[{o}].party",
                               f"“{obligation['party']}” is not a party of this MOU")
    signed: dict[tuple[str, int], int] = {}
    for m, signature in enumerate(entry.get("signatures", [])):
        spath = f"{path}.signatures[{m}]"
        party, person = signature["party"], signature["person"]
        if party not in seen:
            report.problem(f"{spath}.party", f"“{party}” is not a party of this MOU")
        if person not in known.person_agency:
            report.problem(f"{spath}.person", f"no person has key “{person}”")
        if not 1 <= signature["version"] <= len(versions):
            report.problem(f"{spath}.version",
                           f"the MOU has no version {signature['version']}")
        pair = (party, signature["version"])
        if pair in signed:
            report.problem(spath, f"“{party}” signed version {pair[1]} already at "
                                  f"{path}.signatures[{signed[pair]}]")
        else:
            signed[pair] = m
    if entry["status"] in EXECUTED_STATUSES:
        last = len(versions)
        for party in parties:
            if (party, last) not in signed:
                report.problem(f"{path}.signatures",
                               f"an {entry['status']} MOU needs every party's signature of "
                               f"its last version; “{party}” has not signed version {last}")
    if stored is not None:
        _check_signed_text(entry, path, stored, report)


def _check_signed_text(entry: dict, path: str, stored: Mou, report) -> None:
    """A version someone signed keeps its text: the signature binds to its hash."""
    signed_numbers = {e.version_number for e in stored.events if e.kind == "signed"}
    for m, version in enumerate(entry["versions"]):
        existing = next((v for v in stored.versions if v.number == version["number"]), None)
        if existing is None or existing.number not in signed_numbers:
            continue
        if (existing.text != version["text"]
                or (existing.obligations or []) != version["obligations"]):
            report.problem(f"{path}.versions[{m}]",
                           f"version {existing.number} was signed; its text and "
                           "obligations cannot change (amend the MOU instead)")


# --- store --------------------------------------------------------------------------


def store(writer, data: dict) -> None:
    """Upsert MOUs by key, then link supersedes, then append the new signatures."""
    entries = data.get("mous", [])
    if not entries:
        return
    mous = {m.key: m for m in db.session.scalars(select(Mou).options(*mou_loading()))}
    committees = {c.key: c for c in db.session.scalars(select(Committee))}
    committees |= {o.key: o for o in db.session.new if isinstance(o, Committee)}
    pending: list[tuple[Mou, dict, dict]] = []
    for entry in entries:
        values = {"title": entry["title"], "purpose": entry.get("purpose", ""),
                  "status": entry["status"], "effective": _day(entry.get("effective")),
                  "expires": _day(entry.get("expires")), "review": _day(entry.get("review"))}
        committee = committees.get(entry["committee"]) if entry.get("committee") else None
        parties = sorted((writer.agencies[k] for k in entry["parties"]), key=lambda a: a.key)
        mou = mous.get(entry["key"])
        if mou is None:
            mou = mous[entry["key"]] = Mou(key=entry["key"], committee=committee,
                                           parties=parties, **values)
            writer.create(mou, "mous", committee)
            changes = {}
        else:
            changes = assign_changes(mou, values)
            if mou.committee is not committee:
                changes["committee"] = [mou.committee.key if mou.committee else None,
                                        entry.get("committee")]
                mou.committee = committee
            if {a.key for a in mou.parties} != set(entry["parties"]):
                changes["parties"] = [sorted(a.key for a in mou.parties),
                                      sorted(entry["parties"])]
                mou.parties = parties
        changes |= _versions(mou, entry["versions"])
        pending.append((mou, entry, changes))
    # Supersedes may name an MOU later in the file, so links follow the upserts.
    for mou, entry, changes in pending:
        supersedes = mous.get(entry["supersedes"]) if entry.get("supersedes") else None
        if mou.supersedes is not supersedes:
            if mou.id is not None:
                changes["supersedes"] = [mou.supersedes.key if mou.supersedes else None,
                                         entry.get("supersedes")]
            mou.supersedes = supersedes
        added = _signatures(mou, entry, writer)
        if added and mou.id is not None:
            changes["signatures"] = [None, added]
        if mou.status in EXECUTED_STATUSES and mou.executed_at is None:
            last = [e.at for e in mou.events
                    if e.kind == "signed" and e.version_number == len(mou.versions)]
            mou.executed_at = max(last) if last else None
        if mou.id is not None:
            writer.updated(mou, "mous", changes, mou.committee)


def _versions(mou: Mou, entries: list[dict]) -> dict:
    changes = {}
    by_number = {v.number: v for v in mou.versions}
    for entry in entries:
        values = {"text": entry["text"], "obligations": list(entry["obligations"]),
                  "created_at": _when(entry["created_at"]),
                  "sent_for_signature_at": _when(entry.get("sent_for_signature_at"))}
        version = by_number.get(entry["number"])
        if version is None:
            mou.versions.append(MouVersion(number=entry["number"], terms=terms_of(mou),
                                           **values))
            if mou.id is not None:
                changes[f"version {entry['number']}"] = [None, "added"]
        else:
            for name, pair in assign_changes(version, values).items():
                changes[f"version {entry['number']} {name}"] = pair
    return changes


def _signatures(mou: Mou, entry: dict, writer) -> list[str]:
    """Append the file's signatures the chain lacks, oldest first; return what was added."""
    existing = {(e.agency.key, e.version_number, e.at) for e in mou.events
                if e.kind == "signed"}
    versions = {v.number: v for v in mou.versions}
    added = []
    for signature in sorted(entry.get("signatures", []),
                            key=lambda s: (_when(s["signed_at"]), s["party"])):
        at = _when(signature["signed_at"])
        if (signature["party"], signature["version"], at) in existing:
            continue
        agency: Agency = writer.agencies[signature["party"]]
        person = writer.people[signature["person"]]
        _append_event(mou, versions[signature["version"]], "signed", agency, person=person,
                      at=at, signer_name=person.name,
                      signer_title=signature.get("title", ""), auth_method=IMPORT_METHOD,
                      intent=intent_statement(agency))
        added.append(f"{agency.key} v{signature['version']}")
    return added


SECTION = TopLevelSection(name="mous", export=export, check=check, store=store)
