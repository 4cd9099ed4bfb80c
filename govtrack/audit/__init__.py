"""The audit trail: who changed what, when, before and after."""


def record(*args, **kwargs):
    """Write an audit entry; see audit.services.record."""
    from govtrack.audit.services import record as _record

    return _record(*args, **kwargs)
