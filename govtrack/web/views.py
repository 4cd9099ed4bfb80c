"""Home pages: My work."""

from functools import cache

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from govtrack.actions.models import STATUSES
from govtrack.agencies.models import Agency
from govtrack.chairs.health import chair_alerts
from govtrack.chairs.models import ChairTerm, chair_loading
from govtrack.chairs.services import convening_duties
from govtrack.clock import today
from govtrack.committees.models import EDITOR_ROLES, Committee, Membership, membership_loading
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
    """Everything the signed-in person is part of, their action items first."""
    return render_my_work()


def render_my_work(errors: dict | None = None):
    """My work, with an update form per action (errors: a refused form, kept as typed).

    The forms of the other actions are written by the template (ActionUpdateForm's
    fields, status and note), not built one object per action.
    """
    from govtrack.workgroups.forms import LONG_TEXT
    from govtrack.workgroups.mywork import my_actions

    day = today()
    actions = my_actions(current_user.person, day)
    # The person of each membership is current_user.person, already loaded.
    memberships = [m for m in db.session.scalars(_memberships_query(),
                                                 {"person_id": current_user.person_id})
                   if m.holds_on(day)]
    headed = list(db.session.scalars(_headed_query(), {"person_id": current_user.person_id}))
    from govtrack.notifications.services import inbox
    from govtrack.workgroups.mywork import my_work as my_schedule

    notifications = inbox(current_user.person, unread_only=True)
    return render_template(
        "web/my_work.html", memberships=memberships, headed=headed, actions=actions,
        mine=my_schedule(current_user.person, actions, seats=memberships),
        errors=errors or {}, statuses=list(STATUSES.items()), note_max=LONG_TEXT, day=day,
        # an owner outside the committee (an MOU obligation) sees the item, not the committee
        seated={m.committee_id for m in memberships},
        notifications=notifications,
        # the header's count of unread notices: those listed here, not counted again
        unread_notifications=lambda: len(notifications),
        duties=_convening_duties(headed), awaiting=_awaiting_signature(headed),
        chair_warnings=_chair_warnings([m for m in memberships if m.role in EDITOR_ROLES]))


@cache
def _memberships_query():
    """My memberships with their committees and agencies, built once: SQLAlchemy keys its
    compiled-SQL cache by the statement, and working that key out for a fresh statement
    with loader options costs a millisecond or two (see meetings.views._meeting_query)."""
    return (select(Membership).where(Membership.person_id == bindparam("person_id"))
            .options(joinedload(Membership.committee), joinedload(Membership.agency)))


@cache
def _headed_query():
    """The agencies I head, built once (see _memberships_query)."""
    return select(Agency).where(Agency.head_id == bindparam("person_id"))


@cache
def _convening_query():
    """The committees with a chair term of an agency of "agency_ids", with what the chair's
    checks read: chair terms and membership dates; built once (see _memberships_query).
    The committees' ids as a subquery, where they were a query of their own."""
    return (select(Committee).where(Committee.id.in_(select(ChairTerm.committee_id).where(
        ChairTerm.agency_id.in_(bindparam("agency_ids", expanding=True)))))
        .order_by(Committee.id).options(*membership_loading(), *chair_loading()))


def _awaiting_signature(headed: list[Agency]):
    """MOUs out for signature awaiting me, as head (of headed) or authorised signatory."""
    from govtrack.mous.services import awaiting_signature

    return awaiting_signature(current_user.person, headed=headed)


def _convening_duties(headed: list[Agency]):
    """Vacant chairs whose successor meeting the agencies I head must convene."""
    if not headed:
        return []
    committees = list(db.session.scalars(_convening_query(),
                                         {"agency_ids": [a.id for a in headed]}))
    return convening_duties(current_user.person, committees, today())


def _chair_warnings(led: list[Membership]):
    """Succession warnings for the committees I chair or run (their committees are loaded)."""
    return chair_alerts(list({m.committee_id: m.committee for m in led}.values()), today())
