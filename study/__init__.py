"""Lambda study app: a deterministic AWS Lambda emulator, lessons, questions and a TUI.

The package root stays tiny so `import study` costs nothing; faces import what they need.
"""

__version__ = "0.1.0"
