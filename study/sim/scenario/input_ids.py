"""The input ids a scenario has used so far, with a `count` input's ids (prefix1..prefixN) kept as its prefix and
count: whether an id is taken, and the first id of a new `count` input that is, are found by arithmetic, so a
backlog of a million needs no million strings to be refused or accepted exactly as one by one would."""

from __future__ import annotations

from collections.abc import Iterator

DIGITS = "0123456789"  # str(k) writes only these (str.isdigit would also accept other scripts' digits)


def number_tails(text: str, most: int) -> Iterator[tuple[str, str]]:
    """(stem, number) for every way of writing `text` as stem + str(k) with k >= 1 of at most `most` digits
    (the number has no leading zero), shortest number first."""
    i, n = len(text), len(text)
    while i > 0 and n - i < most and text[i - 1] in DIGITS:
        i -= 1
        if text[i] != "0":
            yield text[:i], text[i:]


class InputIds:
    """Ids written out one by one, and `count` inputs as {prefix: count}; `in`, `add` as a set of strings.

    Two indexes answer "which is the first k such that prefix+str(k) is taken?" without listing ids: for ids
    written out, the smallest number after each stem; for count inputs whose prefix is a stem plus digits, the
    smallest k whose id stem+str(k) is one of theirs (prefix + "1")."""

    def __init__(self, most_digits: int):
        self.most = most_digits  # the digits of the largest count (so of any k that can clash)
        self.written: set[str] = set()
        self._written_after: dict[str, int] = {}  # stem -> smallest k with stem+str(k) written out
        self.runs: dict[str, int] = {}  # prefix -> count
        self._runs_after: dict[str, int] = {}  # stem -> smallest k with stem+str(k) some longer prefix's id

    def __contains__(self, iid: str) -> bool:
        if iid in self.written:
            return True
        runs = self.runs
        return bool(runs) and any(runs.get(stem, 0) >= int(k) for stem, k in number_tails(iid, self.most))

    def add(self, iid: str) -> None:
        self.written.add(iid)
        after = self._written_after
        for stem, k in number_tails(iid, self.most):
            if int(k) < after.get(stem, int(k) + 1):
                after[stem] = int(k)

    def add_run(self, prefix: str, count: int) -> None:
        """The ids prefix1..prefix{count} (a `count` input)."""
        self.runs[prefix] = count
        after = self._runs_after
        for stem, digits in number_tails(prefix, self.most):
            k = int(digits + "1")  # stem + digits + "1" is this input's first id
            if k < after.get(stem, k + 1):
                after[stem] = k

    def first_taken(self, prefix: str, count: int) -> int | None:
        """The smallest k in 1..count whose id prefix+str(k) is already taken, or None."""
        if prefix in self.runs:
            return 1
        for stem, digits in number_tails(prefix, self.most):
            # prefix1 = stem + digits + "1" is the id number digits+"1" of the input with that stem
            if int(digits + "1") <= self.runs.get(stem, 0):
                return 1
        found = [k for k in (self._written_after.get(prefix), self._runs_after.get(prefix))
                 if k is not None and k <= count]
        return min(found) if found else None
