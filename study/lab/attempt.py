"""A learner's attempt at a lab, without the UI: the lab opened and run with the rules it is about in words, the
name its attempts are stored under, and the rows stored for each prediction."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from study.lab.answers import actual_for, grade, show
from study.lab.lab_file import Lab, Outcome, Prediction, generic_predictions, lab_rules, load_lab, run_lab


@dataclass
class Loaded:
    """A lab ready to predict: the lab, its run, the playback of that run (None when refused), the predictions
    asked (the lab's own, or generic ones for a bare scenario), its rules as (id, statement, section), and every
    rule of content/rules.yaml by id as (statement, section)."""

    lab: Lab
    outcome: Outcome
    model: Any  # study.playback.PlaybackModel | None
    predictions: list[Prediction]
    rules: list[tuple[str, str, str]]
    rule_table: dict[str, tuple[str, str]]


def open_lab(path: str | Path, progress=None) -> Loaded:
    """Read and run a lab (call from a worker). Raises ScenarioError for a file that is not a scenario, OSError
    for one that cannot be read; a broken rules table only leaves the rules out. A run too big to keep whole
    is aggregated as it runs (study.playback.streaming); `progress(engine)` as for `Engine.run`."""
    from study.content import basis_words, load_rules
    from study.playback.reducer import PlaybackModel
    from study.playback.streaming import run_for_playback
    from study.sim.errors import ScenarioError

    lab = load_lab(path)
    if lab.scenario is None:
        outcome = run_lab(lab)
    else:
        trace, playback = run_for_playback(lab.scenario, progress)
        outcome = Outcome(trace, playback=playback)
    model = outcome.playback
    if model is None and outcome.trace is not None:
        model = PlaybackModel(outcome.trace)
    predictions = lab.predictions or generic_predictions(lab, outcome)
    rule_table: dict[str, tuple[str, str]] = {}
    basis: dict[str, str] = {}
    try:
        for rid, r in load_rules().rules.items():
            rule_table[rid] = (" ".join(str(r["statement"]).split()), str(r["section"]))
            basis[rid] = basis_words(r)
    except ScenarioError:  # the rules table is content; a broken one must not stop the lab
        rule_table = {}
    # The lab's rule list says what each rule rests on: AWS's documentation or the course's model.
    rules = [(rid, f"{rule_table[rid][0]} ({basis[rid]})" if basis.get(rid) else rule_table[rid][0],
              rule_table[rid][1]) for rid in lab_rules(lab, outcome) if rid in rule_table]
    return Loaded(lab, outcome, model, predictions, rules, rule_table)


def load_progress(report, cancelled, every_s: float = 0.25):
    """A `progress(engine)` for `open_lab` that reports how far the run is, in words, at most every `every_s`
    seconds, and cancels when `cancelled()`."""
    import time

    shown = [time.monotonic()]

    def progress(engine) -> bool:
        if time.monotonic() - shown[0] > every_s:
            shown[0] = time.monotonic()
            report(f"running the emulator… {engine.n_started:,} runs, {engine.settled:,} of "
                   f"{len(engine.inputs):,} inputs settled, t = {engine.now / 1000:,.0f} s")
        return cancelled()

    return progress


def lab_key(path: Path) -> str:
    """The name the progress store keeps a lab's attempts under: the file's stem for a lab of content/labs,
    the full path for any other scenario file."""
    from study import paths

    try:
        if path.resolve().parent == paths.labs_dir().resolve():
            return path.stem
    except OSError:
        pass
    return str(path.resolve())


def attempt_rows(predictions_values, outcome: Outcome) -> list[dict]:
    """Per (prediction, the learner's value): the question, the answer, right or not (None: no prediction),
    the rule, and the trace's answer as shown."""
    rows = []
    for pred, value in predictions_values:
        right = grade(pred, value, outcome)
        rows.append({"question": pred.question, "answer": value, "right": right, "rule": pred.rule,
                     "actual": show(actual_for(pred, outcome))})
    return rows


def jsonable(rows: list[dict]) -> list[dict]:
    """Predictions as stored: values JSON can hold (the learner's answers are numbers, text or lists)."""
    return json.loads(json.dumps(rows, default=str))
