"""The discrete-event core: a heap of (time, priority, sequence) events, execution environments, concurrency.

Sources (sync, async, SQS, streams, ALB ...) schedule their own events and ask the engine to run the function;
the engine records runs, logs and the timeline, and builds the trace every face reads.
"""

from __future__ import annotations

import datetime as dt
import heapq
import json
from collections import deque
from collections.abc import Callable
from typing import Any

from study.sim.ids import Ids
from study.sim.records import Env, InputState, Invocation, seconds
from study.sim.scenario.defaults import MS
from study.sim.scenario.input_sequence import Inputs
from study.sim.scenario.model import Scenario
from study.sim.scenario.profiles import PROFILES

# At one instant: runs that end, visibility timeouts that expire, inputs that arrive, schedule firings,
# then polls, batches and new runs (docs/scenario-format.md). Ties keep scheduling order (the sequence number).
P_END, P_VISIBLE, P_ARRIVE, P_FIRE, P_START = 0, 1, 2, 3, 4
TIME_CAP_MS = 7 * 24 * 3600 * MS
THROTTLE_CAP_S = 300
PROGRESS_EVERY = 5000  # events between two progress calls
ARRIVAL_CHUNK = 4096  # inputs sent at one instant that arrive in one event


def _arrive_slice(arrive_all: Callable[[list[dict]], None], inputs: Inputs, lo: int, hi: int) -> None:
    arrive_all(inputs[lo:hi])


class Cancelled(Exception):
    """A run stopped by its progress callback (the learner cancelled a what-if)."""


def throttle_delay_s(k: int) -> int:
    """async.throttle-backoff: 1, 2, 4, ... seconds, capped at 300."""
    return min(THROTTLE_CAP_S, 2 ** k)


class Engine:
    """Runs one scenario to its trace. Deterministic: same scenario and seed, same bytes."""

    def __init__(self, scenario: Scenario, lean: bool = False, handler_factory: Callable | None = None,
                 track_inputs: bool = True):
        """`lean`: only the summary and the inputs' final states are wanted (`study sim --summary`): no timeline,
        logs, delivery records or invocation records are kept, and with a `behavior` handler no event payload or
        request id is built. The summary is the same as the full trace's. `handler_factory(scenario, engine)`
        replaces the in-process runner of a real handler (study.challenges runs learner code in child processes).
        `track_inputs=False`: no state per input; the source counts final states (study.sim.lean_bulk)."""
        self.s = scenario
        self.lean = lean
        self.ids = Ids(scenario.seed)
        self.mis = scenario.misconceptions
        self.now = 0
        self._heap: list[tuple] = []
        self._seq = 0
        self.invocations: list[Invocation] = []
        self.deliveries: list[tuple[int, int, dict]] = []
        self.logs: list[tuple[int, int, dict]] = []
        self.timeline: list[tuple[int, int, dict]] = []
        self.inputs: dict[str, InputState] = {}
        self.http: dict[str, dict] = {}
        self.envs: list[Env] = []
        # Idle warm environments in the order they were freed (so by idle_since, then freed_seq): the oldest
        # expire first, the newest is reused first.
        self.idle: deque[Env] = deque()
        self.running = 0
        self.max_running = 0
        self.throttles = 0
        self.stopped_by = "quiet"
        self.stop_ms: int | None = None
        self.last_ms = 0
        self._epoch_base: int | None = None
        fn = scenario.function
        self.fn_arn = fn["FunctionArn"]
        self.memory = fn["MemorySize"]
        self.timeout_ms = fn["Timeout"] * MS
        self.init_ms = round(fn["init_duration"] * MS)
        self.idle_ms = round(fn["idle_ttl"] * MS)
        self.reserved = fn["ReservedConcurrentExecutions"]
        self.limit = self.reserved if self.reserved is not None else scenario.account_concurrency
        self.handler = None
        if scenario.handler:
            from study.sim.handlers import RealHandler

            # A caller may run the code elsewhere (study.challenges runs learner code in child processes).
            self.handler = (handler_factory or RealHandler)(scenario, self)
        # Payloads and request ids: for the trace, or for a real handler that reads its event.
        self.needs_events = not lean or self.handler is not None
        # Lean runs aggregate finished invocations here instead of keeping them.
        self.live: dict[int, Invocation] = {}
        self.n_started = 0
        self.settled = 0  # inputs that reached a final state (for progress)
        self.n_done = 0
        self.errors_done = 0
        self.billed_done = 0
        self.last_end_ms = 0
        self.last_delivery_ms = 0
        # Lean runs in bulk (study.sim.lean_bulk): identical runs started together, and the source's count of
        # final states when no state is kept per input.
        self.live_groups: dict[int, Any] = {}
        self.counted_finals: Callable[[], dict[str, int]] | None = None
        if track_inputs:
            for iid in scenario.inputs.ids():
                self.inputs[iid] = InputState()

    # -- the clock -------------------------------------------------------------------------------------------

    def at(self, t_ms: int, prio: int, fn: Callable, *args: Any) -> None:
        heapq.heappush(self._heap, (t_ms, prio, self._seq, fn, args))
        self._seq += 1

    def run(self, source, spool=None, progress: Callable[[Engine], bool] | None = None) -> dict | None:
        """Run to the end; return the trace (the lean result when lean). With a `TraceSpool`, finished records
        are handed to it as the run goes and None is returned: the spool writes the trace. `progress(engine)`
        is called every few thousand events (`now`, `n_started`, `settled` of `len(inputs)` tell how far the
        run is); when it returns True the run stops by raising `Cancelled`."""
        source.start()
        until = self.s.until_ms
        heap = self._heap
        every = spool.every if spool is not None else PROGRESS_EVERY if progress is not None else 0
        countdown = every
        while heap:
            if every:
                countdown -= 1
                if not countdown:
                    if spool is not None:
                        spool.flush(self)
                    if progress is not None and progress(self):
                        raise Cancelled
                    countdown = every
            t = heap[0][0]
            if until is not None and t > until:
                self.stopped_by, self.stop_ms = "until", until
                break
            if t > TIME_CAP_MS:
                self.stopped_by, self.stop_ms = "time_cap", TIME_CAP_MS
                break
            _, _, _, fn, args = heapq.heappop(heap)
            self.now = t
            fn(*args)
            if spool is not None and len(self.timeline) > spool.pending:
                spool.flush(self)
            if self.stopped_by == "max_invocations":
                self.stop_ms = self.now
                break
        if spool is not None:
            return None
        return self.lean_result() if self.lean else self.trace(source)

    def arrivals(self, inputs: Inputs, arrive_all: Callable[[list[dict]], None]) -> None:
        """Schedule `arrive_all(items)` for inputs sent at the same instant, in input order, for a source whose
        arrivals schedule nothing at their own instant ahead of the next arrival (SQS, streams): one event per
        ARRIVAL_CHUNK of them, so a backlog's arrival records can be spooled as they come (and its dicts made)."""
        for at_ms, first, end in inputs.instants():
            for lo in range(first, end, ARRIVAL_CHUNK):
                self.at(at_ms, P_ARRIVE, _arrive_slice, arrive_all, inputs, lo, min(end, lo + ARRIVAL_CHUNK))

    def iso(self, t_ms: int | None = None, ms_digits: bool = True) -> str:
        t = self.s.start_time + dt.timedelta(milliseconds=self.now if t_ms is None else t_ms)
        t = t.astimezone(dt.UTC)
        if ms_digits:
            return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"
        return t.strftime("%Y-%m-%dT%H:%M:%SZ")

    def epoch_ms(self, t_ms: int | None = None) -> int:
        base = self._epoch_base
        if base is None:
            base = self._epoch_base = int(self.s.start_time.timestamp() * 1000)
        return base + (self.now if t_ms is None else t_ms)

    # -- records ---------------------------------------------------------------------------------------------

    def tl(self, kind: str, rule: str | None = None, t_ms: int | None = None, **fields: Any) -> dict:
        if self.lean:
            t = self.now if t_ms is None else t_ms
            if t > self.last_ms:
                self.last_ms = t
            return fields
        t = self.now if t_ms is None else t_ms
        entry: dict[str, Any] = {"t": t / MS, "kind": kind, **fields}
        if rule:
            entry["rule"] = rule
        self._seq += 1
        self.timeline.append((t, self._seq, entry))
        if t > self.last_ms:
            self.last_ms = t
        return entry

    def _next(self) -> int:
        self._seq += 1
        return self._seq

    def log(self, t_ms: int, stream: str, message: str) -> None:
        if self.lean:
            return
        self.logs.append((t_ms, self._next(), {
            "t": seconds(t_ms), "group": f"/aws/lambda/{self.s.function['FunctionName']}", "stream": stream,
            "message": message}))

    def deliver(self, kind: str, target: str, input_ids: list[str], message: Any, attributes: dict | None = None,
                rule: str | None = None) -> None:
        if self.lean:
            self.last_delivery_ms = max(self.last_delivery_ms, self.now)
            self.tl("deliver")
            return
        entry = {"t": seconds(self.now), "target": target, "kind": kind, "inputs": list(input_ids),
                 "message": message}
        if attributes is not None:
            entry["attributes"] = attributes
        self.deliveries.append((self.now, self._next(), entry))
        self.last_delivery_ms = max(self.last_delivery_ms, self.now)
        self.tl("deliver", rule, target=target, delivery=kind, inputs=list(input_ids))
        for iid in input_ids:
            st = self.inputs[iid]
            if st.targets is None:
                st.targets = [target]
            elif target not in st.targets:
                st.targets.append(target)

    def settle(self, iid: str, final: str, t_ms: int | None = None) -> None:
        st = self.inputs[iid]
        if st.final == "pending":
            self.settled += 1
        st.final = final
        st.at = self.now if t_ms is None else t_ms

    # -- environments and runs -------------------------------------------------------------------------------

    def can_run(self) -> bool:
        return self.running < self.limit

    def _acquire_env(self) -> tuple[Env, bool]:
        now = self.now
        idle = self.idle
        if idle and now - idle[0].idle_since >= self.idle_ms:
            expired = []
            while idle and now - idle[0].idle_since >= self.idle_ms:
                expired.append(idle.popleft())
            for env in sorted(expired, key=lambda x: x.number):
                # Idle for idle_ttl (exactly counts): the environment is gone.
                self.tl("env_expire", "env.warm-reuse", t_ms=env.idle_since + self.idle_ms, instance=env.number)
                env.stream = None
        # Reuse the warm environment freed last.
        if idle and "every-invoke-cold" not in self.mis:
            best = idle.pop()
            return best, best.needs_init
        number = len(self.envs) + 1
        day = (self.s.start_time + dt.timedelta(milliseconds=now)).strftime("%Y/%m/%d")
        env = Env(number, f"{day}/[$LATEST]{self.ids.hex(32, 'env', number)}", now)
        self.envs.append(env)
        return env, True

    def start_run(self, inputs: list[str], event: Any, attempt: int, request_id: str, on_end: Callable,
                  shard: str | None = None, item_id: Callable[[str], str] | None = None,
                  extra: dict | None = None) -> Invocation | None:
        """Start the handler now (after INIT on a cold start). The caller has checked `can_run()`."""
        if self.n_started >= self.s.max_invocations:
            self.stopped_by = "max_invocations"
            return None
        self.n_started += 1
        env, cold = self._acquire_env()
        env.busy = True
        inv = Invocation()
        inv.n = self.n_started
        inv.request_id = request_id
        inv.inputs = inputs
        inv.shard = shard
        inv.attempt = attempt
        inv.instance = env.number
        inv.cold_start = cold
        inv.env = env
        inv.extra = extra
        inv.on_end = on_end
        inv.printed = []
        inv.init_ms = self.init_ms if cold else 0
        self.tl("env_create" if cold else "env_reuse", "env.cold-start" if cold else "env.warm-reuse",
                instance=env.number, request_id=request_id)
        inv.start = self.now + inv.init_ms
        for iid in inputs:
            self.inputs[iid].attempts += 1  # the invocations whose event held it
        inv.event = event
        status, error, response, duration = self._outcome(inv, item_id)
        if duration > self.timeout_ms:
            status, duration = "timeout", self.timeout_ms
            error = {"errorType": "Sandbox.Timedout",
                     "errorMessage": f"Task timed out after {self.timeout_ms / MS:.2f} seconds"}
            response = None
        inv.status, inv.error, inv.response, inv.duration_ms = status, error, response, duration
        inv.reset = status == "timeout" or (error is not None and str(error.get("errorType", "")).startswith("Runtime."))
        inv.end = inv.start + duration
        # pricing.init-billing: the aws profile bills ceil(init + invoke) on a cold start (whole ms already); exam bills invoke only.
        inv.init_billed_ms = inv.init_ms if cold and PROFILES[self.s.profile].init_billed else 0
        inv.billed_ms = max(1, duration + inv.init_billed_ms)
        env.needs_init = False
        if self.lean:
            self.live[inv.n] = inv
        else:
            self.invocations.append(inv)
        self.running += 1
        self.max_running = max(self.max_running, self.running)
        if self.lean:
            self.tl("invoke_start", t_ms=inv.start)
        else:
            self.tl("invoke_start", None, t_ms=inv.start, n=inv.n, inputs=list(inputs), instance=env.number,
                    attempt=attempt, cold_start=cold, **({"shard": shard} if shard else {}))
            self.log(inv.start, env.stream, f"START RequestId: {request_id} Version: $LATEST")
        self.at(inv.end, P_END, self._end_run, inv)
        return inv

    def _outcome(self, inv: Invocation, item_id) -> tuple[str, dict | None, Any, int]:
        b = self.s.behavior
        duration = b.duration_ms + b.duration_per_record_ms * len(inv.inputs)
        if self.handler is not None:
            status, error, response = self.handler.call(inv)
            if status == "timeout":  # real code that ran out of (wall) time: a timeout, worded below
                duration = self.timeout_ms + 1
            return status, error, response, duration
        throws = b.fail == "always" or inv.attempt in b.fail_attempts and self.s.type in (
            "sync", "async", "alb", "s3", "sns", "eventbridge", "schedule")
        for iid in inv.inputs:
            if iid in b.fail_records:
                limit = b.fail_records[iid]
                if limit is None or self.inputs[iid].attempts <= limit:
                    throws = True
        if throws:
            return "error", {"errorType": "Exception", "errorMessage": "Simulated failure", "stackTrace": []}, None, \
                duration
        response = None
        failures = []
        for iid in inv.inputs:
            if iid in b.report_failures:
                limit = b.report_failures[iid]
                if limit is None or self.inputs[iid].attempts <= limit:
                    failures.append(iid)
        if b.has_returns:
            response = _substitute(b.returns, item_id)
        elif failures and item_id is not None:
            response = {"batchItemFailures": [{"itemIdentifier": item_id(i)} for i in failures]}
        return "success", None, response, duration

    def _end_run(self, inv: Invocation) -> None:
        self.running -= 1
        env = inv.env
        env.busy = False
        env.idle_since = self.now
        env.freed_seq = self._next()
        self.idle.append(env)
        if inv.reset:
            env.needs_init = True  # the runtime is re-initialised on the next invoke; same log stream
        if self.lean:
            self.tl("invoke_end")
            inv.on_end(inv)
            del self.live[inv.n]
            self._count_done(inv)
            return
        for line in inv.printed:
            self.log(inv.end, env.stream, line)
        if inv.error is not None:
            if inv.status == "timeout":
                self.log(inv.end, env.stream,
                         f"{self.iso(inv.end)} {inv.request_id} Task timed out after {self.timeout_ms / MS:.2f} seconds")
            else:
                self.log(inv.end, env.stream, f"[ERROR] {inv.error.get('errorType')}: {inv.error.get('errorMessage')}")
        self.log(inv.end, env.stream, f"END RequestId: {inv.request_id}")
        self.log(inv.end, env.stream, f"REPORT RequestId: {inv.request_id}" + report_tail(
            inv.duration_ms, inv.billed_ms, self.memory, len(inv.inputs), inv.init_ms if inv.cold_start else None))
        entry = self.tl("invoke_end", None, n=inv.n, status=inv.status, inputs=list(inv.inputs))
        inv.on_end(inv)
        # The source may reclassify the run (an invalid partial-batch or ALB response is an error, a valid
        # partial response is `partial`): the timeline says what the trace's invocations[] say.
        entry["status"] = inv.status

    def _count_done(self, inv: Invocation) -> None:
        self.n_done += 1
        self.billed_done += inv.billed_ms
        end = inv.end / MS * MS  # as the full trace computes it, from the end in seconds
        if end > self.last_end_ms:
            self.last_end_ms = end
        if inv.status in ("error", "timeout"):
            self.errors_done += 1

    # -- the trace -------------------------------------------------------------------------------------------

    def cutoff(self) -> int | None:
        return self.stop_ms if self.stopped_by in ("until", "max_invocations", "time_cap") else None

    def _settle_cutoff(self, cutoff: int | None) -> None:
        # An input settled after the clock stopped (the inputs of a run still going) is still pending.
        if cutoff is None:
            return
        for st in self.inputs.values():
            if st.at is not None and st.at > cutoff:
                st.final, st.at = "pending", None

    def summary(self, n: int, errors: int, billed_ms: int, last_end_ms: float) -> dict:
        cutoff = self.cutoff()
        gb_s = billed_ms / 1000 * self.memory / 1024
        from study.sim.pricing import run_cost

        last = max(self.last_ms, last_end_ms, self.last_delivery_ms)
        if self.stopped_by == "time_cap":
            last = min(last, cutoff)
        return {
            "invocations": n, "errors": errors, "throttles": self.throttles, "requests": n,
            "gb_seconds": round(gb_s, 9),
            "cost_usd": round(run_cost(n, gb_s, self.mis), 10),
            "max_concurrency": self.max_running, "end": seconds(int(last)),
            "stopped_by": self.stopped_by,
        }

    def lean_result(self) -> dict:
        """What a lean run keeps: the summary and how many inputs ended in each final state."""
        cutoff = self.cutoff()
        n, errors, billed, last_end = self.n_done, self.errors_done, self.billed_done, self.last_end_ms
        for inv in self.live.values():  # runs still going when the clock stopped (or ending exactly then)
            if cutoff is not None and inv.start > cutoff:
                continue
            j = inv.to_json(cutoff)
            n += 1
            billed += j["billed_ms"]
            errors += j["status"] in ("error", "timeout")
            if j["end"] is not None:
                last_end = max(last_end, j["end"] * MS)
        for g in self.live_groups.values():  # the same for runs started together (study.sim.lean_bulk.Runs)
            n, billed, last_end = g.tally(cutoff, n, billed, last_end)
        self._settle_cutoff(cutoff)
        finals: dict[str, int] = {}
        if self.counted_finals is not None:
            finals = self.counted_finals()
        for st in self.inputs.values():
            finals[st.final] = finals.get(st.final, 0) + 1
        return {"summary": self.summary(n, errors, billed, last_end), "finals": dict(sorted(finals.items()))}

    def trace_head(self) -> dict:
        """The trace's first keys, in the contract's order (the full trace and the streaming writer share them)."""
        return {
            "format": "study-trace/1",
            "title": self.s.title,
            "section": self.s.section,
            "profile": self.s.profile,
            "seed": self.s.seed,
            "start_time": self.iso(0, ms_digits=False),
            "misconceptions": sorted(self.mis),
            "function": {k: v for k, v in self.s.function.items() if k != "handler" or v},
            "trigger": self.s.trigger,
        }

    def trace(self, source) -> dict:
        cutoff = self.cutoff()
        invs = []
        for inv in self.invocations:
            if cutoff is not None and inv.start > cutoff:
                continue
            invs.append(inv.to_json(cutoff))
        invs.sort(key=lambda x: x["start"])
        for i, entry in enumerate(invs, 1):
            entry["n"] = i
        self._settle_cutoff(cutoff)
        errors = sum(1 for i in invs if i["status"] in ("error", "timeout"))
        last_end = max([0] + [i["end"] * MS for i in invs if i["end"] is not None])
        trace = {
            **self.trace_head(),
            "invocations": invs,
            "deliveries": [d[2] for d in sorted(self.deliveries, key=lambda d: (d[0], d[1]))
                           if cutoff is None or d[0] <= cutoff],
            "inputs": {iid: st.to_json() for iid, st in self.inputs.items()},
            "http": [self.http[iid] for iid in source.http_order() if iid in self.http],
            "logs": [e[2] for e in sorted(self.logs, key=lambda e: (e[0], e[1])) if cutoff is None or e[0] <= cutoff],
            "timeline": [e[2] for e in sorted(self.timeline, key=lambda e: (e[0], e[1]))
                         if cutoff is None or e[0] <= cutoff],
            "summary": self.summary(len(invs), errors, sum(i["billed_ms"] for i in invs), last_end),
        }
        return trace


def report_tail(duration_ms: int, billed_ms: int, memory: int, n_inputs: int, init_ms: int | None) -> str:
    """A REPORT log line after its request id (`init_ms` on a cold start only)."""
    text = (f"\tDuration: {duration_ms:.2f} ms\tBilled Duration: {billed_ms} ms\tMemory Size: {memory} MB\t"
            f"Max Memory Used: {min(memory, 40 + n_inputs // 10)} MB")
    if init_ms is not None:
        text += f"\tInit Duration: {init_ms:.2f} ms"
    return text


def _substitute(value: Any, item_id) -> Any:
    if isinstance(value, str) and value.startswith("@") and item_id is not None:
        return item_id(value[1:])
    if isinstance(value, dict):
        return {k: _substitute(v, item_id) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, item_id) for v in value]
    return value


def dumps(trace: dict) -> str:
    """The trace as JSON text: stable key order, so the same run gives the same bytes."""
    return json.dumps(trace, indent=2, ensure_ascii=False)

