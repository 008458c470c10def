"""A lab without the UI: its predictions, grading against the trace, the first divergence, and what-if variants.

Pure Python (no Textual); the Lab screen calls these from workers and shows the results.
"""

from __future__ import annotations

import copy
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from study.playback.model import ASYNC_LIKE, STREAMS, entry_inputs, short_target

FINALS = ["succeeded", "failed", "dead_lettered", "dropped", "filtered", "coalesced", "pending"]
PUSH_PRINCIPALS = {"s3": "s3.amazonaws.com", "sns": "sns.amazonaws.com", "eventbridge": "events.amazonaws.com",
                   "schedule": "events.amazonaws.com", "alb": "elasticloadbalancing.amazonaws.com"}
_MISSING = object()


# -- the lab ------------------------------------------------------------------------------------------------------

@dataclass
class Prediction:
    question: str
    answer: str  # a path into the trace (or `error`)
    kind: str = "number"  # number | choice | list | text | bool
    options: list[str] = field(default_factory=list)
    rule: str | None = None

    @property
    def is_time(self) -> bool:
        """A prediction about when something happens: drawn on the timeline."""
        last = self.answer.replace("[*]", "").rsplit(".", 1)[-1]
        return last in ("start", "end", "at", "t") and self.kind in ("number", "list")


@dataclass
class Lab:
    """A scenario file read for the lab: raw data for what-ifs, the built scenario or the refusal."""

    file: str
    base_dir: Path
    data: Any
    marks: Any
    title: str
    section: str | None
    trigger_type: str
    description: str  # the brief: read before predicting (an older lab's one description)
    rules: list[str]
    predictions: list[Prediction]
    whatif: list[str]
    generic: bool  # no `lab` block: generic predictions
    scenario: Any = None
    error: str | None = None  # the configuration was refused (ScenarioError text)
    debrief: str = ""  # shown in Explain, after the commit: what happened and why


@dataclass
class Outcome:
    """What happened: a trace, or the refusal of the configuration."""

    trace: dict | None
    error: str | None = None

    def value(self, path: str) -> Any:
        """The value at `path`, or _MISSING-like None with a note when it does not resolve."""
        from study.sim.expect import PathError, resolve

        if path.strip() == "error":
            return self.error
        if self.trace is None:
            return _MISSING
        try:
            return resolve(self.trace, path)
        except PathError:
            return _MISSING


def is_missing(value: Any) -> bool:
    return value is _MISSING


def load_lab(path: str | Path) -> Lab:
    """Read a lab or any scenario file. A refused configuration is kept as `error`, not raised;
    a file that is not a scenario at all (bad YAML, no trigger) raises ScenarioError."""
    from study.sim import yamlpos
    from study.sim.config import build_scenario, lab_predicts_refusal
    from study.sim.errors import ScenarioError

    path = Path(path)
    data, marks = yamlpos.load_file(str(path))
    if not isinstance(data, dict) or not isinstance(data.get("trigger"), dict):
        raise ScenarioError("expected a scenario with title and trigger", str(path), 1, 1)
    base_dir = path.resolve().parent
    scenario, error = None, None
    lab_block = data.get("lab") if isinstance(data.get("lab"), dict) else None
    try:
        scenario = build_scenario(data, marks, str(path), base_dir)
    except ScenarioError as err:
        if not lab_predicts_refusal(lab_block):
            raise  # the file itself is wrong: the caller shows file:line:col
        error = str(err)
    ttype = str(data["trigger"].get("type", "?"))
    if lab_block is not None:
        preds = [Prediction(question=str(p.get("question", "")), answer=str(p.get("answer", "")),
                            kind=str(p.get("kind", "number")), options=[_option(o) for o in p.get("options") or []],
                            rule=p.get("rule"))
                 for p in lab_block.get("predict") or [] if isinstance(p, dict)]
        description = " ".join(str(lab_block.get("brief") or lab_block.get("description", "")).split())
        debrief = " ".join(str(lab_block.get("debrief") or lab_block.get("description", "")).split())
        rules = [str(r) for r in lab_block.get("rules") or []]
        whatif = [str(w) for w in lab_block.get("whatif") or []]
    else:
        preds, description, debrief, rules, whatif = [], "", "", [], []
    return Lab(file=str(path), base_dir=base_dir, data=data, marks=marks, title=str(data.get("title", path.name)),
               section=str(data["section"]) if data.get("section") is not None else None, trigger_type=ttype,
               description=description, rules=rules, predictions=preds, whatif=whatif, generic=lab_block is None,
               scenario=scenario, error=error, debrief=debrief)


def _option(value: Any) -> str:
    """A choice as the learner reads it: text that looks like a number keeps its quotes, so "256" (a string)
    and 256 (a number) are two different options, as they are two different answers."""
    if isinstance(value, str) and _is_number(value):
        return f'"{value}"'
    return str(value)


def run_lab(lab: Lab) -> Outcome:
    """Run the emulator on the lab's scenario (call from a worker)."""
    if lab.scenario is None:
        return Outcome(None, lab.error)
    from study.sim.run import simulate

    return Outcome(simulate(lab.scenario))


def generic_predictions(lab: Lab, outcome: Outcome) -> list[Prediction]:
    """Predictions for a scenario without a `lab` block: how many runs, and where the first input ends up."""
    preds = [Prediction("How many times does the function run?", "summary.invocations", "number")]
    inputs = list(((outcome.trace or {}).get("inputs") or {}).keys())
    if inputs:
        first = inputs[0]
        preds.append(Prediction(f"What is the final state of {first}?", f"inputs.{first}.final", "choice",
                                list(FINALS)))
    return preds


def lab_rules(lab: Lab, outcome: Outcome) -> list[str]:
    """The rules a lab is about; for a bare scenario, those its timeline shows (most frequent first)."""
    if lab.rules:
        return lab.rules
    counts: dict[str, int] = {}
    for e in (outcome.trace or {}).get("timeline") or []:
        if e.get("rule"):
            counts[e["rule"]] = counts.get(e["rule"], 0) + 1
    return sorted(counts, key=lambda r: -counts[r])[:4]


# -- answers --------------------------------------------------------------------------------------------------

_TRUE = {"y", "yes", "true", "t", "1"}
_FALSE = {"n", "no", "false", "f", "0"}


def _scalar(text: str) -> Any:
    word = text.strip()
    low = word.lower()
    if low in ("true", "false"):
        return low == "true"
    if low in ("null", "none"):
        return None
    num = word[:-1] if low.endswith("s") and _is_number(word[:-1]) else word
    if _is_number(num):
        f = float(num.replace("_", ""))
        return int(f) if f.is_integer() and "." not in num and "e" not in num.lower() else f
    return word


def _is_number(text: str) -> bool:
    try:
        float(text.replace("_", ""))
    except ValueError:
        return False
    return bool(text.strip())


def parse_answer(pred: Prediction, text: str, shape: Any = None) -> tuple[Any, str | None]:
    """The learner's typed answer as a value, or (None, what is wrong). Blank is (None, None): no prediction.
    `shape` is the kind of value the path holds (for lists of lists), never the answer itself."""
    text = (text or "").strip()
    if not text:
        return None, None
    kind = pred.kind
    if kind == "number":
        value = _scalar(text)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None, f"{text!r} is not a number"
        return value, None
    if kind == "bool":
        low = text.lower()
        if low in _TRUE:
            return True, None
        if low in _FALSE:
            return False, None
        return None, "answer yes or no"
    if kind == "choice":
        for opt in pred.options:
            if opt.lower() == text.lower():
                return opt, None
        if text.isdigit() and 1 <= int(text) <= len(pred.options):
            return pred.options[int(text) - 1], None
        return None, "pick one of: " + ", ".join(pred.options)
    if kind == "list":
        nested = isinstance(shape, list) and any(isinstance(x, list) for x in shape)
        if isinstance(shape, list) and shape and all(isinstance(x, bool) for x in shape):
            words = [w for w in re.split(r"[,\s]+", text.strip().strip("[]")) if w]
            bad = [w for w in words if w.lower() not in _TRUE | _FALSE]
            if bad:
                return None, f"answer yes or no for each, e.g. yes, no (not {bad[0]!r})"
            return [w.lower() in _TRUE for w in words], None
        cleaned = text.strip().strip("[]") if not nested else text.strip()
        if nested or ";" in text or "|" in text:
            groups = [g for g in re.split(r"\]\s*,\s*\[|[;|]", cleaned) if g.strip()]
            return [[_scalar(x) for x in re.split(r"[,\s]+", g.strip().strip("[]")) if x] for g in groups], None
        return [_scalar(x) for x in re.split(r"[,\s]+", cleaned) if x], None
    return text, None


def same(expected: Any, actual: Any, text: bool = False) -> bool:
    """Numbers within 1e-6, lists element-wise, text ignoring case and surrounding space."""
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual if isinstance(expected, bool) and isinstance(actual, bool) else (
            str(expected).lower() == str(actual).lower())
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return math.isclose(expected, actual, rel_tol=0, abs_tol=1e-6)
    if isinstance(expected, list) and isinstance(actual, list):
        return len(expected) == len(actual) and all(same(a, b, text) for a, b in zip(expected, actual))
    if isinstance(expected, str) and isinstance(actual, str):
        return expected.strip().lower() == actual.strip().lower() if text else expected == actual
    if isinstance(expected, str) and actual is not None and not isinstance(actual, list | dict):
        return expected == str(actual)
    return expected == actual


def actual_for(pred: Prediction, outcome: Outcome) -> Any:
    """The outcome's value for a prediction, as the kind compares it."""
    value = outcome.value(pred.answer)
    if pred.answer.strip() == "error" and pred.kind == "bool":
        return outcome.error is not None
    return value


def grade(pred: Prediction, predicted: Any, outcome: Outcome) -> bool | None:
    """True/False, or None when there was no prediction."""
    if predicted is None:
        return None
    actual = actual_for(pred, outcome)
    if is_missing(actual):
        return False
    if pred.answer.strip() == "error" and pred.kind == "text":
        return bool(actual) and str(predicted).lower() in str(actual).lower()
    if pred.kind == "choice" and isinstance(predicted, str) and len(predicted) > 1 and predicted[0] == '"' == \
            predicted[-1]:
        return isinstance(actual, str) and actual == predicted[1:-1]  # the text "256", not the number 256
    return same(predicted, actual, text=pred.kind in ("text", "choice"))


def show(value: Any) -> str:
    """A value as the learner reads it."""
    if is_missing(value):
        return "(nothing there)"
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        if any(isinstance(x, list) for x in value):
            return "; ".join(" ".join(show(y) for y in x) if isinstance(x, list) else show(x) for x in value)
        return ", ".join(show(x) for x in value)
    if isinstance(value, dict):
        import json

        return json.dumps(value, sort_keys=True)
    return str(value)


STREAM_DEAD = "discarded; its batch's metadata sent to the on-failure destination"


def final_label(word: str, trigger_type: str) -> str:
    """A final state as the learner reads it. On a stream, `dead_lettered` means the record was discarded and
    only its batch's metadata went to the on-failure destination: say so, keeping the trace's name."""
    if word == "dead_lettered" and trigger_type in STREAMS:
        return f"{STREAM_DEAD} (dead_lettered)"
    return word


def display(value: Any, trigger_type: str) -> str:
    """`show`, with final states in the learner's words for this trigger."""
    text = show(value)
    return final_label(text, trigger_type) if isinstance(value, str) else text


# -- the first divergence ---------------------------------------------------------------------------------------

@dataclass
class Divergence:
    index: int | None  # timeline index of the entry where the prediction and the run part ways
    note: str
    rule: str | None


def _first_diff(predicted: Any, actual: Any) -> int | None:
    if not isinstance(predicted, list) or not isinstance(actual, list):
        return None
    for i, (p, a) in enumerate(zip(predicted, actual)):
        if not same(p, a, text=True):
            return i
    if len(predicted) != len(actual):
        return min(len(predicted), len(actual))
    return None


def _find(entries: list[dict], pred, start: int = 0) -> int | None:
    for i in range(start, len(entries)):
        if pred(entries[i]):
            return i
    return None


def _rule_near(entries: list[dict], index: int, ids: list[str]) -> str | None:
    """The rule that explains an entry: its own, or the closest one before it about the same inputs."""
    if entries[index].get("rule"):
        return entries[index]["rule"]
    wanted = set(ids)
    for j in range(index - 1, -1, -1):
        e = entries[j]
        if e.get("rule") and (not wanted or wanted & set(entry_inputs(e))) and e["kind"] not in (
                "env_create", "env_reuse", "arrive"):
            return e["rule"]
    for j in range(index + 1, min(len(entries), index + 4)):
        if entries[j].get("rule") and entries[j]["kind"] not in ("env_create", "env_reuse"):
            return entries[j]["rule"]
    return None


def divergence(pred: Prediction, predicted: Any, outcome: Outcome, fallback_rule: str | None) -> Divergence | None:
    """Where the run first differs from the prediction (None when they agree or nothing was predicted)."""
    if predicted is None or grade(pred, predicted, outcome):
        return None
    rule = pred.rule or fallback_rule
    if outcome.trace is None:
        return Divergence(None, f"the configuration was refused: {outcome.error}", rule)
    if pred.answer.strip() == "error":
        return Divergence(None, "the configuration was accepted and the scenario ran", rule)
    from study.sim.expect import parse_path

    entries = outcome.trace.get("timeline") or []
    actual = actual_for(pred, outcome)
    parts = parse_path(pred.answer)
    head = parts[0]
    index: int | None = None
    note = ""
    if head == "invocations" and len(parts) >= 2:
        invs = outcome.trace.get("invocations") or []
        if parts[1] == "*":
            j = _first_diff(predicted, actual) if isinstance(predicted, list) else 0
        else:
            j = parts[1] if isinstance(parts[1], int) else 0
        field_name = parts[2] if len(parts) > 2 else ""
        if j is None:
            j = 0
        if j >= len(invs):
            index = len(entries) - 1 if entries else None
            note = f"you predicted run #{j + 1}, but only {len(invs)} ran"
        else:
            kind = "invoke_end" if field_name in ("end", "status", "error", "response", "billed_ms") else "invoke_start"
            n = invs[j]["n"]
            index = _find(entries, lambda e: e["kind"] == kind and e.get("n") == n)
            note = f"run #{n} is the first that differs"
    elif head == "summary" and len(parts) >= 2:
        key = parts[1]
        p = predicted if isinstance(predicted, int | float) and not isinstance(predicted, bool) else None
        a = actual if isinstance(actual, int | float) and not isinstance(actual, bool) else None
        if key in ("invocations", "requests") and p is not None and a is not None:
            if p < a:
                nth = max(0, int(p))
                index = _nth(entries, lambda e: e["kind"] == "invoke_start", nth)
                note = f"run #{nth + 1} is one you did not expect"
            else:
                index = _last(entries, lambda e: e["kind"] == "invoke_end")
                note = f"the last run (#{int(a)}) is here; nothing ran after it"
        elif key == "errors" and p is not None and a is not None and p < a:
            index = _nth(entries, lambda e: e["kind"] == "invoke_end" and e.get("status") in ("error", "timeout"),
                         max(0, int(p)))
            note = f"error #{int(p) + 1} is one you did not expect"
        elif key == "throttles" and p is not None and a is not None and p < a:
            index = _nth(entries, lambda e: e["kind"] == "throttle", max(0, int(p)))
            note = f"throttle #{int(p) + 1} is one you did not expect"
        elif key == "max_concurrency" and p is not None:
            index = _concurrency_point(entries, int(p), a)
            note = "concurrency passes your figure here" if a is not None and p < a else "the busiest moment"
        else:
            index = len(entries) - 1 if entries else None
            note = f"summary.{key} is the total at the end of the run"
    elif head == "inputs" and len(parts) >= 2:
        iid = str(parts[1])
        key = parts[2] if len(parts) > 2 else "final"
        info = (outcome.trace.get("inputs") or {}).get(iid) or {}
        mentions = [i for i, e in enumerate(entries) if iid in entry_inputs(e)]
        p = predicted if isinstance(predicted, int | float) and not isinstance(predicted, bool) else None
        if key in ("attempts", "receive_count") and p is not None and isinstance(actual, int) and p < actual:
            starts = [i for i in mentions if entries[i]["kind"] == "invoke_start"]
            nth = max(0, int(p))
            index = starts[nth] if nth < len(starts) else (starts[-1] if starts else None)
            note = f"run {nth + 1} with {iid} is one you did not expect"
        else:
            index = _settling(entries, mentions, info)
            note = f"{iid} ends {info.get('final', '?')} here"
    elif head == "deliveries":
        dels = [i for i, e in enumerate(entries) if e["kind"] == "deliver" and e.get("delivery") != "http"]
        j = parts[1] if len(parts) > 1 and isinstance(parts[1], int) else 0
        if parts[1:2] == ["*"]:
            j = _first_diff(predicted, actual) or 0
        if dels:
            index = dels[min(j, len(dels) - 1)]
            note = "the delivery to a DLQ or destination"
        else:
            note = "nothing was sent to a DLQ or destination"
    elif head == "http":
        https = outcome.trace.get("http") or []
        j = parts[1] if len(parts) > 1 and isinstance(parts[1], int) else (_first_diff(predicted, actual) or 0)
        if j < len(https):
            iid = https[j].get("input")
            mentions = [i for i, e in enumerate(entries) if iid in entry_inputs(e)]
            index = mentions[-1] if mentions else None
            note = f"the answer to {iid}"
    if index is None and not note:
        note = "the outcome differs (no single step of the timeline shows it)"
    if index is not None:
        ids = entry_inputs(entries[index])
        rule = _rule_near(entries, index, ids) or rule
    return Divergence(index, note, rule)


def _nth(entries: list[dict], pred, nth: int) -> int | None:
    count = 0
    for i, e in enumerate(entries):
        if pred(e):
            if count == nth:
                return i
            count += 1
    return None


def _last(entries: list[dict], pred) -> int | None:
    for i in range(len(entries) - 1, -1, -1):
        if pred(entries[i]):
            return i
    return None


def _concurrency_point(entries: list[dict], limit: int, actual: Any) -> int | None:
    running, best, best_i = 0, -1, None
    for i, e in enumerate(entries):
        if e["kind"] == "invoke_start":
            running += 1
            if running > limit and isinstance(actual, int) and limit < actual:
                return i
            if running > best:
                best, best_i = running, i
        elif e["kind"] == "invoke_end":
            running -= 1
    return best_i


def _settling(entries: list[dict], mentions: list[int], info: dict) -> int | None:
    """The entry that settled an input's fate: the last one about it at its `at` time."""
    if not mentions:
        return None
    at = info.get("at")
    if at is not None:
        at_t = [i for i in mentions if abs(float(entries[i]["t"]) - float(at)) < 1e-9]
        if at_t:
            return at_t[-1]
    return mentions[-1]


def time_markers(pred: Prediction, predicted: Any) -> list[float]:
    """Predicted times to place on the timeline."""
    if not pred.is_time or predicted is None:
        return []
    values = predicted if isinstance(predicted, list) else [predicted]
    return [float(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool)]


# -- what-if ------------------------------------------------------------------------------------------------------

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
        if s.name == "maxReceiveCount" and not _get(lab.data, ("trigger", "Queue", "RedrivePolicy")):
            continue
        out.append(s)
    return out


def _get(data: Any, path: tuple, default: Any = None) -> Any:
    node = data
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return default
        node = node[key]
    return node


def current_value(lab: Lab, setting: Setting) -> Any:
    """The value in force: as written, else the default the emulator filled in."""
    written = _get(lab.data, setting.path, _MISSING)
    if written is not _MISSING:
        return _normal(written)
    sc = lab.scenario
    if sc is not None:
        if setting.path == ("profile",):
            return sc.profile
        root = {"function": sc.function, "trigger": sc.trigger}
        value = _get(root, setting.path, _MISSING)
        if value is not _MISSING:
            return _normal(value)
    if setting.path == ("profile",):
        return "exam"
    return None


def _normal(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_normal(v) for v in value)
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
    _put(data, setting.path, value)
    if setting.name == "FifoQueue":
        notes += _fifo_coupling(data, bool(value))
    return data, notes


_MANAGED = {"sqs": "AWSLambdaSQSQueueExecutionRole", "kinesis": "AWSLambdaKinesisExecutionRole",
            "dynamodb": "AWSLambdaDynamoDBExecutionRole"}
_SEND = {"sqs": "sqs:SendMessage", "sns": "sns:Publish", "lambda": "lambda:InvokeFunction",
         "events": "events:PutEvents", "s3": "s3:PutObject"}


def _grant(lab: Lab) -> tuple[dict, list[str]]:
    """An execution role with what the trigger's poller and the DLQ and destinations need."""
    role = copy.deepcopy(_get(lab.data, ("function", "Role")) or {})
    policies = list(role.get("Policies") or [])
    actions = list(role.get("Actions") or [])
    added = []
    for pol in ("AWSLambdaBasicExecutionRole", _MANAGED.get(lab.trigger_type)):
        if pol and pol not in policies:
            policies.append(pol)
            added.append(pol)
    targets = [_get(lab.data, ("function", "DeadLetterConfig", "TargetArn"))]
    for which in ("OnSuccess", "OnFailure"):
        targets.append(_get(lab.data, ("trigger", "DestinationConfig", which, "Destination")))
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


def _put(data: dict, path: tuple, value: Any) -> None:
    node = data
    for key in path[:-1]:
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    if value is None:
        node.pop(path[-1], None)
    else:
        node[path[-1]] = value


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


# A what-if keeps its whole trace and playback model in memory: a million runs took over 13 GB (an endless
# DynamoDB retry what-if in the all-labs sweep). Until the trace and playback aggregate (issue 14), 20,000.
WHATIF_MAX_INVOCATIONS = 20_000


def run_variant(lab: Lab, data: dict, progress=None) -> Outcome:
    """Run the emulator on changed scenario data (from a worker). A refusal is an outcome, not an exception.
    A change can make a run endless (MaximumRetryAttempts -1 on a poison record retries until the record
    expires, days later), so a what-if stops after WHATIF_MAX_INVOCATIONS runs; the trace says so.
    `progress(engine)` reports how far the run is and may cancel it (`study.sim.engine.Cancelled`)."""
    from study.sim.config import build_scenario
    from study.sim.errors import ScenarioError
    from study.sim.run import simulate

    written = data.get("max_invocations")
    if not isinstance(written, int) or written > WHATIF_MAX_INVOCATIONS:
        data = dict(data, max_invocations=WHATIF_MAX_INVOCATIONS)
    try:
        scenario = build_scenario(data, lab.marks, lab.file, lab.base_dir)
    except ScenarioError as err:
        return Outcome(None, str(err))
    return Outcome(simulate(scenario, progress))


@dataclass
class Row:
    label: str
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


def compare(a: Outcome, b: Outcome, predictions: list[Prediction]) -> list[Row]:
    """The two outcomes side by side: predictions' answers first, then totals, fates and deliveries."""
    rows: list[Row] = []

    def refused(o: Outcome) -> str:
        return "refused" if o.trace is None else "accepted"

    if a.trace is None or b.trace is None:
        rows.append(Row("configuration", refused(a), refused(b)))
    for i, p in enumerate(predictions, 1):
        rows.append(Row(f"Q{i} {p.question}", show(actual_for(p, a)), show(actual_for(p, b))))
    ta, tb = a.trace or {}, b.trace or {}
    for key, label in (("invocations", "runs"), ("errors", "errors"), ("throttles", "throttles"),
                       ("max_concurrency", "max concurrency"), ("end", "last event (s)"),
                       ("gb_seconds", "GB-seconds"), ("stopped_by", "run stopped by")):
        rows.append(Row(label, show((ta.get("summary") or {}).get(key, "-")),
                        show((tb.get("summary") or {}).get(key, "-"))))
    for final in FINALS:
        ca = sum(1 for v in (ta.get("inputs") or {}).values() if v.get("final") == final)
        cb = sum(1 for v in (tb.get("inputs") or {}).values() if v.get("final") == final)
        if ca or cb:
            rows.append(Row(f"inputs {final}", str(ca), str(cb)))
    targets = sorted({d["target"] for d in (ta.get("deliveries") or []) + (tb.get("deliveries") or [])})
    for target in targets:
        ca = sum(1 for d in ta.get("deliveries") or [] if d["target"] == target)
        cb = sum(1 for d in tb.get("deliveries") or [] if d["target"] == target)
        rows.append(Row(f"sent to {short_target(target)}", str(ca), str(cb)))
    return rows


def changed_inputs(a: Outcome, b: Outcome, limit: int = 8) -> list[tuple[str, str, str]]:
    """Inputs whose fate differs between the two runs."""
    ia = (a.trace or {}).get("inputs") or {}
    ib = (b.trace or {}).get("inputs") or {}
    out = []
    for iid in ia:
        fa, fb = ia[iid].get("final"), (ib.get(iid) or {}).get("final")
        if fa != fb or ia[iid].get("attempts") != (ib.get(iid) or {}).get("attempts"):
            out.append((iid, f"{fa} after {ia[iid].get('attempts')} run(s)",
                        f"{fb} after {(ib.get(iid) or {}).get('attempts')} run(s)" if iid in ib else "-"))
            if len(out) >= limit:
                break
    return out


# -- the setup, for the Predict view ---------------------------------------------------------------------------

@dataclass
class Setup:
    source: str
    path: str  # the queue, mapping or call in between
    function: str
    failure: list[str]  # DLQ and destinations, or what the caller gets
    settings: list[tuple[str, str]]  # AWS names and values
    behaviour: list[str]
    inputs: str
    input_lines: list[tuple[str, str]] = field(default_factory=list)  # (id at t, every other field in full)
    handler_source: str | None = None  # a real handler's code, shown before predicting
    handler_file: str | None = None


def describe_setup(lab: Lab) -> Setup:
    """What the learner needs to predict: source -> queue or mapping -> function -> DLQ and destinations."""
    data = lab.data
    sc = lab.scenario
    trig = sc.trigger if sc is not None else dict(data.get("trigger") or {})
    fn = sc.function if sc is not None else dict(data.get("function") or {})
    t = lab.trigger_type
    q = trig.get("Queue") or {}
    stream = trig.get("Stream") or {}
    source = {
        "sync": "client (Invoke, RequestResponse)",
        "async": "caller (Invoke, InvocationType Event)",
        "s3": f"S3 bucket {trig.get('Bucket', 'demo-bucket')}",
        "sns": f"SNS topic {trig.get('TopicName', 'demo-topic')}",
        "eventbridge": f"EventBridge bus {trig.get('EventBusName', 'default')}",
        "schedule": f"EventBridge rule {trig.get('Name', 'demo-rule')}",
        "sqs": f"SQS queue {q.get('QueueName', 'demo-queue')}",
        "kinesis": f"Kinesis stream {stream.get('StreamName', 'demo-stream')} ({stream.get('ShardCount', 1)} shard(s))",
        "dynamodb": f"DynamoDB stream of {stream.get('TableName', 'demo-table')}",
        "alb": "Application Load Balancer",
    }.get(t, t)
    path = {
        "sync": "synchronous invoke (caller waits)",
        "alb": "target group (sync invoke)",
        "sqs": "event source mapping (poller)",
        "kinesis": "event source mapping (poller)",
        "dynamodb": "event source mapping (poller)",
    }.get(t, "Lambda's internal event queue (async)")
    name = fn.get("FunctionName", "demo")
    function = f"λ {name} · {fn.get('MemorySize', 128)} MB · Timeout {fn.get('Timeout', 3)} s"
    failure: list[str] = []
    dlq = (fn.get("DeadLetterConfig") or {}).get("TargetArn")
    dests = trig.get("DestinationConfig") or {}
    for which in ("OnSuccess", "OnFailure"):
        dest = (dests.get(which) or {}).get("Destination")
        if dest:
            failure.append(f"{which} → {short_target(dest)}")
    if dlq:  # shown as configured: whether it is used is for the learner to predict
        failure.append(f"DLQ → {short_target(dlq)}")
    target_dlq = (trig.get("DeadLetterConfig") or {}).get("Arn")
    if target_dlq:
        failure.append(f"rule's DLQ → {short_target(target_dlq)}")
    rp = q.get("RedrivePolicy") if isinstance(q, dict) else None
    if rp:
        failure.append(f"queue redrive → {short_target(rp.get('deadLetterTargetArn', '?'))} after "
                       f"{rp.get('maxReceiveCount')} receives")
    if t in ("sync", "alb"):
        failure.append("errors go back to the caller")
    if not failure:
        failure.append("no DLQ or destination")
    settings = _settings(lab, trig, fn)
    source_code, handler_file = _handler_source(lab)
    return Setup(source, path, function, failure, settings, _behaviour(data), _inputs(data, t),
                 _input_lines(data, t), source_code, handler_file)


def _handler_source(lab: Lab) -> tuple[str | None, str | None]:
    """A real handler's file, read so the learner can see the code the questions are about."""
    handler = (lab.data.get("function") or {}).get("handler") if isinstance(lab.data, dict) else None
    if not isinstance(handler, str) or ":" not in handler:
        return None, None
    rel = handler.rsplit(":", 1)[0]
    try:
        return (lab.base_dir / rel).read_text(encoding="utf-8"), rel
    except OSError:
        return None, rel


def _input_lines(data: dict, ttype: str) -> list[tuple[str, str]]:
    """Every input with every field it has (method, path, query string, headers, body; body, attributes,
    delay, group; partition key and data; keys and images; source, detail-type and detail; key and event
    type; message and attributes; the payload), in full: the questions may be about any of them."""
    import json

    out: list[tuple[str, str]] = []
    for item in data.get("inputs") or []:
        if not isinstance(item, dict):
            continue
        at = item.get("at", 0)
        if "count" in item:
            rest = {k: v for k, v in item.items() if k not in ("at", "count", "prefix")}
            head = f"{item.get('prefix')}1..{item.get('prefix')}{item.get('count')} at {at:g} s"
            extra = "; ".join(f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in rest.items())
            out.append((head, f"{item.get('count')} inputs" + (f"; {extra}" if extra else "")))
            continue
        head = f"{item.get('id')} at {at:g} s" if isinstance(at, int | float) else f"{item.get('id')} at {at}"
        rest = {k: v for k, v in item.items() if k not in ("at", "id")}
        out.append((head, "; ".join(f"{k}: {v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)}"
                                    for k, v in rest.items()) or "(no fields)"))
    return out


_HIDDEN = {"type", "effective_visibility_timeout", "permitted", "TargetGroupArn", "QueueArn", "StreamArn",
           "BucketArn", "mapping_at", "StartingPositionTimestamp"}


def _flatten(prefix: str, value: Any, out: list[tuple[str, str]]) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            if k in _HIDDEN or k.endswith("Arn") and k not in ("deadLetterTargetArn", "TargetArn", "Arn"):
                continue
            _flatten(f"{prefix}.{k}" if prefix else k, v, out)
        return
    if value is None:
        return
    out.append((prefix, show_setting(_normal(value)) if not isinstance(value, str) else short_target(value)))


def _settings(lab: Lab, trig: dict, fn: dict) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    _flatten("", {k: v for k, v in trig.items() if k not in _HIDDEN}, out)
    for key in ("MemorySize", "Timeout", "ReservedConcurrentExecutions"):
        if fn.get(key) is not None:
            out.append((key, show_setting(fn[key])))
    dlq = (fn.get("DeadLetterConfig") or {}).get("TargetArn")
    if dlq:
        out.append(("DeadLetterConfig.TargetArn", short_target(dlq)))
    if fn.get("init_duration"):
        out.append(("init_duration", f"{fn['init_duration']:g} s"))
    if fn.get("idle_ttl") not in (None, 300, 300.0):
        out.append(("idle_ttl", f"{fn['idle_ttl']:g} s"))
    if fn.get("ResourcePolicy") is not None:
        out.append(("ResourcePolicy", ", ".join(str(s.get("Principal")) for s in fn["ResourcePolicy"]) or "none"))
    if fn.get("Role") is not None:
        out.append(("Role.Policies", ", ".join(fn["Role"].get("Policies") or []) or "none"))
    profile = lab.scenario.profile if lab.scenario is not None else lab.data.get("profile", "exam")
    out.append(("profile", str(profile)))
    return out


def _ids_text(ids: Any) -> str:
    if isinstance(ids, dict):
        return ", ".join(f"{k} (first {v})" if v else str(k) for k, v in ids.items())
    if isinstance(ids, list):
        return ", ".join(str(x) for x in ids)
    return str(ids)


def _behaviour(data: dict) -> list[str]:
    fn = data.get("function") or {}
    b = fn.get("behavior") or {}
    lines = []
    if fn.get("handler"):
        lines.append(f"runs real code: {fn['handler']}")
    duration = b.get("duration", 0)
    per = b.get("duration_per_record")
    lines.append(f"each run takes {duration:g} s" + (f" + {per:g} s per record" if per else ""))
    if b.get("fail") == "always":
        lines.append("throws an error on every run")
    if b.get("fail_attempts"):
        lines.append("throws on attempt(s) " + ", ".join(str(a) for a in b["fail_attempts"]))
    if b.get("fail_records"):
        fr = b["fail_records"]
        if isinstance(fr, dict):
            lines.append("throws when the event holds " + ", ".join(
                f"{k} (its first {v} deliveries)" if v else str(k) for k, v in fr.items()))
        else:
            lines.append(f"throws whenever the event holds {_ids_text(fr)}")
    if b.get("report_failures"):
        lines.append(f"reports {_ids_text(b['report_failures'])} in batchItemFailures")
    if "returns" in b:
        import json

        lines.append("returns " + json.dumps(b["returns"], separators=(", ", ": "), ensure_ascii=False))
    if len(lines) == 1 and not b.get("fail"):
        lines.append("succeeds")
    return lines


def _inputs(data: dict, ttype: str) -> str:
    items = data.get("inputs") or []
    if ttype == "schedule":
        return "no inputs: the rule fires by itself"
    parts = []
    for item in items[:6]:
        if not isinstance(item, dict):
            continue
        at = item.get("at", 0)
        if "count" in item:
            parts.append(f"{item.get('prefix')}1..{item.get('prefix')}{item.get('count')} at {at} s")
        else:
            extra = ""
            if ttype == "s3":
                extra = f" {item.get('op', 'put')} {item.get('key', '')}"
            elif item.get("group") is not None:
                extra = f" (group {item['group']})"
            parts.append(f"{item.get('id')}{extra} at {at} s")
    more = f" and {len(items) - 6} more" if len(items) > 6 else ""
    return "; ".join(parts) + more
