"""`study code`: list the coding challenges, print a starter, or grade a handler file (once, or on every save)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

EXIT_BAD_INPUT = 2


def code_command(args) -> int:
    from study.challenges.model import find_challenge, load_challenges
    from study.sim.errors import ScenarioError

    try:
        if args.id is None:
            if args.file or args.starter or args.watch or args.solution:
                print("study code: name a challenge (study code ID --file handler.py); `study code` lists them",
                      file=sys.stderr)
                return EXIT_BAD_INPUT
            return _list(load_challenges(), args.json)
        challenge = find_challenge(args.id)
    except ScenarioError as err:
        print(f"study: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if challenge is None:
        print(f"study code: no challenge {args.id!r} (run `study code` for the list)", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.starter:
        sys.stdout.write(challenge.starter)
        return 0
    if args.solution:
        if not _tries(challenge.id):
            print(f"study code: the model solution opens after a first try: study code {challenge.id} --file "
                  "handler.py", file=sys.stderr)
            return EXIT_BAD_INPUT
        sys.stdout.write(challenge.solution)
        return 0
    if not args.file:
        _brief(challenge)
        return 0
    path = Path(args.file)
    if args.watch:
        return _watch(challenge, path, args.json)
    return _grade_once(challenge, path, args.json)


def _bests() -> dict:
    from study import paths
    from study.learning.store import FILE_NAME, Store

    if not (paths.user_data_dir() / FILE_NAME).exists():
        return {}
    store = Store()
    try:
        return store.challenge_bests()
    finally:
        store.close()


def _tries(challenge_id: str) -> int:
    from study import paths
    from study.learning.store import FILE_NAME, Store

    if not (paths.user_data_dir() / FILE_NAME).exists():
        return 0
    store = Store()
    try:
        return store.challenge_tries(challenge_id)
    finally:
        store.close()


def _list(challenges, as_json: bool) -> int:
    bests = _bests()
    if as_json:
        print(json.dumps([{"id": c.id, "section": c.section, "title": c.title,
                           "solved": bool(bests.get(c.id, (False,))[0])} for c in challenges]))
        return 0
    for c in challenges:
        best = bests.get(c.id)
        mark = "✓" if best and best[0] else (f"{best[1]}/{best[2]}" if best else "·")
        print(f"{mark:>6}  {c.section:<8} {c.id:<24} {c.title}")
    print("\nstudy code ID --starter > handler.py   then   study code ID --file handler.py [--watch]")
    return 0


def _brief(challenge) -> None:
    print(f"{challenge.id} · {challenge.section} · {challenge.title}\n")
    print(challenge.brief)
    print(f"\nrules: {', '.join(challenge.rules)}")
    print(f"\nstudy code {challenge.id} --starter > handler.py   then   study code {challenge.id} --file handler.py")


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        why = getattr(err, "strerror", None) or "not UTF-8 text"
        print(f"study code: {path}: cannot read the file ({why})", file=sys.stderr)
        return None


def _grade_once(challenge, path: Path, as_json: bool) -> int:
    code = _read(path)
    if code is None:
        return EXIT_BAD_INPUT
    result = _grade_and_keep(challenge, code, quiet=as_json)
    if as_json:
        print(json.dumps(result.to_json()))
    else:
        _print(challenge, result)
    return 0 if result.passed else 1


def _grade_and_keep(challenge, code: str, quiet: bool):
    from study.challenges.grade import grade

    def progress(i: int, n: int, name: str) -> None:
        if not quiet and name and sys.stderr.isatty():
            print(f"  running scenario {i + 1}/{n}: {name}…", file=sys.stderr)

    result = grade(challenge, code, progress=progress)
    try:
        from study.learning.store import Store

        store = Store()
        try:
            store.save_challenge_code(challenge.id, code)
            n, total = result.score
            store.record_challenge_run(challenge.id, result.passed, n, total, code, challenge.rules)
        finally:
            store.close()
    except Exception as err:  # the grade stands even when the progress store cannot be written
        print(f"study code: the result was not saved ({err})", file=sys.stderr)
    return result


def _print(challenge, result) -> None:
    from study.render import print_challenge_result

    print_challenge_result(challenge, result)


def _watch(challenge, path: Path, as_json: bool) -> int:
    """Grade now and again whenever the file changes; Ctrl+C stops."""
    last = None
    print(f"watching {path}; grading on every save (Ctrl+C stops)", file=sys.stderr)
    status = 1
    try:
        while True:
            try:
                stamp = path.stat().st_mtime_ns, path.stat().st_size
            except OSError:
                stamp = None
            if stamp is not None and stamp != last:
                last = stamp
                code = _read(path)
                if code is not None:
                    result = _grade_and_keep(challenge, code, quiet=as_json)
                    status = 0 if result.passed else 1
                    if as_json:
                        print(json.dumps(result.to_json()), flush=True)
                    else:
                        print(f"\n── {time.strftime('%H:%M:%S')} {path.name}", flush=True)
                        _print(challenge, result)
            time.sleep(0.3)
    except KeyboardInterrupt:
        return status
