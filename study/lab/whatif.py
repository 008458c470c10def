"""What-if: the settings a learner may change in a lab, the changed scenario (with what AWS forces along), its run,
and the two outcomes side by side."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from study.lab.answers import actual_for, show
from study.lab.attempt import attempt_rows
from study.lab.lab_file import FINALS, MISSING, Lab, Outcome, Prediction
from study.lab.scenario_paths import get_in, set_in
from study.playback.entries import short_target
from study.playback.states import ASYNC_LIKE, STREAMS
from study.sim.permissions import PULL_POLICIES, PUSH_PRINCIPALS, SEND_ACTIONS


@dataclass(frozen=True)
class Setting:
    name: str  # AWS spelling (or ours, for emulator knobs), as labs name it
    path: tuple  # where it lives in the scenario file
    values: tuple  # candidates offered; the learner may also type one


_STREAM_RETRIES = (-1, 0, 1, 2, 3, 5, 10)
SETTINGS: dict[str, Setting] = {s.name: s for s in [
    Setting("MemorySize", ("function", "MemorySize"), (128, 256, 512, 1024, 1769, 3008, 10240)),
    Setting("Timeout", ("function", "Timeout"), (1, 3, 5, 10, 30, 60, 300, 900)),
    Setting("ReservedConcurrentExecutions", ("function", "ReservedConcurrentExecutions"), (None, 0, 1, 2, 5, 10, 100)),
    Setting("init_duration", ("function", "init_duration"), (0, 0.2, 0.5, 1, 2, 5)),
    Setting("idle_ttl", ("function", "idle_ttl"), (60, 120, 300, 600, 1800)),
    Setting("DeadLetterConfig.TargetArn", ("function", "DeadLetterConfig", "TargetArn"),
            (None, "sqs:lambda-dlq", "sns:lambda-dlq")),
    Setting("ResourcePolicy", ("function", "ResourcePolicy"), (None, "allow")),
    Setting("DeadLetterConfig.Arn", ("trigger", "DeadLetterConfig", "Arn"), (None, "sqs:rule-dlq")),
    Setting("Role", ("function", "Role"), ("grant",)),
    Setting("DelaySeconds", ("trigger", "Queue", "DelaySeconds"), (0, 5, 10, 30, 60, 900)),
    Setting("MaximumRetryAttempts", ("trigger", "MaximumRetryAttempts"), (0, 1, 2)),
    Setting("MaximumEventAgeInSeconds", ("trigger", "MaximumEventAgeInSeconds"), (60, 120, 300, 600, 3600, 21600)),
    Setting("BatchSize", ("trigger", "BatchSize"), (1, 2, 3, 4, 5, 10, 100)),
    Setting("MaximumBatchingWindowInSeconds", ("trigger", "MaximumBatchingWindowInSeconds"), (0, 1, 2, 5, 10, 30, 60)),
    Setting("BisectBatchOnFunctionError", ("trigger", "BisectBatchOnFunctionError"), (False, True)),
    Setting("MaximumRecordAgeInSeconds", ("trigger", "MaximumRecordAgeInSeconds"), (-1, 60, 120, 300, 600, 3600)),
    Setting("ParallelizationFactor", ("trigger", "ParallelizationFactor"), (1, 2, 3, 5, 10)),
    Setting("StartingPosition", ("trigger", "StartingPosition"), ("TRIM_HORIZON", "LATEST")),
    Setting("FunctionResponseTypes", ("trigger", "FunctionResponseTypes"), ((), ("ReportBatchItemFailures",))),
    Setting("Versioning", ("trigger", "Versioning"), (False, True)),
    Setting("Events", ("trigger", "Events"), (("s3:ObjectCreated:*",), ("s3:ObjectRemoved:*",),
                                               ("s3:ObjectCreated:*", "s3:ObjectRemoved:*"))),
    Setting("ScheduleExpression", ("trigger", "ScheduleExpression"),
            ("rate(1 minute)", "rate(5 minutes)", "rate(10 minutes)", "cron(0/5 * * * ? *)")),
    Setting("MultiValueHeaders", ("trigger", "MultiValueHeaders"), (False, True)),
    Setting("FifoQueue", ("trigger", "Queue", "FifoQueue"), (False, True)),
    Setting("VisibilityTimeout", ("trigger", "Queue", "VisibilityTimeout"), (5, 10, 30, 60, 180)),
    Setting("maxReceiveCount", ("trigger", "Queue", "RedrivePolicy", "maxReceiveCount"), (1, 2, 3, 5, 10)),
    Setting("MaximumConcurrency", ("trigger", "ScalingConfig", "MaximumConcurrency"), (None, 2, 5, 10, 100)),
    Setting("OnFailure.Destination", ("trigger", "DestinationConfig", "OnFailure", "Destination"),
            (None, "sqs:on-failure")),
    Setting("profile", ("profile",), ("exam", "aws")),
]}
_ALIASES = {"DestinationConfig.OnFailure.Destination": "OnFailure.Destination",
            "Queue.FifoQueue": "FifoQueue", "Queue.VisibilityTimeout": "VisibilityTimeout",
            "RedrivePolicy.maxReceiveCount": "maxReceiveCount", "ScalingConfig.MaximumConcurrency": "MaximumConcurrency",
            "DeadLetterConfig": "DeadLetterConfig.TargetArn"}
BY_TRIGGER = {
    "kinesis": ["BisectBatchOnFunctionError", "MaximumRetryAttempts", "BatchSize", "MaximumBatchingWindowInSeconds"],
    "dynamodb": ["BisectBatchOnFunctionError", "MaximumRetryAttempts", "BatchSize", "MaximumBatchingWindowInSeconds"],
    "sqs": ["BatchSize", "MaximumBatchingWindowInSeconds", "FifoQueue", "VisibilityTimeout", "maxReceiveCount"],
    "alb": ["MultiValueHeaders"],
    "sync": ["Timeout", "ReservedConcurrentExecutions"],
}
for _t in ASYNC_LIKE:
    BY_TRIGGER[_t] = ["MaximumRetryAttempts", "MaximumEventAgeInSeconds", "DeadLetterConfig.TargetArn"]


def setting_for(name: str, trigger_type: str) -> Setting | None:
    """A what-if setting by the name a lab uses; unknown names map onto a key of the function or trigger."""
    name = _ALIASES.get(name, name)
    s = SETTINGS.get(name)
    if s is None:
        if "." in name:
            return Setting(name, ("trigger", *name.split(".")), ())
        return Setting(name, ("trigger", name), ())  # the learner types a value
    if s.name == "MaximumRetryAttempts" and trigger_type in STREAMS:
        return Setting(s.name, s.path, _STREAM_RETRIES)
    if s.name == "BatchSize" and trigger_type == "sqs":
        return Setting(s.name, s.path, (1, 2, 3, 5, 10))
    return s


def whatif_settings(lab: Lab) -> list[Setting]:
    """The settings a learner may change for this lab: the lab's own first, then those of its trigger, then
    the profile."""
    names: list[str] = []
    for n in [*lab.whatif, *BY_TRIGGER.get(lab.trigger_type, []), "profile"]:
        n = _ALIASES.get(n, n)
        if n not in names:
            names.append(n)
    out = []
    for n in names:
        s = setting_for(n, lab.trigger_type)
        if s is None:
            continue
        if s.name == "maxReceiveCount" and not get_in(lab.data, ("trigger", "Queue", "RedrivePolicy")):
            continue
        out.append(s)
    return out


def current_value(lab: Lab, setting: Setting) -> Any:
    """The value in force: as written, else the default the emulator filled in."""
    written = get_in(lab.data, setting.path, MISSING)
    if written is not MISSING:
        return normal_value(written)
    sc = lab.scenario
    if sc is not None:
        if setting.path == ("profile",):
            return sc.profile
        root = {"function": sc.function, "trigger": sc.trigger}
        value = get_in(root, setting.path, MISSING)
        if value is not MISSING:
            return normal_value(value)
    if setting.path == ("profile",):
        return "exam"
    return None


def normal_value(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(normal_value(v) for v in value)
    return value


def candidates(lab: Lab, setting: Setting) -> list[Any]:
    """The values to cycle through, with the current one included."""
    values = list(setting.values)
    if setting.name == "Role":
        return [current_value(lab, setting), "grant"]
    if setting.name == "ResourcePolicy":
        cur = current_value(lab, setting)
        return [cur, "allow"] if cur not in (None, "allow") else [None, "allow"]
    cur = current_value(lab, setting)
    if cur not in values:
        values.insert(0, cur)
    return values


def show_setting(value: Any) -> str:
    if value is None or value == () or value == []:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple | list):
        return "[" + ", ".join(show_setting(v) for v in value) + "]"
    if value == "allow":
        return "allow"
    if value == "grant":
        return "grant what it needs"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {show_setting(v)}" for k, v in value.items())
    return str(value)


def apply_setting(lab: Lab, setting: Setting, value: Any) -> tuple[dict, list[str]]:
    """A copy of the scenario data with one setting changed, and notes on anything else AWS forces with it."""
    data = copy.deepcopy(lab.data)
    data.pop("expect", None)
    notes: list[str] = []
    if setting.name == "ResourcePolicy":
        if value == "allow":
            principal = PUSH_PRINCIPALS.get(lab.trigger_type)
            value = [{"Principal": principal}] if principal else None
            if principal:
                notes.append(f"the resource policy allows {principal} to call lambda:InvokeFunction")
        elif isinstance(value, tuple):
            value = list(value)
    if setting.name == "Role" and value == "grant":
        value, granted = _grant(lab)
        notes.append("the execution role gets " + ", ".join(granted))
    elif setting.name == "Role" and isinstance(value, tuple):
        value = {"Policies": list(value)}
    if isinstance(value, tuple):
        value = list(value)
    set_in(data, setting.path, value)
    if setting.name == "FifoQueue":
        notes += _fifo_coupling(data, bool(value))
    return data, notes


# The IAM tables are the emulator's (study/sim/permissions.py): the what-if grants what the emulator checks.
_SEND = {kind: action for kind, (action, *_rest) in SEND_ACTIONS.items()}


def _grant(lab: Lab) -> tuple[dict, list[str]]:
    """An execution role with what the trigger's poller and the DLQ and destinations need."""
    role = copy.deepcopy(get_in(lab.data, ("function", "Role")) or {})
    policies = list(role.get("Policies") or [])
    actions = list(role.get("Actions") or [])
    added = []
    for pol in ("AWSLambdaBasicExecutionRole", PULL_POLICIES.get(lab.trigger_type)):
        if pol and pol not in policies:
            policies.append(pol)
            added.append(pol)
    targets = [get_in(lab.data, ("function", "DeadLetterConfig", "TargetArn"))]
    for which in ("OnSuccess", "OnFailure"):
        targets.append(get_in(lab.data, ("trigger", "DestinationConfig", which, "Destination")))
    for target in targets:
        if isinstance(target, str):
            kind = target.split(":")[2] if target.startswith("arn:") else target.split(":", 1)[0]
            action = _SEND.get(kind)
            if action and action not in actions:
                actions.append(action)
                added.append(action)
    out = {"Policies": policies}
    if actions:
        out["Actions"] = actions
    return out, added or ["nothing new (it already has what it needs)"]


def _fifo_coupling(data: dict, fifo: bool) -> list[str]:
    """What AWS requires of a FIFO queue (or forbids on a standard one), applied so the change can run."""
    notes = []
    trig = data.setdefault("trigger", {})
    queue = trig.setdefault("Queue", {})
    inputs = data.get("inputs") or []

    def fix_name(name: str) -> str:
        if fifo and not name.endswith(".fifo"):
            return name + ".fifo"
        if not fifo and name.endswith(".fifo"):
            return name[:-5]
        return name

    if isinstance(queue.get("QueueName"), str):
        queue["QueueName"] = fix_name(queue["QueueName"])
    rp = queue.get("RedrivePolicy")
    if isinstance(rp, dict) and isinstance(rp.get("deadLetterTargetArn"), str):
        rp["deadLetterTargetArn"] = fix_name(rp["deadLetterTargetArn"])
        notes.append(f"its dead-letter queue becomes {rp['deadLetterTargetArn']} (same type as the queue)")
    if fifo:
        grouped = 0
        for item in inputs:
            if isinstance(item, dict) and "group" not in item:
                item["group"] = "g1"
                grouped += 1
            if isinstance(item, dict) and item.pop("delay", None) is not None:
                notes.append("per-message delays are dropped (FIFO queues have none)")
        if grouped:
            notes.append("messages without a MessageGroupId get group g1 (a FIFO queue needs one)")
        if trig.get("MaximumBatchingWindowInSeconds"):
            trig.pop("MaximumBatchingWindowInSeconds")
            notes.append("MaximumBatchingWindowInSeconds is removed (not supported for FIFO)")
        if isinstance(trig.get("BatchSize"), int) and trig["BatchSize"] > 10:
            trig["BatchSize"] = 10
            notes.append("BatchSize is capped at 10 (the FIFO limit)")
    else:
        dropped = 0
        for item in inputs:
            if isinstance(item, dict):
                dropped += item.pop("group", None) is not None
                item.pop("dedup_id", None)
        if dropped:
            notes.append("MessageGroupIds are removed (standard queues have none)")
    return notes


# A what-if may run up to a million invocations: past study.playback.streaming's FULL_RUNS the run is reduced
# into an aggregated playback as it goes instead of being kept (a million kept runs took over 13 GB).
WHATIF_MAX_INVOCATIONS = 1_000_000


def run_variant(lab: Lab, data: dict, progress=None) -> Outcome:
    """Run the emulator on changed scenario data (from a worker). A refusal is an outcome, not an exception.
    A change can make a run endless (MaximumRetryAttempts -1 on a poison record retries until the record
    expires, days later), so a what-if stops after WHATIF_MAX_INVOCATIONS runs; the trace says so. A big run
    comes back aggregated, with its playback (`Outcome.playback`).
    `progress(engine)` reports how far the run is and may cancel it (`study.sim.engine.Cancelled`)."""
    from study.playback.streaming import run_for_playback
    from study.sim.errors import ScenarioError
    from study.sim.scenario.load import build_scenario

    written = data.get("max_invocations")
    if not isinstance(written, int) or written > WHATIF_MAX_INVOCATIONS:
        data = dict(data, max_invocations=WHATIF_MAX_INVOCATIONS)
    try:
        scenario = build_scenario(data, lab.marks, lab.file, lab.base_dir)
    except ScenarioError as err:
        return Outcome(None, str(err))
    trace, playback = run_for_playback(scenario, progress)
    return Outcome(trace, playback=playback)


def final_counts(trace: dict) -> dict[str, int]:
    """How many inputs ended in each final state (an aggregated trace counts them; a full one lists them)."""
    agg = trace.get("aggregated")
    if agg:
        return dict(agg.get("finals") or {})
    counts: dict[str, int] = {}
    for v in (trace.get("inputs") or {}).values():
        counts[v.get("final")] = counts.get(v.get("final"), 0) + 1
    return counts


def delivery_counts(trace: dict) -> dict[str, int]:
    """Deliveries per target."""
    agg = trace.get("aggregated")
    if agg:
        return dict(agg.get("deliveries") or {})
    counts: dict[str, int] = {}
    for d in trace.get("deliveries") or []:
        counts[d["target"]] = counts.get(d["target"], 0) + 1
    return counts


@dataclass
class Row:
    label: str
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


CELL_MAX = 240  # characters of one answer shown in the comparison (an endless what-if's list runs to megabytes)


def clip(text: str, limit: int = CELL_MAX) -> str:
    """`text` cut at the last list separator before `limit`, saying how much was left out."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    head = head.rsplit(", ", 1)[0] if ", " in head else head
    return f"{head} … ({len(text):,} characters in all)"


def compare(a: Outcome, b: Outcome, predictions: list[Prediction]) -> list[Row]:
    """The two outcomes side by side: predictions' answers first, then totals, fates and deliveries."""
    rows: list[Row] = []

    def refused(o: Outcome) -> str:
        return "refused" if o.trace is None else "accepted"

    if a.trace is None or b.trace is None:
        rows.append(Row("configuration", refused(a), refused(b)))
    for i, p in enumerate(predictions, 1):
        rows.append(Row(f"Q{i} {p.question}", clip(show(actual_for(p, a))), clip(show(actual_for(p, b)))))
    ta, tb = a.trace or {}, b.trace or {}
    for key, label in (("invocations", "runs"), ("errors", "errors"), ("throttles", "throttles"),
                       ("max_concurrency", "max concurrency"), ("end", "last event (s)"),
                       ("gb_seconds", "GB-seconds"), ("stopped_by", "run stopped by")):
        rows.append(Row(label, show((ta.get("summary") or {}).get(key, "-")),
                        show((tb.get("summary") or {}).get(key, "-"))))
    fa, fb = final_counts(ta), final_counts(tb)
    for final in FINALS:
        ca, cb = fa.get(final, 0), fb.get(final, 0)
        if ca or cb:
            rows.append(Row(f"inputs {final}", str(ca), str(cb)))
    da, db = delivery_counts(ta), delivery_counts(tb)
    for target in sorted(set(da) | set(db)):
        rows.append(Row(f"sent to {short_target(target)}", str(da.get(target, 0)), str(db.get(target, 0))))
    return rows


def changed_inputs(a: Outcome, b: Outcome, limit: int = 8) -> list[tuple[str, str, str]]:
    """Inputs whose fate differs between the two runs."""
    ia = (a.trace or {}).get("inputs") or {}
    ib = (b.trace or {}).get("inputs") or {}
    out = []
    partial = bool((a.trace or {}).get("aggregated") or (b.trace or {}).get("aggregated"))
    for iid in ia:
        if partial and iid not in ib:
            continue  # an aggregated trace lists only its first inputs
        fa, fb = ia[iid].get("final"), (ib.get(iid) or {}).get("final")
        if fa != fb or ia[iid].get("attempts") != (ib.get(iid) or {}).get("attempts"):
            out.append((iid, f"{fa} after {ia[iid].get('attempts')} run(s)",
                        f"{fb} after {(ib.get(iid) or {}).get('attempts')} run(s)" if iid in ib else "-"))
            if len(out) >= limit:
                break
    return out


def run_whatif(lab: Lab, setting: Setting, value: Any, progress=None) -> tuple[list[str], Outcome, Any]:
    """One what-if (from a worker): the notes (what AWS forces along, a run stopped at the cap), the outcome,
    and its playback (None when refused). Raises study.sim.engine.Cancelled when `progress` cancels the run."""
    from study.playback.reducer import PlaybackModel

    data, notes = apply_setting(lab, setting, value)
    outcome = run_variant(lab, data, progress)
    if outcome.trace is not None and outcome.trace["summary"].get("stopped_by") == "max_invocations":
        notes.append(f"the run was stopped after {WHATIF_MAX_INVOCATIONS:,} invocations (it would go on)")
    model = outcome.playback
    if model is None and outcome.trace is not None:
        model = PlaybackModel(outcome.trace)
    if outcome.playback is not None:
        notes.append(f"{outcome.trace['summary']['invocations']:,} runs: too many to keep one by one, so the "
                     "playback shows counts over time (running, backlog, outcomes) and a sample of the steps")
    return notes, outcome, model


@dataclass
class WhatIfResult:
    rows: list[Row]  # the two outcomes side by side
    changed: list[tuple[str, str, str]]  # inputs whose fate differs
    guesses: list[dict]  # the learner's what-if prediction, graded (attempt rows)
    status: str  # one line: whether the outcome changes, and the prediction's score

    @property
    def shown_guesses(self) -> list[tuple[str, bool | None]]:
        return [(show(g["answer"]) if g["answer"] is not None else "", g["right"]) for g in self.guesses]


def whatif_result(title: str, base: Outcome, outcome: Outcome, predictions: list[Prediction],
                  predicted: list[Any]) -> WhatIfResult:
    """The what-if's outcome beside the lab's, and the learner's what-if prediction graded against it."""
    rows = compare(base, outcome, predictions)
    changed = changed_inputs(base, outcome)
    guesses = attempt_rows(zip(predictions, predicted), outcome)
    differs = any(r.changed for r in rows) or bool(changed)
    graded = [g for g in guesses if g["right"] is not None]
    score = (f" Your what-if prediction: {sum(1 for g in graded if g['right'])}/{len(graded)} right."
             if graded else " (no what-if prediction made)")
    status = f"{title}: " + ("the outcome changes (highlighted)." if differs else "same outcome as written.") + score
    return WhatIfResult(rows, changed, guesses, status)
