"""A lab without the UI: answers parsed, graded against the trace, the first divergence and its rule found,
and what-if variants that really change the outcome."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from study import lab as lm
from study import paths
from study.sim.errors import ScenarioError

HERE = Path(__file__).parent
SCEN = HERE / "snapshots" / "scenarios"


def lab_and_outcome(path: Path):
    lab = lm.load_lab(path)
    return lab, lm.run_lab(lab)


def pred(answer: str, kind: str = "number", options=()) -> lm.Prediction:
    return lm.Prediction("?", answer, kind, list(options))


@pytest.mark.parametrize("kind,text,shape,expected", [
    ("number", "3", None, 3),
    ("number", "60.5", None, 60.5),
    ("number", "60s", None, 60),
    ("list", "0, 60, 180", None, [0, 60, 180]),
    ("list", "0 60 180", None, [0, 60, 180]),
    ("list", "r1 r2 r3 r4; r5 r6", [["a"]], [["r1", "r2", "r3", "r4"], ["r5", "r6"]]),
    ("list", "yes, no", [True, False], [True, False]),
    ("bool", "Yes", None, True),
    ("bool", "n", None, False),
    ("text", " Sandbox.Timedout ", None, "Sandbox.Timedout"),
])
def test_parse_answer(kind, text, shape, expected) -> None:
    value, problem = lm.parse_answer(pred("x", kind), text, shape)
    assert problem is None and value == expected


def test_parse_answer_problems() -> None:
    assert lm.parse_answer(pred("x", "number"), "three")[1]
    assert lm.parse_answer(pred("x", "bool"), "perhaps")[1]
    assert lm.parse_answer(pred("x", "choice", ["a", "b"]), "c")[1]
    assert lm.parse_answer(pred("x", "choice", ["a", "b"]), "2") == ("b", None)
    assert lm.parse_answer(pred("x", "number"), "  ") == (None, None)  # blank: no prediction


def test_grading_uses_the_trace() -> None:
    lab, outcome = lab_and_outcome(SCEN / "async.yaml")
    starts = pred("invocations[*].start", "list")
    assert lm.grade(starts, [0, 60, 180], outcome) is True
    assert lm.grade(starts, [0.0000001, 60, 180], outcome) is True  # within 1e-6
    assert lm.grade(starts, [0, 60, 120], outcome) is False
    assert lm.grade(pred("summary.invocations"), 3, outcome) is True
    assert lm.grade(pred("inputs.e1.final", "choice", lm.FINALS), "dead_lettered", outcome) is True
    assert lm.grade(pred("inputs.e1.final", "choice", lm.FINALS), "dropped", outcome) is False
    assert lm.grade(pred("summary.invocations"), None, outcome) is None
    assert lm.grade(pred("deliveries[5].t"), 3, outcome) is False  # nothing there: cannot be right


def test_first_divergence_of_wrong_retry_times_is_the_second_run() -> None:
    lab, outcome = lab_and_outcome(SCEN / "async.yaml")
    div = lm.divergence(pred("invocations[*].start", "list"), [0, 60, 120], outcome, None)
    entry = outcome.trace["timeline"][div.index]
    assert entry["kind"] == "invoke_start" and entry["n"] == 3 and entry["t"] == 180
    assert div.rule == "async.retry-schedule"
    assert lm.divergence(pred("invocations[*].start", "list"), [0, 60, 180], outcome, None) is None


def test_divergence_for_a_count_points_at_the_unexpected_run() -> None:
    lab, outcome = lab_and_outcome(SCEN / "kinesis.yaml")
    div = lm.divergence(pred("summary.invocations"), 5, outcome, None)
    entry = outcome.trace["timeline"][div.index]
    assert entry["kind"] == "invoke_start" and entry["n"] == 6
    div = lm.divergence(pred("inputs.r6.final", "choice", lm.FINALS), "dropped", outcome, None)
    entry = outcome.trace["timeline"][div.index]
    assert "r6" in entry.get("inputs", []) and entry["kind"] == "deliver"
    assert div.rule == "stream.on-failure"


def test_time_predictions_become_markers() -> None:
    assert lm.time_markers(pred("invocations[*].start", "list"), [0, 60]) == [0.0, 60.0]
    assert lm.time_markers(pred("inputs.e1.at"), 180) == [180.0]
    assert lm.time_markers(pred("summary.invocations"), 3) == []


def test_a_scenario_without_a_lab_block_gets_generic_predictions() -> None:
    lab, outcome = lab_and_outcome(SCEN / "sqs.yaml")
    assert lab.generic and not lab.predictions
    preds = lm.generic_predictions(lab, outcome)
    assert [p.answer for p in preds] == ["summary.invocations", "inputs.m1.final"]
    assert lm.grade(preds[1], "dead_lettered", outcome) is True
    assert lm.lab_rules(lab, outcome)[0].startswith("sqs.")


def test_whatif_bisect_changes_the_outcome() -> None:
    lab, before = lab_and_outcome(paths.labs_dir() / "18.12-kinesis-poison-no-bisect.yaml")
    setting = lm.setting_for("BisectBatchOnFunctionError", lab.trigger_type)
    assert lm.current_value(lab, setting) is False
    data, notes = lm.apply_setting(lab, setting, True)
    after = lm.run_variant(lab, data)
    assert after.error is None
    rows = {r.label: r for r in lm.compare(before, after, lab.predictions)}
    assert rows["runs"].changed
    assert lm.changed_inputs(before, after)
    assert lab.data["trigger"].get("BisectBatchOnFunctionError") is None  # the original is untouched


def test_whatif_fifo_adds_what_aws_requires() -> None:
    lab, before = lab_and_outcome(SCEN / "sqs.yaml")
    data, notes = lm.apply_setting(lab, lm.setting_for("FifoQueue", "sqs"), True)
    assert data["inputs"][0]["group"] == "g1"
    assert data["trigger"]["Queue"]["RedrivePolicy"]["deadLetterTargetArn"].endswith(".fifo")
    assert any("MessageGroupId" in n for n in notes)
    after = lm.run_variant(lab, data)
    assert after.error is None and after.trace["trigger"]["Queue"]["FifoQueue"] is True


def test_whatif_refusal_is_an_outcome_not_an_exception() -> None:
    lab, _ = lab_and_outcome(SCEN / "sqs.yaml")
    data, _ = lm.apply_setting(lab, lm.setting_for("Timeout", "sqs"), 60)  # longer than VisibilityTimeout 30
    after = lm.run_variant(lab, data)
    assert after.trace is None and "VisibilityTimeout" in after.error


def test_refused_lab_predicts_the_refusal_and_the_grant_fixes_it() -> None:
    lab, outcome = lab_and_outcome(paths.labs_dir() / "18.10-s3-permission-refused.yaml")
    assert outcome.trace is None and "s3.amazonaws.com" in outcome.error
    refused = next(p for p in lab.predictions if p.answer == "error")
    assert lm.grade(refused, True, outcome) is True
    data, notes = lm.apply_setting(lab, lm.setting_for("ResourcePolicy", "s3"), "allow")
    after = lm.run_variant(lab, data)
    assert after.error is None and after.trace["summary"]["invocations"] >= 1
    assert lm.grade(refused, True, after) is False


def test_whatif_target_dlq_catches_what_eventbridge_could_not_deliver() -> None:
    lab, before = lab_and_outcome(paths.labs_dir() / "18.07-eventbridge-no-permission.yaml")
    setting = next(s for s in lm.whatif_settings(lab) if s.name == "DeadLetterConfig.Arn")
    assert setting.path == ("trigger", "DeadLetterConfig", "Arn") and lm.current_value(lab, setting) is None
    assert before.trace["inputs"]["ev1"]["final"] == "dropped"
    data, _ = lm.apply_setting(lab, setting, "sqs:rule-dlq")
    after = lm.run_variant(lab, data)
    assert after.error is None and after.trace["summary"]["invocations"] == 0
    assert after.trace["inputs"]["ev1"]["final"] == "dead_lettered"
    assert [d["kind"] for d in after.trace["deliveries"]] == ["target_dlq", "target_dlq"]
    assert [c[0] for c in lm.changed_inputs(before, after)] == ["ev1", "ev2"]
    setup = lm.describe_setup(dataclasses.replace(lab, data=data, scenario=None))
    assert any("rule's DLQ" in line for line in setup.failure)


def test_a_broken_file_is_a_scenario_error() -> None:
    with pytest.raises(ScenarioError):
        lm.load_lab(HERE / "cases" / "invalid-sqs-bisect.yaml")


def test_setup_names_the_flow_and_the_settings() -> None:
    lab, _ = lab_and_outcome(SCEN / "sqs.yaml")
    setup = lm.describe_setup(lab)
    assert setup.source.startswith("SQS queue")
    assert any("redrive" in f and "orders-dlq" in f for f in setup.failure)
    names = dict(setup.settings)
    assert names["Queue.VisibilityTimeout"] == "30" and names["BatchSize"] == "10"
    assert any("throws" in b for b in setup.behaviour)


def test_whatif_settings_follow_the_trigger() -> None:
    streams = [s.name for s in lm.whatif_settings(lm.load_lab(SCEN / "kinesis.yaml"))]
    assert {"BisectBatchOnFunctionError", "MaximumRetryAttempts", "BatchSize", "profile"} <= set(streams)
    queue = [s.name for s in lm.whatif_settings(lm.load_lab(SCEN / "sqs.yaml"))]
    assert {"BatchSize", "MaximumBatchingWindowInSeconds", "FifoQueue", "maxReceiveCount"} <= set(queue)
    alb = [s.name for s in lm.whatif_settings(lm.load_lab(SCEN / "alb.yaml"))]
    assert alb[0] == "MultiValueHeaders"


def test_one_writer_of_a_path_in_scenario_data() -> None:
    """set_in is the what-ifs' one writer: tuple or dotted paths, list indexes, null removes, values copied."""
    from study.lab.scenario_paths import get_in, set_in

    data = {"trigger": {"Queue": "not a mapping"}, "inputs": [{"id": "e1"}]}
    set_in(data, ("trigger", "Queue", "RedrivePolicy", "maxReceiveCount"), 5)
    assert data["trigger"]["Queue"] == {"RedrivePolicy": {"maxReceiveCount": 5}}
    headers = {"a": ["1"]}
    set_in(data, "inputs[0].headers", headers)
    headers["a"].append("2")
    assert data["inputs"][0]["headers"] == {"a": ["1"]}
    set_in(data, "trigger.Queue", None)
    assert "Queue" not in data["trigger"]
    assert get_in(data, "inputs[0].id") == "e1"
    assert get_in(data, ("inputs", 3, "id"), "none") == "none"
    assert get_in(data, ("trigger", "Queue", "x")) is None


def test_a_long_answer_is_clipped_in_the_comparison_and_says_so() -> None:
    from study.lab.whatif import CELL_MAX, clip

    long = ", ".join(str(n) for n in range(100_000))
    shown = clip(long)
    assert len(shown) < CELL_MAX + 40 and shown.startswith("0, 1, 2") and shown.endswith(f"({len(long):,} characters in all)")
    assert clip("1, 2, 3") == "1, 2, 3"


def test_an_endless_whatif_stops_at_the_cap_and_says_so(monkeypatch) -> None:
    from study.lab import whatif

    assert whatif.WHATIF_MAX_INVOCATIONS == 1_000_000  # the what-if may run a million invocations
    monkeypatch.setattr(whatif, "WHATIF_MAX_INVOCATIONS", 300)
    lab, _before = lab_and_outcome(paths.labs_dir() / "18.12-kinesis-poison-no-bisect.yaml")
    setting = lm.setting_for("MaximumRetryAttempts", lab.trigger_type)
    data, _notes = lm.apply_setting(lab, setting, -1)
    after = lm.run_variant(lab, data)
    assert after.trace["summary"]["stopped_by"] == "max_invocations"
    assert after.trace["summary"]["invocations"] == 300
