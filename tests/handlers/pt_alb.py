"""A Powertools ALB resolver, unchanged from how it would run on AWS."""

from aws_lambda_powertools.event_handler import ALBResolver

app = ALBResolver()


@app.get("/hello")
def hello():
    name = app.current_event.get_query_string_value(name="name", default_value="world")
    return {"message": f"hello {name}"}


def handler(event, context):
    return app.resolve(event, context)
