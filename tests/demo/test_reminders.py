"""At the demo's reference date the reminder kinds fill the demo chair's inbox."""

from collections import Counter
from datetime import UTC, date, datetime

import time_machine
from sqlalchemy import select

from govtrack.agencies.models import Person
from govtrack.demo import load_demo
from govtrack.features import REMINDER_KINDS

#: the day the demo was written (tests/demo/test_demo.py): its history stops there
WRITTEN = date(2026, 11, 22)
#: the demo login that chairs the CIT steering committee
CHAIR = "p-kowalski"


def test_demo_chair_has_reminders_at_the_reference_date(db):
    with time_machine.travel(datetime(2026, 11, 22, 12, 0, tzinfo=UTC), tick=False):
        report = load_demo()
        assert report.ok, report.problems
        db.session.commit()
        now = datetime.now(UTC)
        chair = db.session.scalar(select(Person).where(Person.key == CHAIR))
        everyone, mine = Counter(), Counter()
        for kind in REMINDER_KINDS:
            for due in kind.due(now):
                everyone[kind.code] += 1
                if due.person_id == chair.id:
                    mine[kind.code] += 1
    print(f"\ndemo at {WRITTEN}: reminders by kind, all people: {dict(everyone)}")
    print(f"demo at {WRITTEN}: reminders by kind, the chair {CHAIR}: {dict(mine)}")
    assert sum(mine.values()) >= 1
