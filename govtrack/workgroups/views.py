"""Workgroup pages, the chair's dashboard, My work and the action CSV."""

from datetime import date, timedelta
from functools import cache

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import bindparam, inspect, select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from govtrack.actions.models import ActionItem, ActionUpdate
from govtrack.actions.origin import origins
from govtrack.actions.services import create_action, edit_action, update_action
from govtrack.agencies.models import SECTORS, Agency, Person
from govtrack.chairs.models import chair_loading
from govtrack.clock import today, utcnow
from govtrack.committees.models import (
    THRESHOLDS,
    Committee,
    Membership,
    members_loading,
)
from govtrack.extensions import db, read_into
from govtrack.forms import save
from govtrack.health import snapshot as snapshots
from govtrack.health.services import collector_paused, flags_for, preloaded
from govtrack.health.snapshot import STALLED
from govtrack.permissions import (
    can_edit_action,
    can_edit_committee,
    can_set_thresholds,
    can_update_action,
    can_update_milestone,
    can_work_on,
    require_edit_committee,
    require_update_action,
    require_view_action,
    require_view_committee,
    require_view_county,
    require_work_on,
)
from govtrack.spreadsheet import csv_response, csv_stream
from govtrack.web.pagination import paginate
from govtrack.workgroups import services
from govtrack.workgroups.county_view import (
    COLUMNS,
    CSV_HEADER,
    CSV_NAME,
    county_csv_download,
    county_health,
)
from govtrack.workgroups.forms import (
    ActionEditForm,
    ActionForm,
    ActionUpdateForm,
    CloseWorkgroupForm,
    GoalEditForm,
    GoalForm,
    GoalStatusForm,
    MilestoneEditForm,
    MilestoneForm,
    MilestoneStatusForm,
    ThresholdsForm,
    UpdateForm,
    WorkgroupForm,
)
from govtrack.workgroups.health import open_workgroups
from govtrack.workgroups.models import (
    Goal,
    Milestone,
    MilestoneDueChange,
    Workgroup,
    WorkgroupUpdate,
    workgroup_member,
)
from govtrack.workgroups.overdue import (
    AGE_COLOURS,
    AGES,
    NAMED_AGENCIES,
    OLDEST,
    ageing_markup,
    agency_overdue_page,
    overdue_by_agency,
)
from govtrack.workgroups.timeline import slip_words, timeline

bp = Blueprint("workgroups", __name__)


def _committee(key: str, *options) -> Committee:
    """The committee with its members and its workgroups (their health reads rows)."""
    return db.one_or_404(select(Committee).where(Committee.key == key).options(
        *members_loading(), *options, selectinload(Committee.workgroups)))


def _health(committee: Committee, day: date) -> dict[int, list[str]]:
    """Workgroup id -> why it is stalled on day, for the committee's workgroups open on day.

    The rules read the workgroups as rows (health.open_workgroups), in a fixed
    number of queries however many workgroups, updates and milestones there are.
    """
    records = open_workgroups([committee], day)[committee.id]
    with preloaded("workgroup", records, day):
        return {wg.id: services.stall_reasons(wg, day) for wg in records}


@cache
def _workgroup_queries():
    """The statements of _workgroup, built once: SQLAlchemy keys its compiled-SQL cache by
    the statement, and working that key out for a fresh one with loader options cost a
    few milliseconds a page (see meetings.views._meeting_query).

    The workgroup with its committee, on each row one of the committee's
    memberships (members_loading's joins); then, by id, its goals with their
    milestones (owners and re-datings joined), its members and its updates. Each
    as a plain statement rather than a selectinload: the selectin loader's own
    work was about a millisecond a collection, more than its query.
    """
    from govtrack.accounts.models import Account

    by_id = bindparam("id")
    return (
        select(Workgroup, Membership).where(Workgroup.key == bindparam("key"))
        .outerjoin(Membership, Membership.committee_id == Workgroup.committee_id)
        .order_by(Membership.start, Membership.id)
        .options(joinedload(Workgroup.committee),
                 joinedload(Membership.person).joinedload(Person.account)
                 .lazyload(Account.person),
                 joinedload(Membership.agency)),
        select(Goal).where(Goal.workgroup_id == by_id).order_by(Goal.id).options(
            joinedload(Goal.milestones).options(
                joinedload(Milestone.owner),
                joinedload(Milestone.due_changes).joinedload(MilestoneDueChange.by))),
        select(Person).join(workgroup_member, workgroup_member.c.person_id == Person.id)
        .where(workgroup_member.c.workgroup_id == by_id).order_by(Person.name),
        select(WorkgroupUpdate).where(WorkgroupUpdate.workgroup_id == by_id)
        .order_by(WorkgroupUpdate.at),
    )


def _workgroup(key: str) -> Workgroup:
    """The workgroup with what its page reads, in four queries; 404 unless visible."""
    query, goals, members, updates = _workgroup_queries()
    rows = db.session.execute(query, {"key": key}).all()
    if not rows:
        abort(404)
    workgroup = rows[0][0]
    # collections a caller already loaded (or changed) stay as they are
    committee = workgroup.committee
    if "memberships" not in inspect(committee).dict:
        set_committed_value(committee, "memberships", [m for _, m in rows if m is not None])
    loaded = inspect(workgroup).dict
    for name, statement in (("goals", goals), ("members", members), ("updates", updates)):
        if name not in loaded:
            read_into(workgroup, name, statement, {"id": workgroup.id})
    require_view_committee(current_user, committee)
    return workgroup


def _member_choices(committee: Committee):
    """(person id, "name — agency") of its current members, by name: worked out once a
    request (the workgroup page's forms each offer them), a fresh list each call."""
    known = g.setdefault("member_choices", {})
    if committee.id not in known:
        day = today()
        known[committee.id] = [(m.person_id, f"{m.person.name} — {m.agency.name}")
                               for m in sorted(committee.memberships,
                                               key=lambda m: m.person.name)
                               if m.holds_on(day)]
    return list(known[committee.id])


def _back(workgroup: Workgroup):
    return redirect(url_for("workgroups.workgroup_detail", key=workgroup.key))


@bp.get("/committees/<key>/workgroups")
@login_required
def workgroup_list(key: str):
    """The committee's workgroups with their health."""
    committee = _committee(key)
    require_view_committee(current_user, committee)
    reasons = _health(committee, today())
    rows = [(wg, reasons.get(wg.id, [])) for wg in committee.workgroups]
    return render_template("workgroups/list.html", committee=committee, rows=rows,
                           can_edit=can_edit_committee(current_user, committee))


@cache
def _dashboard_committee_query():
    """The dashboard's committee, built once (see _workgroup_queries): not its roster nor its
    chair terms, which the permissions and the chair's rules read as rows."""
    return select(Committee).where(Committee.key == bindparam("key"))


@cache
def _upcoming_milestones_query():
    """The committee's open milestones due from "day" to "until", as rows, built once: the
    page names their workgroup (from the rows the health rules read) and their owner."""
    return (select(Milestone.due, Milestone.title, Goal.workgroup_id,
                   Person.name.label("owner"))
            .join(Goal, Goal.id == Milestone.goal_id)
            .join(Workgroup, Workgroup.id == Goal.workgroup_id)
            .outerjoin(Person, Person.id == Milestone.owner_id)
            .where(Workgroup.committee_id == bindparam("committee_id"),
                   Milestone.status == "open",
                   Milestone.due >= bindparam("day", type_=Milestone.due.type),
                   Milestone.due <= bindparam("until", type_=Milestone.due.type))
            .order_by(Workgroup.name, Goal.id, Milestone.due, Milestone.id))


@bp.get("/committees/<key>/dashboard")
@login_required
def dashboard(key: str):
    """The chair's dashboard: stalled workgroups, overdue actions by agency, milestones."""
    committee = db.session.execute(_dashboard_committee_query(), {"key": key}).scalar()
    if committee is None:
        abort(404)
    require_view_committee(current_user, committee)
    day = today()
    # a few thousand short-lived rows, objects and strings, none in cycles: the collector
    # would walk every object alive several times a request (~2 ms nationally)
    with collector_paused():
        # The committee's and the workgroups' rules share one reading of the held meetings;
        # the stalled workgroups are named from the rows the rules read (no ORM workgroups).
        records = open_workgroups([committee], day)[committee.id]
        with preloaded("committee", [committee], day):
            with preloaded("workgroup", records, day):
                stalled = [(wg, reasons) for wg in sorted(records, key=lambda r: (r.name, r.key))
                           if (reasons := services.stall_reasons(wg, day))]
            flags = flags_for("committee", committee, day)
        overdue = overdue_by_agency(committee.id, day)
        # the milestones of the workgroups open today (the rules' records), soonest first
        open_names = {wg.id: wg.name for wg in records}
        upcoming = sorted(
            ((m, open_names[m.workgroup_id]) for m in db.session.execute(
                _upcoming_milestones_query(), {
                    "committee_id": committee.id, "day": day,
                    "until": day + timedelta(days=60)})
             if m.workgroup_id in open_names),
            key=lambda pair: pair[0].due)
        ageing, ageing_table = ageing_markup(overdue)
        return render_template("workgroups/dashboard.html", committee=committee, stalled=stalled,
                               overdue=overdue, ageing=ageing, ageing_table=ageing_table,
                               ages=AGES, colours=AGE_COLOURS,
                               oldest=OLDEST, upcoming=upcoming,
                               named_agencies=NAMED_AGENCIES,
                               flags=flags, remedies=services.REMEDIES,
                               can_edit=can_edit_committee(current_user, committee))


@bp.route("/committees/<key>/thresholds", methods=["GET", "POST"])
@login_required
def thresholds(key: str):
    """The numbers in the health rules, as this committee has set them (chair's to change)."""
    committee = db.one_or_404(select(Committee).where(Committee.key == key))
    require_view_committee(current_user, committee)
    may_set = can_set_thresholds(current_user, committee)
    if request.method == "POST" and not may_set:
        abort(403)
    form = ThresholdsForm(version=committee.version, **{
        name: getattr(committee, name) for name in THRESHOLDS})
    if form.validate_on_submit() and save(form, lambda: services.set_thresholds(
            current_user, committee, form.expected_version(),
            {name: form[name].data for name in THRESHOLDS}), committee):
        flash("Thresholds saved; the flags use them from now on.", "success")
        return redirect(url_for("workgroups.thresholds", key=committee.key))
    return render_template("workgroups/thresholds.html", committee=committee, form=form,
                           thresholds=THRESHOLDS, may_set=may_set), (
        400 if request.method == "POST" else 200)


OVERDUE_PER_PAGE = 25


#: committees a page of the county view shows: the grid of a whole nation's would be
#: megabytes of HTML (the CSV has them all)
COUNTY_PER_PAGE = 25


def _county_filters() -> tuple[str | None, str | None]:
    """The county view's ?flag= and ?sector=, or None for any."""
    code = request.args.get("flag") or None
    if code not in {c.code for c in COLUMNS} | {STALLED}:
        code = None
    sector = request.args.get("sector") or None
    if sector not in SECTORS:
        sector = None
    return code, sector


@bp.get("/county/")
@login_required
def county():
    """Every committee by health as the newest snapshot has it: flags and workgroups' flags."""
    require_view_county(current_user)
    code, sector = _county_filters()
    snapshot = snapshots.latest()
    every = current_app.config["REMINDER_SWEEP_MINUTES"]
    rows, page, total = [], None, 0
    #: a snapshot older than a few sweeps: the scheduler is likely not running
    stale = snapshot is not None and utcnow() - snapshot.taken_at > timedelta(minutes=3 * every)
    if snapshot is not None:
        total = snapshots.count_committees(snapshot, code, sector)
        page = paginate(total, COUNTY_PER_PAGE)
        rows = county_health(snapshot, code, sector, page.offset, page.per_page)
    return render_template(
        "workgroups/county.html", rows=rows, columns=COLUMNS, code=code, sector=sector,
        sectors=SECTORS, stalled=STALLED, snapshot=snapshot, page=page, total=total,
        # a page links hundreds of workgroups: url_for each was a third of its time
        workgroup_url=url_for("workgroups.workgroup_detail", key="-").removesuffix("-"),
        zone=current_app.config["DIGEST_TIMEZONE"], every=every, stale=stale)


@bp.get("/county/health.csv")
@login_required
def county_csv():
    """The county view as CSV: one row a committee or workgroup and flag (every page),
    of the same snapshot as the page, written once per snapshot and filter."""
    require_view_county(current_user)
    code, sector = _county_filters()
    snapshot = snapshots.latest()
    if snapshot is None:
        return csv_stream(CSV_HEADER, (), CSV_NAME)
    return county_csv_download(snapshot, code, sector)


@bp.get("/committees/<key>/overdue/<agency_key>")
@login_required
def agency_overdue(key: str, agency_key: str):
    """Every overdue action item of one agency on the committee, oldest first, paged."""
    committee = db.one_or_404(select(Committee).where(Committee.key == key))
    require_view_committee(current_user, committee)
    agency = db.one_or_404(select(Agency).where(Agency.key == agency_key))
    day = today()
    total, _ = agency_overdue_page(committee.id, agency.id, day, 0, 0)
    page = paginate(total, OVERDUE_PER_PAGE)
    _, rows = agency_overdue_page(committee.id, agency.id, day, page.offset, page.per_page)
    return render_template("workgroups/agency_overdue.html", committee=committee,
                           agency=agency, rows=rows, page=page, total=total, day=day)


@bp.route("/committees/<key>/workgroups/new", methods=["GET", "POST"])
@login_required
def workgroup_new(key: str):
    """Set up a workgroup."""
    committee = _committee(key)
    require_edit_committee(current_user, committee)
    form = WorkgroupForm()
    form.lead.choices = [(0, "No lead yet")] + _member_choices(committee)
    form.members.choices = _member_choices(committee)
    if form.validate_on_submit():
        lead = db.session.get(Person, form.lead.data) if form.lead.data else None
        members = [db.session.get(Person, pid) for pid in form.members.data or []]
        workgroup = save(form, lambda: services.create_workgroup(
            current_user, committee, name=form.name.data, charge=form.charge.data or "",
            lead=lead, members=[m for m in members if m], report_back=form.report_back.data))
        if workgroup:
            flash(f"{workgroup.name} set up.", "success")
            return _back(workgroup)
    return render_template("workgroups/form.html", form=form, committee=committee,
                           workgroup=None)


@bp.get("/workgroups/<key>")
@login_required
def workgroup_detail(key: str):
    """A workgroup: charge, members, goals and milestones, actions, updates, health."""
    workgroup = _workgroup(key)
    committee = workgroup.committee
    day = today()
    reasons, actions = services.health_and_actions(workgroup, day)
    can_work = can_work_on(current_user, workgroup)
    action_form = ActionForm(formdata=None)
    action_form.owner.choices = _member_choices(committee)
    return render_template(
        "workgroups/detail.html", workgroup=workgroup, committee=committee, reasons=reasons,
        actions=actions, day=day, can_work=can_work,
        can_edit=can_edit_committee(current_user, committee), remedies=services.REMEDIES,
        update_form=UpdateForm(formdata=None), goal_form=GoalForm(formdata=None),
        milestone_forms=_milestone_forms(workgroup), action_form=action_form,
        status_form=MilestoneStatusForm(formdata=None), **_timelines(workgroup, day))


def _timelines(workgroup: Workgroup, day: date) -> dict:
    """Each goal's timeline drawing and each milestone's due dates in words."""
    return {"timelines": {g.id: timeline(g, day) for g in workgroup.goals},
            "slips": {m.id: slip_words(m) for g in workgroup.goals for m in g.milestones}}


def _milestone_forms(workgroup: Workgroup, refused: MilestoneForm | None = None,
                     goal: Goal | None = None) -> dict[int, MilestoneForm]:
    """One milestone form per goal, prefixed so their fields' ids stay unique."""
    choices = [(0, "No owner")] + _member_choices(workgroup.committee)
    forms = {}
    for each in workgroup.goals:
        form = refused if goal is not None and each.id == goal.id else MilestoneForm(
            formdata=None, prefix=f"g{each.id}")
        form.owner.choices = choices
        forms[each.id] = form
    return forms


@bp.route("/workgroups/<key>/edit", methods=["GET", "POST"])
@login_required
def workgroup_edit(key: str):
    """Re-examine the charge, members, lead and schedule."""
    workgroup = _workgroup(key)
    committee = workgroup.committee
    require_edit_committee(current_user, committee)
    form = WorkgroupForm(obj=workgroup, lead=workgroup.lead_id or 0,
                         members=[p.id for p in workgroup.members], version=workgroup.version)
    form.lead.choices = [(0, "No lead yet")] + _member_choices(committee)
    form.members.choices = _member_choices(committee) + [
        (p.id, p.name) for p in workgroup.members
        if p.id not in {c[0] for c in _member_choices(committee)}]
    if form.validate_on_submit():
        lead = db.session.get(Person, form.lead.data) if form.lead.data else None
        members = [db.session.get(Person, pid) for pid in form.members.data or []]
        if save(form, lambda: services.update_workgroup(
                current_user, workgroup, form.expected_version(), name=form.name.data,
                charge=form.charge.data or "", lead=lead, members=[m for m in members if m],
                report_back=form.report_back.data), workgroup):
            flash("Workgroup saved.", "success")
            return _back(workgroup)
    return render_template("workgroups/form.html", form=form, committee=committee,
                           workgroup=workgroup)


@bp.route("/workgroups/<key>/close", methods=["GET", "POST"])
@login_required
def workgroup_close(key: str):
    """Close the workgroup with a reason and a closing note."""
    workgroup = _workgroup(key)
    require_edit_committee(current_user, workgroup.committee)
    if workgroup.closed_at is not None:
        return _back(workgroup)
    form = CloseWorkgroupForm(version=workgroup.version)
    if form.validate_on_submit() and save(form, lambda: services.close_workgroup(
            current_user, workgroup, form.expected_version(), reason=form.reason.data,
            note=form.note.data or ""), workgroup):
        flash(f"{workgroup.name} is closed.", "success")
        return _back(workgroup)
    return render_template("workgroups/close.html", form=form, workgroup=workgroup,
                           committee=workgroup.committee), (
        400 if request.method == "POST" else 200)


@bp.post("/workgroups/<key>/reopen")
@login_required
def workgroup_reopen(key: str):
    """Open a closed workgroup again."""
    workgroup = _workgroup(key)
    require_edit_committee(current_user, workgroup.committee)
    save(None, lambda: services.reopen_workgroup(current_user, workgroup),
         done=f"{workgroup.name} is open again.")
    return _back(workgroup)


def _rerender(workgroup: Workgroup, **forms):
    """The workgroup page again with one form's errors and input kept (status 400)."""
    committee = workgroup.committee
    context = {"update_form": UpdateForm(formdata=None), "goal_form": GoalForm(formdata=None),
               "milestone_forms": _milestone_forms(workgroup),
               "action_form": ActionForm(formdata=None),
               "status_form": MilestoneStatusForm(formdata=None)} | forms
    context["action_form"].owner.choices = _member_choices(committee)
    reasons, actions = services.health_and_actions(workgroup, today())
    return render_template(
        "workgroups/detail.html", workgroup=workgroup, committee=committee,
        reasons=reasons, day=today(), actions=actions, can_work=True,
        can_edit=can_edit_committee(current_user, committee), remedies=services.REMEDIES,
        **_timelines(workgroup, today()), **context), 400


@bp.post("/workgroups/<key>/updates")
@login_required
def workgroup_update(key: str):
    """Post a status update of the workgroup."""
    workgroup = _workgroup(key)
    require_work_on(current_user, workgroup)
    form = UpdateForm()
    if form.validate_on_submit() and save(form, lambda: services.post_update(
            current_user, workgroup, form.text.data)):
        flash("Update posted.", "success")
        return _back(workgroup)
    return _rerender(workgroup, update_form=form)


@bp.post("/workgroups/<key>/goals")
@login_required
def goal_new(key: str):
    """Add a goal."""
    workgroup = _workgroup(key)
    require_work_on(current_user, workgroup)
    form = GoalForm()
    if form.validate_on_submit() and save(form, lambda: services.add_goal(
            current_user, workgroup, title=form.title.data,
            description=form.description.data or "", end_date=form.end_date.data)):
        flash("Goal added.", "success")
        return _back(workgroup)
    return _rerender(workgroup, goal_form=form)


@bp.post("/goals/<key>/milestones")
@login_required
def milestone_new(key: str):
    """Add a milestone to a goal."""
    goal = db.one_or_404(select(Goal).where(Goal.key == key))
    workgroup = _workgroup(goal.workgroup.key)
    require_work_on(current_user, workgroup)
    form = MilestoneForm(prefix=f"g{goal.id}")
    form.owner.choices = [(0, "No owner")] + _member_choices(workgroup.committee)
    if form.validate_on_submit() and save(form, lambda: services.add_milestone(
            current_user, goal, title=form.title.data, due=form.due.data,
            owner=db.session.get(Person, form.owner.data) if form.owner.data else None)):
        flash("Milestone added.", "success")
        return _back(workgroup)
    return _rerender(workgroup, milestone_forms=_milestone_forms(workgroup, form, goal))


@bp.post("/milestones/<key>/status")
@login_required
def milestone_status(key: str):
    """Mark a milestone done, cancelled or open."""
    milestone = db.one_or_404(select(Milestone).where(Milestone.key == key))
    workgroup = _workgroup(milestone.goal.workgroup.key)
    if not can_update_milestone(current_user, workgroup, milestone):
        abort(403)
    form = MilestoneStatusForm()
    if form.validate_on_submit() and save(form, lambda: services.set_milestone_status(
            current_user, milestone, form.expected_version(), form.status.data), milestone):
        flash("Milestone updated.", "success")
        return _back(workgroup)
    return _rerender(workgroup, status_form=form)


def _goal(key: str) -> tuple[Goal, Workgroup]:
    """The goal and its workgroup (loaded for the page), or 404."""
    goal_id = db.one_or_404(select(Goal.id).where(Goal.key == key))
    workgroup = _workgroup(db.session.scalar(
        select(Workgroup.key).join(Goal, Goal.workgroup_id == Workgroup.id)
        .where(Goal.id == goal_id)))
    return next(g for g in workgroup.goals if g.id == goal_id), workgroup


@bp.route("/goals/<key>/edit", methods=["GET", "POST"])
@login_required
def goal_edit(key: str):
    """Change a goal's words or date; mark it achieved or cancelled from here too."""
    goal, workgroup = _goal(key)
    require_work_on(current_user, workgroup)
    form = GoalEditForm(obj=goal, version=goal.version)
    if form.validate_on_submit() and save(form, lambda: services.edit_goal(
            current_user, goal, form.expected_version(), title=form.title.data,
            description=form.description.data or "", end_date=form.end_date.data), goal):
        flash("Goal saved.", "success")
        return _back(workgroup)
    return render_template("workgroups/goal_form.html", form=form, goal=goal,
                           workgroup=workgroup, committee=workgroup.committee,
                           status_form=GoalStatusForm(formdata=None)), (
        400 if request.method == "POST" else 200)


@bp.post("/goals/<key>/status")
@login_required
def goal_status(key: str):
    """Mark a goal achieved or cancelled, or open it again."""
    goal, workgroup = _goal(key)
    require_work_on(current_user, workgroup)
    form = GoalStatusForm()
    if form.validate_on_submit() and save(form, lambda: services.set_goal_status(
            current_user, goal, form.expected_version(), form.status.data), goal):
        flash(f"“{goal.title}” is {goal.status_label.lower()}.", "success")
        return _back(workgroup)
    return render_template("workgroups/goal_form.html", form=GoalEditForm(
        formdata=None, obj=goal, version=goal.version), goal=goal, workgroup=workgroup,
        committee=workgroup.committee, status_form=form), 400


@bp.route("/milestones/<key>/edit", methods=["GET", "POST"])
@login_required
def milestone_edit(key: str):
    """Change a milestone's title, owner or due date; earlier dates stay on record."""
    milestone_id = db.one_or_404(select(Milestone.id).where(Milestone.key == key))
    goal, workgroup = _goal(db.session.scalar(
        select(Goal.key).join(Milestone, Milestone.goal_id == Goal.id)
        .where(Milestone.id == milestone_id)))
    milestone = next(m for m in goal.milestones if m.id == milestone_id)
    if not can_update_milestone(current_user, workgroup, milestone):
        abort(403)
    form = MilestoneEditForm(obj=milestone, owner=milestone.owner_id or 0,
                             version=milestone.version)
    form.owner.choices = [(0, "No owner")] + _member_choices(workgroup.committee)
    if milestone.owner and milestone.owner_id not in {c[0] for c in form.owner.choices}:
        form.owner.choices.append((milestone.owner_id, milestone.owner.name))
    if form.validate_on_submit() and save(form, lambda: services.edit_milestone(
            current_user, milestone, form.expected_version(), title=form.title.data,
            due=form.due.data, reason=form.reason.data or "",
            owner=db.session.get(Person, form.owner.data) if form.owner.data else None),
            milestone):
        flash("Milestone saved.", "success")
        return _back(workgroup)
    return render_template("workgroups/milestone_form.html", form=form, milestone=milestone,
                           goal=goal, workgroup=workgroup, committee=workgroup.committee,
                           slip=slip_words(milestone)), (
        400 if request.method == "POST" else 200)


@bp.post("/workgroups/<key>/actions")
@login_required
def action_new(key: str):
    """Add an action item to the workgroup."""
    workgroup = _workgroup(key)
    require_work_on(current_user, workgroup)
    form = ActionForm()
    form.owner.choices = _member_choices(workgroup.committee)
    if form.validate_on_submit() and save(form, lambda: create_action(
            current_user, workgroup.committee, title=form.title.data,
            owner=db.session.get(Person, form.owner.data), due=form.due.data,
            origin_kind="workgroup", origin_ref=workgroup.key, workgroup_key=workgroup.key)):
        flash("Action item added.", "success")
        return _back(workgroup)
    return _rerender(workgroup, action_form=form)


@bp.get("/committees/<key>/actions.csv")
@login_required
def actions_csv(key: str):
    """Every action item of the committee as CSV, for a spreadsheet."""
    committee = db.one_or_404(select(Committee).where(Committee.key == key).options(
        *members_loading(), *chair_loading()))
    require_view_committee(current_user, committee)
    actions = db.session.scalars(select(ActionItem).where(
        ActionItem.committee_id == committee.id).options(
        selectinload(ActionItem.owner).selectinload(Person.agency)).order_by(ActionItem.due))
    return csv_response(
        ["key", "title", "owner", "agency", "due", "status", "workgroup", "origin", "created"],
        ((a.key, a.title, a.owner.name, a.owner.agency.name,
          a.due.isoformat() if a.due else "", a.status, a.workgroup_key or "",
          f"{a.origin_kind}:{a.origin_ref or ''}", a.created_at.date().isoformat())
         for a in actions), f"actions-{committee.key}.csv")


def _action(key: str) -> ActionItem:
    """The action with its committee's roster, owner and whole update log; 404 if unseen."""
    action = db.one_or_404(select(ActionItem).where(ActionItem.key == key).options(
        joinedload(ActionItem.owner).joinedload(Person.agency),
        selectinload(ActionItem.updates).joinedload(ActionUpdate.by),
        selectinload(ActionItem.committee).options(*members_loading())))
    require_view_action(current_user, action)
    return action


def _owner_choices(action: ActionItem) -> list[tuple[int, str]]:
    """Who may own the action: the committee's current members, and its owner if not
    one of them (a member who left, an obligation's owner outside the committee)."""
    choices = _member_choices(action.committee)
    if action.owner_id not in {value for value, _ in choices}:
        choices.append((action.owner_id, action.owner.name))
    return choices


def _render_action(action: ActionItem, update_form=None, edit_form=None, status: int = 200):
    """The action's page: its origin, update log, and the forms its reader may use."""
    committee = action.committee
    if update_form is None:
        update_form = ActionUpdateForm(formdata=None, prefix=f"a{action.id}",
                                       status=action.status, version=action.version)
    if edit_form is None:
        edit_form = ActionEditForm(formdata=None, obj=action, owner=action.owner_id,
                                   version=action.version)
    edit_form.owner.choices = _owner_choices(action)
    return render_template(
        "workgroups/action.html", action=action, committee=committee, day=today(),
        origins=origins(action), update_form=update_form, edit_form=edit_form,
        can_update=can_update_action(current_user, action),
        can_edit=can_edit_action(current_user, action)), status


@bp.get("/actions/<key>")
@login_required
def action_detail(key: str):
    """An action item: owner, due date, status, where it came from, and its whole log."""
    return _render_action(_action(key))


@bp.post("/actions/<key>/edit")
@login_required
def action_edit(key: str):
    """The committee's editors change the title, owner or due date; the log says so."""
    action = _action(key)
    if not can_edit_action(current_user, action):
        abort(403)
    form = ActionEditForm()
    form.owner.choices = _owner_choices(action)
    if form.validate_on_submit() and save(form, lambda: edit_action(
            current_user, action, form.expected_version(), title=form.title.data,
            owner=db.session.get(Person, form.owner.data), due=form.due.data), action):
        flash("Action item saved.", "success")
        return redirect(url_for("workgroups.action_detail", key=action.key))
    return _render_action(action, edit_form=form, status=400)


@bp.post("/actions/<key>/update")
@login_required
def action_update(key: str):
    """Update an action in one step from My work or the action's page."""
    action = _action(key)
    require_update_action(current_user, action)
    on_page = request.args.get("from") == "action"
    form = ActionUpdateForm(prefix=f"a{action.id}")
    if form.validate_on_submit() and save(form, lambda: update_action(
            current_user, action, status=form.status.data, note=form.note.data or "",
            expected_version=form.expected_version()), action):
        flash(f"“{action.title}” updated.", "success")
        return redirect(url_for("workgroups.action_detail", key=action.key) if on_page
                        else url_for("web.my_work"))
    if on_page:
        return _render_action(action, update_form=form, status=400)
    from govtrack.web.views import render_my_work

    return render_my_work(errors={action.id: form}), 400
