"""The two profiles side by side: `exam` (the chapter as the exam teaches it) and `aws` (current AWS).

This table is the only place the two differ; code that behaves differently by profile reads its row
(`PROFILES[scenario.profile]`) instead of comparing the profile's name. docs/emulator.md describes each choice.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    name: str
    # sqs.batch-size: the LIMITS key of a standard queue's BatchSize, and what a refusal over 10 adds.
    sqs_batch_limit: str
    sqs_batch_note: str | None
    # destinations.async, streams.on-failure: an S3 bucket may be an on-failure destination.
    s3_destinations: bool
    # s3.coalescing: writes to one key at one instant without versioning notify once (the last write).
    s3_coalescing: bool
    # pricing.init-billing: a cold start bills the init phase as well as the invocation.
    init_billed: bool
    # sqs.scaling: (pollers added per minute, cap).
    sqs_scaling: tuple[int, int]


PROFILES: dict[str, Profile] = {
    "exam": Profile(
        name="exam",
        sqs_batch_limit="sqs.BatchSize.exam",
        sqs_batch_note="in the exam profile (the chapter's SQS limit); the aws profile allows up to 10,000 for "
                       "standard queues",
        s3_destinations=False,
        s3_coalescing=True,
        init_billed=False,
        sqs_scaling=(60, 1000),
    ),
    "aws": Profile(
        name="aws",
        sqs_batch_limit="sqs.BatchSize.aws",
        sqs_batch_note=None,
        s3_destinations=True,
        s3_coalescing=False,
        init_billed=True,
        sqs_scaling=(300, 1250),
    ),
}
DEFAULT = "exam"
