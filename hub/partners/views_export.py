"""Downloads of the partner directory: any filtered list as CSV or XLSX."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from hub.core.exports import CellValue, write_csv, write_xlsx
from hub.core.models import Affiliate
from hub.core.params import text_param
from hub.core.permissions import affiliate_view
from hub.core.security import log_event, recent_password_required
from hub.partners import exports, selectors

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _download(
    affiliate: Affiliate,
    what: str,
    fmt: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[CellValue]],
) -> HttpResponse:
    """Return rows as a file named after the affiliate, the list and today's date."""
    filename = f"{affiliate.slug}-{what}-{timezone.localdate().isoformat()}.{fmt}"
    body = write_xlsx(rows, headers, title=what) if fmt == "xlsx" else write_csv(rows, headers)
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(True, filename) or ""
    # Personal data: no shared cache may keep a copy.
    response["Cache-Control"] = "private, no-store"
    return response


def _format(request: HttpRequest) -> str | None:
    fmt = (request.GET.get("format") or "csv").lower()
    return fmt if fmt in CONTENT_TYPES else None


@affiliate_view()
def organisation_export(request: HttpRequest, affiliate: Affiliate) -> HttpResponse:
    """Download the organisations that the list shows for the same filters, as CSV or XLSX."""
    fmt = _format(request)
    if fmt is None:
        return HttpResponseBadRequest(_("Choose CSV or XLSX."))
    filters = selectors.OrganisationFilters.from_params(request.GET)
    return _download(
        affiliate,
        "organisations",
        fmt,
        exports.organisation_headers(),
        exports.organisation_rows(affiliate, filters),
    )


@affiliate_view(manage=True)
@recent_password_required
def contact_export(request: HttpRequest, affiliate: Affiliate) -> HttpResponse:
    """Download the contact people that the list shows for the same search, as CSV or XLSX.

    Managers only, like one person's data: the file holds everyone's e-mails and phones.
    """
    fmt = _format(request)
    if fmt is None:
        return HttpResponseBadRequest(_("Choose CSV or XLSX."))
    log_event("contacts.exported", request, affiliate=affiliate.slug, format=fmt)
    rows = exports.contact_rows(
        affiliate,
        q=text_param(request.GET, "q"),
        sort=request.GET.get("sort", "name"),
        archived=request.GET.get("archived") == "1",
    )
    return _download(affiliate, "contacts", fmt, exports.contact_headers(), rows)
