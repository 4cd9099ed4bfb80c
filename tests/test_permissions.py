"""The permission matrix: every route × every kind of user, status written down.

A new route without a row here fails test_every_route_is_in_the_matrix.
"""

import pytest

from tests.permission_matrix import MATRIX, ROLES, _url


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
        cast = make.cast()  # each cell on fresh records: one role's POST changes nothing else
        url = _url(rule, cast)
        client = web_app.test_client()
        if cast[role] is not None:
            response = client.post("/login", data={"email": cast[role].email,
                                                   "password": "correct-staple-battery-42"})
            assert response.status_code == 302, f"{role} could not log in"
        response = client.open(url, method=method, data={})
        actual[role] = str(response.status_code)
    assert actual == expected
