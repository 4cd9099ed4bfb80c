"""record(): the one call every feature uses to write the audit trail."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, insert, inspect, select

from govtrack.audit.models import AuditEntry
from govtrack.clock import utcnow
from govtrack.extensions import db

#: columns that say nothing a reader of the history needs
_SKIP = {"id", "version", "password_hash", "token_hash", "totp_secret", "totp_last_step"}


def plain(value: Any) -> Any:
    """Make a column value JSON-safe."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | dict | str | int | float | bool) or value is None:
        return value
    return str(value)


def snapshot(obj) -> dict[str, Any]:
    """Every audited column of obj with its current value."""
    state = inspect(obj)
    return {
        attr.key: plain(getattr(obj, attr.key))
        for attr in state.mapper.column_attrs
        if attr.key not in _SKIP
    }


def pending_changes(obj) -> dict[str, list]:
    """The columns of obj changed since load or last flush, as {field: [before, after]}.

    Read from SQLAlchemy's attribute history, so callers cannot forget a field.
    """
    state = inspect(obj)
    changes = {}
    for attr in state.mapper.column_attrs:
        if attr.key in _SKIP:
            continue
        hist = state.attrs[attr.key].history
        if hist.has_changes():
            before = hist.deleted[0] if hist.deleted else None
            after = hist.added[0] if hist.added else None
            if plain(before) != plain(after):
                changes[attr.key] = [plain(before), plain(after)]
    return changes


def record_created(actor, created: list[tuple]) -> None:
    """Write the "create" entries record() would, for many new rows in one insert.

    created holds (model, values, committee_id, label): values are the new
    row's columns by attribute name, id included (an import that stores
    thousands of rows writes their entries at once, not an object each).
    """
    if created:
        db.session.execute(insert(AuditEntry.__table__), _creation_entries(actor, created))


def stored_values(obj) -> dict[str, Any]:
    """A flushed object's audited columns and id, as record_created takes them."""
    values = {key: getattr(obj, key) for key in _audited_columns(type(obj))}
    values["id"] = obj.id
    return values


def _creation_entries(actor, created: list[tuple]) -> list[dict]:
    at = utcnow()
    actor_id = actor.id if actor is not None else None
    actor_label = str(actor) if actor is not None else "system"
    rows = []
    for model, values, committee_id, label in created:
        audited = _audited_columns(model)
        rows.append({
            "at": at, "actor_id": actor_id, "actor_label": actor_label, "action": "create",
            "object_type": model.__name__, "object_id": values["id"],
            "object_label": label[:300], "committee_id": committee_id,
            "changes": {k: [None, plain(values[k])] for k in audited
                        if values.get(k) is not None}})
    return rows


def _audited_columns(model) -> list[str]:
    return [attr.key for attr in inspect(model).column_attrs if attr.key not in _SKIP]


def record(actor, action: str, obj, *, committee=None, changes: dict | None = None,
           label: str | None = None) -> AuditEntry | None:
    """Write who did what to obj; call before flushing an update.

    actor is an Account or None (the system: imports, the scheduler).
    For "update" the changes default to the pending attribute history; an
    update that changed nothing writes no entry.
    """
    if action == "create" and obj.id is None:
        db.session.flush()
    if changes is None:
        if action in ("create", "delete"):
            changes = {k: ([None, v] if action == "create" else [v, None])
                       for k, v in snapshot(obj).items() if v is not None}
        else:
            changes = pending_changes(obj)
            if not changes:
                return None
    if obj.id is None:
        db.session.flush()
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        actor_label=str(actor) if actor is not None else "system",
        action=action,
        object_type=type(obj).__name__,
        object_id=obj.id,
        object_label=(label or str(obj))[:300],
        committee_id=committee.id if committee is not None else None,
        changes=changes,
    )
    db.session.add(entry)
    return entry


def committee_history(committee, limit: int = 500) -> list[AuditEntry]:
    """The committee's audit entries, newest first."""
    return list(db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.committee_id == committee.id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
    ))


#: what the administrators' audit viewer filters by: object types, in words
AUDIT_KINDS = {"Agency": "Agencies", "Person": "People", "Account": "Accounts",
               "SignatoryAuthorisation": "Signatory authorisations",
               "Committee": "Committees", "Membership": "Memberships"}


def audit_log(kind: str | None, offset: int, limit: int,
              object_id: int | None = None) -> tuple[int, list[AuditEntry]]:
    """(how many, one page newest first) of the whole trail, or of one kind of record.

    Agencies, people and accounts have no committee, so no committee's
    history shows them: this is where an administrator reads who changed them.
    """
    where = []
    if kind:
        where.append(AuditEntry.object_type == kind)
    if object_id is not None:
        where.append(AuditEntry.object_id == object_id)
    total = db.session.scalar(select(func.count()).select_from(AuditEntry).where(*where))
    entries = list(db.session.scalars(select(AuditEntry).where(*where).order_by(
        AuditEntry.at.desc(), AuditEntry.id.desc()).offset(offset).limit(limit)))
    return total, entries
