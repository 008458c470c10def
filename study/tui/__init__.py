"""The Textual face: `make_app()` in app.py builds the app for the CLI and the tests; screens and widgets live beside it."""
