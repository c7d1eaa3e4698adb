"""The incident page's content: every field of the record as rows that link to their evidence,
and each article's cleaned text with the evidence spans and their sentences marked.

All text is escaped here (`markupsafe.escape`), so an article holding `<script>` shows it as
text: the templates only place these `Markup` strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, get_args

from markupsafe import Markup, escape

from pipeline.review.fields import CORRECTABLE, incident_types
from schemas.incident import Attribution, Evidence, IncidentRecord

__all__ = ["FieldRow", "article_html", "field_rows", "safe_url"]

_HIDDEN = {"evidence", "sources", "review"}
# Header fields whose evidence is recorded under another field.
_EVIDENCE_OF = {
    "type": "incident.type",
    "incident.impact.data_compromised": "incident.data_breach.type_of_data_compromised",
}
_KINDS = {"dates.": "date", "records_affected": "number", "people_affected": "number"}


@dataclass(frozen=True)
class FieldRow:
    path: str
    label: str
    value: str
    evidence: list[int]
    correctable: bool
    kind: str = "text"
    choices: tuple[str, ...] = ()


def _pattern(path: str) -> str:
    return re.sub(r"\.\d+(?=\.|$)", ".*", path)


def _label(path: str) -> str:
    words = re.sub(r"\.(\d+)(?=\.|$)", lambda m: f" {int(m[1]) + 1}", path.removeprefix("incident."))
    return words.replace(".", " › ").replace("_", " ")


def _shown(value: Any) -> str:
    if value is None or value == [] or value == "":
        return "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def _leaves(value: Any, path: str) -> list[tuple[str, Any]]:
    """(dotted path, value) of every field to show; lists of plain values stay one value."""
    if isinstance(value, dict):
        return [
            leaf for key, item in value.items() for leaf in _leaves(item, f"{path}.{key}" if path else key)
        ]
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return [leaf for i, item in enumerate(value) for leaf in _leaves(item, f"{path}.{i}")]
    return [(path, value)]


def _evidence_for(path: str, value: Any, evidence: list[Evidence]) -> list[int]:
    """Indices of the evidence behind one value: by the field it was recorded under, and for a
    list element or a list, by the value it names."""
    general = _EVIDENCE_OF.get(path, re.sub(r"\.\d+(\.\w+)?$", "", path))
    found = [i for i, e in enumerate(evidence) if e.field == general]
    wanted = [
        str(v).casefold() for v in (value if isinstance(value, list) else [value]) if v not in (None, "")
    ]
    if general == path and not isinstance(value, list):
        return found
    return [
        i
        for i in found
        if any(w in evidence[i].value.casefold() or evidence[i].value.casefold() in w for w in wanted)
    ]


def field_rows(record: IncidentRecord) -> list[FieldRow]:
    """Every field of the record (but evidence, sources and review, shown apart), in order."""
    data = {k: v for k, v in record.model_dump(mode="json").items() if k not in _HIDDEN}
    rows = []
    for path, value in _leaves(data, ""):
        pattern = _pattern(path)
        kind = next((k for prefix, k in _KINDS.items() if path.startswith(prefix)), "text")
        choices: tuple[str, ...] = ()
        if pattern == "threat_actors.*.attribution":
            choices = get_args(Attribution)
        elif path == "incident.type":
            choices = tuple(incident_types())
        rows.append(
            FieldRow(
                path=path,
                label=_label(path),
                value=_shown(value),
                evidence=_evidence_for(path, value, record.evidence),
                correctable=pattern in CORRECTABLE,
                kind=kind,
                choices=choices,
            )
        )
    return rows


def _sentence(text: str, e: Evidence) -> tuple[int, int]:
    """Where the evidence's sentence stands in the text (the occurrence around the span)."""
    sentence = e.sentence.strip()
    idx = text.find(sentence, max(0, e.end - len(sentence))) if sentence else -1
    while sentence and 0 <= idx <= e.start:
        if idx + len(sentence) >= e.end:
            return idx, idx + len(sentence)
        idx = text.find(sentence, idx + 1)
    return e.start, e.end


def article_html(text: str, spans: list[tuple[int, Evidence]], active: int | None = None) -> Markup:
    """The article's text, escaped, each evidence span in a `<mark data-ev=" n ">` and each
    span's sentence in `data-sent=" n "`; the `active` evidence and its sentence get classes
    (the page's script moves them on a click; without a script, links reload with `?ev=n`)."""
    ranges = []
    for n, e in spans:
        if 0 <= e.start < e.end <= len(text):
            ranges.append((n, (e.start, e.end), _sentence(text, e)))
    cuts = sorted({0, len(text), *(x for _, span, sent in ranges for x in (*span, *sent))})
    parts = []
    anchored: set[int] = set()
    for lo, hi in pairwise(cuts):
        piece = escape(text[lo:hi])
        marks = [n for n, (a, b), _ in ranges if a <= lo and hi <= b]
        sents = [n for n, _, (a, b) in ranges if a <= lo and hi <= b]
        if not (marks or sents):
            parts.append(piece)
            continue
        classes = ["ev" if marks else "sent"]
        if active is not None and active in marks:
            classes.append("active")
        if active is not None and active in sents:
            classes.append("in-sentence")
        first = next((n for n in marks if n not in anchored), None)
        anchor = f' id="ev-{first}"' if first is not None else ""
        anchored.update(marks)
        tag = "mark" if marks else "span"
        parts.append(
            Markup(
                f'<{tag}{anchor} class="{" ".join(classes)}" data-ev=" {" ".join(map(str, marks))} "'
                f' data-sent=" {" ".join(map(str, sents))} ">{piece}</{tag}>'
            )
        )
    return Markup("").join(parts)


def safe_url(url: str | None) -> str | None:
    """The URL when it is a web link (never `javascript:` or `data:` into an href)."""
    return url if url and re.match(r"https?://", url, re.IGNORECASE) else None
