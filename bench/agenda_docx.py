"""Time the Word agenda of a 30-item meeting: python -m bench.agenda_docx [runs]."""

import statistics
import sys
import time
from datetime import UTC, date, datetime

from govtrack import create_app
from govtrack.agencies.models import Agency, Person
from govtrack.committees.models import Committee
from govtrack.documents.agenda import agenda_docx
from govtrack.extensions import db
from govtrack.meetings.models import ITEM_KINDS, AgendaItem, Meeting

ITEMS = 30


def build_meeting() -> Meeting:
    """A CIT Steering Committee meeting with ITEMS timed items, each with a presenter."""
    agency = Agency(key="sheriff", name="County Sheriff's Office", sector="law_enforcement")
    people = [Person(key=f"p{n}", name=f"Presenter {n}", agency=agency) for n in range(10)]
    committee = Committee(key="cit", name="CIT Steering Committee", timezone="America/Chicago",
                          end_date=date(2027, 12, 31))
    meeting = Meeting(key="cit-bench", committee=committee, duration_minutes=180,
                      starts_at=datetime(2026, 3, 10, 20, 0, tzinfo=UTC),
                      location="County Building, Room 101",
                      video_link="https://video.example.org/cit", agenda_status="published")
    kinds = list(ITEM_KINDS)
    meeting.items = [
        AgendaItem(position=n, title=f"Item {n}: report-back of workgroup {n} on crisis "
                   "response, bed availability and jail diversion", kind=kinds[n % 4],
                   minutes=5 + n % 4 * 5, presenter=people[n % 10])
        for n in range(1, ITEMS + 1)]
    db.session.add(meeting)
    db.session.commit()
    return meeting


def main(runs: int = 20) -> None:
    """Build the agenda runs times; print the median and the slowest, in milliseconds."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"})
    with app.app_context():
        db.create_all()
        meeting = build_meeting()
        size = len(agenda_docx(meeting))  # warm-up: imports, template, lazy loads
        timings = []
        for _ in range(runs):
            start = time.perf_counter()
            agenda_docx(meeting)
            timings.append((time.perf_counter() - start) * 1000)
    print(f"agenda_docx, {ITEMS} items, {runs} runs ({size:,} bytes): "
          f"median {statistics.median(timings):.1f} ms, max {max(timings):.1f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
