"""Chair pages as the chair, the members and the convening agency head meet them."""

from datetime import UTC, date, datetime

import time_machine

from govtrack.chairs.models import ChairTerm

TODAY = datetime(2026, 11, 22, 12, tzinfo=UTC)


def _chaired(make, db, planned_end=date(2027, 1, 12)):
    cast = make.cast()
    committee = cast["committee"]
    chair = cast["chair"].person
    db.session.add(ChairTerm(committee=committee, person=chair, agency=chair.agency,
                             start=date(2025, 1, 13), planned_end=planned_end))
    db.session.commit()
    return cast


@time_machine.travel(TODAY, tick=False)
def test_committee_page_warns_that_the_term_ends_with_no_successor(client, make, db, login):
    cast = _chaired(make, db)
    login(cast["member"])
    html = client.get(f"/committees/{cast['committee'].key}").get_data(as_text=True)
    assert "term ends on 12 January 2027 and no successor is named" in html
    assert "Rotation outlook" in html
    assert "Name the next chair" not in html  # members read; the chair acts


@time_machine.travel(TODAY, tick=False)
def test_chair_confirms_the_proposed_successor(client, make, db, login):
    cast = _chaired(make, db)
    committee = cast["committee"]
    login(cast["chair"])
    page = client.get(f"/committees/{committee.key}/chair/handover").get_data(as_text=True)
    assert "13 January 2027" in page
    response = client.post(f"/committees/{committee.key}/chair/handover", data={
        "person": cast["member"].person_id, "start": "2027-01-13", "co_chair": "0"})
    assert response.status_code == 302
    html = client.get(f"/committees/{committee.key}").get_data(as_text=True)
    assert f"Next chair: <strong>{cast['member'].person.name}</strong>" in html
    assert "no successor is named" not in html


@time_machine.travel(TODAY, tick=False)
def test_handover_refuses_a_non_member_next_to_the_field(client, make, db, login):
    cast = _chaired(make, db)
    login(cast["chair"])
    response = client.post(f"/committees/{cast['committee'].key}/chair/handover", data={
        "person": cast["outsider"].person_id, "start": "2027-01-13", "co_chair": "0"})
    assert response.status_code == 200
    assert 'id="person-error"' in response.get_data(as_text=True)


@time_machine.travel(TODAY, tick=False)
def test_the_convening_head_sees_the_duty_and_the_committee(client, make, db, login):
    cast = _chaired(make, db, planned_end=date(2026, 6, 30))
    chair_agency = cast["chair"].person.agency
    head = make.account(person=make.person(agency=chair_agency, name="Sheriff Ortiz"))
    chair_agency.head = head.person
    db.session.commit()
    login(head)
    work = client.get("/my-work").get_data(as_text=True)
    assert f"Convene {cast['committee'].name}" in work
    assert "vacant since 1 July 2026" in work
    page = client.get(f"/committees/{cast['committee'].key}")
    assert page.status_code == 200
    assert "Sheriff Ortiz, head of" in page.get_data(as_text=True)
    assert client.get(f"/committees/{cast['committee'].key}/chair/handover").status_code == 200


@time_machine.travel(TODAY, tick=False)
def test_a_head_of_another_agency_has_no_duty(client, make, db, login):
    cast = _chaired(make, db, planned_end=date(2026, 6, 30))
    login(cast["head"])
    assert "Convene" not in client.get("/my-work").get_data(as_text=True)
    assert client.get(f"/committees/{cast['committee'].key}").status_code == 404


@time_machine.travel(TODAY, tick=False)
def test_chair_leaving_early_names_the_interim(client, make, db, login):
    cast = _chaired(make, db)
    committee = cast["committee"]
    login(cast["secretary"])
    assert client.get(f"/committees/{committee.key}/chair/leave").status_code == 403
    client.post("/logout")
    login(cast["chair"])
    response = client.post(f"/committees/{committee.key}/chair/leave", data={
        "leaves_on": "2026-11-22", "person": cast["secretary"].person_id,
        "note": "Moved to the state police academy"})
    assert response.status_code == 302
    html = client.get(f"/committees/{committee.key}").get_data(as_text=True)
    assert f"<strong>{cast['secretary'].person.name}</strong>" in html
    history = client.get(f"/committees/{committee.key}/history").get_data(as_text=True)
    assert "state police academy" in history


@time_machine.travel(TODAY, tick=False)
def test_the_leave_early_page_lists_every_step_it_performs(client, make, db, login):
    """The checklist shows each hand-over step, including moving open work to the interim."""
    from govtrack.chairs.services import HANDOVER_STEPS

    cast = _chaired(make, db)
    login(cast["chair"])
    html = client.get(f"/committees/{cast['committee'].key}/chair/leave").get_data(as_text=True)
    assert len(HANDOVER_STEPS) == 2
    for step in HANDOVER_STEPS:
        assert f"<li>{step.words}</li>".replace("'", "&#39;") in html
    assert "open action items move to the interim chair" in html


def test_policy_form_saves_a_fixed_order(client, make, db, login):
    cast = make.cast()
    committee = cast["committee"]
    a, b = make.agency(key="jail-x"), make.agency(key="pd-x")
    login(cast["chair"])
    response = client.post(f"/committees/{committee.key}/chair/policy", data={
        "mode": "agency_order", "term_months": "12", "agency_order-0": a.key,
        "agency_order-1": b.key, "agency_order-2": "", "agency_order-3": "",
        "agency_order-4": "", "agency_order-5": ""})
    assert response.status_code == 302
    db.session.expire_all()
    assert committee.rotation_policy.agency_order == ["jail-x", "pd-x"]


def test_policy_with_one_agency_in_order_is_refused_on_the_field(client, make, login):
    cast = make.cast()
    committee = cast["committee"]
    a = make.agency(key="jail-y")
    login(cast["chair"])
    response = client.post(f"/committees/{committee.key}/chair/policy", data={
        "mode": "agency_order", "term_months": "12", "agency_order-0": a.key})
    assert "at least two agencies" in response.get_data(as_text=True)


@time_machine.travel(TODAY, tick=False)
def test_my_work_warns_the_chair_not_the_members_that_the_term_ends(client, make, db, login):
    cast = _chaired(make, db)
    login(cast["chair"])
    work = client.get("/my-work").get_data(as_text=True)
    assert f"{cast['committee'].name}: the chair's term ends on 12 January 2027" in work
    client.post("/logout")
    login(cast["member"])
    assert "the chair's term ends" not in client.get("/my-work").get_data(as_text=True)


@time_machine.travel(TODAY, tick=False)
def test_my_work_tells_the_committee_s_editors_the_chair_is_vacant(client, make, db, login):
    cast = _chaired(make, db, planned_end=date(2026, 6, 30))
    login(cast["chair"])
    work = client.get("/my-work").get_data(as_text=True)
    assert f"{cast['committee'].name}: the chair is vacant" in work
    assert "Vacant since 1 July 2026." in work
