"""MOUs in the county file: the top-level "mous" array.

An MOU is written with its versions (text and each party's obligations) and
the signatures of its signing record. Import stores history as it is: a
signature of the file becomes a "signed" event of the MOU's hash chain, dated
when it was signed, with the authentication method "import" (nobody
re-authenticated in govtrack for it) and the same SHA-256 links as a
signature made in the app, so `verify()` holds for imported MOUs and a later
signature in the app chains on to them.

The signing record's refusals (`declines`) and voided signatures (`voids`)
are carried the same way, each a link of the chain in time order with the
signatures. An MOU's `created_at` is when it began (a renewal counts from it,
DESIGN.md "expiring"): the file may give it; without it, it is the first
version's created_at, never the moment of import. `background` and
`signing_order` (the parties in the order they sign, when they sign one after
another) complete the terms.

MOUs are matched by key, versions by number and signing events by (kind,
party, version, time); an import never deletes an MOU, a version or a signing
event (the chain is append-only), and never changes the text or the terms of
a version someone signed or declined. A version nobody signed follows the
file: its text, obligations and terms (title, purpose, background, dates,
parties) are refreshed, so the signing record still verifies.

The register of signatories (`signatories`, a top-level array of its own) is
matched by (agency, person, mou, starts_on) and never deleted from, like the
register itself.
"""

from datetime import UTC, date, datetime, time

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from govtrack.agencies.models import Agency
from govtrack.committees.models import Committee
from govtrack.county.sections import TopLevelSection, assign_changes, instant, utc_text
from govtrack.extensions import db
from govtrack.mous.models import (
    CANONICAL_FORMAT,
    EXECUTED_STATUSES,
    Mou,
    MouVersion,
    SignatoryAuthorisation,
    mou_party,
    terms_of,
)
from govtrack.mous.services import _append_event, intent_statement, mou_loading

#: what an imported signature's event records as its authentication
IMPORT_METHOD = "import"


def _when(value: str | None) -> datetime | None:
    """An instant of the file in UTC, to the microsecond (the file's record is kept as it is)."""
    if value is None:
        return None
    parsed = datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    return parsed.astimezone(UTC)


def _matching_time(at: datetime) -> datetime:
    """How an event's time is matched: to the second, so an event an earlier import
    stored without its fraction of a second is still the file's event, not a new one."""
    return at.replace(microsecond=0)


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _set(record: dict) -> dict:
    return {name: value for name, value in record.items() if value not in (None, "")}


#: the file's array of each kind of signing event, and the field of its time
EVENT_ARRAYS = {"signed": ("signatures", "signed_at"), "declined": ("declines", "at"),
                "voided": ("voids", "at")}


def _began(entry: dict) -> datetime:
    """When the MOU began: the file's created_at, else its first version's."""
    if entry.get("created_at"):
        return instant(entry["created_at"])
    return min(instant(v["created_at"]) for v in entry["versions"])


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
        "supersedes": mou.supersedes.key if mou.supersedes else None,
        "background": mou.background})
    if mou.versions and mou.created_at != min(v.created_at for v in mou.versions):
        record["created_at"] = utc_text(mou.created_at)
    if mou.signing_in_order:
        record["signing_order"] = [a.key for a in mou.parties]
    record["versions"] = [_set({
        "number": v.number, "text": v.text, "obligations": list(v.obligations or []),
        "created_at": utc_text(v.created_at),
        "sent_for_signature_at": utc_text(v.sent_for_signature_at)
        if v.sent_for_signature_at else None}) | {"text": v.text} for v in mou.versions]
    record["signatures"] = [_set({
        "party": e.agency.key, "person": e.person.key if e.person else None,
        "version": e.version_number, "signed_at": utc_text(e.at), "title": e.signer_title,
        "signed_as": e.signed_as}) for e in _events(mou, "signed")]
    declines = [_set({
        "party": e.agency.key, "person": e.person.key if e.person else None,
        "version": e.version_number, "at": utc_text(e.at), "reason": e.reason,
        "title": e.signer_title}) for e in _events(mou, "declined")]
    voids = [_set({
        "party": e.agency.key, "person": e.person.key if e.person else None,
        "version": e.version_number, "at": utc_text(e.at), "reason": e.reason})
        for e in _events(mou, "voided")]
    record.update(_set({"declines": declines or None, "voids": voids or None}))
    return record


def _events(mou: Mou, kind: str) -> list:
    return sorted((e for e in mou.events if e.kind == kind), key=lambda e: (e.at, e.agency.key))


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
    order = entry.get("signing_order")
    if order is not None and sorted(order) != sorted(parties):
        report.problem(f"{path}.signing_order",
                       "the signing order lists every party of the MOU once")
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
    for array, _ in EVENT_ARRAYS.values():
        for m, event in enumerate(entry.get(array, [])):
            spath = f"{path}.{array}[{m}]"
            if event["party"] not in seen:
                report.problem(f"{spath}.party", f"“{event['party']}” is not a party of this MOU")
            person = event.get("person")
            if person is not None and person not in known.person_agency:
                report.problem(f"{spath}.person", f"no person has key “{person}”")
            if not 1 <= event["version"] <= len(versions):
                report.problem(f"{spath}.version", f"the MOU has no version {event['version']}")
    signed = _check_signing_record(entry, path, report)
    if entry["status"] in EXECUTED_STATUSES:
        last = len(versions)
        for party in parties:
            if (party, last) not in signed:
                report.problem(f"{path}.signatures",
                               f"an {entry['status']} MOU needs every party's signature of "
                               f"its last version; “{party}” has not signed version {last}")
    if stored is not None:
        _check_signed_text(entry, path, stored, report)
        _check_signed_terms(entry, path, stored, report)


def _check_signing_record(entry: dict, path: str, report) -> set[tuple[str, int]]:
    """Signatures and voids in time order: a party signs a version once (unless voided),
    and only a signature given earlier is voided. Returns the (party, version) pairs
    whose signature holds at the end."""
    events = sorted(
        ((_when(e[field]), kind, m, e) for kind, (array, field) in EVENT_ARRAYS.items()
         if kind != "declined" for m, e in enumerate(entry.get(array, []))),
        key=lambda item: (item[0], item[1] == "voided", item[2]))
    holding: dict[tuple[str, int], int] = {}
    for _, kind, m, event in events:
        pair = (event["party"], event["version"])
        if kind == "signed":
            if pair in holding:
                report.problem(f"{path}.signatures[{m}]",
                               f"“{pair[0]}” signed version {pair[1]} already at "
                               f"{path}.signatures[{holding[pair]}]")
            else:
                holding[pair] = m
        elif holding.pop(pair, None) is None:
            report.problem(f"{path}.voids[{m}]",
                           f"“{pair[0]}” has no signature of version {pair[1]} before "
                           "this time to void")
    return set(holding)


def _file_terms(entry: dict) -> dict:
    """The terms a version states, as the file gives them (party names aside)."""
    return {"title": entry["title"], "purpose": entry.get("purpose", ""),
            "background": entry.get("background", ""), "effective": entry.get("effective"),
            "expires": entry.get("expires"), "review": entry.get("review"),
            "parties": sorted(entry["parties"])}


def _version_terms(version: MouVersion) -> dict | None:
    terms = version.terms
    if terms is None:
        return None
    return dict(terms, parties=sorted(p["key"] for p in terms["parties"]))


def _check_signed_terms(entry: dict, path: str, stored: Mou, report) -> None:
    """The terms of a stored current version someone signed or declined stay as they are."""
    if not stored.versions:
        return
    current = stored.versions[-1]
    if len(entry["versions"]) != current.number:
        return  # the file adds a version: the new one states the new terms
    if not any(e.version_number == current.number for e in stored.events):
        return
    before = _version_terms(current)
    if before is not None and before != _file_terms(entry):
        changed = sorted(name for name, value in _file_terms(entry).items()
                         if before.get(name) != value)
        report.problem(path, f"version {current.number} was signed or declined; its terms "
                             f"({', '.join(changed)}) cannot change: add a version, or "
                             "amend the MOU")


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
    orders: list[tuple[Mou, list[str]]] = []
    for entry in entries:
        values = {"title": entry["title"], "purpose": entry.get("purpose", ""),
                  "background": entry.get("background", ""),
                  "status": entry["status"], "effective": _day(entry.get("effective")),
                  "expires": _day(entry.get("expires")), "review": _day(entry.get("review")),
                  "created_at": _began(entry)}
        committee = committees.get(entry["committee"]) if entry.get("committee") else None
        parties = sorted((writer.agencies[k] for k in entry["parties"]), key=lambda a: a.key)
        mou = mous.get(entry["key"])
        order_before = (_order(mou) if mou is not None else None)
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
        order = entry.get("signing_order")
        if order != order_before:
            if mou.id is not None:
                changes["signing_order"] = [order_before, order]
            mou.signing_in_order = order is not None
            orders.append((mou, order or entry["parties"]))
        pending.append((mou, entry, changes))
    # Supersedes may name an MOU later in the file, so links follow the upserts.
    for mou, entry, changes in pending:
        supersedes = mous.get(entry["supersedes"]) if entry.get("supersedes") else None
        if mou.supersedes is not supersedes:
            if mou.id is not None:
                changes["supersedes"] = [mou.supersedes.key if mou.supersedes else None,
                                         entry.get("supersedes")]
            mou.supersedes = supersedes
        added = _signing_events(mou, entry, writer)
        if added and mou.id is not None:
            changes["signing_record"] = [None, added]
        if mou.status in EXECUTED_STATUSES and mou.executed_at is None:
            last = _holding_signatures(mou, len(mou.versions))
            mou.executed_at = max(last.values()) if last else None
        if mou.id is not None:
            writer.updated(mou, "mous", changes, mou.committee)
    if orders:
        _write_orders(orders, writer)


def _holding_signatures(mou: Mou, number: int) -> dict[str, datetime]:
    """party key -> time of its signature of version number that no later void undid.

    Read from the chain in the order it was written (new versions have no id yet,
    so Mou.signed_parties cannot match them).
    """
    holding: dict[str, datetime] = {}
    for event in mou.events:
        if event.version_number != number:
            continue
        if event.kind == "signed":
            holding[event.agency.key] = event.at
        elif event.kind == "voided":
            holding.pop(event.agency.key, None)
    return holding


def _order(mou: Mou) -> list[str] | None:
    """The parties' keys in signing order, or None when they sign in any order."""
    return [a.key for a in mou.parties] if mou.signing_in_order else None


def _write_orders(orders: list[tuple[Mou, list[str]]], writer) -> None:
    """Each party's place in the signing order (0 for all without one), once ids exist."""
    db.session.flush()
    for mou, keys in orders:
        for n, key in enumerate(keys, start=1):
            agency = writer.agencies[key]
            db.session.execute(update(mou_party).where(
                mou_party.c.mou_id == mou.id, mou_party.c.agency_id == agency.id)
                .values(position=n if mou.signing_in_order else 0))
        db.session.expire(mou, ["parties"])


def _versions(mou: Mou, entries: list[dict]) -> dict:
    """Match versions by number; a version no event binds to states the MOU's terms now.

    The terms are refreshed as update_mou refreshes a draft's: the check refused
    a change to a version someone signed or declined, whose hash must hold.
    """
    changes = {}
    by_number = {v.number: v for v in mou.versions}
    bound = {e.version_number for e in mou.events}
    for entry in entries:
        # to the microsecond: a version written in the app is, and the round trip is lossless
        values = {"text": entry["text"], "obligations": list(entry["obligations"]),
                  "created_at": instant(entry["created_at"]),
                  "sent_for_signature_at": instant(entry.get("sent_for_signature_at"))}
        version = by_number.get(entry["number"])
        if version is None:
            mou.versions.append(MouVersion(number=entry["number"], terms=terms_of(mou),
                                           **values))
            if mou.id is not None:
                changes[f"version {entry['number']}"] = [None, "added"]
        else:
            if version.number not in bound:
                values |= {"terms": terms_of(mou), "canonical_format": CANONICAL_FORMAT}
            for name, pair in assign_changes(version, values).items():
                changes[f"version {entry['number']} {name}"] = pair
    return changes


def _signing_events(mou: Mou, entry: dict, writer) -> list[str]:
    """Append the file's signing events the chain lacks, oldest first; return what was added.

    At the same instant a signature comes before a refusal and a refusal before
    a void, the order in which they can happen.
    """
    existing = {(e.kind, e.agency.key, e.version_number, _matching_time(e.at))
                for e in mou.events}
    versions = {v.number: v for v in mou.versions}
    ranks = list(EVENT_ARRAYS)
    wanted = sorted(((_when(e[field]), ranks.index(kind), e["party"], kind, e)
                     for kind, (array, field) in EVENT_ARRAYS.items()
                     for e in entry.get(array, [])), key=lambda item: item[:3])
    added = []
    for at, _, party, kind, event in wanted:
        if (kind, party, event["version"], _matching_time(at)) in existing:
            continue
        agency: Agency = writer.agencies[party]
        person = writer.people[event["person"]] if event.get("person") else None
        fields = {"signer_name": person.name if person else "",
                  "signer_title": event.get("title", ""), "reason": event.get("reason", "")}
        if kind == "signed":
            fields |= {"auth_method": IMPORT_METHOD, "intent": intent_statement(agency),
                       "signed_as": event.get("signed_as", "")}
        elif kind == "declined":
            fields["auth_method"] = IMPORT_METHOD
        _append_event(mou, versions[event["version"]], kind, agency, person=person, at=at,
                      as_recorded=True, **fields)
        added.append(f"{kind} {agency.key} v{event['version']}")
    return added


SECTION = TopLevelSection(name="mous", export=export, check=check, store=store)


# --- the register of signatories ----------------------------------------------------


def _granted_on(starts_on: date) -> datetime:
    """When an authorisation the file does not date was granted: its first day, 00:00 UTC."""
    return datetime.combine(starts_on, time(), tzinfo=UTC)


def _authorisation_key(authorisation: SignatoryAuthorisation) -> tuple:
    return (authorisation.agency.key, authorisation.person.key,
            authorisation.mou.key if authorisation.mou else None, authorisation.starts_on)


def _entry_key(entry: dict) -> tuple:
    return (entry["agency"], entry["person"], entry.get("mou"),
            date.fromisoformat(entry["starts_on"]))


def _authorisation_record(authorisation: SignatoryAuthorisation) -> dict:
    record = _set({
        "agency": authorisation.agency.key, "person": authorisation.person.key,
        "mou": authorisation.mou.key if authorisation.mou else None,
        "starts_on": authorisation.starts_on.isoformat(),
        "ends_on": authorisation.ends_on.isoformat() if authorisation.ends_on else None,
        "granted_by": authorisation.granted_by.key if authorisation.granted_by else None,
        "ended_by": authorisation.ended_by.key if authorisation.ended_by else None,
        "ended_at": utc_text(authorisation.ended_at)})
    if authorisation.created_at != _granted_on(authorisation.starts_on):
        record["granted_at"] = utc_text(authorisation.created_at)
    return record


def _register() -> list[SignatoryAuthorisation]:
    return list(db.session.scalars(select(SignatoryAuthorisation).options(
        selectinload(SignatoryAuthorisation.agency), selectinload(SignatoryAuthorisation.person),
        selectinload(SignatoryAuthorisation.mou),
        selectinload(SignatoryAuthorisation.granted_by),
        selectinload(SignatoryAuthorisation.ended_by))))


def export_signatories() -> list[dict]:
    """The whole register, by agency, first day, person and MOU."""
    return [_authorisation_record(a) for a in sorted(
        _register(), key=lambda a: (a.agency.key, a.starts_on, a.person.key,
                                    a.mou.key if a.mou else ""))]


def check_signatories(data: dict, known, report) -> None:
    """People, agencies and MOUs exist; an MOU-bound authorisation names a party's MOU."""
    entries = data.get("signatories", [])
    if not entries:
        return
    parties = {m.key: {a.key for a in m.parties} for m in db.session.scalars(
        select(Mou).options(selectinload(Mou.parties)))}
    parties |= {e["key"]: set(e["parties"]) for e in data.get("mous", [])}
    first: dict[tuple, int] = {}
    for n, entry in enumerate(entries):
        path = f"$.signatories[{n}]"
        agency = entry["agency"]
        if agency not in known.agency_keys:
            report.problem(f"{path}.agency", f"no agency has key “{agency}”")
        for name in ("person", "granted_by", "ended_by"):
            person = entry.get(name)
            if person is not None and person not in known.person_agency:
                report.problem(f"{path}.{name}", f"no person has key “{person}”")
        mou = entry.get("mou")
        if mou is not None and mou not in parties:
            report.problem(f"{path}.mou", f"no MOU has key “{mou}”")
        elif mou is not None and agency not in parties[mou]:
            report.problem(f"{path}.mou", f"“{agency}” is not a party of the MOU “{mou}”")
        if entry.get("ends_on") and entry["ends_on"] < entry["starts_on"]:
            report.problem(f"{path}.ends_on", "The last day cannot come before the first.")
        key = _entry_key(entry)
        if key in first:
            report.problem(path, f"the same authorisation (agency, person, MOU and first day) "
                                 f"as $.signatories[{first[key]}]")
        else:
            first[key] = n


def store_signatories(writer, data: dict) -> None:
    """Upsert the register's entries by (agency, person, mou, starts_on); never delete one."""
    entries = data.get("signatories", [])
    if not entries:
        return
    stored = {_authorisation_key(a): a for a in _register()}
    mous = {m.key: m for m in db.session.scalars(select(Mou))}
    mous |= {o.key: o for o in db.session.new if isinstance(o, Mou)}
    for entry in entries:
        starts_on = date.fromisoformat(entry["starts_on"])
        people = {name: writer.people[entry[name]] if entry.get(name) else None
                  for name in ("granted_by", "ended_by")}
        values = {"ends_on": _day(entry.get("ends_on")),
                  "created_at": instant(entry["granted_at"]) if entry.get("granted_at")
                  else _granted_on(starts_on),
                  "ended_at": instant(entry.get("ended_at"))}
        authorisation = stored.get(_entry_key(entry))
        if authorisation is None:
            agency, person = writer.agencies[entry["agency"]], writer.people[entry["person"]]
            writer.create(SignatoryAuthorisation(
                agency=agency, person=person, starts_on=starts_on,
                mou=mous[entry["mou"]] if entry.get("mou") else None, **people, **values),
                "signatories")
            continue
        changes = assign_changes(authorisation, values)
        for name, person in people.items():
            if getattr(authorisation, name) is not person:
                before = getattr(authorisation, name)
                changes[name] = [before.key if before else None, entry.get(name)]
                setattr(authorisation, name, person)
        writer.updated(authorisation, "signatories", changes)


SIGNATORIES = TopLevelSection(name="signatories", export=export_signatories,
                              check=check_signatories, store=store_signatories)
