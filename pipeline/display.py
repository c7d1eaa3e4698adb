"""Text from outside (feed GUIDs and titles, links, file names) made safe to print on one line.

A summary or log line is read by a person on a terminal and by tools that split on newlines.
A newline in a remote GUID would forge a line of its own ("failed: ..."), an escape sequence
would drive the terminal, and U+2028/U+2029 or the bidi controls would reorder or break what
is shown. `one_line` writes every such character as its escape (`\\n`, `\\x1b`, `\\u2028`), so
what is printed is one line and says exactly what was received.
"""

from __future__ import annotations

import logging
import re

__all__ = ["OneLineFormatter", "one_line"]

# C0 and C1 controls, DEL, the Unicode line and paragraph separators, bidi embeddings and isolates.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def one_line(text: str) -> str:
    """`text` with every control, line-separator and bidi character written as its escape."""
    return _UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


class OneLineFormatter(logging.Formatter):
    """Log lines whose message is `one_line`; a traceback, when logged, keeps its own lines."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        return one_line(super().formatMessage(record))
