"""The mapping of our published fields to Metabase's properties, and to a Wikidata statement.

The defaults are in ``hub/library/data/metabase_mapping.toml`` (docs/linked-data.md explains
each key). The setting ``HUB_METABASE_MAPPING`` names a TOML file whose keys replace the
defaults one by one. A file that does not parse, names an unknown key or gives something that
is not a property or item id is refused with a message saying which key and why: at start-up
(``manage.py check``, system check ``library.E010``) and whenever the mapping is read.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register

DEFAULT_FILE = Path(__file__).resolve().parent.parent / "data" / "metabase_mapping.toml"
PROPERTY = re.compile(r"^P[1-9]\d*$")
ITEM = re.compile(r"^Q[1-9]\d*$")
REFERENCE = re.compile(r"^S[1-9]\d*$")
# Our fields of a published partnership that may be mapped to a Metabase property.
PARTNERSHIP_FIELDS = ("start_date", "end_date", "affiliate", "partners", "participants")


class MappingError(ValueError):
    """The mapping file cannot be used; the message says which key and why."""


@dataclass(frozen=True)
class Mapping:
    """A checked mapping: where Metabase is, its properties, and the Wikidata statement."""

    api_url: str
    entity_uri: str
    item_namespace: int
    language: str
    timeout_seconds: float
    wikidata_id: str
    instance_of: str
    partnership_class: str
    organisation_class: str
    partnership: dict[str, str]
    qs_property: str
    qs_start: str
    qs_end: str
    qs_reference: str
    source: str  # the file the values came from, for messages

    def mapped(self) -> list[tuple[str, str]]:
        """Return (our field, property) pairs that are compared, in a stable order."""
        return [
            (name, self.partnership[name]) for name in PARTNERSHIP_FIELDS if self.partnership[name]
        ]


_SCHEMA: dict[str, Any] = {
    "metabase": {
        "api_url": "url",
        "entity_uri": "url",
        "item_namespace": "int",
        "language": "language",
        "timeout_seconds": "seconds",
        "properties": {"wikidata_id": "property", "instance_of": "property"},
        "classes": {"partnership": "item?", "organisation": "item?"},
        "partnership": dict.fromkeys(PARTNERSHIP_FIELDS, "property?"),
    },
    "quickstatements": {
        "property": "property",
        "start_qualifier": "property?",
        "end_qualifier": "property?",
        "reference_url": "reference?",
    },
}


def _merge(base: dict[str, Any], override: dict[str, Any], where: str) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if key not in base:
            raise MappingError(f"{where}{key}: this key is not known (see docs/linked-data.md).")
        if isinstance(base[key], dict):
            if not isinstance(value, dict):
                raise MappingError(f"{where}{key}: should be a table ([{where}{key}]).")
            merged[key] = _merge(base[key], value, f"{where}{key}.")
        else:
            merged[key] = value
    return merged


def _check(value: Any, kind: str, name: str) -> None:
    optional = kind.endswith("?")
    kind = kind.rstrip("?")
    if optional and value == "":
        return
    pattern = {"property": PROPERTY, "item": ITEM, "reference": REFERENCE}.get(kind)
    if pattern is not None:
        if not isinstance(value, str) or not pattern.match(value):
            example = {"property": "P14", "item": "Q2", "reference": "S854"}[kind]
            raise MappingError(f"{name}: {value!r} is not an id like {example}.")
    elif kind == "url":
        if not isinstance(value, str) or not value.startswith(("https://", "http://")):
            raise MappingError(f"{name}: {value!r} is not a web address (https://…).")
    elif kind == "int":
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise MappingError(f"{name}: {value!r} is not a namespace number.")
    elif kind == "seconds":
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 120:
            raise MappingError(f"{name}: {value!r} should be a number of seconds from 1 to 120.")
    elif kind == "language":
        if not isinstance(value, str) or not re.match(r"^[a-z]{2,3}(-[a-z0-9]+)*$", value):
            raise MappingError(f"{name}: {value!r} is not a language code like en or sv.")


def _validate(data: dict[str, Any], schema: dict[str, Any], where: str = "") -> None:
    for key, kind in schema.items():
        if isinstance(kind, dict):
            _validate(data[key], kind, f"{where}{key}.")
        else:
            _check(data[key], kind, f"{where}{key}")


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError as exc:
        raise MappingError(f"The mapping file {path} does not exist.") from exc
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(f"The mapping file {path} is not valid TOML: {exc}.") from exc


def load(path: str | Path | None = None) -> Mapping:
    """Return the defaults overridden by ``path`` (or HUB_METABASE_MAPPING); raise MappingError."""
    chosen = path if path is not None else getattr(settings, "HUB_METABASE_MAPPING", "")
    data = _read(DEFAULT_FILE)
    source = str(DEFAULT_FILE)
    if chosen:
        source = str(chosen)
        try:
            data = _merge(data, _read(Path(chosen)), "")
        except MappingError as exc:
            raise MappingError(f"{exc} (in {source})") from exc
    try:
        _validate(data, _SCHEMA)
    except MappingError as exc:
        raise MappingError(f"{exc} (in {source})") from exc
    meta = data["metabase"]
    qs = data["quickstatements"]
    return Mapping(
        api_url=meta["api_url"],
        entity_uri=meta["entity_uri"],
        item_namespace=meta["item_namespace"],
        language=meta["language"],
        timeout_seconds=float(meta["timeout_seconds"]),
        wikidata_id=meta["properties"]["wikidata_id"],
        instance_of=meta["properties"]["instance_of"],
        partnership_class=meta["classes"]["partnership"],
        organisation_class=meta["classes"]["organisation"],
        partnership=dict(meta["partnership"]),
        qs_property=qs["property"],
        qs_start=qs["start_qualifier"],
        qs_end=qs["end_qualifier"],
        qs_reference=qs["reference_url"],
        source=source,
    )


@functools.lru_cache(maxsize=4)
def _cached(path: str) -> Mapping:
    return load(path)


def current() -> Mapping:
    """Return the mapping of the settings (read once per file name and process)."""
    return _cached(str(getattr(settings, "HUB_METABASE_MAPPING", "") or ""))


@register("library")
def check_mapping(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Refuse to start with a Metabase mapping that cannot be used."""
    try:
        load()
    except MappingError as exc:
        return [
            Error(
                f"The Metabase mapping cannot be used: {exc}",
                hint="Fix the file named by HUB_METABASE_MAPPING, or unset it to use the "
                "defaults (docs/linked-data.md describes every key).",
                id="library.E010",
            )
        ]
    return []
