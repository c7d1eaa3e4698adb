"""Rule and model extractors: pure functions from a parsed article to `Mention`s.

Importing this package registers every extractor in `EXTRACTORS` under its versioned name.
"""

from extractors import (  # noqa: F401  (imported to register)
    actors,
    counts,
    data_types,
    dates,
    incident_type,
    indicators,
    organizations,
    response,
    software,
)
from extractors._registry import EXTRACTORS, Extractor, register

__all__ = ["EXTRACTORS", "Extractor", "register"]
