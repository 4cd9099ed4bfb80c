"""What every form of the app is posted with by the hostile-input and double-submit tests.

FORMS maps each POST route to hypothesis strategies for its fields: plausible values
half the time (so the posts reach the services), hostile ones the rest.
"""

import os
from urllib.parse import quote

from hypothesis import strategies as st

from govtrack.uploads.csvfile import digest
from tests.factories import PASSWORD

EXAMPLES = int(os.environ.get("HYPOTHESIS_EXAMPLES", "200"))
MARKER = "<script>alert('x')</script>"

HOSTILE = st.sampled_from([
    "", " ", MARKER, "<img src=x onerror=alert(1)>", "'; DROP TABLE committee; --",
    "\x00", "nul\x00inside", "\x1b[31m", "\u202eright-to-left\u202c", "שלום עולם",
    "\ud800", "a\udfffb", "x" * 100_001, "9" * 400, "-1", "0", "1e309", "NaN",
    "2026-02-30", "0000-00-00", "9999-99-99", "2026-13-01", "25:61", "{{7*7}}",
    "../../etc/passwd", "FREQ=HOURLY", "FREQ=MONTHLY;BYDAY=99XX", "Mars/Olympus",
])
TEXT = st.one_of(HOSTILE, st.text(max_size=300))


def _field(*good):
    """A strategy for a field: plausible values half the time, hostile the rest.

    The plausible values stay on the strategy (.plausible) for tests that post
    one field at a time.
    """
    strategy = st.one_of(st.sampled_from(good), TEXT) if good else TEXT
    if good:
        strategy.plausible = good
    return strategy


DATES = ("2025-01-14", "2024-02-29", "2026-11-22")
#: a new password good enough to be accepted, in both of a form's password fields
NEW_PASSWORD = "another-Battery-2027"

#: POST route -> field strategies (plausible values let the fuzz reach the services)
FORMS = {
    "/login": {"email": _field("a@example.org"), "password": _field("x" * 12)},
    "/account/password": {"current": _field(PASSWORD), "password": _field(NEW_PASSWORD),
                          "confirm": _field(NEW_PASSWORD)},
    "/admin/accounts/new": {"person": _field("1", "2"), "email": _field("n@example.org"),
                            "password": _field(NEW_PASSWORD), "confirm": _field(NEW_PASSWORD),
                            "is_admin": _field("y")},
    "/admin/accounts/<int:account_id>/status": {"active": _field("y"), "is_admin": TEXT},
    "/admin/accounts/<int:account_id>/password": {"password": _field(NEW_PASSWORD),
                                                  "confirm": _field(NEW_PASSWORD),
                                                  "your_password": _field(PASSWORD)},
    "/admin/accounts/<int:account_id>/totp/remove": {"your_password": _field(PASSWORD)},
    "/account/totp": {"code": _field("123456", "000000", "12 34 56")},
    "/account/totp/remove": {"password": _field(PASSWORD), "code": _field("123456")},
    "/admin/accounts/signing-policy": {"require_totp": _field("y", "")},
    "/agencies/new": {"name": _field("Agency"), "sector": _field("courts", "health")},
    "/agencies/<key>/edit": {"version": _field("1", "2"), "name": _field("Agency"),
                             "sector": _field("courts"), "head": _field("0", "1")},
    "/agencies/<key>/people/new": {"name": _field("P"), "title": TEXT,
                                   "email": _field("p@example.org"), "agency": _field("1")},
    "/people/<key>/edit": {"version": _field("1"), "name": _field("P"), "title": TEXT,
                           "email": TEXT, "agency": _field("1"), "active": _field("y")},
    "/committees/new": {
        "name": _field("C"), "kind": _field("standing", "time_limited"), "end_date":
        _field(*DATES), "funding_source": TEXT, "purpose": TEXT, "goals": TEXT,
        "timezone": _field("America/New_York"), "frequency": _field("monthly", "weekly"),
        "week_of_month": _field("2", "-1"), "weekday": _field("TU"),
        "first_meeting": _field(*DATES), "start_time": _field("15:00"),
        "duration_minutes": _field("90"), "cadence_rrule": TEXT,
        "stall_after_days": _field("30")},
    "/committees/<key>/stage": {"stage": _field("assessment", "transition"),
                                "since": _field(*DATES), "note": TEXT},
    "/committees/<key>/members/new": {
        "person": _field("@person:outsider", "1", "2", "3"), "agency": _field("0", "1"),
        "role": _field("member", "chair"), "start": _field(*DATES), "end": _field("", *DATES)},
    "/committees/<key>/members/<int:membership_id>/edit": {
        "version": _field("1"), "person": _field("1"), "agency": _field("0", "1"),
        "role": _field("member", "chair"), "start": _field(*DATES), "end": _field(*DATES)},
}
FORMS["/committees/<key>/chair/policy"] = {
    "version": _field("1"), "mode": _field("alternate_sides", "agency_order", "manual"),
    "term_months": _field("12", "0", "61"), "co_chair_other_side": _field("y"),
    **{f"agency_order-{n}": _field("", "agency-1", "nope") for n in range(6)}}
FORMS["/committees/<key>/chair/handover"] = {
    "person": _field("@person:member", "1", "2", "3"), "start": _field("2099-01-06", *DATES),
    "co_chair": _field("0", "1")}
FORMS["/committees/<key>/chair/leave"] = {
    "leaves_on": _field("2099-01-06", *DATES), "person": _field("@person:secretary", "1", "2"),
    "note": TEXT}
FORMS["/committees/<key>/meetings/new"] = {
    "day": _field(*DATES), "time": _field("15:00", "25:00"), "duration_minutes":
    _field("90", "0", "-5"), "location": TEXT, "video_link": _field("https://x.org/m")}
FORMS["/meetings/<key>/edit"] = {"version": _field("1"), **FORMS["/committees/<key>/meetings/new"]}
FORMS["/committees/<key>/quorum"] = {"min_present": _field("2", "0"),
                                     "required_sides": _field("criminal_justice", "x")}
FORMS["/meetings/<key>/agenda/items/new"] = {
    "title": _field("Item"), "kind": _field("decision", "report_back"),
    "minutes": _field("10", "0", "481"), "presenter": _field("0", "1")}
FORMS["/meetings/<key>/agenda/items/new"].update(
    {"workgroup_key": _field("", "wg-1", "nope"), "mou_key": _field("", "x"),
     "pdsa_key": _field(""), "measure_key": _field("", "x")})
FORMS["/committees/<key>/standing-items"] = {
    "title": _field("Adjourn"), "kind": _field("information", "x"),
    "minutes": _field("5", "0"), "placement": _field("start", "end", "x")}
FORMS["/meetings/<key>/agenda/items/<int:item_id>/edit"] = FORMS[
    "/meetings/<key>/agenda/items/new"]
FORMS["/meetings/<key>/requests/new"] = {
    "title": _field("Ask"), "kind": _field("discussion"), "minutes": _field("5"), "note": TEXT}
FORMS["/meetings/<key>/minutes"] = {"version": _field("1"), "text": _field("Quorum present."),
                                    "decisions": TEXT, "notes_1": TEXT,
                                    "action_title": _field("Call the hospital", ""),
                                    "action_owner": _field("@person:member", "0", "1"),
                                    "action_due": _field(*DATES, ""),
                                    "add_action": _field("", "1")}
FORMS["/committees/<key>/standing-items/place"] = {
    "default_location": _field("County Annex, Room 2")}
FORMS["/meetings/<key>/rsvp"] = {"answer": _field("attending", "designee", "x"),
                                 "designee": _field("0", "1", "999")}
FORMS["/meetings/<key>/motions/new"] = {
    "text": _field("Adopt the protocol."), "item": _field("0", "1"), "mover": _field("0", "1"),
    "seconder": _field("0", "2"), "vote_1": _field("yes", "x")}
FORMS["/meetings/<key>/agenda/items/<int:item_id>/approve"] = {
    "text": _field("Approve the minutes."), "mover": _field("0", "1"), "seconder": _field("0", "2"),
    "vote_1": _field("yes", "x")}
FORMS["/meetings/<key>/minutes/amend"] = {"version": _field("1"),
                                          "reason": _field("A name was misspelt."),
                                          "text": TEXT, "decisions": TEXT, "notes_1": TEXT}
FORMS["/meetings/<key>/minutes/actions/<int:action_id>/edit"] = {
    "title": _field("Do it", ""), "owner": _field("@person:member", "1", "999"),
    "due": _field(*DATES)}
FORMS["/meetings/<key>/minutes/actions"] = {"title": _field("Do it"),
                                            "owner": _field("@person:member", "1"),
                                            "due": _field(*DATES)}
FORMS["/meetings/<key>/attendance"] = {"status_1": _field("present", "designee"),
                                       "designee_1": _field("0", "2")}
FORMS["/agenda-requests/<int:request_id>/decide"] = {"decision": _field("accept", "decline")}
FORMS["/meetings/<key>/agenda/items/<int:item_id>/move"] = {"direction": _field("up", "down")}
FORMS["/committees/<key>/workgroups/new"] = {
    "name": _field("Data"), "charge": TEXT, "lead": _field("0", "1"),
    "members": _field("1", "2", "x"), "report_back": _field("monthly", "every_meeting")}
FORMS["/workgroups/<key>/edit"] = {"version": _field("1"),
                                   **FORMS["/committees/<key>/workgroups/new"]}
FORMS["/committees/<key>/thresholds"] = {
    "version": _field("1"), "stall_after_days": _field("", "30", "0", "400"),
    "pdsa_phase_days": _field("", "45"), "pdsa_study_late_days": _field("", "7"),
    "attendance_low_percent": _field("", "60", "101"), "attendance_drop_points": _field("20"),
    "mou_stall_days": _field("", "14"), "mou_expiring_days": _field("", "120")}
FORMS["/workgroups/<key>/close"] = {"version": _field("1"), "note": TEXT,
                                    "reason": _field("achieved", "merged", "abandoned")}
FORMS["/workgroups/<key>/updates"] = {"text": _field("Bed data shared.")}
FORMS["/workgroups/<key>/goals"] = {"title": _field("Goal"), "description": TEXT,
                                    "end_date": _field("2099-12-31", *DATES)}
FORMS["/workgroups/<key>/actions"] = {"title": _field("Do"),
                                      "owner": _field("@person:member", "1", "2"),
                                      "due": _field(*DATES)}
FORMS["/goals/<key>/milestones"] = {"title": _field("Step"), "due": _field("2099-06-30", *DATES),
                                    "owner": _field("0", "1")}
FORMS["/milestones/<key>/status"] = {"version": _field("1"),
                                     "status": _field("done", "open", "cancelled")}
FORMS["/goals/<key>/edit"] = {"version": _field("1"), **FORMS["/workgroups/<key>/goals"]}
FORMS["/goals/<key>/status"] = {"version": _field("1"),
                                "status": _field("achieved", "open", "cancelled")}
FORMS["/milestones/<key>/edit"] = {"version": _field("1"), "reason": TEXT,
                                   **FORMS["/goals/<key>/milestones"]}
FORMS["/actions/<key>/update"] = {"version": _field("1"), "status": _field("done", "blocked"),
                                  "note": TEXT}
FORMS["/actions/<key>/edit"] = {"version": _field("1"), "title": _field("Do"),
                                "owner": _field("@person:member", "1", "2"), "due": _field(*DATES)}
FORMS["/points/<int:point_id>/edit"] = {"day": _field(*DATES), "value": _field("3", "-1.5"),
                                        "note": TEXT, "reason": _field("Typo")}
FORMS["/points/<int:point_id>/delete"] = {"reason": _field("Duplicate")}
FORMS["/committees/<key>/measures/new"] = {
    "name": _field("Bed waits"), "definition": TEXT, "unit": _field("days"),
    "kind": _field("outcome", "balancing"), "direction": _field("up", "down"),
    "frequency": _field("monthly"), "workgroup": _field("0", "1"),
    "source_agency": _field("0", "1"), "rules": _field("anhoej", "ihi"),
    "baseline_points": _field("", "12", "1", "101"), "show_limits": _field("yes", "no"),
    "target": _field("", "12", "-3.5", "1e13")}
FORMS["/measures/<key>/edit"] = {"version": _field("1"),
                                 **FORMS["/committees/<key>/measures/new"]}
FORMS["/measures/<key>/points"] = {"day": _field(*DATES), "value": _field("4", "1,250", "x"),
                                   "note": TEXT}
FORMS["/measures/<key>/import"] = {"file": TEXT}
FORMS["/measures/<key>/baseline"] = {"reset_on": _field("", "2025-01-01")}
FORMS["/goals/<key>/pdsa/new"] = {
    "title": _field("Screen"), "objective": TEXT, "questions": TEXT, "predictions": TEXT,
    "who_what_where_when": TEXT, "measure_keys": TEXT, "study_due": _field(*DATES)}
FORMS["/pdsa/<key>/record"] = {
    "version": _field("1", "5"), "phase": _field("act", "study", "plan"), "decision":
    _field("adopt", "adapt", ""), "reason": TEXT, "results": TEXT, "lessons": TEXT}
FORMS["/pdsa/<key>/phase"] = {"version": _field("5", "1"),
                              "phase": _field("closed", "do", "act"), "on": _field(*DATES)}
FORMS["/committees/<key>/edit"] = {"version": _field("1", "2"),
                                   **FORMS["/committees/new"]}
FORMS["/calendar/new"] = {"committee": _field("", "committee-1", "committee-2")}
FORMS["/calendar/<int:feed_id>/revoke"] = {"confirm": TEXT}
FORMS["/mous/new"] = {
    "title": _field("MOU"), "committee": _field("@committee", "1", "2"),
    "parties": _field(("@agency:member", "@agency:head"), "1", "2", "x"),
    "purpose": TEXT, "background": TEXT, "text": TEXT, "effective": _field(*DATES),
    "expires": _field("2030-01-14", *DATES), "review": _field("2029-01-14", *DATES)}
FORMS["/mous/<key>/edit"] = {"version": _field("1", "2"), "obligation_1": TEXT,
                             "obligation_2": TEXT, "signing_in_order": _field("y", ""),
                             "position_1": _field("1", "2", "0"), "position_2": _field("2"),
                             **FORMS["/mous/new"]}
FORMS["/agencies/<key>/signatories"] = {
    "person": _field("@person:head", "1", "2", "3"), "mou": _field("0", "1"),
    "starts_on": _field(*DATES, "2099-01-01"), "ends_on": _field(*DATES, "")}
FORMS["/mous/<key>/status"] = {"to": _field("in_review", "out_for_signature", "executed")}
FORMS["/mous/<key>/sign"] = {"party": _field("@agency:head", "1", "2"),
                             "password": _field(PASSWORD), "consent": _field("y"),
                             "name": _field("Grace Okafor"), "title": _field("Public Defender"),
                             "totp_code": _field("123456")}
FORMS["/mous/<key>/decline"] = {"party": _field("@agency:head", "1", "2"),
                                "reason": _field("The obligations are not ours."),
                                "password": _field(PASSWORD)}
FORMS["/mous/<key>/certificate"] = {"sha256": _field("0" * 64)}
FORMS["/mous/<key>/obligations/track"] = {"title": _field("Do"),
                                          "owner": _field("@person:member", "1", "2"),
                                          "due": _field(*DATES)}


# roster imports: a file, then the preview's text carried back with its digest
FORMS["/people/import"] = {"file": TEXT}
FORMS["/committees/<key>/members/import"] = {"file": TEXT}
_PEOPLE = "name,email,agency\nAnn Lee,ann@example.org,agency-1"
_MEMBERS = "email;role;start\nann@example.org;member;2026-01-13"
FORMS["/people/import/confirm"] = {
    "filename": TEXT, "encoding": _field("utf-8", "cp1252"), "text": _field(_PEOPLE),
    "digest": _field(digest(_PEOPLE)), "fingerprint": TEXT}
FORMS["/committees/<key>/members/import/confirm"] = {
    **FORMS["/people/import/confirm"], "text": _field(_MEMBERS),
    "digest": _field(digest(_MEMBERS))}

FORMS["/account/reminders"] = {
    "action_overdue": _field("immediately", "digest", "off", "never"),
    "mou_signature_requested": _field("immediately", "off"),
    "meeting_7d": _field("digest", "immediately")}

#: POST routes that take no input but the CSRF token: a button, not a form
NO_FIELDS = {
    "/committees/<key>/meetings/schedule", "/meetings/<key>/cancel",
    "/meetings/<key>/agenda/draft", "/meetings/<key>/agenda/publish",
    "/meetings/<key>/agenda/items/<int:item_id>/delete",
    "/meetings/<key>/agenda/items/<int:item_id>/carry",
    "/pdsa/<key>/adapt", "/committees/<key>/backlog/<int:entry_id>/drop",
    "/committees/<key>/standing-items/<int:standing_id>/delete",
    "/meetings/<key>/minutes/actions/<int:action_id>/delete",
    "/meetings/<key>/motions/<int:motion_id>/delete",
    "/workgroups/<key>/reopen", "/admin/outbox/<int:notification_id>/retry",
    "/mous/<key>/amend",
    "/agencies/<key>/signatories/<int:authorisation_id>/end",
    "/inbox/<int:notification_id>/read", "/inbox/read-all",
    "/account/totp/start",
}


#: forms whose fields carry a prefix naming their record (several on one page): the prefix
#: for the cast's record
PREFIXES = {
    "/actions/<key>/update": lambda cast: f"a{_cast_action(cast).id}-",
    "/goals/<key>/milestones": lambda cast: f"g{cast['workgroup'].goals[0].id}-",
}


def _cast_action(cast):
    from sqlalchemy import select

    from govtrack.actions.models import ActionItem
    from govtrack.extensions import db

    key = f"action-{cast['workgroup'].key.removeprefix('wg-')}"
    return db.session.scalar(select(ActionItem).where(ActionItem.key == key))


def for_cast(rule: str, data: dict, cast) -> dict:
    """data as the form of rule on the cast's pages posts it: a plausible value "@person:ROLE"
    or "@agency:ROLE" becomes the id of that role's person or agency, "@committee" the
    committee's (ids differ from test to test, and between SQLite and PostgreSQL); a tuple
    is a field of several values; field names get the prefix the page gives them."""
    prefix = PREFIXES[rule](cast) if rule in PREFIXES else ""

    def value(v):
        if isinstance(v, tuple):
            return tuple(value(each) for each in v)
        if isinstance(v, str) and v == "@committee":
            return str(cast["committee"].id)
        if isinstance(v, str) and v.startswith(("@person:", "@agency:")):
            person = cast[v.partition(":")[2]].person
            return str(person.id if v.startswith("@person:") else person.agency_id)
        return v

    return {prefix + name: value(v) for name, v in data.items()}


def _encode(data: dict) -> bytes:
    """Form-encode, passing lone surrogates through as a hostile browser could."""
    return "&".join(
        f"{quote(k)}={quote(each.encode('utf-8', 'surrogatepass'))}" for k, v in data.items()
        for each in (v if isinstance(v, tuple) else (v,))
    ).encode()
