"""Real Python handlers (`function.handler: file.py:function`): the real event, a context object (context.object),
AWS's environment variables, and a fresh module per execution environment so globals survive only warm starts."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import os
import sys
import traceback
from pathlib import Path
from typing import Any

from study.sim.scenario.defaults import ACCOUNT, REGION


class LambdaContext:
    """The context object a Python handler receives (context.object)."""

    def __init__(self, engine, inv, env):
        fn = engine.s.function
        self.aws_request_id = inv.request_id
        self.function_name = fn["FunctionName"]
        self.function_version = "$LATEST"
        self.invoked_function_arn = fn["FunctionArn"]
        self.memory_limit_in_mb = str(fn["MemorySize"])
        self.log_group_name = f"/aws/lambda/{fn['FunctionName']}"
        self.log_stream_name = env.stream
        self.identity = None
        self.client_context = None
        self._timeout_ms = engine.timeout_ms

    def get_remaining_time_in_millis(self) -> int:
        # Simulated time stands still while real code runs: the whole timeout is left (deterministic).
        return self._timeout_ms


def _error(exc: BaseException, error_type: str | None = None) -> dict:
    tb = traceback.extract_tb(exc.__traceback__)
    return {
        "errorMessage": str(exc),
        "errorType": error_type or type(exc).__name__,
        "requestId": "",
        "stackTrace": [f'  File "{Path(f.filename).name}", line {f.lineno}, in {f.name}\n    {f.line}\n' for f in tb[1:]],
    }


class RealHandler:
    """Imports and calls the user's handler; its return value or exception decides the outcome."""

    def __init__(self, scenario, engine):
        path_text, _, self.func_name = scenario.handler.rpartition(":")
        self.path = (scenario.base_dir / path_text).resolve()
        self.engine = engine
        fn = scenario.function
        self.env_vars = {
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_LAMBDA_FUNCTION_NAME": fn["FunctionName"],
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(fn["MemorySize"]),
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{fn['FunctionName']}",
            "AWS_EXECUTION_ENV": "AWS_Lambda_python3.11",
            "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001",
            "LAMBDA_TASK_ROOT": str(self.path.parent),
            "_HANDLER": f"{self.path.stem}.{self.func_name}",
            "AWS_ACCOUNT_ID": ACCOUNT,
            "TZ": ":UTC",
            "POWERTOOLS_SERVICE_NAME": fn["FunctionName"],
        }

    @contextlib.contextmanager
    def _environment(self, env):
        saved = {k: os.environ.get(k) for k in (*self.env_vars, "AWS_LAMBDA_LOG_STREAM_NAME")}
        os.environ.update(self.env_vars)
        os.environ["AWS_LAMBDA_LOG_STREAM_NAME"] = env.stream
        sys.path.insert(0, str(self.path.parent))
        try:
            yield
        finally:
            sys.path.remove(str(self.path.parent))
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v

    def _load(self, env, out: io.StringIO) -> Any:
        """A fresh module for each execution environment (and after a runtime reset)."""
        name = f"_study_handler_{self.engine.ids.hex(8, 'module', self.path)}_{env.number}_{id(out)}"
        spec = importlib.util.spec_from_file_location(name, self.path)
        if spec is None or spec.loader is None or not self.path.is_file():
            raise _HandlerError({"errorMessage": f"Unable to import module '{self.path.stem}': No module named "
                                 f"'{self.path.stem}'", "errorType": "Runtime.ImportModuleError", "stackTrace": []})
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
        except SyntaxError as exc:
            raise _HandlerError({"errorMessage": f"Syntax error in module '{self.path.stem}': {exc.msg} "
                                 f"({self.path.name}, line {exc.lineno})", "errorType": "Runtime.UserCodeSyntaxError",
                                 "stackTrace": []}) from None
        except Exception as exc:  # the module's own init code failed
            raise _HandlerError(_error(exc, "Runtime.ImportModuleError")) from None
        func = getattr(module, self.func_name, None)
        if not callable(func):
            raise _HandlerError({"errorMessage": f"Handler '{self.func_name}' missing on module "
                                 f"'{self.path.stem}'", "errorType": "Runtime.HandlerNotFound", "stackTrace": []})
        return module

    def call(self, inv) -> tuple[str, dict | None, Any]:
        env = inv.env
        out = io.StringIO()
        with self._environment(env), contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            try:
                if env.module is None or inv.cold_start:
                    env.module = self._load(env, out)
                func = getattr(env.module, self.func_name)
                event = json.loads(json.dumps(inv.event))  # the handler gets its own copy, as JSON would give
                result = func(event, LambdaContext(self.engine, inv, env))
                result = json.loads(json.dumps(result, default=str))
                status, error, response = "success", None, result
            except _HandlerError as exc:
                env.module = None
                status, error, response = "error", exc.error, None
            except Exception as exc:
                status, error, response = "error", _error(exc), None
            except BaseException as exc:  # sys.exit() and friends: a crash of the runtime
                env.module = None
                status, error, response = "error", {
                    "errorMessage": f"RequestId: {inv.request_id} Error: Runtime exited with error: {exc!r}",
                    "errorType": "Runtime.ExitError", "stackTrace": []}, None
        inv.printed = [line for line in out.getvalue().splitlines() if line.strip()]
        if error is not None:
            error["requestId"] = inv.request_id if "requestId" in error else error.get("requestId", "")
            if error.get("requestId") == "":
                error.pop("requestId")
        return status, error, response


class _HandlerError(Exception):
    def __init__(self, error: dict):
        super().__init__(error["errorMessage"])
        self.error = error


