"""The app survives a bad file: `study lab FILE` shows the error and returns to the map; a playlist with a lab that
cannot be played skips it with a message and plays the others."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from test_hostile_files import billion_laughs, deep_payload, many_messages

from study import paths
from study.tui.app import make_app

HOSTILE = {
    "laughs.yaml": billion_laughs(),
    "deep.yaml": deep_payload(),
    "nul.yaml": b"\x00\x01\x02title: x\ntrigger: {type: sync}\n",
    "many.yaml": many_messages(),
}


async def _settle(app, pilot) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize("name", list(HOSTILE))
def test_study_lab_with_a_hostile_file_shows_the_error_and_returns_to_the_map(tmp_path: Path, monkeypatch,
                                                                              name: str) -> None:
    monkeypatch.setenv("STUDY_HOME", str(tmp_path / "home"))
    f = tmp_path / name
    content = HOSTILE[name]
    f.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))

    async def main() -> None:
        app = make_app(lab_file=str(f), clock=lambda: 0.0)
        app.animation_level = "none"
        async with app.run_test(size=(100, 30)) as pilot:
            await _settle(app, pilot)
            assert type(app.screen).__name__ == "HomeScreen"
            shown = [n.message for n in app._notifications]
            assert any(m.startswith(f"{f}:") for m in shown), shown
            await pilot.press("question_mark")  # the app still answers keys
            await pilot.pause()
            assert type(app.screen).__name__ != "HomeScreen"

    asyncio.run(main())


def _data_tree(tmp_path: Path, broken_lab: str, text: bytes) -> Path:
    """A copy of the course's data (links to the real files) in which one lab is replaced by a broken file."""
    root = tmp_path / "data"
    content = root / "content"
    (content / "labs").mkdir(parents=True)
    for entry in paths.content_dir().iterdir():
        if entry.name != "labs":
            (content / entry.name).symlink_to(entry)
    for lab in paths.labs_dir().glob("*.yaml"):
        target = content / "labs" / lab.name
        if lab.stem == broken_lab:
            target.write_bytes(text)
        else:
            target.symlink_to(lab)
    (root / "questions").symlink_to(paths.questions_dir())
    return root


@pytest.mark.parametrize("text", [b"\x00\x01\x02", b"title: [unclosed\n", b"- just a list\n"])
def test_a_playlist_skips_a_lab_that_cannot_be_played(tmp_path: Path, monkeypatch, text: bytes) -> None:
    from study.demo import demos_dir, load_playlist
    from study.tui.screens.demo import DemoScreen
    from study.tui.screens.demo_picker import open_demo

    monkeypatch.setenv("STUDY_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("STUDY_DATA", str(_data_tree(tmp_path, "18.13-sqs-partial-batch", text)))
    playlist = load_playlist(demos_dir() / "sqs-partial-batch-redrive.yaml")
    assert len(playlist.skipped) == 1 and "18.13-sqs-partial-batch.yaml:" in playlist.skipped[0]
    assert [i.lab for i in playlist.items][0] == "18.13-sqs-redrive"

    async def main() -> None:
        app = make_app(clock=lambda: 0.0)
        app.animation_level = "none"
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            open_demo(app, playlist)
            await _settle(app, pilot)
            assert isinstance(app.screen, DemoScreen)
            shown = [n.message for n in app._notifications]
            assert playlist.skipped[0] in shown
            assert app.screen.run is not None and app.screen.run.lab.title  # the next lab plays

    asyncio.run(main())


def test_study_check_reports_the_skipped_lab(tmp_path: Path, monkeypatch) -> None:
    from study.demo import check_demos

    monkeypatch.setenv("STUDY_DATA", str(_data_tree(tmp_path, "18.13-sqs-partial-batch", b"\x00")))
    problems, _ = check_demos()
    assert any("skips a lab" in p and "U+0000" in p for p in problems), problems


@pytest.mark.parametrize("stop, what", [
    ("{at: soon, predict: 0}", "at: 'soon' is not a time"),
    ("{event: [visible], predict: 0}", "is not a timeline kind"),
    ("{at: 0, predict: 0, distractors: [[x]]}", "is not a misconception"),
    ("{at: 0, predict: 0, distractors: 3}", "expected a list of misconception ids"),
])
def test_a_playlist_stop_of_the_wrong_type_is_refused_with_its_position(tmp_path: Path, stop: str,
                                                                        what: str) -> None:
    from study.demo import load_playlist
    from study.sim.errors import ScenarioError

    f = tmp_path / "p.yaml"
    f.write_text(f"title: t\ndescription: d\nitems:\n  - lab: 18.13-sqs-redrive\n    stops:\n      - {stop}\n",
                 encoding="utf-8")
    with pytest.raises(ScenarioError, match=what) as info:
        load_playlist(f)
    assert info.value.file == str(f) and info.value.line == 6
