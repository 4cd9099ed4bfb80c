"""Each kind's due(now) runs a fixed number of SQL statements, however many records it reads."""

from datetime import UTC, date, datetime, timedelta

from govtrack.actions.models import ActionItem
from govtrack.agencies.models import Agency, Person
from govtrack.chairs.models import ChairTerm
from govtrack.committees.models import Committee, Membership
from govtrack.features import REMINDER_KINDS
from govtrack.meetings.models import AgendaItem, Meeting
from govtrack.mous.models import Mou, MouVersion, SigningEvent
from govtrack.pdsa.models import PdsaCycle, PhaseChange
from govtrack.workgroups.models import Goal, Milestone, Workgroup
from tests.helpers import count_queries

NOW = datetime(2026, 3, 16, 15, 0, tzinfo=UTC)
TODAY = NOW.date()


def _committee(db, i: int) -> None:
    """One committee with something due for every kind of reminder."""
    agency = Agency(key=f"q-agency-{i}", name=f"Agency {i}", sector="law_enforcement")
    other = Agency(key=f"q-other-{i}", name=f"Other {i}", sector="mental_health_provider")
    people = {role: Person(key=f"q-{role}-{i}", name=f"{role} {i}", agency=agency)
              for role in ("chair", "secretary", "member")}
    agency.head, other.head = people["chair"], Person(key=f"q-head-{i}", name="H", agency=other)
    committee = Committee(key=f"q-committee-{i}", name=f"Committee {i}")
    for role, person in people.items():
        committee.memberships.append(Membership(person=person, agency=agency, role=role,
                                                start=date(2025, 1, 1)))
    if i % 2:  # odd committees: the chair's term ends in 45 days; even ones: vacant
        committee.chair_terms.append(ChairTerm(person=people["chair"], agency=agency,
                                               start=date(2025, 5, 1),
                                               planned_end=TODAY + timedelta(days=45)))
    db.session.add_all([agency, other, committee])

    def meeting(n, starts_at, **values):
        found = Meeting(key=f"q-m-{i}-{n}", committee=committee, starts_at=starts_at, **values)
        found.items.append(AgendaItem(title="Report-back", kind="report_back", position=1))
        db.session.add(found)
        return found

    meeting(1, NOW + timedelta(days=3))
    meeting(2, NOW + timedelta(hours=12), agenda_status="published",
            agenda_published_at=NOW - timedelta(hours=1),
            agenda_changed_at=NOW - timedelta(minutes=30), moved_at=NOW - timedelta(minutes=20))
    meeting(3, NOW + timedelta(days=10), status="cancelled",
            cancelled_at=NOW - timedelta(hours=2))
    meeting(4, NOW - timedelta(days=5), status="held")
    meeting(5, NOW - timedelta(days=8), status="held")
    meeting(6, NOW - timedelta(days=20), status="held", minutes_text="Minuted.")
    workgroup = Workgroup(key=f"q-wg-{i}", committee=committee, name=f"Workgroup {i}",
                          lead=people["member"], created_at=NOW - timedelta(days=35))
    goal = Goal(key=f"q-goal-{i}", title="Goal")
    workgroup.goals.append(goal)
    goal.milestones += [Milestone(key=f"q-ms-{i}-1", title="Soon", due=TODAY + timedelta(days=5)),
                        Milestone(key=f"q-ms-{i}-2", title="Late", due=TODAY - timedelta(days=3))]
    db.session.add(workgroup)
    for n, due in enumerate((TODAY + timedelta(days=2), TODAY - timedelta(days=10),
                             TODAY - timedelta(days=12))):
        db.session.add(ActionItem(key=f"q-a-{i}-{n}", committee=committee, title="Do it",
                                  owner=people["member"], due=due, workgroup_key=workgroup.key))
    for n, (since, study) in enumerate(((TODAY - timedelta(days=20), TODAY - timedelta(days=2)),
                                        (TODAY - timedelta(days=70), TODAY - timedelta(days=20)))):
        cycle = PdsaCycle(key=f"q-c-{i}-{n}", goal=goal, title="Cycle", phase="do",
                          owner=people["secretary"], study_due=study)
        cycle.phase_history += [PhaseChange(phase="plan", since=since - timedelta(days=5)),
                                PhaseChange(phase="do", since=since)]
        db.session.add(cycle)
    for n, (status, expires) in enumerate((("out_for_signature", None),
                                           ("executed", TODAY + timedelta(days=60)),
                                           ("executed", TODAY - timedelta(days=5)))):
        mou = Mou(key=f"q-mou-{i}-{n}", title="MOU", committee=committee, status=status,
                  expires=expires, parties=[agency, other])
        mou.versions.append(MouVersion(number=1, text="x",
                                       sent_for_signature_at=NOW - timedelta(days=4)))
        db.session.add(mou)
        db.session.flush()
        if n == 0:
            for kind in ("declined", "voided"):
                db.session.add(SigningEvent(
                    mou=mou, version=mou.versions[0], version_number=1, kind=kind,
                    agency_id=agency.id, at=NOW - timedelta(hours=2), document_sha256="0" * 64,
                    event_sha256="0" * 64))
    db.session.commit()


def _counts(app, db) -> dict[str, tuple[int, int]]:
    """kind code -> (reminders, SQL statements) of each kind's due(NOW), from a cold session."""
    found = {}
    for kind in REMINDER_KINDS:
        db.session.expire_all()
        dues = []
        statements = count_queries(app, lambda kind=kind, dues=dues: dues.extend(kind.due(NOW)))
        found[kind.code] = (len(dues), statements)
    return found


def test_each_kind_runs_the_same_statements_for_three_times_the_records(app, db):
    for i in range(2):
        _committee(db, i)
    few = _counts(app, db)
    for i in range(2, 6):  # three times the committees: four more
        _committee(db, i)
    many = _counts(app, db)
    print("\nkind: reminders and statements, 2 committees -> 6 committees")
    for code in few:
        (before, n), (after, m) = few[code], many[code]
        print(f"  {code}: {before} in {n} -> {after} in {m}")
    # every kind but the ones whose nearer threshold this data set does not reach, and the
    # withdrawn request (nobody here lost the right to sign; test_signatories covers it)
    assert [code for code in few if few[code][0] == 0] == [
        "mou_signature_withdrawn", "mou_expiring_30d", "chair_term_ending_30d"]
    assert {code: n for code, (_, n) in few.items()} == {
        code: n for code, (_, n) in many.items()}
    # the stalled workgroups' health (as the health report reads it) is the most
    assert max(n for _, n in many.values()) <= 20


def test_kinds_have_distinct_codes_and_words_for_the_preferences_page():
    codes = [kind.code for kind in REMINDER_KINDS]
    assert len(set(codes)) == len(codes)
    assert all(kind.words and kind.code.replace("_", "").isalnum() for kind in REMINDER_KINDS)


def test_kinds_reading_the_same_rows_read_them_once_in_a_sweep(app, db):
    """Within sweep.deriving(), the overdue roll-up reuses the overdue kind's items."""
    from govtrack.reminders.sweep import deriving

    for i in range(2):
        _committee(db, i)
    kinds = {kind.code: kind for kind in REMINDER_KINDS}
    alone = count_queries(app, lambda: list(kinds["action_overdue_rollup"].due(NOW)))
    db.session.expire_all()
    with deriving():
        before = list(kinds["action_overdue_rollup"].due(NOW))
        first = count_queries(app, lambda: list(kinds["action_overdue"].due(NOW)))
        shared = count_queries(app, lambda: list(kinds["action_overdue_rollup"].due(NOW)))
    assert first == 0 and shared == alone - 1  # only the chairs' seats are read again
    assert list(kinds["action_overdue_rollup"].due(NOW)) == before
