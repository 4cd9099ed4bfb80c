"""CSRF on every state-changing route, and the headers every page carries."""

import re

import pytest

from govtrack import create_app
from tests.factories import PASSWORD
from tests.permission_matrix import MATRIX, ROLES, _url


@pytest.fixture(scope="module")
def csrf_app(app, app_config):
    """The app as deployed: CSRF protection on."""
    protected = create_app({**app_config, "WTF_CSRF_ENABLED": True})
    protected.instance_path = app.instance_path
    return protected


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def test_login_without_a_token_is_a_clear_400(csrf_app, make):
    account = make.account()
    client = csrf_app.test_client()
    response = client.post("/login", data={"email": account.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "could not be used" in response.get_data(as_text=True)


def test_every_post_route_refuses_a_missing_or_stale_token(csrf_app, make):
    cast = make.cast()
    client = csrf_app.test_client()
    token = _token(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": cast["admin"].email, "password": PASSWORD,
                                            "csrf_token": token})
    assert response.status_code == 302
    posts = [rule for method, rule in MATRIX if method == "POST"]
    assert len(posts) >= 15
    for rule in posts:
        url = _url(rule, cast)
        assert client.post(url, data={}).status_code == 400, url
        assert client.post(url, data={"csrf_token": "stale.token"}).status_code == 400, url


def test_a_form_with_its_token_goes_through(csrf_app, make):
    cast = make.cast()
    client = csrf_app.test_client()
    token = _token(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"email": cast["chair"].email, "password": PASSWORD,
                                "csrf_token": token})
    page = client.get(f"/committees/{cast['committee'].key}/stage").get_data(as_text=True)
    response = client.post(f"/committees/{cast['committee'].key}/stage", data={
        "csrf_token": _token(page), "stage": "assessment", "since": "2025-03-01"})
    assert response.status_code == 302


@pytest.mark.parametrize("path", ["/login", "/no-such-page"])
def test_html_responses_carry_the_security_headers(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "object-src 'none'" in csp and "base-uri 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_script_or_style(client, make, login):
    cast = make.cast()
    login(cast["admin"])
    for path in ("/my-work", f"/committees/{cast['committee'].key}", "/agencies/",
                 f"/committees/{cast['committee'].key}/edit"):
        html = client.get(path).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), path
        assert " style=" not in html and "<style" not in html, path


def test_ids_beyond_what_a_column_holds_are_a_404(app, make, client, login):
    login(make.account(admin=True))
    huge = str(2**64 + 1)
    rules = [r for r in app.url_map.iter_rules() if "<int:" in r.rule]
    assert rules
    for rule in rules:
        url = rule.rule
        for name in rule.arguments:
            url = url.replace(f"<int:{name}>", huge).replace(f"<{name}>", "x")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = client.open(url, method=method, data={})
            assert response.status_code == 404, (method, url, response.status_code)


def test_every_authenticated_response_carries_no_store(client, make, login):
    from tests.mous.factories import make_mou

    cast = make.cast()
    mou = make_mou(cast)
    login(cast["chair"])
    for path in ("/my-work", f"/mous/{mou.key}/document.docx",
                 f"/committees/{cast['committee'].key}/actions.csv",
                 f"/meetings/{cast['meeting'].key}/agenda.docx"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers.get("Cache-Control") == "no-store", path


def test_every_page_and_download_of_the_matrix_carries_no_store(web_app, make):
    """Issue 16, defect 13: every authenticated GET, the minutes and PDSA files included."""
    cast = make.cast()
    client = web_app.test_client()
    client.post("/login", data={"email": cast["admin"].email, "password": PASSWORD})
    admin = ROLES.index("admin")
    checked = []
    for (method, rule), statuses in sorted(MATRIX.items()):
        if method != "GET" or statuses.split()[admin] != "200" or rule == "/login":
            continue
        response = client.get(_url(rule, cast))
        assert response.headers.get("Cache-Control") == "no-store", rule
        checked.append(rule)
    assert "/pdsa/<key>/worksheet.docx" in checked and len(checked) > 50
