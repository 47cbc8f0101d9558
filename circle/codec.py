"""Convert domain records to plain JSON-able dicts and back (used by the store)."""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from enum import Enum
from functools import cache
from typing import Any, TypeVar

T = TypeVar("T")
Decoder = Callable[[Any], Any]


def to_dict(record: Any) -> dict[str, Any]:
    """A record as a dict of JSON values (datetimes as ISO 8601 strings, enums as values)."""
    return {f.name: _encode(getattr(record, f.name)) for f in dataclasses.fields(record)}


def _encode(value: Any) -> Any:
    if value is None or (isinstance(value, str | int | float | bool)
                         and not isinstance(value, Enum)):
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_dict(value)
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    return value


def _identity(value: Any) -> Any:
    return value


@cache
def _decoder(tp: Any) -> Decoder:
    """A function turning a JSON value into a value of type `tp` (built once per type)."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) != 1:
            return _identity
        inner = _decoder(args[0])
        return lambda v: None if v is None else inner(v)
    if origin is list:
        (arg,) = typing.get_args(tp)
        item = _decoder(arg)
        if item is _identity:
            return list
        return lambda v: [item(x) for x in v]
    if origin is dict:
        _, arg = typing.get_args(tp)
        val = _decoder(arg)
        return lambda v: {k: val(x) for k, x in v.items()}
    if tp is datetime:
        return datetime.fromisoformat
    if tp is date:
        return date.fromisoformat
    if isinstance(tp, type) and issubclass(tp, Enum):
        return tp
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return lambda v: from_dict(tp, v)
    return _identity


@cache
def _field_decoders(cls: type) -> tuple[tuple[str, Decoder], ...]:
    hints = typing.get_type_hints(cls)
    return tuple((f.name, _decoder(hints[f.name])) for f in dataclasses.fields(cls))


def from_dict(cls: type[T], data: dict[str, Any]) -> T:
    """Rebuild a record of type `cls`; unknown keys are ignored, missing ones take defaults."""
    kwargs = {}
    for name, decode in _field_decoders(cls):  # type: ignore[arg-type]
        if name in data:
            value = data[name]
            kwargs[name] = None if value is None else decode(value)
    return cls(**kwargs)
