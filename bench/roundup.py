"""Long invented articles for `make bench`: a news roundup of as many characters as asked.

Each paragraph tells of other invented parties (names made of random syllables), so the number
of organisations, actors and sentences grows with the length, as in a real weekly roundup; a
scan that is quadratic in the number of names or in the length shows up here.
"""

from __future__ import annotations

import random

__all__ = ["roundup"]

_SYLLABLES = [
    "qu",
    "or",
    "va",
    "ne",
    "tel",
    "mar",
    "bri",
    "sel",
    "nim",
    "bel",
    "fer",
    "rox",
    "cal",
    "lun",
    "dor",
]
_HEADS = ["Logistics", "Savings Bank", "Health", "Systems", "Capital", "Foods", "Energy", "Insurance", "Labs"]
_STORY = (
    "{a} said on {day} that hackers broke into its network and stole the records of {n} customers. "
    "The ransomware group {g} claimed the attack on {a} and posted files on its leak site. "
    "{a}, which supplies software to {b}, said the intruders used stolen credentials. "
    "{b} said it had paused its work with {a} while investigators from {c} examine the breach. "
    "Researchers at {c} said the same flaw was used against {d} last month."
)


def _name(rnd: random.Random) -> str:
    return "".join(rnd.choice(_SYLLABLES) for _ in range(3)).title() + " " + rnd.choice(_HEADS)


def roundup(chars: int, seed: int = 0) -> str:
    """A title line and paragraphs of invented incidents, `chars` characters or a little more."""
    rnd = random.Random(seed)
    lines = ["Weekly roundup of breaches and ransomware attacks"]
    size = len(lines[0])
    while size < chars:
        paragraph = _STORY.format(
            a=_name(rnd),
            b=_name(rnd),
            c=_name(rnd),
            d=_name(rnd),
            g="".join(rnd.choice(_SYLLABLES) for _ in range(2)).title() + " Spider",
            day=rnd.choice(["Monday", "Tuesday", "Friday"]),
            n=f"{rnd.randint(1, 900)},{rnd.randint(100, 999)}",
        )
        lines.append(paragraph)
        size += len(paragraph) + 1
    return "\n".join(lines)
