"""Data-protection rights: find everything held about a person, export it, erase it.

An affiliate's managers search its records (/a/<slug>/personal-data/); hub staff search the
hub-wide ones, kept with no affiliate: help requests sent to no affiliate, their history and
notifications, the hub's accounts (/hub/personal-data/).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from hub.core import personal_data
from hub.core.exports import personal_data_download
from hub.core.models import Affiliate
from hub.core.permissions import acting_user, affiliate_view, hub_staff_view
from hub.core.security import log_event, recent_password_required


def _look_up(
    request: HttpRequest, affiliate: Affiliate | None
) -> tuple[str, personal_data.Lookup | None, str]:
    """Return (what was typed, the lookup or None, the error to show or "")."""
    typed = request.GET.get("q", request.POST.get("q", ""))
    if not typed.strip():
        return typed, None, ""
    try:
        return typed, personal_data.look_up(affiliate, typed), ""
    except personal_data.QueryError as error:
        return typed, None, str(error)


def _url(name: str, affiliate: Affiliate | None) -> str:
    """Return one of the personal-data pages, the affiliate's or (None) the hub's."""
    if affiliate is None:
        return reverse(f"hub_{name}")
    return reverse(name, kwargs={"slug": affiliate.slug})


def _context(
    affiliate: Affiliate | None, typed: str, lookup: personal_data.Lookup | None, error: str
) -> dict[str, object]:
    query = urlencode({"q": lookup.query}) if lookup else ""
    return {
        "typed": typed,
        "lookup": lookup,
        "error": error,
        "query": query,
        "hub_wide": affiliate is None,
        "search_url": _url("personal_data", affiliate),
        "report_url": _url("personal_data_report", affiliate),
        "export_url": _url("personal_data_export", affiliate),
        "erase_url": _url("personal_data_erase", affiliate),
    }


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def _slug(affiliate: Affiliate | None) -> str:
    return affiliate.slug if affiliate is not None else "(hub)"


def _search(request: HttpRequest, affiliate: Affiliate | None) -> HttpResponse:
    typed, lookup, error = _look_up(request, affiliate)
    if lookup is not None:
        log_event("personal_data.searched", request, affiliate=_slug(affiliate))
    return _no_store(
        render(
            request,
            "core/personal_data.html",
            _context(affiliate, typed, lookup, error),
            status=400 if error else 200,
        )
    )


def _export(request: HttpRequest, affiliate: Affiliate | None) -> HttpResponse:
    typed, lookup, error = _look_up(request, affiliate)
    if lookup is None:
        return redirect(_search_url(affiliate, typed))
    log_event("personal_data.exported", request, affiliate=_slug(affiliate))
    return personal_data_download(lookup.as_json(), "personal-data.json")


def _report(request: HttpRequest, affiliate: Affiliate | None) -> HttpResponse:
    typed, lookup, error = _look_up(request, affiliate)
    if lookup is None:
        return redirect(_search_url(affiliate, typed))
    log_event("personal_data.exported", request, affiliate=_slug(affiliate))
    context = {"lookup": lookup, "hub_wide": affiliate is None}
    return _no_store(render(request, "core/personal_data_report.html", context))


def _erase(request: HttpRequest, affiliate: Affiliate | None) -> HttpResponse:
    """Show what would be erased; on the confirmed form, erase it (and the ticked accounts)."""
    typed, lookup, error = _look_up(request, affiliate)
    if lookup is None:
        return redirect(_search_url(affiliate, typed))
    actor = acting_user(request)
    closable = personal_data.closable_accounts(lookup, actor=actor)
    if request.method == "POST" and request.POST.get("confirm") == "erase":
        ticked = set(request.POST.getlist("accounts"))
        chosen = [u for u in closable if str(u.pk) in ticked]
        if request.POST.get("seen") != lookup.fingerprint or len(chosen) != len(ticked):
            # Records changed since the page was shown: show what would be erased now.
            messages.warning(request, _("The records changed since you looked. Check them again."))
        else:
            personal_data.erase_found(actor=actor, lookup=lookup, accounts=chosen)
            log_event(
                "personal_data.erased",
                request,
                affiliate=_slug(affiliate),
                accounts_closed=len(chosen),
            )
            messages.success(request, _("The person's data was erased everywhere."))
            return redirect(_url("personal_data", affiliate))
    context = {**_context(affiliate, typed, lookup, error), "closable": closable}
    return _no_store(render(request, "core/personal_data_erase.html", context))


def _search_url(affiliate: Affiliate | None, typed: str) -> str:
    url = _url("personal_data", affiliate)
    return f"{url}?{urlencode({'q': typed})}" if typed.strip() else url


@affiliate_view(manage=True)
def personal_data_search(request: HttpRequest, affiliate: Affiliate) -> HttpResponse:
    """Find every record about a person by e-mail address, phone or name (managers only)."""
    return _search(request, affiliate)


@affiliate_view(manage=True)
def personal_data_export(request: HttpRequest, affiliate: Affiliate) -> HttpResponse:
    """Download everything found about the person as JSON (their copy)."""
    return _export(request, affiliate)


@affiliate_view(manage=True)
def personal_data_report(request: HttpRequest, affiliate: Affiliate) -> HttpResponse:
    """Show everything found about the person as a page to print or send them."""
    return _report(request, affiliate)


@affiliate_view(manage=True)
@recent_password_required
def personal_data_erase(request: HttpRequest, affiliate: Affiliate) -> HttpResponse:
    """Erase everything found about the person, after a page that shows all of it."""
    return _erase(request, affiliate)


@hub_staff_view
def hub_personal_data_search(request: HttpRequest) -> HttpResponse:
    """Find every hub-wide record about a person (requests sent to no affiliate; hub staff)."""
    return _search(request, None)


@hub_staff_view
def hub_personal_data_export(request: HttpRequest) -> HttpResponse:
    """Download the hub-wide records about the person as JSON (hub staff)."""
    return _export(request, None)


@hub_staff_view
def hub_personal_data_report(request: HttpRequest) -> HttpResponse:
    """Show the hub-wide records about the person as a page to send them (hub staff)."""
    return _report(request, None)


@hub_staff_view
@recent_password_required
def hub_personal_data_erase(request: HttpRequest) -> HttpResponse:
    """Erase the hub-wide records about the person, after a page that shows all (hub staff)."""
    return _erase(request, None)
