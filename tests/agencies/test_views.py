"""The agency list: grouped by side, a page at a time."""

from tests.helpers import count_queries


def _agency_with_head(make, name, sector):
    agency = make.agency(name=name, sector=sector)
    agency.head = make.person(agency=agency, name=f"Head of {name}")
    make.db.session.commit()
    return agency


def test_agency_list_pages_by_side_in_a_fixed_number_of_queries(web_app, client, make, login):
    login(make.account())
    few = count_queries(web_app, lambda: client.get("/agencies/"))
    for n in range(30):
        _agency_with_head(make, f"Behavioural {n:02d}", "mental_health_provider")
        _agency_with_head(make, f"Court {n:02d}", "courts")
    many = count_queries(web_app, lambda: client.get("/agencies/"))
    assert few == many
    first = client.get("/agencies/").get_data(as_text=True)
    # criminal justice before behavioural health, by name within a sector
    assert first.index("Court 29") < first.index("Behavioural 00")
    # 50 a page: the login's own agency (law enforcement), 30 courts, 19 providers
    assert "Head of Court 00" in first and "Behavioural 18" in first
    assert "Behavioural 19" not in first
    assert '<nav aria-label="Pages of agencies" class="usa-pagination">' in first
    assert 'aria-label="Page 1 of 2" aria-current="page"' in first
    assert 'href="/agencies/?page=2"' in first
    second = client.get("/agencies/?page=2").get_data(as_text=True)
    assert "Behavioural 19" in second and "Behavioural 29" in second
    assert "Court 00" not in second
    assert 'aria-label="Page 2 of 2" aria-current="page"' in second
    assert 'href="/agencies/?page=1"' in second and 'rel="prev"' in second


def test_marking_a_head_as_gone_asks_who_heads_the_agency_now(client, make, login, db):
    from govtrack.agencies.models import Agency, Person

    agency = make.agency()
    head = make.person(agency=agency)
    successor = make.person(agency=agency, name="Next Head")
    agency.head = head
    db.session.commit()
    login(make.account(admin=True))
    url = f"/people/{head.key}/edit"
    assert "Who heads" in client.get(url).get_data(as_text=True)
    data = {"version": head.version, "name": head.name, "agency": agency.id, "email": "",
            "title": ""}
    response = client.post(url, data=data)
    assert response.status_code == 200 and "say who heads it now" in response.text
    response = client.post(url, data=data | {"head_now": str(successor.id)})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Agency, agency.id).head_id == successor.id
    assert not db.session.get(Person, head.id).active
