"""Instructor playlists (content/demos/*.yaml): labs with scripted stops, prediction cards and a what-if per lab.

Pure data and emulator runs, no UI: the presenter screen plays what this module prepares. A card's options are the
true answer plus the answers computed with named misconceptions switched on, so even the distractors come from the
emulator.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from study import paths
from study.sim import yamlpos
from study.sim.errors import ScenarioError

LETTERS = string.ascii_uppercase[:4]


@dataclass
class Stop:
    at: float | None  # simulated seconds: freeze before anything later happens
    event: str | None  # or freeze at the first timeline entry of this kind
    predict: int  # index of the lab's prediction shown on the card
    distractors: list[str] = field(default_factory=list)


@dataclass
class Card:
    question: str
    options: list[str]  # A..D
    correct: int
    sources: list[str]  # "truth" or the misconception id behind each option


@dataclass
class WhatIf:
    key: str
    label: str
    set: dict[str, Any]


@dataclass
class DemoItem:
    lab: str
    lab_path: Path
    notes: str
    stops: list[Stop]
    whatif: WhatIf | None


@dataclass
class Playlist:
    name: str
    title: str
    description: str
    items: list[DemoItem]
    path: Path
    skipped: list[str] = field(default_factory=list)  # "file:line:col: why" of each lab that cannot be played


def demos_dir() -> Path:
    return paths.content_dir() / "demos"


def _err(marks: yamlpos.Marks, path: Path, where: tuple, message: str) -> ScenarioError:
    pos = marks.get(where)
    return ScenarioError(message, str(path), *(pos or (None, None)))


def load_playlist(path: Path) -> Playlist:
    data, marks = yamlpos.load_file(str(path))
    if not isinstance(data, dict):
        raise ScenarioError("a playlist is a mapping with title, description and items", str(path), 1, 1)
    for key in data:
        if key not in ("title", "description", "items"):
            raise _err(marks, path, (key,), f"{key}: not a playlist key; expected title, description, items")
    for key in ("title", "description"):
        if not isinstance(data.get(key), str):
            raise _err(marks, path, (), f"{key}: required text")
    items_raw = data.get("items")
    if not isinstance(items_raw, list) or not items_raw:
        raise _err(marks, path, ("items",), "items: expected a list of labs with stops")
    items = []
    skipped: list[str] = []
    for i, raw in enumerate(items_raw):
        p = ("items", i)
        if not isinstance(raw, dict):
            raise _err(marks, path, p, "an item is a mapping: lab, notes, stops, whatif")
        for key in raw:
            if key not in ("lab", "notes", "stops", "whatif"):
                raise _err(marks, path, (*p, key), f"{key}: not an item key; expected lab, notes, stops, whatif")
        lab = raw.get("lab")
        lab_path = paths.labs_dir() / f"{lab}.yaml"
        if not isinstance(lab, str) or not lab_path.is_file():
            raise _err(marks, path, (*p, "lab"), f"lab: {lab!r} is not a lab in content/labs (give its file name "
                       "without .yaml)")
        why = _unplayable(lab_path)
        if why is not None:
            skipped.append(why)
            continue
        lab_data, _ = yamlpos.load_file(str(lab_path))
        predictions = (lab_data.get("lab") or {}).get("predict") or []
        stops = []
        for j, s in enumerate(raw.get("stops") or []):
            sp = (*p, "stops", j)
            if not isinstance(s, dict) or ("at" in s) == ("event" in s):
                raise _err(marks, path, sp, "a stop has either at: SECONDS or event: KIND")
            for key in s:
                if key not in ("at", "event", "predict", "distractors"):
                    raise _err(marks, path, (*sp, key), f"{key}: not a stop key; expected at/event, predict, "
                               "distractors")
            k = s.get("predict", 0)
            if not isinstance(k, int) or not 0 <= k < len(predictions):
                raise _err(marks, path, (*sp, "predict"), f"predict: {k!r} is not a prediction of lab {lab} "
                           f"(it has {len(predictions)})")
            from study.sim.misconceptions import KNOWN

            at, event = s.get("at"), s.get("event")
            if "at" in s and (isinstance(at, bool) or not isinstance(at, int | float) or not 0 <= at < float("inf")):
                raise _err(marks, path, (*sp, "at"), f"at: {at!r} is not a time; expected seconds (0 or more)")
            if "event" in s and not isinstance(event, str):
                raise _err(marks, path, (*sp, "event"), f"event: {event!r} is not a timeline kind such as visible")
            distractors = s.get("distractors") or []
            if not isinstance(distractors, list):
                raise _err(marks, path, (*sp, "distractors"), "distractors: expected a list of misconception ids")
            for m, mid in enumerate(distractors):
                if not isinstance(mid, str) or mid not in KNOWN:
                    raise _err(marks, path, (*sp, "distractors", m), f"distractors: {mid!r} is not a misconception "
                               "the emulator knows")
            stops.append(Stop(at=s.get("at"), event=s.get("event"), predict=k, distractors=list(distractors)))
        if not stops:
            raise _err(marks, path, p, "stops: every lab in a playlist needs at least one stop")
        whatif = None
        w = raw.get("whatif")
        if w is not None:
            if not isinstance(w, dict) or not isinstance(w.get("set"), dict) or not w.get("key") or not w.get("label"):
                raise _err(marks, path, (*p, "whatif"), "whatif: expected {key, label, set: {dotted.setting: value}}")
            whatif = WhatIf(key=str(w["key"]), label=str(w["label"]), set=dict(w["set"]))
            try:
                apply_whatif(lab_path, whatif)
            except ScenarioError as err:
                raise _err(marks, path, (*p, "whatif"), f"whatif: the changed lab is refused: {err.message}") from None
        items.append(DemoItem(lab=lab, lab_path=lab_path, notes=str(raw.get("notes") or ""), stops=stops,
                              whatif=whatif))
    if not items:
        raise _err(marks, path, ("items",), "items: no lab of this playlist can be played: " + "; ".join(skipped))
    return Playlist(name=path.stem, title=data["title"], description=data["description"], items=items, path=path,
                    skipped=skipped)


def _unplayable(lab_path: Path) -> str | None:
    """Why a playlist's lab cannot be played (its file, line and column), or None: the playlist then skips it."""
    from study.sim.scenario.labblock import lab_predicts_refusal
    from study.sim.scenario.load import load_scenario

    try:
        lab_data, _ = yamlpos.load_file(str(lab_path))
    except ScenarioError as err:
        return str(err)
    if not isinstance(lab_data, dict) or not isinstance(lab_data.get("lab"), dict):
        return f"{lab_path}:1:1: a lab needs a `lab` block (description, rules, predict)"
    try:
        load_scenario(lab_path)
    except ScenarioError as err:
        if not lab_predicts_refusal(lab_data["lab"]):
            return str(err)
    return None


def load_playlists() -> list[Playlist]:
    return [load_playlist(p) for p in sorted(demos_dir().glob("*.yaml"))]


def _set_dotted(data: dict, dotted: str, value: Any) -> None:
    keys = dotted.split(".")
    node = data
    for key in keys[:-1]:
        node = node.setdefault(key, {})
    node[keys[-1]] = value


def apply_whatif(lab_path: Path, whatif: WhatIf, misconceptions=frozenset()):
    """The lab's scenario with the what-if's settings changed (validated like any scenario)."""
    from study.sim.scenario.load import build_scenario

    data, marks = yamlpos.load_file(str(lab_path))
    for dotted, value in whatif.set.items():
        _set_dotted(data, dotted, value)
    return build_scenario(data, marks, str(lab_path), lab_path.resolve().parent, misconceptions)


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
    from study.sim.expect import PathError, resolve
    from study.sim.run import simulate
    from study.sim.scenario.load import load_scenario

    lab_data, _ = yamlpos.load_file(str(lab_path))
    pred = lab_data["lab"]["predict"][stop.predict]
    truth = resolve(simulate(load_scenario(lab_path)), pred["answer"])
    options: list[Any] = [truth]
    sources = ["truth"]
    for mid in stop.distractors:
        try:
            wrong = resolve(simulate(load_scenario(lab_path, frozenset({mid}))), pred["answer"])
        except (ScenarioError, PathError):
            continue
        if wrong not in options:
            options.append(wrong)
            sources.append(mid)
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


def check_demos() -> tuple[list[str], int]:
    problems: list[str] = []
    files = sorted(demos_dir().glob("*.yaml"))
    for path in files:
        try:
            playlist = load_playlist(path)
            problems.extend(f"{path}: skips a lab: {why}" for why in playlist.skipped)
            for item in playlist.items:
                for stop in item.stops:
                    card = make_card(item.lab_path, stop)
                    if len(card.options) < 2:
                        problems.append(f"{path}: lab {item.lab}: a card needs at least two options")
                    for mid in stop.distractors:
                        if mid not in card.sources:
                            # A named distractor must be one of the room's options, or the playlist misleads.
                            problems.append(f"{path}: lab {item.lab}, question {stop.predict}: the distractor "
                                            f"{mid!r} gives no option of its own on the card (it yields the "
                                            "true answer or repeats another option)")
        except ScenarioError as err:
            problems.append(str(err))
    if len(files) < 3:
        problems.append(f"{demos_dir()}: expected at least three playlists, found {len(files)}")
    return problems, len(files)
