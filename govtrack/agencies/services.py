"""Rules for agencies and people."""

from sqlalchemy import select

from govtrack import audit
from govtrack.agencies.models import SECTORS, Agency, Person
from govtrack.clock import today
from govtrack.editing import DomainError, apply_edit, unique_key
from govtrack.extensions import db


def _check_head(agency: Agency | None, head: Person | None) -> None:
    if head is not None and agency is not None and head.agency_id not in (None, agency.id):
        raise DomainError(f"{head.name} works for another agency.", field="head")


def create_agency(actor, *, name: str, sector: str, key: str | None = None) -> Agency:
    """Add an agency; its head is named once its people exist."""
    if sector not in SECTORS:
        raise DomainError("Choose a sector.", field="sector")
    agency = Agency(key=key or unique_key(Agency, name), name=name, sector=sector)
    db.session.add(agency)
    audit.record(actor, "create", agency)
    return agency


def update_agency(actor, agency: Agency, expected_version: int | None, *, name: str,
                  sector: str, head: Person | None) -> None:
    """Change an agency's name, sector or head."""
    _check_head(agency, head)
    head_before = agency.head_id
    apply_edit(agency, expected_version, {"name": name, "sector": sector,
                                          "head_id": head.id if head else None})
    audit.record(actor, "update", agency)
    if agency.head_id != head_before:
        # Imported here: MOUs build on agencies, not the other way round.
        from govtrack.mous.signatories import signatories_changed

        signatories_changed(agency, reason=f"{head.name} is now the head of {agency.name}."
                            if head else f"{agency.name} has no head named now.")


def create_person(actor, *, name: str, agency: Agency, email: str | None = None,
                  title: str | None = None, key: str | None = None) -> Person:
    """Add a person to an agency."""
    person = Person(key=key or unique_key(Person, name), name=name, agency=agency,
                    email=email or None, title=title or None, active=True)
    db.session.add(person)
    audit.record(actor, "create", person)
    return person


#: update_person's answer that nobody heads the agency for now
NO_HEAD = "none"


def update_person(actor, person: Person, expected_version: int | None, *, name: str,
                  agency: Agency, email: str | None, title: str | None, active: bool,
                  head_now: Person | str | None = None) -> None:
    """Change a person's details; leaving marks them inactive from today.

    A head who leaves is asked for: head_now names who heads the agency now
    (or NO_HEAD), since the one who left can no longer sign for it.
    """
    held = db.session.scalar(select(Agency).where(Agency.head_id == person.id))
    if agency.id != person.agency_id and held is not None and agency.id != held.id:
        raise DomainError(f"{person.name} heads {held.name}; name a new head first.",
                          field="agency")
    if held is not None and person.active and not active:
        if head_now is None:
            raise DomainError(f"{person.name} heads {held.name}: say who heads it now.",
                              field="head_now")
        successor = None if head_now == NO_HEAD else head_now
        if successor is person:
            raise DomainError("Choose someone who still works with the committees.",
                              field="head_now")
        update_agency(actor, held, None, name=held.name, sector=held.sector, head=successor)
    inactive_since = person.inactive_since
    if person.active and not active:
        inactive_since = today()
    elif active:
        inactive_since = None
    apply_edit(person, expected_version, {
        "name": name, "agency_id": agency.id, "email": email or None, "title": title or None,
        "active": active, "inactive_since": inactive_since})
    audit.record(actor, "update", person)
