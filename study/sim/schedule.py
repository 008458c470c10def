"""EventBridge schedule expressions: `rate(N unit)` and six-field `cron(...)`, evaluated in UTC."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

_UNITS = {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400}
_MONTHS = {m: i for i, m in enumerate(
    ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], start=1)}
_DAYS = {d: i for i, d in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], start=1)}


@dataclass(frozen=True)
class Rate:
    seconds: int


@dataclass(frozen=True)
class Cron:
    minutes: frozenset[int]
    hours: frozenset[int]
    dom: frozenset[int] | None  # None = '?'
    dom_last: bool
    months: frozenset[int]
    dow: frozenset[int] | None  # 1 = Sunday, as EventBridge counts
    years: frozenset[int]

    def matches(self, t: dt.datetime) -> bool:
        if t.minute not in self.minutes or t.hour not in self.hours or t.month not in self.months:
            return False
        if t.year not in self.years:
            return False
        if self.dom is not None or self.dom_last:
            last = calendar.monthrange(t.year, t.month)[1]
            if not ((self.dom is not None and t.day in self.dom) or (self.dom_last and t.day == last)):
                return False
        if self.dow is not None:
            # Python: Monday = 0; EventBridge: Sunday = 1.
            if (t.weekday() + 1) % 7 + 1 not in self.dow:
                return False
        return True


def parse(expr: str) -> Rate | Cron:
    if not isinstance(expr, str):
        raise ValueError("expected rate(...) or cron(...)")
    m = re.fullmatch(r"rate\((\d+) ([a-z]+)\)", expr.strip())
    if m:
        value, unit = int(m.group(1)), m.group(2)
        if unit not in _UNITS:
            raise ValueError(f"{unit!r} is not a unit; expected minute(s), hour(s) or day(s)")
        if value < 1:
            raise ValueError("the rate must be a positive whole number")
        if value == 1 and unit.endswith("s"):
            raise ValueError(f"write rate(1 {unit[:-1]}) for a value of 1 (EventBridge wants the singular)")
        if value > 1 and not unit.endswith("s"):
            raise ValueError(f"write rate({value} {unit}s) for a value above 1 (EventBridge wants the plural)")
        return Rate(value * _UNITS[unit])
    m = re.fullmatch(r"cron\((.*)\)", expr.strip())
    if not m:
        raise ValueError(f"{expr!r} is not rate(N unit) or cron(min hour day-of-month month day-of-week year)")
    fields = m.group(1).split()
    if len(fields) != 6:
        raise ValueError(f"cron takes six fields (minutes hours day-of-month month day-of-week year), got {len(fields)}")
    mi, ho, dom, mo, dow, yr = fields
    if (dom == "?") == (dow == "?"):
        raise ValueError("exactly one of day-of-month and day-of-week must be '?'")
    dom_last = dom == "L"
    return Cron(
        minutes=_field(mi, 0, 59, {}, "minutes"),
        hours=_field(ho, 0, 23, {}, "hours"),
        dom=None if dom in ("?", "L") else _field(dom, 1, 31, {}, "day-of-month"),
        dom_last=dom_last,
        months=_field(mo, 1, 12, _MONTHS, "month"),
        dow=None if dow == "?" else _field(dow, 1, 7, _DAYS, "day-of-week"),
        years=_field(yr, 1970, 2199, {}, "year"),
    )


def _field(text: str, lo: int, hi: int, names: dict[str, int], what: str) -> frozenset[int]:
    out: set[int] = set()
    for part in text.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            if not step_text.isdigit() or int(step_text) < 1:
                raise ValueError(f"{what}: {step_text!r} is not a step")
            step = int(step_text)
        if part == "*":
            a, b = lo, hi
        elif "-" in part:
            a_text, b_text = part.split("-", 1)
            a, b = _value(a_text, lo, hi, names, what), _value(b_text, lo, hi, names, what)
        else:
            a = _value(part, lo, hi, names, what)
            b = hi if step > 1 else a
        if a > b:
            raise ValueError(f"{what}: range {part!r} runs backwards")
        out.update(range(a, b + 1, step))
    return frozenset(out)


def _value(text: str, lo: int, hi: int, names: dict[str, int], what: str) -> int:
    key = text.upper()
    if key in names:
        return names[key]
    if not text.isdigit():
        if text and text[-1] in "LW#" or "#" in text:
            raise ValueError(f"{what}: {text!r} (L, W and # forms) is not modelled by this emulator")
        raise ValueError(f"{what}: {text!r} is not a value")
    v = int(text)
    if not lo <= v <= hi:
        raise ValueError(f"{what}: {v} is out of range {lo}..{hi}")
    return v


def firings(expr: str, start: dt.datetime, horizon_s: int, at_creation: bool = False):
    """Yield the firing instants, in seconds after `start`, up to `horizon_s`.

    A rate first fires one period after t = 0 (the project's decision); a cron fires at each matching minute.
    """
    sched = parse(expr)
    if isinstance(sched, Rate):
        t = 0 if at_creation else sched.seconds
        while t <= horizon_s:
            yield t
            t += sched.seconds
        return
    # Walk minute by minute from the first whole minute after start (at t = 0 only with at_creation).
    first = start.replace(second=0, microsecond=0)
    if first < start or not at_creation:
        first += dt.timedelta(minutes=1)
    offset = int((first - start).total_seconds())
    t = first
    while offset <= horizon_s:
        if sched.matches(t):
            yield offset
        t += dt.timedelta(minutes=1)
        offset += 60
