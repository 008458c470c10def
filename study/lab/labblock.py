"""A lab's `lab:` block: the brief, the debrief, the rules it teaches and the predictions it asks for.

A learning concern, not the emulator's: the emulator keeps the block as it is (`Scenario.lab`) and checks it only
when a caller hands it `LAB_BLOCK` — every reader of lab files does (`study sim`, `study check`, the lab reader, the
question bank's lab questions, the playlists), so a bad block is refused at its `file:line:col` in the same place
of the file's checking as before.
"""

from __future__ import annotations

from typing import Any

from study.sim.scenario.checker import Checker


def check_lab(c: Checker, lab: Any) -> None:
    p = ("lab",)
    lab = c.mapping(lab, p, "lab")
    c.unknown(lab, {"description", "brief", "debrief", "rules", "predict", "whatif", "watch_for"}, p, "lab")
    # `brief` is read before predicting (the setup, at most the general rule); `debrief` is shown in Explain.
    # Older labs have one `description`; `study check` asks every lab of content/labs for brief and debrief.
    for key in ("brief", "debrief", "description"):
        if key in lab and (not isinstance(lab[key], str) or not lab[key].strip()):
            raise c.fail((*p, key), f"lab.{key}: expected a paragraph of text")
    if "brief" not in lab and "description" not in lab:
        raise c.fail(p, "lab.brief: required, a paragraph for the learner to read before predicting")
    rules = lab.get("rules")
    if not isinstance(rules, list) or not rules or not all(isinstance(r, str) for r in rules):
        raise c.fail((*p, "rules") if "rules" in lab else p, "lab.rules: expected a list of rule ids")
    preds = lab.get("predict")
    if not isinstance(preds, list) or not preds:
        raise c.fail((*p, "predict") if "predict" in lab else p, "lab.predict: expected at least one prediction")
    for i, pred in enumerate(preds):
        pp = (*p, "predict", i)
        pred = c.mapping(pred, pp, "a prediction")
        c.unknown(pred, {"question", "answer", "kind", "options", "rule"}, pp, "a prediction")
        c.string(pred, "question", pp, required=True)
        c.string(pred, "answer", pp, required=True)
        kind = c.string(pred, "kind", pp, "number", ("number", "choice", "list", "text", "bool"))
        if kind == "choice" and not isinstance(pred.get("options"), list):
            raise c.fail(pp, "options: a choice prediction needs a list of options")


def lab_predicts_refusal(lab: Any) -> bool:
    """A permission lab's outcome is the refusal itself: one of its predictions answers `error`."""
    if not isinstance(lab, dict):
        return False
    return any(isinstance(p, dict) and str(p.get("answer", "")).strip() == "error" for p in lab.get("predict") or [])


# What the scenario loader is given to check a lab's block (study.sim.scenario.load.build_scenario's block_checks).
LAB_BLOCK = {"lab": check_lab}
