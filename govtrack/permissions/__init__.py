"""Who may see and change what: the one place every view asks.

Least privilege per committee: a committee is visible to its current members
and to administrators; to anyone else it does not exist (404), because the
name of a committee (say, on a jail death) can itself be sensitive.
"""

from datetime import date
from typing import NamedTuple

from flask import abort
from sqlalchemy import exists, inspect, select

from govtrack.clock import today
from govtrack.committees.models import EDITOR_ROLES, Committee, SeatRow, roster_rows
from govtrack.extensions import db


def is_admin(account) -> bool:
    """Administrators manage agencies, people, accounts and committee set-up."""
    return bool(account and account.is_authenticated and account.is_admin)


def committee_roles(account, committee: Committee, on: date | None = None) -> set[str]:
    """The roles account's person holds on committee on a day (default today)."""
    if not account or not account.is_authenticated:
        return set()
    day = on or today()
    return {m.role for m in _seats(account, committee) if m.holds_on(day)}


def _seats(account, committee: Committee) -> list:
    """account's person's seats on committee (each with role and holds_on(day)).

    From the committee's roster if a page loaded it; else from its memberships
    as rows, read once a transaction (committees.models.roster_rows): a page that
    only asks permission loads no roster of people, accounts and agencies.
    """
    person_id = account.person_id  # once: account is often current_user, a proxy
    if committee.id is None or "memberships" not in inspect(committee).unloaded:
        return [m for m in committee.memberships if m.person_id == person_id]
    rows = [row for row in roster_rows(committee.id) if row.person_id == person_id]
    return [_Seat(row, account.person) for row in rows]


class _Seat(NamedTuple):
    """One of the signed-in person's memberships as a permission reads it: a row, not a model."""

    row: SeatRow
    person: object

    @property
    def role(self) -> str:
        return self.row.role

    def holds_on(self, day: date) -> bool:
        """As Membership.holds_on."""
        return (self.row.start <= day and (self.row.end is None or day <= self.row.end)
                and self.person.active_on(day))


def is_convener(account, committee: Committee) -> bool:
    """Whether account must convene the meeting that picks a vacant chair's successor.

    While the seat is vacant that duty falls on the head of the former chair's
    agency, who may not sit on the committee: they need its roster to call it.
    """
    if not account or not account.is_authenticated:
        return False
    from govtrack.agencies.models import Agency
    from govtrack.chairs.health import succession_of
    from govtrack.chairs.models import ChairTerm
    from govtrack.chairs.services import vacancy

    # Only the head of an agency that held the chair can be the convener: most
    # people are not, and are answered without reading the chair's history.
    if committee.id is not None and not db.session.scalar(select(exists().where(
            ChairTerm.committee_id == committee.id, ChairTerm.agency_id == Agency.id,
            Agency.head_id == account.person_id))):
        return False
    # the vacancy judged on rows (chairs.health.succession_of), its former chair's agency
    # then read by id
    found = vacancy(succession_of(committee), today())
    if found is None or found.former is None:
        return False
    former = db.session.get(ChairTerm, found.former.id)
    return former.agency.head_id is not None and former.agency.head_id == account.person_id


def is_county_coordinator(account) -> bool:
    """The county coordinator reads every committee (never edits) to follow up with chairs."""
    return bool(account and account.is_authenticated and account.is_county_coordinator)


def can_view_county(account) -> bool:
    """Administrators and the county coordinator see every committee's health."""
    return is_admin(account) or is_county_coordinator(account)


def require_view_county(account) -> None:
    """403 unless account may see the county view."""
    if not can_view_county(account):
        abort(403)


def can_view_committee(account, committee: Committee) -> bool:
    """Members (observers included) read their committee; admins and the county
    coordinator read all."""
    return (can_view_county(account) or bool(committee_roles(account, committee))
            or is_convener(account, committee))


def can_hand_over_chair(account, committee: Committee) -> bool:
    """The chair, a co-chair, an administrator, or the convener during a vacancy."""
    return (is_admin(account) or bool(committee_roles(account, committee)
                                      & {"chair", "co_chair"})
            or is_convener(account, committee))


def require_hand_over_chair(account, committee: Committee) -> None:
    """404 for strangers, 403 for members who may not confirm a hand-over."""
    require_view_committee(account, committee)
    if not can_hand_over_chair(account, committee):
        abort(403)


def can_set_thresholds(account, committee: Committee) -> bool:
    """The chair and co-chair set the committee's health thresholds; administrators too."""
    return is_admin(account) or bool(committee_roles(account, committee)
                                     & {"chair", "co_chair"})


def can_edit_committee(account, committee: Committee) -> bool:
    """The chair, co-chair and secretary edit their committee; admins too."""
    return is_admin(account) or bool(committee_roles(account, committee) & EDITOR_ROLES)


def can_import_members(account, committee: Committee) -> bool:
    """The chair and co-chair import a roster of members; administrators too.

    A whole roster at once is more than the secretary's one seat at a time:
    least privilege keeps it with the committee's chairs.
    """
    return is_admin(account) or bool(committee_roles(account, committee) & {"chair", "co_chair"})


def require_import_members(account, committee: Committee) -> None:
    """404 for strangers, 403 for members who may not import a roster."""
    require_view_committee(account, committee)
    if not can_import_members(account, committee):
        abort(403)


def can_import_people(account) -> bool:
    """Administrators import people, as they add and edit them one by one."""
    return is_admin(account)


def require_import_people(account) -> None:
    """403 unless account may import people."""
    if not can_import_people(account):
        abort(403)


def can_update_action(account, action) -> bool:
    """The owner updates their own action item; the committee's editors and admins any.

    The owner may sit outside the committee: an MOU obligation is tracked by a
    person of the party that promised it. They see and update that item, and
    nothing else of the committee.
    """
    if not account or not account.is_authenticated:
        return False
    return action.owner_id == account.person_id or can_edit_committee(account,
                                                                        action.committee)


def require_update_action(account, action) -> None:
    """Load-then-check for an action update: 404 to strangers, 403 to members who may not."""
    if account.is_authenticated and action.owner_id == account.person_id:
        return
    require_view_committee(account, action.committee)
    if not can_update_action(account, action):
        abort(403)


def require_view_committee(account, committee: Committee) -> None:
    """404 unless account may see the committee: its existence is private."""
    if not can_view_committee(account, committee):
        abort(404)


def require_edit_committee(account, committee: Committee) -> None:
    """404 for strangers, 403 for members who may read but not edit."""
    require_view_committee(account, committee)
    if not can_edit_committee(account, committee):
        abort(403)


def can_view_audit(account) -> bool:
    """Administrators read the whole audit trail (agencies, people, accounts included)."""
    return is_admin(account)


def require_view_audit(account) -> None:
    """403 unless account may read the whole audit trail."""
    if not can_view_audit(account):
        abort(403)


def require_admin(account) -> None:
    """403 unless account is an administrator."""
    if not is_admin(account):
        abort(403)


# --- workgroups, action items and meetings ---------------------------------------------


def can_work_on(account, workgroup) -> bool:
    """Editors of the committee, and the workgroup's lead and members who sit on it."""
    return can_edit_committee(account, workgroup.committee) or (
        bool(committee_roles(account, workgroup.committee))
        and account.person_id in {p.id for p in workgroup.members})


def require_work_on(account, workgroup) -> None:
    """403 unless account may work on the workgroup (its committee is already visible)."""
    if not can_work_on(account, workgroup):
        abort(403)


def can_update_milestone(account, workgroup, milestone) -> bool:
    """Those who work on the workgroup, and the milestone's owner."""
    return can_work_on(account, workgroup) or (
        bool(account and account.is_authenticated)
        and milestone.owner_id == account.person_id)


def can_edit_action(account, action) -> bool:
    """The committee's editors (and administrators) change an action's title, owner, due."""
    return bool(account and account.is_authenticated) and can_edit_committee(
        account, action.committee)


def can_view_action(account, action) -> bool:
    """The action's owner (who may sit outside the committee) and those who see the committee."""
    return bool(account and account.is_authenticated) and (
        action.owner_id == account.person_id or can_view_committee(account, action.committee))


def require_view_action(account, action) -> None:
    """404 unless account may see the action: the committee's existence is private."""
    if not can_view_action(account, action):
        abort(404)


def can_see_agenda(account, meeting) -> bool:
    """A published agenda is the committee's; a draft only those who set it."""
    return meeting.agenda_status == "published" or can_set_agenda(account, meeting)


def can_schedule_meeting(account, committee: Committee) -> bool:
    """Editors add meetings; so does the convener, to call the one that picks the next chair."""
    return can_edit_committee(account, committee) or is_convener(account, committee)


def can_set_agenda(account, meeting) -> bool:
    """Editors set every agenda; the convener during a vacancy sets a coming meeting's, no more."""
    if can_edit_committee(account, meeting.committee):
        return True
    return meeting.status == "scheduled" and is_convener(account, meeting.committee)


def require_set_agenda(account, meeting) -> None:
    """404 for strangers, 403 for those who may read the meeting but not set its agenda."""
    require_view_committee(account, meeting.committee)
    if not can_set_agenda(account, meeting):
        abort(403)


def can_request_item(account, committee: Committee) -> bool:
    """Those with a seat (and administrators, and the convener) ask for agenda items.

    The county coordinator reads every committee but takes no part in it.
    """
    return (is_admin(account) or bool(committee_roles(account, committee))
            or is_convener(account, committee))


def require_request_item(account, committee: Committee) -> None:
    """404 for strangers, 403 for readers without a seat (the county coordinator)."""
    require_view_committee(account, committee)
    if not can_request_item(account, committee):
        abort(403)


def can_rsvp(account, meeting) -> bool:
    """A member expected at a coming meeting answers for themself before it starts."""
    if not account or not account.is_authenticated or meeting.status != "scheduled":
        return False
    from zoneinfo import ZoneInfo

    from govtrack.clock import utcnow

    if meeting.starts_at <= utcnow():
        return False
    day = meeting.starts_at.astimezone(ZoneInfo(meeting.committee.timezone)).date()
    return any(m.holds_on(day) and m.role != "observer"
               for m in _seats(account, meeting.committee))


# --- MOUs and who signs them ----------------------------------------------------------


def can_view_mou(account, mou) -> bool:
    """Administrators, members of the sponsoring committee, and people of party agencies."""
    if not account or not account.is_authenticated:
        return False
    if is_admin(account) or account.person.agency_id in {a.id for a in mou.parties}:
        return True
    # the county coordinator reads every committee, its MOUs included
    return mou.committee is not None and (is_county_coordinator(account)
                                          or bool(committee_roles(account, mou.committee)))


def can_edit_mou(account, mou=None, committee: Committee | None = None) -> bool:
    """The sponsoring committee's chair, co-chair and secretary, and administrators."""
    committee = committee if mou is None else mou.committee
    if is_admin(account):
        return True
    return committee is not None and can_edit_committee(account, committee)


def can_manage_signatories(account, agency) -> bool:
    """The agency's head and administrators authorise and end authorisations."""
    if not account or not account.is_authenticated:
        return False
    return is_admin(account) or (agency.head_id is not None
                                 and agency.head_id == account.person_id)


def can_view_signatories(account, agency) -> bool:
    """People of the agency and administrators: the register names the agency's MOUs."""
    if not account or not account.is_authenticated:
        return False
    return can_manage_signatories(account, agency) or account.person.agency_id == agency.id


def can_manage_outbox(account) -> bool:
    """Administrators see every reminder e-mail and retry it: it names people and records."""
    return is_admin(account)


def can_change_reminders(account, person) -> bool:
    """A person chooses how they get their own reminders; an administrator may help."""
    return bool(account and account.is_authenticated
                and (account.person_id == person.id or account.is_admin))
