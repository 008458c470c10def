"""Fact questions generated from the rules table (content/rules.yaml): its fact tables, settings and misconceptions.

The facts are the key: which services invoke asynchronously, which destination types a mapping allows, which
permission a trigger needs, which context attribute gives what. Only the learner-facing wording lives here.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Callable

from study.quiz.model import Option, Question, format_number
from study.quiz.templates import FactTemplate

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
LIMITS = {  # name -> (what it is, unit, rule, plausible wrong values, misconception behind a value)
    "memory_mb": ("memory a function can be given (MemorySize)", "MB", "config.memory",
                  [64, 256, 1024, 3008, 8192, 16384], {}),
    "timeout_s": ("Timeout of a function", "seconds", "config.timeout", [60, 300, 600, 3600, 30, 5],
                  {300: "timeout-five-minutes"}),
    "sync_payload_mb": ("size of a synchronous invocation's request payload", "MB", "limits.payload",
                        [1, 10, 256, 50], {}),
    "async_payload_kb": ("size of an asynchronous event, as the chapter states it", "KB", "limits.payload",
                         [6144, 128, 64, 1024], {6144: "async-payload-six-mb"}),
    "container_image_gb": ("size of a function's container image", "GB", "runtimes.container-images",
                           [1, 5, 20, 50], {}),
    "init_s": ("duration of the INIT phase", "seconds", "env.cold-start", [3, 30, 60, 900], {}),
    "account_concurrency": ("concurrency of an account in a Region", "concurrent executions",
                            "concurrency.account-limit", [100, 500, 3000, 10000], {}),
    "unreserved_concurrency_min": ("concurrency that must stay unreserved in an account", "executions",
                                   "concurrency.reserved", [0, 10, 50, 200], {}),
    "resource_policy_kb": ("size of a function's resource-based policy", "KB", "permissions.resource-policy",
                           [4, 10, 64, 256], {}),
}


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _qid(template: str, key: object) -> str:
    return f"gen.{template}.{hashlib.sha1(json.dumps(key, sort_keys=True).encode()).hexdigest()[:10]}"


def _section(rule_id: str) -> str:
    from study.content import load_rules, top_section

    return top_section(load_rules().rules[rule_id]["section"])


COUNT_WORD = {2: "TWO", 3: "THREE"}
MULTI_OPTIONS = 5


def _question(t: FactTemplate, key: object, kind: str, stem: str, options: list[Option], rules: tuple[str, ...],
              explanation: str, rng: random.Random) -> Question | None:
    """One fact question. A multiple-answer one takes the exam's form: five options drawn from the right and
    wrong ones given, two or three of them right, and the stem says how many ("Choose TWO."); None when the
    options given cannot make that form."""
    rules = tuple(dict.fromkeys(t.rules + rules)) if t.rules else tuple(dict.fromkeys(rules))
    section = t.section or _section(rules[0])
    if kind == "multi":
        right_pool = [o for o in options if o.correct]
        wrong_pool = [o for o in options if not o.correct]
        counts = [k for k in COUNT_WORD if k <= len(right_pool) and MULTI_OPTIONS - k <= len(wrong_pool)]
        if not counts:
            return None
        k = rng.choice(counts)
        options = rng.sample(right_pool, k) + rng.sample(wrong_pool, MULTI_OPTIONS - k)
        stem = re.sub(r"\s*Choose all that apply\.?", "", stem).rstrip() + f" (Choose {COUNT_WORD[k]}.)"
        key = [key, sorted(o.text for o in options)]
        explanation = " ".join(dict.fromkeys([explanation] + [o.why for o in options if o.correct]))
    rng.shuffle(options)
    right = [o.text for o in options if o.correct]
    answer = right[0] if kind == "single" else right
    return Question(id=_qid(t.id, key), section=section, rules=rules, kind=kind, stem=stem, options=tuple(options),
                    answer=answer, explanation=explanation, source="generated", template=t.id)


def _mis(mid: str | None) -> str:
    from study.content import load_rules

    if not mid:
        return ""
    m = load_rules().misconceptions[mid]
    return f" Misconception: \u201c{m['belief']}\u201d {m['correction']}"


def _statement(rule_id: str) -> str:
    from study.content import load_rules

    return load_rules().rules[rule_id]["statement"]


# -- the generators --------------------------------------------------------------------------------------------

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
                                       + _mis(mid), mid, "fact"))
            rules = MODEL_RULES[model] + ((SERVICE_RULES[service],) if service in SERVICE_RULES else ())
            out.append(_question(t, [service], "single", f"Which of these invokes a Lambda function "
                                 f"{MODEL_WORD[model]}?", opts, rules, _statement(rules[0]),
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
                opts.append(Option(s, False, f"{s} invokes {MODEL_WORD[m]}." + _mis(mid), mid, "fact"))
            key = [model, k]
            stem = f"Which of these invoke a Lambda function {MODEL_WORD[model]}? Choose all that apply."
            out.append(_question(t, key, "multi", stem, opts, MODEL_RULES[model], _statement(MODEL_RULES[model][0]), rng))
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
                why = f"{_cap(text)} {'is' if ok else 'is not'} allowed as {what} ({profile} profile)."
                opts.append(Option(_cap(text), ok, why + ("" if ok else _mis(mid)), None if ok else mid, "fact"))
            stem = f"{PROFILE_TEXT[profile]}, which of these can be {what}? Choose all that apply."
            out.append(_question(t, [key, profile], "multi", stem, opts, rules, _statement(rules[0]),
                                 random.Random(f"{t.id}:{seed}:{key}:{profile}")))
    # A function's dead-letter queue.
    opts = [Option(_cap(text), d in dest["dlq"], "A DLQ is an SQS queue or an SNS topic."
                   + ("" if d in dest["dlq"] else _mis("dlq-any-target-type")),
                   None if d in dest["dlq"] else "dlq-any-target-type", "fact") for d, text in DEST_TEXT.items()]
    out.append(_question(t, ["dlq"], "multi", "Which of these can be a function's dead-letter queue (DeadLetterConfig)? "
                         "Choose all that apply.", opts, ("async.dlq",), _statement("async.dlq"),
                         random.Random(f"{t.id}:{seed}:dlq")))
    if dest.get("sqs_mapping"):
        return out  # the question below is about SQS mappings having no destination at all
    opts = [Option("None: failed messages go to the dead-letter queue in the queue's own RedrivePolicy", True,
                   "SQS event source mappings have no destinations; the source queue's redrive policy catches "
                   "failed messages.", source="fact"),
            Option("An SQS queue, set as the mapping's on-failure destination", False,
                   "Only stream (and Kafka) mappings have an on-failure destination." + _mis("sqs-destination"),
                   "sqs-destination", "fact"),
            Option("The function's DeadLetterConfig queue", False,
                   "A function's DLQ is used for asynchronous invocations only." + _mis("function-dlq-catches-sqs"),
                   "function-dlq-catches-sqs", "fact"),
            Option("An SNS topic, set as the mapping's on-failure destination", False,
                   "Only stream (and Kafka) mappings have an on-failure destination." + _mis("sqs-destination"),
                   "sqs-destination", "fact")]
    out.append(_question(t, ["sqs_mapping"], "single", "An SQS queue triggers a function through an event source "
                         "mapping. Where can the messages that keep failing be captured?", opts,
                         ("sqs.no-destinations", "sqs.redrive"), _statement("sqs.no-destinations"),
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
            out.append(_question(t, [action], "single", f"Which AWS managed policy for Lambda execution roles grants "
                                 f"{action}?", opts, ("permissions.managed-policies",),
                                 _statement("permissions.managed-policies"), rng))
        else:
            for k in range(t.draws):
                rng = random.Random(f"{t.id}:{seed}:{action}:{k}")
                right = list(names)
                wrong = [n for n in pol if n not in names]
                opts = [Option(n, True, f"{n} includes {action}.", source="fact") for n in right]
                opts += [Option(n, False, f"{n} does not include {action}.", None, "fact") for n in wrong]
                out.append(_question(t, [action, sorted(right), sorted(wrong)], "multi",
                                     f"Which of these managed policies include {action}? Choose all that apply.",
                                     opts, ("permissions.managed-policies", "logs.cloudwatch"),
                                     _statement("permissions.managed-policies"), rng))
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
                opts.append(Option(a, False, f"{name} does not grant {a}." + _mis(mid), mid, "fact"))
            out.append(_question(t, [name, sorted(right), sorted(wrong)], "multi",
                                 f"Which of these actions does the managed policy {name} grant? Choose all that apply.",
                                 opts, ("permissions.managed-policies",), _statement("permissions.managed-policies"),
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
                          "policy is involved." + _mis("esm-needs-resource-policy"),
                          None if push else "esm-needs-resource-policy", "fact")
        actions = ", ".join(entry["actions"]) if not push else "lambda:InvokeFunction"
        role_mid = {"s3": "s3-uses-execution-role", "alb": "alb-uses-execution-role"}.get(trig,
                                                                                        "role-lets-services-invoke")
        role = Option(f"The function's execution role allowing {actions}", not push,
                      "The poller reads the source with the function's execution role." if not push else
                      "The execution role says what the function may do, not who may invoke it." + _mis(role_mid),
                      None if not push else role_mid, "fact")
        both = Option("Both: the resource-based policy and the execution role", False,
                      ("Only the resource-based policy is needed." if push else "Only the execution role is needed.")
                      + _mis("every-trigger-needs-both"), "every-trigger-needs-both", "fact")
        if trig == "sqs":
            fourth = Option("An access policy on the queue allowing lambda.amazonaws.com", False,
                            "The poller uses the execution role." + _mis("sqs-trigger-queue-policy"),
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
        out.append(_question(t, [trig], "single", f"What must be in place for {TRIGGER_TEXT[trig]} {verb}?",
                             [resource, role, both, fourth], rules, _statement(rules[0]),
                             random.Random(f"{t.id}:{seed}:{trig}")))
    return out


def push_principal(t: FactTemplate, seed: int, facts: dict) -> list[Question]:
    out = []
    push = [e for e in facts["trigger_permissions"] if e["kind"] == "resource-policy"]
    principals = [e["principal"] for e in push] + ["lambda.amazonaws.com"]
    for entry in push:
        rng = random.Random(f"{t.id}:{seed}:{entry['trigger']}")
        wrong = rng.sample([p for p in principals if p != entry["principal"]], 3)
        opts = [Option(entry["principal"], True, f"{_cap(TRIGGER_TEXT[entry['trigger']])} calls as "
                       f"{entry['principal']}.", source="fact")]
        opts += [Option(p, False, f"That principal is not the one {TRIGGER_TEXT[entry['trigger']]} uses.", None,
                        "fact") for p in wrong]
        rule = {"s3": "s3.permission", "alb": "alb.permission"}.get(entry["trigger"], "permissions.resource-policy")
        out.append(_question(t, [entry["trigger"]], "single", "Which principal must the function's resource-based "
                             f"policy allow so that {TRIGGER_TEXT[entry['trigger']]} can invoke it?", opts,
                             (rule, "permissions.resource-policy"), _statement(rule), rng))
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
                           "Lambda writes with the function's execution role." + _mis("destination-needs-queue-policy"),
                           "destination-needs-queue-policy", "fact"))
        out.append(_question(t, [d, what], "single", f"A function {what}. Which permission must its execution role "
                             "have?", opts, ("permissions.destination-grants",),
                             _statement("permissions.destination-grants"), rng))
    return out


def _attr_name(a: dict, lang: str) -> str:
    name = a[lang]
    return f"{name}()" if name.startswith("get") else name


def context_attribute(t: FactTemplate, seed: int, facts: dict) -> list[Question]:
    attrs = facts["context_attributes"]
    out = []
    for a in attrs:
        others = [x for x in attrs if x is not a]
        for form in ("python", "node", "meaning"):
            for k in range(t.draws):
                rng = random.Random(f"{t.id}:{seed}:{a['python']}:{form}:{k}")
                wrong = list(others)  # every other member: the exam form picks three (length, words, rank)
                rng.shuffle(wrong)
                if form == "meaning":
                    stem = f"In a Python handler, what does context.{_attr_name(a, 'python')} give?"
                    opts = [Option(_cap(a["meaning"]), True, f"context.{_attr_name(a, 'python')}: {a['meaning']}.",
                                   source="fact")]
                    opts += [Option(_cap(x["meaning"]), False, f"That is context.{_attr_name(x, 'python')}.",
                                    None, "fact") for x in wrong]
                    if a["python"] == "aws_request_id" and k == 0:
                        opts[-1] = Option("The payload the function was invoked with", False,
                                          "The payload is the event, the first argument." + _mis("context-holds-payload"),
                                          "context-holds-payload", "fact")
                else:
                    lang = "Python" if form == "python" else "Node.js"
                    stem = f"In a {lang} handler, which context member gives the {a['meaning']}?"
                    opts = [Option(f"context.{_attr_name(a, form)}", True, f"{_cap(a['meaning'])}.",
                                   source="fact")]
                    opts += [Option(f"context.{_attr_name(x, form)}", False, f"That gives the {x['meaning']}.", None,
                                    "fact") for x in wrong]
                    if a["python"] == "get_remaining_time_in_millis" and form == "python":
                        opts[-1] = Option("context.remaining_time", False, "There is no such attribute; it is a "
                                          "method." + _mis("remaining-time-attribute"), "remaining-time-attribute",
                                          "fact")
                key = [a["python"], form, k]
                out.append(_question(t, key, "single", stem, opts, ("context.object",), _statement("context.object"),
                                     rng))
    return out


def limits(t: FactTemplate, seed: int, facts: dict) -> list[Question]:
    out = []
    for entry in facts["limits"]:
        spec = LIMITS.get(entry["name"])
        if spec is None:
            continue
        what, unit, rule, decoys, mids = spec
        for which in ("max", "min", "default"):
            if which not in entry:
                continue
            value = entry[which]
            word = {"max": "maximum", "min": "minimum", "default": "default"}[which]
            rng = random.Random(f"{t.id}:{seed}:{entry['name']}:{which}")
            pool = [d for d in decoys if d != value] + [entry[w] for w in ("max", "min", "default")
                                                      if w in entry and entry[w] != value]
            pool = list(dict.fromkeys(pool))
            wrong = pool  # every candidate: the exam form picks three so that the key's rank stays uniform
            bound_of = {entry[b]: b for b in ("max", "min", "default") if b in entry and entry[b] != value}
            opts = [Option(f"{format_number(value)} {unit}", True, _statement(rule), source="fact")]
            opts += [Option(f"{format_number(w)} {unit}", False, _bound_why(w, bound_of, word, value, unit)
                            + _mis(mids.get(w)), mids.get(w), "fact") for w in wrong]
            out.append(_question(t, [entry["name"], which], "single", f"What is the {word} {what}?", opts, (rule,),
                                 _statement(rule), rng))
    return out


BOUND_WORD = {"max": "maximum", "min": "minimum", "default": "default"}


def _bound_why(wrong: float, bound_of: dict, word: str, value: float, unit: str) -> str:
    """Why a wrong limit is wrong: the confusion of one bound with another, when it is one."""
    right = f"{format_number(value)} {unit}".strip()
    if wrong in bound_of:
        return (f"{format_number(wrong)} {unit} is the {BOUND_WORD[bound_of[wrong]]}, not the {word}; "
                f"a common mix-up of the two bounds. The {word} is {right}.")
    return f"The {word} is {right}, not {format_number(wrong)} {unit}."


def prices(t: FactTemplate, seed: int, facts: dict) -> list[Question]:
    p = facts["prices"]
    rng = random.Random(f"{t.id}:{seed}")
    out = []
    per_million = p["request_usd"] * 1_000_000
    opts = [Option(f"${per_million:.2f} per million requests", True, "Requests cost $0.20 per million.", source="fact"),
            Option("$2.00 per million requests", False, "Ten times too much.", None, "fact"),
            Option("$0.02 per million requests", False, "Ten times too little.", None, "fact"),
            Option("Nothing: requests are free, only duration is billed", False,
                   "Every start is billed as a request beyond the free tier." + _mis("retries-not-billed"),
                   "retries-not-billed", "fact")]
    out.append(_question(t, ["request"], "single", "Beyond the free tier, what does Lambda charge for requests?", opts,
                         ("pricing.requests",), _statement("pricing.requests"), rng))
    per_dollar = round(1 / p["gb_second_usd"], -3)
    chapter = round(1 / p["chapter_gb_second_usd"], -3)
    opts = [Option(f"About {format_number(per_dollar)} GB-seconds", True, f"${p['gb_second_usd']} per GB-second is "
                   f"about $1 per {format_number(per_dollar)} GB-seconds.", source="fact"),
            Option(f"About {format_number(chapter)} GB-seconds", False, "The chapter's misprint."
                   + _mis("chapter-duration-price"), "chapter-duration-price", "fact"),
            Option(f"About {format_number(p['free_gb_seconds'])} GB-seconds", False, "That is the monthly free tier.",
                   None, "fact"),
            Option("About 6,000 GB-seconds", False, "Ten times too little compute per dollar.", None, "fact")]
    out.append(_question(t, ["gb-s"], "single", "Beyond the free tier, roughly how much compute does $1.00 of Lambda "
                         "duration buy?", opts, ("pricing.duration",), _statement("pricing.duration"), rng))
    opts = [Option(f"{format_number(p['free_requests'])} requests and {format_number(p['free_gb_seconds'])} "
                   "GB-seconds", True, "The monthly free tier.", source="fact"),
            Option(f"{format_number(p['free_requests'])} requests and 600,000 GB-seconds", False,
                   "600,000 comes from the chapter's misprinted price.", "chapter-duration-price", "fact"),
            Option(f"{format_number(p['free_requests'])} requests and {format_number(p['free_gb_seconds'])} seconds "
                   "whatever the memory", False, "The allowance is GB-seconds." + _mis("free-tier-plain-seconds"),
                   "free-tier-plain-seconds", "fact"),
            Option("Nothing: every request is billed", False, "There is a free tier." + _mis("no-free-tier"),
                   "no-free-tier", "fact")]
    out.append(_question(t, ["free"], "single", "What does Lambda's monthly free tier include?", opts,
                         ("pricing.free-tier",), _statement("pricing.free-tier"), rng))
    return out


def languages(t: FactTemplate, seed: int, facts: dict) -> list[Question]:
    managed = facts["languages"]["managed"]
    custom = facts["languages"]["custom_runtime_examples"]
    out = []
    for k in range(t.draws):
        rng = random.Random(f"{t.id}:{seed}:{k}")
        right = list(managed)
        wrong = list(custom)
        opts = [Option(x, True, f"{x} has a managed runtime.", source="fact") for x in right]
        opts += [Option(x, False, f"{x} runs on an OS-only runtime through the Lambda Runtime API (a custom "
                        "runtime).", None, "fact") for x in wrong]
        out.append(_question(t, [sorted(right), sorted(wrong)], "multi", "Which of these languages have a runtime "
                             "managed by AWS? Choose all that apply.", opts, ("runtimes.languages",),
                             _statement("runtimes.languages"), rng))
    return out


def settings(t: FactTemplate, seed: int, facts: dict) -> list[Question]:
    from study.content import load_rules

    out = []
    seen = set()
    for rid, rule in load_rules().rules.items():
        for s in rule.get("settings") or []:
            key = (s["name"], s.get("where"))
            if key in seen:
                continue
            seen.add(key)
            unit = s.get("unit", "")
            values = [s[w] for w in ("min", "max", "default") if isinstance(s.get(w), int | float)
                      and not isinstance(s.get(w), bool)]
            for which in ("default", "min", "max"):
                value = s.get(which)
                if which == "default" and isinstance(value, bool):
                    opts = [Option("Off (false)", value is False, f"{s['name']} is {'on' if value else 'off'} by "
                                   "default.", source="fact"),
                            Option("On (true)", value is True, f"{s['name']} is {'on' if value else 'off'} by default.",
                                   source="fact")]
                    out.append(_question(t, [s["name"], s.get("where"), which], "single",
                                         f"Is {s['name']} ({s['where']}) on or off by default?", opts, (rid,),
                                         _statement(rid), random.Random(f"{t.id}:{seed}:{key}:{which}")))
                    continue
                if isinstance(value, bool) or not isinstance(value, int | float):
                    continue
                rng = random.Random(f"{t.id}:{seed}:{key}:{which}")
                pool = [v for v in values if v != value]
                pool += [v for v in (value * 2, value * 10, value + 1, value - 1 if value > 0 else 3, 5, 60, 100)
                         if v != value and v not in pool]
                wrong = list(dict.fromkeys(pool))  # the exam form picks three (uniform key rank)
                word = {"default": "default", "min": "smallest allowed", "max": "largest allowed"}[which]
                profiles = rule.get("profiles") or {}
                note = f" ({profiles['exam']})" if "exam" in profiles else ""

                def show(v, unit=unit):
                    return f"{format_number(v)} {unit}".strip()

                bound_of = {s[b]: b for b in ("min", "max", "default") if isinstance(s.get(b), int | float)
                            and not isinstance(s.get(b), bool) and s[b] != value}
                opts = [Option(show(value), True, f"{_statement(rid)}{note}", source="fact")]
                opts += [Option(show(w), False, _bound_why(w, bound_of, word, value, unit), None, "fact")
                         for w in wrong]
                out.append(_question(t, [s["name"], s.get("where"), which], "single",
                                     f"What is the {word} value of {s['name']} ({s['where']})?", opts, (rid,),
                                     _statement(rid), rng))
    return out


FAR_BELIEFS = 16  # beliefs from other parts of the chapter offered to the exam form beside the near ones
STANDALONE = re.compile(r"^(That|This|It|They|These|Those|Only|No|Not|Yes|Both|Neither|Each attempt)\b")


def misconception_check(t: FactTemplate, seed: int, facts: dict) -> list[Question]:
    """'Which statement is true?': a misconception's correction against wrong beliefs from the same part of the
    chapter (its rule, the rule's lookalikes, its section). The exam form then keeps three beliefs chosen so that
    the true statement is the longest as often as any other (true/false is not an exam form, and there the true
    statements were the long ones)."""
    from study.content import load_rules, top_section

    rules = load_rules()
    out = []
    for rid, rule in rules.rules.items():
        near = [rid, *(rule.get("lookalikes") or [])]
        section = top_section(rule["section"])
        near += [r for r, x in rules.rules.items() if top_section(x["section"]) == section and r not in near]
        rest = [b for r in rules.rules if r not in near for b in rules.rules[r]["misconceptions"]]
        for m in rule["misconceptions"]:
            truth = m["correction"].strip()
            if STANDALONE.match(truth):
                continue  # a correction that answers its belief ("That figure ...") does not stand alone
            pool = [b for r in near for b in rules.rules[r]["misconceptions"] if b["id"] != m["id"]]
            # Then the beliefs from elsewhere nearest in length to the true statement, so that lengths can match.
            pool += sorted(rest, key=lambda b: abs(len(b["belief"]) - len(truth)))[:FAR_BELIEFS]
            if len(pool) < 3:
                continue
            rng = random.Random(f"{t.id}:{seed}:{m['id']}")
            opts = [Option(truth, True, rule["statement"], source="fact")]
            opts += [Option(b["belief"].strip(), False, f"This is the misconception \u201c{b['belief'].strip()}\u201d "
                            f"{b['correction']}", b["id"], "fact") for b in pool]
            out.append(_question(t, [rid, m["id"]], "single", "Which of these statements is true?", opts, (rid,),
                                 f"{truth} {rule['statement']}", rng))
    return out


FORMS: dict[str, Callable[[FactTemplate, int, dict], list[Question]]] = {
    "invocation-model": invocation_model, "model-members": model_members, "destination-types": destination_types,
    "policy-for-action": policy_for_action, "policy-grants": policy_grants, "trigger-permission": trigger_permission,
    "push-principal": push_principal, "destination-permission": destination_permission,
    "context-attribute": context_attribute, "limits": limits, "prices": prices, "languages": languages,
    "settings": settings, "misconception-check": misconception_check,
}


def generate_fact(t: FactTemplate, seed: int) -> list[Question]:
    from study.content import load_rules

    return [q for q in FORMS[t.form](t, seed, load_rules().facts) if q is not None]
