"""Write `schemas/incident.schema.json` from the pydantic model (`make schema`).

The JSON Schema is generated, never edited by hand; a test fails when it is out of date.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from schemas.incident import IncidentRecord

__all__ = ["SCHEMA_PATH", "render_schema"]

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schemas" / "incident.schema.json"


def render_schema() -> str:
    return json.dumps(IncidentRecord.model_json_schema(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    SCHEMA_PATH.write_text(render_schema(), encoding="utf-8")
    print(f"wrote {SCHEMA_PATH}", file=sys.stderr)
