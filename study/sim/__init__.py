"""The deterministic Lambda emulator: imports nothing of the app outside `study.sim`.

- `scenario/`: reading and validating a scenario file (`scenario.load.load_scenario`), the profiles table.
- `sources/`: the push event sources (sync, ALB, async, S3, SNS, EventBridge, schedule), each with its rules;
  `sqs.py`/`sqs_config.py` and `streams.py`/`streams_config.py`: the pull sources and their rules.
- `engine.py`: the event heap, environments and concurrency; `run.py`: a scenario to its trace.
- `payloads.py`, `handlers.py`, `pricing.py`, `schedule.py`, `expect.py`, `spool.py`, `misconceptions.py`.
- `yamlpos.py` (with `yaml_events.py`, `yaml_positions.py`): the app's one YAML reader, with positions.
"""
