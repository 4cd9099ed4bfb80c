"""The type a feature declares a hand-over step with (a leaf module: it imports no feature).

When a chair leaves early, the work they held must not leave with them: each
feature that holds a chair's open work declares a step that moves it on, and
chairs.services names the steps in HANDOVER_STEPS; the "chair is leaving"
page lists each step's words, so the chair sees everything it will do.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class HandoverStep:
    """Something an early hand-over does to the outgoing chair's open work.

    run(actor, committee, outgoing, incoming, on) changes the records, writes
    the audit trail and returns sentences for the record (none when there was
    nothing to move).
    """

    #: the checklist line on the "chair is leaving" page
    words: str
    run: Callable[..., list[str]] = field(compare=False)


def run_steps(steps, actor, committee, outgoing, incoming, on: date) -> list[str]:
    """Run each step in order; what they did, for the record."""
    return [said for step in steps for said in step.run(actor, committee, outgoing, incoming, on)]
