"""A lab file read for the app: its predictions and brief, the built scenario or the refusal, and the run.

Pure Python (no Textual); the Lab screen and the instructor demo call these from workers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FINALS = ["succeeded", "failed", "dead_lettered", "dropped", "filtered", "coalesced", "pending"]
MISSING = object()  # an answer path that does not resolve in the trace


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
    # A run too big to keep whole: its playback, reduced while it ran (the trace is then an aggregated one:
    # head, summary, samples and counts; study.playback.streaming).
    playback: Any = None

    def value(self, path: str) -> Any:
        """The value at `path`, or MISSING-like None with a note when it does not resolve."""
        from study.sim.expect import PathError, resolve

        if path.strip() == "error":
            return self.error
        if self.trace is None:
            return MISSING
        try:
            return resolve(self.trace, path)
        except PathError:
            return MISSING


def is_missing(value: Any) -> bool:
    return value is MISSING


def lab_files() -> list[Path]:
    """The labs of content/labs, in file-name order (none when the folder is missing)."""
    from study import paths

    folder = paths.labs_dir()
    return sorted(folder.glob("*.yaml")) if folder.is_dir() else []


@dataclass
class LabFile:
    """A lab or scenario file as YAML gives it, with each value's line and column; nothing validated yet."""

    path: Path
    data: Any
    marks: Any  # study.sim.yamlpos.Marks

    @property
    def is_scenario(self) -> bool:
        return isinstance(self.data, dict) and isinstance(self.data.get("trigger"), dict)

    @property
    def block(self) -> dict | None:
        """The `lab` block (brief, rules, predict, whatif, debrief), or None for a bare scenario."""
        lab = self.data.get("lab") if isinstance(self.data, dict) else None
        return lab if isinstance(lab, dict) else None

    @property
    def predictions(self) -> list:
        """The `predict` entries of the lab block, as written."""
        return (self.block or {}).get("predict") or []


def read_lab_file(path: str | Path) -> LabFile:
    """The one reader of lab files (the Lab screen, the lab list, the question bank's lab questions, `study check`
    and the instructor playlists all read through it), by the app's YAML reader: libyaml when present, positions
    found when needed. Raises ScenarioError (file:line:col) when YAML cannot read the file."""
    from study.sim import yamlpos

    path = Path(path)
    data, marks = yamlpos.load_file(str(path))
    return LabFile(path, data, marks)


def load_lab(path: str | Path) -> Lab:
    """Read a lab or any scenario file. A refused configuration is kept as `error`, not raised;
    a file that is not a scenario at all (bad YAML, no trigger) raises ScenarioError."""
    from study.lab.labblock import LAB_BLOCK, lab_predicts_refusal
    from study.sim.errors import ScenarioError
    from study.sim.scenario.load import build_scenario

    file = read_lab_file(path)
    path, data, marks = file.path, file.data, file.marks
    if not file.is_scenario:
        raise ScenarioError("expected a scenario with title and trigger", str(path), 1, 1)
    base_dir = path.resolve().parent
    scenario, error = None, None
    lab_block = file.block
    try:
        scenario = build_scenario(data, marks, str(path), base_dir, block_checks=LAB_BLOCK)
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
    if isinstance(value, str) and is_number(value):
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



def is_number(text: str) -> bool:
    try:
        float(text.replace("_", ""))
    except ValueError:
        return False
    return bool(text.strip())
