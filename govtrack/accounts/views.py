"""Log in and out; administrators manage accounts."""

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from govtrack.accounts import services, totp
from govtrack.accounts.forms import (
    AccountForm,
    AccountStatusForm,
    AdminTotpRemoveForm,
    ChangePasswordForm,
    LoginForm,
    ResetPasswordForm,
    SigningPolicyForm,
    TotpConfirmForm,
    TotpRemoveForm,
)
from govtrack.accounts.models import Account
from govtrack.agencies.models import Person
from govtrack.extensions import db
from govtrack.forms import save
from govtrack.permissions import require_admin

bp = Blueprint("accounts", __name__)


def _safe_next(target: str | None) -> str:
    """Only follow a `next` that stays on this site."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") \
                and not target.startswith("//") and "\\" not in target:
            return target
    return url_for("web.my_work")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log in with e-mail and password; throttled across all workers."""
    if current_user.is_authenticated:
        return redirect(url_for("web.my_work"))
    form = LoginForm()
    if form.validate_on_submit():
        cfg = current_app.config
        # committed whatever the outcome: a failed attempt counts toward the throttle
        result = save(form, lambda: services.authenticate(
            form.email.data, form.password.data, request.remote_addr or "unknown",
            max_per_account=cfg["LOGIN_MAX_FAILURES_PER_ACCOUNT"],
            max_per_address=cfg["LOGIN_MAX_FAILURES_PER_ADDRESS"],
            window_minutes=cfg["LOGIN_WINDOW_MINUTES"]))
        if not result:
            return render_template("accounts/login.html", form=form), 200
        if result.throttled:
            form.form_errors.append(
                f"Too many failed attempts. Wait {cfg['LOGIN_WINDOW_MINUTES']} minutes and try "
                "again, or ask an administrator to reset your password.")
            return render_template("accounts/login.html", form=form), 429
        if result.account is None:
            form.form_errors.append("The e-mail address or password is not right.")
            return render_template("accounts/login.html", form=form), 200
        session.clear()  # a new session identifier at login: no fixation

        def start():
            services.start_session(result.account, request.remote_addr,
                                   request.user_agent.string)
            login_user(result.account)

        if save(form, start):
            return redirect(_safe_next(request.args.get("next")))
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    """End this session on the server too, so a copied cookie is worthless."""
    save(None, lambda: services.end_session(current_user))
    logout_user()
    session.clear()
    flash("You are logged out.", "info")
    return redirect(url_for("accounts.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change one's own password (ends the other sessions)."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        account = current_user._get_current_object()
        keep = account.login_session

        def change():
            totp.change_own_password(account, form.current.data, form.password.data,
                                     address=request.remote_addr or "")
            keep.ended_at = None  # stay logged in here, out everywhere else

        if save(form, change):
            flash("Your password is changed. Other sessions were logged out.", "success")
            return redirect(url_for("web.my_work"))
    return render_template("accounts/password.html", form=form)


def _totp_page(confirm_form=None, remove_form=None, status: int = 200):
    """The two-step code page in whichever state the account is: none, pending, enrolled."""
    account = current_user._get_current_object()
    context = {"account": account, "enrolled": totp.enrolled(account),
               "pending": totp.pending(account),
               "required": totp.signing_requires_totp(),
               "confirm_form": confirm_form or TotpConfirmForm(formdata=None),
               "remove_form": remove_form or TotpRemoveForm(formdata=None)}
    if context["pending"]:
        uri = totp.provisioning_uri(account)
        context.update(secret=totp.grouped(totp.secret_of(account)), uri=uri, qr=totp.qr_svg(uri))
    return render_template("accounts/totp.html", **context), status


@bp.route("/account/totp", methods=["GET", "POST"])
@login_required
def totp_page():
    """Two-step sign-in code: set it up (confirming with a first code) or see it is on."""
    form = TotpConfirmForm()
    if form.validate_on_submit():
        account = current_user._get_current_object()
        if save(form, lambda: totp.confirm_enrolment(account, account, form.code.data)):
            flash("Your two-step sign-in code is set up.", "success")
            return redirect(url_for("accounts.totp_page"))
    return _totp_page(confirm_form=form)


@bp.post("/account/totp/start")
@login_required
def totp_start():
    """Give the account a new secret to load into an authenticator app."""
    account = current_user._get_current_object()
    save(None, lambda: totp.start_enrolment(account, account))
    return redirect(url_for("accounts.totp_page"))


@bp.post("/account/totp/remove")
@login_required
def totp_remove():
    """Remove one's two-step code, with the password and a current code."""
    form = TotpRemoveForm()
    if form.validate_on_submit():
        account = current_user._get_current_object()
        if save(form, lambda: totp.remove(account, account, password=form.password.data,
                                          code=form.code.data,
                                          address=request.remote_addr or "")):
            flash("Your two-step sign-in code is removed.", "success")
            return redirect(url_for("accounts.totp_page"))
    return _totp_page(remove_form=form)


def _person_choices() -> list[tuple[int, str]]:
    people = db.session.scalars(
        select(Person).where(Person.active.is_(True), ~Person.id.in_(select(Account.person_id)))
        .options(selectinload(Person.agency)).order_by(Person.name))
    return [(p.id, f"{p.name} — {p.agency.name}") for p in people]


@bp.get("/admin/accounts/")
@login_required
def account_list():
    """Every account, for administrators."""
    require_admin(current_user)
    accounts = db.session.scalars(
        select(Account).options(selectinload(Account.person).selectinload(Person.agency))
        .order_by(Account.email))
    policy = SigningPolicyForm(require_totp=totp.signing_requires_totp())
    return render_template("accounts/list.html", accounts=list(accounts), policy_form=policy)


@bp.post("/admin/accounts/signing-policy")
@login_required
def signing_policy():
    """Require, or stop requiring, a TOTP code from everyone who signs MOUs."""
    require_admin(current_user)
    form = SigningPolicyForm()
    if form.validate_on_submit():
        save(None, lambda: totp.require_for_signing(current_user, form.require_totp.data),
             done="A TOTP code is now required to sign MOUs." if form.require_totp.data
             else "A TOTP code is no longer required to sign MOUs.", once=form)
    else:
        flash("The setting could not be saved; reload the page and try again.", "error")
    return redirect(url_for("accounts.account_list"))


@bp.route("/admin/accounts/new", methods=["GET", "POST"])
@login_required
def account_new():
    """Give a person an account."""
    require_admin(current_user)
    form = AccountForm()
    form.person.choices = _person_choices()
    if not form.is_submitted() and request.args.get("person", "").isdigit():
        form.person.data = int(request.args["person"])
        person = db.session.get(Person, form.person.data)
        if person is not None and person.email:
            form.email.data = person.email
    if form.validate_on_submit():
        person = db.session.get(Person, form.person.data) or abort(404)
        account = save(form, lambda: services.create_account(
            current_user, person, form.email.data, form.password.data, form.is_admin.data))
        if account:
            flash(f"Account created for {person.name}.", "success")
            return redirect(url_for("accounts.account_detail", account_id=account.id))
    return render_template("accounts/new.html", form=form)


@bp.get("/admin/accounts/<int:account_id>")
@login_required
def account_detail(account_id: int):
    """An account: status, administration, password reset."""
    require_admin(current_user)
    account = db.get_or_404(Account, account_id)
    status = AccountStatusForm(active=account.active, is_admin=account.is_admin,
                               is_county_coordinator=account.is_county_coordinator)
    return render_template("accounts/detail.html", account=account, status_form=status,
                           password_form=ResetPasswordForm(),
                           totp_form=AdminTotpRemoveForm())


@bp.post("/admin/accounts/<int:account_id>/status")
@login_required
def account_status(account_id: int):
    """Deactivate or reactivate, grant or withdraw administration."""
    require_admin(current_user)
    account = db.get_or_404(Account, account_id)
    form = AccountStatusForm()
    if form.validate_on_submit():
        def change():
            services.set_active(current_user, account, form.active.data)
            services.set_admin(current_user, account, form.is_admin.data)
            services.set_county_coordinator(current_user, account,
                                            form.is_county_coordinator.data)

        save(None, change, done="Account updated.", once=form)
        return redirect(url_for("accounts.account_detail", account_id=account.id))
    return render_template("accounts/detail.html", account=account, status_form=form,
                           password_form=ResetPasswordForm(formdata=None),
                           totp_form=AdminTotpRemoveForm(formdata=None)), 400


@bp.post("/admin/accounts/<int:account_id>/password")
@login_required
def account_password(account_id: int):
    """Reset an account's password; its sessions end."""
    require_admin(current_user)
    account = db.get_or_404(Account, account_id)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        admin = current_user._get_current_object()

        def reset():
            totp.reauthenticate(admin, form.your_password.data, None,
                                address=request.remote_addr or "",
                                fields=("your_password", "your_password"))
            services.set_password(admin, account, form.password.data)

        if save(form, reset):
            flash(f"Password reset for {account.email}; tell them in person or by phone.",
                  "success")
            return redirect(url_for("accounts.account_detail", account_id=account.id))
    status = AccountStatusForm(formdata=None, active=account.active, is_admin=account.is_admin,
                               is_county_coordinator=account.is_county_coordinator)
    return render_template("accounts/detail.html", account=account, status_form=status,
                           password_form=form, totp_form=AdminTotpRemoveForm(formdata=None)), 400


@bp.post("/admin/accounts/<int:account_id>/totp/remove")
@login_required
def account_totp_remove(account_id: int):
    """Remove an account's two-step code, e.g. after a lost phone; the administrator
    confirms with their own password."""
    require_admin(current_user)
    account = db.get_or_404(Account, account_id)
    form = AdminTotpRemoveForm()
    admin = current_user._get_current_object()
    if form.validate_on_submit() and save(form, lambda: totp.remove(
            admin, account, password=form.your_password.data,
            address=request.remote_addr or "")):
        flash(f"Two-step sign-in code removed for {account.email}.", "success")
        return redirect(url_for("accounts.account_detail", account_id=account.id))
    status = AccountStatusForm(formdata=None, active=account.active, is_admin=account.is_admin)
    return render_template("accounts/detail.html", account=account, status_form=status,
                           password_form=ResetPasswordForm(formdata=None),
                           totp_form=form), 400
