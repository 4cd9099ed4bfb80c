"""The permission matrix: every route × every kind of user, status written down.

A new route without a row here fails test_every_route_is_in_the_matrix.
"""

import pytest

from govtrack.extensions import db
from tests.permission_matrix import MATRIX, ROLES, _url, cast_with_coordinator


def test_every_route_is_in_the_matrix(app):
    routes = {(method, rule.rule) for rule in app.url_map.iter_rules()
              if rule.endpoint != "static"
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes - set(MATRIX) == set(), "routes missing from the permission matrix"
    assert set(MATRIX) - routes == set(), "matrix rows for routes that no longer exist"


@pytest.mark.parametrize(("method", "rule"), sorted(MATRIX))
def test_permission_matrix(web_app, make, method, rule):
    expected = dict(zip(ROLES, MATRIX[(method, rule)].split(), strict=True))
    actual = {}
    for role in ROLES:
        # each cell on fresh records: one role's POST changes nothing else
        cast = cast_with_coordinator(make)
        url = _url(rule, cast)
        client = web_app.test_client()
        if cast[role] is not None:
            response = client.post("/login", data={"email": cast[role].email,
                                                   "password": "correct-staple-battery-42"})
            assert response.status_code == 302, f"{role} could not log in"
        response = client.open(url, method=method, data={})
        actual[role] = str(response.status_code)
    assert actual == expected


#: role-changing posts -> statuses for anonymous outsider member secretary chair head
#: coordinator admin.
#: Chair and co-chair seats change only through the chair's hand-over, and nobody changes
#: their own seat's role: a form that tries comes back with its error (200), and the
#: roster is unchanged.
ROLE_CHANGES = {
    "demote the chair": "302 404 403 200 200 404 403 200",
    "make the secretary chair": "302 404 403 200 200 404 403 200",
    "seat a new co-chair": "302 404 403 200 200 404 403 200",
    "make the member secretary": "302 404 403 302 302 404 403 302",
}


def _role_change(cast, change):
    committee = cast["committee"]
    seats = {m.role: m for m in committee.memberships}
    base = f"/committees/{committee.key}/members"
    if change == "seat a new co-chair":
        person = db.session.merge(cast["outsider"].person)
        return f"{base}/new", {"person": person.id, "agency": "0", "role": "co_chair",
                               "start": "2025-03-01"}
    seat, role = {"demote the chair": (seats["chair"], "member"),
                  "make the secretary chair": (seats["secretary"], "chair"),
                  "make the member secretary": (seats["member"], "secretary")}[change]
    return f"{base}/{seat.id}/edit", {"version": seat.version, "person": seat.person_id,
                                      "agency": "0", "role": role, "start": "2025-01-01"}


@pytest.mark.parametrize("change", sorted(ROLE_CHANGES))
def test_role_changing_routes(web_app, make, change):
    expected = dict(zip(ROLES, ROLE_CHANGES[change].split(), strict=True))
    actual = {}
    for role in ROLES:
        cast = cast_with_coordinator(make)
        url, data = _role_change(cast, change)
        client = web_app.test_client()
        if cast[role] is not None:
            client.post("/login", data={"email": cast[role].email,
                                        "password": "correct-staple-battery-42"})
        actual[role] = str(client.post(url, data=data).status_code)
        db.session.expire_all()
        roles = sorted(m.role for m in cast["committee"].memberships)
        changed = role != "anonymous" and actual[role] == "302"
        assert roles == (["chair", "secretary", "secretary"] if changed
                         else ["chair", "member", "secretary"]), (role, roles)
    assert actual == expected


def test_a_seat_is_read_as_rows_and_a_change_not_yet_sent_counts(db, make):
    """committee_roles reads the roster's rows when no page loaded it, and sees a seat the
    session changed but has not flushed, as the query it replaces did."""
    from sqlalchemy import select

    from govtrack.committees.models import Membership
    from govtrack.permissions import can_edit_committee, committee_roles

    cast = make.cast()
    committee, member = cast["committee"], cast["member"]
    db.session.expire_all()
    assert committee_roles(member, committee) == {"member"}
    assert not can_edit_committee(member, committee)
    assert "memberships" not in committee.__dict__
    seat = db.session.scalar(select(Membership).where(
        Membership.person_id == member.person_id))
    seat.role = "secretary"
    assert committee_roles(member, committee) == {"secretary"}
    assert can_edit_committee(member, committee)
    db.session.commit()
    seat.end = seat.start
    db.session.commit()
    from datetime import timedelta

    assert committee_roles(member, committee, on=seat.start) == {"secretary"}
    assert committee_roles(member, committee, on=seat.start + timedelta(days=1)) == set()
