"""A lab without the UI: reading its file, predictions, grading against the trace, the first divergence, what-if
variants and the setup shown before predicting. Pure Python (no Textual); the Lab screen and the instructor demo
call these from workers.

- `lab_file`: the file read (`load_lab`), the run (`run_lab`), `Lab`, `Prediction`, `Outcome`;
- `answers`: a typed answer parsed, graded against the trace and shown back;
- `divergence`: where a wrong prediction and the run part ways, and the rule that decided it;
- `whatif`: the settings a learner may change, the changed scenario, its run, the two outcomes compared;
- `setup`: what the Predict view shows of the scenario;
- `attempt`: a lab opened for the learner (`open_lab`), the name its attempts are stored under, the stored rows;
- `grading`: the predictions graded at the commit, a `Verdict` each, and the earliest divergence;
- `scenario_paths`: a value read or written at a path in scenario data (`get_in`, `set_in`).
"""

from study.lab.answers import STREAM_DEAD, actual_for, display, final_label, grade, parse_answer, same, show
from study.lab.attempt import Loaded, attempt_rows, jsonable, lab_key, open_lab
from study.lab.divergence import Divergence, divergence, time_markers
from study.lab.grading import Grading, Verdict, grade_predictions
from study.lab.lab_file import (
    FINALS,
    MISSING,
    Lab,
    LabFile,
    Outcome,
    Prediction,
    generic_predictions,
    is_missing,
    is_number,
    lab_files,
    lab_rules,
    load_lab,
    read_lab_file,
    run_lab,
)
from study.lab.scenario_paths import get_in, path_keys, set_in
from study.lab.setup import Setup, describe_setup
from study.lab.whatif import (
    BY_TRIGGER,
    PUSH_PRINCIPALS,
    SETTINGS,
    WHATIF_MAX_INVOCATIONS,
    Row,
    Setting,
    WhatIfResult,
    apply_setting,
    candidates,
    changed_inputs,
    compare,
    current_value,
    normal_value,
    run_variant,
    run_whatif,
    setting_for,
    show_setting,
    whatif_result,
    whatif_settings,
)

__all__ = [
    "BY_TRIGGER", "FINALS", "MISSING", "PUSH_PRINCIPALS", "SETTINGS", "STREAM_DEAD", "WHATIF_MAX_INVOCATIONS",
    "Divergence", "Lab", "Outcome", "Prediction", "Row", "Setting", "Setup",
    "actual_for", "apply_setting", "candidates", "changed_inputs", "compare", "current_value", "describe_setup",
    "display", "divergence", "final_label", "generic_predictions", "grade", "is_missing", "is_number", "lab_rules",
    "load_lab", "normal_value", "parse_answer", "run_lab", "run_variant", "same", "setting_for", "show",
    "show_setting", "time_markers", "whatif_settings",
    "Grading", "LabFile", "Loaded", "Verdict", "WhatIfResult", "attempt_rows", "get_in", "grade_predictions",
    "jsonable", "lab_files", "lab_key", "open_lab", "path_keys", "read_lab_file", "run_whatif", "set_in",
    "whatif_result",
]
