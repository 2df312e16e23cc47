"""Impact pages: content links, refresh status, reports and their downloads, partner links."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from hub.core.languages import join_list
from hub.core.links import absolute_url
from hub.core.models import Affiliate
from hub.core.permissions import acting_user, affiliate_view
from hub.impact import reports, selectors, services
from hub.impact.forms import ContentLinkForm, ShareForm, year_param
from hub.impact.models import ContentLink, ShareLink
from hub.impact.selectors import ImpactReport


def _report_context(request: HttpRequest, report: ImpactReport) -> dict[str, Any]:
    """Return what every report page shows: the figures, the sentences and the charts."""
    return {
        "report": report,
        "summary": reports.summary(report),
        "charts": reports.charts(report),
    }


def _share_urls(request: HttpRequest, shares: list[ShareLink]) -> list[tuple[ShareLink, str]]:
    """Return each share link with the address to give the partner."""
    return [
        (
            share,
            absolute_url(
                reverse("impact:shared_report", kwargs={"token": services.share_token(share)}),
                request,
            ),
        )
        for share in shares
    ]


def _download(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    # A partner's figures: no shared cache or browser history keeps a copy.
    response["Cache-Control"] = "private, no-store"
    return response


def _file_name(title: str, year: int, extension: str) -> str:
    return f"impact-{slugify(title)[:60] or 'report'}-{year}.{extension}"


@affiliate_view()
def partnership_impact(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Show a partnership's content links, their figures and refreshes, and its report."""
    partnership = selectors.partnership_for(affiliate, pk)
    report = selectors.partnership_report(
        affiliate, partnership, year=year_param(request.GET.get("year"))
    )
    context = {
        "partnership": partnership,
        "links": selectors.partnership_links(affiliate, partnership),
        "shares": _share_urls(request, selectors.share_links(affiliate, partnership=partnership)),
        "share_form": ShareForm(),
        **_report_context(request, report),
    }
    return render(request, "impact/partnership.html", context)


@affiliate_view(edit=True)
def link_create(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Add a content link, checked against its wiki (saved unverified if the wiki is down)."""
    partnership = selectors.partnership_for(affiliate, pk)
    form = ContentLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            link = services.add_content_link(
                actor=acting_user(request), partnership=partnership, **form.cleaned_data
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            if link.status == ContentLink.Status.VERIFIED:
                messages.success(
                    request,
                    ngettext(
                        "Added. The wiki confirms it: %(n)s entry found.",
                        "Added. The wiki confirms it: %(n)s entries found.",
                        link.size_seen or 0,
                    )
                    % {"n": link.size_seen or 0},
                )
            else:
                messages.warning(
                    request,
                    _("Saved, but not checked: %(reason)s It will be checked on the next refresh.")
                    % {"reason": link.status_reason},
                )
            return redirect("impact:partnership_impact", slug=affiliate.slug, pk=partnership.pk)
    return render(request, "impact/link_form.html", {"partnership": partnership, "form": form})


@affiliate_view(edit=True)
@require_POST
def link_remove(request: HttpRequest, affiliate: Affiliate, pk: int, link_pk: int) -> HttpResponse:
    """Remove a content link and its figures."""
    partnership = selectors.partnership_for(affiliate, pk)
    services.remove_content_link(
        actor=acting_user(request), link=selectors.link_for(partnership, link_pk)
    )
    messages.info(request, _("The content link and its figures were removed."))
    return redirect("impact:partnership_impact", slug=affiliate.slug, pk=partnership.pk)


@affiliate_view(edit=True)
@require_POST
def link_refresh(request: HttpRequest, affiliate: Affiliate, pk: int, link_pk: int) -> HttpResponse:
    """Queue a refresh of a link's figures and follow it on its status page."""
    partnership = selectors.partnership_for(affiliate, pk)
    try:
        run = services.request_refresh(
            actor=acting_user(request), link=selectors.link_for(partnership, link_pk)
        )
    except ValidationError as refused:
        messages.error(request, refused.messages[0])
        return redirect("impact:partnership_impact", slug=affiliate.slug, pk=partnership.pk)
    return redirect("impact:run_status", slug=affiliate.slug, pk=partnership.pk, run_pk=run.pk)


@affiliate_view()
def run_status(request: HttpRequest, affiliate: Affiliate, pk: int, run_pk: int) -> HttpResponse:
    """Follow a refresh; the page reloads itself while it runs (no JavaScript needed)."""
    partnership = selectors.partnership_for(affiliate, pk)
    run = selectors.run_for(partnership, run_pk)
    return render(request, "impact/run_status.html", {"partnership": partnership, "run": run})


@affiliate_view()
def partnership_report_csv(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Download a partnership's impact figures as CSV."""
    partnership = selectors.partnership_for(affiliate, pk)
    report = selectors.partnership_report(
        affiliate, partnership, year=year_param(request.GET.get("year"))
    )
    return _download(
        reports.report_csv(report), "text/csv", _file_name(report.title, report.year, "csv")
    )


@affiliate_view()
def partnership_report_pdf(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Download a partnership's impact report as PDF."""
    partnership = selectors.partnership_for(affiliate, pk)
    report = selectors.partnership_report(
        affiliate, partnership, year=year_param(request.GET.get("year"))
    )
    return _download(
        reports.report_pdf(report), "application/pdf", _file_name(report.title, report.year, "pdf")
    )


@affiliate_view(edit=True)
@require_POST
def share_create(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Create a read-only report link for the partner and show it on the impact page."""
    partnership = selectors.partnership_for(affiliate, pk)
    form = ShareForm(request.POST)
    if form.is_valid():
        services.create_share_link(
            actor=acting_user(request), partnership=partnership, days=form.cleaned_data["days"]
        )
        messages.success(request, _("A report link was created. Copy it from the list below."))
    else:
        messages.error(request, _("A report link works for 1 to 366 days."))
    return redirect("impact:partnership_impact", slug=affiliate.slug, pk=partnership.pk)


@affiliate_view(edit=True)
@require_POST
def share_revoke(
    request: HttpRequest, affiliate: Affiliate, pk: int, share_pk: int
) -> HttpResponse:
    """Withdraw a partner's report link at once."""
    partnership = selectors.partnership_for(affiliate, pk)
    share = selectors.share_for(affiliate, share_pk, partnership=partnership)
    services.revoke_share_link(actor=acting_user(request), share=share)
    messages.info(request, _("The report link was withdrawn; it no longer opens."))
    return redirect("impact:partnership_impact", slug=affiliate.slug, pk=partnership.pk)


@affiliate_view()
def organisation_report(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Show a partner's impact across all its partnerships."""
    organisation = selectors.organisation_for(affiliate, pk)
    report = selectors.organisation_report(
        affiliate, organisation, year=year_param(request.GET.get("year"))
    )
    context = {
        "organisation": organisation,
        "shares": _share_urls(request, selectors.share_links(affiliate, organisation=organisation)),
        "share_form": ShareForm(),
        **_report_context(request, report),
    }
    return render(request, "impact/organisation.html", context)


@affiliate_view()
def organisation_report_csv(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Download a partner's impact figures as CSV."""
    organisation = selectors.organisation_for(affiliate, pk)
    report = selectors.organisation_report(
        affiliate, organisation, year=year_param(request.GET.get("year"))
    )
    return _download(
        reports.report_csv(report), "text/csv", _file_name(report.title, report.year, "csv")
    )


@affiliate_view()
def organisation_report_pdf(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Download a partner's impact report as PDF."""
    organisation = selectors.organisation_for(affiliate, pk)
    report = selectors.organisation_report(
        affiliate, organisation, year=year_param(request.GET.get("year"))
    )
    return _download(
        reports.report_pdf(report), "application/pdf", _file_name(report.title, report.year, "pdf")
    )


@affiliate_view(edit=True)
@require_POST
def organisation_share_create(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Create a read-only report link for a partner across its partnerships."""
    organisation = selectors.organisation_for(affiliate, pk)
    form = ShareForm(request.POST)
    if form.is_valid():
        services.create_share_link(
            actor=acting_user(request), organisation=organisation, days=form.cleaned_data["days"]
        )
        messages.success(request, _("A report link was created. Copy it from the list below."))
    else:
        messages.error(request, _("A report link works for 1 to 366 days."))
    return redirect("impact:organisation_report", slug=affiliate.slug, pk=organisation.pk)


@affiliate_view(edit=True)
@require_POST
def organisation_share_revoke(
    request: HttpRequest, affiliate: Affiliate, pk: int, share_pk: int
) -> HttpResponse:
    """Withdraw a partner's report link at once."""
    organisation = selectors.organisation_for(affiliate, pk)
    share = selectors.share_for(affiliate, share_pk, organisation=organisation)
    services.revoke_share_link(actor=acting_user(request), share=share)
    messages.info(request, _("The report link was withdrawn; it no longer opens."))
    return redirect("impact:organisation_report", slug=affiliate.slug, pk=organisation.pk)


@affiliate_view()
def affiliate_report(request: HttpRequest, affiliate: Affiliate) -> HttpResponse:
    """Show the impact of all the affiliate's partnerships together."""
    report = selectors.affiliate_report(affiliate, year=year_param(request.GET.get("year")))
    return render(request, "impact/affiliate.html", _report_context(request, report))


@affiliate_view()
def affiliate_report_csv(request: HttpRequest, affiliate: Affiliate) -> HttpResponse:
    """Download the affiliate's impact figures as CSV."""
    report = selectors.affiliate_report(affiliate, year=year_param(request.GET.get("year")))
    return _download(
        reports.report_csv(report), "text/csv", _file_name(report.title, report.year, "csv")
    )


@affiliate_view()
def affiliate_report_pdf(request: HttpRequest, affiliate: Affiliate) -> HttpResponse:
    """Download the affiliate's impact report as PDF."""
    report = selectors.affiliate_report(affiliate, year=year_param(request.GET.get("year")))
    return _download(
        reports.report_pdf(report), "application/pdf", _file_name(report.title, report.year, "pdf")
    )


def _shared(
    request: HttpRequest, token: str
) -> tuple[ImpactReport | None, HttpResponse | None, list[str]]:
    """Return the report a partner's link opens and its greeting, or the refusal."""
    try:
        share = services.open_share_link(token)
    except services.ShareRefused as refused:
        page = render(
            request,
            "impact/shared_refused.html",
            {"reason": refused.reason},
            status=410 if refused.gone else 404,
        )
        return None, page, []
    year = year_param(request.GET.get("year"))
    greeting = reports.share_greeting(
        partner_names=join_list(selectors.share_partner_names(share)), sender=share.affiliate.name
    )
    if share.partnership is not None:
        report = selectors.partnership_report(share.affiliate, share.partnership, year=year)
        return report, None, greeting
    assert share.organisation is not None  # noqa: S101  a database constraint says so
    report = selectors.organisation_report(share.affiliate, share.organisation, year=year)
    return report, None, greeting


def shared_report(request: HttpRequest, token: str) -> HttpResponse:
    """Show a partner the read-only impact report its link opens (no account needed)."""
    report, refused, greeting = _shared(request, token)
    if refused is not None or report is None:
        return refused or HttpResponse(status=404)
    context = {"token": token, "greeting": greeting, **_report_context(request, report)}
    response = render(request, "impact/shared.html", context)
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


def shared_report_pdf(request: HttpRequest, token: str) -> HttpResponse:
    """Download the partner's report as PDF through its link."""
    report, refused, greeting = _shared(request, token)
    if refused is not None or report is None:
        return refused or HttpResponse(status=404)
    pdf = reports.report_pdf(report, greeting=greeting)
    return _download(pdf, "application/pdf", _file_name(report.title, report.year, "pdf"))
