"""Item analysis: how far a knowledge-free guesser gets on the bank, cue by cue, against chance.

A guesser never reads the rules; it picks by a surface feature of the item (the longest option, a rank among
numbers, words shared with the stem, the key its template gave most often). When a cue picks the key more often
than chance, the bank rewards test-wiseness instead of knowledge. The audit also counts option forms, how many
distinct keys each template gives and how many wrong options lack a named reason.

Everything here works on `Question` data only, so it applies to every template, bank file and lab alike.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from math import comb

from study.quiz.model import Question, _num_key

TOLERANCE = 5.0  # points above chance a cue may reach before the bank fails the audit
SPREAD_MIN_INSTANCES = 4  # templates with at least this many instances must vary their key ...
SPREAD_MAX_SHARE = 0.60  # ... and no key may take more than this share of them
UNREASONED_MAX = 0.10  # the largest share of wrong options without a named reason
# Wrong options whose why is written from a fact table or by hand, or (trace) that state an input's own computed
# fate in the run, for a set-of-inputs item.
REASONED_SOURCES = ("fact", "bank", "trace")

_WORD = re.compile(r"[a-z0-9][a-z0-9'_-]*")
STOPWORDS = frozenset(
    "a an the of to in on at by for and or is are be been it its this that these those with as from what which "
    "who how when does do did not no yes was were will would can could has have had after before than then".split())
TRUTH_WORDS = {"true", "false"}


@dataclass
class Cue:
    """One guessing strategy's result over the items it applies to."""

    name: str
    items: int = 0
    right: float = 0.0  # expected right answers (ties are broken at random, so fractions count)
    chance: float = 0.0  # expected right answers of a blind guess over the same items

    def add(self, right: float, chance: float) -> None:
        self.items += 1
        self.right += right
        self.chance += chance

    @property
    def share(self) -> float:
        return 100.0 * self.right / self.items if self.items else 0.0

    @property
    def chance_share(self) -> float:
        return 100.0 * self.chance / self.items if self.items else 0.0

    @property
    def margin(self) -> float:
        return self.share - self.chance_share


@dataclass
class Audit:
    questions: int = 0
    cues: list[Cue] = field(default_factory=list)
    option_counts: dict[str, Counter] = field(default_factory=dict)  # kind -> Counter(option count)
    template_keys: dict[str, Counter] = field(default_factory=dict)  # template -> Counter(key)
    wrong_options: int = 0
    unreasoned: int = 0
    unreasoned_by_source: Counter = field(default_factory=Counter)

    @property
    def unreasoned_share(self) -> float:
        return 100.0 * self.unreasoned / self.wrong_options if self.wrong_options else 0.0

    def keys_histogram(self) -> Counter:
        """Templates by their number of distinct keys (1, 2, 3, 4+)."""
        return Counter(min(len(c), 4) for c in self.template_keys.values())

    def narrow_templates(self) -> list[tuple[str, int, int, int]]:
        """(template, instances, distinct keys, top key's count) of templates that do not spread their keys."""
        out = []
        for tid, keys in sorted(self.template_keys.items()):
            n = sum(keys.values())
            top = keys.most_common(1)[0][1]
            if n >= SPREAD_MIN_INSTANCES and (len(keys) == 1 or top > SPREAD_MAX_SHARE * n):
                out.append((tid, n, len(keys), top))
        return out

    def bad_forms(self) -> dict[str, int]:
        """Items not in the exam's form: single answer with other than 4 options, multiple answer with fewer than
        5 options, or with a key count other than the stem's "Choose TWO/THREE"."""
        out = {k: 0 for k in ("single without 4 options", "multi with under 5 options", "multi without Choose N")}
        out["single without 4 options"] = sum(v for n, v in self.option_counts.get("single", Counter()).items()
                                             if n != 4)
        out["multi with under 5 options"] = sum(v for n, v in self.option_counts.get("multi", Counter()).items()
                                               if n < 5)
        out["multi without Choose N"] = self.option_counts.get("multi-choose-mismatch", Counter()).total()
        return out

    def failures(self) -> list[str]:
        """What makes the bank fail the audit, in words (empty when it passes)."""
        out = [f"cue {c.name!r}: {c.share:.1f}% right against {c.chance_share:.1f}% chance over {c.items} items"
               for c in self.cues if c.items and c.margin > TOLERANCE]
        out += [f"template {t}: {d} distinct key(s) over {n} instances, the commonest in {top}"
                for t, n, d, top in self.narrow_templates()]
        if self.unreasoned_share > 100 * UNREASONED_MAX:
            out.append(f"{self.unreasoned_share:.1f}% of wrong options have no named reason "
                       f"({self.unreasoned} of {self.wrong_options})")
        out += [f"{n} items: {what}" for what, n in self.bad_forms().items() if n]
        return out


# -- cues ------------------------------------------------------------------------------------------------------

@lru_cache(maxsize=65536)
def words(text: str) -> frozenset[str]:
    return frozenset(w for w in _WORD.findall(text.lower()) if w not in STOPWORDS)


def _pick_best(scores: list[float], correct: list[bool]) -> float:
    """Expected right answers when the guesser takes the best-scoring option, ties broken at random."""
    best = max(scores)
    tied = [c for s, c in zip(scores, correct) if s == best]
    return sum(tied) / len(tied)


def _shown(q: Question) -> bool:
    """Items whose options the learner chooses among (typed numbers and orderings show no choice to guess)."""
    return q.kind in ("single", "multi") and len(q.options) >= 2


def _is_true_false(q: Question) -> bool:
    return q.kind == "single" and {o.text.strip().lower() for o in q.options} == TRUTH_WORDS


def _numbers(q: Question) -> list[float] | None:
    values = [_num_key(o.text) for o in q.options]
    if any(v == float("inf") for v in values) or len(set(values)) != len(values):
        return None
    return values


def template_key(q: Question) -> str:
    a = q.answer
    if isinstance(a, dict):
        return str(a.get("text", a.get("value")))
    if isinstance(a, list | tuple):
        return " | ".join(sorted(map(str, a))) if q.kind == "multi" else " > ".join(map(str, a))
    return str(a)


def _longest(q: Question) -> tuple[float, float] | None:
    if q.kind != "single" or _is_true_false(q):
        return None
    return _pick_best([float(len(o.text)) for o in q.options], [o.correct for o in q.options]), 1 / len(q.options)


def _longest_k(q: Question) -> tuple[float, float] | None:
    """Multiple answer: take the k longest options, k the number of keys the stem asks for."""
    if q.kind != "multi":
        return None
    k = sum(o.correct for o in q.options)
    n = len(q.options)
    lengths = sorted(((len(o.text), o.correct) for o in q.options), reverse=True)
    cut = lengths[k - 1][0]
    sure = [c for ln, c in lengths if ln > cut]
    tied = [c for ln, c in lengths if ln == cut]
    need = k - len(sure)
    if not all(sure):
        return 0.0, 1 / comb(n, k)
    right_tied = sum(tied)
    # Chance that a random `need`-subset of the tied options holds exactly the right ones among them.
    p = comb(right_tied, need) / comb(len(tied), need) if right_tied == need else 0.0
    return p, 1 / comb(n, k)


def _shared_words(q: Question) -> tuple[float, float] | None:
    if q.kind != "single" or _is_true_false(q):
        return None
    stem = words(q.stem)
    return (_pick_best([float(len(words(o.text) & stem)) for o in q.options], [o.correct for o in q.options]),
            1 / len(q.options))


def _rank_cue(rank: int) -> Callable[[Question], tuple[float, float] | None]:
    def cue(q: Question) -> tuple[float, float] | None:
        if q.kind != "single":
            return None
        values = _numbers(q)
        if values is None or rank >= len(values):
            return None
        order = sorted(range(len(values)), key=values.__getitem__)
        return float(q.options[order[rank]].correct), 1 / len(values)

    return cue


def _cues() -> list[tuple[str, Callable[[Question], tuple[float, float] | None]]]:
    ranks = [(f"numbers: pick the {word} option", _rank_cue(r))
             for r, word in enumerate(("smallest", "2nd smallest", "3rd smallest", "4th smallest"))]
    return [("longest option", _longest), ("multiple answer: the longest ones", _longest_k),
            ("most words shared with the stem", _shared_words), *ranks]


def _true_false(items: list[Question]) -> Cue:
    """'True' when the statement is longer than the median statement of the true/false items."""
    cue = Cue("true/false: 'True' when the statement is long")
    tf = [q for q in items if _is_true_false(q)]
    if not tf:
        return cue
    lengths = sorted(len(q.stem) for q in tf)
    median = lengths[len(lengths) // 2]
    for q in tf:
        say = "true" if len(q.stem) > median else "false"
        cue.add(float(any(o.correct and o.text.strip().lower() == say for o in q.options)), 0.5)
    return cue


def _template_mode(items: list[Question]) -> Cue:
    """Pick the key this item's template gave most often on its other instances (leave one out)."""
    cue = Cue("the template's most common key")
    by_template: dict[str, list[Question]] = defaultdict(list)
    for q in items:
        if q.template and _shown(q) and q.kind == "single":
            by_template[q.template].append(q)
    for group in by_template.values():
        if len(group) < 2:
            continue
        keys = Counter(template_key(q) for q in group)
        for q in group:
            own = template_key(q)
            keys[own] -= 1
            best = max(keys.values())
            modes = {k for k, v in keys.items() if v == best and v > 0}
            keys[own] += 1
            offered = [o for o in q.options if o.text in modes]
            n = len(q.options)
            right = sum(o.correct for o in offered) / len(offered) if offered else 1 / n
            cue.add(right, 1 / n)
    return cue


# -- the whole audit -------------------------------------------------------------------------------------------

def audit(questions: Iterable[Question]) -> Audit:
    items = list(questions)
    out = Audit(questions=len(items))
    for name, fn in _cues():
        cue = Cue(name)
        for q in items:
            if not _shown(q):
                continue
            got = fn(q)
            if got is not None:
                cue.add(*got)
        out.cues.append(cue)
    out.cues.insert(1, _true_false(items))
    out.cues.append(_template_mode(items))

    counts: dict[str, Counter] = defaultdict(Counter)
    keys: dict[str, Counter] = defaultdict(Counter)
    for q in items:
        counts[q.kind][len(q.options)] += 1
        if q.kind == "multi" and choose_count(q.stem) != sum(o.correct for o in q.options):
            counts["multi-choose-mismatch"][len(q.options)] += 1
        if q.template:
            keys[q.template][template_key(q)] += 1
        if q.kind == "order":
            continue
        for o in q.options:
            if o.correct:
                continue
            out.wrong_options += 1
            if not has_reason(o):
                out.unreasoned += 1
                out.unreasoned_by_source[o.source] += 1
    out.option_counts = dict(counts)
    out.template_keys = dict(keys)
    return out


def has_reason(option) -> bool:
    """A wrong option teaches when a named misconception produced it or its why was written from a fact or by
    hand; a 'neighbour' value or a bare 'the trace gives X' names no wrong reasoning."""
    return bool(option.misconception) or option.source in REASONED_SOURCES


CHOOSE = re.compile(r"\(?Choose (TWO|THREE|FOUR)\.?\)?")
CHOOSE_N = {"TWO": 2, "THREE": 3, "FOUR": 4}


def choose_count(stem: str) -> int | None:
    m = CHOOSE.search(stem)
    return CHOOSE_N[m.group(1)] if m else None


def render(a: Audit, title: str = "", left_out: Counter | None = None) -> str:
    """The audit as a plain-text table."""
    lines = [f"item analysis{': ' + title if title else ''} ({a.questions} questions)", "",
             f"  {'guesser (knowledge-free)':48s} {'items':>6} {'right':>7} {'chance':>7} {'margin':>7}"]
    for c in a.cues:
        if not c.items:
            lines.append(f"  {c.name:48s} {0:>6} {'-':>7} {'-':>7} {'-':>7}")
            continue
        flag = "  << above chance" if c.margin > TOLERANCE else ""
        lines.append(f"  {c.name:48s} {c.items:>6} {c.share:>6.1f}% {c.chance_share:>6.1f}% {c.margin:>+6.1f}{flag}")
    lines += ["", "  options per item"]
    for kind in sorted(k for k in a.option_counts if k != "multi-choose-mismatch"):
        spread = ", ".join(f"{n} options: {v}" for n, v in sorted(a.option_counts[kind].items()))
        lines.append(f"    {kind:8s} {spread}")
    for what, n in a.bad_forms().items():
        lines.append(f"    {what}: {n}")
    hist = a.keys_histogram()
    lines += ["", "  templates by distinct keys: " + ", ".join(
        f"{'4+' if k == 4 else k}: {hist[k]}" for k in sorted(hist))]
    narrow = a.narrow_templates()
    lines.append(f"  templates that do not spread their key (>= {SPREAD_MIN_INSTANCES} instances, one key or one "
                 f"key above {SPREAD_MAX_SHARE:.0%}): {len(narrow)}")
    for t, n, d, top in narrow:
        lines.append(f"    {t}: {d} key(s) over {n}, the commonest {top} times")
    by_source = ", ".join(f"{s} {n}" for s, n in a.unreasoned_by_source.most_common())
    lines += ["", f"  wrong options without a named reason: {a.unreasoned} of {a.wrong_options} "
              f"({a.unreasoned_share:.1f}%){' (' + by_source + ')' if by_source else ''}"]
    if left_out:
        lines += ["", f"  items left out for too few computed wrong options: {left_out.total()} "
                  f"(templates that need more misconceptions: {len(left_out)})"]
        lines += [f"    {t}: {n}" for t, n in sorted(left_out.items())]
    fails = a.failures()
    lines += ["", "  verdict: " + ("passes" if not fails else f"fails on {len(fails)} count(s)")]
    return "\n".join(lines) + "\n"
