"""Time the Word minutes of a meeting with 50,000 one-line decisions: python -m bench.minutes_docx.

Issue 16: such minutes once took over 30 s to build, holding a worker. The
builder resolves styles once, inserts in constant time and stops at
documents.common.MAX_PARAGRAPHS, so this stays within a few seconds.
"""

import sys
import time
from datetime import UTC, datetime

from govtrack import create_app
from govtrack.committees.models import Committee
from govtrack.documents.common import MAX_PARAGRAPHS
from govtrack.documents.minutes import minutes_docx
from govtrack.extensions import db
from govtrack.meetings.models import Meeting

DECISIONS = 50_000


def build_meeting(decisions: int = DECISIONS) -> Meeting:
    """A held meeting whose minutes record `decisions` one-line decisions."""
    committee = Committee(key="cit", name="CIT Steering Committee", timezone="America/Chicago")
    meeting = Meeting(key="cit-bench-minutes", committee=committee, duration_minutes=90,
                      starts_at=datetime(2026, 3, 10, 20, 0, tzinfo=UTC), status="held",
                      decisions=[f"Decision {n}" for n in range(decisions)])
    db.session.add(meeting)
    db.session.commit()
    return meeting


def main(decisions: int = DECISIONS) -> float:
    """Build the minutes once; print and return the seconds it took."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"})
    with app.app_context():
        db.create_all()
        meeting = build_meeting(decisions)
        start = time.perf_counter()
        size = len(minutes_docx(meeting))
        seconds = time.perf_counter() - start
    print(f"minutes_docx, {decisions:,} decisions (at most {MAX_PARAGRAPHS:,} paragraphs, "
          f"{size:,} bytes): {seconds:.2f} s")
    return seconds


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else DECISIONS)
