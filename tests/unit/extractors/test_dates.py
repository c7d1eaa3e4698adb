"""dates.v1: resolution against the publish date, roles, ignored dates and pick_dates."""

from __future__ import annotations

from datetime import date

import pytest

from extractors.dates import extract_dates, pick_dates

PUBLISHED = date(2026, 4, 3)  # a Friday


def _dates(parse, text: str, published: date | None = PUBLISHED) -> dict[str, tuple[str, str, object]]:
    doc, article = parse(text, published=published)
    return {m.text: (m.value, m.attrs["precision"], m.attrs["role"]) for m in extract_dates(doc, article)}


@pytest.mark.parametrize(
    ("text", "expression", "value", "precision"),
    [
        ("Acme Corp confirmed the breach on March 31, 2026.", "March 31, 2026", "2026-03-31", "day"),
        ("Acme Corp confirmed the breach on March 31.", "March 31", "2026-03-31", "day"),
        ("Acme Corp confirmed the breach on 31 March.", "31 March", "2026-03-31", "day"),
        ("Acme Corp confirmed the breach on 2026-03-31.", "2026-03-31", "2026-03-31", "day"),
        ("Hackers breached Acme Corp in late March.", "late March", "2026-03-01", "month"),
        ("Hackers breached Acme Corp in mid-March.", "mid-March", "2026-03-01", "month"),
        ("Hackers breached Acme Corp in January.", "in January", "2026-01-01", "month"),
        ("Hackers breached Acme Corp in November.", "in November", "2025-11-01", "month"),
        ("Hackers breached Acme Corp in 2025.", "in 2025", "2025-01-01", "year"),
        ("Hackers breached Acme Corp last week.", "last week", "2026-03-23", "week"),
        ("Hackers breached Acme Corp earlier this month.", "earlier this month", "2026-04-01", "month"),
        ("Hackers breached Acme Corp last month.", "last month", "2026-03-01", "month"),
        ("Hackers breached Acme Corp on Tuesday.", "on Tuesday", "2026-03-31", "day"),
        ("Hackers breached Acme Corp yesterday.", "yesterday", "2026-04-02", "day"),
        ("Hackers breached Acme Corp two weeks ago.", "two weeks ago", "2026-03-16", "week"),
    ],
)
def test_dates_resolve(parse, text: str, expression: str, value: str, precision: str) -> None:
    found = _dates(parse, text)
    assert found[expression][:2] == (value, precision)


def test_dates_day_in_previous_year_when_far_ahead(parse) -> None:
    found = _dates(parse, "Acme Corp detected the intrusion on December 28.", date(2026, 1, 5))
    assert found["December 28"][0] == "2025-12-28"


@pytest.mark.parametrize(
    ("text", "expression"),
    [
        ("Acme Corp, founded in 2019, confirmed the breach.", "in 2019"),
        ("The regulator expects full compliance by 2030.", "2030"),
        ("Acme Corp will publish its findings on April 20.", "April 20"),
        ("Acme Corp will hold a hearing on May 30, 2026.", "May 30, 2026"),
    ],
)
def test_dates_ignore_dates_not_about_the_incident(parse, text: str, expression: str) -> None:
    assert not any(expression in found for found in _dates(parse, text))


def test_dates_without_publish_date_only_absolute(parse) -> None:
    found = _dates(parse, "Acme Corp confirmed on March 31, 2026 that hackers struck last week.", None)
    assert found == {"March 31, 2026": ("2026-03-31", "day", "disclosed")}


@pytest.mark.parametrize(
    ("text", "expression", "role"),
    [
        ("The attack on Acme Corp began on March 2.", "March 2", "occurred"),
        ("Hackers accessed the Acme Corp network between January and March.", "between January", "occurred"),
        ("Acme Corp discovered the intrusion on March 20.", "March 20", "discovered"),
        ("Acme Corp became aware of the incident on March 21.", "March 21", "discovered"),
        (
            "We determined on March 22 that an intruder had reached the data, Acme Corp said.",
            "March 22",
            "discovered",
        ),
        ("Acme Corp notified its staff in an email on March 31.", "March 31", "disclosed"),
        (
            "Acme Corp said in a statement on Tuesday that the incident was limited.",
            "on Tuesday",
            "disclosed",
        ),
        ("The Daily Ledger first reported the intrusion on April 1.", "April 1", "reported"),
        ("Acme Corp reported the breach to regulators on March 30.", "March 30", "disclosed"),
    ],
)
def test_dates_role(parse, text: str, expression: str, role: str) -> None:
    assert _dates(parse, text)[expression][2] == role


def test_pick_dates_prefers_finer_date_inside_coarser(parse) -> None:
    text = (
        "Acme Corp notified its employees of the breach in late March. "
        "Acme Corp confirmed the breach in a memo to staff on March 31, 2026. "
        "Acme Corp informed contractors on April 2, 2026."
    )
    doc, article = parse(text, published=PUBLISHED)
    picked = pick_dates(extract_dates(doc, article), PUBLISHED)
    assert picked["disclosed"].value == "2026-03-31"
    assert "reported" not in picked


def test_pick_dates_earliest_occurred(parse) -> None:
    text = "Hackers breached Acme Corp on March 3. Hackers accessed a second server on March 9."
    doc, article = parse(text, published=PUBLISHED)
    assert pick_dates(extract_dates(doc, article), PUBLISHED)["occurred"].value == "2026-03-03"


def test_dates_mention_spans_point_into_text(parse) -> None:
    doc, article = parse("Acme Corp discovered the intrusion on March 20.", published=PUBLISHED)
    (m,) = extract_dates(doc, article)
    assert article.text[m.start : m.end] == m.text and m.text in m.sentence and m.extractor == "dates.v1"


def test_dates_of_statistics_have_no_role(parse) -> None:
    text = (
        "Hackers stole the payroll files of Acme Corp on March 2. "
        "A survey conducted by Quorvex last June shows that 60 percent of attacked firms paid ransoms."
    )
    found = _dates(parse, text)
    assert found["March 2"][2] == "occurred"
    assert found["last June"][2] is None
