"""The permission matrix: every route × every kind of user, status written down.

A new route without a row here fails test_every_route_is_in_the_matrix.
"""

import pytest

ROLES = ("anonymous", "outsider", "member", "secretary", "chair", "head", "admin")

#: (method, rule) -> statuses for anonymous outsider member secretary chair head admin.
#: POSTs send an empty form: 200 means the form came back with its errors; an
#: edit form sent empty keeps the record's values (Flask-WTF falls back to the
#: object), so it saves unchanged and redirects.
MATRIX = {
    ("GET", "/"): "302 302 302 302 302 302 302",
    ("GET", "/login"): "200 302 302 302 302 302 302",
    ("POST", "/login"): "200 302 302 302 302 302 302",
    ("POST", "/logout"): "302 302 302 302 302 302 302",
    ("GET", "/my-work"): "302 200 200 200 200 200 200",
    ("GET", "/mous/"): "302 200 200 200 200 200 200",
    ("GET", "/account/password"): "302 200 200 200 200 200 200",
    ("POST", "/account/password"): "302 200 200 200 200 200 200",
    ("GET", "/admin/accounts/"): "302 403 403 403 403 403 200",
    ("GET", "/admin/accounts/new"): "302 403 403 403 403 403 200",
    ("POST", "/admin/accounts/new"): "302 403 403 403 403 403 200",
    ("GET", "/admin/accounts/<int:account_id>"): "302 403 403 403 403 403 200",
    ("POST", "/admin/accounts/<int:account_id>/status"): "302 403 403 403 403 403 302",
    ("POST", "/admin/accounts/<int:account_id>/password"): "302 403 403 403 403 403 400",
    ("GET", "/agencies/"): "302 200 200 200 200 200 200",
    ("GET", "/agencies/<key>"): "302 200 200 200 200 200 200",
    ("GET", "/agencies/new"): "302 403 403 403 403 403 200",
    ("POST", "/agencies/new"): "302 403 403 403 403 403 200",
    ("GET", "/agencies/<key>/edit"): "302 403 403 403 403 403 200",
    ("POST", "/agencies/<key>/edit"): "302 403 403 403 403 403 302",
    ("GET", "/agencies/<key>/people/new"): "302 403 403 403 403 403 200",
    ("POST", "/agencies/<key>/people/new"): "302 403 403 403 403 403 200",
    ("GET", "/people/<key>/edit"): "302 403 403 403 403 403 200",
    ("POST", "/people/<key>/edit"): "302 403 403 403 403 403 200",
    ("GET", "/committees/"): "302 200 200 200 200 200 200",
    ("GET", "/committees/new"): "302 403 403 403 403 403 200",
    ("POST", "/committees/new"): "302 403 403 403 403 403 200",
    ("GET", "/committees/<key>"): "302 404 200 200 200 404 200",
    ("GET", "/committees/<key>/edit"): "302 404 403 200 200 404 200",
    ("POST", "/committees/<key>/edit"): "302 404 403 302 302 404 302",
    ("GET", "/committees/<key>/stage"): "302 404 403 200 200 404 200",
    ("POST", "/committees/<key>/stage"): "302 404 403 200 200 404 200",
    ("GET", "/committees/<key>/members/new"): "302 404 403 200 200 404 200",
    ("POST", "/committees/<key>/members/new"): "302 404 403 200 200 404 200",
    ("GET", "/committees/<key>/members/<int:membership_id>/edit"):
        "302 404 403 200 200 404 200",
    ("POST", "/committees/<key>/members/<int:membership_id>/edit"):
        "302 404 403 200 200 404 200",
    ("GET", "/committees/<key>/history"): "302 404 200 200 200 404 200",
    ("GET", "/committees/<key>/chair/policy"): "302 404 403 200 200 404 200",
    ("POST", "/committees/<key>/chair/policy"): "302 404 403 302 302 404 302",
    ("GET", "/committees/<key>/chair/handover"): "302 404 403 403 200 404 200",
    ("POST", "/committees/<key>/chair/handover"): "302 404 403 403 200 404 200",
    ("GET", "/committees/<key>/chair/leave"): "302 404 403 403 200 404 200",
    ("POST", "/committees/<key>/chair/leave"): "302 404 403 403 200 404 200",
}

#: routes whose <key> is an agency or a person rather than the committee
AGENCY_RULES = {"/agencies/<key>", "/agencies/<key>/edit", "/agencies/<key>/people/new"}
PERSON_RULES = {"/people/<key>/edit"}


def _url(rule: str, cast) -> str:
    member = cast["member"]
    if rule in AGENCY_RULES:
        key = member.person.agency.key
    elif rule in PERSON_RULES:
        key = member.person.key
    else:
        key = cast["committee"].key
    membership = next(m for m in cast["committee"].memberships if m.person_id == member.person_id)
    return (rule.replace("<key>", key)
            .replace("<int:account_id>", str(member.id))
            .replace("<int:membership_id>", str(membership.id)))


def test_every_route_is_in_the_matrix(app):
    routes = {(method, rule.rule) for rule in app.url_map.iter_rules()
              if rule.endpoint != "static"
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes - set(MATRIX) == set(), "routes missing from the permission matrix"
    assert set(MATRIX) - routes == set(), "matrix rows for routes that no longer exist"


@pytest.mark.parametrize(("method", "rule"), sorted(MATRIX))
def test_permission_matrix(web_app, make, method, rule):
    cast = make.cast()
    url = _url(rule, cast)
    expected = dict(zip(ROLES, MATRIX[(method, rule)].split(), strict=True))
    actual = {}
    for role in ROLES:  # admin last: its POSTs may change what others would see
        client = web_app.test_client()
        if cast[role] is not None:
            response = client.post("/login", data={"email": cast[role].email,
                                                   "password": "correct-staple-battery-42"})
            assert response.status_code == 302, f"{role} could not log in"
        response = client.open(url, method=method, data={})
        actual[role] = str(response.status_code)
    assert actual == expected
