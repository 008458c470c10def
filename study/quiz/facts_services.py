"""Fact questions about services: how each invokes a function, which destinations and DLQs are allowed, and
which permissions (managed policies, resource-based policies, execution-role actions) each needs."""

from __future__ import annotations

import random

from study.quiz.fact_question import cap, fact_question, misconception_note, statement
from study.quiz.model import Option, Question
from study.quiz.template_model import FactTemplate

MODEL_TEXT = {
    "sync": "synchronously: the caller waits for the function's result",
    "async": "asynchronously: Lambda queues the event, answers 202 at once and retries on errors",
    "event_source_mapping": "through an event source mapping: a Lambda poller reads the source and invokes with batches",
}
MODEL_WORD = {"sync": "synchronously", "async": "asynchronously",
              "event_source_mapping": "through an event source mapping (polling)"}
MODEL_RULES = {"sync": ("sync.callers", "integrations.services"), "async": ("async.callers", "integrations.services"),
               "event_source_mapping": ("esm.sources", "esm.poller", "integrations.services")}
SERVICE_RULES = {"Application Load Balancer": "alb.target-group", "S3": "s3.async", "SNS": "sns.async",
                 "EventBridge": "eventbridge.async", "Console Test": "console.test-events", "CLI/SDK": "cli.invoke"}
# The named misconception behind putting a service in the wrong model, where rules.yaml has one.
WRONG_MODEL = {("SQS standard", "async"): "sqs-invokes-async", ("SQS FIFO", "async"): "sqs-invokes-async",
               ("SNS", "event_source_mapping"): "sns-uses-mapping", ("S3 Batch Operations", "async"): "s3-batch-async",
               ("Application Load Balancer", "async"): "alb-invokes-async", ("Console Test", "async"): "console-test-async",
               ("EventBridge", "sync"): "eventbridge-waits-for-result", ("CLI/SDK", "async"): "cli-event-waits-for-result"}
DEST_TEXT = {"sqs": "an SQS queue", "sns": "an SNS topic", "lambda": "another Lambda function",
             "eventbridge": "an EventBridge event bus", "s3": "an S3 bucket"}
PROFILE_TEXT = {"exam": "As the chapter (the exam) teaches it", "aws": "In current AWS"}
TRIGGER_TEXT = {"s3": "an S3 bucket notification", "sns": "an SNS topic subscription", "eventbridge": "an EventBridge rule",
                "alb": "an Application Load Balancer target group", "sqs": "an SQS queue trigger",
                "kinesis": "a Kinesis stream trigger", "dynamodb": "a DynamoDB stream trigger"}

def invocation_model(t: FactTemplate, seed: int, facts: dict) -> list[Question]:
    """'Which of these services invokes a Lambda function asynchronously?': one service of the model against
    services of the other models (the exam form keeps three of them)."""
    out = []
    models = facts["invocation_models"]
    for model, services in models.items():
        for service in services:
            opts = [Option(service, True, f"{service} invokes {MODEL_WORD[model]}: {MODEL_TEXT[model]}.",
                           source="fact")]
            for m, others in models.items():
                if m == model:
                    continue
                for other in others:
                    mid = WRONG_MODEL.get((other, model), "all-triggers-invoke-alike")
                    opts.append(Option(other, False, f"{other} invokes {MODEL_WORD[m]}, not {MODEL_WORD[model]}."
                                       + misconception_note(mid), mid, "fact"))
            rules = MODEL_RULES[model] + ((SERVICE_RULES[service],) if service in SERVICE_RULES else ())
            out.append(fact_question(t, [service], "single", f"Which of these invokes a Lambda function "
                                 f"{MODEL_WORD[model]}?", opts, rules, statement(rules[0]),
                                 random.Random(f"{t.id}:{seed}:{service}")))
    return out


def model_members(t: FactTemplate, seed: int, facts: dict) -> list[Question]:
    out = []
    models = facts["invocation_models"]
    for model, members in models.items():
        others = [(s, m) for m, ss in models.items() if m != model for s in ss]
        for k in range(t.draws):
            rng = random.Random(f"{t.id}:{seed}:{model}:{k}")
            right = list(members)  # the exam form draws two or three of them and the rest from `others`
            wrong = list(others)
            opts = [Option(s, True, f"{s} invokes {MODEL_WORD[model]}.", source="fact") for s in right]
            for s, m in wrong:
                mid = WRONG_MODEL.get((s, model), "all-triggers-invoke-alike")
                opts.append(Option(s, False, f"{s} invokes {MODEL_WORD[m]}." + misconception_note(mid), mid, "fact"))
            key = [model, k]
            stem = f"Which of these invoke a Lambda function {MODEL_WORD[model]}? Choose all that apply."
            out.append(fact_question(t, key, "multi", stem, opts, MODEL_RULES[model], statement(MODEL_RULES[model][0]), rng))
    return out


def destination_types(t: FactTemplate, seed: int, facts: dict) -> list[Question]:
    dest = facts["destinations"]
    out = []
    cases = [
        ("async_on_success", "the on-success destination of an asynchronous invocation",
         ("destinations.types", "destinations.async"), "destinations-same-as-dlq-types"),
        ("async_on_failure", "the on-failure destination of an asynchronous invocation",
         ("destinations.types", "destinations.async"), "destinations-same-as-dlq-types"),
        ("esm_on_failure", "the on-failure destination of a Kinesis or DynamoDB stream event source mapping",
         ("destinations.esm-on-failure", "destinations.types"), None),
    ]
    seen = set()
    for key, what, rules, mid in cases:
        for profile in ("exam", "aws"):
            allowed = dest[key][profile]
            if (key, tuple(allowed)) in seen:
                continue
            seen.add((key, tuple(allowed)))
            opts = []
            for d, text in DEST_TEXT.items():
                ok = d in allowed
                why = f"{cap(text)} {'is' if ok else 'is not'} allowed as {what} ({profile} profile)."
                opts.append(Option(cap(text), ok, why + ("" if ok else misconception_note(mid)), None if ok else mid, "fact"))
            stem = f"{PROFILE_TEXT[profile]}, which of these can be {what}? Choose all that apply."
            out.append(fact_question(t, [key, profile], "multi", stem, opts, rules, statement(rules[0]),
                                 random.Random(f"{t.id}:{seed}:{key}:{profile}")))
    # A function's dead-letter queue.
    opts = [Option(cap(text), d in dest["dlq"], "A DLQ is an SQS queue or an SNS topic."
                   + ("" if d in dest["dlq"] else misconception_note("dlq-any-target-type")),
                   None if d in dest["dlq"] else "dlq-any-target-type", "fact") for d, text in DEST_TEXT.items()]
    out.append(fact_question(t, ["dlq"], "multi", "Which of these can be a function's dead-letter queue (DeadLetterConfig)? "
                         "Choose all that apply.", opts, ("async.dlq",), statement("async.dlq"),
                         random.Random(f"{t.id}:{seed}:dlq")))
    if dest.get("sqs_mapping"):
        return out  # the question below is about SQS mappings having no destination at all
    opts = [Option("None: failed messages go to the dead-letter queue in the queue's own RedrivePolicy", True,
                   "SQS event source mappings have no destinations; the source queue's redrive policy catches "
                   "failed messages.", source="fact"),
            Option("An SQS queue, set as the mapping's on-failure destination", False,
                   "Only stream (and Kafka) mappings have an on-failure destination." + misconception_note("sqs-destination"),
                   "sqs-destination", "fact"),
            Option("The function's DeadLetterConfig queue", False,
                   "A function's DLQ is used for asynchronous invocations only." + misconception_note("function-dlq-catches-sqs"),
                   "function-dlq-catches-sqs", "fact"),
            Option("An SNS topic, set as the mapping's on-failure destination", False,
                   "Only stream (and Kafka) mappings have an on-failure destination." + misconception_note("sqs-destination"),
                   "sqs-destination", "fact")]
    out.append(fact_question(t, ["sqs_mapping"], "single", "An SQS queue triggers a function through an event source "
                         "mapping. Where can the messages that keep failing be captured?", opts,
                         ("sqs.no-destinations", "sqs.redrive"), statement("sqs.no-destinations"),
                         random.Random(f"{t.id}:{seed}:sqs")))
    return out


def _policies(facts: dict) -> dict[str, list[str]]:
    return {p["name"]: list(p["grants"]) for p in facts["managed_policies"]}


def policy_for_action(t: FactTemplate, seed: int, facts: dict) -> list[Question]:
    pol = _policies(facts)
    out = []
    owners: dict[str, list[str]] = {}
    for name, grants in pol.items():
        for a in grants:
            owners.setdefault(a, []).append(name)
    for action, names in sorted(owners.items()):
        rng = random.Random(f"{t.id}:{seed}:{action}")
        if len(names) == 1:
            wrong = rng.sample([n for n in pol if n != names[0]], 3)
            opts = [Option(names[0], True, f"{names[0]} grants {action}.", source="fact")]
            opts += [Option(n, False, f"{n} does not grant {action}; it grants {', '.join(pol[n][:3])} ...",
                            None, "fact") for n in wrong]
            out.append(fact_question(t, [action], "single", f"Which AWS managed policy for Lambda execution roles grants "
                                 f"{action}?", opts, ("permissions.managed-policies",),
                                 statement("permissions.managed-policies"), rng))
        else:
            for k in range(t.draws):
                rng = random.Random(f"{t.id}:{seed}:{action}:{k}")
                right = list(names)
                wrong = [n for n in pol if n not in names]
                opts = [Option(n, True, f"{n} includes {action}.", source="fact") for n in right]
                opts += [Option(n, False, f"{n} does not include {action}.", None, "fact") for n in wrong]
                out.append(fact_question(t, [action, sorted(right), sorted(wrong)], "multi",
                                     f"Which of these managed policies include {action}? Choose all that apply.",
                                     opts, ("permissions.managed-policies", "logs.cloudwatch"),
                                     statement("permissions.managed-policies"), rng))
    return out


def policy_grants(t: FactTemplate, seed: int, facts: dict) -> list[Question]:
    pol = _policies(facts)
    decoys = ["sqs:SendMessage", "sns:Publish", "lambda:InvokeFunction", "events:PutEvents", "s3:GetObject",
              "kinesis:PutRecord", "dynamodb:PutItem"]
    out = []
    for name, grants in pol.items():
        outside = sorted({a for g in pol.values() for a in g} - set(grants)) + [d for d in decoys if d not in grants]
        for k in range(t.draws):
            rng = random.Random(f"{t.id}:{seed}:{name}:{k}")
            right = list(grants)
            wrong = list(outside)
            opts = [Option(a, True, f"{name} grants {a}.", source="fact") for a in right]
            for a in wrong:
                mid = "sqs-policy-allows-send" if (name == "AWSLambdaSQSQueueExecutionRole" and a == "sqs:SendMessage") \
                    else None
                opts.append(Option(a, False, f"{name} does not grant {a}." + misconception_note(mid), mid, "fact"))
            out.append(fact_question(t, [name, sorted(right), sorted(wrong)], "multi",
                                 f"Which of these actions does the managed policy {name} grant? Choose all that apply.",
                                 opts, ("permissions.managed-policies",), statement("permissions.managed-policies"),
                                 rng))
    return out


def trigger_permission(t: FactTemplate, seed: int, facts: dict) -> list[Question]:
    out = []
    for entry in facts["trigger_permissions"]:
        trig = entry["trigger"]
        push = entry["kind"] == "resource-policy"
        principal = entry.get("principal", "")
        resource = Option("A statement in the function's resource-based policy allowing "
                          f"{principal or 'the service'} to call lambda:InvokeFunction", push,
                          "Push sources need the function's resource-based policy." if push else
                          "Event source mappings are run by Lambda's pollers with the execution role; no resource "
                          "policy is involved." + misconception_note("esm-needs-resource-policy"),
                          None if push else "esm-needs-resource-policy", "fact")
        actions = ", ".join(entry["actions"]) if not push else "lambda:InvokeFunction"
        role_mid = {"s3": "s3-uses-execution-role", "alb": "alb-uses-execution-role"}.get(trig,
                                                                                        "role-lets-services-invoke")
        role = Option(f"The function's execution role allowing {actions}", not push,
                      "The poller reads the source with the function's execution role." if not push else
                      "The execution role says what the function may do, not who may invoke it." + misconception_note(role_mid),
                      None if not push else role_mid, "fact")
        both = Option("Both: the resource-based policy and the execution role", False,
                      ("Only the resource-based policy is needed." if push else "Only the execution role is needed.")
                      + misconception_note("every-trigger-needs-both"), "every-trigger-needs-both", "fact")
        if trig == "sqs":
            fourth = Option("An access policy on the queue allowing lambda.amazonaws.com", False,
                            "The poller uses the execution role." + misconception_note("sqs-trigger-queue-policy"),
                            "sqs-trigger-queue-policy", "fact")
        else:
            fourth = Option("Nothing: services in the same account may invoke any function", False,
                            "Someone must grant the access, the resource-based policy for push sources and the "
                            "execution role for pollers.", None, "fact")
        rules = ("permissions.resource-policy", "permissions.push-vs-pull") if push else (
            "permissions.execution-role", "permissions.push-vs-pull", "esm.poller")
        rules += {"s3": ("s3.permission",), "alb": ("alb.permission",), "sqs": ("sqs.mapping-setup",),
                  "kinesis": ("kinesis.mapping-setup",)}.get(trig, ())
        verb = "to invoke the function" if push else "for the function to receive its records"
        out.append(fact_question(t, [trig], "single", f"What must be in place for {TRIGGER_TEXT[trig]} {verb}?",
                             [resource, role, both, fourth], rules, statement(rules[0]),
                             random.Random(f"{t.id}:{seed}:{trig}")))
    return out


def push_principal(t: FactTemplate, seed: int, facts: dict) -> list[Question]:
    out = []
    push = [e for e in facts["trigger_permissions"] if e["kind"] == "resource-policy"]
    principals = [e["principal"] for e in push] + ["lambda.amazonaws.com"]
    for entry in push:
        rng = random.Random(f"{t.id}:{seed}:{entry['trigger']}")
        wrong = rng.sample([p for p in principals if p != entry["principal"]], 3)
        opts = [Option(entry["principal"], True, f"{cap(TRIGGER_TEXT[entry['trigger']])} calls as "
                       f"{entry['principal']}.", source="fact")]
        opts += [Option(p, False, f"That principal is not the one {TRIGGER_TEXT[entry['trigger']]} uses.", None,
                        "fact") for p in wrong]
        rule = {"s3": "s3.permission", "alb": "alb.permission"}.get(entry["trigger"], "permissions.resource-policy")
        out.append(fact_question(t, [entry["trigger"]], "single", "Which principal must the function's resource-based "
                             f"policy allow so that {TRIGGER_TEXT[entry['trigger']]} can invoke it?", opts,
                             (rule, "permissions.resource-policy"), statement(rule), rng))
    return out


def destination_permission(t: FactTemplate, seed: int, facts: dict) -> list[Question]:
    grants = facts["destination_permissions"]
    out = []
    cases = [(d, f"sends records of failed asynchronous invocations to {DEST_TEXT[d]} (an on-failure destination)")
             for d in grants if d in facts["destinations"]["async_on_failure"]["aws"]]
    cases += [(d, f"has {DEST_TEXT[d]} as its dead-letter queue") for d in facts["destinations"]["dlq"]]
    for d, what in cases:
        rng = random.Random(f"{t.id}:{seed}:{what}")
        wrong = rng.sample([a for k, a in grants.items() if k != d], 2)
        opts = [Option(grants[d], True, f"Writing to {DEST_TEXT[d]} needs {grants[d]} on the execution role.",
                       source="fact")]
        opts += [Option(a, False, f"{a} is for another kind of target.", None, "fact") for a in wrong]
        opts.append(Option(f"None on the role: {DEST_TEXT[d]}'s own policy must allow lambda.amazonaws.com", False,
                           "Lambda writes with the function's execution role." + misconception_note("destination-needs-queue-policy"),
                           "destination-needs-queue-policy", "fact"))
        out.append(fact_question(t, [d, what], "single", f"A function {what}. Which permission must its execution role "
                             "have?", opts, ("permissions.destination-grants",),
                             statement("permissions.destination-grants"), rng))
    return out

