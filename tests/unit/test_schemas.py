"""The record contract: the sample record validates, and the JSON Schema file is in sync."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from schemas.incident import IncidentDetail, IncidentRecord
from scripts.export_schema import SCHEMA_PATH, render_schema


def test_schema_file_matches_the_model() -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == render_schema(), "run `make schema`"


def test_sample_record_validates(shared: Path) -> None:
    sample = json.loads((shared / "seeds" / "sample_record.json").read_text(encoding="utf-8"))
    record = IncidentRecord.model_validate(sample)
    dumped = record.model_dump(mode="json")
    for key, value in sample.items():
        assert type(dumped[key]) is type(value), key
    assert set(dumped["incident"]) == set(sample["incident"])


def test_incident_dict_keeps_exactly_the_sample_keys() -> None:
    assert set(IncidentDetail.model_fields) == {
        "affected_entities",
        "data_breach",
        "description",
        "impact",
        "investigation_status",
        "references",
        "response",
        "title",
        "type",
    }


def test_unknown_keys_are_rejected() -> None:
    with pytest.raises(ValidationError):
        IncidentDetail.model_validate({"title": "x", "surprise": 1})


def test_attribution_is_a_closed_vocabulary() -> None:
    base = {
        "id": "ABC1",
        "linkid": "abc",
        "type": "Breach",
        "date": "",
        "severity": "1",
        "impact": "1",
        "explanation": "",
        "incident": {},
    }
    with pytest.raises(ValidationError):
        IncidentRecord.model_validate({**base, "threat_actors": [{"name": "X", "attribution": "rumoured"}]})
