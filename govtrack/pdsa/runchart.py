"""Run-chart analysis: the median, the standard signals, and XmR limits.

Pure functions over a series of (date, value) points, so every rule can be
checked against hand-worked series without a database. Two rule sets:

- ``ihi`` (Perla, Provost and Murray, BMJ Qual Saf 2011): a shift is six or
  more consecutive points on one side of the median; a trend is five or more
  consecutive points all rising or all falling; too few or too many runs for
  the number of useful observations (their table, 10 to 60 observations); an
  astronomical point (here, objectively: a point outside the XmR limits of the
  baseline).
- ``anhoej`` (Anhøj and Olesen, PLoS ONE 2014), the default: an unusually long
  run (longer than round(log2(n) + 3)) or unusually few crossings of the
  median (fewer than the 5th percentile of Binomial(n - 1, 0.5)). They raise
  fewer false alarms than the shift, trend and runs rules together.

Shared readings: points on the median neither break nor count towards a run
(they are not "useful observations"); a repeated value inside a trend is
counted once (it neither breaks nor extends the trend). The median is that of
the baseline; after a reset (a sustained shift has made a new level normal)
the points from the reset date on are judged against a new baseline's median,
and the chart shows both.
"""

from dataclasses import dataclass, field
from datetime import date
from math import ceil, comb, floor, log2, log10
from statistics import median as _median

RULE_SETS = {"anhoej": "Anhøj rules (long runs, few crossings)",
             "ihi": "Shift, trend, runs and astronomical point"}

#: points in a row on one side of the median that make a shift (IHI)
SHIFT = 6
#: points in a row rising or falling that make a trend (IHI)
TREND = 5
#: fewest useful observations the runs table and the Anhøj rules judge
MIN_USEFUL = 10
#: the XmR scaling constant: 3 / d2, d2 = 1.128 for moving ranges of two
XMR_FACTOR = 2.66

#: Number of useful observations -> (lower, upper) limits for the number of
#: runs: fewer than lower runs is too few, more than upper too many. Perla,
#: Provost and Murray (2011), Table 1, after Swed and Eisenhart (1943).
RUNS_TABLE: dict[int, tuple[int, int]] = {
    10: (3, 9), 11: (3, 10), 12: (3, 11), 13: (4, 11), 14: (4, 12), 15: (5, 12),
    16: (5, 13), 17: (5, 13), 18: (6, 14), 19: (6, 15), 20: (6, 16), 21: (7, 16),
    22: (7, 17), 23: (7, 17), 24: (8, 18), 25: (8, 18), 26: (9, 19), 27: (10, 19),
    28: (10, 20), 29: (10, 20), 30: (11, 21), 31: (11, 22), 32: (11, 23), 33: (12, 23),
    34: (12, 24), 35: (13, 24), 36: (13, 25), 37: (13, 25), 38: (14, 26), 39: (14, 26),
    40: (15, 27), 41: (16, 27), 42: (16, 28), 43: (17, 28), 44: (17, 29), 45: (17, 30),
    46: (17, 31), 47: (18, 31), 48: (18, 32), 49: (19, 32), 50: (19, 33), 51: (20, 33),
    52: (20, 34), 53: (21, 34), 54: (21, 35), 55: (22, 35), 56: (22, 36), 57: (23, 36),
    58: (23, 37), 59: (24, 38), 60: (24, 38),
}

SIGNAL_NAMES = {
    "shift": "shift", "trend": "trend", "few_runs": "too few runs",
    "many_runs": "too many runs", "astronomical": "astronomical point",
    "long_run": "unusually long run", "few_crossings": "unusually few crossings",
}


@dataclass(frozen=True)
class Signal:
    """A pattern unlikely from random variation, with the points that show it."""

    code: str
    #: positions in the whole series of the points that make it
    indices: tuple[int, ...]
    #: +1 above the median or rising, -1 below or falling, 0 no direction
    side: int = 0

    @property
    def name(self) -> str:
        """The signal in words."""
        return SIGNAL_NAMES[self.code]


@dataclass
class Segment:
    """The points judged against one median: the whole series, or before/after a reset."""

    start: int
    end: int  #: exclusive
    baseline_end: int  #: exclusive; the points start..baseline_end give the median
    median: float | None
    useful: int = 0
    runs: int = 0
    crossings: int = 0
    longest_run: int = 0
    #: (lower, upper) of the runs table, or None outside its 10..60 observations
    runs_limits: tuple[int, int] | None = None
    #: (longest run allowed, fewest crossings expected), or None under 10 observations
    anhoej_limits: tuple[int, int] | None = None
    #: (lower, centre, upper) natural process limits of the baseline, or None
    xmr: tuple[float, float, float] | None = None
    signals: list[Signal] = field(default_factory=list)


@dataclass
class Analysis:
    """A series and its segments with their signals."""

    dates: list[date]
    values: list[float]
    rules: str
    segments: list[Segment]

    @property
    def current(self) -> Segment | None:
        """The segment the latest points belong to."""
        return self.segments[-1] if self.segments else None

    def signalled(self) -> set[int]:
        """Positions of the points where a rule fires: a shift, trend, long run or a point
        beyond a limit. Too few or too many runs (or crossings) is a property of the
        whole series, said in words; marking every point would mark nothing."""
        return {i for s in self.segments for sig in s.signals
                if sig.code not in WHOLE_SERIES for i in sig.indices}


#: signals about the series as a whole rather than about particular points
WHOLE_SERIES = frozenset({"few_runs", "many_runs", "few_crossings"})


# --- the building blocks ----------------------------------------------------------------


def median(values: list[float]) -> float:
    """The median (the mean of the middle two of an even number)."""
    return float(_median(values))


def sides(values: list[float], centre: float) -> list[int]:
    """+1 above centre, -1 below, 0 on it."""
    return [(v > centre) - (v < centre) for v in values]


def runs_of(values: list[float], centre: float) -> list[tuple[int, list[int]]]:
    """The runs: (side, positions) of consecutive useful points on one side.

    A point on the centre line is skipped: it neither ends a run nor adds to it.
    """
    runs: list[tuple[int, list[int]]] = []
    for i, side in enumerate(sides(values, centre)):
        if side == 0:
            continue
        if runs and runs[-1][0] == side:
            runs[-1][1].append(i)
        else:
            runs.append((side, [i]))
    return runs


def shifts(values: list[float], centre: float, length: int = SHIFT) -> list[Signal]:
    """Runs of `length` or more useful points on one side of the centre."""
    return [Signal("shift", tuple(idx), side) for side, idx in runs_of(values, centre)
            if len(idx) >= length]


def trends(values: list[float], length: int = TREND) -> list[Signal]:
    """Stretches of `length` or more points all rising or all falling.

    Repeated values are counted once: 1 2 3 3 4 is four points going up.
    Signals carry every position, repeats included, so a chart marks them all.
    """
    # groups of consecutive equal values: (value, positions)
    groups: list[tuple[float, list[int]]] = []
    for i, v in enumerate(values):
        if groups and groups[-1][0] == v:
            groups[-1][1].append(i)
        else:
            groups.append((v, [i]))
    found: list[Signal] = []
    start = 0
    while start < len(groups) - 1:
        direction = 1 if groups[start + 1][0] > groups[start][0] else -1
        end = start + 1
        while end + 1 < len(groups) and (groups[end + 1][0] - groups[end][0]) * direction > 0:
            end += 1
        if end - start + 1 >= length:
            found.append(Signal("trend", tuple(i for g in groups[start:end + 1] for i in g[1]),
                                direction))
        start = end
    return found


def runs_limits(useful: int) -> tuple[int, int] | None:
    """The runs table's (lower, upper) limits for this many useful observations."""
    return RUNS_TABLE.get(useful)


def _binomial_quantile(p: float, n: int) -> int:
    """The smallest x with P(X <= x) >= p, X ~ Binomial(n, 1/2) (R's qbinom)."""
    total, cumulative = 2 ** n, 0
    for x in range(n + 1):
        cumulative += comb(n, x)
        if cumulative / total >= p:
            return x
    return n


def anhoej_limits(useful: int) -> tuple[int, int] | None:
    """(longest run allowed, fewest crossings expected); None under MIN_USEFUL."""
    if useful < MIN_USEFUL:
        return None
    return round(log2(useful) + 3), _binomial_quantile(0.05, useful - 1)


def xmr_limits(values: list[float]) -> tuple[float, float, float] | None:
    """(lower, mean, upper): the mean ± 2.66 × the average moving range; None under 2 points."""
    if len(values) < 2:
        return None
    centre = sum(values) / len(values)
    moving = [abs(b - a) for a, b in zip(values, values[1:], strict=False)]
    spread = XMR_FACTOR * sum(moving) / len(moving)
    return centre - spread, centre, centre + spread


# --- a whole series ------------------------------------------------------------------------


def _segment(values: list[float], start: int, end: int, baseline: int | None,
             rules: str) -> Segment:
    part = values[start:end]
    base_len = len(part) if not baseline else min(baseline, len(part))
    base = part[:base_len]
    seg = Segment(start, end, start + base_len, median(base) if base else None)
    if seg.median is None:
        return seg
    runs = runs_of(part, seg.median)
    seg.useful = sum(len(idx) for _, idx in runs)
    seg.runs = len(runs)
    seg.crossings = max(0, len(runs) - 1)
    seg.longest_run = max((len(idx) for _, idx in runs), default=0)
    seg.runs_limits = runs_limits(seg.useful)
    seg.anhoej_limits = anhoej_limits(seg.useful)
    seg.xmr = xmr_limits(base)

    def shifted(sig: Signal) -> Signal:
        return Signal(sig.code, tuple(i + start for i in sig.indices), sig.side)

    signals: list[Signal] = []
    if rules == "ihi":
        signals += shifts(part, seg.median)
        signals += trends(part)
        if seg.runs_limits:
            lower, upper = seg.runs_limits
            every = tuple(i for _, idx in runs for i in idx)
            if seg.runs < lower:
                signals.append(Signal("few_runs", every))
            elif seg.runs > upper:
                signals.append(Signal("many_runs", every))
        if seg.xmr is not None and seg.xmr[0] != seg.xmr[2]:
            lower, _, upper = seg.xmr
            signals += [Signal("astronomical", (i,), 1 if v > upper else -1)
                        for i, v in enumerate(part) if v > upper or v < lower]
    else:
        if seg.anhoej_limits:
            longest, fewest = seg.anhoej_limits
            signals += [Signal("long_run", tuple(idx), side) for side, idx in runs
                        if len(idx) > longest]
            if seg.crossings < fewest:
                signals.append(Signal("few_crossings", tuple(i for _, idx in runs for i in idx)))
    seg.signals = sorted((shifted(s) for s in signals), key=lambda s: (s.indices[0], s.code))
    return seg


def analyse(points: list[tuple[date, float]], rules: str = "anhoej",
            baseline: int | None = None, reset_on: date | None = None) -> Analysis:
    """Judge a series: its segments (one, or two after a reset) and their signals.

    points are sorted by date here. baseline is how many of a segment's first
    points make its median (None: all of them); reset_on starts the second
    segment, whose median is its own baseline's.
    """
    if rules not in RULE_SETS:
        raise ValueError(f"unknown rule set {rules!r}")
    ordered = sorted(points, key=lambda p: p[0])
    dates = [d for d, _ in ordered]
    values = [float(v) for _, v in ordered]
    cut = len(values)
    if reset_on is not None:
        cut = next((i for i, d in enumerate(dates) if d >= reset_on), len(values))
    segments = []
    if cut > 0:
        segments.append(_segment(values, 0, cut, baseline, rules))
    if cut < len(values):
        segments.append(_segment(values, cut, len(values), baseline, rules))
    return Analysis(dates, values, rules, segments)


def sustained_shift_starts(analysis: Analysis) -> list[date]:
    """Dates a baseline may be reset to: the first point of a shift or a long run."""
    return [analysis.dates[sig.indices[0]] for seg in analysis.segments
            for sig in seg.signals if sig.code in ("shift", "long_run")]


# --- in words ----------------------------------------------------------------------------


def _verdict(signal: Signal, direction: str | None) -> str:
    if signal.side == 0 or direction not in ("up", "down"):
        return "Signal"
    good = 1 if direction == "up" else -1
    return "Improvement" if signal.side == good else "Deterioration"


def _where(signal: Signal) -> str:
    if signal.code in ("shift", "long_run"):
        return "above the median" if signal.side > 0 else "below the median"
    if signal.code == "trend":
        return "rising" if signal.side > 0 else "falling"
    if signal.code == "astronomical":
        return "above the upper limit" if signal.side > 0 else "below the lower limit"
    return ""


def describe_signal(signal: Signal, analysis: Analysis, direction: str | None) -> str:
    """One signal in words: "Improvement: shift below the median since March 2025"."""
    first = analysis.dates[signal.indices[0]]
    where = _where(signal)
    text = f"{_verdict(signal, direction)}: {signal.name}"
    if where:
        text += f" {where}"
    if signal.code == "astronomical":
        return f"{text} on {first.day} {first:%B %Y}"
    if signal.code in ("few_runs", "many_runs", "few_crossings"):
        return f"{text} (non-random variation)"
    return f"{text} since {first:%B %Y}"


def current_signal(analysis: Analysis) -> Signal | None:
    """The signal that says most about now: the latest-starting one with a direction."""
    seg = analysis.current
    if seg is None or not seg.signals:
        return None
    return sorted(seg.signals, key=lambda s: (s.side != 0, s.indices[0]))[-1]


def headline(signal: Signal) -> str:
    """A signal named by its rule: "a run of 8 below the median", "an astronomical point"."""
    count = len(signal.indices)
    if signal.code in ("shift", "long_run"):
        return f"a run of {count} {_where(signal)}"
    if signal.code == "trend":
        return f"a trend of {count} points {_where(signal)}"
    if signal.code == "astronomical":
        return f"an astronomical point {_where(signal)}"
    if signal.code == "few_crossings":
        return "too few crossings of the median"
    return signal.name


def describe(analysis: Analysis, direction: str | None) -> str:
    """The measure's current signal in words, for the outcomes page and the agenda."""
    seg = analysis.current
    if seg is None:
        return "No data yet."
    if seg.signals:
        return describe_signal(current_signal(analysis), analysis, direction) + "."
    judged = seg.useful >= MIN_USEFUL or analysis.rules == "ihi"
    if not judged:
        return (f"Too few points to judge: {seg.useful} useful observations of the "
                f"{MIN_USEFUL} the rules need.")
    return "No signal: the points vary randomly around the median."


# --- drawing ------------------------------------------------------------------------------


@dataclass
class Chart:
    """Coordinates of a run chart in an SVG viewBox; the template draws them."""

    width: int
    height: int
    #: (x, y, value, date, signalled) of each point
    points: list[tuple[float, float, float, date, bool]]
    #: (x1, x2, y, value) of each segment's median
    medians: list[tuple[float, float, float, float]]
    #: (x1, x2, y_lower, y_upper, lower, upper) of each segment's XmR limits
    limits: list[tuple[float, float, float, float, float, float]]
    #: (x, label, anchor) of each annotation (a PDSA cycle's start); anchor "end" near
    #: the right edge so the label is not cut
    annotations: list[tuple[float, str, str]]
    #: (y, label) of the value axis ticks: round numbers with the unit
    ticks: list[tuple[float, str]]
    path: str
    #: where the plot starts: wide enough for the longest tick label
    left: int = 56
    #: (y, label) of the goal line, when the measure has a target
    target: tuple[float, str] | None = None


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round values (steps of 1, 2, 2.5 or 5 times a power of ten) from the last one at or
    below low to the first at or above high."""
    if high <= low:
        high = low + 1
    raw = (high - low) / max(1, count - 1)
    power = 10 ** floor(log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first, last = floor(low / step + 1e-9), ceil(high / step - 1e-9)
    return [round(n * step, 10) for n in range(first, last + 1)]


def amount(value: float, unit: str = "") -> str:
    """A value as people write it: 1,250 or 2.5, with its unit ("12 days", "35 %")."""
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.4g}"
    return f"{text} {unit}" if unit else text


def chart(result: Analysis, annotations: list[tuple[date, str]] = (), show_limits: bool = False,
          width: int = 720, height: int = 300, unit: str = "",
          target: float | None = None) -> Chart:
    """Place the points, medians, limits, goal and annotations of an analysis in a viewBox."""
    right, top, bottom = 16, 16, 40
    values = result.values
    limits = [seg.xmr for seg in result.segments if show_limits and seg.xmr]
    span = values + [v for lim in limits for v in (lim[0], lim[2])]
    if target is not None and values:
        span = span + [target]
    low, high = (min(span), max(span)) if span else (0.0, 1.0)
    if low == high:
        low, high = low - 1, high + 1
    steps = nice_ticks(low, high)
    # the axis runs from tick to tick, so no point sits above the top label
    low, high = min(low, steps[0]), max(high, steps[-1])
    pad = (high - low) * 0.04
    low, high = low - pad, high + pad
    labels = [amount(v, unit) for v in steps]
    # 11px text is about 6.5px a character; the labels stand right-aligned at left - 6
    left = max(56, int(max(len(t) for t in labels) * 6.5) + 14)
    first, last = (result.dates[0], result.dates[-1]) if result.dates else (None, None)
    days = max(1, (last - first).days) if first else 1

    def x_of(day: date) -> float:
        if first is None:
            return left
        if len(result.dates) == 1:
            return left + (width - left - right) / 2
        return round(left + (day - first).days / days * (width - left - right), 1)

    def y_of(value: float) -> float:
        return round(top + (high - value) / (high - low) * (height - top - bottom), 1)

    marked = result.signalled()
    points = [(x_of(d), y_of(v), v, d, i in marked)
              for i, (d, v) in enumerate(zip(result.dates, values, strict=True))]
    medians, limit_lines = [], []
    for seg in result.segments:
        if seg.median is None:
            continue
        x1, x2 = x_of(result.dates[seg.start]), x_of(result.dates[seg.end - 1])
        medians.append((x1, x2, y_of(seg.median), seg.median))
        if show_limits and seg.xmr:
            limit_lines.append((x1, x2, y_of(seg.xmr[0]), y_of(seg.xmr[2]),
                                seg.xmr[0], seg.xmr[2]))
    notes = [(x, label, "end" if x > width - right - 150 else "start")
             for x, label in ((x_of(d), label) for d, label in annotations
                              if first is not None and first <= d <= last)]
    ticks = [(y_of(v), text) for v, text in zip(steps, labels, strict=True)]
    path = " ".join(f"{'M' if n == 0 else 'L'}{x},{y}" for n, (x, y, *_) in enumerate(points))
    goal = (y_of(target), f"goal {amount(target, unit)}") if target is not None and values \
        else None
    return Chart(width, height, points, medians, limit_lines, notes, ticks, path, left, goal)
