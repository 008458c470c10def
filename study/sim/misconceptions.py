"""Named misconceptions: rule changes the question generator switches on to compute wrong options.

Each id is also a misconception id in content/rules.yaml (with `emulator: true`). Switching one on may bypass
validation (an SQS mapping that bisects, four async retries), because the point is to play the wrong belief out.
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
