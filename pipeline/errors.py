"""One error tree for the pipeline.

    PipelineError
     ├── ConfigError      settings, models or data files are wrong: nothing can run
     ├── FetchError       a URL could not be fetched (network, status, size, SSRF guard)
     ├── ParseError       an input could not be read or decoded (names the file and why)
     ├── ExtractionError  an extractor failed on an article
     └── SinkError        an output could not be written

`SkipArticle` is not an error: the input is fine but holds no article (e.g. an HTML page
with no article body); it is logged and counted, and the batch goes on.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "ExtractionError",
    "FetchError",
    "ParseError",
    "PipelineError",
    "SinkError",
    "SkipArticle",
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


class SkipArticle(Exception):
    """The input holds no article to extract from; carries the reason."""
