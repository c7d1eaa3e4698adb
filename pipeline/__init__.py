"""news-incident-pipeline: cyber-security news in, one structured record per incident out.

The stages, in the order data flows through them::

    source -> clean -> extract -> normalize -> cluster -> sink

`run(Settings(...))` is the batch job behind `incidents extract`; the stage functions are
exported for callers that bring their own inputs or outputs.
"""

import logging

from pipeline.clean import clean
from pipeline.cluster import cluster_records
from pipeline.errors import (
    ConfigError,
    ExtractionError,
    FetchError,
    ParseError,
    PipelineError,
    SinkError,
    SkipArticle,
)
from pipeline.extract import extract_article, extract_articles
from pipeline.normalize import normalize
from pipeline.run import RunSummary, run
from pipeline.sinks import write_jsonl, write_sqlite
from pipeline.source import read_documents
from schemas.settings import Settings

__all__ = [
    "ConfigError",
    "ExtractionError",
    "FetchError",
    "ParseError",
    "PipelineError",
    "RunSummary",
    "Settings",
    "SinkError",
    "SkipArticle",
    "clean",
    "cluster_records",
    "extract_article",
    "extract_articles",
    "normalize",
    "read_documents",
    "run",
    "write_jsonl",
    "write_sqlite",
]

logging.getLogger(__name__).addHandler(logging.NullHandler())
