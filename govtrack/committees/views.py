"""Committee pages: roster, stage, set-up, memberships, history."""

from functools import cache

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload, selectinload

from govtrack.agencies.models import Agency, Person
from govtrack.audit.services import committee_history
from govtrack.chairs.models import chair_terms_query
from govtrack.chairs.services import succession
from govtrack.clock import today
from govtrack.committees import roster, services
from govtrack.committees.cadence import describe
from govtrack.committees.forms import CommitteeForm, MembershipForm, StageForm
from govtrack.committees.models import (
    CHAIR_ROLES,
    ROLES,
    Committee,
    Membership,
    StageChange,
    members_query,
)
from govtrack.extensions import db, read_into
from govtrack.forms import save
from govtrack.health.services import flags_for
from govtrack.meetings import services as meeting_services
from govtrack.meetings.services import upcoming_meeting
from govtrack.permissions import (
    can_edit_committee,
    can_hand_over_chair,
    can_import_members,
    is_admin,
    require_admin,
    require_edit_committee,
    require_import_members,
    require_view_committee,
)
from govtrack.uploads import pages
from govtrack.uploads.forms import UploadForm

bp = Blueprint("committees", __name__, url_prefix="/committees")


@cache
def _load_query(name: str):
    """The statements of _load, built once: SQLAlchemy keys its compiled-SQL cache by the
    statement, and working that key out afresh (for a list loaded through the
    committee's query, with all of that query's loader options) cost each committee page
    about 3 ms at national scale."""
    if name == "committee":
        return select(Committee).where(Committee.key == bindparam("key")).options(
            joinedload(Committee.rotation_policy))
    if name == "memberships":
        return members_query()
    if name == "stage_history":
        return (select(StageChange).where(StageChange.committee_id == bindparam("committee_id"))
                .order_by(StageChange.since, StageChange.id))
    return chair_terms_query()


def _load(key: str) -> Committee:
    """The committee with everything its pages show (roster, stage history, chair terms),
    in a fixed number of queries."""
    committee = db.session.execute(_load_query("committee"), {"key": key}).scalar()
    if committee is None:
        abort(404)
    for name in ("stage_history", "chair_terms", "memberships"):
        read_into(committee, name, _load_query(name), {"committee_id": committee.id})
    return committee


def _committee_form(committee: Committee | None) -> CommitteeForm:
    form = (CommitteeForm(obj=committee, version=committee.version) if committee
            else CommitteeForm())
    form.timezone.choices = [(z, z) for z in services.timezone_choices()]
    if committee is not None and not form.is_submitted():
        form.load_cadence(committee)
    elif committee is None and not form.is_submitted():
        form.timezone.data = "America/New_York"
    return form


def attention(committee: Committee) -> list[str]:
    """What needs the committee's attention today, from the one health service."""
    return [f"{flag}." for flag in flags_for("committee", committee, today())]


@bp.get("/")
@login_required
def committee_list():
    """The committees I sit on (all of them, for administrators)."""
    query = select(Committee).options(selectinload(Committee.stage_history)).order_by(
        Committee.name)
    if not is_admin(current_user):
        day = today()
        query = query.where(Committee.id.in_(select(Membership.committee_id).where(
            Membership.person_id == current_user.person_id, Membership.start <= day,
            (Membership.end.is_(None)) | (Membership.end >= day))))
    committees = list(db.session.scalars(query))
    return render_template("committees/list.html", committees=committees,
                           can_create=is_admin(current_user), describe=describe)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def committee_new():
    """Set up a committee."""
    require_admin(current_user)
    form = _committee_form(None)
    if form.validate_on_submit():
        committee = save(form, lambda: services.create_committee(current_user, **form.values()))
        if committee:
            flash(f"{committee.name} created. Now add its members.", "success")
            return redirect(url_for("committees.committee_detail", key=committee.key))
    return render_template("committees/form.html", form=form, committee=None)


@bp.get("/<key>")
@login_required
def committee_detail(key: str):
    """Purpose, goals, cadence, stage and roster of a committee."""
    committee = _load(key)
    require_view_committee(current_user, committee)
    return render_template(
        "committees/detail.html", committee=committee, roster=services.roster(committee),
        cadence=describe(committee.cadence_rrule, committee.duration_minutes),
        can_edit=can_edit_committee(current_user, committee),
        can_import=can_import_members(current_user, committee),
        succession=succession(committee),
        can_hand_over=can_hand_over_chair(current_user, committee),
        attention=attention(committee), next_meeting=upcoming_meeting(committee))


@bp.route("/<key>/edit", methods=["GET", "POST"])
@login_required
def committee_edit(key: str):
    """Edit purpose, goals, cadence and set-up."""
    committee = _load(key)
    require_edit_committee(current_user, committee)
    form = _committee_form(committee)
    cadence = (committee.cadence_rrule, committee.cadence_dtstart, committee.duration_minutes)

    def change():
        services.update_committee(current_user, committee, form.expected_version(),
                                  **form.values())
        if cadence != (committee.cadence_rrule, committee.cadence_dtstart,
                       committee.duration_minutes):
            return meeting_services.follow_cadence(current_user, committee)
        return None

    if form.validate_on_submit() and (done := save(form, change, committee)):
        flash("Committee saved.", "success")
        if isinstance(done, meeting_services.CadenceChange) and done.describe():
            flash(done.describe(), "info")
        return redirect(url_for("committees.committee_detail", key=committee.key))
    return render_template("committees/form.html", form=form, committee=committee)


@bp.route("/<key>/stage", methods=["GET", "POST"])
@login_required
def committee_stage(key: str):
    """Record the committee's move to another collaboration stage."""
    committee = _load(key)
    require_edit_committee(current_user, committee)
    form = StageForm()
    if not form.is_submitted():
        form.since.data = today()
    if form.validate_on_submit() and save(form, lambda: services.change_stage(
            current_user, committee, form.stage.data, form.since.data, form.note.data or "")):
        flash("Stage recorded.", "success")
        return redirect(url_for("committees.committee_detail", key=committee.key))
    return render_template("committees/stage.html", form=form, committee=committee)


def _membership_form(committee: Committee, membership: Membership | None) -> MembershipForm:
    form = (MembershipForm(obj=membership, person=membership.person_id,
                           agency=membership.agency_id, version=membership.version)
            if membership else MembershipForm())
    people = db.session.scalars(select(Person).where(Person.active.is_(True)).options(
        selectinload(Person.agency)).order_by(Person.name))
    form.person.choices = [(p.id, f"{p.name} — {p.agency.name}") for p in people]
    if membership is not None:
        form.person.choices = [(membership.person_id, membership.person.name)]
    # Chair seats change through the chair's hand-over, and nobody changes their own role.
    fixed = membership is not None and (membership.role in CHAIR_ROLES
                                        or membership.person_id == current_user.person_id)
    form.role.choices = ([(membership.role, ROLES[membership.role])] if fixed else
                         [(r, label) for r, label in ROLES.items() if r not in CHAIR_ROLES])
    form.agency.choices = [(0, "The person's own agency")] + [
        (a.id, a.name) for a in db.session.scalars(select(Agency).order_by(Agency.name))]
    if membership is None and not form.is_submitted():
        form.start.data = today()
    return form


@bp.route("/<key>/members/new", methods=["GET", "POST"])
@login_required
def membership_new(key: str):
    """Seat a person on the committee."""
    committee = _load(key)
    require_edit_committee(current_user, committee)
    form = _membership_form(committee, None)
    if form.validate_on_submit():
        person = db.session.get(Person, form.person.data)
        agency = db.session.get(Agency, form.agency.data) if form.agency.data else person.agency
        if save(form, lambda: services.add_membership(
                current_user, committee, person=person, agency=agency, role=form.role.data,
                start=form.start.data, end=form.end.data)):
            flash(f"{person.name} added to the committee.", "success")
            return redirect(url_for("committees.committee_detail", key=committee.key))
    return render_template("committees/membership_form.html", form=form, committee=committee,
                           membership=None)


@bp.route("/<key>/members/<int:membership_id>/edit", methods=["GET", "POST"])
@login_required
def membership_edit(key: str, membership_id: int):
    """Change a membership's role, agency or dates, or end it."""
    committee = _load(key)
    require_edit_committee(current_user, committee)
    membership = next((m for m in committee.memberships if m.id == membership_id), None)
    if membership is None:
        abort(404)
    form = _membership_form(committee, membership)
    if form.validate_on_submit():
        agency = (db.session.get(Agency, form.agency.data) if form.agency.data
                  else membership.person.agency)
        if save(form, lambda: services.update_membership(
                current_user, membership, form.expected_version(), agency=agency,
                role=form.role.data, start=form.start.data, end=form.end.data), membership):
            flash("Membership saved.", "success")
            return redirect(url_for("committees.committee_detail", key=committee.key))
    return render_template("committees/membership_form.html", form=form, committee=committee,
                           membership=membership)


def _members_import_page(committee: Committee, form: UploadForm, plan=None,
                        confirm_form=None, status: int = 200):
    """The members import: its columns, the preview, the forms."""
    return pages.page(
        title=f"Import members of {committee.name} from CSV",
        intro=("Seat people on the committee from a spreadsheet: one row a member, found by "
               "e-mail address (an administrator adds people who are not recorded yet). A "
               "member with a seat already has it changed. Chair and co-chair seats are not "
               "imported: they change through the chair's hand-over."),
        columns=roster.COLUMNS, form=form, plan=plan, confirm=confirm_form,
        upload_url=url_for("committees.members_import", key=committee.key),
        confirm_url=url_for("committees.members_import_confirm", key=committee.key),
        back_url=url_for("committees.committee_detail", key=committee.key),
        back_text=f"Back to {committee.name}", noun="members", status=status)


def _member_planner(committee: Committee, lock: bool = False):
    """Plan a members CSV for committee, as the signed-in person."""
    return lambda text, encoding, filename: roster.plan_members(
        current_user, committee, text, encoding, filename, lock=lock)


@bp.route("/<key>/members/import", methods=["GET", "POST"])
@login_required
def members_import(key: str):
    """Choose a CSV of members and see what importing it would do; nothing is stored."""
    committee = _load(key)
    require_import_members(current_user, committee)
    form = UploadForm()
    plan = confirm_form = None
    if form.validate_on_submit():
        plan, confirm_form = pages.preview(form, _member_planner(committee))
    return _members_import_page(committee, form, plan, confirm_form)


@bp.post("/<key>/members/import/confirm")
@login_required
def members_import_confirm(key: str):
    """Store exactly what the preview showed, or show the new preview if records changed."""
    committee = _load(key)
    require_import_members(current_user, committee)
    stored, shown = pages.run_confirm(current_user, _member_planner(committee, lock=True),
                                      "member", "members")
    if stored:
        return redirect(url_for("committees.committee_detail", key=committee.key))
    return _members_import_page(committee, **shown)


@bp.get("/<key>/history")
@login_required
def committee_history_page(key: str):
    """Who changed what on this committee, newest first."""
    committee = _load(key)
    require_view_committee(current_user, committee)
    return render_template("committees/history.html", committee=committee,
                           entries=committee_history(committee))
