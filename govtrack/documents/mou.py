"""An MOU as a Word document: text, obligations, signature page and certificate."""

from docx import Document

from govtrack.clock import utcnow
from govtrack.documents.common import add_table, clean, labelled, to_bytes


def _instant(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value else "—"


def mou_docx(mou) -> bytes:
    """The current version of the MOU; for an executed one its certificate of completion."""
    from govtrack.mous.services import verify

    version = mou.current
    # The terms printed beside the hash are the ones the hash covers: the version's.
    terms = version.agreed_terms()
    doc = Document()
    props = doc.core_properties
    props.title = clean(f"MOU: {mou.title}")[:255]
    props.author = props.last_modified_by = "govtrack"
    props.created = props.modified = utcnow().replace(tzinfo=None)
    props.revision = version.number
    doc.add_paragraph(clean(terms["title"]), style="Title")
    doc.add_heading("Memorandum of understanding", level=1)
    labelled(doc, "Status", mou.status_label)
    labelled(doc, "Version", str(version.number))
    labelled(doc, "Parties", ", ".join(p["name"] for p in terms["parties"]))
    if mou.committee is not None:
        labelled(doc, "Sponsoring committee", mou.committee.name)
    labelled(doc, "Effective", terms["effective"] or "—")
    labelled(doc, "Expires", terms["expires"] or "—")
    labelled(doc, "Review", terms["review"] or "—")
    labelled(doc, "Document SHA-256", version.digest)
    for heading, text in (("Purpose", terms["purpose"]), ("Background", terms["background"]),
                          ("Agreement", version.text)):
        if text:
            doc.add_heading(heading, level=2)
            for paragraph in clean(text).split("\n\n"):
                doc.add_paragraph(paragraph)
    # Parties are named as the version names them: a later rename alters no signed text.
    named = _named_in(version)
    doc.add_heading("Obligations of each party", level=2)
    for agency in mou.parties:
        doc.add_heading(clean(named.get(agency.key, agency.name)), level=3)
        promised = version.obligations_of(agency.key)
        for text in promised or ["No obligations recorded."]:
            doc.add_paragraph(clean(text), style="List Bullet")
    signed = mou.signed_parties()
    doc.add_page_break()
    doc.add_heading("Signature page", level=2)
    rows = []
    for agency in mou.parties:
        event = signed.get(agency.id)
        rows.append([named.get(agency.key, agency.name), event.signer_name if event else "",
                     event.signer_title if event else "",
                     _instant(event.at) if event else "Not signed"])
    add_table(doc, ["Party", "Signed by", "Title", "Signed at"], rows)
    if mou.status in ("executed", "expired", "superseded"):
        _certificate(doc, mou, verify(mou))
    return to_bytes(doc)


def _named_in(version) -> dict[str, str]:
    """agency key -> the party's name as version states it (format 1: as named now)."""
    return {p["key"]: p["name"] for p in version.agreed_terms()["parties"] or []}


def _certificate(doc, mou, verification) -> None:
    doc.add_page_break()
    doc.add_heading("Certificate of completion", level=2)
    labelled(doc, "MOU", mou.title)
    labelled(doc, "Executed", _instant(mou.executed_at))
    labelled(doc, "Document SHA-256", mou.current.digest)
    from govtrack.mous.services import VERIFICATION_DOES_NOT_PROVE, VERIFICATION_PROVES

    labelled(doc, "Chain head", mou.chain_head or "—")
    labelled(doc, "Verification", "Every signing event and signed text matches its hash "
             "and its seal." if verification.ok
             else "TAMPERING DETECTED: " + " ".join(verification.problems))
    labelled(doc, "Verification proves", " ".join(VERIFICATION_PROVES))
    labelled(doc, "It does not prove", " ".join(VERIFICATION_DOES_NOT_PROVE))
    for n, event in enumerate(mou.events, start=1):
        name = _named_in(event.version).get(event.agency.key, event.agency.name)
        doc.add_heading(f"Event {n}: {event.kind_label} for {clean(name)}", level=3)
        labelled(doc, "Signer (as typed)",
                 f"{event.signer_name}, {event.signer_title}".strip(", "))
        labelled(doc, "Account holder", event.person.name if event.person else "—")
        labelled(doc, "Version", str(event.version_number))
        labelled(doc, "Time", _instant(event.at))
        if event.kind == "signed":
            labelled(doc, "Intent", event.intent)
            labelled(doc, "Authentication", event.auth_method)
            labelled(doc, "Consent", f"version {event.consent_version}, "
                                     f"SHA-256 {event.consent_sha256}")
            labelled(doc, "Address", event.address or "—")
            labelled(doc, "User agent", event.user_agent or "—")
        if event.reason:
            labelled(doc, "Reason", event.reason)
        labelled(doc, "Document SHA-256", event.document_sha256)
        labelled(doc, "Previous event SHA-256", event.previous_sha256 or "—")
        labelled(doc, "Event SHA-256", event.event_sha256)
        labelled(doc, "Seal", f"HMAC-SHA256 under key {event.key_id or '—'}: "
                              f"{event.event_mac or 'none'}")
