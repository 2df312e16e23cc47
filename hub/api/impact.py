"""Content links and their monthly figures: read-only (the Hub measures them on the wikis)."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_noop
from ninja import Query, Router, Schema
from pydantic import Field

from hub.api import schemas as s
from hub.api.conditional import json_response
from hub.api.paging import PageQuery, cut
from hub.api.records import caller, one
from hub.core.models import Affiliate
from hub.impact.models import ContentLink, MetricPoint

router = Router()

READ = {304: None, 400: s.Problem, 401: s.Problem, 404: s.Problem, 429: s.Problem}


class LinkFilters(Schema):
    partnership: s.Id | None = None
    kind: s.Text = Field("", max_length=30)


class PointFilters(Schema):
    link: s.Id | None = None
    metric: s.Text = Field("", max_length=20)
    since: dt.date | None = Field(None, description="Months from this one on")


def link_out(link: ContentLink) -> s.ContentLinkOut:
    """Return a content link as the API shows it."""
    return s.ContentLinkOut.model_construct(
        id=link.pk,
        partnership=link.partnership_id,
        kind=link.kind,
        wiki_url=link.wiki_url,
        target=link.target,
        status=link.status,
        last_refreshed_at=link.last_refreshed_at,
        latest=link.latest if isinstance(link.latest, dict) else {},
    )


def point_out(point: MetricPoint) -> s.MetricPointOut:
    """Return one monthly figure as the API shows it."""
    return s.MetricPointOut.model_construct(
        id=point.pk,
        link=point.link_id,
        metric=point.metric,
        month=point.month,
        value=point.value,
        source=point.source,
        fetched_at=point.fetched_at,
    )


def _links(affiliate: Affiliate) -> QuerySet[ContentLink]:
    return ContentLink.objects.filter(affiliate=affiliate)


def _points(affiliate: Affiliate) -> QuerySet[MetricPoint]:
    return MetricPoint.objects.filter(link__affiliate=affiliate)


@router.get(
    "/content-links/",
    response={200: s.ContentLinkPage, **READ},
    tags=["impact"],
    summary=gettext_noop("List content links"),
)
def list_links(
    request: HttpRequest, filters: Query[LinkFilters], paging: Query[PageQuery]
) -> HttpResponse:
    rows = _links(caller(request).affiliate)
    if filters.partnership:
        rows = rows.filter(partnership_id=filters.partnership)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    found, page = cut(request, rows.order_by("id"), paging)
    return json_response(
        request, s.ContentLinkPage.model_construct(**page, results=[link_out(x) for x in found])
    )


@router.get(
    "/content-links/{int:pk}/",
    response={200: s.ContentLinkOut, **READ},
    tags=["impact"],
    summary=gettext_noop("Read a content link"),
)
def read_link(request: HttpRequest, pk: int) -> HttpResponse:
    return json_response(request, link_out(one(_links(caller(request).affiliate), pk)))


@router.get(
    "/metric-points/",
    response={200: s.MetricPointPage, **READ},
    tags=["impact"],
    summary=gettext_noop("List monthly figures"),
)
def list_points(
    request: HttpRequest, filters: Query[PointFilters], paging: Query[PageQuery]
) -> HttpResponse:
    rows = _points(caller(request).affiliate)
    if filters.link:
        rows = rows.filter(link_id=filters.link)
    if filters.metric:
        rows = rows.filter(metric=filters.metric)
    if filters.since:
        rows = rows.filter(month__gte=filters.since)
    found, page = cut(request, rows.order_by("link_id", "metric", "month", "id"), paging)
    return json_response(
        request, s.MetricPointPage.model_construct(**page, results=[point_out(x) for x in found])
    )


@router.get(
    "/metric-points/{int:pk}/",
    response={200: s.MetricPointOut, **READ},
    tags=["impact"],
    summary=gettext_noop("Read a monthly figure"),
)
def read_point(request: HttpRequest, pk: int) -> HttpResponse:
    return json_response(request, point_out(one(_points(caller(request).affiliate), pk)))
