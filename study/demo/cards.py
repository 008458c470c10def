"""A playlist stop's prediction card: where the stop freezes the run, the A-D options (the trace's answer and the
answers computed with named misconceptions switched on, so even the distractors come from the emulator), and
where each option comes from, in words for the room."""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from study.demo.playlist import Stop
from study.lab.lab_file import read_lab_file
from study.lab.misconception_runs import UNUSABLE, MisconceptionRun, distinct_wrong
from study.sim.errors import ScenarioError

LETTERS = string.ascii_uppercase[:4]


@dataclass
class Card:
    question: str
    options: list[str]  # A..D
    correct: int
    sources: list[str]  # "truth" or the misconception id behind each option


def stop_index(trace: dict, stop: Stop) -> int:
    """How many timeline entries have been played when the stop freezes the scene."""
    timeline = trace["timeline"]
    if stop.at is not None:
        return sum(1 for e in timeline if e["t"] <= stop.at)
    for i, entry in enumerate(timeline):
        if entry["kind"] == stop.event:
            return i
    return len(timeline)


def make_card(lab_path: Path, stop: Stop) -> Card:
    """A-D options: the trace's answer, the misconceptions' answers, then near numbers when a card needs filling."""
    from study.sim.expect import resolve
    from study.sim.run import simulate
    from study.sim.scenario.load import load_scenario

    pred = read_lab_file(lab_path).predictions[stop.predict]
    truth = resolve(simulate(load_scenario(lab_path)), pred["answer"])
    options: list[Any] = [truth]
    sources = ["truth"]
    runs = (MisconceptionRun(mid, _answer(lab_path, pred["answer"], mid), {}) for mid in stop.distractors)
    for run, _text in distinct_wrong(truth, _show(truth), runs, _show)[0]:
        options.append(run.value)
        sources.append(run.misconception)
    for opt in pred.get("options") or []:
        if len(options) >= 4:
            break
        if opt not in options:
            options.append(opt)
            sources.append("lab option")
    step = 1
    while len(options) < 4 and isinstance(truth, int | float) and not isinstance(truth, bool):
        for cand in (truth + step, truth - step):
            if len(options) < 4 and cand not in options and cand >= 0:
                options.append(cand)
                sources.append("near number")
        step += 1
    options = options[:4]
    sources = sources[:4]
    # A stable order for the room that does not always put the truth first.
    order = sorted(range(len(options)), key=lambda i: (str(options[i]), i))
    shown = [options[i] for i in order]
    return Card(question=pred["question"], options=[_show(o) for o in shown], correct=order.index(0),
                sources=[sources[i] for i in order])


def _answer(lab_path: Path, answer: str, mid: str) -> Any:
    """The lab's answer with one misconception switched on (UNUSABLE when that run is refused or lacks it)."""
    from study.sim.expect import PathError, resolve
    from study.sim.run import simulate
    from study.sim.scenario.load import load_scenario

    try:
        return resolve(simulate(load_scenario(lab_path, frozenset({mid}))), answer)
    except (ScenarioError, PathError):
        return UNUSABLE


def _show(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_show(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def why_text(source: str, misconceptions: dict) -> str:
    """Where a card option comes from, in words for the room."""
    if source == "truth":
        return "✓ what the emulator does: the rule as AWS documents it"
    if source == "lab option":
        return "✗ another outcome this lab offers"
    if source == "near number":
        return "✗ a nearby number"
    entry = misconceptions.get(source)
    if entry:
        return f"✗ the belief: {entry['belief']}\n→ {entry['correction']}\n[{source}]"
    from study.sim.misconceptions import KNOWN

    return f"✗ the belief that {KNOWN.get(source, source)} [{source}]"


def card_whys(card: Card) -> list[str]:
    """Per option of a card: where it comes from (the misconception behind a wrong one), for the reveal."""
    from study.content import load_rules

    try:
        misconceptions = load_rules().misconceptions
    except Exception:  # the rules table is content; a broken one must not stop the demo
        misconceptions = {}
    return [why_text(src, misconceptions) for src in card.sources]
