"""Errors for people: a bad scenario names its file, line and column, never a traceback."""

from __future__ import annotations


class ScenarioError(Exception):
    """A scenario (or content file) that cannot be run, with where and why.

    `str()` gives `file:line:col: message`, the form every face prints before exiting with status 2.
    """

    def __init__(self, message: str, file: str = "<scenario>", line: int | None = None, col: int | None = None):
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.col = col

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.col is not None:
                where += f":{self.col}"
        return f"{where}: {self.message}"
