"""Agency and people pages; administrators edit them."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload, selectinload

from govtrack.agencies import roster, services
from govtrack.agencies.forms import AgencyForm, NewAgencyForm, PersonForm
from govtrack.agencies.models import SECTORS, Agency, Person
from govtrack.extensions import db
from govtrack.forms import save
from govtrack.permissions import can_import_people, is_admin, require_admin, require_import_people
from govtrack.uploads import pages
from govtrack.uploads.forms import UploadForm
from govtrack.web.pagination import paginate

bp = Blueprint("agencies", __name__)

def _agency_or_404(key: str) -> Agency:
    return db.one_or_404(select(Agency).where(Agency.key == key))


def _agency_choices() -> list[tuple[int, str]]:
    return [(a.id, a.name) for a in db.session.scalars(select(Agency).order_by(Agency.name))]


#: agencies on a page of the list
AGENCIES_PER_PAGE = 50


@bp.get("/agencies/")
@login_required
def agency_list():
    """The agencies, grouped by side, a page at a time: by sector, then by name."""
    page = paginate(db.session.scalar(select(func.count(Agency.id))), AGENCIES_PER_PAGE)
    # SECTORS lists the sectors side by side, so this order keeps each side together.
    sector_order = case({sector: n for n, sector in enumerate(SECTORS)}, value=Agency.sector,
                        else_=len(SECTORS))
    agencies = db.session.scalars(
        select(Agency).options(joinedload(Agency.head)).order_by(sector_order, Agency.name)
        .offset(page.offset).limit(page.per_page))
    by_side: dict[str, list[Agency]] = {}
    for agency in agencies:
        by_side.setdefault(agency.side, []).append(agency)
    return render_template("agencies/list.html", by_side=by_side, page=page,
                           can_edit=is_admin(current_user),
                           can_import=can_import_people(current_user))


@bp.get("/agencies/<key>")
@login_required
def agency_detail(key: str):
    """An agency, its head and its people."""
    agency = db.one_or_404(select(Agency).where(Agency.key == key)
                           .options(selectinload(Agency.people), selectinload(Agency.head)))
    return render_template("agencies/detail.html", agency=agency, can_edit=is_admin(current_user))


@bp.route("/agencies/new", methods=["GET", "POST"])
@login_required
def agency_new():
    """Add an agency."""
    require_admin(current_user)
    form = NewAgencyForm()
    if form.validate_on_submit():
        agency = save(form, lambda: services.create_agency(
            current_user, name=form.name.data, sector=form.sector.data))
        if agency:
            flash(f"{agency.name} added. Add its people, then name its head.", "success")
            return redirect(url_for("agencies.agency_detail", key=agency.key))
    return render_template("agencies/form.html", form=form, agency=None)


@bp.route("/agencies/<key>/edit", methods=["GET", "POST"])
@login_required
def agency_edit(key: str):
    """Change an agency's name, sector or head."""
    require_admin(current_user)
    agency = _agency_or_404(key)
    form = AgencyForm(obj=agency, head=agency.head_id or 0, version=agency.version)
    form.head.choices = [(0, "No head named")] + [(p.id, p.name) for p in agency.people
                                                   if p.active]
    if form.validate_on_submit():
        head = db.session.get(Person, form.head.data) if form.head.data else None
        if save(form, lambda: services.update_agency(
                current_user, agency, form.expected_version(), name=form.name.data,
                sector=form.sector.data, head=head), agency):
            flash("Agency saved.", "success")
            return redirect(url_for("agencies.agency_detail", key=agency.key))
    return render_template("agencies/form.html", form=form, agency=agency)


@bp.route("/agencies/<key>/people/new", methods=["GET", "POST"])
@login_required
def person_new(key: str):
    """Add a person to an agency."""
    require_admin(current_user)
    agency = _agency_or_404(key)
    form = PersonForm(agency=agency.id)
    form.agency.choices = _agency_choices()
    del form.active, form.head_now  # a new person neither leaves nor heads yet
    if form.validate_on_submit():
        person = save(form, lambda: services.create_person(
            current_user, name=form.name.data, title=form.title.data, email=form.email.data,
            agency=db.session.get(Agency, form.agency.data)))
        if person:
            flash(f"{person.name} added.", "success")
            return redirect(url_for("agencies.agency_detail", key=person.agency.key))
    return render_template("agencies/person_form.html", form=form, agency=agency, person=None)


@bp.route("/people/<key>/edit", methods=["GET", "POST"])
@login_required
def person_edit(key: str):
    """Change a person's details or mark that they left."""
    require_admin(current_user)
    person = db.one_or_404(select(Person).where(Person.key == key))
    form = PersonForm(obj=person, agency=person.agency_id, version=person.version)
    form.agency.choices = _agency_choices()
    heads = db.session.scalar(select(Agency).where(Agency.head_id == person.id))
    if heads is None:
        del form.head_now
    else:
        form.head_now.label.text = f"Who heads {heads.name} now, if {person.name} left"
        form.head_now.choices = [("", "—"), (services.NO_HEAD, "Nobody for now")] + [
            (str(p.id), p.name) for p in heads.people if p.active and p.id != person.id]
    answer = form.head_now.data if heads is not None else ""
    head_now = (services.NO_HEAD if answer == services.NO_HEAD else
                db.session.get(Person, int(answer)) if (answer or "").isdigit() else None)
    if form.validate_on_submit() and save(form, lambda: services.update_person(
            current_user, person, form.expected_version(), name=form.name.data,
            agency=db.session.get(Agency, form.agency.data), email=form.email.data,
            title=form.title.data, active=form.active.data, head_now=head_now), person):
        flash(f"{person.name} saved.", "success")
        return redirect(url_for("agencies.agency_detail", key=person.agency.key))
    return render_template("agencies/person_form.html", form=form, agency=person.agency,
                           person=person)


def _people_import_page(form: UploadForm, plan=None, confirm_form=None, status: int = 200):
    """The people import: its columns, the preview, the forms."""
    return pages.page(
        title="Import people from CSV",
        intro=("Add people, or correct their details, from a spreadsheet: one row a person. "
               "A row whose e-mail address is already recorded updates that person; an "
               "empty title keeps the one on record. Agencies must exist first."),
        columns=roster.COLUMNS, form=form, plan=plan, confirm=confirm_form,
        upload_url=url_for("agencies.people_import"),
        confirm_url=url_for("agencies.people_import_confirm"),
        back_url=url_for("agencies.agency_list"), back_text="Back to the agencies",
        noun="people", status=status)


@bp.route("/people/import", methods=["GET", "POST"])
@login_required
def people_import():
    """Choose a CSV of people and see what importing it would do; nothing is stored."""
    require_import_people(current_user)
    form = UploadForm()
    plan = confirm_form = None
    if form.validate_on_submit():
        plan, confirm_form = pages.preview(form, roster.plan_people)
    return _people_import_page(form, plan, confirm_form)


@bp.post("/people/import/confirm")
@login_required
def people_import_confirm():
    """Store exactly what the preview showed, or show the new preview if records changed."""
    require_import_people(current_user)
    stored, shown = pages.run_confirm(
        current_user, lambda text, encoding, filename: roster.plan_people(
            text, encoding, filename, lock=True), "person", "people")
    if stored:
        return redirect(url_for("agencies.agency_list"))
    return _people_import_page(**shown)
