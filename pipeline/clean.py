"""Strip page chrome from a document so extractors read only the article body.

HTML goes through trafilatura (its own fallbacks included) with meta tags read by BeautifulSoup
for what it misses. Plain text (one block per line, as a naive scraper or a copy-paste gives it)
goes through a block classifier: each line gets a score from general features (length, sentence
punctuation, share of function words, widget cues from `data/boilerplate.json`), the densest run
of lines (maximum-subarray, as in Finn's BTE) is the body, and widget lines inside it are dropped.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

import trafilatura
from bs4 import BeautifulSoup
from trafilatura.settings import Document

from pipeline.errors import ConfigError, SkipArticle
from schemas.document import Article, RawDocument

__all__ = ["MIN_ARTICLE_CHARS", "MIN_ARTICLE_WORDS", "clean", "clean_html", "clean_text", "clean_text_page"]

logger = logging.getLogger(__name__)

MIN_ARTICLE_CHARS = 200
MIN_ARTICLE_WORDS = 30
COMMENT_MIN_PROSE = 40.0
_MAX_TITLE_WORDS = 30
_MAX_TITLE_CHARS = 300
_MAX_SYMBOL_RUN = 64
_SYMBOL_RUN = re.compile(rf"[^\w\s]{{{_MAX_SYMBOL_RUN + 1},}}")
LINE_COST = 8.0
COMMENT_DAMPING = 0.25

_WORD_RE = re.compile(r"\w+")
_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_LATIN_RE = re.compile(r"[A-Za-z]")
_SENTENCE_END_RE = re.compile(r"[.!?。！？…:;][\"”’'»)\]]*$")
_URL_LINE_RE = re.compile(r"^\S*(https?://|www\.)\S+$")
_SHOUT_RE = re.compile(r"^[^a-z]*[A-Z]{2}[^a-z]*$")
_CONTINUED_RE = re.compile(r"^[a-z(]")
_BULLET_RE = re.compile(r"^[•·▪►»*–—-]\s*")
_ISO_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
# A line of a pasted record: a quoted key before a colon, a lone bracket, or a quoted
# string continued from the line above (as `pprint` and JSON dumps lay them out).
_RECORD_KEY_RE = re.compile(r"""^[{\[(]*\s*["'][\w .\-/]{1,60}["']\s*:""")
_RECORD_PART_RE = re.compile(r"""^(?:[{}\[\](),]+|'[^']*'[,\]})]*|"[^"]*"[,\]})]*)$""")


@dataclass(frozen=True)
class _Cues:
    """The cleaner's vocabulary, compiled once from `pipeline/data/boilerplate.json`."""

    stopwords: frozenset[str]
    line: re.Pattern[str]
    notice: re.Pattern[str]
    section: re.Pattern[str]
    comment: re.Pattern[str]


@cache
def _load_cues() -> _Cues:
    """Read the boilerplate vocabulary; a broken data file stops the run, it is not skipped."""
    try:
        raw = json.loads(resources.files("pipeline").joinpath("data/boilerplate.json").read_text("utf8"))
        return _Cues(
            stopwords=frozenset(raw["stopwords"]),
            line=re.compile("|".join(f"(?:{p})" for p in raw["line_cues"]), re.IGNORECASE),
            notice=re.compile("|".join(f"(?:{p})" for p in raw["notice_cues"]), re.IGNORECASE),
            section=re.compile("|".join(f"(?:{p})" for p in raw["section_cues"]), re.IGNORECASE),
            comment=re.compile("|".join(f"(?:{p})" for p in raw["comment_cues"]), re.IGNORECASE),
        )
    except (OSError, KeyError, ValueError, re.error) as exc:
        raise ConfigError(f"pipeline/data/boilerplate.json is unusable: {exc}") from exc


# --------------------------------------------------------------------------------------------
# Plain text


@dataclass(frozen=True)
class _Line:
    text: str
    weight: int
    score: float
    cue: bool
    section: bool
    comment: bool
    record: bool


def _line_weight(text: str) -> int:
    """Words in a line; scripts written without spaces count about one word per two characters."""
    words = len(_WORD_RE.findall(text))
    cjk = len(_CJK_RE.findall(text))
    return max(words, cjk // 2)


def _is_record(text: str, after_record: bool) -> bool:
    """A quoted key before a colon starts a record; a bare quoted string or bracket only
    continues one (on its own it may be a quotation in the article)."""
    return bool(_RECORD_KEY_RE.match(text) or (after_record and _RECORD_PART_RE.match(text)))


def _score_line(text: str, next_text: str, after_record: bool, cues: _Cues) -> _Line:
    """How much a line looks like article prose (positive) or page chrome (negative).

    `next_text` is the following line: one starting in lower case continues this one's
    sentence (a paragraph hard-wrapped with line breaks); `after_record` says the line above
    belongs to a pasted record.
    """
    weight = _line_weight(text)
    bare = _BULLET_RE.sub("", text)
    short = weight <= 12
    record = _is_record(text, after_record)
    comment = short and bool(cues.comment.search(bare))
    section = comment or (short and bool(cues.section.search(bare)))
    cue = short and bool(cues.line.fullmatch(bare))
    if record:
        score = -20.0
    elif section:
        score = -40.0
    elif cue:
        score = -10.0
    else:
        if _SENTENCE_END_RE.search(bare) or _CONTINUED_RE.match(next_text):
            quality = 1.0
        elif weight >= 15:
            quality = 0.6
        else:
            quality = 0.1
        if _LATIN_RE.search(bare) and weight >= 4:
            words = [w.lower() for w in _WORD_RE.findall(bare)]
            share = sum(w in cues.stopwords for w in words) / len(words)
            if share < 0.1:
                quality *= 0.5
        if cues.notice.search(bare):
            quality *= 0.2
        score = weight * quality - LINE_COST
    return _Line(
        text=text, weight=weight, score=score, cue=cue, section=section, comment=comment, record=record
    )


def _densest_run(scores: list[float]) -> tuple[int, int]:
    """Bounds [start, end) of the run of lines with the largest score sum (Kadane)."""
    best, best_bounds = 0.0, (0, 0)
    total, start = 0.0, 0
    for i, score in enumerate(scores):
        if total <= 0:
            total, start = 0.0, i
        total += score
        if total > best:
            best, best_bounds = total, (start, i + 1)
    return best_bounds


def _score_lines(text: str, cues: _Cues) -> list[_Line]:
    """Score every non-empty line of `text`, whitespace-normalised, in order."""
    texts = [t for t in (" ".join(raw.split()) for raw in text.splitlines()) if t]
    lines: list[_Line] = []
    for i, line in enumerate(texts):
        following = texts[i + 1] if i + 1 < len(texts) else ""
        lines.append(_score_line(line, following, bool(lines) and lines[-1].record, cues))
    return lines


def _damp_comments(scores: list[float], lines: list[_Line]) -> list[float]:
    """Shrink the prose scores that follow a comment-thread cue ("34 comments") once an
    article has been seen, so a long thread cannot outweigh the article above it."""
    damped, seen, after = [], 0.0, False
    for score, line in zip(scores, lines, strict=True):
        if line.comment and seen >= COMMENT_MIN_PROSE:
            after = True
        if score > 0:
            seen += score
            score *= COMMENT_DAMPING if after else 1.0
        damped.append(score)
    return damped


def _keeps(line: _Line) -> bool:
    """Whether a line inside the body run is article text (not a widget, record or shouted promo)."""
    if line.cue or line.record or line.section or _URL_LINE_RE.match(line.text):
        return False
    return not (_SHOUT_RE.match(line.text) and line.weight >= 3 and not _SENTENCE_END_RE.search(line.text))


def _is_lede(line: _Line, cues: _Cues) -> bool:
    """A whole sentence just above the body: the lede of a brief, written headline-style with few
    function words ("Cyberattack halts Acme's plants, delaying orders."), scores below the
    line cost although it opens the article; chrome seldom ends in a full stop."""
    return (
        line.weight >= 6
        and _keeps(line)
        and bool(_SENTENCE_END_RE.search(line.text))
        and not line.text.endswith(":")
        and not cues.notice.search(line.text)
    )


def clean_text(text: str) -> str:
    """Plain page text (one block per line) -> the article body, one paragraph per line.

    Lines come back whitespace-normalised but otherwise verbatim, so spans found in the
    result can be quoted as evidence.
    """
    cues = _load_cues()
    lines = _score_lines(text, cues)
    scores = _damp_comments([line.score for line in lines], lines)
    start, end = _densest_run(scores)
    while start > 0 and _is_lede(lines[start - 1], cues):
        start -= 1
    body = [line.text for line in lines[start:end] if _keeps(line)]
    return "\n".join(body)


def clean_text_page(text: str, url: str | None = None) -> str:
    """`clean_text` with the scorer's `function(text, url)` signature (the URL is not used)."""
    return clean_text(text)


# --------------------------------------------------------------------------------------------
# HTML


def _meta_content(soup: BeautifulSoup, *keys: str) -> str | None:
    """First non-empty `<meta property|name=key content=...>` among `keys`."""
    for key in keys:
        tag = soup.find("meta", attrs={"property": key}) or soup.find("meta", attrs={"name": key})
        content = tag.get("content") if tag else None
        if isinstance(content, str) and content.strip():
            return " ".join(content.split())
    return None


def _soup_fallback(soup: BeautifulSoup) -> str:
    """Paragraph text of the page's main container, for pages trafilatura returns nothing for."""
    root = soup.find("article") or soup.find("main") or soup.body or soup
    for tag in root.find_all(["script", "style", "noscript", "template", "nav", "header", "footer", "aside"]):
        tag.decompose()
    paragraphs = (" ".join(p.get_text(" ").split()) for p in root.find_all(["p", "h2", "h3", "li"]))
    return clean_text("\n".join(p for p in paragraphs if p))


def _trim_extracted(text: str) -> str:
    """Tidy an extractor's output: drop widget and record lines, and cut a trailing section
    ("Related", "12 comments") that starts after most of the text. Text without a single
    prose-like line (a menu or a list of links that the extractor fell back to) is no article."""
    lines = _score_lines(text, _load_cues())
    if not any(line.score > 0 for line in lines):
        return ""
    total, seen, kept = sum(line.weight for line in lines), 0, []
    for line in lines:
        if line.section and seen >= total / 2:
            break
        seen += line.weight
        if not (line.cue or line.record):
            kept.append(line.text)
    return "\n".join(kept)


def clean_html(html: str, url: str | None = None) -> dict[str, Any]:
    """Article body and metadata of an HTML page: `{"text", "title", "date", "author", "sitename"}`.

    `date` is an ISO date string or None; `text` is "" when the page holds no article.
    """
    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False)
    result: dict[str, Any] = {"text": "", "title": None, "date": None, "author": None, "sitename": None}
    if isinstance(doc, Document):  # not the dict it returns with as_dict=True
        result.update(
            text=_trim_extracted(doc.text or ""),
            title=doc.title,
            date=doc.date,
            author=doc.author,
            sitename=doc.sitename,
        )
    if result["text"] and all(result[k] for k in ("title", "date", "author", "sitename")):
        return result
    soup = BeautifulSoup(html, "lxml")
    if not result["text"]:
        result["text"] = _soup_fallback(soup)
    if not result["title"]:
        title = _meta_content(soup, "og:title", "twitter:title")
        result["title"] = title or (" ".join(soup.title.get_text().split()) if soup.title else None)
    if not result["sitename"]:
        result["sitename"] = _meta_content(soup, "og:site_name", "application-name")
    if not result["author"]:
        result["author"] = _meta_content(soup, "author", "article:author", "parsely-author")
    if not result["date"]:
        published = _meta_content(soup, "article:published_time", "date", "pubdate", "parsely-pub-date")
        found = _ISO_DATE_RE.search(published) if published else None
        result["date"] = found.group(0) if found else None
    return result


# --------------------------------------------------------------------------------------------
# Documents


def _parse_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
_MONTH_NAME = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]{0,6}"
_DATELINE = re.compile(  # no leading \b: bylines run into the date ("DataDeskApr 4, 2026")
    r"(?:(?P<iso>\b(?:19|20)\d\d-\d\d-\d\d)"
    rf"|(?P<mon>{_MONTH_NAME})\.? (?P<day>\d{{1,2}}),? (?P<year>(?:19|20)\d\d)"
    rf"|\b(?P<day2>\d{{1,2}}) (?P<mon2>{_MONTH_NAME}) (?P<year2>(?:19|20)\d\d))\b"
)


def find_dateline(text: str, before: str | None = None) -> date | None:
    """The first full date in the page chrome above the body (the byline's "April 3, 2026").

    Plain-text pages carry their publish date there; without it, relative dates in the
    article ("last week", "March 31") cannot be resolved.
    """
    head = text.split(before, 1)[0] if before and before in text else "\n".join(text.splitlines()[:12])
    for match in _DATELINE.finditer(head):
        if match["iso"]:
            found = _parse_date(match["iso"])
        else:
            month = _MONTHS.get((match["mon"] or match["mon2"] or "")[:3].lower())
            day, year = int(match["day"] or match["day2"]), int(match["year"] or match["year2"])
            try:
                found = date(year, month, day) if month else None
            except ValueError:
                found = None
        if found:
            return found
    return None


def _heading_like(line: str) -> bool:
    """A headline: 4-25 words, mostly capitalised or long, no date, not ending a sentence."""
    words = line.split()
    if not 4 <= len(words) <= 25 or _DATELINE.search(line) or line.endswith((".", ":")):
        return False
    capitals = sum(1 for w in words if w[:1].isupper() or w[:1].isdigit())
    return capitals / len(words) >= 0.6


def pick_title(content: str, given: str | None, body_start: str) -> str | None:
    """The title of a plain-text page: its first line, unless that line is site chrome
    ("Skip to main content"); then the last headline-like line above the body."""
    if given and (_heading_like(given) or given == body_start):
        return given
    head = content.split(body_start[:60], 1)[0] if body_start[:60] in content else ""
    candidates = [" ".join(line.split()) for line in head.splitlines() if _heading_like(line.strip())]
    return candidates[-1] if candidates else given


def _lede_title(line: str) -> str | None:
    """The title for a page whose first line is a paragraph (a text file with no headline):
    that line when it is headline-sized, else its first sentence when that is, else none;
    a record titled with a whole paragraph is no use in a list of incidents."""
    if len(line.split()) <= _MAX_TITLE_WORDS:
        return line
    first = re.split(r"(?<=[.!?])\s+(?=[A-Z\"“])", line, maxsplit=1)[0]
    return first if len(first.split()) <= _MAX_TITLE_WORDS else None


def _unwrap(lines: list[str]) -> list[str]:
    """Join hard-wrapped paragraphs: a line that does not end a sentence, followed by one that
    starts in lower case, is the same paragraph (the parser needs whole sentences)."""
    out: list[str] = []
    for line in lines:
        if out and not _SENTENCE_END_RE.search(out[-1]) and _CONTINUED_RE.match(line):
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
    return out


def _tame(line: str) -> str:
    """A run of symbols longer than any in prose ("((((...", "$$$$...") cut to `_MAX_SYMBOL_RUN`:
    the tokenizer splits such a run one character at a time, in time quadratic in its length."""
    return _SYMBOL_RUN.sub(lambda m: m.group()[:_MAX_SYMBOL_RUN], line)


def _cap_title(title: str | None) -> str | None:
    """A title longer than a headline (a pasted paragraph, a broken feed) cut at a word before
    `_MAX_TITLE_CHARS`, with an ellipsis; records show it in every list of incidents."""
    if title is None or len(title) <= _MAX_TITLE_CHARS:
        return title
    cut = title.rfind(" ", 0, _MAX_TITLE_CHARS)
    return title[: cut if cut > _MAX_TITLE_CHARS // 2 else _MAX_TITLE_CHARS].rstrip() + "…"


def clean(raw: RawDocument) -> Article:
    """A raw document -> its cleaned Article; raises `SkipArticle` when no article text is left.

    The article's text starts with its title line, so the title is analysed with the body
    and evidence spans can point into it.
    """
    meta: dict[str, Any] = {}
    if raw.kind == "html":
        meta = clean_html(raw.content, raw.url)
        text = meta["text"]
    else:
        text = clean_text(raw.content)
    title = _tame(" ".join((raw.title or meta.get("title") or "").split())) or None
    lines = _unwrap([_tame(" ".join(line.split())) for line in text.splitlines() if line.strip()])
    if raw.kind == "text" and lines:
        title = pick_title(raw.content, title, lines[0])
    in_body = bool(lines and title and lines[0] == title)
    while lines and title and lines[0] == title:
        lines.pop(0)
    first_line = title if in_body else _cap_title(title)
    if raw.kind == "text" and title and not _heading_like(title):
        title = _lede_title(title)
    title = _cap_title(title)
    body = "\n".join(lines)
    words = len(_WORD_RE.findall(body))
    if len(body) < MIN_ARTICLE_CHARS or words < MIN_ARTICLE_WORDS:
        raise SkipArticle(
            f"no article text found in {raw.origin}: {len(body)} chars, {words} words after cleaning"
        )
    published = raw.published or _parse_date(meta.get("date"))
    if published is None and raw.kind == "text":
        published = find_dateline(raw.content, before=lines[0][:60])
    total_blocks = sum(1 for line in raw.content.splitlines() if line.strip()) if raw.kind == "text" else 0
    return Article(
        id=raw.id,
        origin=raw.origin,
        text=f"{first_line}\n{body}" if first_line else body,
        url=raw.url,
        title=title,
        publisher=meta.get("sitename"),
        author=meta.get("author"),
        published=published,
        removed_blocks=max(0, total_blocks - len(lines)),
    )
