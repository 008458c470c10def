"""What a scenario gets when it leaves a setting out, and the range each setting may take."""

from __future__ import annotations

REGION = "us-east-1"
ACCOUNT = "123456789012"
MS = 1000  # the clock counts whole milliseconds

TRIGGER_TYPES = ("sync", "async", "s3", "schedule", "sns", "eventbridge", "sqs", "kinesis", "dynamodb", "alb")
ASYNC_TYPES = ("async", "s3", "schedule", "sns", "eventbridge")
STREAM_TYPES = ("kinesis", "dynamodb")

# (lo, hi, default) of the settings content/rules.yaml also states; tests/test_no_drift.py compares the two.
LIMITS = {
    "MemorySize": (128, 10240, 128),
    "Timeout": (1, 900, 3),
    "async.MaximumRetryAttempts": (0, 2, 2),
    "async.MaximumEventAgeInSeconds": (60, 21600, 21600),
    "stream.BatchSize": (1, 10000, 100),
    "stream.MaximumBatchingWindowInSeconds": (0, 300, 0),
    "stream.MaximumRetryAttempts": (-1, 10000, -1),
    "stream.MaximumRecordAgeInSeconds": (-1, 604800, -1),
    "stream.ParallelizationFactor": (1, 10, 1),
    "stream.TumblingWindowInSeconds": (0, 900, 0),
    "sqs.BatchSize.exam": (1, 10, 10),
    "sqs.BatchSize.aws": (1, 10000, 10),
    "sqs.BatchSize.fifo": (1, 10, 10),
    "sqs.MaximumBatchingWindowInSeconds": (0, 300, 0),
    "sqs.VisibilityTimeout": (0, 43200, 30),
    "sqs.DelaySeconds": (0, 900, 0),
    "sqs.maxReceiveCount": (1, 1000, None),
    "sqs.MaximumConcurrency": (2, 1000, None),
    "kinesis.RetentionPeriodHours": (24, 8760, 24),
    "ShardCount": (1, 100, 1),
}
RECORD_AGE_MIN = 60  # MaximumRecordAgeInSeconds: -1, or 60..604800

# The top level of a scenario, when it leaves a key out.
START_TIME = "2026-01-01T00:00:00Z"
ACCOUNT_CONCURRENCY = 1000
MAX_INVOCATIONS = 1_000_000
TOP_KEYS = {
    "title", "section", "profile", "seed", "start_time", "until", "account_concurrency", "strict_permissions",
    "function", "trigger", "inputs", "inputs_file", "max_invocations", "expect", "lab",
}
