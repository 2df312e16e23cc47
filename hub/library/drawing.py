"""The library search page's repeated parts, written out as HTML (every value escaped).

Drawn in the template language, the twenty result lines and the facet lists with their links
cost a search more than its queries: each line resolved a dozen variables, looked up its
labels, translated its words and reversed its address again. Here each line is one
format_html; the page's structure, headings and sentences stay in templates/library/library.html.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlencode

from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from hub.core.labels import choice_labels
from hub.core.links import url_by_id
from hub.library.models import Resource
from hub.library.selectors import Facet, Hit
from hub.library.vocabulary import language_name

# The values shown under each facet, the most frequent first.
FACET_VALUES_SHOWN = 12
_CHOSEN = mark_safe(' aria-current="true"')
_TICK = "✓ "


def _join(parts: Iterable[str]) -> SafeString:
    return mark_safe("".join(parts))  # noqa: S308  # each part made by format_html


def facet_lists(facets: list[Facet], base: dict[str, str]) -> SafeString:
    """Return each facet's heading and values, each a link with its count.

    ``base``: the words and the values chosen, as the page's query. A value's link adds it
    to them (replacing the facet's other value, if one was chosen); a chosen value's link
    takes it away, keeping the rest.
    """
    parts = []
    for facet in facets:
        items = []
        for value in facet.values[:FACET_VALUES_SHOWN]:
            params = dict(base)
            if value.chosen:
                params.pop(facet.name, None)
            else:
                params[facet.name] = value.value
            items.append(
                format_html(
                    '<li><a href="?{}"{}>{}{}</a> <span class="muted">({})</span></li>',
                    urlencode(params),
                    _CHOSEN if value.chosen else "",
                    _TICK if value.chosen else "",
                    value.label,
                    localize(value.count),
                )
            )
        parts.append(format_html("<h2>{}</h2><ul>\n{}\n</ul>", facet.label, _join(items)))
    return _join(parts)


def chosen_fields(facets: list[Facet]) -> SafeString:
    """Return a hidden field for each chosen facet value, so a new search keeps them."""
    return format_html_join(
        "",
        '<input type="hidden" name="{}" value="{}">',
        ((facet.name, v.value) for facet in facets for v in facet.values if v.chosen),
    )


def result_items(hits: list[Hit]) -> SafeString:
    """Return the list items of a page of results: the marked title linking to the resource,
    its kind, language, affiliate and whether it is featured, and its snippet."""
    address = url_by_id("library:resource_detail")
    kinds = choice_labels(Resource, "kind")
    template_kinds = choice_labels(Resource, "template_kind")
    featured = format_html(' · <span class="badge">{}</span>', _("featured"))
    languages: dict[str, str] = {}
    items = []
    for hit in hits:
        r = hit.resource
        if r.language not in languages:
            languages[r.language] = language_name(r.language)
        template_kind = (
            format_html(" · {}", template_kinds.get(r.template_kind, r.template_kind))
            if r.template_kind
            else ""
        )
        items.append(
            format_html(
                '<li>\n<h3><a href="{}">{}</a></h3>\n<p class="muted">{}{} · {} · {}{}</p>\n'
                "{}\n</li>",
                address(r.pk),
                hit.title,
                kinds.get(r.kind, r.kind),
                template_kind,
                languages[r.language],
                r.affiliate.name,
                featured if r.featured else "",
                format_html("<p>{}</p>", hit.snippet) if hit.snippet else "",
            )
        )
    return _join(items)
