"""Scenario files, read and validated: AWS's names, defaults and ranges, errors worded as AWS words them, each
pointing at the file, line and column of the problem.

The package (imports nothing that imports it back; `load` is the entry point):

- `load`: `load_scenario`, `parse_scenario`, `build_scenario`, `scenario_from_dict`: the top level of a
  scenario, and the order the parts are checked in.
- `checker`: `Checker`, the one validator every part uses (`file:line:col` from the YAML positions).
- `defaults`: the clock unit, region and account, trigger types, and the ranges and defaults of every setting.
- `profiles`: the `exam` and `aws` profiles side by side: the only place the two differ.
- `model`: the validated `Scenario` and its `Behavior`.
- `function`, `destinations`, `permission_checks`, `inputs`: the function, destination ARNs, the
  strict_permissions checks (against the IAM tables of study/sim/permissions.py), inputs.
- `triggers`: which module holds each trigger's rules. Each event source keeps its validation beside its
  behaviour: `study/sim/sources/` (sync, ALB, async, S3, SNS, EventBridge, schedule), and
  `study/sim/sqs_config.py` and `study/sim/streams_config.py` beside `sqs.py` and `streams.py`.
- a lab's `lab:` block is checked by the lab package (study/lab/labblock.py), handed to `build_scenario`.

YAML itself is read by `study/sim/yamlpos.py`, the app's one YAML reader.
"""
