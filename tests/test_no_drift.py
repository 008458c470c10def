"""Every number both content/rules.yaml and the emulator know must agree, so lessons and emulator never drift."""

from __future__ import annotations

import pytest

from study.content import load_rules
from study.sim import engine, pricing, sqs
from study.sim.errors import ScenarioError
from study.sim.scenario.defaults import LIMITS
from study.sim.scenario.load import parse_scenario
from study.sim.scenario.profiles import PROFILES
from study.sim.sources.async_ import RETRY_DELAYS_S

# (setting name, where in rules.yaml) -> the emulator's LIMITS key.
SETTINGS = {
    ("MemorySize", "Function"): "MemorySize",
    ("Timeout", "Function"): "Timeout",
    ("MaximumRetryAttempts", "EventInvokeConfig"): "async.MaximumRetryAttempts",
    ("MaximumEventAgeInSeconds", "EventInvokeConfig"): "async.MaximumEventAgeInSeconds",
    ("BatchSize", "EventSourceMapping (stream)"): "stream.BatchSize",
    ("MaximumBatchingWindowInSeconds", "EventSourceMapping (stream)"): "stream.MaximumBatchingWindowInSeconds",
    ("MaximumRetryAttempts", "EventSourceMapping (stream)"): "stream.MaximumRetryAttempts",
    ("MaximumRecordAgeInSeconds", "EventSourceMapping (stream)"): "stream.MaximumRecordAgeInSeconds",
    ("ParallelizationFactor", "EventSourceMapping (stream)"): "stream.ParallelizationFactor",
    ("BatchSize", "EventSourceMapping (SQS)"): "sqs.BatchSize.exam",
    ("MaximumBatchingWindowInSeconds", "EventSourceMapping (SQS)"): "sqs.MaximumBatchingWindowInSeconds",
    ("VisibilityTimeout", "Queue"): "sqs.VisibilityTimeout",
    ("DelaySeconds", "Queue"): "sqs.DelaySeconds",
    ("maxReceiveCount", "RedrivePolicy"): "sqs.maxReceiveCount",
    ("MaximumConcurrency", "ScalingConfig"): "sqs.MaximumConcurrency",
}


def _settings() -> dict[tuple[str, str], list[dict]]:
    out: dict[tuple[str, str], list[dict]] = {}
    for rule in load_rules().rules.values():
        for s in rule.get("settings") or []:
            out.setdefault((s["name"], s.get("where")), []).append(s)
    return out


@pytest.mark.parametrize("key", sorted(SETTINGS), ids=lambda k: f"{k[0]}@{k[1]}")
def test_setting_ranges_and_defaults_agree(key) -> None:
    found = _settings()
    assert key in found, f"content/rules.yaml states no setting {key}"
    lo, hi, default = LIMITS[SETTINGS[key]]
    for s in found[key]:
        assert (s.get("min"), s.get("max")) == (lo, hi), f"{key}: rules.yaml {s.get('min')}..{s.get('max')}"
        assert s.get("default") == default, f"{key}: rules.yaml default {s.get('default')}, emulator {default}"


def test_every_numeric_setting_in_the_rules_is_checked() -> None:
    numeric = {k for k, v in _settings().items() if any(s.get("min") is not None for s in v)}
    unchecked = numeric - set(SETTINGS) - {("ReservedConcurrentExecutions", "Function")}
    assert not unchecked, f"add these to SETTINGS so they cannot drift: {sorted(unchecked)}"


def test_reserved_concurrency_leaves_100_unreserved() -> None:
    (s,) = _settings()[("ReservedConcurrentExecutions", "Function")]
    limits = {x["name"]: x for x in load_rules().facts["limits"]}
    account = limits["account_concurrency"]["default"]
    assert s["max"] == account - limits["unreserved_concurrency_min"]["min"]
    scenario = parse_scenario(
        f"title: t\nfunction: {{ReservedConcurrentExecutions: {s['max']}}}\ntrigger: {{type: sync}}\ninputs: []\n")
    assert scenario.function["ReservedConcurrentExecutions"] == s["max"]
    with pytest.raises(ScenarioError, match="100"):
        parse_scenario(
            f"title: t\nfunction: {{ReservedConcurrentExecutions: {s['max'] + 1}}}\ntrigger: {{type: sync}}\ninputs: []\n")


def test_function_limits_agree() -> None:
    limits = {x["name"]: x for x in load_rules().facts["limits"]}
    assert (limits["memory_mb"]["min"], limits["memory_mb"]["max"], limits["memory_mb"]["default"]) == \
        LIMITS["MemorySize"]
    assert (limits["timeout_s"]["min"], limits["timeout_s"]["max"], limits["timeout_s"]["default"]) == \
        LIMITS["Timeout"]
    assert limits["init_s"]["max"] == 10
    assert limits["account_concurrency"]["default"] == parse_scenario(
        "title: t\ntrigger: {type: sync}\ninputs: []\n").account_concurrency


def test_prices_agree() -> None:
    prices = load_rules().facts["prices"]
    assert prices["request_usd"] == pricing.REQUEST_USD
    assert prices["gb_second_usd"] == pricing.GB_SECOND_USD
    assert prices["chapter_gb_second_usd"] == pricing.CHAPTER_GB_SECOND_USD
    assert prices["free_requests"] == pricing.FREE_REQUESTS
    assert prices["free_gb_seconds"] == pricing.FREE_GB_SECONDS


def test_timings_agree() -> None:
    timings = load_rules().facts["timings"]
    assert list(RETRY_DELAYS_S) == timings["async_retry_delays_s"]
    backoff = timings["throttle_backoff_s"]
    assert [engine.throttle_delay_s(k) for k in range(12)] == [
        min(backoff["cap"], backoff["first"] * backoff["factor"] ** k) for k in range(12)]
    for profile in ("exam", "aws"):
        want = timings["sqs_scaling"][profile]
        assert PROFILES[profile].sqs_scaling == (want["per_minute"], want["cap"])
        assert sqs.INITIAL_POLLERS == want["initial"]
    default = parse_scenario("title: t\ntrigger: {type: sync}\ninputs: []\n").function["idle_ttl"]
    assert default == timings["idle_environment_ttl_s"]
    assert engine.TIME_CAP_MS == timings["time_cap_days"] * 24 * 3600 * 1000
