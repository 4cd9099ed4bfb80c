"""Measures, their data points and CSV import; PDSA cycles and their phases.

Services take the acting account, write the audit trail and never commit.
"""

import csv
import io
import math
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from sqlalchemy import bindparam, select

from govtrack import audit
from govtrack.clock import today
from govtrack.committees.models import Committee
from govtrack.editing import DomainError, apply_edit, unique_key
from govtrack.extensions import db
from govtrack.pdsa import runchart
from govtrack.pdsa.models import (
    DECISIONS,
    DIRECTIONS,
    FREQUENCIES,
    MEASURE_KINDS,
    PHASE_NAMES,
    PHASES,
    DataPoint,
    Measure,
    PdsaCycle,
    PhaseChange,
)
from govtrack.workgroups.models import Goal

#: the columns a CSV of data points must have (a "note" column is optional)
CSV_COLUMNS = ("date", "value")
#: rows a CSV import takes at most, so a stray file cannot stall a worker
CSV_MAX_ROWS = 5000
#: a CSV larger than this is refused by name, never cut short (requests may be 4 MB)
CSV_MAX_BYTES = 2_000_000
#: what the point form accepts in each field, and so each CSV cell
CSV_MAX_VALUE = 40
CSV_MAX_NOTE = 500


def csv_size_problem(size: int) -> str | None:
    """Why a CSV of size bytes is refused, or None. A long file once lost its tail silently."""
    if size <= CSV_MAX_BYTES:
        return None
    shown = f"{size / 1_000_000:.1f} MB"
    if round(size / 1_000_000, 1) <= CSV_MAX_BYTES / 1_000_000:  # "2.0 MB" would not say why
        shown = f"{size:,} bytes"
    return (f"The file is {shown}; the limit is {CSV_MAX_BYTES / 1_000_000:g} MB. Split it "
            "and import each part.")


# --- measures ---------------------------------------------------------------------------


def _check_measure(values: dict) -> None:
    if values.get("kind") not in MEASURE_KINDS:
        raise DomainError("Choose outcome, process or balancing.", "kind")
    if values.get("direction") not in DIRECTIONS:
        raise DomainError("Say whether lower or higher is better.", "direction")
    if values.get("frequency") not in FREQUENCIES:
        raise DomainError("Choose how often the measure is taken.", "frequency")
    if values.get("rules") not in runchart.RULE_SETS:
        raise DomainError("Choose the run-chart rules.", "rules")
    baseline = values.get("baseline_points")
    if baseline is not None and not 2 <= baseline <= 100:
        raise DomainError("A baseline has between 2 and 100 points.", "baseline_points")


def create_measure(actor, committee: Committee, **values) -> Measure:
    """A new measure of the committee (or of one of its workgroups)."""
    values = {"kind": "outcome", "direction": "down", "frequency": "monthly",
              "rules": "anhoej", **values}
    _check_measure(values)
    workgroup = values.get("workgroup")
    if workgroup is not None and workgroup.committee_id != committee.id:
        raise DomainError("The workgroup belongs to another committee.", "workgroup")
    measure = Measure(key=unique_key(Measure, values["name"]), committee=committee, **values)
    db.session.add(measure)
    audit.record(actor, "create", measure, committee=committee)
    return measure


def update_measure(actor, measure: Measure, expected_version: int | None, **values) -> None:
    """Change a measure's definition or chart settings."""
    _check_measure({**{k: getattr(measure, k) for k in ("kind", "direction", "frequency",
                                                        "rules", "baseline_points")},
                    **values})
    apply_edit(measure, expected_version, values)
    audit.record(actor, "update", measure, committee=measure.committee)


def parse_value(text: str, field: str = "value") -> float:
    """A value from text (a data point's, a target's): a finite number, or a DomainError."""
    try:
        value = float(str(text).strip().replace(",", ""))
    except ValueError:
        raise DomainError(f"“{str(text)[:40]}” is not a number.", field) from None
    if not math.isfinite(value) or abs(value) > 1e12:
        raise DomainError(f"“{str(text)[:40]}” is not a usable number.", field)
    return value


def _check_day(day: date, taken: set[date], on: date) -> None:
    if day > on:
        raise DomainError("The date is in the future: a point records what happened.", "day")
    if day in taken:
        raise DomainError(f"The measure already has a point on {day.isoformat()}.", "day")


def add_point(actor, measure: Measure, day: date, value: float, note: str = "",
              on: date | None = None) -> DataPoint:
    """Record one dated value; a date has one value, and not in the future."""
    _check_day(day, {p.day for p in measure.points}, on or today())
    if not math.isfinite(value):
        raise DomainError("The value must be a number.", "value")
    point = DataPoint(measure=measure, day=day, value=value, note=note or "")
    db.session.add(point)
    audit.record(actor, "create", point, committee=measure.committee,
                 label=f"{measure.name}: {point}")
    return point


def correct_point(actor, point: DataPoint, *, day: date, value: float, note: str,
                  reason: str, on: date | None = None) -> None:
    """Correct a mistaken point (its date, value or note), saying why.

    A run chart is evidence the committee acts on: a changed value without a
    reason would look like the data were massaged to show a signal.
    """
    if not reason.strip():
        raise DomainError("Say why the point is corrected.", "reason")
    measure = point.measure
    _check_day(day, {p.day for p in measure.points if p is not point}, on or today())
    if not math.isfinite(value):
        raise DomainError("The value must be a number.", "value")
    point.day, point.value, point.note = day, value, note or ""
    entry = audit.record(actor, "update", point, committee=measure.committee,
                         label=f"{measure.name}: {point}")
    if entry is None:
        raise DomainError("Nothing changed: correct the date, value or note.", "value")
    entry.changes = {**entry.changes, "reason": [None, reason.strip()]}


def delete_point(actor, point: DataPoint, reason: str) -> None:
    """Remove a mistaken point, saying why; the audit trail keeps its value."""
    if not reason.strip():
        raise DomainError("Say why the point is deleted.", "reason")
    measure = point.measure
    entry = audit.record(actor, "delete", point, committee=measure.committee,
                         label=f"{measure.name}: {point}")
    entry.changes = {**entry.changes, "reason": [reason.strip(), None]}
    measure.points.remove(point)


@dataclass
class CsvResult:
    """What a CSV import found: every problem by row and column, or the points it added."""

    #: (row number as a spreadsheet shows it, column, message)
    problems: list[tuple[int, str, str]] = field(default_factory=list)
    added: list[DataPoint] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the file was imported (all of it)."""
        return not self.problems


def import_csv(actor, measure: Measure, text: str, on: date | None = None) -> CsvResult:
    """Check every row of a CSV (date, value[, note]); import all of them or none.

    Row numbers are those a spreadsheet shows: the header is row 1.
    """
    on = on or today()
    result = CsvResult()
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        rows = list(reader)
    except csv.Error as exc:
        result.problems.append((1, "", f"The file is not readable CSV: {exc}."))
        return result
    if not rows:
        result.problems.append((1, "", "The file is empty."))
        return result
    header = [h.strip().lower() for h in rows[0]]
    missing = [c for c in CSV_COLUMNS if c not in header]
    for column in missing:
        result.problems.append((1, column, f"The header has no “{column}” column."))
    if missing:
        return result
    if len(rows) > CSV_MAX_ROWS + 1:
        result.problems.append((1, "", f"At most {CSV_MAX_ROWS} rows at a time."))
        return result
    where = {name: header.index(name) for name in (*CSV_COLUMNS, "note") if name in header}
    taken = {p.day: "already recorded" for p in measure.points}
    parsed: list[tuple[date, float, str]] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue

        def cell(name: str, row=row) -> str:
            index = where.get(name)
            return row[index].strip() if index is not None and index < len(row) else ""

        day = value = None
        try:
            day = date.fromisoformat(cell("date"))
        except ValueError:
            result.problems.append((number, "date", f"“{cell('date')[:40]}” is not a date "
                                                    "(write YYYY-MM-DD)."))
        if day is not None:
            if day > on:
                result.problems.append((number, "date", "The date is in the future."))
            elif day in taken:
                why = taken[day]
                result.problems.append((number, "date", f"{day.isoformat()} is "
                                        + ("already recorded." if why == "already recorded"
                                           else f"also on row {why}.")))
            else:
                taken[day] = str(number)
        if len(cell("value")) > CSV_MAX_VALUE:
            result.problems.append((number, "value", f"At most {CSV_MAX_VALUE} characters."))
            continue
        try:
            value = parse_value(cell("value"))
        except DomainError as exc:
            result.problems.append((number, "value", str(exc) if cell("value")
                                    else "The value is missing."))
        note = cell("note")
        if len(note) > CSV_MAX_NOTE:
            result.problems.append((number, "note", f"At most {CSV_MAX_NOTE} characters."))
        elif runchart_bad_text(note):
            result.problems.append((number, "note", "Remove the control characters."))
        if day is not None and value is not None:
            parsed.append((day, value, note))
    if not result.problems and not parsed:
        result.problems.append((2, "", "The file has no data rows."))
    if result.problems:
        return result
    for day, value, note in parsed:
        point = DataPoint(measure=measure, day=day, value=value, note=note)
        db.session.add(point)
        result.added.append(point)
    audit.record(actor, "update", measure, committee=measure.committee,
                 changes={"points_imported": [None, len(parsed)]})
    return result


def runchart_bad_text(text: str) -> bool:
    """Whether text holds characters no database or document keeps."""
    from govtrack.forms import CONTROL

    return bool(CONTROL.search(text))


def analysis(measure: Measure, reset_on: date | None = ...,
             points: list[tuple[date, float]] | None = None) -> runchart.Analysis:
    """The measure's run chart: its points judged by its rules.

    points: its (day, value) pairs by day, when read without loading measure.points
    (see point_values).
    """
    if points is None:
        points = [(p.day, p.value) for p in measure.points]
    return runchart.analyse(points, rules=measure.rules, baseline=measure.baseline_points,
                            reset_on=measure.reset_on if reset_on is ... else reset_on)


@cache
def _point_values_query():
    """point_values' statement (bound "measure_ids"), built once (see
    meetings.views._meeting_query)."""
    return (select(DataPoint.measure_id, DataPoint.day, DataPoint.value)
            .where(DataPoint.measure_id.in_(bindparam("measure_ids", expanding=True)))
            .order_by(DataPoint.measure_id, DataPoint.day))


def point_values(measures: list[Measure]) -> dict[int, list[tuple[date, float]]]:
    """measure id -> its (day, value) pairs by day, for many measures in one query of rows."""
    values: dict[int, list[tuple[date, float]]] = {m.id: [] for m in measures}
    if values:
        for measure_id, day, value in db.session.execute(_point_values_query(),
                                                         {"measure_ids": list(values)}):
            values[measure_id].append((day, value))
    return values


def reset_baseline(actor, measure: Measure, day: date | None) -> None:
    """Start a new baseline on day, where a sustained shift began; None undoes the reset.

    A reset without a shift would hide variation behind a convenient median,
    so only the first point of a shift (or of an unusually long run) of the
    chart as it stands without a reset is accepted.
    """
    if day is not None:
        starts = runchart.sustained_shift_starts(analysis(measure, reset_on=None))
        if day not in starts:
            raise DomainError("A baseline is reset only where a sustained shift begins"
                              + (f": {', '.join(d.isoformat() for d in starts)}."
                                 if starts else "; this chart shows none."), "reset_on")
    measure.reset_on = day
    audit.record(actor, "update", measure, committee=measure.committee)


def signal_text(measure: Measure) -> str:
    """The measure's current signal in words."""
    return runchart.describe(analysis(measure), measure.direction)


# --- PDSA cycles -----------------------------------------------------------------------

PLAN_FIELDS = ("title", "objective", "questions", "predictions", "who_what_where_when",
               "measure_keys", "study_due", "owner")
PHASE_FIELDS = {"plan": PLAN_FIELDS, "do": ("carried_out", "observations", "problems"),
                "study": ("results", "lessons"), "act": ("decision", "reason")}


def create_cycle(actor, goal: Goal, *, title: str, on: date | None = None,
                 previous: PdsaCycle | None = None, **plan) -> PdsaCycle:
    """A new cycle in Plan under a goal, dated on (default today)."""
    on = on or today()
    if on > today():
        raise DomainError("The date cannot be in the future.", "on")
    unknown = set(plan) - set(PLAN_FIELDS)
    if unknown:
        raise ValueError(f"not plan fields: {sorted(unknown)}")
    cycle = PdsaCycle(key=unique_key(PdsaCycle, title), goal=goal, title=title,
                      previous=previous, phase="plan", **plan)
    cycle.phase_history.append(PhaseChange(phase="plan", since=on))
    db.session.add(cycle)
    audit.record(actor, "create", cycle, committee=goal.workgroup.committee)
    return cycle


def update_cycle(actor, cycle: PdsaCycle, expected_version: int | None, phase: str,
                 **values) -> None:
    """Record a phase's fields; only phases the cycle has reached can be written."""
    if phase not in PHASE_FIELDS or set(values) - set(PHASE_FIELDS[phase]):
        raise ValueError(f"not fields of {phase}: {sorted(values)}")
    if cycle.phase == "closed":
        raise DomainError("The cycle is closed.")
    if PHASES.index(phase) > PHASES.index(cycle.phase):
        raise DomainError(f"The cycle is in {PHASE_NAMES[cycle.phase]}; "
                          f"{PHASE_NAMES[phase]} comes later.")
    if phase != cycle.phase:
        # What a phase recorded is what the team knew then: a Plan rewritten after
        # the Do, or a prediction after the Study, would hide what the cycle taught.
        following = PHASES[PHASES.index(phase) + 1]
        started = max((c.since for c in cycle.phase_history if c.phase == following),
                      default=None)
        when = f" on {started:%-d %B %Y}" if started else ""
        raise DomainError(f"{PHASE_NAMES[phase]} closed when {PHASE_NAMES[following]} "
                          f"started{when}; only {PHASE_NAMES[cycle.phase]} can be written now.")
    if phase == "plan" and "title" in values and not (values["title"] or "").strip():
        raise DomainError("Name the cycle.", "title")
    if "decision" in values and values["decision"] not in (None, *DECISIONS):
        raise DomainError("Choose adopt, adapt or abandon.", "decision")
    apply_edit(cycle, expected_version, values)
    audit.record(actor, "update", cycle, committee=cycle.goal.workgroup.committee)


def measures_of(cycles: list[PdsaCycle]) -> dict[str, Measure]:
    """Key -> measure for every measure the cycles' plans collect, in one query.

    Keys are looked up in the cycles' committees only, so a plan cannot link
    to another committee's measure.
    """
    keys = {k for c in cycles for k in c.measures}
    if not keys:
        return {}
    committees = {c.goal.workgroup.committee_id for c in cycles}
    return {m.key: m for m in db.session.scalars(select(Measure).where(
        Measure.key.in_(keys), Measure.committee_id.in_(committees)))}


def next_phase(cycle: PdsaCycle) -> str | None:
    """The phase the cycle moves to next; None once closed."""
    index = PHASES.index(cycle.phase)
    return PHASES[index + 1] if index + 1 < len(PHASES) else None


def move_phase(actor, cycle: PdsaCycle, to: str, on: date | None = None) -> PhaseChange:
    """Move the cycle one phase forward, dated; backwards or skipping is refused."""
    on = on or today()
    if to not in PHASES:
        raise DomainError("Unknown phase.", "phase")
    expected = next_phase(cycle)
    if expected is None:
        raise DomainError("The cycle is closed.", "phase")
    if to != expected:
        direction = "backwards" if PHASES.index(to) <= PHASES.index(cycle.phase) else "past"
        raise DomainError(f"A cycle moves one phase forward at a time: from "
                          f"{PHASE_NAMES[cycle.phase]} only to {PHASE_NAMES[expected]} "
                          f"(not {direction} to {PHASE_NAMES[to]}).", "phase")
    if on > today():
        raise DomainError("The date cannot be in the future.", "on")
    if cycle.phase_since and on < cycle.phase_since:
        raise DomainError(f"The cycle entered {PHASE_NAMES[cycle.phase]} on "
                          f"{cycle.phase_since.isoformat()}; the move cannot be earlier.", "on")
    if to == "closed" and not cycle.decision:
        raise DomainError("Record the decision (adopt, adapt or abandon) before closing.",
                          "phase")
    cycle.phase = to
    change = PhaseChange(phase=to, since=on)
    cycle.phase_history.append(change)
    audit.record(actor, "update", cycle, committee=cycle.goal.workgroup.committee,
                 changes={"phase": [PHASES[PHASES.index(to) - 1], to],
                          "phase_since": [None, on.isoformat()]})
    return change


def adapt(actor, cycle: PdsaCycle, on: date | None = None) -> PdsaCycle:
    """Close an adapted cycle and start the next one, its plan pre-filled from this one."""
    if cycle.decision != "adapt":
        raise DomainError("Only a cycle whose decision is “adapt” starts an adapted cycle.",
                          "decision")
    if cycle.phase not in ("act", "closed"):
        raise DomainError("Reach Act before adapting the cycle.", "decision")
    if cycle.phase == "act":
        move_phase(actor, cycle, "closed", on)
    lessons = f"\n\nAdapted from “{cycle.title}”: {cycle.lessons}" if cycle.lessons else ""
    return create_cycle(
        actor, cycle.goal, title=f"{cycle.title} (adapted)"[:200], on=on, previous=cycle,
        objective=(cycle.objective + lessons).strip(), questions=cycle.questions,
        predictions=cycle.predictions, who_what_where_when=cycle.who_what_where_when,
        measure_keys=cycle.measure_keys, owner=cycle.owner)


def ramp(goal: Goal) -> list[PdsaCycle]:
    """The goal's cycles in order: by start, each adapted cycle after the one it follows."""
    cycles = sorted(goal.pdsa_cycles, key=lambda c: (c.started_on or date.max, c.id or 0))
    ordered: list[PdsaCycle] = []
    placed: set[int] = set()

    def place(cycle: PdsaCycle) -> None:
        if id(cycle) in placed:
            return
        if cycle.previous is not None and cycle.previous in cycles:
            place(cycle.previous)
        placed.add(id(cycle))
        ordered.append(cycle)

    for cycle in cycles:
        place(cycle)
    return ordered
