"""Meeting cadence: RRULEs built from plain choices and read back in words."""

from dataclasses import dataclass
from datetime import datetime

from dateutil.rrule import rrulestr

WEEKDAYS = {"MO": "Monday", "TU": "Tuesday", "WE": "Wednesday", "TH": "Thursday",
            "FR": "Friday", "SA": "Saturday", "SU": "Sunday"}
ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}

#: the choices a clerk picks from, each with its FREQ and INTERVAL
FREQUENCIES = {
    "weekly": ("Weekly", "WEEKLY", 1),
    "biweekly": ("Every two weeks", "WEEKLY", 2),
    "monthly": ("Monthly", "MONTHLY", 1),
    "bimonthly": ("Every two months", "MONTHLY", 2),
    "quarterly": ("Quarterly", "MONTHLY", 3),
}

#: period in days of each FREQ, used by the no_meeting health rule
PERIOD_DAYS = {"DAILY": 1, "WEEKLY": 7, "MONTHLY": 31, "YEARLY": 366}


class CadenceError(ValueError):
    """An RRULE govtrack cannot use."""


def _interval(parts: dict[str, str]) -> int | None:
    """INTERVAL as a number (1 when absent), None when it is not one."""
    value = parts.get("INTERVAL", "1")
    return int(value) if value.isdigit() and len(value) < 4 else None


def parse_rule(rrule: str) -> dict[str, str]:
    """Split an RRULE into its parts, upper-cased."""
    parts = {}
    for chunk in rrule.strip().removeprefix("RRULE:").split(";"):
        if not chunk:
            continue
        name, sep, value = chunk.partition("=")
        if not sep or not name or not value:
            raise CadenceError(f"“{chunk}” is not NAME=VALUE")
        parts[name.strip().upper()] = value.strip().upper()
    return parts


def validate_rrule(rrule: str, dtstart: datetime) -> None:
    """Raise CadenceError unless rrule is a usable repeating rule."""
    if any(c in rrule for c in "\r\n"):
        raise CadenceError("an RRULE is one line")
    parts = parse_rule(rrule)
    if _interval(parts) is None or _interval(parts) < 1:
        raise CadenceError("INTERVAL must be a whole number from 1")
    if parts.get("FREQ") not in PERIOD_DAYS:
        raise CadenceError("FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY")
    try:
        rule = rrulestr(rrule, dtstart=dtstart)
        first = rule.after(dtstart, inc=True)
    except (ValueError, TypeError, OverflowError) as exc:
        raise CadenceError(f"not a valid RRULE: {exc}") from exc
    if first is None:
        raise CadenceError("the rule never produces a meeting")


@dataclass
class CadenceChoice:
    """The plain choices behind a simple RRULE."""

    frequency: str
    weekday: str
    week_of_month: int | None  # 1-4 or -1 (last); None for weekly rules


def build_rrule(choice: CadenceChoice) -> str:
    """Turn plain choices into an RRULE."""
    _, freq, interval = FREQUENCIES[choice.frequency]
    parts = [f"FREQ={freq}"]
    if interval != 1:
        parts.append(f"INTERVAL={interval}")
    if freq == "MONTHLY":
        parts.append(f"BYDAY={choice.week_of_month or 1}{choice.weekday}")
    else:
        parts.append(f"BYDAY={choice.weekday}")
    return ";".join(parts)


def choice_from_rrule(rrule: str | None) -> CadenceChoice | None:
    """The plain choices an RRULE was built from, or None if it is not that simple."""
    if not rrule:
        return None
    try:
        parts = parse_rule(rrule)
    except CadenceError:
        return None
    if set(parts) - {"FREQ", "INTERVAL", "BYDAY"}:
        return None
    interval = _interval(parts)
    byday = parts.get("BYDAY", "")
    for code, (_, freq, every) in FREQUENCIES.items():
        if parts.get("FREQ") != freq or (interval or 1) != every:
            continue
        day = byday[-2:]
        if day not in WEEKDAYS:
            return None
        ordinal = byday[:-2]
        if freq == "WEEKLY":
            return CadenceChoice(code, day, None) if not ordinal else None
        try:
            number = int(ordinal)
        except ValueError:
            return None
        return CadenceChoice(code, day, number) if number in ORDINALS else None
    return None


def describe(rrule: str | None, duration_minutes: int | None = None) -> str:
    """The cadence in words: "Monthly on the second Tuesday, 90 minutes"."""
    if not rrule:
        return "No regular meetings"
    try:
        parts = parse_rule(rrule)
    except CadenceError:
        return rrule
    freq = parts.get("FREQ", "")
    interval = _interval(parts) or 1
    unit = {"DAILY": "day", "WEEKLY": "week", "MONTHLY": "month", "YEARLY": "year"}.get(freq)
    if unit is None:
        return rrule
    named = {1: {"DAILY": "Daily", "WEEKLY": "Weekly", "MONTHLY": "Monthly",
                 "YEARLY": "Yearly"}[freq],
             2: f"Every two {unit}s", 3: f"Every three {unit}s"}
    words = named.get(interval, f"Every {interval} {unit}s")
    if freq == "MONTHLY" and interval == 3:
        words = "Quarterly"
    days = []
    for day in filter(None, parts.get("BYDAY", "").split(",")):
        ordinal, code = day[:-2], day[-2:]
        if code not in WEEKDAYS:
            return rrule
        if ordinal:
            try:
                number = int(ordinal)
            except ValueError:
                return rrule
            if number not in ORDINALS:
                return rrule
            days.append(f"the {ORDINALS[number]} {WEEKDAYS[code]}")
        else:
            days.append(f"{WEEKDAYS[code]}s" if freq == "WEEKLY" else WEEKDAYS[code])
    if days:
        words += " on " + " and ".join(days)
    if parts.get("BYMONTHDAY"):
        words += f" on day {parts['BYMONTHDAY']}"
    if duration_minutes:
        words += f", {duration_minutes} minutes"
    return words
