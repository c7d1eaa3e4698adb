"""One error tree for the pipeline.

    PipelineError
     ├── ConfigError      settings, models or data files are wrong: nothing can run
     ├── FetchError       a URL could not be fetched (network, status, size, SSRF guard)
     ├── ParseError       an input could not be read or decoded (names the file and why)
     ├── ExtractionError  an extractor failed on an article
     ├── SinkError        an output could not be written
     └── ReviewError      a review action is not valid (unknown field, bad value, ...)
          ├── ConflictError  the incident changed since the reviewer saw it
          └── UnknownIncidentError  no incident has that id

`SkipArticle` is not an error: the input is fine but holds no article (e.g. an HTML page
with no article body); it is logged and counted, and the batch goes on.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "ConflictError",
    "ExtractionError",
    "FetchError",
    "ParseError",
    "PipelineError",
    "ReviewError",
    "SinkError",
    "SkipArticle",
    "UnknownIncidentError",
]


class PipelineError(Exception):
    """Base of every error the pipeline raises on purpose."""


class ConfigError(PipelineError):
    pass


class FetchError(PipelineError):
    pass


class ParseError(PipelineError):
    pass


class ExtractionError(PipelineError):
    pass


class SinkError(PipelineError):
    pass


class ReviewError(PipelineError):
    pass


class ConflictError(ReviewError):
    """Carries the incident's current version, for the reviewer to look again."""

    def __init__(self, message: str, version: int | None = None) -> None:
        super().__init__(message)
        self.version = version


class UnknownIncidentError(ReviewError):
    pass


class SkipArticle(Exception):
    """The input holds no article to extract from; carries the reason."""
