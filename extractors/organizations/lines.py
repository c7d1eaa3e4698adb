"""Where on the page a name stands: a title-case headline, a wire dateline, an outlet's masthead,
a brief's lead. Each is read once per line or Doc, since asking per name was quadratic.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc

from extractors._spans import doc_text, line_bounds, sentences

__all__ = ["clean_title", "find_lead_end", "in_dateline", "is_headline", "is_masthead"]

_HEADLINE_LINES = "organizations.headline_lines"
_DATELINES = "organizations.datelines"
_MASTHEAD_AFTER = re.compile(r"\s*(?:[|–—]|$)")
_DATELINE = re.compile(r"[A-Z][A-Z .,'&]+(?:\([A-Z][\w .&/-]*\))?\s*[-–—]\s")


def find_lead_end(doc: Doc) -> int:
    """Where a brief's lead ends: its first two sentences, which name its main party. (A full
    article's lead names researchers, outlets and products as often: measured on news, the lead
    prior added more wrong victims than right ones there.)"""
    sents = sentences(doc)
    return sents[min(1, len(sents) - 1)].end_char if sents else 0


def is_headline(doc: Doc, start: int, end: int) -> bool:
    """Whether the characters `start`..`end` are on a title-case line ("Acme Pauses Work With ..."),
    where NER guesses. Decided once per line (a long line asked about for every name was quadratic)."""
    line_start, line_end = line_bounds(doc, start, end)
    known: dict[tuple[int, int], bool] = doc.user_data.setdefault(_HEADLINE_LINES, {})
    if (line_start, line_end) not in known:
        words = re.findall(r"[A-Za-z][a-z]{3,}|[A-Z]{4,}", doc_text(doc)[line_start:line_end])
        title_case = len(words) >= 3 and sum(w[0].isupper() for w in words) / len(words) >= 0.6
        known[(line_start, line_end)] = title_case
    return known[(line_start, line_end)]


def in_dateline(doc: Doc, start: int) -> bool:
    """ "SPRINGFIELD, IL (KXYZ) - ...": the place and outlet that open a wire story are no parties.

    The dateline is read once per line (a long line asked about for every name was quadratic)."""
    line_start, _ = line_bounds(doc, start, start)
    datelines: dict[int, int] = doc.user_data.setdefault(_DATELINES, {})
    if line_start not in datelines:
        match = _DATELINE.match(doc_text(doc), line_start)
        wire = match is not None and any(ch in match.group() for ch in ",(")
        datelines[line_start] = match.end() if match is not None and wire else -1
    return start < datelines[line_start]


def is_masthead(doc: Doc, start: int, end: int) -> bool:
    """ "Breach at Acme Hotels | Daily Wire |" or "... | Daily Wire | News that matters": a name that is a
    whole segment of a headline line after the first separator is the outlet that ran it.

    Before the name, on its line: a space, a separator and spaces; after it: spaces, then a separator
    or the line's end. Read from the name outwards, not over the whole line for every name."""
    text = doc_text(doc)
    line_start, line_end = line_bounds(doc, start, end)
    gap = start
    while gap > line_start and text[gap - 1].isspace():
        gap -= 1
    before = gap < start and gap - 2 >= line_start and text[gap - 1] in "|–—-" and text[gap - 2].isspace()
    return before and _MASTHEAD_AFTER.match(text, end, line_end) is not None


def clean_title(title: str | None) -> str:
    """The headline without the outlet after " | " or " - "."""
    if not title:
        return ""
    return re.split(r"\s+[|–—-]\s+", title)[0]
