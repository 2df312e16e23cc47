"""Look up the labels of choice values and country codes cheaply, for long lists and exports."""

from __future__ import annotations

import functools
from typing import Any

from django.db import models
from django.utils import translation
from django_countries import countries


@functools.lru_cache(maxsize=256)
def _choice_labels(field: models.Field[Any, Any], language: str | None) -> dict[Any, str]:
    with translation.override(language):
        return {value: str(label) for value, label in field.flatchoices}


def choice_labels(model: type[models.Model], field_name: str) -> dict[Any, str]:
    """Return {value: label} of a model's choice field, in the current language."""
    field = model._meta.get_field(field_name)
    if not isinstance(field, models.Field):
        raise TypeError(f"{field_name} is not a field with choices")
    return _choice_labels(field, translation.get_language())


def choice_label(obj: models.Model, field_name: str) -> str:
    """Return the label of a choice field's value in the current language (get_FOO_display).

    get_FOO_display() rebuilds, hashes and translates every choice on each call, which costs a
    list page milliseconds and a 100,000-row export seconds; this is a dictionary lookup.
    """
    value = getattr(obj, obj._meta.get_field(field_name).attname)  # type: ignore[union-attr]
    return choice_labels(type(obj), field_name).get(value, value)


@functools.lru_cache(maxsize=64)
def _country_names(language: str | None) -> dict[str, str]:
    with translation.override(language):
        return {str(code): str(name) for code, name in countries}


def country_name(code: Any) -> str:
    """Return a country's name in the current language from its code (or Country object)."""
    code = str(getattr(code, "code", code) or "")
    if not code:
        return ""
    return _country_names(translation.get_language()).get(code, code)
