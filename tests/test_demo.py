"""Instructor playlists: they load, their cards' answers come from the emulator, their what-ifs change the outcome."""

from __future__ import annotations

from pathlib import Path

import pytest

from study import demo
from study.demo import cards
from study.sim import yamlpos
from study.sim.expect import resolve
from study.sim.run import simulate
from study.sim.scenario.load import load_scenario


def test_at_least_three_playlists_cover_the_required_topics() -> None:
    names = {p.name for p in demo.load_playlists()}
    assert {"async-retries-dlq-destinations", "stream-poison-record", "sqs-partial-batch-redrive"} <= names


@pytest.mark.parametrize("playlist", demo.load_playlists(), ids=lambda p: p.name)
def test_cards_are_answered_by_the_emulator_and_whatifs_matter(playlist) -> None:
    for item in playlist.items:
        trace = simulate(load_scenario(item.lab_path))
        lab = yamlpos.load_file(str(item.lab_path))[0]["lab"]
        for stop in item.stops:
            card = demo.make_card(item.lab_path, stop)
            assert 2 <= len(card.options) <= 4 and len(set(card.options)) == len(card.options)
            truth = resolve(trace, lab["predict"][stop.predict]["answer"])
            assert card.options[card.correct] == cards._show(truth)
            assert card.sources[card.correct] == "truth"
            for source, option in zip(card.sources, card.options):
                if source not in ("truth", "lab option", "near number"):
                    wrong = resolve(simulate(load_scenario(item.lab_path, frozenset({source}))),
                                    lab["predict"][stop.predict]["answer"])
                    assert cards._show(wrong) == option
            # The stop freezes the run before its end (later entries would give the card's answer away): at the
            # scripted event's first entry, or after everything up to `at` and before anything later.
            timeline = trace["timeline"]
            index = demo.stop_index(trace, stop)
            assert index < len(timeline), (item.lab, stop)
            if stop.event is not None:
                assert timeline[index]["kind"] == stop.event
                assert all(e["kind"] != stop.event for e in timeline[:index])
            else:
                assert all(e["t"] <= stop.at for e in timeline[:index]) and timeline[index]["t"] > stop.at
        assert item.whatif is not None
        changed = simulate(demo.apply_whatif(item.lab_path, item.whatif))
        assert changed["invocations"] != trace["invocations"] or changed["inputs"] != trace["inputs"]


def test_a_bad_playlist_names_file_and_line(tmp_path: Path, monkeypatch) -> None:
    bad = tmp_path / "demos"
    bad.mkdir()
    (bad / "x.yaml").write_text("title: x\ndescription: y\nitems:\n  - lab: 18.13-sqs-redrive\n    stops:\n"
                                "      - {at: 0, predict: 9}\n")
    monkeypatch.setattr("study.demo.check.demos_dir", lambda: bad)
    problems, count = demo.check_demos()
    assert count == 1
    assert any(f"{bad / 'x.yaml'}:6:" in p and "predict: 9" in p for p in problems)
