"""The fields an analyst may correct: dotted paths, their values checked, set on a record.

A path into a list names the element by position (`threat_actors.1.name`), as the page shows
it; the correction stores the element's name (`ReviewAction.target`), because positions
move when later runs re-cluster, and names are what the analyst meant.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any, get_args

from pydantic import ValidationError

from pipeline.errors import ReviewError
from pipeline.normalize import header_month, load_rubric, score_header, slugify
from schemas.incident import Attribution, IncidentRecord
from schemas.review import ReviewAction

__all__ = ["CORRECTABLE", "correct", "correction", "element_name", "incident_types", "value_at"]

_MAX_TEXT = 300


def incident_types() -> list[str]:
    """The incident types the severity rubric knows: the choices for `incident.type`."""
    return sorted(load_rubric()["type_points"])


def _text(value: Any) -> str:
    text = " ".join(str(value if value is not None else "").split())
    if not text:
        raise ReviewError("the value is empty")
    if len(text) > _MAX_TEXT:
        raise ReviewError(f"the value is longer than {_MAX_TEXT} characters")
    return text


def _count(value: Any) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ReviewError("a count is a whole number")
    text = str(value).replace(",", "").replace("_", "").strip()
    if not re.fullmatch(r"\d{1,15}", text):
        raise ReviewError(f"a count is a whole number of 0 or more, not {value!r}")
    return int(text)


def _day(value: Any) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return date.fromisoformat(str(value).strip()).isoformat()
    except ValueError as exc:
        raise ReviewError(f"a date is YYYY-MM-DD, not {value!r}") from exc


def _attribution(value: Any) -> str:
    choices = get_args(Attribution)
    if value not in choices:
        raise ReviewError(f"attribution is one of {', '.join(choices)}, not {value!r}")
    return str(value)


def _incident_type(value: Any) -> str:
    if value not in incident_types():
        raise ReviewError(f"type is one of {', '.join(incident_types())}, not {value!r}")
    return str(value)


def _categories(value: Any) -> list[str]:
    items = value if isinstance(value, list) else str(value or "").split(",")
    return list(dict.fromkeys(_text(item) for item in items if str(item).strip()))


# Path pattern (`*` is a list position) -> how the new value is checked and normalised.
CORRECTABLE: dict[str, Callable[[Any], Any]] = {
    "incident.affected_entities.*.name": _text,
    "incident.affected_entities.*.type": _text,
    "incident.affected_entities.*.industry": _text,
    "threat_actors.*.name": _text,
    "threat_actors.*.attribution": _attribution,
    "incident.type": _incident_type,
    "dates.occurred": _day,
    "dates.discovered": _day,
    "dates.disclosed": _day,
    "dates.reported": _day,
    "records_affected": _count,
    "people_affected": _count,
    "data_categories": _categories,
}


def _pattern(path: str) -> str:
    return ".".join("*" if part.isdigit() else part for part in path.split("."))


def _checker(path: str) -> Callable[[Any], Any]:
    try:
        return CORRECTABLE[_pattern(path)]
    except KeyError:
        known = ", ".join(CORRECTABLE)
        raise ReviewError(f"{path!r} cannot be corrected; the fields that can: {known}") from None


def _walk(data: dict[str, Any], path: str) -> tuple[Any, str | int]:
    """The container of the value at `path` and its key there; ReviewError when absent."""
    parts: list[str | int] = [int(p) if p.isdigit() else p for p in path.split(".")]
    node: Any = data
    for part in parts[:-1]:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            raise ReviewError(f"{path!r}: the record has no such element") from None
    return node, parts[-1]


def value_at(record: IncidentRecord, path: str) -> Any:
    """The value at a dotted path of the record (as JSON types)."""
    node, key = _walk(record.model_dump(mode="json"), path)
    return node[key]


def element_name(record: IncidentRecord, path: str) -> str | None:
    """For a path into a list of named things, the name of the element it points at."""
    parts = path.split(".")
    index = next((i for i, p in enumerate(parts) if p.isdigit()), None)
    if index is None:
        return None
    return str(value_at(record, ".".join([*parts[: index + 1], "name"])))


def correction(record: IncidentRecord, path: str, value: Any, reviewer: str, at: str) -> ReviewAction:
    """A checked correction of `path` to `value` on `record`; ReviewError when it is not one."""
    new = _checker(path)(value)
    old = value_at(record, path)
    if new == old:
        raise ReviewError(f"{path} is already {old!r}")
    return ReviewAction(
        incident_id=record.id,
        articles=[s.article_id for s in record.sources],
        action="correct",
        field=path,
        target=element_name(record, path),
        old=old,
        new=new,
        reviewer=reviewer,
        at=at,
    )


def _names(element: dict[str, Any]) -> set[str]:
    return {n.casefold() for n in [element.get("name", ""), *element.get("aliases", [])]}


def _resolved_path(data: dict[str, Any], action: ReviewAction) -> str | None:
    """`action.field` with its list position replaced by where the named element is now."""
    path = action.field or ""
    parts = path.split(".")
    index = next((i for i, p in enumerate(parts) if p.isdigit()), None)
    if index is None:
        return path
    items, _ = _walk(data, ".".join(parts[: index + 1]))
    wanted = (action.target or "").casefold()
    found = next((i for i, item in enumerate(items) if wanted in _names(item)), None)
    if found is None:
        return None
    return ".".join([*parts[:index], str(found), *parts[index + 1 :]])


def correct(record: IncidentRecord, action: ReviewAction) -> IncidentRecord | None:
    """`record` with the correction applied and its header scored again; None when the element
    it names is no longer in the record (the correction then waits, e.g. for a later run)."""
    data = record.model_dump(mode="json")
    path = _resolved_path(data, action)
    if path is None:
        return None
    node, key = _walk(data, path)
    node[key] = action.new
    victim = re.fullmatch(r"incident\.affected_entities\.\d+\.name", path)
    if victim and slugify(str(action.old or action.target)) == record.linkid:
        data["linkid"] = slugify(str(action.new))
    try:
        return rescored(IncidentRecord.model_validate(data))
    except ValidationError as exc:
        raise ReviewError(f"{action.field}: {exc.errors()[0]['msg']}") from exc


def rescored(record: IncidentRecord) -> IncidentRecord:
    """The header (type, month, severity, impact, explanation) computed again from the fields,
    as `normalize` computes it, so a corrected type or count moves the severity too."""
    inc = record.incident
    first = min((s.published for s in record.sources if s.published), default=None)
    severity, level, explanation = score_header(
        inc.type,
        inc.data_breach.sensitivity_of_data,
        record.records_affected,
        inc.impact.operational_impact != "Unknown",
        any(e.type == "Vendor" for e in inc.affected_entities),
    )
    return record.model_copy(
        update={
            "type": load_rubric()["header_types"].get(inc.type, inc.type),
            "date": header_month(record.dates, first),
            "severity": str(severity),
            "impact": str(level),
            "explanation": explanation,
        }
    )
