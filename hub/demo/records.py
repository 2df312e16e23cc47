"""Read the demo data files (hub/demo/data/*.json) into the loaders' typed records."""

from __future__ import annotations

import dataclasses
import json
import typing
from pathlib import Path
from typing import Any, TypeVar

DATA_DIR = Path(__file__).resolve().parent / "data"

T = TypeVar("T")


def read(name: str) -> Any:
    """Return the parsed contents of one data file."""
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


def build(cls: type[T], raw: dict[str, Any]) -> T:
    """Return the record ``cls`` made from a data file's object.

    Lists become tuples and objects inside them become the records the field names; a key the
    record does not have raises TypeError, so a typo in a data file fails loudly.
    """
    hints = typing.get_type_hints(cls)
    values = {name: _value(hints.get(name, Any), value) for name, value in raw.items()}
    return cls(**values)


def _value(hint: Any, value: Any) -> Any:
    """Return a data file's value shaped as the type hint asks (tuples and nested records)."""
    if dataclasses.is_dataclass(hint) and isinstance(value, dict):
        return build(typing.cast(type, hint), value)
    if typing.get_origin(hint) is tuple and isinstance(value, list):
        args = typing.get_args(hint)
        inner = args[0] if len(args) == 2 and args[1] is Ellipsis else Any
        return tuple(_value(inner, item) for item in value)
    return value
