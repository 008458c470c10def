"""Stand-ins for the services a challenge's handler talks to. `import labkit` in your handler.

- `labkit.table`: a durable key-value table (think of a DynamoDB table). Every execution environment of one
  graded run sees the same table, unlike a module-level variable, which lives only as long as its environment.
  `get(key)`, `put(key, value)`, `put_if_absent(key, value)` (True if it wrote: a conditional write), `delete(key)`.
- `labkit.save(key)`, `labkit.charge(ref, amount)`, `labkit.send_receipt(ref)`, `labkit.publish(topic, text)`,
  `labkit.work(job)` (takes about 0.1 s of real time), `labkit.load_config()`:
  downstream calls. Each prints one line to the log, which is how the grader sees what your code did. A
  challenge may make a call fail once for some keys (a ConnectionError), as a real network call can.
"""

from __future__ import annotations

import json
import os

_DIR = os.environ.get("LABKIT_DIR") or "."
_FLAKY = {k for k in os.environ.get("LABKIT_FLAKY", "").split(",") if k}


def _load(name: str) -> dict:
    try:
        with open(os.path.join(_DIR, name), encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return {}


def _store(name: str, data: dict) -> None:
    path = os.path.join(_DIR, name)
    with open(path + ".tmp", "w", encoding="utf-8") as fh:
        json.dump(data, fh)
    os.replace(path + ".tmp", path)


class Table:
    """A key-value table shared by every execution environment of the run (values must be JSON)."""

    FILE = "table.json"

    def get(self, key: str, default=None):
        return _load(self.FILE).get(str(key), default)

    def put(self, key: str, value) -> None:
        data = _load(self.FILE)
        data[str(key)] = value
        _store(self.FILE, data)

    def put_if_absent(self, key: str, value) -> bool:
        """Write only if the key is not there yet; True when this call wrote it."""
        data = _load(self.FILE)
        if str(key) in data:
            return False
        data[str(key)] = value
        _store(self.FILE, data)
        return True

    def delete(self, key: str) -> None:
        data = _load(self.FILE)
        data.pop(str(key), None)
        _store(self.FILE, data)


table = Table()


def _maybe_fail(service: str, key: str) -> None:
    key = str(key)
    if key not in _FLAKY and f"{service}:{key}" not in _FLAKY:  # "reading-4" or "receipt:p2"
        return
    failed = _load("_failed.json")
    if failed.get(f"{service}:{key}"):
        return
    failed[f"{service}:{key}"] = True
    _store("_failed.json", failed)
    raise ConnectionError(f"{service} did not answer for {key}; try again later")


def save(key: str) -> None:
    """Write one record downstream."""
    _maybe_fail("save", key)
    print(f"SAVED {key}")


def charge(ref: str, amount) -> None:
    """Take a payment: the effect that must happen once per payment."""
    _maybe_fail("charge", ref)
    print(f"CHARGED {ref} {amount}")


def send_receipt(ref: str) -> None:
    """Send the receipt of a payment."""
    _maybe_fail("receipt", ref)
    print(f"RECEIPT {ref}")


def publish(topic: str, text: str) -> None:
    """Send a message to a topic."""
    _maybe_fail("publish", text)
    print(f"PUBLISHED {topic} {text}")


def load_config() -> dict:
    """Read the function's configuration: slow in real life, so do it once per execution environment."""
    print("CONFIG LOADED")
    return {"currency": "EUR", "prices": {"tea": 3, "cake": 5, "soup": 7}}


def work(job: str, seconds: float = 0.1) -> None:
    """Do one job; each takes about `seconds` of real time."""
    import time

    time.sleep(seconds)
    print(f"DONE {job}")
