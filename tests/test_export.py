"""`study export`: the .apkg opens as an Anki package (its SQLite checked), GUIDs are stable, CSV rows."""

from __future__ import annotations

import csv
import json
import re
import sqlite3
import zipfile
from argparse import Namespace
from pathlib import Path

import genanki
import pytest

from study.content import load_rules
from study.export import (
    DECK_ID,
    QUESTION_MODEL_ID,
    RULE_MODEL_ID,
    bank_questions,
    cloze,
    export_anki,
    export_command,
    export_csv,
)

STAMP = 1_740_000_000.0


def _notes(apkg: Path, tmp_path: Path) -> tuple[list[tuple], dict, int]:
    with zipfile.ZipFile(apkg) as z:
        assert set(z.namelist()) == {"collection.anki2", "media"}
        assert json.loads(z.read("media")) == {}
        db = tmp_path / f"{apkg.stem}.anki2"
        db.write_bytes(z.read("collection.anki2"))
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        notes = conn.execute("SELECT guid, mid, flds, tags FROM notes ORDER BY guid").fetchall()
        col = conn.execute("SELECT models, decks FROM col").fetchone()
        cards = conn.execute("SELECT COUNT(*) FROM cards").fetchone()[0]
        orphans = conn.execute("SELECT COUNT(*) FROM cards WHERE nid NOT IN (SELECT id FROM notes)").fetchone()[0]
    assert orphans == 0
    return notes, {"models": json.loads(col[0]), "decks": json.loads(col[1])}, cards


def test_anki_package_content(tmp_path) -> None:
    rules = load_rules().rules
    bank = bank_questions()
    out = tmp_path / "deck.apkg"
    summary = export_anki(out, timestamp=STAMP)
    assert (summary.rules, summary.questions) == (len(rules), len(bank))
    notes, col, cards = _notes(out, tmp_path)
    assert len(notes) == len(rules) + len(bank)
    assert {str(RULE_MODEL_ID), str(QUESTION_MODEL_ID)} == set(col["models"])
    assert col["models"][str(RULE_MODEL_ID)]["type"] == 1  # cloze
    assert str(DECK_ID) in col["decks"]
    by_guid = {guid: (mid, flds.split("\x1f"), tags) for guid, mid, flds, tags in notes}
    # A note per rule, its GUID from the rule id, its statement as a cloze.
    for rule_id in rules:
        mid, fields, tags = by_guid[genanki.guid_for(rule_id)]
        assert mid == RULE_MODEL_ID and fields[2] == rule_id and "{{c1::" in fields[0]
        assert f"rule::{rule_id}" in tags.split()
    # A note per hand-written question, with its options, the right letters and every option's why.
    for q in bank:
        mid, fields, tags = by_guid[genanki.guid_for(q["id"])]
        assert mid == QUESTION_MODEL_ID and fields[0] == q["id"]
        letters = ", ".join("ABCDEFGH"[i] for i, o in enumerate(q["options"]) if o["correct"])
        assert fields[3] == letters
        assert fields[2].count("<li>") == len(q["options"]) and fields[4].count("<li") == len(q["options"])
    # Cloze notes make one card per deletion, so there are more cards than notes.
    assert cards > len(notes)


def test_reexport_keeps_guids_and_is_repeatable(tmp_path) -> None:
    first, second, later = tmp_path / "a.apkg", tmp_path / "b.apkg", tmp_path / "c.apkg"
    export_anki(first, timestamp=STAMP)
    export_anki(second, timestamp=STAMP)
    export_anki(later, timestamp=STAMP + 86400)
    assert first.read_bytes() == second.read_bytes()
    a, _, _ = _notes(first, tmp_path)
    c, _, _ = _notes(later, tmp_path)
    # Same notes, same GUIDs: Anki updates them on import instead of adding duplicates.
    assert [(g, f) for g, _, f, _ in a] == [(g, f) for g, _, f, _ in c]
    assert len({g for g, *_ in a}) == len(a)


def test_cloze_keeps_the_statement() -> None:
    for rule in load_rules().rules.values():
        text = cloze(rule["statement"])
        numbers = [int(n) for n in re.findall(r"\{\{c(\d+)::", text)]
        assert numbers == list(range(1, len(numbers) + 1)) and 1 <= len(numbers) <= 3, text
        plain = re.sub(r"\{\{c\d+::(.*?)\}\}", r"\1", text)
        import html

        assert html.unescape(plain) == rule["statement"]
    assert cloze("Timeout is 3 seconds by default, 900 at most.") == (
        "Timeout is {{c1::3 seconds}} by default, {{c2::900}} at most.")
    assert "{{c1::BisectBatchOnFunctionError}}" in cloze("Turn on BisectBatchOnFunctionError to split.")


def test_csv_rows(tmp_path) -> None:
    rules = load_rules().rules
    bank = bank_questions()
    out = tmp_path / "deck.csv"
    export_csv(out)
    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(rules) + len(bank)
    assert [r["type"] for r in rows].count("rule") == len(rules)
    row = next(r for r in rows if r["id"] == "bank.18.6.retry-count-1")
    q = next(q for q in bank if q["id"] == "bank.18.6.retry-count-1")
    right = [i for i, o in enumerate(q["options"]) if o["correct"]]
    assert row["answer"] == "ABCD"[right[0]] and row["guid"] == genanki.guid_for(q["id"])
    assert row["options"].splitlines()[right[0]].endswith(q["options"][right[0]]["text"])
    rule_row = next(r for r in rows if r["id"] == "config.timeout")
    assert rule_row["text"] == rules["config.timeout"]["statement"]


def test_export_command(tmp_path, capsys) -> None:
    assert export_command(Namespace(format="csv", file=str(tmp_path / "x.csv"))) == 0
    assert "wrote" in capsys.readouterr().out
    assert export_command(Namespace(format="anki", file=str(tmp_path / "x.apkg"))) == 0
    assert zipfile.is_zipfile(tmp_path / "x.apkg")
    assert export_command(Namespace(format="anki", file=str(tmp_path / "x.zip"))) == 2
    assert ".apkg" in capsys.readouterr().err
    assert export_command(Namespace(format="csv", file=str(tmp_path / "missing" / "x.csv"))) == 2
    err = capsys.readouterr().err
    assert "cannot write" in err and "Traceback" not in err
    assert not (tmp_path / "missing").exists()


def test_a_bad_bank_file_is_reported_with_its_place(tmp_path) -> None:
    (tmp_path / "18.01.yaml").write_text("questions:\n  - id: x\n    section: '18.1'\n    stem: s\n    options: 3\n")
    from study.sim.errors import ScenarioError

    with pytest.raises(ScenarioError) as err:
        bank_questions(tmp_path)
    assert str(err.value).startswith(f"{tmp_path / '18.01.yaml'}:5:")
