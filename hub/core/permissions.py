"""Resolve who may see and change an affiliate's data; everything else answers 404."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse

from hub.core.context_processors import remember_affiliate
from hub.core.models import Affiliate, Membership, User

M = TypeVar("M", bound=Model)


def membership_for(user: Any, slug: str) -> Membership:
    """Return the user's membership in the affiliate, or raise 404 if there is none."""
    if not user.is_authenticated:
        raise Http404
    try:
        return Membership.objects.select_related("affiliate").get(user=user, affiliate__slug=slug)
    except Membership.DoesNotExist:
        raise Http404 from None


def affiliate_view(
    *, edit: bool = False, manage: bool = False
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Wrap a view under /a/<slug>/: log-in required, membership required, role checked.

    The view receives the membership's affiliate as ``affiliate`` and the membership as
    ``request.membership``. Another affiliate's URL answers 404, so nobody learns it exists.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = membership_for(request.user, slug)
            if manage and not membership.can_manage:
                raise PermissionDenied
            if edit and not membership.can_edit:
                raise PermissionDenied
            request.membership = membership  # type: ignore[attr-defined]
            response = view(request, membership.affiliate, *args, **kwargs)
            remember_affiliate(request, response, slug)
            return response

        return wrapped

    return decorator


def get_for_affiliate_or_404(
    queryset: QuerySet[M] | type[M],
    affiliate: Affiliate,
    pk: int,
    *,
    through: str = "",
    **filters: Any,
) -> M:
    """Return the affiliate's object with this id, or raise 404 (another affiliate's too).

    ``through`` names the relation that holds the affiliate when the object has no affiliate of
    its own (``"partnership"`` for an activity; select it in ``queryset``). ``filters`` narrow
    further (a pending batch, the person's own reminder). The affiliate row the view already
    holds is put on the object (or on its ``through`` relation) so the page does not query it
    again.
    """
    rows = queryset if isinstance(queryset, QuerySet) else queryset._default_manager.all()
    scope = f"{through}__affiliate" if through else "affiliate"
    try:
        found = rows.get(pk=pk, **{scope: affiliate}, **filters)
    except ObjectDoesNotExist:  # the model's DoesNotExist
        raise Http404 from None
    holder: Any = found
    for name in through.split("__") if through else ():
        holder = getattr(holder, name)
    holder.affiliate = affiliate
    return found


def acting_user(request: HttpRequest) -> User:
    """Return the logged-in person making a change (views behind affiliate_view have one)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def hub_staff_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap a hub-wide view: log-in required and hub staff only (others get 404)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not getattr(request.user, "is_hub_staff", False):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def affiliates_of(user: Any) -> list[Affiliate]:
    """Return the affiliates a user belongs to."""
    if not user.is_authenticated:
        return []
    return [m.affiliate for m in Membership.objects.filter(user=user).select_related("affiliate")]
