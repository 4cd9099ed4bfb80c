"""Chair pages: rotation policy, hand-over, a chair leaving mid-term."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from govtrack.agencies.models import Agency, Person
from govtrack.chairs import services
from govtrack.chairs.forms import HandoverForm, LeaveForm, PolicyForm
from govtrack.chairs.models import chair_loading
from govtrack.clock import today
from govtrack.committees.models import Committee, members_loading
from govtrack.extensions import db
from govtrack.forms import save
from govtrack.permissions import require_edit_committee, require_hand_over_chair

bp = Blueprint("chairs", __name__, url_prefix="/committees/<key>/chair")


def _load(key: str) -> Committee:
    return db.one_or_404(select(Committee).where(Committee.key == key).options(
        *members_loading(), *chair_loading()))


def _member_choices(members) -> list[tuple[int, str]]:
    return [(m.person_id, f"{m.person.name} — {m.agency.name}") for m in members]


@bp.route("/policy", methods=["GET", "POST"])
@login_required
def policy(key: str):
    """Set how the chair rotates."""
    committee = _load(key)
    require_edit_committee(current_user, committee)
    current = services.policy_of(committee)
    form = PolicyForm(obj=current, version=current.version)
    agencies = [("", "—")] + [(a.key, a.name) for a in db.session.scalars(
        select(Agency).order_by(Agency.name))]
    for n, entry in enumerate(form.agency_order):
        entry.choices = agencies
        entry.label.text = f"Agency {n + 1}"
        if not form.is_submitted():
            order = current.agency_order or []
            entry.data = order[n] if n < len(order) else ""
    if form.validate_on_submit() and save(form, lambda: services.set_policy(
            current_user, committee, form.expected_version() if committee.rotation_policy
            else None, term_months=form.term_months.data, mode=form.mode.data,
            agency_order=form.order(), co_chair_other_side=form.co_chair_other_side.data),
            committee.rotation_policy):
        flash("Rotation policy saved.", "success")
        return redirect(url_for("committees.committee_detail", key=committee.key))
    return render_template("chairs/policy.html", form=form, committee=committee)


@bp.route("/handover", methods=["GET", "POST"])
@login_required
def handover(key: str):
    """Confirm the next chair, proposed under the rotation policy."""
    committee = _load(key)
    require_hand_over_chair(current_user, committee)
    proposal = services.propose_next(committee)
    form = HandoverForm()
    everyone = services.members_on(committee, today(), set())
    form.person.choices = _member_choices(proposal.eligible) + [
        c for c in _member_choices(everyone)
        if c[0] not in {m.person_id for m in proposal.eligible}]
    form.co_chair.choices = [(0, "No co-chair")] + _member_choices(
        proposal.co_chair_eligible or everyone)
    if not form.is_submitted():
        form.start.data = proposal.start
        if proposal.eligible:
            form.person.data = proposal.eligible[0].person_id
    if form.validate_on_submit():
        person = db.session.get(Person, form.person.data)
        co_chair = db.session.get(Person, form.co_chair.data) if form.co_chair.data else None
        done = save(form, lambda: services.hand_over(
            current_user, committee, person=person, start=form.start.data, co_chair=co_chair))
        if done:
            flash(" ".join(done), "success")
            return redirect(url_for("committees.committee_detail", key=committee.key))
    return render_template("chairs/handover.html", form=form, committee=committee,
                           proposal=proposal)


@bp.route("/leave", methods=["GET", "POST"])
@login_required
def leave(key: str):
    """The hand-over checklist when the chair leaves before the term ends."""
    committee = _load(key)
    require_hand_over_chair(current_user, committee)
    term = services.current_term(committee, today())
    form = LeaveForm()
    members = services.members_on(committee, today(), {term.person_id} if term else set())
    form.person.choices = _member_choices(members)
    if not form.is_submitted():
        form.leaves_on.data = today()
        co_chairs = services.current_co_chairs(committee, today())
        if co_chairs:
            form.person.data = co_chairs[0].person_id
    if form.validate_on_submit():
        person = db.session.get(Person, form.person.data)
        done = save(form, lambda: services.hand_over(
            current_user, committee, person=person, start=form.leaves_on.data, interim=True,
            note=form.note.data or ""))
        if done:
            flash(" ".join(done), "success")
            return redirect(url_for("committees.committee_detail", key=committee.key))
    return render_template("chairs/leave.html", form=form, committee=committee, term=term,
                           steps=services.HANDOVER_STEPS)
