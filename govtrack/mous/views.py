"""MOU pages: the register, an MOU, its editing, signing, certificate and Word file."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from govtrack.accounts import totp
from govtrack.agencies.models import Agency, Person
from govtrack.clock import today
from govtrack.committees.models import Committee, roster_loading
from govtrack.editing import AlreadyDone, DomainError
from govtrack.extensions import db
from govtrack.forms import save
from govtrack.health.services import flags_for
from govtrack.mous import services, signatories
from govtrack.mous.forms import (
    AuthorisationForm,
    DeclineForm,
    SignForm,
    StatusForm,
    TrackForm,
    VerifyForm,
    mou_form,
)
from govtrack.mous.models import Mou, SignatoryAuthorisation
from govtrack.permissions import (
    can_edit_mou,
    can_manage_signatories,
    can_view_mou,
    can_view_signatories,
    is_admin,
)

bp = Blueprint("mous", __name__)
bp.add_app_template_global(can_view_signatories, "can_view_signatories")

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _mou(key: str) -> Mou:
    """Load (404), then check the MOU is visible to the user (404: its existence is private)."""
    mou = db.one_or_404(select(Mou).where(Mou.key == key).options(*services.mou_loading()))
    if not can_view_mou(current_user, mou):
        abort(404)
    return mou


def _require_edit(mou: Mou) -> None:
    if not can_edit_mou(current_user, mou):
        abort(403)


def _back(mou: Mou):
    return redirect(url_for("mous.mou_detail", key=mou.key))


def _editable_committees() -> list[Committee]:
    committees = db.session.scalars(select(Committee).order_by(Committee.name).options(
        *roster_loading()))
    return [c for c in committees if can_edit_mou(current_user, committee=c)]


def _agency_choices():
    return [(a.id, a.name) for a in db.session.scalars(select(Agency).order_by(Agency.name))]


@bp.get("/mous/")
@login_required
def mou_list():
    """The MOUs I may see, with their health, and those awaiting my signature."""
    day = today()
    rows = [(m, flags_for("mou", m, day)) for m in services.visible_mous(current_user)]
    return render_template("mous/list.html", rows=rows,
                           awaiting=services.awaiting_signature(current_user.person),
                           can_create=is_admin(current_user) or bool(_editable_committees()))


@bp.get("/mous/mine")
@login_required
def mine():
    """The agency head's view: MOUs awaiting my signature, and what my agencies promised."""
    headed = list(db.session.scalars(select(Agency).where(
        Agency.head_id == current_user.person_id).order_by(Agency.name)))
    return render_template("mous/mine.html", headed=headed,
                           awaiting=services.awaiting_signature(current_user.person),
                           promised=services.promised_by(headed))


def _obligations_from(form, parties) -> dict[str, str]:
    return {a.key: getattr(form, f"obligation_{a.id}").data or "" for a in parties
            if hasattr(form, f"obligation_{a.id}")}


@bp.route("/mous/new", methods=["GET", "POST"])
@login_required
def mou_new():
    """Draft an MOU for a committee I help run."""
    committees = _editable_committees()
    if not committees:
        abort(403)
    form = mou_form([])
    form.committee.choices = [(c.id, c.name) for c in committees]
    form.parties.choices = _agency_choices()
    if form.validate_on_submit():
        committee = next((c for c in committees if c.id == form.committee.data), None)
        parties = [db.session.get(Agency, i) for i in form.parties.data or []]
        if committee is None:
            form.committee.errors = [*form.committee.errors, "Choose the committee."]
        else:
            mou = save(form, lambda: services.create_mou(
                current_user, title=form.title.data, committee=committee,
                parties=[p for p in parties if p], text=form.text.data or "",
                purpose=form.purpose.data or "", background=form.background.data or "",
                effective=form.effective.data, expires=form.expires.data,
                review=form.review.data), retry=True)
            if isinstance(mou, AlreadyDone):
                return redirect(url_for("mous.mou_edit", key=mou.record.key))
            if mou:
                flash("MOU drafted. Write each party's obligations next.", "success")
                return redirect(url_for("mous.mou_edit", key=mou.key))
    return render_template("mous/form.html", form=form, mou=None, obligation_fields=[])


@bp.get("/mous/<key>")
@login_required
def mou_detail(key: str):
    """An MOU: its record, parties and obligations, versions, signatures and health."""
    mou = _mou(key)
    can_edit = can_edit_mou(current_user, mou)
    track = TrackForm(formdata=None)
    # Only the people who edit a sponsored MOU track obligations: no one else's page
    # reads the parties' staff.
    track.owner.choices = _owner_choices(mou) if can_edit and mou.committee else []
    sign_parties = services.signable_parties(current_user, mou)
    return render_template(
        "mous/detail.html", mou=mou, flags=flags_for("mou", mou, today()),
        signed=mou.signed_parties(), verification=services.verify(mou),
        actions=services.obligation_actions([mou]).get(mou.key, []),
        can_edit=can_edit, can_sign=bool(sign_parties), sign_parties=sign_parties,
        # who may sign is shown only while the MOU awaits signatures
        signatories=(signatories.signatories(mou.parties, mou, today())
                     if mou.status == "out_for_signature" else {}),
        capacity_labels=signatories.CAPACITY_LABELS,
        status_form=StatusForm(formdata=None), track_form=track,
        statuses=sorted(services.TRANSITIONS[mou.status]))


def _owner_choices(mou: Mou):
    people = db.session.scalars(select(Person).where(
        Person.agency_id.in_([a.id for a in mou.parties]), Person.active.is_(True))
        .order_by(Person.name))
    return [(p.id, p.name) for p in people]


@bp.route("/mous/<key>/edit", methods=["GET", "POST"])
@login_required
def mou_edit(key: str):
    """Edit an MOU being drafted, reviewed or signed; an executed one is refused."""
    mou = _mou(key)
    _require_edit(mou)
    try:
        services.refuse_if_executed(mou)
    except DomainError as exc:
        flash(str(exc), "error")
        return _back(mou)
    current = mou.current
    ordering = mou.status in ("draft", "in_review")
    form = mou_form(mou.parties, signing_order=ordering, title=mou.title,
                    purpose=mou.purpose,
                    background=mou.background, effective=mou.effective,
                    expires=mou.expires, review=mou.review, text=current.text,
                    version=mou.version,
                    committee=mou.committee_id or 0, parties=[a.id for a in mou.parties],
                    signing_in_order=mou.signing_in_order,
                    **{f"position_{a.id}": n for n, a in enumerate(mou.parties, start=1)},
                    **{f"obligation_{a.id}": "\n".join(current.obligations_of(a.key))
                       for a in mou.parties})
    form.committee.choices = [(mou.committee_id or 0, mou.committee.name if mou.committee
                               else "None")]
    form.parties.choices = _agency_choices()
    if form.validate_on_submit():
        parties = [p for p in (db.session.get(Agency, i) for i in form.parties.data or [])
                   if p]
        if save(form, lambda: services.update_mou(
                current_user, mou, form.expected_version(), title=form.title.data,
                purpose=form.purpose.data or "", background=form.background.data or "",
                text=form.text.data or "", obligations=_obligations_from(form, mou.parties),
                parties=parties, effective=form.effective.data, expires=form.expires.data,
                review=form.review.data, **_signing_order_from(form, mou, ordering)), mou):
            flash("MOU saved.", "success")
            return _back(mou)
    return render_template("mous/form.html", form=form, mou=mou, obligation_fields=[
        getattr(form, f"obligation_{a.id}") for a in mou.parties], position_fields=[
        getattr(form, f"position_{a.id}") for a in mou.parties] if ordering else [])


def _signing_order_from(form, mou: Mou, ordering: bool) -> dict:
    """The signing order as typed, for update_mou; nothing once it can no longer change."""
    if not ordering:
        return {}
    return {"signing_in_order": bool(form.signing_in_order.data),
            "positions": {a.id: getattr(form, f"position_{a.id}").data for a in mou.parties}}


@bp.post("/mous/<key>/status")
@login_required
def mou_status(key: str):
    """Move the MOU: to review, out for signature, back to draft, expired or terminated."""
    mou = _mou(key)
    _require_edit(mou)
    form = StatusForm()
    if form.validate_on_submit() and save(form, lambda: services.change_status(
            current_user, mou, form.to.data)):
        flash(f"The MOU is now {mou.status_label.lower()}.", "success")
    else:
        flash(" ".join(form.form_errors + form.to.errors) or "Choose a status.", "error")
    return _back(mou)


@bp.post("/mous/<key>/amend")
@login_required
def mou_amend(key: str):
    """Start an amendment of an executed MOU."""
    mou = _mou(key)
    _require_edit(mou)
    amendment = save(None, lambda: services.amend(current_user, mou),
                     done="Amendment drafted: it supersedes this MOU once every party signs it.")
    if not amendment:
        return _back(mou)
    return redirect(url_for("mous.mou_edit", key=amendment.key))


def _party_choices(mou: Mou):
    signed = mou.signed_parties()
    return [(a.id, a.name) for a in services.signable_parties(current_user, mou)
            if a.id not in signed]


def _waiting(mou: Mou, choices) -> dict:
    """agency id -> the party that must sign first, for the parties I could sign for."""
    ids = {i for i, _ in choices}
    return {a.id: mou.waiting_for(a) for a in mou.parties
            if a.id in ids and mou.waiting_for(a) is not None}


def _totp_context() -> dict:
    """Whether the sign page asks for a TOTP code, and why."""
    return {"totp_enrolled": totp.enrolled(current_user),
            "totp_required": totp.signing_requires_totp()}


@bp.route("/mous/<key>/sign", methods=["GET", "POST"])
@login_required
def mou_sign(key: str):
    """Sign for my agency: password, consent, intent, typed name and title."""
    mou = _mou(key)
    if not services.signable_parties(current_user, mou):
        abort(403)
    form = SignForm(name=current_user.person.name, title=current_user.person.title or "")
    form.party.choices = _party_choices(mou)
    decline_form = DeclineForm(formdata=None)
    decline_form.party.choices = form.party.choices
    decline_form.document_sha256.data = mou.current.digest
    if not form.is_submitted():
        form.document_sha256.data = mou.current.digest
    if form.validate_on_submit():
        agency = next((a for a in mou.parties if a.id == form.party.data), None)
        signing = services.Signing(
            password=form.password.data, consent=form.consent.data, name=form.name.data,
            title=form.title.data, address=request.remote_addr or "",
            user_agent=request.user_agent.string or "", totp_code=form.totp_code.data or "",
            document_sha256=form.document_sha256.data)
        if agency is not None and save(form, lambda: services.sign(
                current_user, mou, agency, signing)):
            flash(f"Signed for {agency.name}.", "success")
            if mou.status == "executed":
                return redirect(url_for("mous.certificate", key=mou.key))
            return _back(mou)
    # The page shows the current version: from now on the form is about that one.
    form.document_sha256.data = mou.current.digest
    status = 400 if request.method == "POST" else 200
    return render_template("mous/sign.html", mou=mou, form=form, decline_form=decline_form,
                           consent=services.CONSENT_TEXT,
                           consent_version=services.CONSENT_VERSION,
                           intents=services.intents_for(current_user, mou),
                           waiting=_waiting(mou, form.party.choices),
                           **_totp_context()), status


@bp.post("/mous/<key>/decline")
@login_required
def mou_decline(key: str):
    """Decline to sign for my agency, saying why."""
    mou = _mou(key)
    if not services.signable_parties(current_user, mou):
        abort(403)
    form = DeclineForm()
    form.party.choices = _party_choices(mou)
    if form.validate_on_submit():
        agency = next((a for a in mou.parties if a.id == form.party.data), None)
        confirm = services.Signing(
            password=form.password.data, consent=False, name="", title="",
            address=request.remote_addr or "", user_agent=request.user_agent.string or "",
            totp_code=form.totp_code.data or "", document_sha256=form.document_sha256.data)
        if agency is not None and save(form, lambda: services.decline(
                current_user, mou, agency, form.reason.data, confirm)):
            flash(f"Declined for {agency.name}; the MOU is back in review.", "success")
            return _back(mou)
    form.document_sha256.data = mou.current.digest
    sign_form = SignForm(formdata=None)
    sign_form.party.choices = form.party.choices
    sign_form.document_sha256.data = mou.current.digest
    return render_template("mous/sign.html", mou=mou, form=sign_form, decline_form=form,
                           consent=services.CONSENT_TEXT,
                           consent_version=services.CONSENT_VERSION,
                           intents=services.intents_for(current_user, mou),
                           waiting=_waiting(mou, form.party.choices),
                           **_totp_context()), 400


@bp.route("/mous/<key>/certificate", methods=["GET", "POST"])
@login_required
def certificate(key: str):
    """The certificate of completion, with a check of a document hash."""
    mou = _mou(key)
    form = VerifyForm()
    match, checked = None, False
    if request.method == "POST":
        if form.validate_on_submit():
            checked = True
            match = services.matches_executed(mou, form.sha256.data)
        status = 200 if checked else 400
    else:
        status = 200
    return render_template("mous/certificate.html", mou=mou, form=form, match=match,
                           checked=checked, verification=services.verify(mou),
                           proves=services.VERIFICATION_PROVES,
                           does_not_prove=services.VERIFICATION_DOES_NOT_PROVE,
                           signed=mou.signed_parties()), status


@bp.get("/mous/<key>/document.docx")
@login_required
def mou_docx(key: str):
    """The MOU as a Word file: text, obligations, signature page and certificate."""
    mou = _mou(key)
    from govtrack.documents.mou import mou_docx as build

    return Response(build(mou), mimetype=DOCX, headers={
        "Content-Disposition": f'attachment; filename="{mou.key}.docx"'})


@bp.post("/mous/<key>/obligations/track")
@login_required
def track_obligation(key: str):
    """Track one of the parties' obligations as an action item."""
    mou = _mou(key)
    _require_edit(mou)
    form = TrackForm()
    form.owner.choices = _owner_choices(mou)
    if form.validate_on_submit():
        owner = db.session.get(Person, form.owner.data)
        if save(form, lambda: services.track_obligation(
                current_user, mou, title=form.title.data, owner=owner, due=form.due.data)):
            flash("Action item added.", "success")
            return _back(mou)
    flash(" ".join(form.form_errors + [e for f in form for e in f.errors])
          or "The action item could not be added.", "error")
    return _back(mou)


# --- the register of who may sign for an agency ------------------------------------------


def _register_agency(key: str) -> Agency:
    """Load the agency (404), then check the register is readable to the user (403)."""
    agency = db.one_or_404(select(Agency).where(Agency.key == key))
    if not can_view_signatories(current_user, agency):
        abort(403)
    return agency


def _authorisation_form(agency: Agency) -> AuthorisationForm:
    form = AuthorisationForm(starts_on=today())
    form.person.choices = [(p.id, p.name) for p in agency.people
                           if p.active and p.id != agency.head_id]
    form.mou.choices = [(0, f"Every MOU of {agency.name}")] + [
        (m.id, m.title) for m in signatories.party_mous(agency)]
    return form


@bp.route("/agencies/<key>/signatories", methods=["GET", "POST"])
@login_required
def signatory_register(key: str):
    """Who may sign for an agency: its head and the people the head authorised."""
    agency = _register_agency(key)
    can_manage = can_manage_signatories(current_user, agency)
    if request.method == "POST" and not can_manage:
        abort(403)
    form = _authorisation_form(agency)
    if form.validate_on_submit():
        person = db.session.get(Person, form.person.data)
        mou = db.session.get(Mou, form.mou.data) if form.mou.data else None
        if person is not None and save(form, lambda: signatories.authorise(
                current_user, agency, person, starts_on=form.starts_on.data,
                ends_on=form.ends_on.data, mou=mou)):
            flash(f"{person.name} may sign for {agency.name} from "
                  f"{form.starts_on.data:%-d %B %Y}.", "success")
            return redirect(url_for("mous.signatory_register", key=agency.key))
    day = today()
    entries = signatories.register(agency)
    return render_template(
        "mous/signatories.html", agency=agency, form=form, can_manage=can_manage,
        current=[a for a in entries if signatories.current(a, day)],
        past=[a for a in entries if not signatories.current(a, day)], day=day)


@bp.post("/agencies/<key>/signatories/<int:authorisation_id>/end")
@login_required
def signatory_end(key: str, authorisation_id: int):
    """End an authorisation today (it stays in the register)."""
    agency = _register_agency(key)
    authorisation = db.one_or_404(select(SignatoryAuthorisation).where(
        SignatoryAuthorisation.id == authorisation_id,
        SignatoryAuthorisation.agency_id == agency.id))
    if not can_manage_signatories(current_user, agency):
        abort(403)
    save(None, lambda: signatories.end_authorisation(current_user, authorisation),
         done=f"{authorisation.person.name} no longer signs for {agency.name}.")
    return redirect(url_for("mous.signatory_register", key=agency.key))
