"""`study check`: validate every lesson, the rules table, every lab and every question; `file:line` messages."""

from __future__ import annotations

import re
import sys

from study import paths
from study.lab.lab_file import lab_files, read_lab_file
from study.sim.errors import ScenarioError


def _lessons(rule_ids: set[str]) -> tuple[list[str], int]:
    from study.content import SECTIONS, ContentError, parse_lesson

    problems: list[str] = []
    seen: set[str] = set()
    files = sorted(paths.lessons_dir().glob("*.md"))
    for path in files:
        try:
            lesson = parse_lesson(path)
        except ContentError as err:
            problems.append(str(err))
            continue
        seen.add(lesson.section)
        text = path.read_text(encoding="utf-8")
        for rid in lesson.rules:
            if rid not in rule_ids:
                line = next((i for i, t in enumerate(text.splitlines(), 1) if rid in t), 2)
                problems.append(f"{path}:{line}: rules: {rid!r} is not a rule id of content/rules.yaml")
    for s in SECTIONS:
        if s not in seen:
            problems.append(f"{paths.lessons_dir()}: no lesson for section {s}")
    return problems, len(files)


def s3_filter_warnings(scenario, marks, path) -> list[str]:
    """Item 1 of the S3 correction: a filter value with a raw space or another character AWS wants
    URL-encoded never matches (S3 compares filters with the encoded key); AWS accepts it, so a warning."""
    from study.sim.payloads import s3_filter_encoded, s3_filter_unencoded

    out = []
    if scenario.type != "s3":
        return out
    for k in ("Prefix", "Suffix"):
        value = scenario.trigger["Filter"][k]
        bad = s3_filter_unencoded(value or "")
        if bad:
            line, col = marks.get(("trigger", "Filter", k)) or (None, None)
            shown = ", ".join("a space" if ch == " " else repr(ch) for ch in bad)
            out.append(f"{path}:{line}:{col}: warning: Filter.{k} {value!r} holds {shown}, which S3 wants "
                       f"URL-encoded; S3 compares filters with the encoded key, so this filter never matches "
                       f"such keys (write {s3_filter_encoded(value)!r})")
    return out


_NUMBER = re.compile(r"(?<![\w.])-?\d[\d,]*(?:\.\d+)?(?![\w])")


# Words that answer a permission lab's one question (is the configuration refused?) before it is asked.
_VERDICTS = ("refused", "refuses", "rejected", "rejects", "denied", "accepted", "is allowed")


def _numbers(text: str) -> set[float]:
    """Every number written in `text` (1,000 and 1000 alike)."""
    out = set()
    for m in _NUMBER.finditer(text):
        try:
            out.add(float(m.group().replace(",", "")))
        except ValueError:
            pass
    return out


def _setup_text(raw: dict) -> str:
    """The scenario's settings and inputs as text: what the learner is shown, so naming it gives nothing away."""
    import json

    shown = {k: v for k, v in raw.items() if k not in ("lab", "title", "expect")}
    return json.dumps(shown, default=str)


def _word_in(needle: str, text: str) -> bool:
    """`needle` as a whole word or phrase of `text`, ignoring case; dead_lettered matches dead-lettered too."""
    words = [re.escape(w) for w in re.split(r"[\s_-]+", needle.strip()) if w]
    if not words:
        return False
    return re.search(r"(?<![\w])" + r"[\s_-]+".join(words) + r"(?![\w])", text, re.IGNORECASE) is not None


def giveaways(raw: dict, trace: dict | None) -> list[tuple[str, str]]:
    """The title's or brief's giveaways: (key, what it gives away). A lab's title and brief are read before the
    prediction, so neither may contain a choice answer, the final state of an input the lab asks about, or a
    number that answers a prediction unless the scenario's settings or inputs show that number anyway."""
    from study.sim.expect import PathError, resolve

    lab = raw.get("lab") or {}
    setup = _setup_text(raw)
    setup_numbers = _numbers(setup)
    texts = {"title": str(raw.get("title", "")), "brief": str(lab.get("brief", ""))}
    found: list[tuple[str, str]] = []
    for pred in lab.get("predict") or []:
        if not isinstance(pred, dict):
            continue
        if str(pred.get("answer", "")).strip() == "error":  # a permission lab: is the configuration refused?
            for key, text in texts.items():
                verdict = next((w for w in _VERDICTS if _word_in(w, text)), None)
                if verdict:
                    found.append((key, f"says {verdict!r}, the answer to {pred.get('question', '')!r}"))
            continue
        if trace is None:
            continue
        try:
            value = resolve(trace, str(pred["answer"]))
        except (PathError, KeyError):
            continue
        kind = pred.get("kind", "number")
        values = value if isinstance(value, list) else [value]
        flat = []
        for v in values:
            flat.extend(v if isinstance(v, list) else [v])
        words: list[str] = []
        numbers: list[float] = []
        for v in flat:
            if isinstance(v, bool) or v is None:
                continue
            if isinstance(v, int | float):
                if kind == "choice":
                    words.append(str(v))
                else:
                    numbers.append(float(v))
            elif isinstance(v, str) and (kind == "choice" or str(pred["answer"]).endswith(".final")):
                words.append(v)
        question = str(pred.get("question", ""))
        for key, text in texts.items():
            for w in words:
                if _word_in(w, text) and not _word_in(w, setup) and not _word_in(w, question):
                    found.append((key, f"names {w!r}, the answer to {question!r}"))
            shown = _numbers(text)
            for n in numbers:
                if n in shown and n not in setup_numbers:
                    found.append((key, f"contains {n:g}, the answer to {question!r}, which the setup does not show"))
    return found


def _report_giveaways(problems: list[str], path, marks, found: list[tuple[str, str]]) -> None:
    for key, what in found:
        line, _col = marks.get(("title",) if key == "title" else ("lab", key)) or (1, 1)
        problems.append(f"{path}:{line}: the {key} gives an answer away before the prediction: it {what}")


def _labs(rule_ids: set[str], warnings: list[str] | None = None) -> tuple[list[str], int]:
    from study.lab.labblock import LAB_BLOCK, lab_predicts_refusal
    from study.sim.expect import PathError, resolve
    from study.sim.run import simulate
    from study.sim.scenario.load import load_scenario

    problems: list[str] = []
    files = lab_files()
    for path in files:
        try:
            lab_file = read_lab_file(path)
        except ScenarioError as err:
            problems.append(str(err))
            continue
        raw, marks, lab = lab_file.data, lab_file.marks, lab_file.block
        if lab is None:
            problems.append(f"{path}:1:1: a lab needs a `lab` block (description, rules, predict)")
            continue
        refused = lab_predicts_refusal(lab)
        for key in ("brief", "debrief"):
            if not isinstance(lab.get(key), str) or not lab[key].strip():
                line, _col = marks.get(("lab",)) or (1, 1)
                problems.append(f"{path}:{line}: lab.{key}: missing; a lab needs a brief (read before predicting: "
                                "the setup, at most the general rule) and a debrief (shown in Explain)")
        rules = lab.get("rules")
        for i, rid in enumerate(rules if isinstance(rules, list) else []):
            # Anything but a list of ids is the scenario checker's to word (below).
            if isinstance(rid, str) and rid not in rule_ids:
                line, col = marks.get(("lab", "rules", i)) or (None, None)
                problems.append(f"{path}:{line}:{col}: lab.rules: {rid!r} is not a rule id of content/rules.yaml")
        try:
            scenario = load_scenario(path, block_checks=LAB_BLOCK)
        except ScenarioError as err:
            if not refused:
                problems.append(str(err))
            else:
                _report_giveaways(problems, path, marks, giveaways(raw, None))
            continue
        if refused:
            problems.append(f"{path}:1:1: the lab predicts a refused configuration, but the scenario is accepted")
            continue
        if warnings is not None:
            warnings.extend(s3_filter_warnings(scenario, marks, path))
        trace = simulate(scenario)
        _report_giveaways(problems, path, marks, giveaways(raw, trace))
        for i, pred in enumerate(lab.get("predict") or []):
            try:
                value = resolve(trace, pred["answer"])
            except PathError as err:
                line, col = marks.get(("lab", "predict", i, "answer")) or (None, None)
                problems.append(f"{path}:{line}:{col}: {err}")
                continue
            if pred.get("kind") == "choice" and value not in (pred.get("options") or []):
                line, col = marks.get(("lab", "predict", i, "options")) or (None, None)
                problems.append(f"{path}:{line}:{col}: the true answer {value!r} is not among the options")
    return problems, len(files)


def _questions() -> tuple[list[str], int | None]:
    try:
        from study.quiz.check import NOTES, check_questions
    except ImportError:
        return [], None
    found = check_questions()
    for note in NOTES:
        print(note, file=sys.stderr)
    return [str(p) for p in found], len(list(paths.questions_dir().rglob("*.yaml")))


def _demos(lab_names: set[str]) -> tuple[list[str], int | None]:
    try:
        from study.demo import check_demos
    except ImportError:
        return [], None
    return check_demos()


def _challenges(rule_ids: set[str]) -> tuple[list[str], int]:
    """Coding challenges: each file validates (scenarios, checks, rule ids) and its code parses. Whether the model
    passes and the wrong solutions fail is tests/test_challenges.py's job (it runs code)."""
    from study.challenges.model import challenge_files, load_challenge

    problems: list[str] = []
    files = challenge_files()
    seen: dict[str, str] = {}
    for path in files:
        try:
            c = load_challenge(path, rule_ids or None)
        except ScenarioError as err:
            problems.append(str(err))
            continue
        if c.id in seen:
            problems.append(f"{path}:1:1: id {c.id!r} is also the id of {seen[c.id]}")
        seen[c.id] = str(path)
        for what, code in [("starter", c.starter), ("solution", c.solution)] + [
                (f"wrong solution {w.name!r}", w.code) for w in c.wrong]:
            try:
                compile(code, f"{path.name}:{what}", "exec")
            except SyntaxError as err:
                problems.append(f"{path}:1:1: the {what} does not parse ({err.msg}, line {err.lineno})")
    return problems, len(files)


def run_check(out=None) -> int:
    out = out or sys.stdout
    from study.content import check_rules

    problems: list[str] = [str(p) for p in check_rules()]
    # Rule ids straight from the file, so lessons and labs are still checked when the table has problems.
    try:
        from study.sim import yamlpos

        raw, _ = yamlpos.load_file(str(paths.rules_file()))
        rule_ids = {r["id"] for r in raw.get("rules", []) if isinstance(r, dict) and isinstance(r.get("id"), str)}
    except (ScenarioError, AttributeError):
        rule_ids = set()
    counts = {}
    warnings: list[str] = []
    steps = [("lessons", lambda: _lessons(rule_ids)), ("labs", lambda: _labs(rule_ids, warnings)),
             ("questions", _questions),
             ("demos", lambda: _demos({p.stem for p in lab_files()})),
             ("challenges", lambda: _challenges(rule_ids))]
    for name, step in steps:
        print(f"checking {name} ...", file=sys.stderr, flush=True)
        found, n = step()
        problems.extend(found)
        counts[name] = n
    for p in problems + warnings:
        print(p, file=out)
    summary = ", ".join(f"{n} {k}" for k, n in counts.items() if n is not None)
    also = f" and {len(warnings)} warning(s)" if warnings else ""
    if problems:
        print(f"study check: {len(problems)} problem(s){also} in {summary} and the rules table", file=out)
        return 1
    if warnings:
        # AWS accepts what a warning names, so the content is valid; it just does not do what it seems to.
        print(f"study check: no problems, {len(warnings)} warning(s) ({len(rule_ids)} rules, {summary})", file=out)
        return 0
    print(f"study check: all clean ({len(rule_ids)} rules, {summary})", file=out)
    return 0


def main() -> int:  # pragma: no cover - convenience
    return run_check()



