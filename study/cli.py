"""The `study` command line (argparse). Faces are imported only when their command runs."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

EXIT_BAD_INPUT = 2

OVERVIEW = """\
study: learn how AWS Lambda behaves (AWS Certified Developer - Associate, chapter 18)

  study                      open the app (chapter map, lessons, labs, practice)
  study learn [SECTION]      read a lesson in the terminal, e.g. study learn 18.6
  study lab FILE             open a lab (or any scenario file) in the app
  study sim FILE             run a scenario and show its timeline (--json, --summary)
  study price --memory MB --duration-ms MS --requests N [--json]
                             a month's cost with the free tier
  study questions            the question bank (--json, --seed, --section, --stats, --audit)
  study quiz [-n N]          a quick quiz in the terminal
  study code [ID]            coding challenges: list them, or grade your handler
                             (study code ID --starter > handler.py; study code ID --file handler.py [--watch])
  study check                validate lessons, rules, labs and questions
  study export anki FILE.apkg  the rules and questions as an Anki deck (csv also works)
  study demo [PLAYLIST]      presenter mode for a class
  study class PLAYLIST       presenter mode with a live room: students answer from their devices
  study join URL CODE        join a live class from this terminal
  study snapshot LAB --at T --out FILE.svg
                             an SVG of a lab at simulated time T
  study serve                serve the app to browsers (each visitor keeps their own progress)

Run `study COMMAND --help` for the options of one command."""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="study", description="Learn how AWS Lambda behaves.",
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="store_true", help="print the version")
    # Internal: how `study serve` starts each browser visitor's own app, with their own progress store.
    p.add_argument("--visitor-home", metavar="DIR", help=argparse.SUPPRESS)
    sub = p.add_subparsers(dest="command")

    sim = sub.add_parser("sim", help="run a scenario file and show what happened")
    sim.add_argument("file", help="a scenario YAML file (see content/labs for examples)")
    out = sim.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print the whole trace as JSON")
    out.add_argument("--summary", action="store_true", help="print only the summary and a count of final states")
    sim.add_argument("--misconception", action="append", default=[], metavar="ID",
                     help="play the scenario with a named misconception switched on (for comparison)")
    sim.add_argument("--profile", choices=["exam", "aws"], help="override the scenario's profile")

    price = sub.add_parser("price", help="a month's Lambda cost with the free tier")
    price.add_argument("--memory", type=int, required=True, metavar="MB", help="MemorySize, 128..10240")
    price.add_argument("--duration-ms", type=float, required=True, metavar="MS", help="average duration per call")
    price.add_argument("--requests", type=int, required=True, metavar="N", help="invocations per month")
    price.add_argument("--json", action="store_true", help="print JSON")

    learn = sub.add_parser("learn", help="read a lesson in the terminal")
    learn.add_argument("section", nargs="?", help="a section such as 18.6 (omit for the table of contents)")

    sub.add_parser("check", help="validate all content, rules, labs and questions")

    code = sub.add_parser("code", help="coding challenges: write the handler, the emulator grades it")
    code.add_argument("id", nargs="?", help="a challenge id (omit to list them)")
    code.add_argument("--file", help="your handler file to grade")
    code.add_argument("--starter", action="store_true", help="print the challenge's starter handler")
    code.add_argument("--solution", action="store_true", help="print the model solution (after a first graded run)")
    code.add_argument("--watch", action="store_true", help="grade again whenever the file is saved")
    code.add_argument("--json", action="store_true", help="print JSON")

    q = sub.add_parser("questions", help="print the question bank")
    q.add_argument("--json", action="store_true")
    q.add_argument("--seed", type=int, default=0)
    q.add_argument("--section")
    q.add_argument("--stats", action="store_true", help="counts per section, template and rule")
    q.add_argument("--audit", action="store_true",
                   help="item analysis: how often knowledge-free guessers pick the key, against chance")

    quiz = sub.add_parser(
        "quiz", help="a plain terminal quiz with immediate feedback",
        description="A terminal quiz: answer with a letter or 1-4, letters such as A,C, or a number. With progress "
                    "saved and no --seed it is a saved practice session; --seed replays a quiz and saves nothing. "
                    "Plain mode: without a terminal (a pipe or file) each prompt is a line and each answer is read "
                    "from one line and echoed; end of input stops.")
    quiz.add_argument("--section")
    quiz.add_argument("-n", type=int, default=10, help="number of questions (default 10)")
    quiz.add_argument("--seed", type=int)

    lab = sub.add_parser("lab", help="open a lab (by name, as in content/labs) or a scenario file in the app")
    lab.add_argument("file", help="a lab name such as 18.06-async-retry-schedule (or part of one), or a file")

    ex = sub.add_parser("export", help="the rules and hand-written questions for Anki or a spreadsheet")
    ex.add_argument("format", choices=["anki", "csv"])
    ex.add_argument("file", help="FILE.apkg for anki, FILE.csv for csv")

    demo = sub.add_parser("demo", help="presenter mode: a playlist of labs with stops, cards and what-ifs")
    demo.add_argument("playlist", nargs="?", help="a playlist in content/demos (omit to choose one)")

    snap = sub.add_parser("snapshot", help="an SVG of a lab's Watch view at simulated time T, for handouts")
    from study.snapshot import add_arguments

    add_arguments(snap)

    serve = sub.add_parser("serve", help="serve the app to browsers (each visitor gets their own)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: loopback only)")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--public-url", help="the address browsers use to reach this server, if it differs")
    serve.add_argument("--forget-after", type=float, default=14.0, metavar="DAYS",
                       help="remove a visitor's progress when they have not come back for this long (default 14)")

    cls = sub.add_parser("class", help="presenter mode with a live room: students answer the cards from their "
                                       "browsers or terminals")
    cls.add_argument("playlist", help="a playlist in content/demos")
    cls.add_argument("--host", default="127.0.0.1",
                     help="address to listen on (default: loopback only; 0.0.0.0 lets the room's devices in)")
    cls.add_argument("--port", type=int, default=8000)
    cls.add_argument("--public-url", help="the address students use to reach this server, if it differs")
    cls.add_argument("--new", action="store_true", help="open a new room instead of resuming this playlist's")
    cls.add_argument("--export", metavar="FILE.csv", help="write the room's class summary as CSV and exit")

    join = sub.add_parser("join", help="join a live class (study class) from this terminal")
    join.add_argument("url", help="the address the presenter's screen shows, e.g. http://10.0.0.5:8000")
    join.add_argument("code", help="the room code on the presenter's screen")
    join.add_argument("--nickname", default="", help="a name the presenter may see (default: anonymous)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.version:
        from study import __version__

        print(__version__)
        return 0
    if args.visitor_home:
        from study.serve import start_visitor_home

        start_visitor_home(args.visitor_home)
    try:
        if args.command is None:
            return _app(None)
        if args.command == "export":
            from study.export import export_command

            return export_command(args)
        if args.command == "demo":
            from study.tui.app import run_demo

            return run_demo(args.playlist)
        if args.command == "snapshot":
            from study.snapshot import run_args

            return run_args(args)
        if args.command == "serve":
            from study.serve import serve

            if args.forget_after <= 0:
                print("study serve: --forget-after: expected a number of days above 0", file=sys.stderr)
                return EXIT_BAD_INPUT
            return serve(args.host, args.port, args.public_url, args.forget_after)
        if args.command == "class":
            from study.tui.screens.classroom import run_class

            return run_class(args.playlist, args.host, args.port, args.public_url, fresh=args.new,
                             export=args.export)
        if args.command == "join":
            from study.tui.join import run_join

            return run_join(args.url, args.code, args.nickname)
        if args.command == "sim":
            return _sim(args)
        if args.command == "price":
            return _price(args)
        if args.command == "learn":
            from study.terminal.learn import learn

            return learn(args.section)
        if args.command == "code":
            from study.terminal.code import code_command

            return code_command(args)
        if args.command == "check":
            from study.check import run_check

            return run_check()
        if args.command == "questions":
            from study.terminal.questions import questions_command

            return questions_command(args)
        if args.command == "quiz":
            from study.terminal.quiz import quiz_command

            return quiz_command(args)
        if args.command == "lab":
            return _app(args.file)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    return 0


def _app(lab_file: str | None) -> int:
    try:
        from study.tui.app import make_app
    except ImportError:
        print(OVERVIEW)
        return 0
    if not _interactive():
        print("study: the app needs a terminal (stdin is not a TTY). Run it in a terminal, or use a command "
              "that works in a pipe: study quiz, study sim FILE, study check (study --help lists them).",
              file=sys.stderr)
        return EXIT_BAD_INPUT
    if lab_file is not None:
        from study.snapshot import SnapshotError, resolve_lab

        try:
            lab_file = str(resolve_lab(lab_file))  # a lab's name, as `study snapshot` takes it
        except SnapshotError as err:
            print(f"study lab: {err}", file=sys.stderr)
            return EXIT_BAD_INPUT
    # Any other problem with the file (invalid YAML, a limit hit, a refused configuration) is shown by the app,
    # which then returns to the chapter map: the app keeps running.
    make_app(lab_file=lab_file).run()
    return 0


def _interactive() -> bool:
    """Whether the app has a terminal to draw in: stdin a TTY, or Textual's web driver (study serve)."""
    import os

    if os.environ.get("TEXTUAL_DRIVER"):
        return True
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def _sim(args) -> int:
    from study.lab.labblock import LAB_BLOCK
    from study.sim.errors import ScenarioError
    from study.sim.run import simulate, simulate_summary, simulate_to
    from study.sim.scenario.load import load_scenario

    try:
        if args.profile:
            from study.sim import yamlpos
            from study.sim.scenario.load import build_scenario

            data, marks = yamlpos.load_file(args.file)
            if isinstance(data, dict):
                data["profile"] = args.profile
            scenario = build_scenario(data, marks, args.file, Path(args.file).resolve().parent,
                                      frozenset(args.misconception), LAB_BLOCK)
        else:
            scenario = load_scenario(args.file, frozenset(args.misconception), LAB_BLOCK)
        if args.summary:
            sys.stdout.write(json.dumps(simulate_summary(scenario)) + "\n")
            return 0
        if args.json:
            return _write_json(lambda: simulate_to(scenario, sys.stdout))
        trace = simulate(scenario)
    except ScenarioError as err:
        print(f"study: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    from study.render import print_trace

    print_trace(trace)
    return 0


def _write_json(write) -> int:
    """`study sim --json`'s writing: a full disk or a closed output is a message and status 1, not a traceback."""
    try:
        write()
        sys.stdout.write("\n")
        sys.stdout.flush()
    except BrokenPipeError:  # the reader stopped (`| head`): nothing to say, and nothing left to flush at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as err:
        print(f"study: the trace could not be written: {err.strerror or err}", file=sys.stderr)
        return 1
    return 0


def _price(args) -> int:
    from study.sim.pricing import monthly_cost

    problems = []
    if not 128 <= args.memory <= 10240:
        problems.append(f"--memory: {args.memory} is out of range 128..10240 (ValidationException: Member must "
                        "have value between 128 and 10240)")
    if args.duration_ms < 0 or args.duration_ms > 900_000:
        problems.append(f"--duration-ms: {args.duration_ms:g} is out of range 0..900000 (the 15-minute timeout)")
    if args.requests < 0:
        problems.append("--requests: expected 0 or more")
    if problems:
        for p in problems:
            print(f"study price: {p}", file=sys.stderr)
        return EXIT_BAD_INPUT
    cost = monthly_cost(args.memory, args.duration_ms, args.requests)
    if args.json:
        print(json.dumps(cost.to_json()))
        return 0
    from study.render import print_price

    print_price(cost)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
