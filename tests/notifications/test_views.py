"""The inbox page: only the recipient sees and marks a notice; the header counts unread ones."""

from govtrack.notifications.models import Notification
from tests.notifications.factories import make_notification


def test_the_inbox_lists_my_notices_newest_first_and_the_header_counts_them(
        client, make, db, login):
    account = make.account()
    make_notification(account.person, subject="First notice")
    make_notification(account.person, subject="Second notice",
                      committee=make.committee(name="Jail Diversion Workgroup"))
    make_notification(make.person(), subject="Not mine")
    login(account)
    page = client.get("/inbox").get_data(as_text=True)
    assert page.index("Second notice") < page.index("First notice")
    assert page.index("Second notice") < page.index("Jail Diversion Workgroup") \
        < page.index("First notice")
    assert "Not mine" not in page
    assert '2<span class="usa-sr-only"> unread</span>' in page
    work = client.get("/my-work").get_data(as_text=True)
    assert "New notices" in work and "First notice" in work


def test_only_the_recipient_marks_a_notice_read(client, make, db, login):
    owner, other = make.account(), make.account()
    notice = make_notification(owner.person)
    login(other)
    assert client.post(f"/inbox/{notice.id}/read").status_code == 404
    db.session.expire_all()
    assert db.session.get(Notification, notice.id).read_at is None
    client.post("/logout")
    login(owner)
    response = client.post(f"/inbox/{notice.id}/read", data={"back": "my-work"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/my-work")
    db.session.expire_all()
    assert db.session.get(Notification, notice.id).read_at is not None
    assert "unread</span>" not in client.get("/inbox").get_data(as_text=True)


def test_mark_all_read_marks_only_mine(client, make, db, login):
    owner, other = make.account(), make.account()
    mine = [make_notification(owner.person) for _ in range(3)]
    theirs = make_notification(other.person)
    login(owner)
    assert client.post("/inbox/read-all").status_code == 302
    db.session.expire_all()
    assert all(db.session.get(Notification, n.id).read_at for n in mine)
    assert db.session.get(Notification, theirs.id).read_at is None
