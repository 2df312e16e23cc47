"""Cut a list into pages, with the addresses of the next and previous ones."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import HttpRequest
from ninja import Field, Schema

PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
M = TypeVar("M", bound=Model)


class PageQuery(Schema):
    """Which page of a list to answer."""

    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


def _address(request: HttpRequest, page: int) -> str:
    params = request.GET.copy()
    params["page"] = str(page)
    return request.build_absolute_uri(request.path + "?" + params.urlencode())


def cut(
    request: HttpRequest, rows: QuerySet[M], paging: PageQuery
) -> tuple[Sequence[M], dict[str, Any]]:
    """Return one page of rows and the page's count, next and previous addresses."""
    count = rows.count()
    start = (paging.page - 1) * paging.page_size
    page = list(rows[start : start + paging.page_size]) if start < count else []
    more = start + paging.page_size < count
    return page, {
        "count": count,
        "next": _address(request, paging.page + 1) if more else None,
        "previous": _address(request, paging.page - 1) if paging.page > 1 else None,
    }
