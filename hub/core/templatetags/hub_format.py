"""Format values in templates cheaply enough for tables of fifty rows and more, and draw the
navigation and audit events that every page repeats."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from django import template
from django.db import models
from django.template.defaultfilters import linebreaksbr
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils import timezone, translation
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from hub.core import labels

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
def audit_event(event: Any) -> SafeString:
    """Return one audit event as a timeline item: when, who, what, and what changed.

    Written in Python rather than as a partial: timelines show dozens of events, and the
    template language spent a quarter of a millisecond on each.
    """
    when = event.created_at
    if timezone.is_aware(when):
        when = timezone.localtime(when)
    changes: Any = ""
    if event.changes:
        changes = format_html(
            "\n<details><summary>{}</summary><ul>{}</ul></details>",
            _("What changed"),
            format_html_join(
                "",
                "<li><strong>{}</strong>: {} → {}</li>",
                (
                    (changed_field_label(event, name), pair[0] or "—", pair[1] or "—")
                    for name, pair in event.changes.items()
                ),
            ),
        )
    return format_html(
        '<li class="event"><span class="muted">{} · {}</span> — {}{}</li>',
        when.strftime("%Y-%m-%d %H:%M"),
        event.actor or _("system"),
        event.label,
        changes,
    )


def linebreaks_html(text: str) -> SafeString:
    """Return text escaped, with its line breaks as <br> (the linebreaksbr filter)."""
    return SafeString(linebreaksbr(text, autoescape=True))


@register.simple_tag
def changed_field_label(event: Any, field_name: str) -> str:
    """Return the human name of a field an audit event changed ("partner type", not the key)."""
    from django.apps import apps
    from django.core.exceptions import FieldDoesNotExist

    try:
        model = apps.get_model(event.target_type)
        field = model._meta.get_field(field_name)
    except (LookupError, ValueError, FieldDoesNotExist):
        # Not a field: a key the service chose (a checklist point, "partners"), shown as is.
        return field_name.replace("_", " ")
    return str(getattr(field, "verbose_name", field_name))


@functools.lru_cache(maxsize=4096)
def _navigation(slug: str, hub_staff: bool, language: str | None, prefix: str) -> SafeString:
    return SafeString(
        render_to_string("_navigation.html", {"slug": slug, "hub_staff": hub_staff}).strip()
    )


@register.simple_tag
def navigation(slug: str | None, hub_staff: bool) -> SafeString:
    """Return the main navigation's links for an affiliate (or none) and a role.

    The same few dozen links on every page, so they are drawn once per affiliate, role,
    language and URL prefix, and kept for the life of the process: a dozen URL lookups and
    translations were a tenth of a light page.
    """
    return _navigation(slug or "", bool(hub_staff), translation.get_language(), get_script_prefix())
