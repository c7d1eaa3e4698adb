"""One-line display of text from outside: controls, line separators and bidi marks escaped."""

from __future__ import annotations

import logging

import pytest

from pipeline.display import OneLineFormatter, one_line


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("a\nfailed: b", "a\\nfailed: b"),
        ("\x1b[2J\x07\r\t", "\\x1b[2J\\x07\\r\\t"),
        ("x\u2028y\u2029z\x85", "x\\u2028y\\u2029z\\x85"),
        ("\u202etxt.exe\u2066", "\\u202etxt.exe\\u2066"),
        ("Zoë, 東京, naïve — “quoted”", "Zoë, 東京, naïve — “quoted”"),
    ],
)
def test_one_line_escapes_only_what_breaks_a_line(raw: str, shown: str) -> None:
    assert one_line(raw) == shown and len(one_line(raw).splitlines()) == 1


def test_formatter_escapes_the_message_and_keeps_a_traceback() -> None:
    try:
        raise ValueError("boom")
    except ValueError as exc:
        record = logging.LogRecord(
            "t", logging.ERROR, __file__, 1, "item %s", ("g\n\x1b[31m",), (ValueError, exc, None)
        )
    text = OneLineFormatter("%(levelname)s %(message)s").format(record)
    first, *rest = text.splitlines()
    assert first == "ERROR item g\\n\\x1b[31m" and rest[-1] == "ValueError: boom"
