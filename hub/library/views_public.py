"""The public showcase: pages anyone may open, showing only what affiliates published."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.feedgenerator import Atom1Feed
from django.utils.formats import number_format
from django.utils.html import escape, format_html
from django.utils.http import http_date
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext_lazy, override
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from hub.core import audit
from hub.core.regions import Region
from hub.library import showcase, worldmap
from hub.library.badge import badge_svg, badge_text
from hub.library.models import CaseStudy
from hub.partners.models import PartnerType
from hub.partnerships.models import Activity, Goal
from hub.partnerships.slots import partnership_figures

BADGE_SECONDS = 3600
FEED_SIZE = 30


# The showcase's filters: (name, label, the fixed choices or None when they come from data).
FILTERS: tuple[tuple[str, Any, Any], ...] = (
    ("region", gettext_lazy("Region"), Region.choices),
    ("country", gettext_lazy("Country"), None),
    ("partner_type", gettext_lazy("Partner type"), PartnerType.choices),
    ("goal", gettext_lazy("Goal"), Goal.choices),
    ("activity_kind", gettext_lazy("Activity kind"), Activity.Kind.choices),
    ("year", gettext_lazy("Year"), None),
)


@functools.lru_cache(maxsize=32)
def _fixed_options(language: str) -> dict[str, list[tuple[str, str]]]:
    """Return the fixed filters' choices as (value, escaped label) in a language: the same for
    every page, so made once per process and language."""
    with override(language):
        return {
            name: [(str(value), escape(label)) for value, label in choices]
            for name, _label, choices in FILTERS
            if choices is not None
        }


def _filter_fields(filters: showcase.Filters, options: dict[str, Any]) -> SafeString:
    """Return the filters' labelled selects, each with "All" and the value chosen selected.

    Written out here, as partners/_filter_fields.html draws them, rather than through a
    form's template: a select of 40 options drawn option by option in the template language
    cost a first draw of the showcase more than its queries.
    """
    fixed = _fixed_options(get_language() or settings.LANGUAGE_CODE)
    data: dict[str, list[tuple[str, str]]] = {
        "country": [(code, escape(name)) for code, name in options["countries"]],
        "year": [(str(year), str(year)) for year in options["years"]],
    }
    everything = escape(_("All"))
    parts = []
    for name, label, _choices in FILTERS:
        chosen = str(getattr(filters, name) or "")
        html = [
            f'<div>\n<label for="id_{name}">{escape(label)}</label>\n'
            f'<select name="{name}" id="id_{name}"><option value="">{everything}</option>'
        ]
        for value, text in fixed.get(name) or data[name]:
            selected = " selected" if value == chosen else ""
            html.append(f'<option value="{escape(value)}"{selected}>{text}</option>')
        html.append("</select>\n</div>")
        parts.append("".join(html))
    return mark_safe("".join(parts))  # noqa: S308  # every label and value escaped above


def _country_rows(counts: list[tuple[str, str, int]]) -> SafeString:
    """Return the rows of the table of partner countries (the map's counts, for everyone)."""
    return mark_safe(  # noqa: S308  # every name and value escaped
        "".join(
            f'<tr><td><a href="?country={escape(code)}">{escape(name)}</a></td>'
            f'<td class="num">{number_format(n, use_l10n=True, force_grouping=True)}</td></tr>'
            for code, name, n in counts
        )
    )


def _cards(cards: list[showcase.Card]) -> SafeString:
    """Return the list items of a page of partnerships: title, affiliate, partners, year and
    summary. Written out, as the filters are: 20 cards drawn in the template language cost a
    first draw of the showcase more than all its queries."""
    items = []
    for card in cards:
        partners = "".join(
            f" · {escape(name)}" + (f" ({escape(country)})" if country else "")
            for name, country in card.partners
        )
        year = f" · {card.year}" if card.year else ""
        summary = f"\n<p>{escape(card.summary)}</p>" if card.summary else ""
        items.append(
            f'<li class="card">\n<h3><a href="{escape(card.url)}">{escape(card.title)}</a></h3>\n'
            f'<p class="muted">{escape(card.affiliate)}{partners}{year}</p>{summary}\n</li>'
        )
    return mark_safe("".join(items))  # noqa: S308  # every text escaped above


def _json_ld(data: dict[str, Any]) -> str:
    """Return schema.org data for a <script type="application/ld+json">, safe inside HTML."""
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _page_number(value: Any) -> int:
    text = str(value or "1")[:6]
    return int(text) if text.isdigit() and int(text) > 0 else 1


def _cached(key: str, build: Callable[[], str]) -> SafeString:
    """Return a page's body from this process's cache of drawn pages (the "drawn" cache in
    settings), or build and keep it (showcase.CACHE_SECONDS). ``key`` must hold the hub's
    newest audit stamp, so that no change leaves a kept body stale."""
    drawn = caches["drawn"]
    body = drawn.get(key)
    if body is None:
        body = build()
        drawn.set(key, body, showcase.CACHE_SECONDS)
    return mark_safe(body)  # noqa: S308  # rendered by our templates, every value escaped


def _showcase_body(filters: showcase.Filters, number: int) -> str:
    qs = showcase.filtered(filters)
    counted = showcase.counts(qs)
    fields = _filter_fields(filters, showcase.filter_options(counted, filters))
    page = showcase.page_of(counted.shown, number, counted.partnerships)
    cases = showcase.newest_case_studies(6)
    return render_to_string(
        "library/public/_showcase_body.html",
        {
            "filter_fields": fields,
            "headline": showcase.headline(counted),
            "world_map": worldmap.world_map(counted.countries),
            "countries": counted.countries,
            "country_rows": _country_rows(counted.countries),
            "cards": _cards(page.object_list),  # type: ignore[arg-type]
            "page": page,
            "query": filters.query(),
            "case_studies": cases,
        },
    )


@require_safe
def showcase_page(request: HttpRequest) -> HttpResponse:
    """Show published partnerships and case studies with filters, figures, a map and a table.

    The page's body is the same for everyone: it is kept under the hub's newest audit stamp,
    the filters, the page number and the language.
    """
    filters = showcase.Filters.from_params(request.GET)
    number = _page_number(request.GET.get("page"))
    stamp_key = audit.stamped_key(None, get_language() or "")
    key = f"showcase:{filters.key()}:{number}:{stamp_key}"
    url = request.build_absolute_uri(reverse("showcase:showcase"))
    ld = {
        "@context": "https://schema.org",
        "@type": "CollectionPage",
        "name": _("Showcase of Wikimedia partnerships"),
        "url": url,
        "description": _("Partnerships that Wikimedia affiliates chose to share with the world."),
    }
    return render(
        request,
        "library/public/showcase.html",
        {
            "body": _cached(key, lambda: _showcase_body(filters, number)),
            "canonical": url,
            "json_ld": _json_ld(ld),
        },
    )


@require_safe
def partnership_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Show one published partnership: what, with whom, outcomes, figures, case study, badge."""
    p = showcase.public_partnership(pk)
    data = showcase.public_page(p)
    url = request.build_absolute_uri(reverse("showcase:partnership", kwargs={"pk": p.pk}))
    badge_url = request.build_absolute_uri(reverse("showcase:badge", kwargs={"pk": p.pk}))
    ld: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Project",
        "name": p.title,
        "description": p.summary,
        "url": url,
        "member": [
            {"@type": "Organization", "name": name}
            for name in [p.affiliate.name, *(r.organisation.name for r in data.partners)]
        ],
    }
    if p.start_date:
        ld["foundingDate"] = p.start_date.isoformat()
    return render(
        request,
        "library/public/partnership.html",
        {
            "data": data,
            "p": p,
            "goals": [Goal(g).label for g in p.goals],
            "snippet": format_html(
                '<a href="{}"><img src="{}" alt="{}"></a>',
                url,
                badge_url,
                _("%(title)s on Wikimedia projects") % {"title": p.title},
            ),
            "canonical": url,
            "json_ld": _json_ld(ld),
        },
    )


@require_safe
def badge(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a published partnership's impact badge, cacheable, to embed on any website."""
    p = showcase.public_partnership(pk)
    figures = partnership_figures([p]).get(p.pk, [])
    language = str(request.GET.get("lang") or "en")[:8]
    if language not in dict(settings.LANGUAGES):
        language = "en"
    with override(language):
        text = badge_text(figures, timezone.localdate().year)
        svg = badge_svg(
            label=_("Wikimedia"),
            text=text,
            title=_("%(title)s: %(text)s") % {"title": p.title, "text": text},
        )
    etag = '"' + hashlib.sha256(svg.encode()).hexdigest()[:32] + '"'
    changed = max(
        [p.updated_at.timestamp()]
        + [
            dt.datetime.combine(f.as_of, dt.time.min, tzinfo=dt.UTC).timestamp()
            for f in figures
            if f.as_of
        ]
    )
    conditional = get_conditional_response(request, etag=etag, last_modified=int(changed))
    response = conditional or HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["ETag"] = etag
    response["Last-Modified"] = http_date(changed)
    response["Cross-Origin-Resource-Policy"] = "cross-origin"  # partners embed it elsewhere
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    patch_cache_control(response, public=True, max_age=BADGE_SECONDS)
    return response


class CaseStudyFeed(Feed):  # type: ignore[type-arg]
    """An Atom feed of the newest public case studies."""

    feed_type = Atom1Feed
    title = gettext_lazy("New case studies of Wikimedia partnerships")
    subtitle = gettext_lazy("Case studies that affiliates published on the Partnerships Hub.")

    def link(self) -> str:
        return reverse("showcase:showcase")

    def items(self) -> list[CaseStudy]:
        return list(showcase.public_case_studies().order_by("-resource__created_at")[:FEED_SIZE])

    def item_title(self, item: CaseStudy) -> str:
        return item.resource.title

    def item_description(self, item: CaseStudy) -> str:
        return item.resource.summary or item.what_worked[:500]

    def item_link(self, item: CaseStudy) -> str:
        return (
            reverse("showcase:partnership", kwargs={"pk": item.partnership_id})
            + f"#case-study-{item.pk}"
        )

    def item_pubdate(self, item: CaseStudy) -> Any:
        return item.resource.created_at

    def item_updateddate(self, item: CaseStudy) -> Any:
        return item.resource.updated_at

    def item_author_name(self, item: CaseStudy) -> str:
        return item.resource.author or item.partnership.affiliate.name
