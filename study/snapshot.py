"""`study snapshot LAB --at T --out FILE.svg`: a lab's Watch view at simulated time T, saved as an SVG for
handouts. The app runs headless at a fixed size, so the same lab and time give the same file."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from study import paths

SIZE = (120, 40)
EXIT_BAD_INPUT = 2


class SnapshotError(Exception):
    """Bad input, with the message to print."""


def resolve_lab(lab: str) -> Path:
    """A path to a scenario file, or a lab's name in content/labs (with or without .yaml)."""
    path = Path(lab)
    if path.is_file():
        return path
    name = lab[:-5] if lab.endswith(".yaml") else lab
    candidate = paths.labs_dir() / f"{name}.yaml"
    if candidate.is_file():
        return candidate
    matches = sorted(paths.labs_dir().glob(f"*{name}*.yaml")) if name else []
    if len(matches) == 1:
        return matches[0]
    hint = (f"; it matches {len(matches)} labs: " + ", ".join(p.stem for p in matches[:6])
            + (" …" if len(matches) > 6 else "")) if matches else ""
    raise SnapshotError(f"{lab}: not a file and not a lab in {paths.labs_dir()}{hint}; expected a scenario file "
                        "or a lab name such as 18.06-async-retry-schedule")


def parse_time(text: str | float) -> float:
    try:
        t = float(text)
    except (TypeError, ValueError):
        raise SnapshotError(f"--at: {text!r} is not a number; expected simulated seconds, e.g. --at 65") from None
    if not math.isfinite(t) or t < 0:
        raise SnapshotError(f"--at: {text!r} is out of range; expected simulated seconds, 0 or more")
    return t


def render_svg(lab_path: Path, t: float | None, size: tuple[int, int] = SIZE, *, step: int | None = None,
               light: bool = False, footer: bool = True) -> str:
    """Open the lab in the app (headless), show Watch with everything up to time t (or the first `step`
    steps) played, export the screen. `light` uses a light theme (for print), `footer=False` hides the keys."""
    from study.tui.app import make_app
    from study.tui.screens.lab import LabScreen
    from study.tui.widgets.watch_view import WatchView

    app = make_app(lab_file=str(lab_path), clock=lambda: 0.0)
    app.animation_level = "none"
    out: dict[str, str] = {}

    async def shoot(pilot) -> None:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        if not isinstance(screen, LabScreen) or screen.loaded is None or screen.loaded.model is None:
            app.exit()
            return
        if light:
            app.theme = "textual-light"
        if not footer:
            for f in screen.query("Footer"):
                f.display = False
        screen.commit(force=True, then="watch", store=False)  # a handout, not an attempt
        await pilot.pause()
        watch = screen.query_one(WatchView)
        model = watch.model
        if step is not None:
            watch.seek(step)
            label = f"step {step} of {len(model)}"
        else:
            watch.seek(sum(1 for e in model.entries if float(e["t"]) <= t))
            # The clock reads T, not the time of the last entry played: the handout is "the run at T".
            watch.player.clock = t
            watch.post_message(WatchView.Moved())
            label = f"t = {t:g} s"
        await pilot.pause()
        out["svg"] = app.export_screenshot(title=f"{screen.loaded.lab.title} · {label}")
        app.exit()

    app.run(headless=True, size=size, auto_pilot=shoot)
    if "svg" not in out:
        raise SnapshotError(f"{lab_path}: the lab did not open, so there is nothing to draw")
    return out["svg"]


def snapshot_command(lab: str, at: str | float | None, out: str, *, step: str | int | None = None,
                     light: bool = False, footer: bool = True) -> int:
    """The `study snapshot` command: 0 when the SVG is written, 2 with a message for bad input."""
    from study import lab as lm
    from study.sim.errors import ScenarioError

    try:
        path = resolve_lab(lab)
        if (at is None) == (step is None):
            raise SnapshotError("give either --at T (simulated seconds) or --step N (a step of the run), not both")
        t = parse_time(at) if at is not None else None
        n = parse_step(step) if step is not None else None
        target = Path(out)
        if target.suffix.lower() != ".svg":
            raise SnapshotError(f"--out: {out}: expected a file name ending in .svg")
        if not target.parent.is_dir():
            raise SnapshotError(f"--out: {out}: the folder {target.parent} does not exist")
        try:
            loaded = lm.load_lab(path)
        except ScenarioError as err:
            raise SnapshotError(str(err)) from None
        except OSError as err:
            raise SnapshotError(f"{path}: cannot read the file ({err.strerror})") from None
        if loaded.scenario is None:
            raise SnapshotError(f"{loaded.error}\n(AWS refuses this configuration, so nothing runs: there is no "
                                "Watch view to draw)")
        trace = lm.run_lab(loaded).trace
        steps = len(trace.get("timeline") or [])
        end = float((trace.get("summary") or {}).get("end") or 0.0)
        if t is not None and t > end:
            raise SnapshotError(f"--at: {t:g} s is past the end of the run ({end:g} s); expected 0 to {end:g}")
        if n is not None and n > steps:
            raise SnapshotError(f"--step: {n} is past the end of the run ({steps} steps); expected 0 to {steps}")
        svg = render_svg(path, t, step=n, light=light, footer=footer)
    except SnapshotError as err:
        print(f"study snapshot: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    target.write_text(svg, encoding="utf-8")
    where = f"t = {t:g} s" if t is not None else f"step {n} of {steps}"
    print(f"study snapshot: wrote {target} ({loaded.title}, {where})", file=sys.stderr)
    return 0


def parse_step(text: str | int) -> int:
    try:
        n = int(text)
    except (TypeError, ValueError):
        raise SnapshotError(f"--step: {text!r} is not a whole number; expected a step of the run, e.g. --step 12"
                            ) from None
    if n < 0:
        raise SnapshotError(f"--step: {text!r} is out of range; expected 0 or more")
    return n


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The snapshot command's options (the CLI's subcommand and this module's own entry point share them)."""
    p.add_argument("lab", help="a lab name in content/labs (e.g. 18.06-async-retry-schedule) or a scenario file")
    when = p.add_mutually_exclusive_group(required=True)
    when.add_argument("--at", metavar="T", help="simulated seconds (0 to the end of the run)")
    when.add_argument("--step", metavar="N", help="the run after its first N steps")
    p.add_argument("--out", required=True, metavar="FILE.svg")
    p.add_argument("--light", action="store_true", help="a light theme, for printing")
    p.add_argument("--no-footer", dest="footer", action="store_false", help="leave out the key bar")


def run_args(args) -> int:
    return snapshot_command(args.lab, args.at, args.out, step=args.step, light=args.light, footer=args.footer)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="study snapshot", description="An SVG of a lab's Watch view at time T.")
    add_arguments(p)
    return run_args(p.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
