"""The main pages render for the people who use them."""


def test_chair_sees_committee_roster_and_stage(client, make, login):
    cast = make.cast()
    committee = cast["committee"]
    login(cast["chair"])
    page = client.get(f"/committees/{committee.key}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert committee.name in html
    assert "Engagement" in html
    assert cast["member"].person.name in html
    assert "Edit committee" in html
