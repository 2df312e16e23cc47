"""Data-protection rights: find everything held about a person, export it, erase it."""

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
from hub.core.permissions import acting_user, affiliate_view
from hub.core.security import log_event, recent_password_required


def _look_up(
    request: HttpRequest, affiliate: Affiliate
) -> tuple[str, personal_data.Lookup | None, str]:
    """Return (what was typed, the lookup or None, the error to show or "")."""
    typed = request.GET.get("q", request.POST.get("q", ""))
    if not typed.strip():
        return typed, None, ""
    try:
        return typed, personal_data.look_up(affiliate, typed), ""
    except personal_data.QueryError as error:
        return typed, None, str(error)


def _context(
    affiliate: Affiliate, typed: str, lookup: personal_data.Lookup | None, error: str
) -> dict[str, object]:
    query = urlencode({"q": lookup.query}) if lookup else ""
    return {
        "typed": typed,
        "lookup": lookup,
        "error": error,
        "query": query,
        "search_url": reverse("personal_data", kwargs={"slug": affiliate.slug}),
    }


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@affiliate_view(manage=True)
def personal_data_search(request: HttpRequest, affiliate: Affiliate) -> HttpResponse:
    """Find every record about a person by e-mail address or name (managers only)."""
    typed, lookup, error = _look_up(request, affiliate)
    if lookup is not None:
        log_event("personal_data.searched", request, affiliate=affiliate.slug)
    return _no_store(
        render(
            request,
            "core/personal_data.html",
            _context(affiliate, typed, lookup, error),
            status=400 if error else 200,
        )
    )


@affiliate_view(manage=True)
def personal_data_export(request: HttpRequest, affiliate: Affiliate) -> HttpResponse:
    """Download everything found about the person as JSON (their copy)."""
    typed, lookup, error = _look_up(request, affiliate)
    if lookup is None:
        return redirect(_search_url(affiliate, typed))
    log_event("personal_data.exported", request, affiliate=affiliate.slug)
    return personal_data_download(lookup.as_json(), "personal-data.json")


@affiliate_view(manage=True)
def personal_data_report(request: HttpRequest, affiliate: Affiliate) -> HttpResponse:
    """Show everything found about the person as a page to print or send them."""
    typed, lookup, error = _look_up(request, affiliate)
    if lookup is None:
        return redirect(_search_url(affiliate, typed))
    log_event("personal_data.exported", request, affiliate=affiliate.slug)
    return _no_store(render(request, "core/personal_data_report.html", {"lookup": lookup}))


@affiliate_view(manage=True)
@recent_password_required
def personal_data_erase(request: HttpRequest, affiliate: Affiliate) -> HttpResponse:
    """Erase everything found about the person, after a page that shows all of it."""
    typed, lookup, error = _look_up(request, affiliate)
    if lookup is None:
        return redirect(_search_url(affiliate, typed))
    if request.method == "POST" and request.POST.get("confirm") == "erase":
        if request.POST.get("seen") != str(len(lookup.found)):
            # Records changed since the page was shown: show what would be erased now.
            messages.warning(request, _("The records changed since you looked. Check them again."))
        else:
            personal_data.erase_found(actor=acting_user(request), lookup=lookup)
            log_event("personal_data.erased", request, affiliate=affiliate.slug)
            messages.success(request, _("The person's data was erased everywhere."))
            return redirect("personal_data", slug=affiliate.slug)
    return _no_store(
        render(request, "core/personal_data_erase.html", _context(affiliate, typed, lookup, error))
    )


def _search_url(affiliate: Affiliate, typed: str) -> str:
    url = reverse("personal_data", kwargs={"slug": affiliate.slug})
    return f"{url}?{urlencode({'q': typed})}" if typed.strip() else url
