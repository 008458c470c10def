"""Fact questions about numbers and names: limits, prices, settings' defaults and bounds, the context object's
members, and the languages with a managed runtime."""

from __future__ import annotations

import random

from study.quiz.fact_question import bound_why, cap, fact_question, misconception_note, statement
from study.quiz.model import Option, Question, format_number
from study.quiz.template_model import FactTemplate

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
                    opts = [Option(cap(a["meaning"]), True, f"context.{_attr_name(a, 'python')}: {a['meaning']}.",
                                   source="fact")]
                    opts += [Option(cap(x["meaning"]), False, f"That is context.{_attr_name(x, 'python')}.",
                                    None, "fact") for x in wrong]
                    if a["python"] == "aws_request_id" and k == 0:
                        opts[-1] = Option("The payload the function was invoked with", False,
                                          "The payload is the event, the first argument." + misconception_note("context-holds-payload"),
                                          "context-holds-payload", "fact")
                else:
                    lang = "Python" if form == "python" else "Node.js"
                    stem = f"In a {lang} handler, which context member gives the {a['meaning']}?"
                    opts = [Option(f"context.{_attr_name(a, form)}", True, f"{cap(a['meaning'])}.",
                                   source="fact")]
                    opts += [Option(f"context.{_attr_name(x, form)}", False, f"That gives the {x['meaning']}.", None,
                                    "fact") for x in wrong]
                    if a["python"] == "get_remaining_time_in_millis" and form == "python":
                        opts[-1] = Option("context.remaining_time", False, "There is no such attribute; it is a "
                                          "method." + misconception_note("remaining-time-attribute"), "remaining-time-attribute",
                                          "fact")
                key = [a["python"], form, k]
                out.append(fact_question(t, key, "single", stem, opts, ("context.object",), statement("context.object"),
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
            opts = [Option(f"{format_number(value)} {unit}", True, statement(rule), source="fact")]
            opts += [Option(f"{format_number(w)} {unit}", False, bound_why(w, bound_of, word, value, unit)
                            + misconception_note(mids.get(w)), mids.get(w), "fact") for w in wrong]
            out.append(fact_question(t, [entry["name"], which], "single", f"What is the {word} {what}?", opts, (rule,),
                                 statement(rule), rng))
    return out



def prices(t: FactTemplate, seed: int, facts: dict) -> list[Question]:
    p = facts["prices"]
    rng = random.Random(f"{t.id}:{seed}")
    out = []
    per_million = p["request_usd"] * 1_000_000
    opts = [Option(f"${per_million:.2f} per million requests", True, "Requests cost $0.20 per million.", source="fact"),
            Option("$2.00 per million requests", False, "Ten times too much.", None, "fact"),
            Option("$0.02 per million requests", False, "Ten times too little.", None, "fact"),
            Option("Nothing: requests are free, only duration is billed", False,
                   "Every start is billed as a request beyond the free tier." + misconception_note("retries-not-billed"),
                   "retries-not-billed", "fact")]
    out.append(fact_question(t, ["request"], "single", "Beyond the free tier, what does Lambda charge for requests?", opts,
                         ("pricing.requests",), statement("pricing.requests"), rng))
    per_dollar = round(1 / p["gb_second_usd"], -3)
    chapter = round(1 / p["chapter_gb_second_usd"], -3)
    opts = [Option(f"About {format_number(per_dollar)} GB-seconds", True, f"${p['gb_second_usd']} per GB-second is "
                   f"about $1 per {format_number(per_dollar)} GB-seconds.", source="fact"),
            Option(f"About {format_number(chapter)} GB-seconds", False, "The chapter's misprint."
                   + misconception_note("chapter-duration-price"), "chapter-duration-price", "fact"),
            Option(f"About {format_number(p['free_gb_seconds'])} GB-seconds", False, "That is the monthly free tier.",
                   None, "fact"),
            Option("About 6,000 GB-seconds", False, "Ten times too little compute per dollar.", None, "fact")]
    out.append(fact_question(t, ["gb-s"], "single", "Beyond the free tier, roughly how much compute does $1.00 of Lambda "
                         "duration buy?", opts, ("pricing.duration",), statement("pricing.duration"), rng))
    opts = [Option(f"{format_number(p['free_requests'])} requests and {format_number(p['free_gb_seconds'])} "
                   "GB-seconds", True, "The monthly free tier.", source="fact"),
            Option(f"{format_number(p['free_requests'])} requests and 600,000 GB-seconds", False,
                   "600,000 comes from the chapter's misprinted price.", "chapter-duration-price", "fact"),
            Option(f"{format_number(p['free_requests'])} requests and {format_number(p['free_gb_seconds'])} seconds "
                   "whatever the memory", False, "The allowance is GB-seconds." + misconception_note("free-tier-plain-seconds"),
                   "free-tier-plain-seconds", "fact"),
            Option("Nothing: every request is billed", False, "There is a free tier." + misconception_note("no-free-tier"),
                   "no-free-tier", "fact")]
    out.append(fact_question(t, ["free"], "single", "What does Lambda's monthly free tier include?", opts,
                         ("pricing.free-tier",), statement("pricing.free-tier"), rng))
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
        out.append(fact_question(t, [sorted(right), sorted(wrong)], "multi", "Which of these languages have a runtime "
                             "managed by AWS? Choose all that apply.", opts, ("runtimes.languages",),
                             statement("runtimes.languages"), rng))
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
                    out.append(fact_question(t, [s["name"], s.get("where"), which], "single",
                                         f"Is {s['name']} ({s['where']}) on or off by default?", opts, (rid,),
                                         statement(rid), random.Random(f"{t.id}:{seed}:{key}:{which}")))
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
                opts = [Option(show(value), True, f"{statement(rid)}{note}", source="fact")]
                opts += [Option(show(w), False, bound_why(w, bound_of, word, value, unit), None, "fact")
                         for w in wrong]
                out.append(fact_question(t, [s["name"], s.get("where"), which], "single",
                                     f"What is the {word} value of {s['name']} ({s['where']})?", opts, (rid,),
                                     statement(rid), rng))
    return out

