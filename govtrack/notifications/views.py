"""The inbox: my notices, newest first, and marking them read."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from govtrack.forms import save
from govtrack.notifications import services

bp = Blueprint("notifications", __name__)


def init_app(app) -> None:
    """Give every page the signed-in person's unread count, for the header."""

    @app.context_processor
    def unread_notifications():
        def count() -> int:
            if not current_user or not current_user.is_authenticated:
                return 0
            return services.unread_count(current_user.person)

        return {"unread_notifications": count}


def _back():
    if request.form.get("back") == "my-work":
        return redirect(url_for("web.my_work"))
    return redirect(url_for("notifications.inbox"))


@bp.get("/inbox")
@login_required
def inbox():
    """My notices, newest first."""
    return render_template("notifications/inbox.html",
                           notifications=services.inbox(current_user.person))


@bp.post("/inbox/<int:notification_id>/read")
@login_required
def mark_read(notification_id: int):
    """Mark one of my notices read; someone else's does not exist (404)."""
    notification = services.notification_of(current_user.person, notification_id)
    if notification is None:
        abort(404)
    save(None, lambda: services.mark_read(notification), done="Marked as read.")
    return _back()


@bp.post("/inbox/read-all")
@login_required
def mark_all_read():
    """Mark every one of my notices read."""
    count = save(None, lambda: services.mark_all_read(current_user.person))
    flash(f"{count} {'notice' if count == 1 else 'notices'} marked as read.", "success")
    return _back()
