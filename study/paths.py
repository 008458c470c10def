"""Where content, questions and the learner's data live, in a checkout or an installed wheel."""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _data_root() -> Path:
    # STUDY_DATA points at another tree holding content/ and questions/ (checking a fork, or a broken copy in tests).
    override = os.environ.get("STUDY_DATA")
    if override:
        return Path(override).expanduser()
    # A checkout (or editable install) has content/ beside the package; a wheel carries it in study/_data.
    checkout = _PACKAGE.parent
    if (checkout / "content").is_dir() and (checkout / "questions").is_dir():
        return checkout
    return _PACKAGE / "_data"


def content_dir() -> Path:
    return _data_root() / "content"


def questions_dir() -> Path:
    return _data_root() / "questions"


def lessons_dir() -> Path:
    return content_dir() / "lessons"


def labs_dir() -> Path:
    return content_dir() / "labs"


def rules_file() -> Path:
    return content_dir() / "rules.yaml"


def user_data_dir() -> Path:
    """The learner's own data (progress database): `STUDY_HOME` overrides the platform default."""
    override = os.environ.get("STUDY_HOME")
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("lambda-study", appauthor=False))


def cache_dir() -> Path | None:
    """Files the app can rebuild (the generated question bank): `STUDY_CACHE` overrides the platform's cache folder,
    and `STUDY_CACHE=off` keeps nothing there (every start generates afresh)."""
    override = os.environ.get("STUDY_CACHE")
    if override == "off":
        return None
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("lambda-study", appauthor=False))
