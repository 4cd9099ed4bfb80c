"""Every form posted twice at once, again after, and without its hidden fields (issue 16).

A double click, a re-sent form or a browser retry must never make a second record
nor end in a 5xx. For each form the second of two identical submissions runs
inside the first one's transaction, committing between its checks and its first
write (the race a double click gives under several workers); a third, posted after
both, must change nothing either. Posting the form without its hidden fields
(version, one-time submission token) must be refused or handled, never a 5xx.

Each form gets HYPOTHESIS_EXAMPLES / 100 examples, at least one (one in both passes
of `make test`): each example posts four times and counts every table, and the
race it looks for does not hide in unusual input (tests/test_fuzz_forms.py covers
that). The first example Hypothesis draws is every field's first plausible value
(tests/form_inputs.py), the one most likely to be saved: the forms whose posts
write anything at all write in it, and a second, random example made none more
write (measured at two a form), so it doubled the time and not the power. Each form is
posted by an administrator, or by the first role the permission matrix lets post it, with
the ids and field prefixes of this test's records (form_inputs.for_cast): 53 of the 77
forms write (41 before those and better plausible values); most of the others need a file,
a two-step code, a second party or a record's current version.
"""

import threading
import uuid

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, func, literal, select, union_all
from sqlalchemy.orm import Session

from govtrack.extensions import db as _db
from tests.form_inputs import EXAMPLES, FORMS, _encode, for_cast
from tests.permission_matrix import MATRIX, ROLES, _url

DOUBLE_EXAMPLES = max(1, EXAMPLES // 100)

#: Tables a repeated post may legitimately add to: every login attempt is counted (the
#: throttle), a login opens a session, and the tokens are the mechanism itself.
COUNTED_PER_POST = {"login_attempt", "login_session", "form_submission"}

#: Hidden fields a tampered or stale page may lack
HIDDEN = ("version", "submission")


def _counts(app) -> dict[str, int]:
    """Rows in every table but those a repeat may add to, in one query."""
    with app.app_context():
        tables = [t for t in _db.metadata.sorted_tables if t.name not in COUNTED_PER_POST]
        query = union_all(*(select(literal(t.name).label("name"), func.count().label("rows"))
                            .select_from(t) for t in tables))
        counts = dict(_db.session.execute(query).all())
        _db.session.remove()
    return counts


def _grown(before: dict, after: dict) -> dict:
    """The tables that gained or lost rows, with the difference."""
    return {name: after[name] - before[name] for name in after if after[name] != before[name]}


def _post(client, url, data):
    return client.post(url, data=_encode(data), content_type="application/x-www-form-urlencoded")


def _poster(rule: str) -> str:
    """Who posts the form: an administrator, or where one may not (an RSVP is a member's, a
    signature a head's), the first role the permission matrix lets post it."""
    allowed = dict(zip(ROLES, MATRIX[("POST", rule)].split(), strict=True))
    return next((role for role in ("admin", "chair", "secretary", "member", "head")
                 if allowed[role] not in ("403", "404")), "admin")


def _post_twice_at_once(app, client, url, data):
    """Post data; the same post runs to its commit just before the first one's first write.

    Returns both responses and what each changed (the second's changes first, as
    it commits first). If the first post never writes, the second one is posted
    after it.
    """
    state = {}

    def second(session, flush_context, instances):
        if state:
            return
        state["before"] = _counts(app)
        # A thread of its own, as another worker: a request in this thread would
        # reuse the first one's app context, and with it its session.
        thread = threading.Thread(target=lambda: state.update(response=_post(client, url, data)))
        thread.start()
        thread.join()
        state["after"] = _counts(app)

    start = _counts(app)
    event.listen(Session, "before_flush", second)
    try:
        first = _post(client, url, data)
    finally:
        event.remove(Session, "before_flush", second)
    end = _counts(app)
    if not state:
        return first, _post(client, url, data), _grown(start, end), _grown(end, _counts(app))
    return (first, state["response"], _grown(state["after"], end),
            _grown(state["before"], state["after"]))


@pytest.mark.parametrize("rule", sorted(set(FORMS) - {"/login"}))
def test_a_form_posted_twice_at_once_makes_one_record_and_no_5xx(app, client, login, make, rule):
    cast = make.cast()
    url = _url(rule, cast)
    login(cast[_poster(rule)])

    # No shrinking: each example changes the records the next one meets, so a failure
    # does not replay; the failing example is reported as it was.
    @settings(max_examples=DOUBLE_EXAMPLES, deadline=None, derandomize=True,
              phases=(Phase.explicit, Phase.generate),
              suppress_health_check=[HealthCheck.function_scoped_fixture,
                                     HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(st.fixed_dictionaries(FORMS[rule]))
    def post(data):
        data = for_cast(rule, {**data, "submission": uuid.uuid4().hex}, cast)
        first, second, first_changed, second_changed = _post_twice_at_once(
            app, client, url, data)
        assert first.status_code < 500, first.get_data(as_text=True)[:500]
        assert second.status_code < 500, second.get_data(as_text=True)[:500]
        if first_changed and second_changed:
            pytest.fail(f"both submissions changed records: {second_changed} then "
                        f"{first_changed}")
        before = _counts(app)
        again = _post(client, url, data)
        assert again.status_code < 500, again.get_data(as_text=True)[:500]
        if first_changed or second_changed:
            assert _grown(before, _counts(app)) == {}, "a re-sent submission changed records"
        bare = _post(client, url, {k: v for k, v in data.items()
                                   if k.rpartition("-")[2] not in HIDDEN})
        assert bare.status_code < 500, bare.get_data(as_text=True)[:500]

    post()


def test_a_repeated_update_is_saved_once_and_says_so(app, client, login, make):
    from govtrack.workgroups.models import WorkgroupUpdate

    cast = make.cast()
    workgroup = cast["workgroup"]
    login(cast["chair"])
    page = client.get(f"/workgroups/{workgroup.key}").get_data(as_text=True)
    token = _hidden(page, "submission", f"/workgroups/{workgroup.key}/updates")
    data = {"text": "Bed data shared", "submission": token}
    again = _clicked_twice(client, f"/workgroups/{workgroup.key}/updates", data)
    with app.app_context():
        assert _db.session.query(WorkgroupUpdate).count() == 1
    fresh = _hidden(again, "submission", f"/workgroups/{workgroup.key}/updates")
    assert fresh != token  # the page shown after it makes a new submission
    client.post(f"/workgroups/{workgroup.key}/updates", data={**data, "submission": fresh})
    with app.app_context():
        assert _db.session.query(WorkgroupUpdate).count() == 2


def test_a_token_govtrack_did_not_make_is_refused(app, client, login, make):
    from govtrack.workgroups.models import WorkgroupUpdate

    cast = make.cast()
    login(cast["chair"])
    response = client.post(f"/workgroups/{cast['workgroup'].key}/updates",
                           data={"text": "Bed data", "submission": "<script>"})
    assert response.status_code == 400
    assert "damaged" in response.get_data(as_text=True)
    with app.app_context():
        assert _db.session.query(WorkgroupUpdate).count() == 0


def test_a_double_clicked_milestone_button_changes_it_once_and_says_so(app, client, login, make):
    """The workgroup page's milestone buttons carry a one-time token each: the repeat of
    "Mark achieved" (same version, same token) is saved once, audited once, and says so
    rather than calling the first click someone else's newer change."""
    from govtrack.audit.models import AuditEntry
    from govtrack.workgroups.models import Milestone

    cast = make.cast()
    workgroup = cast["workgroup"]
    milestone = workgroup.goals[0].milestones[0]
    key, version = milestone.key, milestone.version
    second = Milestone(key="ms-second", title="Beds counted", due=milestone.due)
    workgroup.goals[0].milestones.append(second)
    _db.session.commit()
    login(cast["chair"])
    page = client.get(f"/workgroups/{workgroup.key}").get_data(as_text=True)
    token = _hidden(page, "submission", f"/milestones/{key}/status")
    # one token per row: marking one milestone never answers for another
    assert token != _hidden(page, "submission", "/milestones/ms-second/status")
    _clicked_twice(client, f"/milestones/{key}/status",
                   {"status": "done", "version": str(version), "submission": token})
    with app.app_context():
        saved = _db.session.scalar(select(Milestone).where(Milestone.key == key))
        assert (saved.status, saved.version) == ("done", version + 1)
        assert _db.session.scalar(select(func.count(AuditEntry.id)).where(
            AuditEntry.object_type == "Milestone", AuditEntry.object_id == saved.id,
            AuditEntry.action == "update")) == 1


def test_a_double_clicked_goal_button_changes_it_once_and_says_so(app, client, login, make):
    """The goal page's status buttons carry a one-time token: cancelling twice cancels
    once (its open milestones with it) and the repeat says it was already saved."""
    from govtrack.workgroups.models import Goal

    cast = make.cast()
    goal = cast["workgroup"].goals[0]
    key, version = goal.key, goal.version
    login(cast["chair"])
    page = client.get(f"/goals/{key}/edit").get_data(as_text=True)
    token = _hidden(page, "submission", f"/goals/{key}/status")
    _clicked_twice(client, f"/goals/{key}/status",
                   {"status": "cancelled", "version": str(version), "submission": token})
    with app.app_context():
        saved = _db.session.scalar(select(Goal).where(Goal.key == key))
        assert (saved.status, saved.version) == ("cancelled", version + 1)
        assert {m.status for m in saved.milestones} == {"cancelled"}


def _clicked_twice(client, url: str, data: dict) -> str:
    """Post data to url twice, as a double click does; the first post is saved (a redirect),
    the page the repeat leads to says so without calling it someone else's change. Returns
    that page."""
    assert client.post(url, data=data).status_code == 302
    page = client.post(url, data=data, follow_redirects=True).get_data(as_text=True)
    assert "already saved" in page and "Someone else saved" not in page
    return page


def _hidden(page: str, name: str, action: str) -> str:
    """The value of a hidden field in the form posting to action."""
    import re

    form = re.search(rf'<form[^>]*action="{re.escape(action)}".*?</form>', page, re.S)
    assert form, f"no form posting to {action}"
    found = re.search(rf'name="{name}"[^>]*value="([^"]*)"', form.group(0)) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', form.group(0))
    assert found, f"the form posting to {action} carries no {name}"
    return found.group(1)


#: pages whose form creates records: each shows its form with a fresh token (the motion
#: form shows only once the attendance is taken)
CREATING_PAGES = (
    "/agencies/new", "/admin/accounts/new", "/committees/new", "/mous/new", "/calendar/",
    "/committees/<key>/members/new", "/committees/<key>/workgroups/new",
    "/committees/<key>/standing-items", "/committees/<key>/measures/new",
    "/meetings/<key>/agenda/items/new", "/meetings/<key>/requests/new",
    "/meetings/<key>/attendance", "/measures/<key>",
    "/workgroups/<key>", "/goals/<key>/pdsa/new")


def test_every_creating_page_gives_its_form_a_token(client, login, make):
    import re

    cast = make.cast()
    login(cast["admin"])
    for rule in CREATING_PAGES:
        page = client.get(_url(rule, cast)).get_data(as_text=True)
        tokens = re.findall(r'name="(?:[\w-]+-)?submission"[^>]*value="([^"]+)"', page) or \
            re.findall(r'value="([^"]+)"[^>]*name="(?:[\w-]+-)?submission"', page)
        assert tokens, f"{rule} shows no submission token"
        assert all(len(t) >= 16 for t in tokens), rule


def test_a_parallel_point_posted_without_a_token_is_refused_with_a_message(app, client, login,
                                                                          make):
    """A script or an old page sends no token: the unique key still answers, never a 500."""
    from datetime import date

    from govtrack.pdsa.models import DataPoint, Measure
    from tests.helpers import in_parallel

    cast = make.cast()
    url = _url("/measures/<key>/points", cast)
    key = url.split("/")[2]
    login(cast["admin"])

    def other_submit():
        measure = _db.session.scalar(select(Measure).where(Measure.key == key))
        _db.session.add(DataPoint(measure=measure, day=date(2025, 1, 14), value=1))

    in_parallel(app, other_submit)
    response = client.post(url, data={"day": "2025-01-14", "value": "4"})
    assert response.status_code == 400
    assert "same moment" in response.get_data(as_text=True)


def test_tokens_older_than_a_month_are_forgotten_and_newer_ones_kept(app):
    from datetime import UTC, datetime, timedelta

    from govtrack import submissions

    now = datetime(2026, 11, 27, 3, 17, tzinfo=UTC)
    with app.app_context():
        for days, token in ((31, "o" * 22), (29, "n" * 22)):
            _db.session.add(submissions.FormSubmission(token=token,
                                                       at=now - timedelta(days=days)))
        _db.session.commit()
        assert submissions.prune(now) == 1
        _db.session.commit()
        assert submissions.first_submission("o" * 22) is None
        assert submissions.first_submission("n" * 22) is True
