"""A lab without the UI: reading its file, predictions, grading against the trace, what-if variants."""
