"""A Powertools batch handler for a Kinesis stream."""

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.kinesis_stream_event import KinesisStreamRecord

processor = BatchProcessor(event_type=EventType.KinesisDataStreams)


def record_handler(record: KinesisStreamRecord):
    if record.kinesis.data_as_text() == "bad":
        raise ValueError("cannot process")


def handler(event, context):
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
