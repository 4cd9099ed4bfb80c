"""Home pages: My work, and the MOU register until MOUs arrive."""

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from govtrack.agencies.models import Agency, Person
from govtrack.chairs.models import ChairTerm, chair_loading
from govtrack.chairs.services import convening_duties, succession
from govtrack.clock import today
from govtrack.committees.models import EDITOR_ROLES, Committee, Membership, roster_loading
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
                     selectinload(Membership.person).selectinload(Person.account)))
        if m.holds_on(day)]
    headed = list(db.session.scalars(
        select(Agency).where(Agency.head_id == current_user.person_id)))
    return render_template(
        "web/my_work.html", memberships=memberships, headed=headed,
        duties=_convening_duties(headed),
        chair_warnings=_chair_warnings([m for m in memberships if m.role in EDITOR_ROLES]))


def _committees(ids) -> list[Committee]:
    if not ids:
        return []
    return list(db.session.scalars(select(Committee).where(Committee.id.in_(ids)).options(
        *roster_loading(), *chair_loading())))


def _convening_duties(headed: list[Agency]):
    """Vacant chairs whose successor meeting the agencies I head must convene."""
    if not headed:
        return []
    ids = db.session.scalars(select(ChairTerm.committee_id).where(
        ChairTerm.agency_id.in_([a.id for a in headed])).distinct())
    return convening_duties(current_user.person, _committees(list(ids)), today())


def _chair_warnings(led: list[Membership]):
    """Succession warnings for the committees I chair or run."""
    warnings = []
    for committee in _committees([m.committee_id for m in led]):
        state = succession(committee)
        if state.vacancy or state.ending:
            warnings.append((committee, state))
    return warnings


@bp.get("/mous/")
@login_required
def mous():
    """The MOU register."""
    return render_template("web/mous.html")
