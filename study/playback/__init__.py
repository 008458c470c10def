"""Playback of a trace's timeline without the UI: the view state at any position, by a pure reducer."""
