"""Home pages: My work, and the MOU register until MOUs arrive."""

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from govtrack.agencies.models import Agency
from govtrack.clock import today
from govtrack.committees.models import Membership
from govtrack.extensions import db

bp = Blueprint("web", __name__)


@bp.get("/")
def index():
    """Send people to their work, or to log in."""
    if current_user.is_authenticated:
        return redirect(url_for("web.my_work"))
    return redirect(url_for("accounts.login"))


@bp.get("/my-work")
@login_required
def my_work():
    """Everything the signed-in person is part of."""
    day = today()
    memberships = [
        m for m in db.session.scalars(
            select(Membership)
            .where(Membership.person_id == current_user.person_id)
            .options(selectinload(Membership.committee), selectinload(Membership.agency),
                     selectinload(Membership.person)))
        if m.holds_on(day)]
    headed = list(db.session.scalars(
        select(Agency).where(Agency.head_id == current_user.person_id)))
    return render_template("web/my_work.html", memberships=memberships, headed=headed)


@bp.get("/mous/")
@login_required
def mous():
    """The MOU register."""
    return render_template("web/mous.html")
