"""Every rule says what it rests on (`basis: aws-docs` or `model`), the check names a missing or wrong one with
file and line, and learners see it where rules are listed."""

from __future__ import annotations

import io

from rich.console import Console

from study import paths
from study.content import BASIS_WORDS, _rules_problems, load_rules
from study.sim import yamlpos
from study.terminal.learn import learn

# Rules that rest on the course's modelling choices (the rule sheet's MC list and Decisions), not on AWS's pages.
EXPECTED_MODEL = {"async.retry-schedule", "async.throttle-backoff", "async.event-age", "async.reserved-zero",
                  "schedule.rate", "s3.coalescing", "alb.body-encoding", "pricing.init-billing",
                  "destinations.invoke-count", "sqs.scaling"}


def test_every_rule_has_a_basis() -> None:
    rules = load_rules().rules
    missing = sorted(rid for rid, r in rules.items() if "basis" not in r)
    assert not missing
    assert all(r.get("basis") in BASIS_WORDS for rid, r in rules.items())
    model = {rid for rid, r in rules.items() if r.get("basis") == "model"}
    assert EXPECTED_MODEL <= model, sorted(EXPECTED_MODEL - model)


def test_a_missing_or_unknown_basis_is_reported_with_its_line() -> None:
    text = paths.rules_file().read_text(encoding="utf-8")
    broken = text.replace("    basis: aws-docs\n", "", 1).replace("    basis: model\n", "    basis: folklore\n", 1)
    data, marks = yamlpos.load(broken, "rules.yaml")
    problems = [str(p) for p in _rules_problems(data, marks, "rules.yaml")]
    assert any("basis: required" in p and p.startswith("rules.yaml:") for p in problems), problems
    assert any("'folklore' is not one of" in p for p in problems), problems
    assert len(problems) == 2


def test_study_learn_lists_each_rules_basis() -> None:
    out = io.StringIO()
    assert learn("18.6", Console(file=out, width=200, color_system=None)) == 0
    text = out.getvalue()
    assert BASIS_WORDS["model"] in text  # async.retry-schedule: retries counted from the end of an attempt
    assert BASIS_WORDS["aws-docs"] in text


def test_exported_rule_cards_carry_their_basis() -> None:
    from study.export import csv_rows

    rows = {r["id"]: r for r in csv_rows(questions=[]) if r["type"] == "rule"}
    assert rows["async.retry-schedule"]["explanation"].endswith(f"Basis: {BASIS_WORDS['model']}")
    assert rows["sync.no-retry"]["explanation"].endswith(f"Basis: {BASIS_WORDS['aws-docs']}")
