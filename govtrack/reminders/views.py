"""Reminder pages: my preferences, and the administrators' outbox."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from govtrack.extensions import db
from govtrack.forms import save
from govtrack.notifications.models import DAILY_DIGEST
from govtrack.permissions import can_manage_outbox
from govtrack.reminders import delivery, services
from govtrack.reminders.forms import RetryForm, choices_of, preferences_form

bp = Blueprint("reminders", __name__)


@bp.route("/account/reminders", methods=["GET", "POST"])
@login_required
def preferences():
    """How I get each kind of reminder: immediately, in the daily digest, or not at all."""
    kinds = services.reminder_kinds()
    person = current_user.person
    form = preferences_form(kinds, services.preferences_of(person, kinds),
                            request.form if request.method == "POST" else None)
    # With no kinds there is nothing to save: the page comes back as it was.
    if kinds and form.validate_on_submit() and save(form, lambda: services.set_preferences(
            current_user, person, choices_of(form, kinds), kinds)):
        flash("Your reminder choices are saved.", "success")
        return redirect(url_for("reminders.preferences"))
    return render_template("reminders/preferences.html", form=form, kinds=kinds)


@bp.get("/admin/outbox")
@login_required
def outbox():
    """Every reminder e-mail by state, with attempts, last error and "retry now"."""
    if not can_manage_outbox(current_user):
        abort(403)
    status = request.args.get("status", "pending")
    if status not in services.OUTBOX_TABS:
        abort(404)
    return render_template(
        "reminders/outbox.html", status=status, rows=services.outbox(status),
        counts=services.outbox_counts(), tabs=services.OUTBOX_TABS, retry_form=RetryForm(),
        health=services.sweep_health(current_app.config["REMINDER_SWEEP_MINUTES"]),
        words={DAILY_DIGEST: "Daily digest",
               **{kind.code: kind.words for kind in services.reminder_kinds()}})


@bp.post("/admin/outbox/<int:notification_id>/retry")
@login_required
def retry(notification_id: int):
    """Send one pending or failed e-mail now, after committing its reset."""
    row = services.outbox_row(notification_id) or abort(404)
    if not can_manage_outbox(current_user):
        abort(403)
    form = RetryForm()
    if not form.validate_on_submit():
        abort(400)
    if not save(None, lambda: services.retry_now(current_user, row)):
        return redirect(url_for("reminders.outbox", status=row.email_status))
    report = delivery.deliver(only_ids=[notification_id])
    db.session.expire_all()
    row = services.outbox_row(notification_id)
    if report.sent:
        flash(f"Sent “{row.subject}”.", "success")
    else:
        flash(f"Not sent: {row.last_error or 'see the outbox'}. It stays {row.email_status}.",
              "error")
    return redirect(url_for("reminders.outbox", status=row.email_status))
