"""Find the caller's own records by id: another affiliate's ids are as unknown as missing ones."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from hub.api import problems
from hub.api.auth import ApiProblem
from hub.api.tokens import Caller

M = TypeVar("M", bound=Model)


def caller(request: HttpRequest) -> Caller:
    """Return who makes this (authenticated) call."""
    return request.auth  # type: ignore[attr-defined,no-any-return]


def one(rows: QuerySet[M], pk: int) -> M:
    """Return the row with this id among the caller's rows, or raise a 404 problem."""
    found = rows.filter(pk=pk).first()
    if found is None:
        raise ApiProblem(problems.not_found())
    return found


def referenced(rows: QuerySet[M], pk: int | None, field: str) -> M | None:
    """Return the record a body names by id, or raise a 400 problem naming the field."""
    if pk is None:
        return None
    found = rows.filter(pk=pk).first()
    if found is None:
        raise ApiProblem(problems.invalid([_no_such(field, pk)]))
    return found


def referenced_all(rows: QuerySet[M], pks: Iterable[int], field: str) -> list[M]:
    """Return the records a body names by ids, in order, or raise a 400 problem for the unknown."""
    wanted = list(dict.fromkeys(pks))
    found = {row.pk: row for row in rows.filter(pk__in=wanted)}
    missing = [pk for pk in wanted if pk not in found]
    if missing:
        raise ApiProblem(problems.invalid([_no_such(field, pk) for pk in missing]))
    return [found[pk] for pk in wanted]


def _no_such(field: str, pk: int) -> dict[str, str]:
    return {
        "field": field,
        "message": _("There is no record %(id)s of this kind in your affiliate.") % {"id": pk},
    }
