"""The linked-data export's addresses: public RDF documents and the members' page.

Public: an affiliate's published partnerships as Turtle or JSON-LD (an unknown slug answers
404), one published partnership likewise (any other id answers 404). Members: a page listing
the downloads, the QuickStatements to copy, and the Metabase dry-run comparison, made while the
person waits with the mapping's short timeout (it only reads, and a slow Metabase gets a clear
message instead of a hanging page).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from hub.core.links import absolute_url
from hub.core.models import Affiliate
from hub.core.permissions import affiliate_view
from hub.library.linked import mapping, metabase, quickstatements, rdf
from hub.library.linked.published import Published, for_affiliate, for_partnership

TURTLE = "text/turtle; charset=utf-8"
JSONLD = "application/ld+json; charset=utf-8"


class SeeOther(HttpResponseRedirect):
    """303: the affiliate (a thing, not a document) is described at another address."""

    status_code = 303


def _page_url(request: HttpRequest) -> Callable[[int], str]:
    def url(pk: int) -> str:
        return absolute_url(reverse("showcase:partnership", kwargs={"pk": pk}), request)

    return url


def _addresses(request: HttpRequest, affiliate: Affiliate) -> rdf.Addresses:
    document = absolute_url(
        reverse("linked_data:affiliate", kwargs={"slug": affiliate.slug}), request
    )
    return rdf.Addresses(document=document, partnership_page=_page_url(request))


def _document(request: HttpRequest, published: Published, fmt: str) -> HttpResponse:
    graph = rdf.graph_of(published, _addresses(request, published.affiliate))
    if fmt == "jsonld":
        response = HttpResponse(rdf.jsonld(graph), content_type=JSONLD)
    else:
        response = HttpResponse(rdf.turtle(graph), content_type=TURTLE)
    # Published data, meant to be read by other sites' tools.
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _public_affiliate(slug: str) -> Affiliate:
    affiliate = Affiliate.objects.filter(slug=slug).first()
    if affiliate is None:
        raise Http404
    return affiliate


@require_safe
def affiliate(request: HttpRequest, slug: str) -> HttpResponse:
    """Send the affiliate's linked-data address on to its Turtle document."""
    return SeeOther(
        reverse("linked_data:affiliate_turtle", kwargs={"slug": _public_affiliate(slug).slug})
    )


@require_safe
def affiliate_turtle(request: HttpRequest, slug: str) -> HttpResponse:
    """Return what the affiliate published, as Turtle."""
    return _document(request, for_affiliate(_public_affiliate(slug)), "turtle")


@require_safe
def affiliate_jsonld(request: HttpRequest, slug: str) -> HttpResponse:
    """Return what the affiliate published, as JSON-LD."""
    return _document(request, for_affiliate(_public_affiliate(slug)), "jsonld")


@require_safe
def partnership_turtle(request: HttpRequest, pk: int) -> HttpResponse:
    """Return one published partnership as Turtle."""
    return _document(request, for_partnership(pk), "turtle")


@require_safe
def partnership_jsonld(request: HttpRequest, pk: int) -> HttpResponse:
    """Return one published partnership as JSON-LD."""
    return _document(request, for_partnership(pk), "jsonld")


@affiliate_view()
@require_safe
@never_cache
def page(request: HttpRequest, affiliate: Affiliate) -> HttpResponse:
    """Show the members the downloads, the QuickStatements to copy, and the Metabase link."""
    published = for_affiliate(affiliate)
    chosen = mapping.current()
    page_url = _page_url(request)
    names = metabase.field_names()
    return render(
        request,
        "library/linked/page.html",
        {
            "affiliate": affiliate,
            "published": published,
            "organisations": published.organisations,
            "with_qid": [o for o in published.organisations if o.qid],
            "quickstatements": quickstatements.text(published, chosen, page_url),
            "mapping": chosen,
            "mapped": [(names[field], prop) for field, prop in chosen.mapped()],
        },
    )


@affiliate_view()
@require_safe
def quickstatements_text(request: HttpRequest, affiliate: Affiliate) -> HttpResponse:
    """Return the QuickStatements commands as a text file."""
    text = quickstatements.text(for_affiliate(affiliate), mapping.current(), _page_url(request))
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{affiliate.slug}-quickstatements.txt"'
    return response


@affiliate_view()
@require_safe
@never_cache
def metabase_diff(request: HttpRequest, affiliate: Affiliate) -> HttpResponse:
    """Compare the published data with Metabase's statements, while the person waits.

    Only when asked (``?compare=1``, the page's button): opening the page, or a browser's
    prefetch of it, never calls Metabase.
    """
    chosen = mapping.current()
    comparison = None
    error = ""
    if request.GET.get("compare") == "1":
        try:
            comparison = metabase.compare(for_affiliate(affiliate), chosen, _page_url(request))
        except metabase.MetabaseUnavailable as exc:
            error = str(exc)
    return render(
        request,
        "library/linked/metabase.html",
        {
            "affiliate": affiliate,
            "comparison": comparison,
            "error": error,
            "mapping": chosen,
            "totals": {
                status: comparison.total(status) if comparison else 0
                for status in (
                    metabase.ADDED,
                    metabase.CHANGED,
                    metabase.REMOVED,
                    metabase.UNCHANGED,
                )
            },
        },
        # A Metabase that did not answer: the page says so, and its status does too.
        status=502 if error else 200,
    )
