"""What the app can open: lesson titles (read cheaply for a fast first screen) and the lab files in content/labs.

No Textual here; lab files are parsed in a worker, never on the startup path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from study import paths
from study.content import top_section

SECTIONS = [f"18.{n}" for n in range(1, 21)]
_TITLE = re.compile(r"^title:\s*[\"']?(.*?)[\"']?\s*$", re.M)


def lesson_titles() -> dict[str, str]:
    """Section -> title from each lesson's front matter. A regex, not YAML, so the first screen stays light;
    `study check` validates the front matter properly."""
    titles: dict[str, str] = {}
    folder = paths.lessons_dir()
    for section in SECTIONS:
        n = int(section.split(".")[1])
        path = folder / f"18.{n:02d}.md"
        try:
            head = path.read_text(encoding="utf-8")[:600]
        except OSError:
            continue
        m = _TITLE.search(head)
        if m:
            titles[section] = m.group(1)
    return titles


@dataclass(frozen=True)
class LabEntry:
    path: Path
    title: str
    section: str | None  # as written, e.g. "18.12.1"
    trigger: str
    is_lab: bool  # has a `lab` block

    @property
    def top_section(self) -> str | None:
        return top_section(self.section) if self.section else None


def read_entry(path: Path) -> LabEntry | None:
    """A lab file's title, section and trigger; None when it cannot be read as a scenario."""
    from study.lab.lab_file import read_lab_file
    from study.sim.errors import ScenarioError

    try:
        lab = read_lab_file(path)
    except ScenarioError:
        return None
    if not lab.is_scenario:
        return None
    data = lab.data
    section = data.get("section")
    return LabEntry(path=path, title=str(data.get("title", path.stem)),
                    section=str(section) if section is not None else None,
                    trigger=str(data["trigger"].get("type", "?")), is_lab=lab.block is not None)


def load_labs() -> list[LabEntry]:
    """Every readable lab in content/labs, in section order (call from a worker)."""
    from study.lab.lab_file import lab_files

    entries = [e for e in (read_entry(p) for p in lab_files()) if e is not None]

    def key(e: LabEntry) -> tuple:
        nums = [int(x) for x in (e.section or "99").split(".") if x.isdigit()]
        return (nums, e.path.name)

    return sorted(entries, key=key)


def question_counts() -> dict[str, int]:
    """Questions per section in the bank (call from a worker)."""
    counts: dict[str, int] = {}
    for section, items in load_questions().items():
        counts[section] = len(items)
    return counts


def load_questions(section: str | None = None) -> dict[str, list[dict]]:
    """The question bank (questions/bank/18.NN.yaml), by top section; read by the app's one YAML reader."""
    from study.sim import yamlpos
    from study.sim.errors import ScenarioError

    out: dict[str, list[dict]] = {}
    folder = paths.questions_dir() / "bank"
    files = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    if section is not None:
        n = int(section.split(".")[1])
        files = [f for f in files if f.name == f"18.{n:02d}.yaml"]
    for f in files:
        try:
            data, _ = yamlpos.load_file(f)
        except ScenarioError:
            continue
        if not isinstance(data, dict):
            continue
        for q in data.get("questions") or []:
            if isinstance(q, dict) and isinstance(q.get("options"), list) and q.get("stem"):
                top = top_section(str(q.get("section", "")))
                out.setdefault(top, []).append(q)
    return out


_CHALLENGE_FIELD = re.compile(r"^(id|section|title):\s*[\"']?(.*?)[\"']?\s*$", re.M)


def challenge_entries() -> list[tuple[str, str, str]]:
    """(id, section, title) of each coding challenge, read cheaply for the palette and the map (call from a
    worker); the Code screen reads and validates the whole file."""
    from study.challenges.model import challenge_files

    out = []
    for path in challenge_files():
        try:
            head = path.read_text(encoding="utf-8")[:800]
        except (OSError, UnicodeDecodeError):
            continue
        fields = {m.group(1): m.group(2) for m in _CHALLENGE_FIELD.finditer(head)}
        if "id" in fields:
            out.append((fields["id"], fields.get("section", ""), fields.get("title", fields["id"])))
    return sorted(out, key=lambda e: ([int(x) for x in e[1].split(".") if x.isdigit()], e[0]))
