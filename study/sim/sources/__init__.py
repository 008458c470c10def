"""The push event sources, one module each, each holding its validation (the trigger's settings and inputs,
`RULES`) beside its behaviour (the `Source` the engine drives): sync, ALB, async, S3, SNS, EventBridge and
schedule. The pull sources keep their behaviour in study/sim/sqs.py and study/sim/streams.py and their
validation beside them in study/sim/sqs_config.py and study/sim/streams_config.py.
study/sim/scenario/triggers.py lists the rules of every trigger; study/sim/run.py picks the source.
"""
