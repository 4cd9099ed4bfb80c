"""Numbers in forms beyond what an id column holds are a field error, never a 5xx (issue 16).

PostgreSQL's integer stops at 2147483647: a select value or hidden id past it
(or below -2147483648) used to reach the database, which refused it with an
error. Every form is posted with plausible values and, one field at a time,
each number field set past the range; on the PostgreSQL pass this is the
database's own refusal that must never show.
"""

import pytest

from tests.factories import PASSWORD
from tests.form_inputs import FORMS, _encode, for_cast
from tests.permission_matrix import _url

OUT_OF_RANGE = ("2147483648", "-2147483649", "9223372036854775808", "99999999999")


def _numeric_fields(rule: str) -> list[str]:
    """The fields of a form whose plausible values are whole numbers (ids, counts)."""
    return [name for name, strategy in FORMS[rule].items()
            if getattr(strategy, "plausible", None)
            and all(isinstance(v, str) and (v.lstrip("-").isdigit() or v.startswith("@"))
                    for v in strategy.plausible)]


def _plausible(rule: str) -> dict:
    return {name: getattr(strategy, "plausible", ("",))[0]
            for name, strategy in FORMS[rule].items()}


@pytest.mark.parametrize("rule", sorted(r for r in FORMS if _numeric_fields(r)))
def test_a_number_past_an_id_column_is_refused_not_a_5xx(web_app, make, rule):
    cast = make.cast()
    url = _url(rule, cast)
    client = web_app.test_client()
    client.post("/login", data={"email": cast["admin"].email, "password": PASSWORD})
    for name in _numeric_fields(rule):
        for number in OUT_OF_RANGE:
            data = for_cast(rule, {**_plausible(rule), name: number}, cast)
            response = client.post(url, data=_encode(data),
                                   content_type="application/x-www-form-urlencoded")
            assert response.status_code < 500, (name, number,
                                                response.get_data(as_text=True)[:300])


def test_an_audit_filter_by_an_id_past_the_column_is_empty_not_a_5xx(web_app, make):
    admin = make.account(admin=True)
    client = web_app.test_client()
    client.post("/login", data={"email": admin.email, "password": PASSWORD})
    for number in OUT_OF_RANGE:
        response = client.get(f"/admin/audit/?kind=Committee&id={number}")
        assert response.status_code < 500
