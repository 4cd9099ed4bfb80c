"""A goal's timeline on a time axis: geometry for a server-drawn SVG, and its words.

Drawn on the server so it works without JavaScript on a closed network; the
same facts are given as a list beside it (the text alternative), so nothing
is said only by position or colour.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from govtrack.workgroups.models import Goal, Milestone, day_of

WIDTH = 720
LABEL_WIDTH = 230  #: the column of milestone titles, left of the axis
RIGHT = 24
TOP = 34  #: room for the tick labels and "Today"
ROW = 26
LABEL_CHARS = 34


def _short(d: date) -> str:
    return f"{d.day} {d:%b}"


def slip_words(milestone: Milestone) -> str:
    """Its due dates in order: "due 1 Nov, moved to 15 Dec on 3 Nov by Ana Ruiz"."""
    if not milestone.due_changes:
        return f"due {_short(milestone.due)}"
    words = [f"due {_short(milestone.first_due)}"]
    workgroup = milestone.goal.workgroup
    for change in milestone.due_changes:
        on = day_of(workgroup, change.at)
        by = f" by {change.by.name}" if change.by else ""
        why = f" ({change.reason})" if change.reason else ""
        words.append(f"moved to {_short(change.new_due)} on {_short(on)}{by}{why}")
    return ", ".join(words)


def state_of(milestone: Milestone, day: date) -> str:
    """done, cancelled, overdue or open on day."""
    if milestone.status != "open":
        return milestone.status
    return "overdue" if milestone.overdue_on(day) else "open"


@dataclass
class Row:
    """One milestone on the axis."""

    milestone: Milestone
    y: int
    x: float  #: its current due date
    first_x: float | None  #: where it was first due, when it slipped
    state: str
    label: str  #: the title, shortened to fit the label column
    words: str  #: the full sentence of the text alternative


@dataclass
class Tick:
    """A labelled date on the axis."""

    x: float
    label: str


@dataclass
class Timeline:
    """What the SVG draws: ticks, today, the goal's end, one row per milestone."""

    width: int
    height: int
    axis_left: int
    axis_right: int
    today_x: float
    end_x: float | None
    ticks: list[Tick] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)


def _ticks(start: date, end: date) -> list[tuple[date, str]]:
    """Dated, labelled ticks from start to end: the 1st and 15th of each month over a
    short span, first days of months (quarters over a long one) otherwise."""
    span = (end - start).days
    d = date(start.year, start.month, 1)
    out: list[tuple[date, str]] = []
    while d <= end:
        if span <= 120:
            for day in (d, d.replace(day=15)):
                if start <= day <= end:
                    out.append((day, f"{day.day} {day:%b}"))
        elif d >= start and (d.month - 1) % (1 if span <= 400 else 3) == 0:
            out.append((d, f"{d:%b} {d.year}" if d.month == 1 or not out else f"{d:%b}"))
        d = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return out


def timeline(goal: Goal, day: date) -> Timeline | None:
    """The goal's milestones on a time axis that includes today; None without milestones."""
    milestones = list(goal.milestones)
    if not milestones:
        return None
    dates = [day] + [m.due for m in milestones] + [m.first_due for m in milestones]
    if goal.end_date:
        dates.append(goal.end_date)
    start, end = min(dates) - timedelta(days=7), max(dates) + timedelta(days=7)
    span = max((end - start).days, 1)
    left, right = LABEL_WIDTH, WIDTH - RIGHT

    def x(d: date) -> float:
        return round(left + (d - start).days / span * (right - left), 1)

    rows = []
    for i, m in enumerate(milestones):
        label = m.title if len(m.title) <= LABEL_CHARS else m.title[:LABEL_CHARS - 1] + "…"
        rows.append(Row(milestone=m, y=TOP + 14 + i * ROW, x=x(m.due),
                        first_x=x(m.first_due) if m.first_due != m.due else None,
                        state=state_of(m, day), label=label, words=slip_words(m)))
    ticks = [Tick(x(d), label) for d, label in _ticks(start, end)]
    return Timeline(width=WIDTH, height=TOP + 14 + len(rows) * ROW, axis_left=left,
                    axis_right=right, today_x=x(day),
                    end_x=x(goal.end_date) if goal.end_date else None, ticks=ticks, rows=rows)
