"""Pydantic models: the contracts between the pipeline's stages."""

from schemas.document import Article, RawDocument
from schemas.entities import ArticleFindings, Mention, MentionLabel
from schemas.incident import SCHEMA_VERSION, IncidentRecord
from schemas.settings import Settings

__all__ = [
    "SCHEMA_VERSION",
    "Article",
    "ArticleFindings",
    "IncidentRecord",
    "Mention",
    "MentionLabel",
    "RawDocument",
    "Settings",
]
