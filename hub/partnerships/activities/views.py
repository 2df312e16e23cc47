"""Pages for a partnership's activities and contributions, and the affiliate's exchange rates."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hub.core.forms import apply_errors
from hub.core.models import Affiliate
from hub.core.params import text_param
from hub.core.permissions import acting_user, affiliate_view
from hub.partnerships.activities import money, selectors, services
from hub.partnerships.activities.drawing import activity_rows
from hub.partnerships.activities.forms import (
    ActivityForm,
    ContributionForm,
    ExchangeRateForm,
    ReportingCurrencyForm,
)
from hub.partnerships.activities.outputs import output_summary, summary_of, with_output_lines
from hub.partnerships.models import Activity, Contribution, Partnership
from hub.partnerships.slots import activity_links

PAGE_SIZE = 50


@affiliate_view()
def activity_list(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """List a partnership's activities, a page at a time, with their summed outputs."""
    partnership = selectors.get_partnership(affiliate, pk)
    page = Paginator(selectors.activity_list(partnership), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    # Each activity's outputs: counted ones with their source, the rest marked typed by hand
    # (one query for the page's counted figures); summed over every activity: from this page
    # when it holds them all, else by the database.
    page.object_list = with_output_lines(page.object_list)
    summary = (
        summary_of(page.object_list)
        if page.paginator.num_pages == 1
        else output_summary(Activity.objects.filter(partnership=partnership))
    )
    links = activity_links(affiliate, page.object_list)
    partners = selectors.partner_names(page.object_list)
    return render(
        request,
        "partnerships/activity_list.html",
        {
            "partnership": partnership,
            "page": page,
            "outputs": {"count": page.paginator.count},
            "summary": summary,
            "rows": activity_rows(
                [(a, links.get(a.pk, []), partners[a.pk]) for a in page.object_list],
                slug=affiliate.slug,
                can_edit=request.membership.can_edit,  # type: ignore[attr-defined]
            ),
        },
    )


def _activity_form(
    request: HttpRequest, affiliate: Affiliate, partnership: Partnership, activity: Activity | None
) -> HttpResponse:
    form = ActivityForm(request.POST or None, instance=activity, partnership=partnership)
    if request.method == "POST" and form.is_valid():
        actor = acting_user(request)
        try:
            if activity is None:
                saved = services.create_activity(
                    actor=actor,
                    partnership=partnership,
                    partners=form.cleaned_data["partners"],
                    **form.service_fields(),
                )
                messages.success(request, _("Activity added."))
            else:
                saved = services.update_activity(
                    actor=actor,
                    activity=activity,
                    partners=form.cleaned_data["partners"],
                    **form.service_fields(),
                )
                messages.success(request, _("Changes saved."))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return redirect(
                "partnerships:activity_list", slug=affiliate.slug, pk=saved.partnership_id
            )
    return render(
        request,
        "partnerships/activity_form.html",
        {"form": form, "partnership": partnership, "activity": activity},
    )


@affiliate_view(edit=True)
def activity_create(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Add an activity to a partnership."""
    return _activity_form(request, affiliate, selectors.get_partnership(affiliate, pk), None)


@affiliate_view(edit=True)
def activity_edit(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Change an activity."""
    activity = selectors.get_activity(affiliate, pk)
    return _activity_form(request, affiliate, activity.partnership, activity)


@affiliate_view(edit=True)
def activity_delete(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Delete an activity, after a confirmation page."""
    activity = selectors.get_activity(affiliate, pk)
    if request.method == "POST":
        services.delete_activity(actor=acting_user(request), activity=activity)
        messages.success(request, _("Activity deleted."))
        return redirect(
            "partnerships:activity_list", slug=affiliate.slug, pk=activity.partnership_id
        )
    return render(
        request,
        "partnerships/activity_delete.html",
        {"activity": activity, "partnership": activity.partnership},
    )


@affiliate_view()
def contribution_list(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """List a partnership's contributions with their totals in the reporting currency."""
    partnership = selectors.get_partnership(affiliate, pk)
    rates = money.rate_table(affiliate)
    page = Paginator(selectors.contribution_list(partnership), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "partnerships/contribution_list.html",
        {
            "partnership": partnership,
            "page": page,
            "rows": selectors.with_conversions(page.object_list, rates),
            "money": money.partnership_money(partnership, rates),
        },
    )


def _contribution_form(
    request: HttpRequest,
    affiliate: Affiliate,
    partnership: Partnership,
    contribution: Contribution | None,
) -> HttpResponse:
    form = ContributionForm(
        request.POST or None,
        instance=contribution,
        partnership=partnership,
    )
    if request.method == "POST" and form.is_valid():
        actor = acting_user(request)
        try:
            if contribution is None:
                saved = services.add_contribution(
                    actor=actor,
                    partnership=partnership,
                    **form.service_fields(),
                )
                messages.success(request, _("Contribution recorded."))
            else:
                saved = services.update_contribution(
                    actor=actor,
                    contribution=contribution,
                    **form.service_fields(),
                )
                messages.success(request, _("Changes saved."))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return redirect(
                "partnerships:contribution_list", slug=affiliate.slug, pk=saved.partnership_id
            )
    return render(
        request,
        "partnerships/contribution_form.html",
        {"form": form, "partnership": partnership, "contribution": contribution},
    )


@affiliate_view(edit=True)
def contribution_create(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Record a financial or in-kind contribution to a partnership."""
    return _contribution_form(request, affiliate, selectors.get_partnership(affiliate, pk), None)


@affiliate_view(edit=True)
def contribution_edit(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Change a contribution."""
    contribution = selectors.get_contribution(affiliate, pk)
    return _contribution_form(request, affiliate, contribution.partnership, contribution)


@affiliate_view(edit=True)
def contribution_delete(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Delete a contribution, after a confirmation page."""
    contribution = selectors.get_contribution(affiliate, pk)
    if request.method == "POST":
        services.delete_contribution(actor=acting_user(request), contribution=contribution)
        messages.success(request, _("Contribution deleted."))
        return redirect(
            "partnerships:contribution_list", slug=affiliate.slug, pk=contribution.partnership_id
        )
    return render(
        request,
        "partnerships/contribution_delete.html",
        {"contribution": contribution, "partnership": contribution.partnership},
    )


@affiliate_view()
def rates(request: HttpRequest, affiliate: Affiliate) -> HttpResponse:
    """Show the affiliate's exchange rates and those still needed; editors add or change one."""
    form = ExchangeRateForm(
        request.POST or None,
        reporting_currency=affiliate.reporting_currency,
        initial={
            "currency": text_param(request.GET, "currency", 3).upper(),
            "year": text_param(request.GET, "year", 4) or None,
        },
    )
    if request.method == "POST":
        if not request.membership.can_edit:  # type: ignore[attr-defined]
            raise PermissionDenied
        if form.is_valid():
            try:
                rate = services.set_exchange_rate(
                    actor=acting_user(request), affiliate=affiliate, **form.cleaned_data
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Rate saved: 1 %(code)s = %(rate)s %(into)s in %(year)s.")
                    % {
                        "code": rate.currency,
                        "rate": rate.rate.normalize(),
                        "into": affiliate.reporting_currency,
                        "year": rate.year,
                    },
                )
                return redirect("partnerships:rates", slug=affiliate.slug)
    return render(
        request,
        "partnerships/rates.html",
        {
            "form": form,
            "currency_form": ReportingCurrencyForm(
                initial={"currency": affiliate.reporting_currency}
            ),
            "page": selectors.rates_page(affiliate),
        },
    )


@affiliate_view(edit=True)
@require_POST
def rate_delete(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Delete an exchange rate."""
    rate = selectors.get_exchange_rate(affiliate, pk)
    services.delete_exchange_rate(actor=acting_user(request), rate=rate)
    messages.success(request, _("Rate deleted."))
    return redirect("partnerships:rates", slug=affiliate.slug)


@affiliate_view(manage=True)
def reporting_currency(request: HttpRequest, affiliate: Affiliate) -> HttpResponse:
    """Change the currency the affiliate reports in (managers only)."""
    form = ReportingCurrencyForm(
        request.POST or None, initial={"currency": affiliate.reporting_currency}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.set_reporting_currency(
                actor=acting_user(request),
                affiliate=affiliate,
                currency=form.cleaned_data["currency"],
                clear_rates=form.cleaned_data["clear_rates"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("Totals are now reported in %(code)s.") % {"code": affiliate.reporting_currency},
            )
            return redirect("partnerships:rates", slug=affiliate.slug)
    return render(request, "partnerships/rates_currency.html", {"currency_form": form})
