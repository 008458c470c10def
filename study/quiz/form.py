"""The exam's form for generated items, applied to every template alike after the emulator has answered.

- A wrong option without a computed reason (a "neighbour" value, a bare "the trace gives X") is dropped.
- A single-answer item shows four options: the key and three computed wrong options. Where more than three are
  computed, the three are chosen so that across the bank the key sits at every rank (by value for numbers, by
  length for text) about equally often.
- A number with fewer than three computed wrong options is asked as a typed answer: no option is shown, so no
  surface cue exists; the computed wrong options still explain the misconceptions after the answer.
- Text with fewer than three computed wrong options cannot be asked fairly and is left out.
- A template question that keeps giving one key is thinned so that no key takes more than 60% of its instances;
  one that can only give a single key keeps one instance (a fixed question).
"""

from __future__ import annotations

import random
import re
from collections import Counter, defaultdict
from dataclasses import replace

from study.quiz.audit import SPREAD_MAX_SHARE, SPREAD_MIN_INSTANCES, has_reason, template_key, words
from study.quiz.model import Option, Question

SINGLE_OPTIONS = 4
_LEADING_NUMBER = re.compile(r"^(-?)\$?(\d[\d,]*(?:\.\d+)?)(?:\s+(.*))?$")


def number_of(text: str) -> tuple[float, int, str | None] | None:
    """(value, decimal places, unit words) of an option such as '3 times', '$1.24', '180 s'; None for text."""
    m = _LEADING_NUMBER.match(text.strip())
    if not m:
        return None
    digits = m.group(2).replace(",", "")
    places = len(digits.split(".")[1]) if "." in digits else 0
    unit = "USD" if "$" in text else m.group(3)
    return float(m.group(1) + digits), places, unit


SLACK = 4  # how far ahead of the least used rank an item may push its rank before it is left out


class Balancer:
    """Remembers at which rank keys were placed so far, so each new item takes the least used feasible rank;
    an item whose feasible ranks are all well ahead of the least used one is not asked (it would skew the bank)."""

    def __init__(self) -> None:
        self.used: dict[str, Counter] = defaultdict(Counter)

    force = False  # set while placing an item that alone covers a rule: it is kept at its least used rank

    def pick(self, scale: str, feasible: list[int], rng: random.Random) -> int | None:
        counts = self.used[scale]
        low = min(counts[r] for r in feasible)
        if not self.force and low > min(counts[r] for r in range(SINGLE_OPTIONS)) + SLACK:
            return None
        choice = rng.choice([r for r in feasible if counts[r] == low])
        counts[choice] += 1
        return choice


def _choose(key: Option, wrong: list[Option], measure, scale: str, balancer: Balancer,
            rng: random.Random, stem_words: set[str] | None = None) -> list[Option] | None:
    """Three wrong options putting the key at the least used feasible rank of `measure` (value or length)."""
    k = measure(key)
    # Nearest first; among text options, those sharing as many of the stem's words as the key come first, so
    # that the word-matching guesser gains nothing.
    key_shared = len(words(key.text) & stem_words) if stem_words else 0
    shared = (lambda o: -min(len(words(o.text) & stem_words), key_shared)) if key_shared else (lambda o: 0)
    below = sorted((o for o in wrong if measure(o) < k), key=lambda o: (shared(o), k - measure(o)))
    above = sorted((o for o in wrong if measure(o) > k), key=lambda o: (shared(o), measure(o) - k))
    level = [o for o in wrong if measure(o) == k]
    need = SINGLE_OPTIONS - 1
    feasible = [r for r in range(SINGLE_OPTIONS) if r <= len(below) + len(level)
                and need - r <= len(above) + len(level) and r + (need - r) <= len(wrong)]
    r = balancer.pick(scale, feasible, rng) if feasible else None
    if r is None:
        return None
    take_below = below[:r]
    take_above = above[:need - r]
    rest = [o for o in level if o not in take_below + take_above]
    chosen = take_below + take_above
    return chosen + rest[:need - len(chosen)]


def finish_single(q: Question, balancer: Balancer) -> Question | None:
    """A generated single-answer item in the exam's form, a typed number, or None when it cannot be asked fairly."""
    key = next(o for o in q.options if o.correct)
    wrong = [o for o in q.options if not o.correct and has_reason(o)]
    rng = random.Random(f"form:{q.id}")
    numbers = {o.text: number_of(o.text) for o in (key, *wrong)}
    numeric = all(v is not None for v in numbers.values())
    chosen = None
    if len(wrong) >= SINGLE_OPTIONS - 1:
        if numeric:
            chosen = _choose(key, wrong, lambda o: numbers[o.text][0], "value", balancer, rng)
        else:
            chosen = _choose(key, wrong, lambda o: len(o.text), "length", balancer, rng, words(q.stem))
    if chosen is not None:
        options = [key, *chosen]
        rng.shuffle(options)
        return replace(q, options=tuple(options))
    if numbers[key.text] is not None:
        value, places, unit = numbers[key.text]
        wrong = [o for o in wrong if numbers[o.text] is not None]
        precision = {0: 1, 1: 0.1, 2: 0.01}.get(places, 0.001)
        answer = {"value": int(value) if places == 0 else value, "precision": precision,
                  "unit": unit if unit in ("USD", "s", "ms", "GB-s", "MB") else None, "text": key.text}
        return replace(q, kind="numeric", options=(key, *wrong), answer=answer)
    return None


def balance_keys(questions: list[Question], fixed: set[str] | None = None) -> list[Question]:
    """Thin each template's instances (in order) so that no key takes more than 60% of them; a template with
    a single key keeps one instance (its id is added to `fixed`)."""
    by_template: dict[str, list[Question]] = defaultdict(list)
    for q in questions:
        by_template[q.template or ""].append(q)
    keep: set[str] = set()
    for tid, group in by_template.items():
        keys = Counter(template_key(q) for q in group)
        if not tid or len(group) < SPREAD_MIN_INSTANCES:
            keep |= {q.id for q in group}
            continue
        if len(keys) == 1:
            keep.add(group[0].id)
            if fixed is not None:
                fixed.add(tid)
            continue
        cap = {k: _cap(n, sum(keys.values()) - n) for k, n in keys.items()}
        taken: Counter = Counter()
        for q in group:
            k = template_key(q)
            if taken[k] < cap[k]:
                taken[k] += 1
                keep.add(q.id)
    return [q for q in questions if q.id in keep]


def _cap(n: int, others: int) -> int:
    """The most instances one key may keep beside `others` instances of other keys (share <= 60%)."""
    best = 1
    for t in range(1, n + 1):
        if t <= SPREAD_MAX_SHARE * (t + others):
            best = t
    return best


def finish(questions: list[Question], left_out: Counter | None = None,
           fixed: set[str] | None = None) -> list[Question]:
    """Every generated item (simulation, fact or lab) in the exam's form; bank items are written in it.
    `left_out` counts, per template, the items that could not be asked fairly (too few computed wrong options)."""
    balancer = Balancer()
    out: list[Question] = []
    deferred: list[Question] = []
    for q in questions:
        if q.kind == "single" and q.source == "generated":
            done = finish_single(q, balancer)
            if done is not None:
                out.append(done)
            else:
                deferred.append(q)
        elif q.kind == "numeric":
            out.append(replace(q, options=tuple(o for o in q.options if o.correct or has_reason(o))))
        else:
            out.append(q)
    # An item left out only for the balance of ranks is kept when no other item exercises one of its rules.
    covered = {r for q in out for r in q.rules}
    balancer.force = True
    for q in deferred:
        done = finish_single(q, balancer) if set(q.rules) - covered else None
        if done is not None:
            out.append(done)
            covered |= set(done.rules)
        elif left_out is not None:
            left_out[q.template] += 1
    return balance_keys(out, fixed)
