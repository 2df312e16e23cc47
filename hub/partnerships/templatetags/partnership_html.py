"""Pieces of the partnership pages written in Python: the list's rows, the timeline and
activity outputs.

They repeat: fifty rows on the list, twenty timeline entries of six kinds on a partnership
page. In the template language each cost a tenth to a quarter of a millisecond, a sixth to a
third of the page. The markup and the words are those the templates had; every text is still
marked for translation.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hub.core.labels import choice_label
from hub.core.templatetags.hub_format import audit_event, isodate, linebreaks_html

register = template.Library()


def _muted(text: Any) -> SafeString:
    return format_html(' <span class="muted">— {}</span>', text) if text else SafeString("")


def _stage(item: Any) -> SafeString:
    to_stage = choice_label(item, "to_stage")
    if item.from_stage:
        text = _("Stage: %(a)s → %(b)s") % {"a": choice_label(item, "from_stage"), "b": to_stage}
    else:
        text = _("Started at the stage %(b)s") % {"b": to_stage}
    reason = format_html("<p>{}</p>", linebreaks_html(item.reason)) if item.reason else ""
    return format_html("{}{}{}", text, _muted(item.actor), reason)


def _task(item: Any) -> SafeString:
    due = ""
    if item.due_on:
        due = format_html(
            ' <span class="muted">{}</span>', _("due %(day)s") % {"day": isodate(item.due_on)}
        )
    return format_html(
        "{} {}{}{}",
        _("Task done:") if item.done_at else _("Task:"),
        item.title,
        due,
        _muted(item.assignee),
    )


def _contribution(item: Any) -> SafeString:
    kind = format_html(" ({})", choice_label(item, "in_kind_type")) if item.in_kind_type else ""
    source = (
        format_html(" {} {}", _("from"), item.organisation.name) if item.organisation_id else ""
    )
    return format_html(
        "{} {}{} {} {}{}",
        _("Contribution:"),
        choice_label(item, "kind"),
        kind,
        localize(item.amount),
        item.currency,
        source,
    )


# An activity's outputs, as "3 articles created" (the numbers the volunteers entered).
_OUTPUTS = (
    ("participants", lambda n: ngettext("%(n)s participant", "%(n)s participants", n)),
    ("articles_created", lambda n: ngettext("%(n)s article created", "%(n)s articles created", n)),
    (
        "articles_improved",
        lambda n: ngettext("%(n)s article improved", "%(n)s articles improved", n),
    ),
    ("files_uploaded", lambda n: ngettext("%(n)s file uploaded", "%(n)s files uploaded", n)),
    (
        "items_created",
        lambda n: ngettext("%(n)s Wikidata item created", "%(n)s Wikidata items created", n),
    ),
    (
        "items_edited",
        lambda n: ngettext("%(n)s Wikidata item edited", "%(n)s Wikidata items edited", n),
    ),
    ("people_trained", lambda n: ngettext("%(n)s person trained", "%(n)s people trained", n)),
)


@register.simple_tag
def activity_outputs(activity: Any) -> SafeString:
    """Return an activity's non-zero outputs as a list ("3 articles created", ...)."""
    items = []
    for name, words in _OUTPUTS:
        n = getattr(activity, name)
        if n:
            items.append(format_html("<li>{}</li>", words(n) % {"n": localize(n)}))
    return format_html('<ul class="outputs">{}</ul>', SafeString("".join(items)))


@register.simple_tag
def partnership_rows(rows: Iterable[Any], list_url: str) -> SafeString:
    """Return the partnership list's table rows: title, partners, stage, start, label, update.

    ``rows``: partnerships with ``partner_names`` (selectors.with_partner_names).
    """
    published = format_html(' <span class="badge">{}</span>', _("published"))
    strategic = _("strategic")
    collaboration = format_html('<span class="muted">{}</span>', _("collaboration"))
    return format_html_join(
        "\n",
        '<tr>\n<td><a href="{}{}/">{}</a>{}</td>\n<td>{}</td>\n<td>{}</td>\n<td>{}</td>\n'
        "<td>{}</td>\n<td>{}</td>\n</tr>",
        (
            (
                list_url,
                p.pk,
                p.title,
                published if p.visibility == "published" else "",
                ", ".join(p.partner_names),
                choice_label(p, "stage"),
                isodate(p.start_date),
                strategic if p.is_strategic else collaboration,
                isodate(p.updated_at),
            )
            for p in rows
        ),
    )


@register.simple_tag
def timeline_entries(entries: Iterable[Any], affiliate_slug: str) -> SafeString:
    """Return the timeline entries (selectors.TimelineEntry) as the items of a list."""
    links: dict[int, str] = {}

    def organisation_url(pk: int) -> str:
        if pk not in links:
            links[pk] = reverse(
                "partners:organisation_detail", kwargs={"slug": affiliate_slug, "pk": pk}
            )
        return links[pk]

    items = []
    for entry in entries:
        item = entry.item
        if entry.kind == "event":
            items.append(audit_event(item))
            continue
        if entry.kind == "stage":
            body = _stage(item)
        elif entry.kind == "interaction":
            body = format_html(
                '<strong>{}</strong> {} <a href="{}">{}</a><p>{}</p>',
                choice_label(item, "kind"),
                _("with"),
                organisation_url(item.organisation_id),
                item.organisation.name,
                linebreaks_html(Truncator(item.summary).chars(300)),
            )
        elif entry.kind == "activity":
            body = format_html("<strong>{}</strong>: {}", choice_label(item, "kind"), item.title)
        elif entry.kind == "task":
            body = _task(item)
        elif entry.kind == "document":
            body = format_html("{} {}", _("Document uploaded:"), item.original_name)
        elif entry.kind == "contribution":
            body = _contribution(item)
        else:
            continue
        items.append(
            format_html(
                '<li class="{}"><span class="muted">{}</span> · {}</li>',
                entry.kind,
                isodate(entry.when),
                body,
            )
        )
    return SafeString("\n".join(items))
