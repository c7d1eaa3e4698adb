"""Run settings: one object built by the CLI (or a caller) and passed to `pipeline.run`."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Settings"]


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    inputs: list[Path] = Field(default_factory=list)
    output: Path = Path("out/incidents.jsonl")
    db: str | None = None
    stix: Path | None = Field(None, description="STIX 2.1 bundle to write the incidents to")
    misp: Path | None = Field(None, description="MISP JSON file of one event per incident")
    misp_feed: Path | None = Field(None, description="folder of a static MISP feed of the incidents")
    per_article: bool = False
    max_file_bytes: int = Field(20_000_000, description="inputs larger than this are refused")
    progress: bool = False
    workers: int = Field(1, ge=1, description="processes that parse and extract articles in parallel")
    include_rejected: bool = Field(False, description="export incidents an analyst rejected too")
