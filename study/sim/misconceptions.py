"""Named misconceptions: rule changes the question generator switches on to compute wrong options.

Each id is also a misconception id in content/rules.yaml (with `emulator: true`). Switching one on may bypass
validation (an SQS mapping that bisects, four async retries), because the point is to play the wrong belief out.

KNOWN is a registry, not a list of strings to hope for: `Switched`, the set a run carries, refuses to hold an id
that is not in it and to answer `"id" in switched` for one either, so a misspelt check in the emulator fails the
first time it is reached instead of silently never firing (tests/test_misconceptions.py also checks every such
check in the code without running it).
"""

KNOWN: dict[str, str] = {
    "async-retries-total-attempts": "MaximumRetryAttempts counts total attempts (default 2 = 2 runs)",
    "async-three-retries": "async invocations are retried three times",
    "async-retry-from-start": "the retry delay is measured from when the failed attempt started",
    "async-equal-delays": "both async retries wait one minute",
    "sync-uses-dlq": "a synchronous call that fails goes to the function's DLQ",
    "sync-retries": "Lambda retries a failing synchronous call like an async one",
    "split-uses-retries": "splitting a batch (bisect) uses up a retry",
    "stream-skips-failed-batch": "a stream mapping skips a failing batch and moves on at once",
    "sqs-bisect": "SQS mappings bisect failing batches like streams",
    "vt-from-end": "the visibility timeout counts from the end of the invocation",
    "sqs-error-deletes": "a failed SQS batch is deleted anyway",
    "redrive-extra-receive": "a message is processed maxReceiveCount + 1 times before redrive",
    "partial-batch-ignored": "a batchItemFailures response still retries the whole batch",
    "alb-multi-last-wins": "with multi-value headers on, only the last value is sent",
    "alb-first-value-wins": "with multi-value headers off, the first value of a repeated key wins",
    "alb-error-200": "a function error behind an ALB reaches the client as 200",
    "s3-filter-contains": "S3 filters match a substring anywhere in the key",
    "throttle-uses-retries": "throttled async attempts use up MaximumRetryAttempts",
    "rate-fires-at-creation": "a rate() schedule fires immediately when created",
    "chapter-duration-price": "duration costs $1 per 600,000 GB-s",
    "no-free-tier": "there is no free tier for requests or duration",
    "every-invoke-cold": "every invocation is a cold start",
    "sqs-destination": "an SQS mapping sends failed messages to an on-failure destination",
    "reserved-caps-pollers": "reserved concurrency caps the SQS pollers, so an SQS mapping is never throttled",
}


class UnknownMisconception(LookupError):
    """An id the registry does not hold: a typo in a check, a scenario, a template or content/rules.yaml."""


def _known(mid: object) -> str:
    if mid not in KNOWN:
        raise UnknownMisconception(f"{mid!r} is not a misconception the emulator knows (study/sim/misconceptions.py)")
    return mid  # type: ignore[return-value]


class Switched(frozenset):
    """The misconceptions switched on for one run: only registered ids go in, and only registered ids may be
    asked about."""

    __slots__ = ()

    def __new__(cls, ids=()):
        return super().__new__(cls, (_known(m) for m in ids))

    def __contains__(self, mid: object) -> bool:
        return frozenset.__contains__(self, _known(mid))


NONE = Switched()
