"""Invented incident articles for the batch tests: one per party, each a distinct incident."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path


def article(party: str, count: str = "48,000", gang: str = "Gray Lantern") -> str:
    """A short incident report about `party`: a title line, then the body wrapped as a plain-text
    page has it."""
    body = (
        f"{party} said on Monday that hackers broke into a file server and stole the names, account "
        f"numbers and Social Security numbers of {count} customers. {party} discovered the intrusion on "
        f"March 3 and has notified the state attorney general. A ransomware gang called {gang} claimed "
        f"responsibility on its leak site. {party} said it has reset staff passwords and hired a forensic "
        "firm, and that the investigation is ongoing."
    )
    return f"{party} breach exposes customer data\n" + textwrap.fill(body, 100) + "\n"


def row(article_id: str, party: str, **fields: str) -> dict[str, str]:
    """A JSONL batch line: `id`, `title` and `text` of `article(party)`."""
    title, text = article(party).split("\n", 1)
    return {"id": article_id, "title": title, "text": text, **fields}


def write_jsonl(path: Path, rows: list[dict[str, str]]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path
