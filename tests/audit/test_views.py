"""The administrators' audit viewer shows agencies', people's and accounts' history."""

from govtrack.audit.models import AuditEntry
from govtrack.extensions import db
from tests.helpers import count_queries


def test_an_admin_reads_an_agencys_history_linked_from_the_header(client, make, login):
    cast = make.cast()
    login(cast["admin"])
    response = client.post("/agencies/new", data={"name": "Riverton Crisis Line",
                                                   "sector": "health"})
    assert response.status_code == 302
    page = client.get("/my-work").get_data(as_text=True)
    assert 'href="/admin/audit/"' in page
    page = client.get("/admin/audit/?kind=Agency").get_data(as_text=True)
    assert "Riverton Crisis Line" in page and "Added Agency" in page
    entry = db.session.query(AuditEntry).filter_by(object_type="Agency").one()
    assert f'href="/admin/audit/?kind=Agency&amp;id={entry.object_id}"' in page
    one = client.get(f"/admin/audit/?kind=Agency&id={entry.object_id}").get_data(as_text=True)
    assert "Riverton Crisis Line" in one and "1 entry" in one


def test_only_administrators_read_the_trail(client, make, login):
    cast = make.cast()
    login(cast["chair"])
    assert client.get("/admin/audit/").status_code == 403
    assert 'href="/admin/audit/"' not in client.get("/my-work").get_data(as_text=True)


def test_the_trail_is_paged_in_a_fixed_number_of_queries(web_app, client, make, login):
    cast = make.cast()
    login(cast["admin"])
    few = count_queries(web_app, lambda: client.get("/admin/audit/"))
    for n in range(60):
        db.session.add(AuditEntry(actor_label="system", action="update", object_type="Person",
                                  object_id=n, object_label=f"Person {n}", changes={}))
    db.session.commit()
    assert count_queries(web_app, lambda: client.get("/admin/audit/")) == few
    assert "Page 2 of" in client.get("/admin/audit/?kind=Person").get_data(as_text=True)
