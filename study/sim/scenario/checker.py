"""The one validator of scenario files: every check takes the path of keys and indexes to the value it reads,
and every complaint is a `ScenarioError` at that path's `file:line:col` (study/sim/yaml_positions.py)."""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from study.sim import yaml_positions
from study.sim.errors import ScenarioError
from study.sim.scenario.arns import DESTINATION_KINDS, expand_arn
from study.sim.scenario.defaults import LIMITS, MS
from study.sim.scenario.profiles import DEFAULT, PROFILES, Profile


class Checker:
    """Walks the raw data with the marks, so each complaint points at the right line and column."""

    def __init__(self, file: str, marks: yaml_positions.Marks, profile: str = DEFAULT, misconceptions=frozenset()):
        self.file = file
        self.marks = marks
        self.profile = profile
        self.misconceptions = misconceptions

    @property
    def profile_rules(self) -> Profile:
        """The row of study/sim/scenario/profiles.py for the scenario's profile."""
        return PROFILES[self.profile]

    def fail(self, path: tuple, message: str) -> ScenarioError:
        return yaml_positions.error_at(self.marks, self.file, path, message)

    def mapping(self, value: Any, path: tuple, what: str) -> dict:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.fail(path, f"{what}: expected a mapping, got {type_name(value)}")
        return value

    def unknown(self, data: dict, allowed: set[str] | tuple, path: tuple, where: str, hint: dict | None = None):
        for key in data:
            if key not in allowed:
                if hint and key in hint:
                    raise self.fail((*path, key), hint[key])
                close = closest(str(key), allowed)
                extra = f" (did you mean {close}?)" if close else ""
                raise self.fail(
                    (*path, key), f"{key}: not a key of {where}{extra}; expected one of: {', '.join(sorted(allowed))}"
                )

    def integer(self, data: dict, key: str, path: tuple, default, lo=None, hi=None, aws: str | None = None,
                required: bool = False) -> Any:
        if key not in data or data[key] is None:
            if required:
                raise self.fail(path, f"{key}: required")
            return default
        value = data[key]
        p = (*path, key)
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            else:
                raise self.fail(p, f"{key}: expected a whole number, got {show(value)}")
        self.range(value, key, p, lo, hi, aws)
        return value

    def setting(self, data: dict, key: str, path: tuple, limit: str, aws: str | None = None,
                required: bool = False) -> Any:
        """A whole-number setting with its range and default from `LIMITS[limit]`."""
        lo, hi, default = LIMITS[limit]
        return self.integer(data, key, path, default, lo, hi, aws, required)

    def range(self, value, key, p, lo, hi, aws):
        if lo is not None and value < lo:
            msg = f"{key}: {show(value)} is out of range {lo}..{hi}"
            if aws:
                msg += (f" (ValidationException: Value '{show(value)}' at '{aws}' failed to satisfy constraint: "
                        f"Member must have value greater than or equal to {lo})")
            raise self.fail(p, msg)
        if hi is not None and value > hi:
            msg = f"{key}: {show(value)} is out of range {lo}..{hi}"
            if aws:
                msg += (f" (ValidationException: Value '{show(value)}' at '{aws}' failed to satisfy constraint: "
                        f"Member must have value less than or equal to {hi})")
            raise self.fail(p, msg)

    def seconds(self, data: dict, key: str, path: tuple, default, lo=None, hi=None) -> int:
        """A time in seconds (at most three decimals), returned as whole milliseconds."""
        if key not in data or data[key] is None:
            return default
        value = data[key]
        p = (*path, key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(p, f"{key}: expected a number of seconds, got {show(value)}")
        if not math.isfinite(value * MS):
            raise self.fail(p, f"{key}: expected a number of seconds, got {show(value)}")
        ms = round(value * MS)
        if abs(ms - value * MS) > 1e-6:
            raise self.fail(p, f"{key}: {value} has more than three decimals (the clock counts milliseconds)")
        if lo is not None and value < lo:
            raise self.fail(p, f"{key}: {show(value)} is out of range; expected at least {lo}")
        if hi is not None and value > hi:
            raise self.fail(p, f"{key}: {show(value)} is out of range; expected at most {hi}")
        return ms

    def boolean(self, data: dict, key: str, path: tuple, default: bool) -> bool:
        if key not in data or data[key] is None:
            return default
        value = data[key]
        if not isinstance(value, bool):
            raise self.fail((*path, key), f"{key}: expected true or false, got {show(value)}")
        return value

    def string(self, data: dict, key: str, path: tuple, default=None, choices=None, required=False) -> Any:
        if key not in data or data[key] is None:
            if required:
                raise self.fail(path, f"{key}: required")
            return default
        value = data[key]
        if not isinstance(value, str):
            if isinstance(value, int | float) and not isinstance(value, bool) and choices is None:
                value = str(value)
            else:
                raise self.fail((*path, key), f"{key}: expected text, got {show(value)}")
        if choices is not None and value not in choices:
            raise self.fail((*path, key), f"{key}: {value!r} is not one of {', '.join(choices)}")
        return value

    def destination(self, value: Any, path: tuple, key: str) -> str:
        if not isinstance(value, str) or not value:
            raise self.fail(path, f"{key}: expected a destination such as sqs:NAME or an ARN, got {show(value)}")
        if value.startswith("arn:"):
            parts = value.split(":")
            if len(parts) < 6 or parts[2] not in DESTINATION_KINDS:
                raise self.fail(path, f"{key}: {value!r} is not an SQS, SNS, Lambda, EventBridge or S3 ARN")
            return value
        kind, sep, name = value.partition(":")
        if not sep or kind not in DESTINATION_KINDS or not name:
            raise self.fail(
                path, f"{key}: {value!r} is not a destination; expected sqs:NAME, sns:NAME, lambda:NAME, "
                "events:NAME, s3:NAME or a full ARN")
        return expand_arn(value)


def type_name(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false", int: "a number",
            float: "a number", type(None): "nothing"}.get(type(value), type(value).__name__)


def show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def closest(word: str, options) -> str | None:
    found = difflib.get_close_matches(word, [str(o) for o in options], n=1, cutoff=0.75)
    return found[0] if found else None


@dataclass(frozen=True)
class TriggerRules:
    """One trigger type's validation, kept beside its source (study/sim/scenario/triggers.py lists them all)."""

    keys: frozenset[str]  # the trigger's settings besides `type`
    check: Callable[[Checker, dict, tuple, dict], dict]  # (checker, raw, path, function) -> settings, as traced
    input_keys: frozenset[str]
    check_input: Callable[[Checker, dict, tuple, dict], None] | None = None  # (checker, input, path, trigger)
    hints: dict[str, str] = field(default_factory=dict)  # a key that is not a setting here -> why
    misconception_keys: dict[str, frozenset[str]] = field(default_factory=dict)  # keys a misconception allows
    # With strict_permissions, the refusal ({principal}: study/sim/permissions.py) when the function's resource
    # policy does not let the trigger's service invoke it; None: the trigger is created and each delivery fails.
    unpermitted: str | None = None
