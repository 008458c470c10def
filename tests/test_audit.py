"""Item analysis of the question bank (study questions --audit) and the stems' self-checks."""

from __future__ import annotations

import pytest

from study.quiz import bank_questions
from study.quiz.audit import TOLERANCE, UNREASONED_MAX, audit, render
from study.quiz.generate import generate
from study.quiz.model import Option, Question
from study.quiz.question_runs import TraceCache
from study.quiz.template_model import placeholders
from study.quiz.template_params import Drawn, draw_params
from study.quiz.templates import load_templates
from study.quiz.trace_answers import MISSING, read_answer

SEEDS = range(5)


@pytest.fixture(scope="module")
def generated() -> dict[int, list[Question]]:
    """The generated items of each seed, generated once for this file: generate() keeps only four seeds, so
    going over five seeds twice would generate every one of them twice. Seed 0 last, so that it stays in that
    cache for the files run after this one in the same process."""
    return {seed: generate(seed) for seed in reversed(SEEDS)}


@pytest.fixture(scope="module")
def bank_over_seeds(generated) -> list[Question]:
    """Hand-written and generated items of seeds 0-4 (all_questions(seed) for each); an item counts once however
    many seeds produce it (the hand-written bank, labs and fixed questions are the same in every seed)."""
    out: dict[str, Question] = {}
    for seed in SEEDS:
        out.update({q.id: q for q in bank_questions() + generated[seed]})
    return list(out.values())


def test_the_bank_passes_the_audit_over_seeds_0_to_4(bank_over_seeds) -> None:
    result = audit(bank_over_seeds)
    table = render(result, "seeds 0-4")
    assert result.failures() == [], table
    assert [c.name for c in result.cues if c.items and c.margin > TOLERANCE] == [], table
    assert sum(c.items for c in result.cues) > 1000  # the cues were measured on real items
    assert result.unreasoned_share <= 100 * UNREASONED_MAX, table
    assert result.bad_forms() == {k: 0 for k in result.bad_forms()}, table
    assert result.narrow_templates() == [], table


def test_every_seed_spreads_template_keys(generated) -> None:
    for seed in SEEDS:
        assert audit(generated[seed]).narrow_templates() == [], seed


def test_bank_items_are_in_exam_form_and_explain_every_option() -> None:
    result = audit(bank_questions())
    assert result.bad_forms() == {k: 0 for k in result.bad_forms()}
    assert result.unreasoned == 0
    for q in bank_questions():
        if q.kind == "multi":
            for o in q.correct_options():
                assert o.why in q.explanation, q.id


def _item(i: int, key_long: bool) -> Question:
    texts = ["short", "a bit longer", "longer still here", "the longest option of them all"]
    key = 3 if key_long else i % 4
    opts = tuple(Option(t, k == key, "why", "m") for k, t in enumerate(texts))
    return Question(id=f"q{i}", section="18.1", rules=("lambda.serverless",), kind="single", stem="Which?",
                    options=opts, answer=texts[key], explanation="", source="generated", template=f"t{i % 7}")


def test_the_audit_can_fail() -> None:
    # Keys always the longest option: the longest-option guesser wins every time and the audit says so.
    biased = audit([_item(i, True) for i in range(40)])
    longest = next(c for c in biased.cues if c.name == "longest option")
    assert longest.share == 100.0 and longest.chance_share == 25.0
    assert any("longest option" in f for f in biased.failures())
    # Keys spread over the four lengths: within tolerance.
    fair = audit([_item(i, False) for i in range(40)])
    assert next(c for c in fair.cues if c.name == "longest option").margin <= TOLERANCE
    # Options without a reason are counted.
    bare = Option("x", False, "Not what happens here", None, "neighbour")
    q = _item(0, False)
    assert audit([q.__class__(**{**q.__dict__, "options": (*q.options, bare)})]).unreasoned == 1


def test_no_stem_shows_raw_json_or_names_the_emulator(generated) -> None:
    for q in bank_questions() + generated[0]:  # all_questions(0)
        assert "Setup: {" not in q.stem, q.id
        assert "this emulator" not in q.stem.lower(), q.id


def _alternatives(spec: dict) -> list:
    if "choices" in spec:
        return [c["value"] if isinstance(c, dict) and "value" in c else c for c in spec["choices"]]
    if "range" in spec and all(isinstance(x, int | float) for x in spec["range"]):
        return list(spec["range"])
    return []


def test_changing_a_parameter_the_stem_does_not_mention_leaves_the_key() -> None:
    """The stem holds the whole problem: for every template question, each parameter that neither the stem nor
    the setup shows is varied over its choices (or its range's ends) and the emulator's key must not move."""
    from study.sim.errors import ScenarioError

    cache = TraceCache()
    checked = 0
    problems = []
    for fam in load_templates().families:
        if fam.engine != "emulator":
            continue
        import random

        params = draw_params(fam, random.Random(f"selfcheck:{fam.id}"))
        for ask in fam.asks:
            shown = placeholders(ask.stem) | placeholders(fam.setup)
            hidden = [p for p in fam.params if p not in shown and not any(
                p in placeholders(s) for n, s in fam.params.items() if n in shown)]
            try:
                base = read_answer(ask, cache.run("emulator", cache.scenario(fam, params)), params)
            except ScenarioError:
                continue
            for name in hidden:
                for alt in _alternatives(fam.params[name]):
                    changed = {**params, name: Drawn(alt)}
                    try:
                        trace = cache.run("emulator", cache.scenario(fam, changed))
                    except ScenarioError:
                        continue
                    got = read_answer(ask, trace, changed)
                    if MISSING in (got, base) and ask.answer.get("missing") is None:
                        continue  # no answer at all: the generator draws such a set again
                    checked += 1
                    if got != base:
                        problems.append(f"{ask.id}: changing {name} to {alt!r} changes the key")
    assert checked >= 5  # most template parameters are stated in their stems
    assert problems == []
