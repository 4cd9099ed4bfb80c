"""Logging in and out as a browser would, and account administration."""

from http.cookies import SimpleCookie

from govtrack.accounts.models import Account
from tests.factories import PASSWORD


def _session_cookie(response) -> str:
    for header in response.headers.getlist("Set-Cookie"):
        cookie = SimpleCookie(header)
        if "session" in cookie:
            return cookie["session"].value
    raise AssertionError("no session cookie set")


def test_login_sets_a_fresh_session(client, make):
    account = make.account()
    client.get("/login")
    response = client.post("/login", data={"email": account.email, "password": PASSWORD})
    first = _session_cookie(response)
    client.post("/logout")
    response = client.post("/login", data={"email": account.email, "password": PASSWORD})
    assert _session_cookie(response) != first


def test_session_cookie_is_httponly_and_samesite(client, make):
    account = make.account()
    response = client.post("/login", data={"email": account.email, "password": PASSWORD})
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Secure" not in header


def test_session_cookie_is_secure_over_https(web_app, make):
    account = make.account()
    client = web_app.test_client()
    response = client.post("/login", data={"email": account.email, "password": PASSWORD},
                           base_url="https://govtrack.example.org")
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "Secure" in header


def test_a_cookie_replayed_after_logout_is_refused(web_app, make):
    account = make.account()
    client = web_app.test_client()
    response = client.post("/login", data={"email": account.email, "password": PASSWORD})
    stolen = _session_cookie(response)
    assert client.get("/my-work").status_code == 200
    client.post("/logout")
    thief = web_app.test_client()
    thief.set_cookie("session", stolen)
    response = thief.get("/my-work")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_cookie_is_refused_once_the_account_is_deactivated(web_app, make, db):
    account = make.account()
    admin = make.account(admin=True)
    client = web_app.test_client()
    client.post("/login", data={"email": account.email, "password": PASSWORD})
    admin_client = web_app.test_client()
    admin_client.post("/login", data={"email": admin.email, "password": PASSWORD})
    response = admin_client.post(f"/admin/accounts/{account.id}/status", data={})
    assert response.status_code == 302
    assert client.get("/my-work").status_code == 302


def test_wrong_password_says_so_without_saying_which_part(client, make):
    account = make.account()
    response = client.post("/login", data={"email": account.email, "password": "nope"})
    assert response.status_code == 200
    assert "e-mail address or password is not right" in response.get_data(as_text=True)
    assert account.email in response.get_data(as_text=True)  # what was typed stays


def test_throttled_login_gets_a_clear_message(client, make):
    account = make.account()
    for _ in range(5):
        client.post("/login", data={"email": account.email, "password": "nope"})
    response = client.post("/login", data={"email": account.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed attempts" in response.get_data(as_text=True)


def test_next_only_follows_local_paths(client, make):
    account = make.account()
    response = client.post("/login?next=https://evil.example/", data={
        "email": account.email, "password": PASSWORD})
    assert response.headers["Location"] == "/my-work"
    client.post("/logout")
    response = client.post("/login?next=/agencies/", data={
        "email": account.email, "password": PASSWORD})
    assert response.headers["Location"] == "/agencies/"


def test_admin_creates_an_account_and_the_person_can_log_in(client, make, login, db):
    admin = make.account(admin=True)
    person = make.person(email="new.member@county.gov")
    login(admin)
    response = client.post("/admin/accounts/new", data={
        "person": person.id, "email": "New.Member@county.gov",
        "password": "river-lantern-copper-57", "confirm": "river-lantern-copper-57"})
    assert response.status_code == 302
    client.post("/logout")
    response = client.post("/login", data={"email": "new.member@county.gov",
                                           "password": "river-lantern-copper-57"})
    assert response.status_code == 302
    assert db.session.query(Account).filter_by(email="new.member@county.gov").one()


def test_weak_password_is_refused_next_to_the_field_and_the_rest_is_kept(client, make, login):
    admin = make.account(admin=True)
    person = make.person()
    login(admin)
    response = client.post("/admin/accounts/new", data={
        "person": person.id, "email": "kept@county.gov", "password": "password1234",
        "confirm": "password1234"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "too common" in html and 'value="kept@county.gov"' in html


def test_admin_reset_password_logs_the_person_out(web_app, make):
    account = make.account()
    admin = make.account(admin=True)
    member = web_app.test_client()
    member.post("/login", data={"email": account.email, "password": PASSWORD})
    admin_client = web_app.test_client()
    admin_client.post("/login", data={"email": admin.email, "password": PASSWORD})
    response = admin_client.post(f"/admin/accounts/{account.id}/password", data={
        "password": "river-lantern-copper-57", "confirm": "river-lantern-copper-57",
        "your_password": PASSWORD})
    assert response.status_code == 302
    assert member.get("/my-work").status_code == 302
    assert member.post("/login", data={"email": account.email,
                                       "password": "river-lantern-copper-57"}).status_code == 302


def test_changing_ones_password_keeps_this_session(client, make, login):
    account = make.account()
    login(account)
    response = client.post("/account/password", data={
        "current": PASSWORD, "password": "river-lantern-copper-57",
        "confirm": "river-lantern-copper-57"})
    assert response.status_code == 302
    assert client.get("/my-work").status_code == 200


def _locked_after_five_wrong(client, post, right):
    for _ in range(5):
        assert post("not the password").status_code in (200, 400)
    return post(right)


def test_wrong_current_passwords_count_toward_the_lock(client, make, login, db):
    account = make.account()
    login(account)

    def post(current):
        return client.post("/account/password", data={
            "current": current, "password": "river-lantern-copper-57",
            "confirm": "river-lantern-copper-57"})

    response = _locked_after_five_wrong(client, post, PASSWORD)
    assert response.status_code == 200 and "Too many wrong passwords" in response.text
    client.post("/logout")
    assert client.post("/login", data={"email": account.email,
                                       "password": PASSWORD}).status_code == 429


def test_wrong_passwords_to_remove_the_totp_code_count_toward_the_lock(client, make, login,
                                                                      db):
    from tests.accounts.enrol import enrol

    account = make.account()
    enrol(account)
    login(account)

    def post(password):
        return client.post("/account/totp/remove", data={"password": password,
                                                          "code": "123456"})

    response = _locked_after_five_wrong(client, post, PASSWORD)
    assert "Too many wrong passwords" in response.text
    db.session.expire_all()
    assert db.session.get(type(account), account.id).totp_secret is not None


def test_an_administrator_resets_a_password_only_with_their_own(web_app, make, db):
    account = make.account()
    admin = make.account(admin=True)
    client = web_app.test_client()
    client.post("/login", data={"email": admin.email, "password": PASSWORD})
    before = account.password_hash
    response = client.post(f"/admin/accounts/{account.id}/password", data={
        "password": "river-lantern-copper-57", "confirm": "river-lantern-copper-57",
        "your_password": "not mine"})
    assert response.status_code == 400 and "The password is not right" in response.text
    db.session.expire_all()
    assert db.session.get(type(account), account.id).password_hash == before
