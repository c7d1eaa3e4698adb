"""One pattern that finds where any of several patterns would: a cheap prefilter per sentence.

Most sentences carry none of an extractor's cues, so one scan with the joined pattern decides
whether the per-cue patterns need to run at all; the counts and spans still come from them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["any_of"]


def any_of(patterns: Iterable[re.Pattern[str]]) -> re.Pattern[str] | None:
    """A pattern that `search`es true exactly where one of `patterns` does, or None when they
    cannot be joined unchanged (groups, whose numbers would shift under backreferences, or
    flags beyond the default) and each must be tried on its own."""
    patterns = list(patterns)
    if not patterns or any(p.groups or p.flags & ~re.UNICODE for p in patterns):
        return None
    try:
        return re.compile("|".join(f"(?:{p.pattern})" for p in patterns))
    except re.error:
        return None
