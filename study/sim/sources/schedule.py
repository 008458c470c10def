"""A schedule: an EventBridge rule with a rate() or cron() expression; each firing is an async event (inputs
`fire1`, `fire2`, ...), so it takes no inputs (schedule.*, docs/emulator.md §5). The expressions themselves
are study/sim/schedule.py."""

from __future__ import annotations

from study.sim import payloads
from study.sim import schedule as expressions
from study.sim.engine import P_FIRE, InputState
from study.sim.scenario.checker import Checker, TriggerRules
from study.sim.scenario.defaults import MS
from study.sim.sources.async_ import ASYNC_KEYS, AsyncSource, check_settings
from study.sim.sources.base import MAPPING_ONLY_HINTS
from study.sim.sources.eventbridge import check_target_dlq


def check_trigger(c: Checker, raw: dict, p: tuple, function: dict) -> dict:
    out = check_settings(c, raw, p)
    expr = c.string(raw, "ScheduleExpression", p, required=True)
    try:
        expressions.parse(expr)
    except ValueError as err:
        raise c.fail((*p, "ScheduleExpression"), f"ScheduleExpression: {err} "
                     "(ValidationException: Parameter ScheduleExpression is not valid.)") from None
    out["ScheduleExpression"] = expr
    out["Name"] = c.string(raw, "Name", p, "demo-rule")
    out.update(check_target_dlq(c, raw, p))
    return out


RULES = TriggerRules(keys=frozenset({"ScheduleExpression", "Name", "DeadLetterConfig"}) | ASYNC_KEYS,
                     check=check_trigger, input_keys=frozenset(), hints=MAPPING_ONLY_HINTS)


class ScheduleSource(AsyncSource):
    """An EventBridge rule with a schedule: each firing is an async event (inputs `fire1`, `fire2`, ...)."""

    accept_rule = "schedule.rate"

    def start(self) -> None:
        # Firings are generated lazily up to just past the time cap: a schedule always has a next firing, so the
        # run stops at `until` or the cap, never as quiet.
        horizon = 7 * 24 * 3600 * MS + 86400 * MS
        self._times = expressions.firings(self.t["ScheduleExpression"], self.s.start_time, horizon // MS,
                                       at_creation="rate-fires-at-creation" in self.e.mis)
        self._n = 0
        self._next()

    def _next(self) -> None:
        t = next(self._times, None)
        if t is not None:
            self.e.at(t * MS, P_FIRE, self.fire)

    def fire(self) -> None:
        e = self.e
        self._n += 1
        iid = f"fire{self._n}"
        e.inputs[iid] = InputState()
        rule = "schedule.cron" if self.t["ScheduleExpression"].startswith("cron") else "schedule.rate"
        e.tl("arrive", rule, input=iid)
        self.accept([iid], payloads.scheduled_event(e, self.t, self._n), iid)
        self._next()
