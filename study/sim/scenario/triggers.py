"""Which module holds each trigger's rules (its settings and its inputs): each event source keeps its validation
beside its behaviour."""

from __future__ import annotations

from study.sim import sqs_config, streams_config
from study.sim.scenario.checker import TriggerRules
from study.sim.sources import alb, async_, eventbridge, s3, schedule, sns, sync

TRIGGERS: dict[str, TriggerRules] = {
    "sync": sync.RULES,
    "async": async_.RULES,
    "s3": s3.RULES,
    "schedule": schedule.RULES,
    "sns": sns.RULES,
    "eventbridge": eventbridge.RULES,
    "sqs": sqs_config.RULES,
    "kinesis": streams_config.KINESIS,
    "dynamodb": streams_config.DYNAMODB,
    "alb": alb.RULES,
}
