"""counts.v1: numbers of records or people affected, tied to the noun they count."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from extractors.counts import extract_counts, parse_count, pick_records_affected
from schemas.entities import Mention


def _run(parse: Callable, text: str) -> list[Mention]:
    doc, article = parse(text)
    return extract_counts(doc, article)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1.5 million", 1_500_000),
        ("more than 500,000", 500_000),
        ("57m", 57_000_000),
        ("2.3bn", 2_300_000_000),
        ("one million", 1_000_000),
        ("nearly 40,000", 40_000),
        ("half a million", 500_000),
        ("no digits here", None),
        ("7" * 400, None),  # infinite as a float (was an OverflowError, found by tests/fuzz)
        ("99,999,999,999,999,999,999 records", None),  # no database column holds it
    ],
)
def test_counts_parse_count(text: str, value: int | None) -> None:
    assert parse_count(text) == value


@pytest.mark.parametrize(
    ("text", "value", "kind", "noun"),
    [
        ("Hackers stole 1.5 million customer records from Dalvin Health.", "1500000", "records", "records"),
        ("More than 500,000 patients were affected by the breach.", "500000", "people", "patients"),
        ("The breach exposed 57m accounts.", "57000000", "records", "accounts"),
        ("Attackers leaked 2.3bn credentials on a forum.", "2300000000", "records", "credentials"),
        ("The company notified one million customers of the breach.", "1000000", "people", "customers"),
        ("Nearly 40,000 employees had their data stolen.", "40000", "people", "employees"),
    ],
)
def test_counts_kind_and_noun(parse: Callable, text: str, value: str, kind: str, noun: str) -> None:
    (found,) = _run(parse, text)
    assert (found.value, found.attrs["kind"], found.attrs["noun"]) == (value, kind, noun)
    assert found.label == "count"
    assert found.extractor == "counts.v1"


@pytest.mark.parametrize(
    "text",
    [
        "Brevik Systems, valued at $10 billion, disclosed a breach on Monday.",
        "The breach happened in 2019 and was disclosed in 2021.",
        "About 40% of users were affected by the breach.",
        "Thousands of organizations were affected by the breach.",
        "The company has 100 million users and disclosed a breach last week.",
        "The flaw could affect 3,000 employees.",
        "The attackers demanded 50 bitcoin after the breach.",
        "Version 4.2 of the app fixed the leak.",
        "The monitors watched 700 sites for breaches.",
        "The 12-member board said its systems were breached in a major attack.",
        "The top 5 ransomware strains stole data from many businesses.",
        "Attacks on companies with fewer than 50 employees compromised their data.",
    ],
)
def test_counts_ignore_money_years_sizes_and_other_nouns(parse: Callable, text: str) -> None:
    assert _run(parse, text) == []


def test_counts_number_in_unrelated_sentence_is_ignored(parse: Callable) -> None:
    assert _run(parse, "The school has 1,200 students. It opened a new library.") == []


def test_counts_span_points_at_the_number(parse: Callable) -> None:
    text = "Attackers stole 2.5 million records."
    (found,) = _run(parse, text)
    assert text[found.start : found.end] == "2.5 million"


def _count(value: int, start: int, score: float) -> Mention:
    return Mention(
        label="count", value=str(value), text=str(value), start=start, end=start + 3,
        sentence="s", extractor="counts.v1", attrs={"kind": "records"}, score=score,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("mentions", "expected"),
    [
        ([_count(5_000, 10, 2.0), _count(9_000, 50, 2.0)], 5_000),  # first linked count wins
        (
            [_count(9_000, 10, 1.0), _count(5_000, 50, 2.0)],
            5_000,
        ),  # a linked count beats an earlier loose one
        ([_count(9_000, 10, 1.0)], None),  # a loose count alone is not reported
        ([], None),
    ],
)
def test_counts_pick_records_affected(mentions: list[Mention], expected: int | None) -> None:
    picked = pick_records_affected(mentions)
    assert (int(picked.value) if picked else None) == expected


def test_counts_pick_in_article(parse: Callable) -> None:
    text = (
        "Hackers stole 3.2 million customer records from Tallin Foods. "
        "A similar breach in 2015 exposed 800,000 accounts at another chain."
    )
    picked = pick_records_affected(_run(parse, text))
    assert picked is not None and picked.value == "3200000"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("A former clerk emailed the health information of 640 patients to her own account.", 640),
        ("A courier lost a box with 2,150 members' records on the way to the archive.", 2150),
    ],
)
def test_the_owners_of_the_data_are_counted_without_a_breach_word(parse, text: str, value: int) -> None:
    picked = pick_records_affected(_run(parse, text))
    assert picked is not None and picked.value == str(value)


def test_a_size_is_still_no_count(parse) -> None:
    assert pick_records_affected(_run(parse, "Tarnwell Bank has 90,000 customers and 40 branches.")) is None
