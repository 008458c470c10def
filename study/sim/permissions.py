"""The IAM tables, in one place: what each AWS managed policy for execution roles grants, which principal each push
source invokes as, which actions a poller needs, and which action writing to each kind of destination needs.

The emulator checks them with `strict_permissions` (rules permissions.execution-role, permissions.resource-policy,
permissions.destination-grants, s3.permission, alb.permission, sqs.mapping-setup); the fact questions read the
same tables through content.load_rules() (facts managed_policies, trigger_permissions, destination_permissions),
so a question and the emulator cannot disagree.
"""

from __future__ import annotations

LOGS = ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents")
SQS_POLL = ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes")
KINESIS_POLL = ("kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords",
                "kinesis:GetShardIterator", "kinesis:ListShards", "kinesis:ListStreams", "kinesis:SubscribeToShard")
DYNAMODB_POLL = ("dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator",
                 "dynamodb:ListStreams")

# Policy name -> the actions it grants (rule permissions.managed-policies), in the order AWS lists them.
POLICY_GRANTS: dict[str, tuple[str, ...]] = {
    "AWSLambdaBasicExecutionRole": LOGS,
    "AWSLambdaSQSQueueExecutionRole": (*SQS_POLL, *LOGS),
    "AWSLambdaKinesisExecutionRole": (*KINESIS_POLL, *LOGS),
    "AWSLambdaDynamoDBExecutionRole": (*DYNAMODB_POLL, *LOGS),
    # Taken from AWS's managed-policy reference (policy version v3, January 2024); asked about, not emulated.
    "AWSLambdaVPCAccessExecutionRole": ("ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces",
                                        "ec2:DescribeSubnets", "ec2:DeleteNetworkInterface",
                                        "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses", *LOGS),
    # AWS's managed-policy reference (policy version v2, February 2024): no logs actions; asked about, not emulated.
    "AWSXRayDaemonWriteAccess": ("xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules",
                                 "xray:GetSamplingTargets", "xray:GetSamplingStatisticSummaries"),
}
NOT_EMULATED_POLICIES = ("AWSLambdaVPCAccessExecutionRole", "AWSXRayDaemonWriteAccess")
# The policies a scenario's `function.Role.Policies` may name: the ones the emulator checks.
MANAGED_POLICIES = {name: set(grants) for name, grants in POLICY_GRANTS.items() if name not in NOT_EMULATED_POLICIES}

# Push sources: the principal the function's resource-based policy must allow to call lambda:InvokeFunction.
PUSH_PRINCIPALS = {
    "s3": "s3.amazonaws.com",
    "sns": "sns.amazonaws.com",
    "eventbridge": "events.amazonaws.com",
    "schedule": "events.amazonaws.com",
    "alb": "elasticloadbalancing.amazonaws.com",
}
# Pollers (event source mappings): the first action AWS checks when it creates a mapping, the service's name in
# AWS's message, and the full set the matching managed policy grants.
PULL_ACTIONS = {
    "sqs": ("ReceiveMessage", "SQS", list(SQS_POLL)),
    "kinesis": ("GetRecords", "Kinesis", list(KINESIS_POLL)),
    "dynamodb": ("GetRecords", "DynamoDB", list(DYNAMODB_POLL)),
}
# The managed policy that gives a poller what it needs.
PULL_POLICIES = {"sqs": "AWSLambdaSQSQueueExecutionRole", "kinesis": "AWSLambdaKinesisExecutionRole",
                 "dynamodb": "AWSLambdaDynamoDBExecutionRole"}
# A destination's (or DLQ's) ARN kind -> (the action the execution role needs, its API name, the service).
SEND_ACTIONS = {
    "sqs": ("sqs:SendMessage", "SendMessage", "SQS"),
    "sns": ("sns:Publish", "Publish", "SNS"),
    "lambda": ("lambda:InvokeFunction", "InvokeFunction", "Lambda"),
    "events": ("events:PutEvents", "PutEvents", "EventBridge"),
    "s3": ("s3:PutObject", "PutObject", "S3"),
}


def permission_facts() -> dict:
    """The tables as the rules table's fact tables (the shape the fact questions read)."""
    push = [{"trigger": t, "kind": "resource-policy", "principal": PUSH_PRINCIPALS[t],
             "actions": ["lambda:InvokeFunction"]} for t in ("s3", "sns", "eventbridge", "alb")]
    pull = [{"trigger": t, "kind": "execution-role", "actions": list(PULL_ACTIONS[t][2])} for t in PULL_ACTIONS]
    return {
        "managed_policies": [{"name": name, "grants": list(grants)} for name, grants in POLICY_GRANTS.items()],
        "trigger_permissions": push + pull,
        "destination_permissions": {("eventbridge" if kind == "events" else kind): action
                                    for kind, (action, _, _) in SEND_ACTIONS.items()},
    }
