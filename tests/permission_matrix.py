"""The permission matrix: every route, the roles allowed, a URL for each (security tests too)."""

from govtrack.extensions import db
from govtrack.meetings.models import AgendaRequest

ROLES = ("anonymous", "outsider", "member", "secretary", "chair", "head", "coordinator",
         "admin")


#: (method, rule) -> statuses for anonymous outsider member secretary chair head coordinator
#: admin. The county coordinator (no seat) reads every committee and its MOUs, and changes
#: nothing: every change is 403 (404 where even reading a record is someone else's).
#: POSTs send an empty form: 200 means the form came back with its errors. An
#: edit form sent empty lacks the version it was opened at, so it is refused
#: (issue 16: a missing version used to fall back to the record's and overwrite).
MATRIX = {
    ("GET", "/"): "302 302 302 302 302 302 302 302",
    ("GET", "/login"): "200 302 302 302 302 302 302 302",
    ("POST", "/login"): "200 302 302 302 302 302 302 302",
    ("POST", "/logout"): "302 302 302 302 302 302 302 302",
    ("GET", "/my-work"): "302 200 200 200 200 200 200 200",
    ("GET", "/mous/"): "302 200 200 200 200 200 200 200",
    # MOUs: the cast's MOU is out for signature between the member's and the head's agencies
    ("GET", "/mous/mine"): "302 200 200 200 200 200 200 200",
    ("GET", "/mous/new"): "302 403 403 200 200 403 403 200",
    ("POST", "/mous/new"): "302 403 403 200 200 403 403 200",
    ("GET", "/mous/<key>"): "302 404 200 200 200 200 200 200",
    ("GET", "/mous/<key>/edit"): "302 404 403 200 200 403 403 200",
    ("POST", "/mous/<key>/edit"): "302 404 403 200 200 403 403 200",
    ("POST", "/mous/<key>/status"): "302 404 403 302 302 403 403 302",
    ("POST", "/mous/<key>/amend"): "302 404 403 302 302 403 403 302",
    ("GET", "/mous/<key>/sign"): "302 404 403 403 403 200 403 403",
    ("POST", "/mous/<key>/sign"): "302 404 403 403 403 400 403 403",
    ("POST", "/mous/<key>/decline"): "302 404 403 403 403 400 403 403",
    ("GET", "/mous/<key>/certificate"): "302 404 200 200 200 200 200 200",
    ("POST", "/mous/<key>/certificate"): "302 404 400 400 400 400 400 400",
    ("GET", "/mous/<key>/document.docx"): "302 404 200 200 200 200 200 200",
    ("POST", "/mous/<key>/obligations/track"): "302 404 403 302 302 403 403 302",
    # who may sign for the head's agency: its people (only the head) and admins read it,
    # the head and admins keep it; an empty authorisation comes back with its errors
    ("GET", "/agencies/<key>/signatories"): "302 403 403 403 403 200 403 200",
    ("POST", "/agencies/<key>/signatories"): "302 403 403 403 403 200 403 200",
    ("POST", "/agencies/<key>/signatories/<int:authorisation_id>/end"):
        "302 403 403 403 403 302 403 302",
    # the inbox: the notification is the member's, so anyone else's is 404
    ("GET", "/inbox"): "302 200 200 200 200 200 200 200",
    ("POST", "/inbox/<int:notification_id>/read"): "302 404 302 404 404 404 404 404",
    ("POST", "/inbox/read-all"): "302 302 302 302 302 302 302 302",
    # reminders: my choices (an empty form comes back with its errors); the outbox is the
    # administrators', and retrying the member's pending notice sends it
    ("GET", "/account/reminders"): "302 200 200 200 200 200 200 200",
    ("POST", "/account/reminders"): "302 200 200 200 200 200 200 200",
    ("GET", "/admin/outbox"): "302 403 403 403 403 403 403 200",
    ("POST", "/admin/outbox/<int:notification_id>/retry"): "302 403 403 403 403 403 403 302",
    ("GET", "/account/password"): "302 200 200 200 200 200 200 200",
    ("POST", "/account/password"): "302 200 200 200 200 200 200 200",
    # two-step code: an empty confirm or remove comes back with its errors; start gives a key
    ("GET", "/account/totp"): "302 200 200 200 200 200 200 200",
    ("POST", "/account/totp"): "302 200 200 200 200 200 200 200",
    ("POST", "/account/totp/start"): "302 302 302 302 302 302 302 302",
    ("POST", "/account/totp/remove"): "302 200 200 200 200 200 200 200",
    ("POST", "/admin/accounts/signing-policy"): "302 403 403 403 403 403 403 302",
    # the administrator confirms with their own password: an empty form comes back (400)
    ("POST", "/admin/accounts/<int:account_id>/totp/remove"): "302 403 403 403 403 403 403 400",
    ("GET", "/admin/accounts/"): "302 403 403 403 403 403 403 200",
    ("GET", "/admin/audit/"): "302 403 403 403 403 403 403 200",
    # the county view: administrators and the county coordinator
    ("GET", "/county/"): "302 403 403 403 403 403 200 200",
    ("GET", "/county/health.csv"): "302 403 403 403 403 403 200 200",
    ("GET", "/admin/accounts/new"): "302 403 403 403 403 403 403 200",
    ("POST", "/admin/accounts/new"): "302 403 403 403 403 403 403 200",
    ("GET", "/admin/accounts/<int:account_id>"): "302 403 403 403 403 403 403 200",
    ("POST", "/admin/accounts/<int:account_id>/status"): "302 403 403 403 403 403 403 302",
    ("POST", "/admin/accounts/<int:account_id>/password"): "302 403 403 403 403 403 403 400",
    ("GET", "/agencies/"): "302 200 200 200 200 200 200 200",
    ("GET", "/agencies/<key>"): "302 200 200 200 200 200 200 200",
    ("GET", "/agencies/new"): "302 403 403 403 403 403 403 200",
    ("POST", "/agencies/new"): "302 403 403 403 403 403 403 200",
    ("GET", "/agencies/<key>/edit"): "302 403 403 403 403 403 403 200",
    ("POST", "/agencies/<key>/edit"): "302 403 403 403 403 403 403 200",
    ("GET", "/agencies/<key>/people/new"): "302 403 403 403 403 403 403 200",
    ("POST", "/agencies/<key>/people/new"): "302 403 403 403 403 403 403 200",
    # roster import: administrators import people; an empty upload comes back with its
    # error, an empty confirm carries no previewed file (400)
    ("GET", "/people/import"): "302 403 403 403 403 403 403 200",
    ("POST", "/people/import"): "302 403 403 403 403 403 403 200",
    ("POST", "/people/import/confirm"): "302 403 403 403 403 403 403 400",
    ("GET", "/people/<key>/edit"): "302 403 403 403 403 403 403 200",
    ("POST", "/people/<key>/edit"): "302 403 403 403 403 403 403 200",
    ("GET", "/committees/"): "302 200 200 200 200 200 200 200",
    ("GET", "/committees/new"): "302 403 403 403 403 403 403 200",
    ("POST", "/committees/new"): "302 403 403 403 403 403 403 200",
    ("GET", "/committees/<key>"): "302 404 200 200 200 404 200 200",
    ("GET", "/committees/<key>/edit"): "302 404 403 200 200 404 403 200",
    ("POST", "/committees/<key>/edit"): "302 404 403 200 200 404 403 200",
    ("GET", "/committees/<key>/stage"): "302 404 403 200 200 404 403 200",
    ("POST", "/committees/<key>/stage"): "302 404 403 200 200 404 403 200",
    ("GET", "/committees/<key>/members/new"): "302 404 403 200 200 404 403 200",
    ("POST", "/committees/<key>/members/new"): "302 404 403 200 200 404 403 200",
    # the chair (co-chair) and administrators import a roster of members; the secretary,
    # who seats one person at a time, does not
    ("GET", "/committees/<key>/members/import"): "302 404 403 403 200 404 403 200",
    ("POST", "/committees/<key>/members/import"): "302 404 403 403 200 404 403 200",
    ("POST", "/committees/<key>/members/import/confirm"):
        "302 404 403 403 400 404 403 400",
    ("GET", "/committees/<key>/members/<int:membership_id>/edit"):
        "302 404 403 200 200 404 403 200",
    ("POST", "/committees/<key>/members/<int:membership_id>/edit"):
        "302 404 403 200 200 404 403 200",
    ("GET", "/committees/<key>/history"): "302 404 200 200 200 404 200 200",
    ("GET", "/committees/<key>/chair/policy"): "302 404 403 200 200 404 403 200",
    ("POST", "/committees/<key>/chair/policy"): "302 404 403 302 302 404 403 302",
    ("GET", "/committees/<key>/chair/handover"): "302 404 403 403 200 404 403 200",
    ("POST", "/committees/<key>/chair/handover"): "302 404 403 403 200 404 403 200",
    ("GET", "/committees/<key>/chair/leave"): "302 404 403 403 200 404 403 200",
    ("POST", "/committees/<key>/chair/leave"): "302 404 403 403 200 404 403 200",
    # meetings: the cast's meeting starts in two hours, its agenda published
    ("GET", "/committees/<key>/meetings"): "302 404 200 200 200 404 200 200",
    ("POST", "/committees/<key>/meetings/schedule"): "302 404 403 302 302 404 403 302",
    ("GET", "/committees/<key>/meetings/new"): "302 404 403 200 200 404 403 200",
    ("POST", "/committees/<key>/meetings/new"): "302 404 403 200 200 404 403 200",
    ("GET", "/committees/<key>/quorum"): "302 404 403 200 200 404 403 200",
    ("POST", "/committees/<key>/quorum"): "302 404 403 302 302 404 403 302",
    ("GET", "/committees/<key>/backlog"): "302 404 200 200 200 404 200 200",
    ("POST", "/committees/<key>/backlog/<int:entry_id>/drop"): "302 404 403 302 302 404 403 302",
    ("GET", "/committees/<key>/standing-items"): "302 404 403 200 200 404 403 200",
    ("POST", "/committees/<key>/standing-items"): "302 404 403 200 200 404 403 200",
    ("POST", "/committees/<key>/standing-items/place"): "302 404 403 302 302 404 403 302",
    ("POST", "/committees/<key>/standing-items/<int:standing_id>/delete"):
        "302 404 403 302 302 404 403 302",
    ("GET", "/meetings/<key>"): "302 404 200 200 200 404 200 200",
    ("GET", "/meetings/<key>/edit"): "302 404 403 200 200 404 403 200",
    ("POST", "/meetings/<key>/edit"): "302 404 403 200 200 404 403 200",
    ("POST", "/meetings/<key>/cancel"): "302 404 403 302 302 404 403 302",
    ("GET", "/meetings/<key>/agenda/draft"): "302 404 403 200 200 404 403 200",
    ("POST", "/meetings/<key>/agenda/draft"): "302 404 403 302 302 404 403 302",
    ("POST", "/meetings/<key>/agenda/publish"): "302 404 403 302 302 404 403 302",
    ("GET", "/meetings/<key>/agenda/items/new"): "302 404 403 200 200 404 403 200",
    ("POST", "/meetings/<key>/agenda/items/new"): "302 404 403 200 200 404 403 200",
    ("GET", "/meetings/<key>/agenda/items/<int:item_id>/edit"): "302 404 403 200 200 404 403 200",
    ("POST", "/meetings/<key>/agenda/items/<int:item_id>/edit"):
        "302 404 403 302 302 404 403 302",
    ("POST", "/meetings/<key>/agenda/items/<int:item_id>/delete"):
        "302 404 403 302 302 404 403 302",
    ("POST", "/meetings/<key>/agenda/items/<int:item_id>/move"):
        "302 404 403 302 302 404 403 302",
    ("POST", "/meetings/<key>/agenda/items/<int:item_id>/carry"):
        "302 404 403 302 302 404 403 302",
    ("GET", "/meetings/<key>/requests/new"): "302 404 200 200 200 404 403 200",
    ("POST", "/meetings/<key>/requests/new"): "302 404 200 200 200 404 403 200",
    ("POST", "/agenda-requests/<int:request_id>/decide"): "302 404 403 302 302 404 403 302",
    ("GET", "/meetings/<key>/attendance"): "302 404 403 200 200 404 403 200",
    ("POST", "/meetings/<key>/attendance"): "302 404 403 302 302 404 403 302",
    ("GET", "/meetings/<key>/minutes"): "302 404 403 200 200 404 403 200",
    ("POST", "/meetings/<key>/minutes"): "302 404 403 400 400 404 403 400",
    ("POST", "/meetings/<key>/minutes/actions"): "302 404 403 400 400 404 403 400",
    # the cast meeting's item approving an earlier meeting's minutes: the cast meeting is
    # not held yet, so the page says to take the attendance; an empty vote comes back
    ("GET", "/meetings/<key>/agenda/items/<int:item_id>/approve"):
        "302 404 403 200 200 404 403 200",
    ("POST", "/meetings/<key>/agenda/items/<int:item_id>/approve"):
        "302 404 403 200 200 404 403 200",
    # the member answers for themself before the meeting; an administrator without a seat may not
    ("POST", "/meetings/<key>/rsvp"): "302 404 302 302 302 404 403 403",
    ("GET", "/meetings/<key>/motions/new"): "302 404 403 200 200 404 403 200",
    ("POST", "/meetings/<key>/motions/new"): "302 404 403 200 200 404 403 200",
    ("POST", "/meetings/<key>/motions/<int:motion_id>/delete"): "302 404 403 302 302 404 403 302",
    ("GET", "/meetings/<key>/minutes/amend"): "302 404 403 302 302 404 403 302",
    ("POST", "/meetings/<key>/minutes/amend"): "302 404 403 302 302 404 403 302",
    ("GET", "/meetings/<key>/minutes/actions/<int:action_id>/edit"):
        "302 404 403 200 200 404 403 200",
    ("POST", "/meetings/<key>/minutes/actions/<int:action_id>/edit"):
        "302 404 403 200 200 404 403 200",
    ("POST", "/meetings/<key>/minutes/actions/<int:action_id>/delete"):
        "302 404 403 302 302 404 403 302",
    ("GET", "/meetings/<key>/agenda.docx"): "302 404 200 200 200 404 200 200",
    ("GET", "/meetings/<key>/minutes.docx"): "302 404 404 404 404 404 404 404",
    # workgroups: the cast's workgroup is led by the chair, with the member in it
    ("GET", "/committees/<key>/workgroups"): "302 404 200 200 200 404 200 200",
    ("GET", "/committees/<key>/dashboard"): "302 404 200 200 200 404 200 200",
    ("GET", "/committees/<key>/overdue/<agency_key>"): "302 404 200 200 200 404 200 200",
    # thresholds: members read them; the chair (and admins) set them; an empty form
    # restores every default
    ("GET", "/committees/<key>/thresholds"): "302 404 200 200 200 404 200 200",
    ("POST", "/committees/<key>/thresholds"): "302 404 403 403 400 404 403 400",
    ("GET", "/committees/<key>/workgroups/new"): "302 404 403 200 200 404 403 200",
    ("POST", "/committees/<key>/workgroups/new"): "302 404 403 200 200 404 403 200",
    ("GET", "/committees/<key>/actions.csv"): "302 404 200 200 200 404 200 200",
    ("GET", "/workgroups/<key>"): "302 404 200 200 200 404 200 200",
    ("GET", "/workgroups/<key>/edit"): "302 404 403 200 200 404 403 200",
    ("POST", "/workgroups/<key>/edit"): "302 404 403 200 200 404 403 200",
    ("POST", "/workgroups/<key>/updates"): "302 404 400 400 400 404 403 400",
    ("GET", "/workgroups/<key>/close"): "302 404 403 200 200 404 403 200",
    ("POST", "/workgroups/<key>/close"): "302 404 403 400 400 404 403 400",
    # the cast's workgroup is open: reopening it is refused with a message
    ("POST", "/workgroups/<key>/reopen"): "302 404 403 302 302 404 403 302",
    ("POST", "/workgroups/<key>/goals"): "302 404 400 400 400 404 403 400",
    ("POST", "/workgroups/<key>/actions"): "302 404 400 400 400 404 403 400",
    ("POST", "/goals/<key>/milestones"): "302 404 400 400 400 404 403 400",
    ("POST", "/milestones/<key>/status"): "302 404 400 400 400 404 403 400",
    ("GET", "/goals/<key>/edit"): "302 404 200 200 200 404 403 200",
    ("POST", "/goals/<key>/edit"): "302 404 400 400 400 404 403 400",
    ("POST", "/goals/<key>/status"): "302 404 400 400 400 404 403 400",
    ("GET", "/milestones/<key>/edit"): "302 404 200 200 200 404 403 200",
    ("POST", "/milestones/<key>/edit"): "302 404 400 400 400 404 403 400",
    ("POST", "/actions/<key>/update"): "302 404 400 400 400 404 403 400",
    ("GET", "/actions/<key>"): "302 404 200 200 200 404 200 200",
    # editing an action is the editors' (the member owns the cast's action: 403);
    # an empty edit comes back with its errors
    ("POST", "/actions/<key>/edit"): "302 404 403 400 400 404 403 400",
    # outcomes, measures and PDSA cycles (tests/pdsa/records.py: a measure with six
    # points, a cycle in Act decided "adapt" under the cast's workgroup's goal)
    ("GET", "/committees/<key>/outcomes"): "302 404 200 200 200 404 200 200",
    ("GET", "/committees/<key>/measures/new"): "302 404 403 200 200 404 403 200",
    ("POST", "/committees/<key>/measures/new"): "302 404 403 200 200 404 403 200",
    ("GET", "/measures/<key>"): "302 404 200 200 200 404 200 200",
    ("GET", "/measures/<key>/edit"): "302 404 403 200 200 404 403 200",
    ("POST", "/measures/<key>/edit"): "302 404 403 200 200 404 403 200",
    ("POST", "/measures/<key>/points"): "302 404 403 400 400 404 403 400",
    ("POST", "/measures/<key>/import"): "302 404 403 400 400 404 403 400",
    ("POST", "/measures/<key>/baseline"): "302 404 403 302 302 404 403 302",
    ("GET", "/measures/<key>/data.csv"): "302 404 200 200 200 404 200 200",
    ("GET", "/committees/<key>/measures.csv"): "302 404 200 200 200 404 200 200",
    # the measure's first point (tests/pdsa/records.py); an empty correction or
    # deletion comes back with its errors
    ("GET", "/points/<int:point_id>/edit"): "302 404 403 200 200 404 403 200",
    ("POST", "/points/<int:point_id>/edit"): "302 404 403 400 400 404 403 400",
    ("POST", "/points/<int:point_id>/delete"): "302 404 403 400 400 404 403 400",
    ("GET", "/goals/<key>/ramp"): "302 404 200 200 200 404 200 200",
    ("GET", "/goals/<key>/pdsa/new"): "302 404 200 200 200 404 403 200",
    ("POST", "/goals/<key>/pdsa/new"): "302 404 200 200 200 404 403 200",
    ("GET", "/pdsa/<key>"): "302 404 200 200 200 404 200 200",
    ("GET", "/pdsa/<key>/worksheet.docx"): "302 404 200 200 200 404 200 200",
    # the member is in the cast's workgroup: members of a workgroup record its cycles
    ("POST", "/pdsa/<key>/record"): "302 404 400 400 400 404 403 400",
    ("POST", "/pdsa/<key>/phase"): "302 404 400 400 400 404 403 400",
    ("POST", "/pdsa/<key>/adapt"): "302 404 302 302 302 404 403 302",
    # calendar feeds: the .ics token is the credential, so a made-up one is 404 for all;
    # feed 0 exists for nobody
    ("GET", "/calendar/<token>.ics"): "404 404 404 404 404 404 404 404",
    ("GET", "/calendar/"): "302 200 200 200 200 200 200 200",
    ("POST", "/calendar/new"): "302 200 200 200 200 200 200 200",
    ("POST", "/calendar/<int:feed_id>/revoke"): "302 404 404 404 404 404 404 404",
}


def cast_with_coordinator(make):
    """The factory's cast of a committee, and a county coordinator who sits on none."""
    cast = make.cast()
    cast["coordinator"] = make.account()
    cast["coordinator"].is_county_coordinator = True
    db.session.commit()
    return cast


#: routes whose <key> is an agency or a person rather than the committee
AGENCY_RULES = {"/agencies/<key>", "/agencies/<key>/edit", "/agencies/<key>/people/new"}


PERSON_RULES = {"/people/<key>/edit"}


def _url(rule: str, cast) -> str:
    member = cast["member"]
    meeting = cast["meeting"]
    if rule.startswith("/agencies/<key>/signatories"):
        key = cast["head"].person.agency.key
    elif rule in AGENCY_RULES:
        key = member.person.agency.key
    elif rule in PERSON_RULES:
        key = member.person.key
    elif rule.startswith("/meetings/"):
        key = meeting.key
    elif rule.startswith(("/workgroups/", "/goals/", "/milestones/", "/actions/")):
        workgroup = cast["workgroup"]
        goal = workgroup.goals[0]
        key = {"/workgroups/": workgroup.key, "/goals/": goal.key,
               "/milestones/": goal.milestones[0].key,
               "/actions/": f"action-{workgroup.key.removeprefix('wg-')}"}[
            rule[:rule.index("/", 1) + 1]]
    elif rule.startswith("/mous/<key>"):
        from tests.mous.factories import make_mou

        key = make_mou(cast).key
    elif rule.startswith(("/measures/", "/pdsa/")):
        from tests.pdsa.records import matrix_records

        key = matrix_records(cast)[rule[:rule.index("/", 1) + 1]]
    else:
        key = cast["committee"].key
    membership = next(m for m in cast["committee"].memberships if m.person_id == member.person_id)
    request = db.session.query(AgendaRequest.id).filter_by(meeting_id=meeting.id).scalar()
    if "<int:authorisation_id>" in rule:
        from tests.mous.factories import make_authorisation

        rule = rule.replace("<int:authorisation_id>", str(make_authorisation(cast).id))
    if "<agency_key>" in rule:
        rule = rule.replace("<agency_key>", member.person.agency.key)
    if "<int:point_id>" in rule:
        from tests.pdsa.records import first_point_id

        rule = rule.replace("<int:point_id>", str(first_point_id(cast)))
    if "<int:notification_id>" in rule:
        from tests.notifications.factories import make_notification

        rule = rule.replace("<int:notification_id>", str(make_notification(member.person).id))
    if "<int:entry_id>" in rule:
        from tests.meetings.records import backlog_entry

        rule = rule.replace("<int:entry_id>", str(backlog_entry(cast).id))
    if "<int:action_id>" in rule:
        from tests.meetings.records import minuted_action

        rule = rule.replace("<int:action_id>", str(minuted_action(cast).id))
    if "<int:motion_id>" in rule:
        from tests.meetings.records import motion

        rule = rule.replace("<int:motion_id>", str(motion(cast).id))
    if rule.endswith("/<int:item_id>/approve"):
        from tests.meetings.records import approval_item

        rule = rule.replace("<int:item_id>", str(approval_item(cast).id))
    if "<int:standing_id>" in rule:
        from tests.meetings.records import standing_item

        rule = rule.replace("<int:standing_id>", str(standing_item(cast).id))
    return (rule.replace("<key>", key)
            .replace("<int:account_id>", str(member.id))
            .replace("<int:membership_id>", str(membership.id))
            .replace("<int:item_id>", str(meeting.items[0].id))
            .replace("<int:request_id>", str(request))
            .replace("<int:feed_id>", "0"))

