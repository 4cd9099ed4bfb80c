"""Hostile and random input to every form: never a 5xx, never unescaped output.

Each form gets HYPOTHESIS_EXAMPLES examples (200 when unset): `make test` sets 100 for its
SQLite run and 40 for the PostgreSQL one, which is there for the database's behaviour, not
more input.
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import PASSWORD
from tests.form_inputs import EXAMPLES, FORMS, MARKER, NO_FIELDS, _encode, for_cast
from tests.permission_matrix import _url


def test_every_form_is_fuzzed(app):
    from tests.permission_matrix import MATRIX

    posts = {rule for method, rule in MATRIX if method == "POST"} - {"/logout"} - NO_FIELDS
    assert posts == set(FORMS)


@pytest.mark.parametrize("rule", sorted(FORMS))
def test_hostile_input_never_breaks_a_form(web_app, make, rule):
    cast = make.cast()
    url = _url(rule, cast)
    committee_url = f"/committees/{cast['committee'].key}"
    client = web_app.test_client()
    if rule != "/login":
        client.post("/login", data={"email": cast["admin"].email, "password": PASSWORD})

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture,
                                     HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(st.fixed_dictionaries(FORMS[rule]))
    def post(data):
        response = client.post(url, data=_encode(for_cast(rule, data, cast)),
                               content_type="application/x-www-form-urlencoded")
        assert response.status_code < 500, response.get_data(as_text=True)[:500]
        assert MARKER not in response.get_data(as_text=True)

    post()
    if rule != "/login":
        page = client.get(committee_url)
        assert page.status_code == 200
        assert MARKER not in page.get_data(as_text=True)
