"""An instructor playlist (content/demos/NAME.yaml) read and validated: labs with scripted stops and a what-if per
lab, each mistake reported with file:line:col; a lab that cannot be played is skipped and said so."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from study import paths
from study.lab.lab_file import read_lab_file
from study.lab.scenario_paths import set_in
from study.sim import yamlpos
from study.sim.errors import ScenarioError


@dataclass
class Stop:
    at: float | None  # simulated seconds: freeze before anything later happens
    event: str | None  # or freeze at the first timeline entry of this kind
    predict: int  # index of the lab's prediction shown on the card
    distractors: list[str] = field(default_factory=list)


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
        predictions = read_lab_file(lab_path).predictions
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
    from study.lab.labblock import LAB_BLOCK, lab_predicts_refusal
    from study.sim.scenario.load import load_scenario

    try:
        lab = read_lab_file(lab_path)
    except ScenarioError as err:
        return str(err)
    if lab.block is None:
        return f"{lab_path}:1:1: a lab needs a `lab` block (description, rules, predict)"
    try:
        load_scenario(lab_path, block_checks=LAB_BLOCK)
    except ScenarioError as err:
        if not lab_predicts_refusal(lab.block):
            return str(err)
    return None


def load_playlists() -> list[Playlist]:
    return [load_playlist(p) for p in sorted(demos_dir().glob("*.yaml"))]


def apply_whatif(lab_path: Path, whatif: WhatIf, misconceptions=frozenset()):
    """The lab's scenario with the what-if's settings changed (validated like any scenario)."""
    from study.sim.scenario.load import build_scenario

    lab = read_lab_file(lab_path)
    for dotted, value in whatif.set.items():
        set_in(lab.data, tuple(dotted.split(".")), value)
    return build_scenario(lab.data, lab.marks, str(lab_path), lab_path.resolve().parent, misconceptions)


def playlist_titles() -> list[tuple[str, str]]:
    """(name, title) of every playlist, read without building any scenario (for the command palette)."""
    out = []
    for path in sorted(demos_dir().glob("*.yaml")):
        try:
            data, _ = yamlpos.load_file(str(path))
        except ScenarioError:
            continue
        title = data.get("title") if isinstance(data, dict) else None
        out.append((path.stem, str(title or path.stem)))
    return out


def find_playlist(name: str):
    """A playlist by name (file stem in content/demos) or by path. Returns None when there is no such file;
    a file that is wrong raises ScenarioError (file:line:col)."""
    path = Path(name)
    if not (path.suffix in (".yaml", ".yml") and path.is_file()):
        path = demos_dir() / f"{name}.yaml"
    if not path.is_file():
        return None
    return load_playlist(path)


def playlist_or_say(command: str, playlist_name: str):
    """The named playlist, or None after saying on stderr why it cannot be played (the command then exits 2)."""
    try:
        playlist = find_playlist(playlist_name)
    except ScenarioError as err:
        print(f"{command}: {err}", file=sys.stderr)
        return None
    if playlist is None:
        names = ", ".join(p.stem for p in sorted(demos_dir().glob("*.yaml"))) or "none"
        print(f"{command}: {playlist_name!r} is not a playlist: expected the name of a file in {demos_dir()} "
              f"(without .yaml) or a path to one; the playlists are: {names}", file=sys.stderr)
    return playlist
