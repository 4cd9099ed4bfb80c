"""The administrators' audit viewer: the whole trail, agencies, people and accounts too."""

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from govtrack.audit.services import AUDIT_KINDS, audit_log
from govtrack.db_types import database_integer
from govtrack.permissions import require_view_audit
from govtrack.web.pagination import paginate

bp = Blueprint("audit", __name__)

PER_PAGE = 50


@bp.get("/admin/audit/")
@login_required
def audit_list():
    """Who changed what, newest first, filtered by kind of record (and one record)."""
    require_view_audit(current_user)
    kind = request.args.get("kind") or None
    if kind not in AUDIT_KINDS:
        kind = None
    # An id past the column matches nothing: the filter is simply dropped.
    object_id = request.args.get("id", type=database_integer) if kind else None
    total, _ = audit_log(kind, 0, 0, object_id)
    page = paginate(total, PER_PAGE)
    _, entries = audit_log(kind, page.offset, page.per_page, object_id)
    return render_template("audit/list.html", entries=entries, page=page, kind=kind,
                           kinds=AUDIT_KINDS, object_id=object_id, total=total)
