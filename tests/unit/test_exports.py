"""The public API: `pipeline.__all__` names what it exports, sorted, and each name exists."""

from __future__ import annotations

import pipeline


def test_all_is_sorted_and_complete() -> None:
    assert pipeline.__all__ == sorted(pipeline.__all__)
    missing = [name for name in pipeline.__all__ if not hasattr(pipeline, name)]
    assert missing == []
