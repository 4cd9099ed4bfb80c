"""Helpers every feature's services use to change records safely."""

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import select

from govtrack.extensions import db


class StaleEdit(Exception):
    """Someone saved the record after this editor opened it.

    Concurrent edits must never silently overwrite each other: the form
    carries the version it was opened at, and saving an older one is refused.
    """


@dataclass
class AlreadyDone:
    """A repeated submission: nothing changed; record is what the first one made.

    A double click, a re-sent form or two people pressing the same button at
    once must not make two meetings or two MOUs: the service finds what the
    first submission made and says so.
    """

    record: object
    message: str

    def __bool__(self) -> bool:
        return True


class DomainError(ValueError):
    """A domain rule refused the change; field names the form field, if any."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def apply_edit(obj, expected_version: int | None, fields: dict) -> None:
    """Set fields on obj, unless it changed since expected_version."""
    if expected_version is not None and obj.version != expected_version:
        raise StaleEdit()
    for name, value in fields.items():
        setattr(obj, name, value)


def slugify(text: str) -> str:
    """A key-shaped version of text (ASCII letters, digits and dashes)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-").lower()
    return slug[:60] or "record"


def unique_key(model, text: str) -> str:
    """A key for a new record of model, derived from text and not yet taken."""
    base = slugify(text)
    taken = set(db.session.scalars(select(model.key).where(model.key.like(f"{base}%"))))
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"
