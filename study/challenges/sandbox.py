"""Learner code runs here: in a child process per execution environment, bounded in wall time and memory.

`ChildHandler` plugs into the emulator where the in-process `RealHandler` would (study.sim.run.simulate's
`handler_factory`), so the engine, its traces and its rules are the same; only where the code runs differs.
Each execution environment gets its own child, so module-level globals survive warm starts and vanish on cold
ones; a child that timed out, crashed or ran out of memory is gone, and the next run pays a cold start, as in AWS.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

from study.sim.handlers import RealHandler
from study.sim.scenario.defaults import MS

WORKER = Path(__file__).with_name("worker.py")
KIT = Path(__file__).with_name("kit")
WALL_CAP_S = 5.0  # no single run of learner code holds the app longer than this, whatever its Timeout
INIT_CAP_S = 5.0  # INIT has its own 10 s limit in AWS; here it is capped like a run
CPU_BACKSTOP_S = 300  # a child's whole CPU time; the wall-clock deadlines above are the real bound


class Child:
    """One worker process: started, told to import the handler, asked to invoke it, killed when done."""

    def __init__(self, path: Path, func: str, env: dict[str, str], memory_mb: int, cwd: Path):
        self.proc = subprocess.Popen(
            # -I: no PYTHONPATH, user site or cwd on the path; -S: no site-packages (quicker to start; the code has
            # the standard library and labkit, as a challenge says).
            [sys.executable, "-I", "-S", str(WORKER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, cwd=str(cwd), env=env, start_new_session=True)
        self.path, self.func, self.memory_mb = path, func, memory_mb
        self.buf = b""

    def ask(self, message: dict, wall_s: float) -> dict | None:
        """Send one request; the answer, or None when the wall-clock deadline passed (the child is then killed)."""
        deadline = time.monotonic() + wall_s
        try:
            assert self.proc.stdin is not None
            self.proc.stdin.write((json.dumps(message) + "\n").encode())
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            return self._gone()
        fd = self.proc.stdout.fileno()  # type: ignore[union-attr]
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                self.kill()
                return None
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                return self._gone()
            self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\n")
        try:
            return json.loads(line)
        except ValueError:
            return self._gone()

    def _gone(self) -> dict:
        """The child closed its pipe without answering: how it ended decides what Lambda would report."""
        try:
            code = self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.kill()
            code = self.proc.returncode
        if code is not None and code < 0:
            return {"signal": -code}
        return {"exit": code}

    def kill(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                self.proc.kill()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                try:
                    stream.close()
                except OSError:
                    pass


def _signal_name(number: int) -> str:
    names = {signal.SIGKILL: "killed", signal.SIGSEGV: "segmentation fault", signal.SIGABRT: "aborted",
             signal.SIGTERM: "terminated", signal.SIGBUS: "bus error", signal.SIGXCPU: "CPU time limit exceeded",
             signal.SIGALRM: "alarm clock"}
    return names.get(number, f"signal {number}")


class ChildHandler(RealHandler):
    """A RealHandler whose code runs in child processes. Call `close()` when the scenario has run."""

    def __init__(self, scenario, engine, *, wall_cap_s: float = WALL_CAP_S, kit_env: dict[str, str] | None = None):
        super().__init__(scenario, engine)
        self.wall_cap_s = wall_cap_s
        self.kit_env = kit_env or {}
        self.children: list[Child] = []

    def _child_env(self, stream: str) -> dict[str, str]:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "PYTHONIOENCODING": "utf-8",
               "HOME": str(self.path.parent), "PYTHONDONTWRITEBYTECODE": "1"}
        env.update(self.env_vars)
        env["AWS_LAMBDA_LOG_STREAM_NAME"] = stream
        env.update(self.kit_env)
        return env

    def _start(self, inv) -> tuple[Child | None, dict | None, list[str]]:
        env = inv.env
        # Environments the engine let go (idle past idle_ttl) need their process no more.
        for other in self.engine.envs:
            if other.stream is None and isinstance(other.module, Child):
                other.module.kill()
                other.module = None
        memory = int(self.engine.memory)
        child = Child(self.path, self.func_name, self._child_env(env.stream), memory, self.path.parent)
        self.children = [c for c in self.children if c.proc.poll() is None]
        self.children.append(child)
        cpu = CPU_BACKSTOP_S
        answer = child.ask({"op": "init", "path": str(self.path), "func": self.func_name, "memory_mb": memory,
                            "cpu_s": cpu, "sys_path": [str(KIT)], "wall_ms": int(INIT_CAP_S * 1000)}, INIT_CAP_S)
        if answer is None:
            return None, {"errorMessage": f"RequestId: {inv.request_id} Error: Runtime exited with error: "
                          "INIT did not finish in time", "errorType": "Runtime.ExitError"}, []
        printed = answer.get("printed", [])
        if answer.get("ok"):
            return child, None, printed
        child.kill()
        return None, self._failure(answer, inv) or answer.get("error"), printed

    def _failure(self, answer: dict, inv) -> dict | None:
        """The error of a child that exited, was killed or ran out of memory; None for an ordinary answer."""
        rid = inv.request_id
        if answer.get("oom") or answer.get("signal") == signal.SIGKILL:
            return {"errorMessage": f"RequestId: {rid} Error: Runtime exited with error: signal: killed",
                    "errorType": "Runtime.OutOfMemory"}
        if "signal" in answer:
            return {"errorMessage": f"RequestId: {rid} Error: Runtime exited with error: signal: "
                    f"{_signal_name(answer['signal'])}", "errorType": "Runtime.ExitError"}
        if "exit" in answer:
            code = answer["exit"]
            if not code:
                return {"errorMessage": f"RequestId: {rid} Error: Runtime exited without providing a reason",
                        "errorType": "Runtime.ExitError"}
            return {"errorMessage": f"RequestId: {rid} Error: Runtime exited with error: exit status {code}",
                    "errorType": "Runtime.ExitError"}
        return None

    def call(self, inv) -> tuple[str, dict | None, object]:
        env = inv.env
        printed: list[str] = []
        if env.module is None or inv.cold_start:
            if env.module is not None:
                env.module.kill()
            env.module = None
            child, error, printed = self._start(inv)
            if child is None:
                inv.printed = printed
                return "error", error, None
            env.module = child
        child = env.module
        wall_s = min(self.engine.timeout_ms / MS, self.wall_cap_s)
        ctx = {"aws_request_id": inv.request_id, "function_name": self.s_function["FunctionName"],
               "function_version": "$LATEST", "invoked_function_arn": self.s_function["FunctionArn"],
               "memory_limit_in_mb": str(self.s_function["MemorySize"]),
               "log_group_name": f"/aws/lambda/{self.s_function['FunctionName']}", "log_stream_name": env.stream}
        answer = child.ask({"op": "invoke", "event": inv.event, "context": ctx, "wall_ms": int(wall_s * 1000)},
                           wall_s)
        if answer is None:  # out of time: Lambda stops the run and resets the runtime
            env.module = None
            inv.printed = printed
            return "timeout", None, None
        inv.printed = printed + answer.get("printed", [])
        failure = self._failure(answer, inv)
        if failure is not None:
            child.kill()
            env.module = None
            return "error", failure, None
        error = answer.get("error")
        if error is not None and "stackTrace" in error:
            error = {"errorMessage": error["errorMessage"], "errorType": error["errorType"],
                     "requestId": inv.request_id, "stackTrace": error["stackTrace"]}
        return answer["status"], error, answer.get("response")

    @property
    def s_function(self) -> dict:
        return self.engine.s.function

    def close(self) -> None:
        for child in self.children:
            child.kill()
        self.children.clear()
