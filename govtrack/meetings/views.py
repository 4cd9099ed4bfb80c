"""Meeting pages: schedule, agenda, requests, attendance, minutes, Word downloads."""

from datetime import datetime
from functools import cache
from types import SimpleNamespace

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import and_, bindparam, case, func, select, union
from sqlalchemy.orm import aliased, joinedload, lazyload, selectinload

from govtrack.actions.models import STATUSES as ACTION_STATUSES
from govtrack.actions.models import ActionItem
from govtrack.agencies.models import Agency, Person
from govtrack.committees.models import Committee, Membership, members_loading, members_query
from govtrack.editing import AlreadyDone
from govtrack.extensions import db, read_into
from govtrack.forms import Form, save
from govtrack.markdown import render as markdown
from govtrack.meetings import drafting, links, services
from govtrack.meetings.forms import (
    ActionForm,
    ItemForm,
    MeetingForm,
    MinutedActionForm,
    PlaceForm,
    QuorumForm,
    RequestForm,
    RsvpForm,
    StandingItemForm,
    attendance_form,
    minutes_form,
    motion_form,
)
from govtrack.meetings.models import (
    ITEM_KINDS,
    AgendaItem,
    AgendaRequest,
    Attendance,
    BacklogItem,
    Meeting,
    Motion,
    Rsvp,
    Vote,
)
from govtrack.permissions import (
    can_edit_committee,
    can_request_item,
    can_rsvp,
    can_schedule_meeting,
    can_see_agenda,
    can_set_agenda,
    require_edit_committee,
    require_request_item,
    require_set_agenda,
    require_view_committee,
)
from govtrack.web.pagination import paginate

bp = Blueprint("meetings", __name__)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _committee(key: str) -> Committee:
    """The committee with its roster (who is expected at its meetings), each read by a
    statement built once (see _page_meeting)."""
    committee = db.session.execute(_committee_query(), {"key": key}).scalar()
    if committee is None:
        abort(404)
    read_into(committee, "memberships", _shown_query("roster"), {"committee_id": committee.id})
    return committee


@cache
def _committee_query():
    """The statement of _committee, built once."""
    return select(Committee).where(Committee.key == bindparam("key"))


@cache
def _meeting_query(on_demand: bool, items: bool = True):
    """The statement _meeting runs, built once: SQLAlchemy keys its compiled-SQL cache
    by the statement, and working that key out for a fresh statement with all these
    loader options cost each meeting page a few milliseconds.

    items=False: the items are not read (the draft preview reads what it needs of them as
    rows)."""
    load = lazyload if on_demand else selectinload
    return select(Meeting).where(Meeting.key == bindparam("key")).options(
        selectinload(Meeting.items).joinedload(AgendaItem.presenter) if items
        else lazyload(Meeting.items),
        load(Meeting.motions).options(
            joinedload(Motion.mover), joinedload(Motion.seconder),
            selectinload(Motion.votes).joinedload(Vote.person)),
        load(Meeting.attendance).joinedload(Attendance.designee),
        load(Meeting.rsvps).options(joinedload(Rsvp.person), joinedload(Rsvp.designee)),
        # the draft preview (items=False) reads no roster: permissions and the chair's
        # rules read rows
        joinedload(Meeting.committee).options(*(members_loading() if items else ()),
                                              joinedload(Committee.quorum_rule)))


def _meeting(key: str, edit: bool = False, agenda: bool = False,
             on_demand: bool = False, items: bool = True) -> Meeting:
    """Load a meeting with all its page shows; 404 / 403 as the committee decides.

    Its committee comes with its members and quorum rule (the quorum), not
    with its chair's history or its other meetings: the draft agenda reads the
    chair terms when the chair drafts, and the meeting before and the one after
    are looked up when needed.

    on_demand: motions, attendance and answers are read when first used (with
    the people they name, in one query each), not up front: drafting the agenda
    needs none of them, and each query it does not make is a millisecond or two.
    The meeting page itself reads what it shows with _page_meeting.
    """
    meeting = db.session.execute(_meeting_query(on_demand, items), {"key": key}).scalar()
    if meeting is None:
        abort(404)
    if agenda:
        require_set_agenda(current_user, meeting)
    else:
        check = require_edit_committee if edit else require_view_committee
        check(current_user, meeting.committee)
    return meeting


@cache
def _page_query():
    """The meeting page's meeting with its committee and quorum rule, built once."""
    return select(Meeting).where(Meeting.key == bindparam("key")).options(
        joinedload(Meeting.committee).joinedload(Committee.quorum_rule))


@cache
def _shown_query(name: str):
    """The statement that reads one of the meeting's lists the page shows, built once."""
    meeting_id = bindparam("meeting_id")
    if name == "roster":
        return members_query()
    if name == "item sources":
        return select(AgendaItem.source, AgendaItem.kind, AgendaItem.workgroup_key).where(
            AgendaItem.meeting_id == meeting_id)
    if name == "items":
        return (select(AgendaItem).where(AgendaItem.meeting_id == meeting_id)
                .options(joinedload(AgendaItem.presenter)).order_by(AgendaItem.position))
    if name == "attendance":
        return (select(Attendance).where(Attendance.meeting_id == meeting_id)
                .options(joinedload(Attendance.designee)))
    if name == "motions":
        return (select(Motion).where(Motion.meeting_id == meeting_id).options(
            joinedload(Motion.mover), joinedload(Motion.seconder),
            selectinload(Motion.votes).joinedload(Vote.person)).order_by(Motion.id))
    return (select(Rsvp).where(Rsvp.meeting_id == meeting_id)
            .options(joinedload(Rsvp.person), joinedload(Rsvp.designee)))


def _page_meeting(key: str) -> Meeting:
    """The meeting its page shows, with the lists it shows: its committee's roster (who is
    expected, who may do what), its items, a held meeting's attendance and motions, a
    coming one's answers (the others still load if something reads them).

    Each list is read by a statement of its own, not loaded through the meeting's query:
    a list loaded that way carries that query's loader options, and working out its
    cache key cost about a millisecond a list at national scale.
    """
    meeting = db.session.execute(_page_query(), {"key": key}).scalar()
    if meeting is None:
        abort(404)
    read_into(meeting.committee, "memberships", _shown_query("roster"),
              {"committee_id": meeting.committee_id})
    require_view_committee(current_user, meeting.committee)
    shown = {"held": ("items", "attendance", "motions"),
             "scheduled": ("items", "rsvps")}.get(meeting.status, ("items",))
    for name in shown:
        read_into(meeting, name, _shown_query(name), {"meeting_id": meeting.id})
    return meeting


def _back(meeting: Meeting):
    return redirect(url_for("meetings.meeting_detail", key=meeting.key))


def _members(committee: Committee):
    return sorted(services.expected_members_today(committee), key=lambda m: m.person.name)


#: meetings on a page of a committee's meeting list: two years of a monthly committee
MEETINGS_PER_PAGE = 24


@bp.get("/committees/<key>/meetings")
@login_required
def meeting_list(key: str):
    """The committee's meetings, coming ones first then past ones, a page at a time.

    The attendance trend covers the held meetings of the page.
    """
    committee = _committee(key)
    require_view_committee(current_user, committee)
    now = services.utcnow()
    of_committee = Meeting.committee_id == committee.id
    total, coming_total = db.session.execute(select(
        func.count(Meeting.id), func.count(case((Meeting.starts_at >= now, Meeting.id))))
        .where(of_committee)).one()
    page = paginate(total, MEETINGS_PER_PAGE)
    coming = list(db.session.scalars(
        select(Meeting).where(of_committee, Meeting.starts_at >= now)
        .order_by(Meeting.starts_at, Meeting.id)
        .offset(page.offset).limit(page.per_page))) if page.offset < coming_total else []
    room = page.per_page - len(coming)
    past = list(db.session.scalars(
        select(Meeting).where(of_committee, Meeting.starts_at < now)
        .order_by(Meeting.starts_at.desc(), Meeting.id.desc())
        .offset(max(0, page.offset - coming_total)).limit(room))) if room else []
    return render_template("meetings/list.html", committee=committee, coming=coming, past=past,
                           trend=services.attendance_history(committee, coming + past),
                           can_edit=can_edit_committee(current_user, committee),
                           can_schedule=can_schedule_meeting(current_user, committee),
                           local=services.local, page=page, coming_total=coming_total,
                           past_total=total - coming_total)


@bp.post("/committees/<key>/meetings/schedule")
@login_required
def schedule(key: str):
    """Create the coming months' meetings from the cadence."""
    committee = _committee(key)
    require_edit_committee(current_user, committee)
    made = save(None, lambda: services.schedule(current_user, committee), retry=True)
    if made is not False:
        flash(f"{len(made)} meetings scheduled." if made else
              "The coming meetings were already scheduled.", "success")
    return redirect(url_for("meetings.meeting_list", key=committee.key))


@bp.route("/committees/<key>/meetings/new", methods=["GET", "POST"])
@login_required
def meeting_new(key: str):
    """A one-off meeting (the convener's too: the meeting that picks the next chair)."""
    committee = _committee(key)
    require_view_committee(current_user, committee)
    if not can_schedule_meeting(current_user, committee):
        abort(403)
    form = MeetingForm()
    if not form.is_submitted():
        form.duration_minutes.data = committee.duration_minutes
        form.location.data = committee.default_location
    if form.validate_on_submit():
        meeting = save(form, lambda: services.create_meeting(
            current_user, committee, starts=datetime.combine(form.day.data, form.time.data),
            duration_minutes=form.duration_minutes.data, location=form.location.data or "",
            video_link=form.video_link.data or ""), retry=True)
        if isinstance(meeting, AlreadyDone):
            return _back(meeting.record)
        if meeting:
            flash("Meeting added.", "success")
            return _back(meeting)
    return render_template("meetings/form.html", form=form, committee=committee, meeting=None)


@bp.get("/meetings/<key>")
@login_required
def meeting_detail(key: str):
    """A meeting: agenda (the draft only for those who edit), attendance, minutes."""
    meeting = _page_meeting(key)
    committee = meeting.committee
    held = meeting.status == "held"
    can_edit = can_edit_committee(current_user, committee)
    can_agenda = can_set_agenda(current_user, meeting)
    actions = _action_rows(meeting) if held else []
    approval = services.approval_motion(meeting)
    requests = list(db.session.scalars(_pending_requests_query(), {
        "meeting_id": meeting.id})) if can_edit else []
    return render_template(
        "meetings/detail.html", meeting=meeting, committee=committee, can_edit=can_edit,
        can_agenda=can_agenda, can_request=can_request_item(current_user, committee),
        show_agenda=can_see_agenda(current_user, meeting),
        starts=services.item_starts(meeting), timing=services.timing(meeting),
        quorum=services.quorum(meeting) if held else None, actions=actions, requests=requests,
        attendance=_attendance_rows(meeting) if held else [],
        markdown=markdown, local=services.local(meeting), form=Form(),
        links=links.links_of(committee, meeting.items),
        approvals=services.pending_approvals(meeting) if can_edit else {},
        approval=approval,
        approval_day=services.meeting_day(approval.meeting) if approval else None,
        rsvp_form=_rsvp_form(meeting) if can_rsvp(current_user, meeting) else None)


def _attendance_rows(meeting: Meeting) -> list[tuple[str, str]]:
    """(name, how they attended) by name: sorted here, not by the template's sort filter,
    which read each row's person through the ORM (a held meeting's page lists 40)."""
    people = {m.person_id: m.person for m in meeting.committee.memberships}
    rows = []
    for a in meeting.attendance:
        person = people.get(a.person_id) or a.person
        words = ("represented by " + (a.designee.name if a.designee else "a designee")
                 if a.status == "designee" else a.status)
        rows.append((person.name, words))
    rows.sort()
    return rows


@cache
def _pending_requests_query():
    """The members' requests waiting for the chair's answer, built once (see _meeting_query)."""
    return select(AgendaRequest).where(
        AgendaRequest.meeting_id == bindparam("meeting_id"),
        AgendaRequest.status == "pending").options(joinedload(AgendaRequest.proposer))


def _rsvp_form(meeting: Meeting) -> RsvpForm:
    """The member's answer form, showing their answer so far."""
    mine = next((r for r in meeting.rsvps if r.person_id == current_user.person_id), None)
    form = RsvpForm(formdata=None, answer=mine.answer if mine else "attending",
                    designee=mine.designee_id if mine and mine.designee_id else 0)
    form.designee.choices = _designees(meeting, current_user.person)
    return form


@bp.route("/meetings/<key>/edit", methods=["GET", "POST"])
@login_required
def meeting_edit(key: str):
    """Move this meeting or change its place; the others stay as they are."""
    meeting = _meeting(key, edit=True)
    start = services.local(meeting)
    form = MeetingForm(obj=meeting, day=start.date(), time=start.time().replace(tzinfo=None),
                       version=meeting.version)
    if form.validate_on_submit() and save(form, lambda: services.update_meeting(
            current_user, meeting, form.expected_version(),
            starts=datetime.combine(form.day.data, form.time.data),
            duration_minutes=form.duration_minutes.data, location=form.location.data or "",
            video_link=form.video_link.data or ""), meeting):
        flash("Meeting saved; calendars will show the change.", "success")
        return _back(meeting)
    return render_template("meetings/form.html", form=form, committee=meeting.committee,
                           meeting=meeting)


@bp.post("/meetings/<key>/cancel")
@login_required
def meeting_cancel(key: str):
    """Cancel this occurrence only."""
    meeting = _meeting(key, edit=True)
    save(None, lambda: services.cancel_meeting(current_user, meeting),
         done="Meeting cancelled; calendars will show it as cancelled.")
    return _back(meeting)


@bp.get("/meetings/<key>/agenda/draft")
@login_required
def agenda_draft_preview(key: str):
    """What "Draft the agenda for me" would add, each item with why, before it adds them.

    Live state is read here, on its own page, not on every view of the meeting.
    """
    meeting = _meeting(key, agenda=True, on_demand=True, items=False)
    open_draft = meeting.status == "scheduled" and meeting.agenda_status == "draft"
    # what is on the agenda as rows: the sources read no more of the items (their
    # objects and presenters cost the page a millisecond)
    proposals = drafting.propose_agenda(meeting, items=db.session.execute(
        _shown_query("item sources"), {"meeting_id": meeting.id}).all()) if open_draft else []
    return render_template("meetings/draft.html", meeting=meeting, committee=meeting.committee,
                           open_draft=open_draft, proposals=proposals, kinds=ITEM_KINDS,
                           links=drafting.proposal_links(meeting.committee, proposals),
                           local=services.local(meeting))


@bp.post("/meetings/<key>/agenda/draft")
@login_required
def agenda_draft(key: str):
    """Add what live state proposes to the draft agenda, each item once."""
    meeting = _meeting(key, agenda=True)
    added = save(None, lambda: drafting.draft_agenda(current_user, meeting), retry=True)
    if added:
        flash(f"{len(added)} proposed items added to the draft. Keep, edit, reorder or remove "
              "them.", "success")
    elif added == []:
        flash("Nothing new to add: the draft already has every proposed item.", "info")
    return _back(meeting)


@bp.post("/meetings/<key>/agenda/publish")
@login_required
def agenda_publish(key: str):
    """Publish the agenda to the members."""
    meeting = _meeting(key, agenda=True)
    save(None, lambda: services.publish(current_user, meeting), done="Agenda published.")
    return _back(meeting)


def _presenters(meeting: Meeting) -> list[tuple[int, str]]:
    return [(0, "No presenter")] + [(m.person_id, m.person.name)
                                    for m in _members(meeting.committee)]


def _item_choices(form: ItemForm, meeting: Meeting) -> None:
    form.presenter.choices = _presenters(meeting)
    for column, offered in links.choices(meeting.committee).items():
        form[column].choices = offered


def _item_values(form: ItemForm) -> dict:
    return {"title": form.title.data, "kind": form.kind.data, "minutes": form.minutes.data,
            "presenter": db.session.get(Person, form.presenter.data)
            if form.presenter.data else None,
            **{column: form[column].data or None for column in links.KINDS}}


@bp.route("/meetings/<key>/agenda/items/new", methods=["GET", "POST"])
@login_required
def item_new(key: str):
    """Add an agenda item, linked to a workgroup, MOU, PDSA cycle or measure if it is about one."""
    meeting = _meeting(key, agenda=True)
    form = ItemForm()
    _item_choices(form, meeting)
    if form.validate_on_submit() and save(form, lambda: services.add_item(
            current_user, meeting, **_item_values(form))):
        flash("Item added.", "success")
        return _back(meeting)
    return render_template("meetings/item_form.html", form=form, meeting=meeting, item=None)


def _item(meeting: Meeting, item_id: int) -> AgendaItem:
    item = next((i for i in meeting.items if i.id == item_id), None)
    if item is None:
        abort(404)
    return item


@bp.route("/meetings/<key>/agenda/items/<int:item_id>/edit", methods=["GET", "POST"])
@login_required
def item_edit(key: str, item_id: int):
    """Change an agenda item."""
    meeting = _meeting(key, agenda=True)
    item = _item(meeting, item_id)
    form = ItemForm(obj=item, presenter=item.presenter_id or 0,
                    **{column: getattr(item, column) or "" for column in links.KINDS})
    _item_choices(form, meeting)
    if form.validate_on_submit() and save(form, lambda: services.update_item(
            current_user, item, **_item_values(form))):
        flash("Item saved.", "success")
        return _back(meeting)
    return render_template("meetings/item_form.html", form=form, meeting=meeting, item=item)


@bp.post("/meetings/<key>/agenda/items/<int:item_id>/delete")
@login_required
def item_delete(key: str, item_id: int):
    """Remove an agenda item."""
    meeting = _meeting(key, agenda=True)
    item = _item(meeting, item_id)
    save(None, lambda: services.remove_item(current_user, item), done="Item removed.")
    return _back(meeting)


@bp.post("/meetings/<key>/agenda/items/<int:item_id>/move")
@login_required
def item_move(key: str, item_id: int):
    """Move an agenda item up or down."""
    meeting = _meeting(key, agenda=True)
    item = _item(meeting, item_id)
    step = -1 if request.form.get("direction") == "up" else 1
    save(None, lambda: services.move_item(current_user, item, step), done="Item moved.")
    return _back(meeting)


@bp.post("/meetings/<key>/agenda/items/<int:item_id>/carry")
@login_required
def item_carry(key: str, item_id: int):
    """Carry an item not reached to the next meeting."""
    meeting = _meeting(key, edit=True)
    item = _item(meeting, item_id)
    done = services.carried_to(item)
    if done is not None:
        flash("This item was already carried; nothing changed.", "info")
        return _back(meeting)
    carried = save(None, lambda: services.carry_item(current_user, item))
    if isinstance(carried, BacklogItem):
        flash("Item put on the committee's backlog, with its notes: the next draft agenda "
              "proposes it.", "success")
    elif carried:
        flash("Item carried to the next meeting's draft agenda, with its notes.", "success")
    return _back(meeting)


@bp.get("/committees/<key>/backlog")
@login_required
def backlog(key: str):
    """The committee's items waiting for a meeting."""
    committee = _committee(key)
    require_view_committee(current_user, committee)
    entries = services.backlog(committee)
    return render_template("meetings/backlog.html", committee=committee, entries=entries,
                           links=links.links_of(committee, entries),
                           can_edit=can_edit_committee(current_user, committee))


@bp.post("/committees/<key>/backlog/<int:entry_id>/drop")
@login_required
def backlog_drop(key: str, entry_id: int):
    """Take an item off the backlog without discussing it."""
    committee = _committee(key)
    require_edit_committee(current_user, committee)
    entry = db.get_or_404(BacklogItem, entry_id)
    if entry.committee_id != committee.id:
        abort(404)
    save(None, lambda: services.drop_from_backlog(current_user, entry),
         done="Item taken off the backlog.")
    return redirect(url_for("meetings.backlog", key=committee.key))


@bp.route("/committees/<key>/standing-items", methods=["GET", "POST"])
@login_required
def standing_items(key: str):
    """The items the committee puts on every agenda (call to order, public comment, adjourn)."""
    committee = _committee(key)
    require_edit_committee(current_user, committee)
    form = StandingItemForm()
    if form.validate_on_submit() and save(form, lambda: services.add_standing_item(
            current_user, committee, title=form.title.data, kind=form.kind.data,
            minutes=form.minutes.data, placement=form.placement.data)):
        flash("Standing item added: every draft agenda will include it.", "success")
        return redirect(url_for("meetings.standing_items", key=committee.key))
    return _standing_page(committee, form, PlaceForm(
        formdata=None, default_location=committee.default_location))


def _standing_page(committee: Committee, form, place_form, status: int = 200):
    """The standing items page with its two forms: a new item, and the usual place."""
    return render_template("meetings/standing_items.html", committee=committee, form=form,
                           place_form=place_form, items=committee.standing_items), status


@bp.post("/committees/<key>/standing-items/place")
@login_required
def meeting_place(key: str):
    """Set where the committee usually meets."""
    committee = _committee(key)
    require_edit_committee(current_user, committee)
    place_form = PlaceForm()
    if place_form.validate_on_submit():
        done = save(place_form, lambda: services.set_default_location(
            current_user, committee, place_form.default_location.data or ""))
        if done:
            if not isinstance(done, AlreadyDone):
                flash("Usual place saved.", "success")
            return redirect(url_for("meetings.standing_items", key=committee.key))
    return _standing_page(committee, StandingItemForm(formdata=None), place_form, 400)


@bp.post("/committees/<key>/standing-items/<int:standing_id>/delete")
@login_required
def standing_item_delete(key: str, standing_id: int):
    """Stop putting an item on every agenda."""
    committee = _committee(key)
    require_edit_committee(current_user, committee)
    item = next((i for i in committee.standing_items if i.id == standing_id), None)
    if item is None:
        abort(404)
    save(None, lambda: services.remove_standing_item(current_user, item),
         done="Standing item removed; agendas already drafted keep it.")
    return redirect(url_for("meetings.standing_items", key=committee.key))


@bp.route("/meetings/<key>/requests/new", methods=["GET", "POST"])
@login_required
def request_new(key: str):
    """A member asks for an item on this meeting's agenda."""
    meeting = _meeting(key)
    require_request_item(current_user, meeting.committee)
    form = RequestForm()
    if form.validate_on_submit() and save(form, lambda: services.request_item(
            current_user, meeting, title=form.title.data, kind=form.kind.data,
            minutes=form.minutes.data, note=form.note.data or "")):
        flash("Your request went to the chair.", "success")
        return _back(meeting)
    return render_template("meetings/request_form.html", form=form, meeting=meeting)


@bp.post("/agenda-requests/<int:request_id>/decide")
@login_required
def request_decide(request_id: int):
    """The chair accepts or declines a member's request."""
    agenda_request = db.get_or_404(AgendaRequest, request_id)
    meeting = _meeting(agenda_request.meeting.key, edit=True) if agenda_request.meeting \
        else abort(404)
    accept = request.form.get("decision") == "accept"
    done = save(None, lambda: services.decide_request(current_user, agenda_request, accept),
                retry=True)
    if isinstance(done, BacklogItem):
        flash("Request accepted. Its meeting was already held, so it waits on the "
              "committee's backlog for the next agenda.", "success")
    elif done and not isinstance(done, AlreadyDone):
        flash("Request accepted onto the agenda." if accept else "Request declined.",
              "success")
    return _back(meeting)


@bp.route("/meetings/<key>/attendance", methods=["GET", "POST"])
@login_required
def attendance(key: str):
    """Take attendance; quorum shows as it is taken."""
    meeting = db.session.execute(_attendance_query(), {"key": key}).scalar()
    if meeting is None:
        abort(404)
    require_edit_committee(current_user, meeting.committee)
    members = sorted(services.expected_members(meeting), key=lambda m: m.person.name)
    form = attendance_form(members, _designees_by_member(meeting))
    if not form.is_submitted():
        # the grid starts from what was recorded, else from the members' answers
        for person_id, (status, designee_id) in services.marks_from_rsvps(meeting).items():
            if hasattr(form, f"status_{person_id}"):
                form[f"status_{person_id}"].data = status
                form[f"designee_{person_id}"].data = designee_id or 0
    marks = {m.person_id: form[f"status_{m.person_id}"].data for m in members}
    if form.is_submitted() and "everyone_present" in request.form and save(
            form, lambda: services.record_attendance(
                current_user, meeting, {m.person_id: ("present", None) for m in members})):
        flash("Everyone marked present. " + services.quorum(meeting).describe(), "success")
        return redirect(url_for("meetings.attendance", key=meeting.key))
    if form.validate_on_submit():
        named = {m.person_id: form[f"designee_{m.person_id}"].data for m in members}
        people = _people({i for i in named.values() if i})
        chosen = {m.person_id: (form[f"status_{m.person_id}"].data,
                                people.get(named[m.person_id]))
                  for m in members}
        if save(form, lambda: services.record_attendance(current_user, meeting, chosen)):
            flash("Attendance saved. " + services.quorum(meeting).describe(), "success")
            return _back(meeting)
    return render_template("meetings/attendance.html", form=form, meeting=meeting,
                           members=members, quorum=services.quorum(meeting, marks),
                           rule=meeting.committee.quorum_rule)


@cache
def _attendance_query():
    """The meeting the attendance grid takes, built once: its committee's members and
    quorum rule; its attendance and answers when read, as ids (the grid names people
    from its own query); not its items or motions, which the grid does not show."""
    return select(Meeting).where(Meeting.key == bindparam("key")).options(
        lazyload(Meeting.items), lazyload(Meeting.motions), lazyload(Meeting.attendance),
        lazyload(Meeting.rsvps),
        joinedload(Meeting.committee).options(*members_loading(),
                                              joinedload(Committee.quorum_rule)))


def _people(ids: set[int]) -> dict[int, Person]:
    """The people named as designees, by id, in one query (none when nobody is named)."""
    if not ids:
        return {}
    return {p.id: p for p in db.session.scalars(select(Person).where(Person.id.in_(ids)))}


def _owners(meeting: Meeting) -> list[tuple[int, str]]:
    return [(m.person_id, f"{m.person.name} — {m.agency.name}")
            for m in _members(meeting.committee)]


def _minutes_form(meeting: Meeting, *, amend: bool = False, fill: bool = False):
    """The minutes form with its owner choices, filled from the meeting when first shown
    (or when fill: a page shown again around another form's errors)."""
    form = minutes_form(meeting, amend=amend)
    form.action_owner.choices = [(0, "—")] + ([] if amend else _owners(meeting))
    if fill or not form.is_submitted():
        _fill_minutes(form, meeting)
    return form


def _minutes_page(meeting: Meeting, form, *, amend: bool = False, status: int = 200):
    """The minutes page (or the amendment page) around form."""
    return render_template("meetings/minutes.html", form=form, meeting=meeting,
                           actions=_actions(meeting), amend=amend), status


def _fill_minutes(form, meeting: Meeting) -> None:
    form.version.data = meeting.version
    form.text.data = meeting.minutes_text
    form.decisions.data = "\n".join(meeting.decisions or [])
    for item in meeting.items:
        form[f"notes_{item.id}"].data = item.notes


def _minutes_values(form, meeting: Meeting) -> dict:
    return {"text": form.text.data or "",
            "decisions": [d.strip() for d in (form.decisions.data or "").splitlines()
                          if d.strip()],
            "notes": {i.id: form[f"notes_{i.id}"].data or "" for i in meeting.items}}


@bp.post("/meetings/<key>/rsvp")
@login_required
def rsvp(key: str):
    """A member answers before the meeting: attending, sending a designee, or apologies."""
    meeting = _meeting(key)
    if not can_rsvp(current_user, meeting):
        abort(403)
    form = RsvpForm()
    form.designee.choices = _designees(meeting, current_user.person)
    if form.validate_on_submit() and save(form, lambda: services.rsvp(
            current_user, meeting, answer=form.answer.data,
            designee=db.session.get(Person, form.designee.data) if form.designee.data
            else None)):
        flash("Thank you: your answer is recorded.", "success")
        return _back(meeting)
    flash("Choose an answer from the list.", "error")
    return _back(meeting)


def _designees(meeting: Meeting, person: Person) -> list[tuple[int, str]]:
    """Who may stand in for a member answering for themselves, by name: the active people
    of the agencies they represent here and of their own (a designee comes from the
    agency a member represents), and whom they already named. Read as rows: a county has
    thousands of people, and a list of thousands helps nobody.
    """
    rows = db.session.execute(_designees_query(), {
        "committee_id": meeting.committee_id, "meeting_id": meeting.id,
        "person_id": person.id})
    return [(0, "—")] + [(person_id, f"{name} — {agency}") for person_id, name, agency in rows]


@cache
def _designees_query():
    """The statement of _designees, built once (see _meeting_query)."""
    seated = aliased(Person)
    seats = and_(Membership.committee_id == bindparam("committee_id"),
                 Membership.person_id == bindparam("person_id"))
    agencies = union(
        select(Membership.agency_id).where(seats),
        select(seated.agency_id).join(Membership, Membership.person_id == seated.id)
        .where(seats))
    working = and_(Person.active.is_(True), Person.agency_id.in_(agencies))
    # One UNION of ids, not an OR of two INs: PostgreSQL answers the OR by reading
    # every person (17 ms at national scale), the union from two indexes (under 1 ms).
    named = select(Rsvp.designee_id).where(Rsvp.meeting_id == bindparam("meeting_id"),
                                           Rsvp.person_id == bindparam("person_id"))
    return (select(Person.id, Person.name, Agency.name)
            .join(Agency, Agency.id == Person.agency_id)
            .where(Person.id.in_(union(select(Person.id).where(working), named)))
            .order_by(Person.name, Person.id))


def _designees_by_member(meeting: Meeting) -> dict[int, list[tuple[int, str]]]:
    """Each member's designee choices for the attendance grid, by the member's person id:
    the rule of their own answer (_designees with a person), for every row at once.

    One query for the whole grid: the largest committee seats 45 members from dozens of
    agencies, and one list of all their people under every row was 23,000 options (130 ms
    and a page no screen reader user could get through). Whoever is already named for a
    member at this meeting, by answer or recorded attendance, stays among their choices.
    """
    choices: dict[int, list[tuple[int, str]]] = {}
    for member_id, person_id, name, agency in db.session.execute(
            _designees_by_member_query(),
            {"committee_id": meeting.committee_id, "meeting_id": meeting.id}):
        row = choices.get(member_id)
        if row is None:
            row = choices[member_id] = [(0, "—")]
        row.append((person_id, f"{name} — {agency}"))
    return choices


@cache
def _designees_by_member_query():
    """The statement of _designees_by_member, built once (see _meeting_query)."""
    seated = aliased(Person)
    seats = Membership.committee_id == bindparam("committee_id")
    meeting_id = bindparam("meeting_id")
    # (member, agency): the agencies each member represents here, and their own
    agencies = union(
        select(Membership.person_id.label("member_id"), Membership.agency_id.label("agency_id"))
        .where(seats),
        select(Membership.person_id, seated.agency_id)
        .join(seated, seated.id == Membership.person_id).where(seats)).subquery()
    named = union(
        select(Rsvp.person_id.label("member_id"), Rsvp.designee_id.label("person_id"))
        .where(Rsvp.meeting_id == meeting_id, Rsvp.designee_id.is_not(None)),
        select(Attendance.person_id, Attendance.designee_id)
        .where(Attendance.meeting_id == meeting_id, Attendance.designee_id.is_not(None)),
    ).subquery()
    # Each half joins person on its own index (agency, then id): joined after one union
    # of ids, PostgreSQL hashed all 20,000 people of the nation (20 ms, now under 2).
    # The service refuses a member as their own designee: not offered.
    choices = union(
        select(agencies.c.member_id, Person.id.label("person_id"), Person.name,
               Agency.name.label("agency"))
        .join(Person, Person.agency_id == agencies.c.agency_id)
        .join(Agency, Agency.id == Person.agency_id)
        .where(Person.active.is_(True), Person.id != agencies.c.member_id),
        select(named.c.member_id, Person.id, Person.name, Agency.name)
        .join(Person, Person.id == named.c.person_id)
        .join(Agency, Agency.id == Person.agency_id)
        .where(Person.id != named.c.member_id),
    ).subquery()
    return select(choices).order_by(choices.c.member_id, choices.c.name, choices.c.person_id)


@bp.route("/meetings/<key>/minutes", methods=["GET", "POST"])
@login_required
def minutes(key: str):
    """Write the minutes: notes per item, decisions, new action items, in one form.

    "Add the action item" saves what was typed in the minutes with it, so
    nothing typed is lost; a refusal shows the whole form again as typed.
    """
    meeting = _meeting(key, edit=True)
    if meeting.minutes_locked and request.method == "GET":
        flash("These minutes are approved. To correct them, amend them and give the reason.",
              "info")
        return _back(meeting)
    # a page opened before the approval and saved after it is refused by the service,
    # with the form as typed and the reason
    form = _minutes_form(meeting)
    adding = "add_action" in request.form
    if form.validate_on_submit() and (not adding or form.validate_for_action()):
        values = _minutes_values(form, meeting)

        def change():
            services.save_minutes(current_user, meeting, form.expected_version(), **values)
            if adding:
                services.add_minuted_action(
                    current_user, meeting, title=form.action_title.data,
                    owner=db.session.get(Person, form.action_owner.data),
                    due=form.action_due.data)

        if save(form, change, meeting):
            flash("Minutes and action item saved." if adding else "Minutes saved.", "success")
            return redirect(url_for("meetings.minutes", key=meeting.key))
    return _minutes_page(meeting, form, status=400 if form.is_submitted() else 200)


def _action_rows(meeting: Meeting) -> list[SimpleNamespace]:
    """The action items a held meeting created, as its page lists them: rows, not records."""
    return [SimpleNamespace(key=key, title=title, owner=owner, due=due,
                            status_label=ACTION_STATUSES[status])
            for key, title, owner, due, status in db.session.execute(
                _action_rows_query(), {"meeting_id": meeting.id})]


@cache
def _action_rows_query():
    """The statement of _action_rows, built once (see _meeting_query)."""
    return (select(ActionItem.key, ActionItem.title, Person.name, ActionItem.due,
                   ActionItem.status)
            .join(Person, Person.id == ActionItem.owner_id)
            .where(ActionItem.meeting_id == bindparam("meeting_id")).order_by(ActionItem.id))


def _actions(meeting: Meeting) -> list[ActionItem]:
    """The action items the meeting's minutes created, with their owners."""
    return list(db.session.scalars(select(ActionItem).where(
        ActionItem.meeting_id == meeting.id).options(joinedload(ActionItem.owner))))


@bp.post("/meetings/<key>/minutes/actions")
@login_required
def minutes_action(key: str):
    """Create an action item in place while minuting (the minutes page's own form saves both)."""
    meeting = _meeting(key, edit=True)
    action_form = ActionForm()
    action_form.owner.choices = _owners(meeting)
    if action_form.validate_on_submit() and save(action_form, lambda: (
            services.add_minuted_action(
                current_user, meeting, title=action_form.title.data,
                owner=db.session.get(Person, action_form.owner.data),
                due=action_form.due.data))):
        flash("Action item added.", "success")
        return redirect(url_for("meetings.minutes", key=meeting.key))
    form = _minutes_form(meeting, fill=True)
    form.action_title.data, form.action_due.data = action_form.title.data, action_form.due.data
    form.action_title.errors = list(action_form.title.errors)
    form.action_owner.errors = list(action_form.owner.errors) + action_form.form_errors
    return _minutes_page(meeting, form, status=400)


def _minuted_action(meeting: Meeting, action_id: int) -> ActionItem:
    action = db.get_or_404(ActionItem, action_id)
    if action.meeting_id != meeting.id:
        abort(404)
    return action


@bp.route("/meetings/<key>/minutes/actions/<int:action_id>/edit", methods=["GET", "POST"])
@login_required
def minutes_action_edit(key: str, action_id: int):
    """Correct an action item created at the meeting, until the minutes are approved."""
    meeting = _meeting(key, edit=True)
    action = _minuted_action(meeting, action_id)
    form = MinutedActionForm(obj=action, owner=action.owner_id)
    form.owner.choices = _owners(meeting)
    if form.validate_on_submit() and save(form, lambda: services.edit_minuted_action(
            current_user, meeting, action, title=form.title.data,
            owner=db.session.get(Person, form.owner.data), due=form.due.data)):
        flash("Action item saved.", "success")
        return redirect(url_for("meetings.minutes", key=meeting.key))
    return render_template("meetings/action_form.html", form=form, meeting=meeting,
                           action=action)


@bp.post("/meetings/<key>/minutes/actions/<int:action_id>/delete")
@login_required
def minutes_action_delete(key: str, action_id: int):
    """Delete an action item created at the meeting by mistake, until the minutes are approved."""
    meeting = _meeting(key, edit=True)
    action = _minuted_action(meeting, action_id)
    save(None, lambda: services.delete_minuted_action(current_user, meeting, action),
         done="Action item deleted.")
    return redirect(url_for("meetings.minutes", key=meeting.key))


@bp.route("/meetings/<key>/minutes/amend", methods=["GET", "POST"])
@login_required
def minutes_amend(key: str):
    """Correct approved minutes: an explicit amendment with its reason, kept in the history."""
    meeting = _meeting(key, edit=True)
    if not meeting.minutes_locked:
        return redirect(url_for("meetings.minutes", key=meeting.key))
    form = _minutes_form(meeting, amend=True)
    if form.validate_on_submit() and save(form, lambda: services.amend_minutes(
            current_user, meeting, form.expected_version(), reason=form.reason.data,
            **_minutes_values(form, meeting)), meeting):
        flash("Minutes amended; the history keeps the change and its reason.", "success")
        return _back(meeting)
    return _minutes_page(meeting, form, amend=True)


@bp.route("/meetings/<key>/agenda/items/<int:item_id>/approve", methods=["GET", "POST"])
@login_required
def minutes_approve(key: str, item_id: int):
    """Approve the earlier minutes this agenda item names: a motion and the vote on it."""
    meeting = _meeting(key, edit=True)
    item = _item(meeting, item_id)
    earlier = services.approved_by_item(item)
    if earlier is None or earlier.id == meeting.id:
        abort(404)
    if earlier.minutes_locked:
        flash("These minutes are already approved; nothing changed.", "info")
        return _back(meeting)
    return _motion_page(meeting, item=item, earlier=earlier)


@bp.route("/meetings/<key>/motions/new", methods=["GET", "POST"])
@login_required
def motion_new(key: str):
    """Record a motion and the vote of each member present; the quorum is judged at the vote."""
    return _motion_page(_meeting(key, edit=True))


def _motion_page(meeting: Meeting, item: AgendaItem | None = None,
                 earlier: Meeting | None = None):
    """The motion form: any motion, or (earlier given) the one approving earlier's minutes."""
    voters = sorted(services.voters(meeting), key=lambda m: m.person.name)
    form = motion_form(voters, [item] if item else meeting.items)
    if earlier is not None and not form.is_submitted():
        form.text.data, form.item.data = services.approval_text(earlier), item.id
    if form.validate_on_submit():
        values = {"text": form.text.data,
                  "mover": db.session.get(Person, form.mover.data) if form.mover.data else None,
                  "seconder": db.session.get(Person, form.seconder.data)
                  if form.seconder.data else None,
                  "votes": {m.person_id: form[f"vote_{m.person_id}"].data for m in voters}}
        if earlier is None:
            motion = save(form, lambda: services.record_motion(
                current_user, meeting, **values,
                item=next((i for i in meeting.items if i.id == form.item.data), None)))
        else:
            motion = save(form, lambda: services.approve_by_motion(
                current_user, meeting, item, **values))
        if isinstance(motion, AlreadyDone):
            return _back(meeting)
        if motion:
            if earlier is None:
                flash(f"Motion recorded: {motion.describe()}.", "success")
            elif motion.result == "carried":
                flash(f"Minutes of {services.meeting_day(earlier):%-d %B %Y} approved: "
                      f"{motion.describe()}. They are now the committee's record.", "success")
            else:
                flash(f"Motion recorded: {motion.describe()}. The minutes of "
                      f"{services.meeting_day(earlier):%-d %B %Y} are not approved.", "info")
            return _back(meeting)
    return render_template("meetings/motion_form.html", form=form, meeting=meeting,
                           voters=voters, quorum=services.quorum(meeting), earlier=earlier,
                           earlier_day=services.meeting_day(earlier) if earlier else None)


@bp.post("/meetings/<key>/motions/<int:motion_id>/delete")
@login_required
def motion_delete(key: str, motion_id: int):
    """Remove a motion recorded by mistake, until the minutes are approved."""
    meeting = _meeting(key, edit=True)
    motion = next((m for m in meeting.motions if m.id == motion_id), None)
    if motion is None:
        abort(404)
    save(None, lambda: services.delete_motion(current_user, motion), done="Motion removed.")
    return _back(meeting)


def _docx(data: bytes, name: str) -> Response:
    return Response(data, mimetype=DOCX, headers={
        "Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/meetings/<key>/agenda.docx")
@login_required
def agenda_docx(key: str):
    """The agenda as a Word document."""
    meeting = _meeting(key)
    if not can_see_agenda(current_user, meeting):
        abort(404)
    from govtrack.documents.agenda import agenda_docx as build

    return _docx(build(meeting), f"agenda-{meeting.key}.docx")


@bp.get("/meetings/<key>/minutes.docx")
@login_required
def minutes_docx(key: str):
    """The minutes as a Word document."""
    meeting = _meeting(key)
    if meeting.status != "held":
        abort(404)
    from govtrack.documents.minutes import minutes_docx as build

    return _docx(build(meeting), f"minutes-{meeting.key}.docx")


@bp.route("/committees/<key>/quorum", methods=["GET", "POST"])
@login_required
def quorum_rule(key: str):
    """Set how many must attend, and which sides."""
    committee = _committee(key)
    require_edit_committee(current_user, committee)
    rule = committee.quorum_rule
    form = QuorumForm(obj=rule)
    if form.validate_on_submit():
        done = save(form, lambda: services.set_quorum_rule(
            current_user, committee, min_present=form.min_present.data,
            required_sides=form.required_sides.data or []), retry=True)
        if done:
            if not isinstance(done, AlreadyDone):
                flash("Quorum rule saved.", "success")
            return redirect(url_for("meetings.meeting_list", key=committee.key))
    return render_template("meetings/quorum.html", form=form, committee=committee)



