"""Answers as JSON: the engine's results (dataclasses, tuples, sets, datetimes) as plain
JSON values, the way the query API and check runs store them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, is_dataclass
from datetime import datetime
from typing import Any


def jsonable(value: Any) -> Any:
    """`value` as JSON: mappings with string keys, lists (sets sorted), ISO dates, strings."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((jsonable(v) for v in value), key=str)
    if isinstance(value, datetime):
        return value.isoformat()
    if is_dataclass(value) and not isinstance(value, type):
        return jsonable(asdict(value))
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)
