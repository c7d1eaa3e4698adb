"""Dates of the incident's stages: when it occurred, was discovered, disclosed and reported.

Every date expression (regular expressions below, plus spaCy DATE entities that are a bare
year before an incident noun, "the 2025 breach") is resolved against `article.published` with `datetime`
and `calendar` only. Without a publish date only absolute dates resolve ("March 31, 2026",
"2026-03-31", "in 2025"); "March 31", "late March", "last week", "on Tuesday" need the
anchor. A mention's value is an ISO date; `attrs["precision"]` says how much of it is
known:

    day    "March 31, 2026", "yesterday", "on Tuesday" (the latest Tuesday on or before
           publication; "last Tuesday" the one before that day)
    week   "last week", "this week", "two weeks ago": the Monday of that week
    month  "late March", "in January", "last month": the 1st of the month
    year   "in 2025", "last year": January 1st

A month or day without a year falls in the year that puts it on or before publication; a
date up to 60 days after publication is a plan ("on April 10" in an article of April 3)
and is dropped, as are dates after publication, dates after a founding/valuation/deadline
word ("founded in 2019", "by 2030") and dates in sentences about plans ("will", "expected
to").

`attrs["role"]` is the stage, from the word that governs the date in the parse (see
`data/date_cues.json`): occurred (attacked, began, "between X and Y"), discovered
(detected, became aware), disclosed (the victim confirmed, notified, emailed, said) or
reported (an outlet reported); None when nothing in the sentence says.
"""

from __future__ import annotations

import calendar
import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any

from spacy.tokens import Doc, Span, Token

from extractors._gazetteer import load_vocabulary
from extractors._registry import register
from extractors._spans import doc_text, mention_chars, sentence_index, sentence_of, sentence_text
from schemas.document import Article
from schemas.entities import AttrValue, Mention

__all__ = ["PRECISIONS", "ROLES", "Resolved", "extract_dates", "find_dates", "pick_dates"]

NAME = "dates.v1"
_ROLE_VERBS = "dates.role_verbs"
_STATISTIC = "dates.statistic"
_FUTURE = "dates.future"
ROLES = ("occurred", "discovered", "disclosed", "reported")
PRECISIONS = ("day", "week", "month", "year")  # finest first
_FUTURE_GRACE = timedelta(days=60)

_MONTH_NUMBER = {name.lower(): i for i, name in enumerate(calendar.month_name) if name} | {
    abbr.lower(): i for i, abbr in enumerate(calendar.month_abbr) if abbr
}
_MONTH_NUMBER["sept"] = 9
_WEEKDAY_NUMBER = {name.lower(): i for i, name in enumerate(calendar.day_name)}
_NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}

_MON = (
    r"(?P<mon>January|February|March|April|May|June|July|August|September|October|November|December"
    r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?(?![a-z]))"
)
_YEAR = r"(?P<y>(?:19|20)\d{2})"
_DAY = r"(?P<d>[0-3]?\d)(?:st|nd|rd|th)?"
_PART = r"(?P<part>[Ee]arly|[Mm]id|[Ll]ate|the (?:end|beginning|start|middle) of)"
_WEEKDAYS = "|".join(calendar.day_name)
_REL_WORDS = r"(?:a|an|one|two|three|four|five|six|\d+)"


@dataclass(frozen=True)
class Resolved:
    """A date expression found in the text and resolved to a date."""

    start: int
    end: int
    value: date
    precision: str
    relative: bool


def _month_start(year: int, month: int) -> date:
    return date(year, month, 1)


def _shift_month(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _infer_year(month: int, day: int | None, published: date) -> date | None:
    """The month (and day) in the year that puts it on or before `published`; None for a plan."""
    try:
        this_year = date(published.year, month, day or 1)
    except ValueError:
        return None
    if this_year <= published:
        return this_year
    if this_year - published <= _FUTURE_GRACE:
        return None
    return this_year.replace(year=published.year - 1)


def _absolute_day(m: re.Match[str], published: date | None) -> tuple[date, str] | None:
    groups = m.groupdict()
    month = int(groups["m"]) if groups.get("m") else _MONTH_NUMBER[groups["mon"].lower().rstrip(".")]
    day = int(groups["d"])
    if groups.get("y"):
        try:
            return date(int(groups["y"]), month, day), "day"
        except ValueError:
            return None
    if published is None:
        return None
    found = _infer_year(month, day, published)
    return (found, "day") if found else None


def _month(m: re.Match[str], published: date | None) -> tuple[date, str] | None:
    groups = m.groupdict()
    month = _MONTH_NUMBER[groups["mon"].lower().rstrip(".")]
    if groups.get("y"):
        return _month_start(int(groups["y"]), month), "month"
    if published is None:
        return None
    if groups.get("prep", "").lower() == "last" and month >= published.month:
        return _month_start(published.year - 1, month), "month"
    found = _infer_year(month, None, published)
    return (found, "month") if found else None


def _year(m: re.Match[str], published: date | None) -> tuple[date, str] | None:
    return date(int(m.group("y")), 1, 1), "year"


def _relative(m: re.Match[str], published: date | None) -> tuple[date, str] | None:
    if published is None:
        return None
    phrase = " ".join(m.group(0).lower().split())
    fixed: dict[str, tuple[date, str]] = {
        "today": (published, "day"),
        "yesterday": (published - timedelta(days=1), "day"),
        "this week": (_monday(published), "week"),
        "earlier this week": (_monday(published), "week"),
        "last week": (_monday(published) - timedelta(days=7), "week"),
        "last weekend": (published - timedelta(days=(published.weekday() - 5) % 7 or 7), "day"),
        "this month": (published.replace(day=1), "month"),
        "earlier this month": (published.replace(day=1), "month"),
        "last month": (_shift_month(published, -1), "month"),
        "this year": (date(published.year, 1, 1), "year"),
        "earlier this year": (date(published.year, 1, 1), "year"),
        "last year": (date(published.year - 1, 1, 1), "year"),
    }
    if phrase in fixed:
        return fixed[phrase]
    count_text, unit = phrase.split()[:2]
    count = int(count_text) if count_text.isdigit() else _NUMBER_WORDS[count_text]
    if unit.startswith("day"):
        return published - timedelta(days=count), "day"
    if unit.startswith("week"):
        return _monday(published - timedelta(weeks=count)), "week"
    return _shift_month(published, -count), "month"


def _weekday(m: re.Match[str], published: date | None) -> tuple[date, str] | None:
    if published is None:
        return None
    back = (published.weekday() - _WEEKDAY_NUMBER[m.group("wd").lower()]) % 7
    if back == 0 and (m.group("mod") or "").lower() == "last":
        back = 7
    return published - timedelta(days=back), "day"


_Resolver = Callable[[re.Match[str], date | None], tuple[date, str] | None]

_NOT_A_DAY = r"(?!\s*(?:%|percent|million|billion))"
_MONTH_PREP = r"(?P<prep>in|since|during|from|between|and|last|this|of|before|after)"
_YEAR_PREP = (
    r"(?P<prep>[Ii]n|[Ss]ince|[Dd]uring|[Ee]arly|[Ll]ate|[Mm]id|of|[Tt]hroughout|[Ff]rom|[Bb]etween|and)"
)
_RELATIVE = r"earlier this (?:week|month|year)|(?:this|last) (?:week|month|year)|last weekend|yesterday|today"
_WEEKDAY_MOD = r"(?P<mod>[Ll]ast|[Tt]his|[Oo]n|[Ee]arlier on|[Ll]ate on|[Ee]arly on)"

# Longest forms first: a match that overlaps an earlier pattern's match is skipped.
_PATTERNS: tuple[tuple[re.Pattern[str], _Resolver, bool], ...] = (
    (re.compile(r"\b(?P<y>(?:19|20)\d{2})-(?P<m>[01]\d)-(?P<d>[0-3]\d)\b"), _absolute_day, False),
    (re.compile(rf"\b{_MON}\s+{_DAY}\b(?:,?\s+{_YEAR}\b)?{_NOT_A_DAY}"), _absolute_day, False),
    (re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MON}(?:,?\s+{_YEAR}\b)?"), _absolute_day, False),
    (re.compile(rf"\b{_PART}[\s-]+{_MON}(?:,?\s+{_YEAR}\b)?"), _month, False),
    (re.compile(rf"\b{_MON},?\s+{_YEAR}\b"), _month, False),
    (re.compile(rf"\b{_MONTH_PREP}\s+{_MON}\b(?!\s*\d)"), _month, False),
    (re.compile(rf"\b{_YEAR_PREP}[\s-]+{_YEAR}\b(?![-/]\d)"), _year, False),
    (re.compile(rf"(?i)\b(?:{_RELATIVE})\b"), _relative, True),
    (re.compile(rf"(?i)\b{_REL_WORDS}\s+(?:days?|weeks?|months?)\s+ago\b"), _relative, True),
    (re.compile(rf"\b(?:{_WEEKDAY_MOD}\s+)?(?P<wd>{_WEEKDAYS})\b"), _weekday, True),
)
_BARE_YEAR = re.compile(rf"^{_YEAR}$")


@cache
def _cues() -> dict[str, Any]:
    return load_vocabulary("date_cues")


def _ignored(text: str, start: int, end: int, value: date, published: date | None) -> bool:
    """Dates that are not about the incident: plans, founding years, deadlines, ages."""
    if published is not None and value > published:
        return True
    cues = _cues()
    before = " ".join(text[max(0, start - 30) : start].lower().split()[-3:])
    after = text[end : end + 20].lower()
    if any(
        re.search(rf"(?:^|\s){re.escape(w)}(?:\s+(?:in|on|at|of))?\s*$", before)
        for w in cues["ignore_before"]
    ):
        return True
    return any(after.lstrip(" ,-").startswith(w) for w in cues["ignore_after"])


def find_dates(doc: Doc, published: date | None) -> list[Resolved]:
    """Every resolvable date expression of the text, in order, without overlaps."""
    text = doc_text(doc)
    starts: list[int] = []  # of the dates taken, sorted; they do not overlap, so their ends are sorted too
    ends: list[int] = []
    found: list[Resolved] = []

    def add(start: int, end: int, resolved: tuple[date, str] | None, relative: bool) -> None:
        before = bisect_left(starts, end)  # the taken dates that start before this one ends
        if resolved is None or (before and ends[before - 1] > start):
            return
        starts.insert(before, start)
        ends.insert(before, end)
        if not _ignored(text, start, end, resolved[0], published):
            found.append(Resolved(start, end, resolved[0], resolved[1], relative))

    for pattern, resolve, relative in _PATTERNS:
        for m in pattern.finditer(text):
            add(m.start(), m.end(), resolve(m, published), relative)
    nouns = set(_cues()["incident_nouns"])
    for ent in doc.ents:
        after = doc[ent.end] if ent.end < len(doc) else None
        if (
            ent.label_ == "DATE"
            and _BARE_YEAR.match(ent.text)
            and after is not None
            and after.lemma_.lower() in nouns
        ):
            add(ent.start_char, ent.end_char, (date(int(ent.text), 1, 1), "year"), False)
    return sorted(found, key=lambda r: r.start)


@cache
def _role_words() -> dict[str, str]:
    """Cue lemma (or "lemma dependent" pair) -> role; earlier roles win a shared word."""
    out: dict[str, str] = {}
    for role in reversed(ROLES):
        for word in _cues()["roles"][role]:
            out[word] = role
    return out


def _token_role(tok: Token) -> str | None:
    words = _role_words()
    lemma = tok.lemma_.lower()
    for child in tok.children:
        pair = f"{lemma} {child.lemma_.lower()}"
        if pair in words:
            return words[pair]
    role = words.get(lemma)
    if role == "reported" and lemma == "report":
        targets = {
            c.lower_ for c in tok.children if c.dep_ == "prep" and c.lower_ == "to" for c in c.children
        }
        if targets & set(_cues()["report_to"]):
            return "disclosed"
    return role


def _role(span: Span) -> str | None:
    """The stage the date belongs to: its governing cue, else the nearest cue verb in the sentence."""
    if span.root.head.lower_ == "between" or any(t.lower_ == "between" for t in span.root.ancestors):
        return "occurred"
    for tok in span.root.ancestors:
        if tok.pos_ in ("VERB", "AUX", "NOUN") and (role := _token_role(tok)):
            return role
    verbs = _role_verbs(sentence_of(span))
    root = span.root.i
    left = bisect_left(verbs, (span.start,)) - 1  # the nearest cue verb on each side, out of the span
    right = bisect_left(verbs, (span.end,))
    candidates = [(root - verbs[left][0], verbs[left][1])] if left >= 0 else []
    if right < len(verbs):
        candidates.append((verbs[right][0] - root, verbs[right][1]))
    return min(candidates)[1] if candidates else None


def _role_verbs(sent: Span) -> list[tuple[int, str]]:
    """(position, role) of the sentence's cue verbs, found once per sentence (a long sentence
    full of dates looked at all its words for every date)."""
    known: dict[int, list[tuple[int, str]]] = sent.doc.user_data.setdefault(_ROLE_VERBS, {})
    if sent.start not in known:
        known[sent.start] = [(t.i, role) for t in sent if t.pos_ == "VERB" and (role := _token_role(t))]
    return known[sent.start]


@cache
def _statistics_re() -> re.Pattern[str]:
    """The statistics wording of `incident_types.json` ("a survey", "percent", "on the rise")."""
    return re.compile("|".join(load_vocabulary("incident_types")["not_incident"]["report_cues"]), re.I)


def _statistic(span: Span) -> bool:
    """ "Gangs launched 90 million ransomware attacks last year, a report found": a date of
    attacks in general, no date of this incident."""
    return _per_sentence(span, _STATISTIC, lambda text: bool(_statistics_re().search(text)))


def _future(span: Span) -> bool:
    words = _cues()["future"]
    return _per_sentence(
        span, _FUTURE, lambda text: any(re.search(rf"\b{re.escape(w)}\b", text.lower()) for w in words)
    )


def _per_sentence(span: Span, key: str, test: Callable[[str], bool]) -> bool:
    """`test` of the text of the span's sentence, run once per sentence and kept in the Doc."""
    known: dict[int, bool] = span.doc.user_data.setdefault(key, {})
    n = sentence_index(span.doc, span.start)
    if n not in known:
        known[n] = test(sentence_text(span))
    return known[n]


@register(NAME)
def extract_dates(doc: Doc, article: Article) -> list[Mention]:
    """A `date` mention per resolvable date expression (see the module docstring)."""
    out: list[Mention] = []
    for found in find_dates(doc, article.published):
        span = doc.char_span(found.start, found.end, alignment_mode="expand")
        if span is None or (found.relative is False and found.precision != "year" and _future(span)):
            continue
        statistic = _statistic(span)
        attrs: dict[str, AttrValue] = {
            "precision": found.precision,
            "role": None if statistic else _role(span),
            "statistic": statistic,
        }
        score = 0.8 if found.relative else 1.0
        out.append(
            mention_chars("date", found.value.isoformat(), doc, found.start, found.end, NAME, attrs, score)
        )
    return out


def _interval(m: Mention) -> tuple[date, date]:
    start = date.fromisoformat(m.value)
    precision = m.attrs.get("precision")
    if precision == "week":
        return start, start + timedelta(days=6)
    if precision == "month":
        return start, start.replace(day=calendar.monthrange(start.year, start.month)[1])
    if precision == "year":
        return start, date(start.year, 12, 31)
    return start, start


def _finer(a: Mention, b: Mention) -> bool:
    rank = {p: i for i, p in enumerate(PRECISIONS)}
    return rank.get(str(a.attrs.get("precision")), 9) < rank.get(str(b.attrs.get("precision")), 9)


def _credible(mentions: Iterable[Mention], published: date | None) -> Iterator[Mention]:
    for m in mentions:
        try:
            value = date.fromisoformat(m.value)
        except ValueError:
            continue
        if published is None or value <= published:
            yield m


def pick_dates(mentions: list[Mention], published: date | None) -> dict[str, Mention]:
    """The best date mention per role, for the record's `dates`.

    Per role: a mention whose span of time contains a finer mention of the same role gives
    way to it ("late March" and "March 31" -> March 31); of the rest the earliest wins (the
    first time the incident occurred, was found, was told), ties going to the finer one.
    "reported" is filled only when a sentence credits an outlet with a date; the publish
    date of the article is not copied into it.
    """
    out: dict[str, Mention] = {}
    for role in ROLES:
        pool = [
            m for m in _credible(mentions, published) if m.label == "date" and m.attrs.get("role") == role
        ]
        kept = [
            m
            for m in pool
            if not any(
                _finer(o, m) and _interval(m)[0] <= _interval(o)[0] <= _interval(m)[1]
                for o in pool
                if o is not m
            )
        ]
        rank = {p: i for i, p in enumerate(PRECISIONS)}
        best = min(
            kept,
            key=lambda m: (m.value, rank.get(str(m.attrs.get("precision")), 9), m.start),
            default=None,
        )
        if best is not None:
            out[role] = best
    return out
