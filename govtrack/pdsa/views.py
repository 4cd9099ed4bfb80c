"""Outcomes, measure and PDSA pages."""

from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from govtrack.agencies.models import Agency
from govtrack.committees.models import Committee, members_loading
from govtrack.extensions import db
from govtrack.forms import save
from govtrack.pdsa import runchart, services
from govtrack.pdsa.forms import (
    BaselineForm,
    CycleForm,
    ImportForm,
    MeasureForm,
    PhaseForm,
    PointCorrectForm,
    PointDeleteForm,
    PointForm,
    RecordForm,
)
from govtrack.pdsa.models import (
    DECISIONS,
    DIRECTIONS,
    MEASURE_KINDS,
    PHASE_NAMES,
    DataPoint,
    Measure,
    PdsaCycle,
    PhaseChange,
)
from govtrack.permissions import (
    can_edit_committee,
    can_work_on,
    require_edit_committee,
    require_view_committee,
    require_work_on,
)
from govtrack.spreadsheet import csv_response
from govtrack.workgroups.models import Goal, Workgroup

bp = Blueprint("pdsa", __name__)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _committee(key: str) -> Committee:
    """The committee with its measures (their points are read as rows when charted)."""
    committee = db.one_or_404(select(Committee).where(Committee.key == key).options(
        selectinload(Committee.measures)))
    require_view_committee(current_user, committee)
    return committee


def _measure(key: str) -> Measure:
    measure = db.one_or_404(select(Measure).where(Measure.key == key).options(
        selectinload(Measure.points),
        selectinload(Measure.committee).options(*members_loading())))
    require_view_committee(current_user, measure.committee)
    return measure


def _goal(key: str) -> Goal:
    goal = db.one_or_404(select(Goal).where(Goal.key == key).options(
        selectinload(Goal.workgroup).selectinload(Workgroup.committee).options(
            *members_loading())))
    require_view_committee(current_user, goal.workgroup.committee)
    return goal


def _cycle(key: str) -> PdsaCycle:
    cycle = db.one_or_404(select(PdsaCycle).where(PdsaCycle.key == key))
    require_view_committee(current_user, cycle.goal.workgroup.committee)
    return cycle


def cycle_starts(committee: Committee) -> list[tuple[date, str]]:
    """PDSA cycles' start dates under the committee's goals: the charts' annotations.

    A cycle starts on the date of its first phase (PdsaCycle.started_on), read
    for all of them in one query.
    """
    return sorted((since, title) for since, title in db.session.execute(
        select(func.min(PhaseChange.since), PdsaCycle.title)
        .join(PdsaCycle, PdsaCycle.id == PhaseChange.cycle_id)
        .join(Goal, Goal.id == PdsaCycle.goal_id)
        .join(Workgroup, Workgroup.id == Goal.workgroup_id)
        .where(Workgroup.committee_id == committee.id)
        .group_by(PdsaCycle.id, PdsaCycle.title)))


def _view(measure: Measure, starts: list[tuple[date, str]],
          points: list[tuple[date, float]] | None = None) -> dict:
    result = services.analysis(measure, points=points)
    return {"measure": measure, "analysis": result, "signal": runchart.describe(
        result, measure.direction), "chart": runchart.chart(
        result, starts, measure.show_limits, unit=measure.unit, target=measure.target)}


# --- outcomes and measures -------------------------------------------------------------


@bp.get("/committees/<key>/outcomes")
@login_required
def outcomes(key: str):
    """Every measure of the committee: its run chart and its signal in words."""
    committee = _committee(key)
    starts = cycle_starts(committee)
    points = services.point_values(committee.measures)
    return render_template("pdsa/outcomes.html", committee=committee,
                           views=[_view(m, starts, points[m.id]) for m in committee.measures],
                           can_edit=can_edit_committee(current_user, committee))


def _measure_choices(form: MeasureForm, committee: Committee) -> None:
    form.workgroup.choices = [(0, "The whole committee")] + [
        (wg.id, wg.name) for wg in committee.workgroups]
    form.source_agency.choices = [(0, "Not said")] + [
        (a.id, a.name) for a in db.session.scalars(select(Agency).order_by(Agency.name))]


def _measure_values(form: MeasureForm, committee: Committee) -> dict:
    workgroup = next((wg for wg in committee.workgroups if wg.id == form.workgroup.data), None)
    agency = db.session.get(Agency, form.source_agency.data) if form.source_agency.data else None
    return {"name": form.name.data, "definition": form.definition.data or "",
            "unit": form.unit.data or "", "kind": form.kind.data,
            "direction": form.direction.data, "frequency": form.frequency.data,
            "workgroup": workgroup, "source_agency": agency, "rules": form.rules.data,
            "baseline_points": form.baseline_points.data,
            "show_limits": form.show_limits.data == "yes",
            "target": services.parse_value(form.target.data, "target")
            if form.target.data else None}


@bp.route("/committees/<key>/measures/new", methods=["GET", "POST"])
@login_required
def measure_new(key: str):
    """Define a measure."""
    committee = _committee(key)
    require_edit_committee(current_user, committee)
    form = MeasureForm()
    _measure_choices(form, committee)
    if form.validate_on_submit():
        measure = save(form, lambda: services.create_measure(
            current_user, committee, **_measure_values(form, committee)))
        if measure:
            flash(f"{measure.name} defined. Add its data points.", "success")
            return redirect(url_for("pdsa.measure_detail", key=measure.key))
    return render_template("pdsa/measure_form.html", form=form, committee=committee,
                           measure=None)


@bp.route("/measures/<key>/edit", methods=["GET", "POST"])
@login_required
def measure_edit(key: str):
    """Change a measure's definition or chart settings."""
    measure = _measure(key)
    committee = measure.committee
    require_edit_committee(current_user, committee)
    # no obj=: its workgroup, source_agency and show_limits are not the form's values
    form = MeasureForm(**{name: getattr(measure, name) for name in (
                           "name", "definition", "unit", "kind", "direction", "frequency",
                           "rules", "baseline_points")},
                       workgroup=measure.workgroup_id or 0,
                       source_agency=measure.source_agency_id or 0,
                       show_limits="yes" if measure.show_limits else "no",
                       target=f"{measure.target:g}" if measure.target is not None else "",
                       version=measure.version)
    _measure_choices(form, committee)
    if form.validate_on_submit() and save(form, lambda: services.update_measure(
            current_user, measure, form.expected_version(),
            **_measure_values(form, committee)), measure):
        flash("Measure saved.", "success")
        return redirect(url_for("pdsa.measure_detail", key=measure.key))
    return render_template("pdsa/measure_form.html", form=form, committee=committee,
                           measure=measure)


def _render_measure(measure: Measure, point_form=None, import_form=None, problems=(),
                    baseline_form=None, status=200):
    committee = measure.committee
    view = _view(measure, cycle_starts(committee))
    baseline_form = baseline_form or BaselineForm(formdata=None)
    starts = runchart.sustained_shift_starts(services.analysis(measure, reset_on=None))
    baseline_form.reset_on.choices = [("", "No reset: one baseline")] + [
        (d.isoformat(), d.isoformat()) for d in starts]
    baseline_form.reset_on.data = measure.reset_on.isoformat() if measure.reset_on else ""
    return render_template(
        "pdsa/measure.html", committee=committee, **view,
        point_form=point_form or PointForm(formdata=None),
        import_form=import_form or ImportForm(formdata=None), problems=problems,
        baseline_form=baseline_form, can_edit=can_edit_committee(current_user, committee),
        kinds=MEASURE_KINDS, directions=DIRECTIONS), status


@bp.get("/measures/<key>")
@login_required
def measure_detail(key: str):
    """A measure: run chart, signals in words, the data table, data entry."""
    return _render_measure(_measure(key))


@bp.post("/measures/<key>/points")
@login_required
def point_add(key: str):
    """Record one data point."""
    measure = _measure(key)
    require_edit_committee(current_user, measure.committee)
    form = PointForm()
    if form.validate_on_submit() and (value := _posted_value(form)) is not None and save(
            form, lambda: services.add_point(current_user, measure, form.day.data, value,
                                             form.note.data or "")):
        flash("Point recorded.", "success")
        return redirect(url_for("pdsa.measure_detail", key=measure.key))
    return _render_measure(measure, point_form=form, status=400)


def _posted_value(form: PointForm) -> float | None:
    """The point's value as a number, or None with the reason shown on the form.

    Read before saving: a value that is not a number is the form's error, not
    a refusal from the service (which would answer a repeated submission).
    """
    try:
        return services.parse_value(form.value.data)
    except services.DomainError as exc:
        form.add_domain_error(exc)
        return None


def _point(point_id: int) -> tuple[DataPoint, Measure]:
    """The point and its measure (404 for a committee not visible), editors only."""
    measure_key = db.session.scalar(select(Measure.key).join(
        DataPoint, DataPoint.measure_id == Measure.id).where(DataPoint.id == point_id))
    if measure_key is None:
        abort(404)
    measure = _measure(measure_key)
    require_edit_committee(current_user, measure.committee)
    return next(p for p in measure.points if p.id == point_id), measure


def _render_point(point, measure, correct_form=None, delete_form=None, status=200):
    return render_template(
        "pdsa/point_form.html", point=point, measure=measure, committee=measure.committee,
        correct_form=correct_form or PointCorrectForm(
            formdata=None, day=point.day, value=f"{point.value:g}", note=point.note),
        delete_form=delete_form or PointDeleteForm(formdata=None)), status


@bp.route("/points/<int:point_id>/edit", methods=["GET", "POST"])
@login_required
def point_edit(point_id: int):
    """Correct a data point's date, value or note, with a reason (audited)."""
    point, measure = _point(point_id)
    if request.method == "GET":
        return _render_point(point, measure)
    form = PointCorrectForm()
    if form.validate_on_submit() and (value := _posted_value(form)) is not None and save(
            form, lambda: services.correct_point(
                current_user, point, day=form.day.data, value=value,
                note=form.note.data or "", reason=form.reason.data)):
        flash("Point corrected.", "success")
        return redirect(url_for("pdsa.measure_detail", key=measure.key))
    return _render_point(point, measure, correct_form=form, status=400)


@bp.post("/points/<int:point_id>/delete")
@login_required
def point_delete(point_id: int):
    """Delete a mistaken data point, with a reason (audited)."""
    point, measure = _point(point_id)
    form = PointDeleteForm()
    if form.validate_on_submit() and save(form, lambda: services.delete_point(
            current_user, point, form.reason.data)):
        flash("Point deleted.", "success")
        return redirect(url_for("pdsa.measure_detail", key=measure.key))
    return _render_point(point, measure, delete_form=form, status=400)


_DATA_HEADER = ["measure", "name", "unit", "date", "value", "note"]


def _data_rows(measure: Measure):
    return ((measure.key, measure.name, measure.unit, p.day.isoformat(), p.value, p.note)
            for p in measure.points)


@bp.get("/measures/<key>/data.csv")
@login_required
def measure_csv(key: str):
    """A measure's data points as CSV."""
    measure = _measure(key)
    return csv_response(_DATA_HEADER, _data_rows(measure), f"measure-{measure.key}.csv")


@bp.get("/committees/<key>/measures.csv")
@login_required
def measures_csv(key: str):
    """Every data point of every measure of the committee as CSV, one row a point."""
    committee = db.one_or_404(select(Committee).where(Committee.key == key).options(
        selectinload(Committee.measures).selectinload(Measure.points)))
    require_view_committee(current_user, committee)
    return csv_response(_DATA_HEADER, (row for m in committee.measures for row in _data_rows(m)),
                        f"measures-{committee.key}.csv")


@bp.post("/measures/<key>/import")
@login_required
def point_import(key: str):
    """Import data points from CSV: all rows or none, with a row-by-row report."""
    measure = _measure(key)
    require_edit_committee(current_user, measure.committee)
    form = ImportForm()
    problems: list[tuple[int, str, str]] = []
    if form.validate_on_submit():
        upload = form.file.data
        # The request is bounded (MAX_CONTENT_LENGTH), so the whole file is read.
        raw = upload.read() if upload and hasattr(upload, "read") else b""
        too_large = services.csv_size_problem(len(raw))
        try:
            text = raw.decode("utf-8") if not too_large else ""
        except UnicodeDecodeError:
            problems = [(1, "", "The file is not UTF-8 text.")]
        if too_large:
            problems = [(1, "", too_large)]
        elif not problems:
            # import_csv stores nothing when any row has a problem
            result = save(form, lambda: services.import_csv(current_user, measure, text))
            if result and result.ok:
                flash(f"{len(result.added)} points imported.", "success")
                return redirect(url_for("pdsa.measure_detail", key=measure.key))
            problems = result.problems if result else []
    return _render_measure(measure, import_form=form, problems=problems, status=400)


@bp.post("/measures/<key>/baseline")
@login_required
def baseline(key: str):
    """Reset the baseline where a sustained shift began, or undo the reset."""
    measure = _measure(key)
    require_edit_committee(current_user, measure.committee)
    form = BaselineForm()
    text = form.reset_on.raw_data[0] if form.reset_on.raw_data else ""
    try:
        day = date.fromisoformat(text) if text else None
    except ValueError:
        day = None
        form.form_errors.append("Choose a date from the list.")
    if not form.form_errors and save(
            form, lambda: services.reset_baseline(current_user, measure, day)):
        flash("Baseline reset." if day else "One baseline again.", "success")
        return redirect(url_for("pdsa.measure_detail", key=measure.key))
    form.reset_on.errors = [*form.form_errors]
    return _render_measure(measure, baseline_form=form, status=400)


# --- PDSA cycles ---------------------------------------------------------------------


@bp.get("/goals/<key>/ramp")
@login_required
def ramp(key: str):
    """The goal's ramp: its cycles in order with their phases and dates."""
    goal = _goal(key)
    workgroup = goal.workgroup
    cycles = services.ramp(goal)
    return render_template("pdsa/ramp.html", goal=goal, workgroup=workgroup,
                           committee=workgroup.committee, cycles=cycles,
                           measures=services.measures_of(cycles),
                           phases=PHASE_NAMES, decisions=DECISIONS,
                           can_work=can_work_on(current_user, workgroup))


@bp.route("/goals/<key>/pdsa/new", methods=["GET", "POST"])
@login_required
def cycle_new(key: str):
    """Plan a new cycle under the goal."""
    goal = _goal(key)
    require_work_on(current_user, goal.workgroup)
    form = CycleForm()
    if form.validate_on_submit():
        plan = {name: form[name].data or "" for name in (
            "objective", "questions", "predictions", "who_what_where_when", "measure_keys")}
        cycle = save(form, lambda: services.create_cycle(
            current_user, goal, title=form.title.data, study_due=form.study_due.data,
            owner=current_user.person, **plan))
        if cycle:
            flash("Cycle planned.", "success")
            return redirect(url_for("pdsa.cycle_detail", key=cycle.key))
    return render_template("pdsa/cycle_form.html", form=form, goal=goal,
                           committee=goal.workgroup.committee)


def _editable(phase: str) -> tuple[str, ...]:
    """The fields of phase the worksheet form writes (the owner is kept as planned)."""
    return tuple(n for n in services.PHASE_FIELDS.get(phase, ()) if n != "owner")


def _render_cycle(cycle: PdsaCycle, record_form=None, phase_form=None, status=200):
    workgroup = cycle.goal.workgroup
    phase_form = phase_form or PhaseForm(formdata=None, version=cycle.version)
    upcoming = services.next_phase(cycle)
    return render_template(
        "pdsa/cycle.html", cycle=cycle, goal=cycle.goal, workgroup=workgroup,
        committee=workgroup.committee, phases=PHASE_NAMES, decisions=DECISIONS,
        editable=_editable(cycle.phase), next_phase=upcoming,
        measures=services.measures_of([cycle]),
        record_form=record_form or RecordForm(formdata=None, obj=cycle, phase=cycle.phase,
                                              version=cycle.version),
        phase_form=phase_form, can_work=can_work_on(current_user, workgroup)), status


@bp.get("/pdsa/<key>")
@login_required
def cycle_detail(key: str):
    """A cycle's worksheet: all four phases and the phase history."""
    return _render_cycle(_cycle(key))


@bp.get("/pdsa/<key>/worksheet.docx")
@login_required
def cycle_docx(key: str):
    """The cycle's worksheet (all four phases) as a Word document."""
    from govtrack.documents.pdsa import pdsa_docx

    cycle = _cycle(key)
    return Response(pdsa_docx(cycle), mimetype=DOCX, headers={
        "Content-Disposition": f'attachment; filename="pdsa-{cycle.key}.docx"'})


@bp.post("/pdsa/<key>/record")
@login_required
def cycle_record(key: str):
    """Record the current phase's findings (Do, Study or Act)."""
    cycle = _cycle(key)
    require_work_on(current_user, cycle.goal.workgroup)
    form = RecordForm()
    if form.validate_on_submit():
        phase = form.phase.data
        values = {name: (form[name].data or (None if name in ("decision", "study_due")
                                             else "")) for name in _editable(phase)}
        if save(form, lambda: services.update_cycle(
                current_user, cycle, form.expected_version(), phase, **values), cycle):
            flash(f"{PHASE_NAMES[phase]} recorded.", "success")
            return redirect(url_for("pdsa.cycle_detail", key=cycle.key))
    return _render_cycle(cycle, record_form=form, status=400)


@bp.post("/pdsa/<key>/phase")
@login_required
def cycle_phase(key: str):
    """Move the cycle to its next phase, dated."""
    cycle = _cycle(key)
    require_work_on(current_user, cycle.goal.workgroup)
    form = PhaseForm()
    if form.validate_on_submit():
        if form.expected_version() not in (None, cycle.version):
            form.form_errors.append("The cycle changed since you opened it; look again.")
        elif save(form, lambda: services.move_phase(current_user, cycle, form.phase.data,
                                                    form.on.data), cycle):
            flash(f"Moved to {PHASE_NAMES[cycle.phase]}.", "success")
            return redirect(url_for("pdsa.cycle_detail", key=cycle.key))
    return _render_cycle(cycle, phase_form=form, status=400)


@bp.post("/pdsa/<key>/adapt")
@login_required
def cycle_adapt(key: str):
    """Start the next cycle, pre-filled from this adapted one."""
    cycle = _cycle(key)
    require_work_on(current_user, cycle.goal.workgroup)
    form = PhaseForm(formdata=None)
    following = save(form, lambda: services.adapt(current_user, cycle))
    if following:
        flash("The next cycle is planned from this one; review its plan.", "success")
        return redirect(url_for("pdsa.cycle_detail", key=following.key))
    for message in form.form_errors + form.phase.errors:
        flash(message, "error")
    return redirect(url_for("pdsa.cycle_detail", key=cycle.key))
