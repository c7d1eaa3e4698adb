"""The evidence gathered per organisation (`Org`) and where the article's organisations occur
(`Others`), which the votes consult for the organisations around an occurrence.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

__all__ = ["NOT_BEFORE_OWNER", "Org", "Others"]

NOT_BEFORE_OWNER = re.compile(r"[\w&]")


@dataclass
class Org:
    """One organisation of the article, with the evidence gathered for it."""

    name: str
    key: tuple[str, ...]
    variants: set[str]
    entry: dict[str, Any] | None = None
    spans: list[tuple[int, int]] = field(default_factory=list)
    votes: Counter[str] = field(default_factory=Counter)
    industries: list[str] = field(default_factory=list)
    partners: set[str] = field(default_factory=set)
    owners: Counter[str] = field(default_factory=Counter)


class Others:
    """Where the article's organisations occur and by which names, for the votes that look at the
    other organisations around an occurrence: built once per article, where each occurrence looking
    through all the others made extraction quadratic in the length of the article."""

    def __init__(self, orgs: list[Org]) -> None:
        self.orgs = orgs
        self.spans = sorted((start, end, n) for n, org in enumerate(orgs) for start, end in org.spans)
        self.starts = [start for start, _, _ in self.spans]
        self.ends = [end for _, end, _ in self.spans]  # sorted too: occurrences do not overlap
        self.by_variant: dict[str, list[int]] = {}
        for n, org in enumerate(orgs):
            for variant in org.variants:
                self.by_variant.setdefault(variant, []).append(n)

    def first_between(self, org: Org, start: int, end: int) -> Org | None:
        """The first other organisation occurring after `start` and before `end`."""
        i = bisect_right(self.starts, start)
        while i < len(self.spans) and self.spans[i][0] < end:
            other = self.orgs[self.spans[i][2]]
            if other is not org:
                return other
            i += 1
        return None

    def overlapping(self, start: int, end: int) -> Org | None:
        """The first organisation (in list order) with an occurrence overlapping `start`..`end`."""
        i = bisect_right(self.ends, start)
        hits = []
        while i < len(self.spans) and self.spans[i][0] < end:
            hits.append(self.spans[i][2])
            i += 1
        return self.orgs[min(hits)] if hits else None

    def next_to(self, text: str, end: int) -> Org | None:
        """The organisation whose occurrence follows `end` across spaces only."""
        i = bisect_right(self.starts, end)
        return (
            self.orgs[self.spans[i][2]]
            if i < len(self.spans) and _follows(text, end, self.starts[i])
            else None
        )

    def owners(self, org: Org, before: str) -> list[str]:
        """The other organisations whose name (a variant, not preceded by a word character or "&")
        ends `before` with a possessive ("... Acme's "), in article order; `before` ends in "'s "."""
        cut = len(before.rstrip()) - 2
        found: set[int] = set()
        for k in range(cut):
            if k == 0 or not NOT_BEFORE_OWNER.match(before, k - 1):
                found.update(self.by_variant.get(before[k:cut], ()))
        return [self.orgs[n].name for n in sorted(found) if self.orgs[n] is not org]


def _follows(text: str, end: int, start: int) -> bool:
    """Whether `start` comes right after `end`, across spaces only."""
    return start > end and not text[end:start].strip()
