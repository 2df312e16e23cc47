"""Format values in templates cheaply enough for tables of fifty rows and more."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django import template
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from hub.core import labels, languages
from hub.wikimedia.projects import wiki_host

register = template.Library()


@register.filter
def choice_label(obj: models.Model, field_name: str) -> str:
    """Return the label of a choice field's value, as get_FOO_display() does, but cheaply."""
    return labels.choice_label(obj, field_name)


@register.filter
def country_name(code: Any) -> str:
    """Return a country's name in the current language, as Country.name does, but cheaply."""
    return labels.country_name(code)


@register.filter
def isodate(value: dt.date | dt.datetime | None) -> str:
    """Return a date (or a datetime in the current time zone) as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.date().isoformat()
    return value.isoformat()


@register.simple_tag
def changed_field_label(event: Any, field_name: str) -> str:
    """Return the human name of a field an audit event changed ("partner type", not the key)."""
    try:
        model = apps.get_model(event.target_type)
        field = model._meta.get_field(field_name)
    except (LookupError, ValueError, FieldDoesNotExist):
        # Not a field: a key the service chose (a checklist point, "partners"), shown as is.
        return field_name.replace("_", " ")
    return str(getattr(field, "verbose_name", field_name))


@register.filter
def readable(value: Any) -> str:
    """Return a stored value for people to read: text as it is, lists and tables indented."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, indent=2)
    return str(value)


@register.filter
def is_table(value: Any) -> bool:
    """Return whether a stored value is a list or mapping (shown indented, as written)."""
    return isinstance(value, list | dict) and bool(value)


@register.filter(is_safe=True, needs_autoescape=True)
def joined(items: Any, autoescape: bool = True) -> str:
    """Join a list as the active language separates one ("a, b"; in Arabic "a، b")."""
    if not items:
        return ""
    parts = [conditional_escape(item) if autoescape else str(item) for item in items]
    return mark_safe(languages.join_list(parts))  # noqa: S308 (each item escaped above)


@register.filter
def wiki_hosts(addresses: Any) -> list[str]:
    """Return wikis' addresses as their hosts ("commons.wikimedia.org"), each isolated for
    right-to-left pages (``<bdi>``), to be ``joined``."""
    return [format_html("<bdi>{}</bdi>", wiki_host(str(a))) for a in addresses or ()]


@register.simple_tag
def date_range(start: Any, end: Any) -> str:
    """Return a range of dates (or values) as the active language writes one: "a – b"."""
    return languages.date_range(start, end)


@register.simple_tag
def change_arrow() -> str:
    """Return the arrow between an old value and the new one, pointing the way text reads."""
    return languages.change_arrow()


@register.simple_tag(name="list_separator")
def list_separator_tag() -> str:
    """Return what goes between a list's items in the active language (", " or "، ")."""
    return languages.list_separator()
