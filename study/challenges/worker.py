"""The child process that runs a learner's handler: one per execution environment (context.object).

Started by study.challenges.sandbox as `python -I -S worker.py`: it imports nothing from `study`, only the standard
library. It limits its own address space to the function's MemorySize (on top of the interpreter it starts with),
then talks to its parent in JSON lines on the file descriptor that was stdout; the learner's prints are captured
and sent back with each answer, so they become log lines.

parent -> child  {"op": "init", "path", "func", "memory_mb", "cpu_s"}      child -> {"ok": true} or {"error": {...}}
parent -> child  {"op": "invoke", "event", "context": {...}, "wall_ms"}   child -> {"status", "error", "response"}
Every answer carries "printed" (the learner's output lines). A child answers {"exit": N} before it exits on
sys.exit(N) and {"oom": true} when an allocation went past the limit; the parent reports both as Lambda does.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import os
import sys
import time
import traceback
from collections.abc import Iterable

MAX_PRINTED_LINES = 200
MAX_LINE = 2000
MAX_RESPONSE_BYTES = 6 * 1024 * 1024  # a synchronous invocation's response limit


def _vm_size_bytes() -> int:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 64 * 1024 * 1024


def _limit(memory_mb: int, cpu_s: int) -> None:
    try:
        import resource
    except ImportError:  # not on a POSIX system: the wall-clock bound still holds
        return
    # The learner gets MemorySize on top of what the bare interpreter already holds.
    limit = _vm_size_bytes() + memory_mb * 1024 * 1024
    for name, value in (("RLIMIT_AS", limit), ("RLIMIT_CPU", cpu_s), ("RLIMIT_FSIZE", 16 * 1024 * 1024),
                        ("RLIMIT_CORE", 0)):
        kind = getattr(resource, name, None)
        if kind is None:
            continue
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(kind, (value, value))


class Context:
    """The context object (context.object): its remaining time is the real wall time left in this run."""

    def __init__(self, fields: dict, wall_ms: int):
        self.aws_request_id = fields["aws_request_id"]
        self.function_name = fields["function_name"]
        self.function_version = fields["function_version"]
        self.invoked_function_arn = fields["invoked_function_arn"]
        self.memory_limit_in_mb = fields["memory_limit_in_mb"]
        self.log_group_name = fields["log_group_name"]
        self.log_stream_name = fields["log_stream_name"]
        self.identity = None
        self.client_context = None
        self._deadline = time.monotonic() + wall_ms / 1000

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def _lines(text: str) -> list[str]:
    lines = [line[:MAX_LINE] for line in text.splitlines() if line.strip()]
    if len(lines) > MAX_PRINTED_LINES:
        extra = len(lines) - MAX_PRINTED_LINES
        lines = lines[:MAX_PRINTED_LINES] + [f"[study] {extra} more lines not kept"]
    return lines


def _error(exc: BaseException, error_type: str | None = None) -> dict:
    frames = traceback.extract_tb(exc.__traceback__)
    here = os.path.abspath(__file__)
    return {
        "errorMessage": str(exc),
        "errorType": error_type or type(exc).__name__,
        "stackTrace": [f'  File "{os.path.basename(f.filename)}", line {f.lineno}, in {f.name}\n    {f.line}\n'
                       for f in frames if os.path.abspath(f.filename) != here],
    }


class Worker:
    def __init__(self, out) -> None:
        self.out = out
        self.func = None
        self.module_name = "handler"

    def send(self, message: dict) -> None:
        self.out.write(json.dumps(message) + "\n")
        self.out.flush()

    def init(self, req: dict) -> dict:
        import importlib.util

        path = req["path"]
        self.module_name = os.path.splitext(os.path.basename(path))[0]
        sys.path.insert(0, os.path.dirname(path))
        for extra in req.get("sys_path", []):
            sys.path.insert(1, extra)
        name = self.module_name
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None or not os.path.isfile(path):
            return {"error": {"errorMessage": f"Unable to import module '{name}': No module named '{name}'",
                              "errorType": "Runtime.ImportModuleError", "stackTrace": []}}
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except SyntaxError as exc:
            return {"error": {"errorMessage": f"Syntax error in module '{name}': {exc}",
                              "errorType": "Runtime.UserCodeSyntaxError",
                              "stackTrace": [f'  File "{os.path.basename(exc.filename or path)}" Line {exc.lineno}\n'
                                             f'    {(exc.text or "").strip()}\n']}}
        except MemoryError:
            raise
        except ImportError as exc:
            return {"error": {"errorMessage": f"Unable to import module '{name}': {exc}",
                              "errorType": "Runtime.ImportModuleError", "stackTrace": []}}
        except Exception as exc:  # the module's own init code raised: an init error of that type
            return {"error": _error(exc)}
        func = getattr(module, req["func"], None)
        if not callable(func):
            return {"error": {"errorMessage": f"Handler '{req['func']}' missing on module '{name}'",
                              "errorType": "Runtime.HandlerNotFound", "stackTrace": []}}
        self.func = func
        return {"ok": True}

    def invoke(self, req: dict) -> dict:
        event = req["event"]
        context = Context(req["context"], req["wall_ms"])
        try:
            result = self.func(event, context)
        except MemoryError:
            raise  # past MemorySize: the runtime is killed (serve() reports it)
        except Exception as exc:
            return {"status": "error", "error": _error(exc), "response": None}
        try:
            text = json.dumps(result)
        except (TypeError, ValueError) as exc:
            return {"status": "error", "response": None, "error": {
                "errorMessage": f"Unable to marshal response: {exc}", "errorType": "Runtime.MarshalError",
                "stackTrace": []}}
        if len(text.encode()) > MAX_RESPONSE_BYTES:
            return {"status": "error", "response": None, "error": {
                "errorMessage": f"Response payload size exceeded maximum allowed payload size ({MAX_RESPONSE_BYTES}"
                                " bytes).", "errorType": "Function.ResponseSizeTooLarge"}}
        return {"status": "success", "error": None, "response": json.loads(text)}

    def serve(self, lines: Iterable[str]) -> None:
        for raw in lines:
            req = json.loads(raw)
            captured = io.StringIO()
            answer: dict
            _alarm(req.get("wall_ms", 10_000) / 1000 + 5)
            try:
                with contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured):
                    answer = self.init(req) if req["op"] == "init" else self.invoke(req)
            except SystemExit as exc:
                code = exc.code
                if code is not None and not isinstance(code, int):
                    captured.write(f"{code}\n")  # sys.exit("text") prints the text and exits with status 1
                    code = 1
                self.send({"exit": code, "printed": _lines(captured.getvalue())})
                os._exit(code or 0)
            except MemoryError:
                captured = io.StringIO(captured.getvalue()[-20000:])
                self.send({"oom": True, "printed": _lines(captured.getvalue())})
                os._exit(137)
            _alarm(0)
            answer["printed"] = _lines(captured.getvalue())
            self.send(answer)


def _die_with_parent() -> None:
    """Linux: the kernel kills this child if the app goes away mid-run (a sleeping handler burns no CPU time)."""
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError, ValueError):
        pass


def _alarm(seconds: float) -> None:
    """A hard stop of our own, a little after the parent's deadline: SIGALRM ends the process."""
    try:
        import signal

        signal.setitimer(signal.ITIMER_REAL, seconds)
    except (ImportError, AttributeError, ValueError, OSError):
        pass


def main() -> None:
    _die_with_parent()
    # The protocol keeps the real stdin and stdout; the learner's code gets an empty stdin, and anything it writes
    # straight to fd 1 or 2 goes nowhere (print() is captured per call).
    proto_in = os.fdopen(os.dup(0), "r", encoding="utf-8")
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    sys.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115 - lives as long as the process
    sys.stdout = io.TextIOWrapper(os.fdopen(1, "wb", closefd=False), encoding="utf-8")
    first = proto_in.readline()
    req = json.loads(first)
    _limit(int(req["memory_mb"]), int(req["cpu_s"]))
    worker = Worker(out)
    worker.serve(itertools.chain([first], iter(proto_in.readline, "")))


if __name__ == "__main__":
    main()
