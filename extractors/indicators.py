"""Indicators of compromise in the text: IP addresses, domains, URLs, file hashes, e-mail addresses, CVEs.

`ioc-finder` finds them in the text re-fanged by `ioc-fanger`'s own rules ("hxxp", "[.]", "(at)"),
applied here with a map back to the article's characters, so every indicator keeps the span of
the form the article wrote. News names many addresses that are no indicator; one counts when the
text presents it as one (`data/indicator_cues.json`):

* a file hash, a CVE id or a Tor (.onion) address always does;
* one written de-fanged, or listed under an indicators heading, does (a private address too);
* any other needs a cue in its sentence ("the phishing domain ...", "C2 server ...").

Never: the publisher's own domain and links; a domain that stands for a company (written as a
name, "Booking.com", or the registered name of an organisation the article names,
"brindlemoor.com"); a big public service's bare domain ("gmail.com"); a private or reserved address
the text does not present as an indicator; a reader's reporting address ("forward it to
phishing@..."); a version number shaped like an IPv4 address; a masked value ("j***@mail.com").
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

from ioc_fanger.regexes_fang import fang_mappings
from ioc_finder import find_iocs
from spacy.tokens import Doc

from extractors._gazetteer import load_gazetteer, load_vocabulary
from extractors._registry import register
from extractors._spans import doc_text, mention_chars, sentences
from schemas.document import Article
from schemas.entities import AttrValue, Mention

__all__ = ["INDICATOR_TYPES", "extract_indicators", "fang_with_offsets", "registered_domain"]

NAME = "indicators.v1"
# ioc-finder's result key -> the record's indicator type
INDICATOR_TYPES = {
    "ipv4s": "ipv4",
    "ipv6s": "ipv6",
    "domains": "domain",
    "urls": "url",
    "md5s": "md5",
    "sha1s": "sha1",
    "sha256s": "sha256",
    "email_addresses": "email",
    "cves": "cve",
}
_ALWAYS = frozenset({"md5", "sha1", "sha256", "cve"})
_HOSTED = frozenset({"domain", "url", "email"})
# Characters that may not touch an occurrence, per type: before it, after it.
_EDGES = {
    "domain": (r"(?<![\w./\-])(?<![\w.]@)", r"(?![\w\-]|\.\w|/\w|@)"),
    "email": (r"(?<![\w.%+\-])", r"(?![\w\-]|\.\w)"),
    "url": (r"(?<![\w/])", r"(?![\w/])"),
    "ipv4": (r"(?<![\w.])", r"(?![\w]|\.\d)"),
    "ipv6": (r"(?<![\w:])", r"(?![\w:])"),
}
_DEFAULT_EDGES = (r"(?<!\w)", r"(?!\w)")
_SECOND_LEVELS = frozenset({"co", "com", "org", "net", "gov", "ac", "edu", "ne", "or", "gob", "go", "govt"})
_MASKS = ("*", "…")


@cache
def _cues() -> dict[str, object]:
    return load_vocabulary("indicator_cues")


@cache
def _words_re(key: str) -> re.Pattern[str]:
    words = _cues()[key]
    assert isinstance(words, list)
    return re.compile(r"(?<![\w])(?:" + "|".join(words) + r")(?![\w])", re.IGNORECASE)


@cache
def _word_set(key: str) -> frozenset[str]:
    words = _cues()[key]
    assert isinstance(words, list)
    return frozenset(words)


@cache
def _gazetteer_names() -> frozenset[str]:
    return frozenset(_squash(e["id"]) for e in load_gazetteer("companies"))


def _squash(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def fang_with_offsets(text: str) -> tuple[str, list[int], list[int]]:
    """`text` re-fanged by ioc-fanger's rules, and for each character of the result the start
    and end offsets in `text` of what it came from (a replacement maps to the whole match)."""
    starts, ends = list(range(len(text))), list(range(1, len(text) + 1))
    for mapping in fang_mappings:
        pieces: list[str] = []
        new_starts: list[int] = []
        new_ends: list[int] = []
        last = 0
        for match in mapping["find"].finditer(text):
            replacement = match.expand(mapping["replace"])
            if replacement == match.group(0) or match.end() == match.start():
                continue
            pieces.append(text[last : match.start()])
            new_starts += starts[last : match.start()]
            new_ends += ends[last : match.start()]
            origin = (starts[match.start()], ends[match.end() - 1])
            pieces.append(replacement)
            new_starts += [origin[0]] * len(replacement)
            new_ends += [origin[1]] * len(replacement)
            last = match.end()
        if pieces:
            text = "".join([*pieces, text[last:]])
            starts, ends = new_starts + starts[last:], new_ends + ends[last:]
    return text, starts, ends


def registered_domain(host: str) -> str:
    """The registrable part of a host name ("mail.example.co.uk" -> "example.co.uk"), by the common
    two-level suffixes (no public-suffix list: close enough to compare a host with the publisher's)."""
    labels = host.lower().strip(".").split(".")
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVELS:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def _host(kind: str, value: str) -> str | None:
    if kind == "domain":
        return value.lower()
    if kind == "email":
        return value.rpartition("@")[2].lower()
    if kind == "url":
        try:
            return (urlsplit(value if "://" in value else f"http://{value}").hostname or "").lower() or None
        except ValueError:
            return None
    return None


@dataclass(frozen=True)
class _Place:
    """One occurrence: its span in the article, whether it was written de-fanged, its sentence."""

    start: int
    end: int
    defanged: bool
    sentence: str
    before: str  # the sentence's text before the occurrence


class _Context:
    """What the filters need to know about one article."""

    def __init__(self, doc: Doc, article: Article) -> None:
        self.text = doc_text(doc)
        self.bounds = [(s.start_char, s.end_char) for s in sentences(doc)]
        self.listed = bool(_words_re("list_headings").search(self.text))
        own = urlsplit(article.url).hostname if article.url else None
        self.publisher_domain = registered_domain(own) if own else None
        self.publisher_name = _squash(article.publisher or "")
        # names the article uses: entities and proper nouns ("Brindlemoor", "Q7Labs")
        self.names = {_squash(e.text) for e in doc.ents if e.label_ in ("ORG", "PRODUCT", "PERSON")}
        self.names |= {_squash(t.text) for t in doc if t.pos_ == "PROPN" and "." not in t.text}

    def sentence(self, start: int) -> tuple[int, int]:
        for lo, hi in self.bounds:
            if lo <= start < hi:
                return lo, hi
        return start, start

    def is_listed(self, start: int, end: int) -> bool:
        """Alone on its line (but for a short label such as "C2:" or a bullet), in an article with an
        indicators heading or under a line that ends in ':' ("the following domains are used:")."""
        line_start = self.text.rfind("\n", 0, start) + 1
        line_end = self.text.find("\n", end)
        rest = self.text[line_start:start] + " " + self.text[end : line_end if line_end >= 0 else None]
        if len(re.findall(r"[A-Za-z]{2,}", rest)) > 2:
            return False
        if self.listed:
            return True
        for line in reversed(self.text[: max(0, line_start - 1)].splitlines()):
            if len(line.split()) > 1:
                return line.rstrip().endswith(":")
        return False


def _places(
    ctx: _Context, fanged: str, starts: list[int], ends: list[int], kind: str, value: str
) -> list[_Place]:
    before, after = _EDGES.get(kind, _DEFAULT_EDGES)
    out = []
    for match in re.finditer(before + re.escape(value) + after, fanged, re.IGNORECASE):
        start, end = starts[match.start()], ends[match.end() - 1]
        lo, hi = ctx.sentence(start)
        defanged = ctx.text[start:end].lower() != match.group(0).lower()
        out.append(_Place(start, end, defanged, ctx.text[lo:hi], ctx.text[lo:start]))
    return out


@cache
def _version_before() -> re.Pattern[str]:
    """A version cue, then nothing but other version numbers ("versions 4.1.12 or 4.2.8.3")."""
    cues = "|".join(_word_set("version_cues"))
    return re.compile(rf"(?<!\w)(?:{cues})(?:[\s,]+(?:v?\d[\w.]*|or|and|to))*\W*$", re.IGNORECASE)


@cache
def _apposition() -> re.Pattern[str]:
    words = "|".join(_word_set("company_appositions"))
    return re.compile(rf",\s+(?:an?|the)\s+[^,.;]{{0,60}}?\b(?:{words})\b", re.IGNORECASE)


def _is_version(place: _Place, ctx: _Context) -> bool:
    after = ctx.text[place.end : place.end + 20].strip()
    return bool(_version_before().search(place.before[-60:]) or _words_re("version_tails").match(after))


def _stands_for_company(kind: str, host: str, place: _Place, ctx: _Context) -> bool:
    """A domain written as a name ("Brindlemoor.com") or naming an organisation of the article."""
    if kind == "email":
        return False  # a mailbox at a company's or a service's domain is still the attacker's
    if any(c.isupper() for c in _written_host(kind, ctx.text[place.start : place.end])):
        return True
    reg = registered_domain(host)
    label, _, tld = reg.partition(".")
    if tld.split(".")[-1] in _word_set("file_tlds") or _apposition().match(ctx.text, place.end):
        return True
    if kind == "domain" and reg in _word_set("service_domains"):
        return True
    known = _squash(label) in ctx.names or _squash(label) in _gazetteer_names()
    return known and (tld in _word_set("classic_tlds") or len(tld.split(".")[-1]) == 2)


def _written_host(kind: str, written: str) -> str:
    if kind == "domain":
        return written
    rest = written.split("://", 1)[-1]
    return re.split(r"[/?#:]", rest, maxsplit=1)[0]


@cache
def _contact() -> re.Pattern[str]:
    """A contact verb in its base form ("please forward it to"), not the noun ("an email address")."""
    verbs = "|".join(_word_set("contact_verbs"))
    return re.compile(rf"(?<!\w)(?:{verbs})(?!\w)(?!\s+(?:address|account|messages?|from))", re.IGNORECASE)


def _is_reporting_address(place: _Place) -> bool:
    return bool(_contact().search(place.before[-100:]) and _words_re("advice").search(place.sentence))


def _is_masked(place: _Place, ctx: _Context, host: str | None) -> bool:
    """Redacted ("j***@", "p…f@", "xxxxxxxx.com") or a placeholder ("[number]@vk.com")."""
    if ctx.text[max(0, place.start - 1) : place.start] in _MASKS:
        return True
    if ctx.text[max(0, place.start - 1) : place.start] == "[" and "]@" in ctx.text[place.start : place.end]:
        return True
    return bool(host and re.fullmatch(r"(?:www\.)?x{3,}\..*", host))


def _is_publishers(host: str | None, ctx: _Context) -> bool:
    if not host:
        return False
    reg = registered_domain(host)
    return reg == ctx.publisher_domain or bool(
        ctx.publisher_name and _squash(reg.split(".")[0]) == ctx.publisher_name
    )


def _reserved(kind: str, value: str) -> bool:
    try:
        return not ipaddress.ip_address(value).is_global
    except ValueError:
        return False


def _presented(kind: str, value: str, place: _Place, ctx: _Context) -> bool:
    """Whether the article presents this occurrence as an indicator (module docstring)."""
    host = _host(kind, value)
    if _is_publishers(host, ctx) or _is_masked(place, ctx, host):
        return False
    if kind == "email" and _is_reporting_address(place):
        return False
    if kind in _ALWAYS or place.defanged or ctx.is_listed(place.start, place.end):
        return True
    if host and host.endswith(".onion"):
        return True  # a Tor service named in the news is a leak site, a ransom portal or a market
    if kind in ("ipv4", "ipv6") and (_reserved(kind, value) or (kind == "ipv4" and _is_version(place, ctx))):
        return False
    if host and _stands_for_company(kind, host, place, ctx):
        return False
    return bool(_words_re("cues").search(place.sentence)) and not _words_re("hypothetical").search(
        place.sentence
    )


def _trimmed(kind: str, value: str) -> str:
    """A URL without the sentence's closing punctuation ioc-finder leaves on it ("…/kit.")."""
    return value.rstrip(".,;:!?") if kind == "url" else value


def _normal(kind: str, value: str) -> str:
    if kind == "cve":
        return value.upper()
    return value if kind == "url" else value.lower()


@register(NAME)
def extract_indicators(doc: Doc, article: Article) -> list[Mention]:
    """One mention per indicator the text presents as one, at its first such occurrence."""
    ctx = _Context(doc, article)
    fanged, starts, ends = fang_with_offsets(ctx.text)
    found = find_iocs(
        fanged,
        included_ioc_types=list(INDICATOR_TYPES),
        parse_domain_from_url=False,
        parse_domain_from_email_address=False,
        parse_from_url_path=False,
    )
    out: list[Mention] = []
    for key, kind in INDICATOR_TYPES.items():
        for value in sorted({_trimmed(kind, v) for v in found.get(key) or ()}):
            places = [
                p for p in _places(ctx, fanged, starts, ends, kind, value) if _presented(kind, value, p, ctx)
            ]
            if not places:
                continue
            first = places[0]
            attrs: dict[str, AttrValue] = {"type": kind, "defanged": any(p.defanged for p in places)}
            out.append(
                mention_chars("indicator", _normal(kind, value), doc, first.start, first.end, NAME, attrs)
            )
    return sorted(out, key=lambda m: (m.start, m.value))
