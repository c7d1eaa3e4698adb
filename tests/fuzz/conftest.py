"""Report how many generated inputs the fuzz tests ran (`make fuzz` must reach 10,000)."""

from __future__ import annotations

import pytest


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    from test_fuzz import COUNTS

    if COUNTS:
        parts = ", ".join(f"{name.removeprefix('test_')} {count:,}" for name, count in sorted(COUNTS.items()))
        terminalreporter.write_line(
            f"fuzz: {sum(COUNTS.values()):,} generated inputs through the pipeline ({parts})"
        )
